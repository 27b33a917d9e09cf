"""A gateway's results in the report: <profile>.fleet.json written beside the profile's records
(never overwritten), read back, and the table of the fleet's throughput with each replica's
requests and share; no decode ceiling for the gateway itself (its replicas have theirs)."""

import json
import os

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import gateway_metrics as gm
from ansible_collections.llmops.sglang.plugins.module_utils import report_metrics as rm
from ansible_collections.llmops.sglang.plugins.module_utils import report_render as rr
from ansible_collections.llmops.sglang.plugins.module_utils import report_storage as rs
from unit.plugins.module_utils.test_gateway_metrics import capture
from unit.plugins.module_utils.test_report_metrics import DOUBLE_THROUGHPUT, H100_LATENCY, plan, record

SHARE = gm.shares(gm.snapshot(capture("after-6")), gm.snapshot(capture("after-kill")))


def results():
    return {
        "gw-1": {"host": {"host": "gw-1", "target": "gateway", "url": "http://127.0.0.1:30080",
                          "gateway": {"model": "tiny-llama4", "workers": ["http://a", "http://b"],
                                      "metrics_url": "http://127.0.0.1:29000/metrics"}},
                 "profiles": {"throughput": [record(DOUBLE_THROUGHPUT)]},
                 "fleet": {"throughput": SHARE}},
        "gpu-1": {"host": {"host": "gpu-1", "target": "replicas", "plan": plan(3.35, 1)},
                  "profiles": {"latency": [record(H100_LATENCY)]}},
    }


def written(tmp_path):
    writer = rs.ReportWriter()
    rs.write_host_results(writer, str(tmp_path), results())
    return writer


def test_the_share_lands_beside_the_profile_and_reads_back(tmp_path):
    written(tmp_path)
    assert sorted(os.listdir(tmp_path / "gw-1")) == ["host.json", "throughput.fleet.json",
                                                     "throughput.jsonl"]
    assert sorted(os.listdir(tmp_path / "gpu-1")) == ["host.json", "latency.jsonl"]
    hosts = rs.load_report_dir(str(tmp_path))
    assert hosts["gw-1"]["fleet"] == {"throughput": SHARE}
    assert hosts["gpu-1"]["fleet"] == {}
    again = written(tmp_path)  # the same results again: nothing to write
    assert again.written == []


def test_a_share_is_never_overwritten(tmp_path):
    written(tmp_path)
    other = results()
    other["gw-1"]["fleet"]["throughput"] = dict(SHARE, dispatched=1)
    with pytest.raises(rs.ReportError, match="throughput.fleet.json exists with other content"):
        rs.write_host_results(rs.ReportWriter(), str(tmp_path), other)


def test_the_report_has_the_fleet_table_and_no_ceiling_for_the_gateway(tmp_path):
    written(tmp_path)
    hosts = rs.load_report_dir(str(tmp_path))
    report = {"cluster": "lab", "timestamp": "t", "hosts": hosts, "summary": rm.summarise(hosts)}
    titles = [t[0] for t in rr.tables(report)]
    assert titles == ["Hosts", "Throughput and latency (bench_serving)",
                      "Through the gateway: fleet throughput and each replica's share",
                      "Batch-1 decode against the memory-bandwidth ceiling"]
    fleet = rr.tables(report)[2]
    tput = "{:,.1f}".format(hosts["gw-1"]["profiles"]["throughput"]["output_throughput"])
    assert fleet[2] == [
        ["gw-1", "throughput", tput, fleet[2][0][3], "http://127.0.0.1:18101", "tiny-llama4", "6",
         "66.67 %", "yes", "3"],
        ["gw-1", "throughput", tput, fleet[2][0][3], "http://127.0.0.1:18102", "tiny-llama4", "3",
         "33.33 %", "NO", "3"]]
    ceiling_hosts = [row[0] for row in rr.tables(report)[3][2]]
    assert ceiling_hosts == ["gpu-1"]
    assert ["gw-1", "-", "tiny-llama4", "-", "-", "-", "gateway of 2 replicas"] in rr.tables(report)[0][2]
    md = rr.render_markdown(report, [])
    assert "| gw-1 | throughput | %s |" % tput in md and "| 66.67 % | yes | 3 |" in md
    assert "replica" in rr.render_html(report, [])
    doc = rr.summary_document(report)
    assert doc["fleet"] == {"gw-1": {"throughput": SHARE}}
    assert json.loads(json.dumps(doc)) == doc


def written_report(folder, data):
    """The report of `data` as bench_report writes it and reads it back."""
    rs.write_host_results(rs.ReportWriter(), str(folder), data)
    hosts = rs.load_report_dir(str(folder))
    return {"cluster": "lab", "timestamp": "t", "hosts": hosts, "summary": rm.summarise(hosts)}


def test_without_a_gateway_the_report_is_as_before(tmp_path):
    data = results()
    del data["gw-1"]
    report = written_report(tmp_path, data)
    assert len(rr.tables(report)) == 3 and "fleet" not in rr.summary_document(report)


def test_a_report_of_gateways_only_has_no_empty_ceiling_table(tmp_path):
    data = results()
    del data["gpu-1"]
    report = written_report(tmp_path, data)
    assert [t[0] for t in rr.tables(report)][-1] == (
        "Through the gateway: fleet throughput and each replica's share")
