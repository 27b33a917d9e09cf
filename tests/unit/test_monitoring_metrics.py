"""Every metric the alert rules and the Grafana dashboard use exists in what the real programs
export: SGLang 0.5.17's and 0.5.23's captured /metrics (tests/fixtures/metrics/sglang-0.5.17 and
sglang-0.5.23, real GPUs) and 0.5.23's source (sglang-0.5.23-source), smg 1.13.0's captured
/metrics (tests/fixtures/smg-metrics), and DCGM exporter's default counters."""

import glob
import json
import os
import re

import pytest

from helpers import ROOT, render_rules

FIXTURES = os.path.join(ROOT, "tests", "fixtures")
DASHBOARD = os.path.join(ROOT, "roles", "sglang_monitoring", "files", "sglang-fleet.dashboard.json")
NAME_RE = re.compile(r"\b(sglang:[a-z0-9_]+|smg_[a-z0-9_]+|DCGM_FI_[A-Z0-9_]+)")
HISTOGRAM_SERIES = ("_bucket", "_sum", "_count")


def exported(paths):
    """Metric names (series names, suffixes kept) of Prometheus text files."""
    names = set()
    for path in paths:
        with open(path) as handle:
            names.update(m.group(1) for m in (re.match(r"([A-Za-z_:][A-Za-z0-9_:]*)", line)
                                              for line in handle if not line.startswith("#")) if m)
    return names


def listed(path):
    with open(path) as handle:
        return {line.strip() for line in handle if line.strip() and not line.startswith("#")}


def family(name):
    for suffix in HISTOGRAM_SERIES:
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name


def used(tmp_path):
    with open(render_rules(str(tmp_path))) as handle:
        rules = handle.read()
    with open(DASHBOARD) as handle:
        dashboard = json.load(handle)
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    return set(NAME_RE.findall(rules)) | set(NAME_RE.findall(" ".join(exprs)))


SOURCES = {
    "sglang 0.5.17 (captured)": ("sglang:", lambda: exported(glob.glob(
        os.path.join(FIXTURES, "metrics", "sglang-0.5.17", "*.txt")))),
    "sglang 0.5.23 (captured)": ("sglang:", lambda: exported(glob.glob(
        os.path.join(FIXTURES, "metrics", "sglang-0.5.23", "*.txt")))),
    "sglang 0.5.23 (source)": ("sglang:", lambda: {n + s for n in listed(os.path.join(
        FIXTURES, "metrics", "sglang-0.5.23-source", "metric-names.txt")) for s in ("",) + HISTOGRAM_SERIES}),
    "smg 1.13.0 (captured)": ("smg_", lambda: exported(glob.glob(
        os.path.join(FIXTURES, "smg-metrics", "*.prom")))),
    "dcgm-exporter default counters": ("DCGM_", lambda: listed(os.path.join(
        FIXTURES, "metrics", "dcgm-exporter", "default-counters.csv"))),
}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_used_metric_is_exported(tmp_path, source):
    prefix, names = SOURCES[source]
    wanted = {n for n in used(tmp_path) if n.startswith(prefix)}
    assert wanted, "the rules and the dashboard use no %s metric" % prefix
    assert sorted(wanted - names()) == []


@pytest.mark.parametrize("capture", ["sglang-0.5.17/rank0-after-requests.txt",
                                     "sglang-0.5.23/after-requests.txt"])
def test_the_stall_rule_reads_series_sglang_exports_with_the_labels_it_groups_by(tmp_path, capture):
    capture = os.path.join(FIXTURES, "metrics", capture)
    with open(capture) as handle:
        text = handle.read()
    assert re.search(r'^sglang:realtime_tokens_total\{[^}]*mode="decode"[^}]*\} \d', text, re.M)
    assert re.search(r"^sglang:num_running_reqs\{[^}]*\} \d", text, re.M)


def test_the_dashboard_is_grafana_json_with_unique_panel_ids():
    with open(DASHBOARD) as handle:
        dashboard = json.load(handle)
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)) and dashboard["uid"] == "llmops-sglang-fleet"
    assert {v["name"] for v in dashboard["templating"]["list"]} == {"datasource", "cluster", "host"}
