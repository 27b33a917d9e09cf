"""The alert rules on series real servers exported, scraped every 5 s on a GPU machine and replayed
through promtool as they were:

- smg 1.13.0 after one of its two SGLang workers had died (tests/fixtures/smg-metrics/
  gpu-dead-worker-series/): SGLangGatewayWorkerUnhealthy fires for the dead worker after its
  minute, never for the live one; no circuit opens (nothing was sent to it).
- SGLang 0.5.17 whose scheduler process was stopped (SIGSTOP) under eight running requests, and smg
  in front of it (tests/fixtures/metrics/sglang-0.5.17/stall-series/): SGLangGenerationStalled
  fires two minutes into the stall, while SGLang's /health answered 200 and smg kept the worker
  healthy (run record tests/e2e/gpu/results/2026-12-06-gateway-4/5-stall/)."""

import os
import re

import yaml

from helpers import ROOT, promtool, render_rules

DEAD_WORKER = os.path.join(ROOT, "tests", "fixtures", "smg-metrics", "gpu-dead-worker-series")
STALL = os.path.join(ROOT, "tests", "fixtures", "metrics", "sglang-0.5.17", "stall-series")
STEP = 5
# the labels Prometheus adds from the file_sd targets the monitoring role writes
GATEWAY = {"job": "sglang-gateway", "instance": "gpu:29000", "host": "gpu"}
SERVER = {"job": "sglang", "instance": "gpu:30000", "host": "gpu", "unit": "sglang-g0.service"}
STALLED_WORKER = "http://127.0.0.1:30000"


def scrapes(folder, prefix):
    """{seconds: /metrics text} of one exporter, from the files <prefix>-<seconds>.txt."""
    out = {}
    for name in os.listdir(folder):
        match = re.match(r"%s-([+-]\d+)\.txt$" % prefix, name)
        if match:
            with open(os.path.join(folder, name)) as handle:
                out[int(match.group(1))] = handle.read()
    return out


def input_series(captured, families, target, start):
    """promtool input series on a 5 s grid from start ('_' where a scrape lacks one)."""
    grid = {round((t - start) / STEP): text for t, text in captured.items()}
    assert len(grid) == len(captured), "two scrapes on one grid step"
    series = {}
    pattern = re.compile(r"^(%s)\{([^}]*)\} (\S+)$" % "|".join(map(re.escape, families)), re.M)
    labels_of_target = ", ".join('%s="%s"' % kv for kv in target.items())
    for index, text in grid.items():
        for name, labels, value in pattern.findall(text):
            series.setdefault("%s{%s, %s}" % (name, labels_of_target, labels), {})[index] = value
    return [{"series": key, "values": " ".join(values.get(i, "_") for i in range(max(grid) + 1))}
            for key, values in sorted(series.items())]


def promtool_test(tmp_path, name, series, checks):
    render_rules(str(tmp_path))
    test = {"rule_files": ["sglang.rules.yml"], "evaluation_interval": "%ds" % STEP, "tests": [{
        "interval": "%ds" % STEP, "input_series": series, "alert_rule_test": checks}]}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(test, sort_keys=False))
    result = promtool("test", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def worker_health(folder):
    return {(t, worker): value for t, text in scrapes(folder, "smg").items() for worker, value in
            re.findall(r'^smg_worker_health\{worker="([^"]+)"\} (\S+)$', text, re.M)}


def gateway_series(folder, start):
    return input_series(scrapes(folder, "smg"), ("smg_worker_health", "smg_worker_cb_state"),
                        GATEWAY, start)


def unhealthy(worker):
    return {"exp_labels": dict(GATEWAY, severity="warning", worker=worker), "exp_annotations": {
        "summary": "The gateway on gpu takes no requests to %s" % worker,
        "description": "Its health checks of %s have failed for a minute; the other workers take "
                       "its requests." % worker}}


# ------------------------------------------------------------------------- a dead worker

def test_the_capture_has_one_dead_and_one_live_worker():
    health = {worker: value for (_t, worker), value in worker_health(DEAD_WORKER).items()}
    assert health == {"http://127.0.0.1:30000": "0", "http://127.0.0.1:30001": "1"}
    assert len(scrapes(DEAD_WORKER, "smg")) >= 15  # over a minute


def test_worker_unhealthy_fires_for_the_dead_worker_only(tmp_path):
    series = gateway_series(DEAD_WORKER, min(scrapes(DEAD_WORKER, "smg")))
    promtool_test(tmp_path, "real-dead-worker.test.yml", series, [
        {"alertname": "SGLangGatewayWorkerUnhealthy", "eval_time": "55s", "exp_alerts": []},
        {"alertname": "SGLangGatewayWorkerUnhealthy", "eval_time": "65s",
         "exp_alerts": [unhealthy("http://127.0.0.1:30000")]},
        {"alertname": "SGLangGatewayCircuitOpen", "eval_time": "65s", "exp_alerts": []}])


# ------------------------------------------------------------------------- a stalled scheduler

def decode_tokens(text):
    return float(re.search(r'^sglang:realtime_tokens_total\{[^}]*mode="decode"[^}]*\} (\S+)$',
                           text, re.M).group(1))


def test_the_capture_is_a_stall_under_running_requests():
    """Tokens rose until the SIGSTOP (second 0) and not after; eight requests stayed running."""
    sglang = scrapes(STALL, "sglang")
    assert min(sglang) <= -15 and max(sglang) >= 180
    assert decode_tokens(sglang[-5]) < decode_tokens(sglang[0])
    after = {decode_tokens(text) for t, text in sglang.items() if t >= 0}
    assert after == {decode_tokens(sglang[0])}
    running = {re.search(r"^sglang:num_running_reqs\{[^}]*\} (\S+)$", text, re.M).group(1)
               for t, text in sglang.items() if t >= 0}
    assert running == {"8.0"}


def test_the_gateway_kept_the_stalled_worker_healthy():
    """smg checks /health, which answered: its worker health stayed 1 but for the watchdog's own
    drain and return (second 65 to 100)."""
    health = worker_health(STALL)
    stalled = {t: value for (t, worker), value in health.items() if worker == STALLED_WORKER}
    assert {t for t in stalled if 0 <= t < 60} == set(range(0, 60, 5))  # a sample every scrape
    assert len([t for t in stalled if t >= 100]) >= 15
    assert all(value == "1" for t, value in stalled.items() if t < 60 or t >= 100)
    assert {t for t, value in stalled.items() if value != "1"} <= {65}


def test_generation_stalled_fires_two_minutes_into_the_real_stall(tmp_path):
    """Scraped every 5 s from 15 s before the SIGSTOP: the first evaluation is second -15."""
    start = min(scrapes(STALL, "sglang"))
    families = ("sglang:num_running_reqs", "sglang:realtime_tokens_total")
    series = input_series(scrapes(STALL, "sglang"), families, SERVER, start)
    series += gateway_series(STALL, start)

    def at(seconds_after_stop):
        return "%ds" % (seconds_after_stop - start)
    firing = {"exp_labels": dict(SERVER, severity="critical"), "exp_annotations": {
        "summary": "SGLang server sglang-g0.service on gpu generates nothing",
        "description": "8 requests are running and the server has produced no token for 2 "
                       "minutes; its /health may still answer. The watchdog (sglang-watchdog@) "
                       "restarts such a server."}}
    promtool_test(tmp_path, "real-stall.test.yml", series, [
        {"alertname": "SGLangGenerationStalled", "eval_time": at(0), "exp_alerts": []},
        {"alertname": "SGLangGenerationStalled", "eval_time": at(115), "exp_alerts": []},
        {"alertname": "SGLangGenerationStalled", "eval_time": at(125), "exp_alerts": [firing]},
        {"alertname": "SGLangGenerationStalled", "eval_time": at(180), "exp_alerts": [firing]},
        # the gateway's own alert fires only for 30001 (dead the whole time), never for the
        # stalled 30000: its health checks passed
        {"alertname": "SGLangGatewayWorkerUnhealthy", "eval_time": at(180), "exp_alerts": [
            unhealthy("http://127.0.0.1:30001")]}])
