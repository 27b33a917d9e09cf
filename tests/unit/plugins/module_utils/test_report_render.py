"""The report's text: every table in Markdown and HTML (escaped), and the ceiling's source said
in the table: the plan's bytes per token, or an estimate for older plans and report folders."""

import html
import json

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import report_metrics as rm
from ansible_collections.llmops.sglang.plugins.module_utils import report_render as rr
from ansible_collections.llmops.sglang.plugins.module_utils import report_storage as rs
from unit.plugins.module_utils.test_report_metrics import (
    DOUBLE_THROUGHPUT,
    H100_LATENCY,
    MAVERICK_FP8_BYTES,
    plan,
    record,
)
from unit.plugins.module_utils.test_report_storage import OLD_REPORTS

ACCURACY = {"task": "mmlu_pro", "score": 0.75, "metric": "exact_match,custom-extract",
            "num_fewshot": 0, "samples": 28, "minimum": 0.7}


def write_host(tmp_path, host, records_by_profile, the_plan, accuracy=None):
    folder = tmp_path / host
    folder.mkdir(parents=True)
    (folder / "host.json").write_text(json.dumps({"host": host, "plan": the_plan,
                                                  "profiles_run": sorted(records_by_profile)}))
    for name, raw in records_by_profile.items():
        (folder / (name + ".jsonl")).write_text(json.dumps(raw) + "\n")
    if accuracy:
        (folder / "accuracy.json").write_text(json.dumps(accuracy))


def report_of(folder):
    hosts = rs.load_report_dir(str(folder))
    return {"cluster": "lab", "timestamp": "t", "hosts": hosts, "summary": rm.summarise(hosts)}


def ceiling_rows(md):
    table = md.split("## Batch-1 decode against the memory-bandwidth ceiling")[1].split("##")[0]
    return [line for line in table.splitlines() if line.startswith("| gpu")]


def test_report_renders_every_table(tmp_path):
    the_plan = dict(plan(3.35, 1, active=6_033_408), gpus="1 x NVIDIA H100 80GB HBM3",
                    model="/m<x>", tp_size=1)
    write_host(tmp_path, "gpu-1", {"latency": record(H100_LATENCY),
                                   "throughput": record(DOUBLE_THROUGHPUT)}, the_plan, ACCURACY)
    report = report_of(tmp_path)
    assert report["summary"]["gpu-1"]["batch_one_decode"]["profile"] == "latency"
    md = rr.render_markdown(report, ["output_throughput.png"])
    assert "| gpu-1 | latency | 10 | 1 | 1000/1000 | 551.7 |" in md
    assert "0.20 %" in md and "277,620.9" in md
    assert "| gpu-1 | mmlu_pro | 0.7500 |" in md
    assert "![Output tokens per second, per host and profile](plots/output_throughput.png)" in md
    page = rr.render_html(report, ["output_throughput.png"])
    assert "/m&lt;x&gt;" in page and "/m<x>" not in page
    assert '<img src="plots/output_throughput.png"' in page
    summary = rr.summary_document(report)
    assert summary["accuracy"]["gpu-1"]["score"] == 0.75 and summary["gate"] is None


@pytest.mark.parametrize("the_plan,bandwidth,weights,ceiling", [
    # the plan's bytes per token: 8 x H200 Maverick FP8 at 1,224.9 tok/s
    (plan(4.8, 8, "fp8", weight_bytes=MAVERICK_FP8_BYTES), "8 x 4.8 TB/s",
     "31.3 GB (the plan's, per weight dtype)", "1,224.9"),
    # a plan recorded before the field: the old estimate, marked as such
    (plan(4.8, 8, "fp8"), "8 x 4.8 TB/s",
     "17 GB (estimate: 1 B/param for fp8), 1.7e+10 params", "2,258.8"),
    (plan(3.35, 1, active=6_033_408), "1 x 3.35 TB/s",
     "0.0121 GB (estimate: 2 B/param for bf16), 6.03e+06 params", "277,620.9"),
])
def test_the_ceiling_table_says_what_it_used(tmp_path, the_plan, bandwidth, weights, ceiling):
    write_host(tmp_path, "gpu-1", {"latency": record(H100_LATENCY)}, the_plan)
    report = report_of(tmp_path)
    [row] = ceiling_rows(rr.render_markdown(report, []))
    assert row.startswith("| gpu-1 | %s | %s | %s |" % (bandwidth, weights, ceiling))
    assert "<td>%s</td><td>%s</td>" % (html.escape(weights), ceiling) in rr.render_html(report, [])


def test_no_bandwidth_is_an_unknown_ceiling(tmp_path):
    write_host(tmp_path, "gpu-1", {"latency": record(H100_LATENCY)}, plan(None, 1))
    [row] = ceiling_rows(rr.render_markdown(report_of(tmp_path), []))
    assert row.startswith("| gpu-1 | unknown | - | - | 551.7 | - |")


def test_old_report_folders_render_with_an_estimated_ceiling():
    for folder in OLD_REPORTS:
        md = rr.render_markdown(report_of(folder), [])
        [row] = ceiling_rows(md)
        assert "(estimate: " in row, folder
        assert rr.render_html(report_of(folder), []).endswith("</html>\n")


def test_the_gate_table_lists_compared_and_skipped_rows():
    report = {"cluster": "c", "timestamp": "t", "hosts": {}, "summary": {},
              "baseline_dir": "reports/c/old", "gate": {"threshold_pct": 10.0, "compared": [
                  {"host": "h", "profile": "latency", "label": "output tok/s", "baseline": 100,
                   "current": 80.0, "change_pct": -20.0, "regressed": True}],
                  "skipped": [{"host": "h", "profile": "x", "why": "not in the baseline"}]}}
    md = rr.render_markdown(report, [])
    assert "## Against the baseline reports/c/old (gate: 10 %)" in md
    assert "| h | latency | output tok/s | 100.00 | 80.00 | -20.0 % | REGRESSED |" in md
    assert "| h | x | - | - | - | - | not compared: not in the baseline |" in md


def test_a_host_of_several_servers_says_which_one_was_measured(tmp_path):
    the_plan = dict(plan(4.8, 4, "fp8"), gpus="8 x NVIDIA H200", model="scout", tp_size=4,
                    replicas_per_host=2)
    write_host(tmp_path, "gpu-8", {"latency": record(H100_LATENCY)}, the_plan, ACCURACY)
    md = rr.render_markdown(report_of(tmp_path), [])
    assert "| gpu-8 | 8 x NVIDIA H200 | scout | fp8 | 4 (first of 2 servers) |" in md
