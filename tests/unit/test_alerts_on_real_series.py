"""The alert rules on series a real gateway exported: smg 1.13.0's /metrics scraped every 5 s on a
GPU machine after one of its two SGLang workers had died (tests/fixtures/smg-metrics/
gpu-dead-worker-series/). Replayed through promtool as they were: SGLangGatewayWorkerUnhealthy
fires for the dead worker after its minute, never for the live one; no circuit opens (nothing
was sent to it)."""

import os
import re

import yaml

from helpers import ROOT, promtool, render_rules

SERIES = os.path.join(ROOT, "tests", "fixtures", "smg-metrics", "gpu-dead-worker-series")
STEP = 5
TARGET = {"job": "sglang-gateway", "instance": "gpu:29000", "host": "gpu"}
FAMILIES = ("smg_worker_health", "smg_worker_cb_state")


def scrapes():
    out = {}
    for name in os.listdir(SERIES):
        match = re.match(r"smg-([+-]\d+)\.txt$", name)
        if match:
            with open(os.path.join(SERIES, name)) as handle:
                out[int(match.group(1))] = handle.read()
    return out


def input_series(captured):
    """promtool input series on a 5 s grid from the first scrape ('_' where a scrape lacks one)."""
    start = min(captured)
    grid = {round((t - start) / STEP): text for t, text in captured.items()}
    series = {}
    pattern = re.compile(r"^(%s)\{([^}]*)\} (\S+)$" % "|".join(FAMILIES), re.M)
    for index, text in grid.items():
        for name, labels, value in pattern.findall(text):
            target = ", ".join('%s="%s"' % kv for kv in TARGET.items())
            series.setdefault("%s{%s, %s}" % (name, target, labels), {})[index] = value
    return [{"series": key, "values": " ".join(values.get(i, "_") for i in range(max(grid) + 1))}
            for key, values in sorted(series.items())]


def test_the_capture_has_one_dead_and_one_live_worker():
    health = {w: v for text in scrapes().values()
              for w, v in re.findall(r'^smg_worker_health\{worker="([^"]+)"\} (\S+)$', text, re.M)}
    assert health == {"http://127.0.0.1:30000": "0", "http://127.0.0.1:30001": "1"}
    assert len(scrapes()) >= 15  # over a minute


def test_worker_unhealthy_fires_for_the_dead_worker_only(tmp_path):
    render_rules(str(tmp_path))
    dead = "http://127.0.0.1:30000"
    firing = {"exp_labels": dict(TARGET, severity="warning", worker=dead), "exp_annotations": {
        "summary": "The gateway on gpu takes no requests to %s" % dead,
        "description": "Its health checks of %s have failed for a minute; the other workers take its "
                       "requests." % dead}}
    test = {"rule_files": ["sglang.rules.yml"], "evaluation_interval": "%ds" % STEP, "tests": [{
        "interval": "%ds" % STEP, "input_series": input_series(scrapes()),
        "alert_rule_test": [
            {"alertname": "SGLangGatewayWorkerUnhealthy", "eval_time": "55s", "exp_alerts": []},
            {"alertname": "SGLangGatewayWorkerUnhealthy", "eval_time": "65s", "exp_alerts": [firing]},
            {"alertname": "SGLangGatewayCircuitOpen", "eval_time": "65s", "exp_alerts": []}]}]}
    path = tmp_path / "real-dead-worker.test.yml"
    path.write_text(yaml.safe_dump(test, sort_keys=False))
    result = promtool("test", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
