"""A report folder: each host's results written once (a rerun changes nothing, other content is
refused, check mode writes nothing), secrets redacted before writing, host.json merged when
accuracy adds to a bench run, and the folder read back, old report folders included."""

import glob
import json
import os

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import report_storage as rs
from helpers import ROOT

KEY = "sk-storage-test-0123456789"
OLD_REPORTS = sorted(os.path.dirname(os.path.dirname(p)) for p in glob.glob(os.path.join(
    ROOT, "tests", "e2e", "gpu", "results", "**", "reports", "*", "*", "*", "host.json"),
    recursive=True))


def bench_result(throughput=100.0):
    return {"host": {"plan": {"model": "m", "api_key": KEY}},
            "profiles": {"latency": [{"completed": 1, "max_concurrency": 1, "mean_tpot_ms": 2.0,
                                      "output_throughput": throughput,
                                      "server_info": {"api_key": KEY}}]}}


def read(path):
    with open(path) as handle:
        return handle.read()


def test_results_are_written_redacted_then_a_rerun_changes_nothing(tmp_path):
    writer = rs.ReportWriter()
    rs.write_host_results(writer, str(tmp_path), {"gpu-1": bench_result()})
    assert sorted(os.listdir(tmp_path / "gpu-1")) == ["host.json", "latency.jsonl"]
    assert len(writer.written) == 2
    for name in ("host.json", "latency.jsonl"):
        assert KEY not in read(tmp_path / "gpu-1" / name)
    assert json.loads(read(tmp_path / "gpu-1" / "host.json"))["profiles_run"] == ["latency"]
    again = rs.ReportWriter()
    rs.write_host_results(again, str(tmp_path), {"gpu-1": bench_result()})
    assert again.written == [] and len(again.unchanged) == 2


def test_a_result_file_is_never_overwritten(tmp_path):
    rs.write_host_results(rs.ReportWriter(), str(tmp_path), {"gpu-1": bench_result()})
    with pytest.raises(rs.ReportError, match="latency.jsonl exists with other content; results "
                                             "are never overwritten"):
        rs.write_host_results(rs.ReportWriter(), str(tmp_path), {"gpu-1": bench_result(5.0)})


def test_check_mode_writes_nothing_and_lists_what_it_would(tmp_path):
    writer = rs.ReportWriter(check_mode=True)
    rs.write_host_results(writer, str(tmp_path / "r"), {"gpu-1": bench_result()})
    assert not (tmp_path / "r").exists()
    assert sorted(os.path.basename(p) for p in writer.written) == ["host.json", "latency.jsonl"]


def test_accuracy_adds_to_an_earlier_bench_run(tmp_path):
    rs.write_host_results(rs.ReportWriter(), str(tmp_path), {"gpu-1": bench_result()})
    rs.write_host_results(rs.ReportWriter(), str(tmp_path), {"gpu-1": {
        "host": {"lm_eval": "0.4"}, "accuracy": {"task": "mmlu_pro", "score": 0.75}}})
    meta = json.loads(read(tmp_path / "gpu-1" / "host.json"))
    assert meta["profiles_run"] == ["latency"] and meta["lm_eval"] == "0.4"
    assert meta["plan"]["model"] == "m"
    hosts = rs.load_report_dir(str(tmp_path))
    assert hosts["gpu-1"]["accuracy"]["score"] == 0.75
    assert hosts["gpu-1"]["profiles"]["latency"]["decode_tokens_per_s"] == 500.0


@pytest.mark.parametrize("host", ["../up", "a/b", ".hidden", ""])
def test_host_names_that_cannot_name_a_folder_are_refused(tmp_path, host):
    with pytest.raises(rs.ReportError, match="cannot name the host's plan or report file"):
        rs.write_host_results(rs.ReportWriter(), str(tmp_path), {host: bench_result()})
    assert os.listdir(tmp_path) == []


def test_add_result_merges_the_host_dicts_of_several_variables():
    results = {}
    rs.add_result(results, "h", {"host": {"plan": 1}, "profiles": {"a": []}})
    rs.add_result(results, "h", {"host": {"lm_eval": 2}, "accuracy": {"score": 1}})
    rs.add_result(results, "h", None)
    assert results == {"h": {"host": {"plan": 1, "lm_eval": 2}, "profiles": {"a": []},
                             "accuracy": {"score": 1}}}


def test_missing_report_dir_is_a_clear_error(tmp_path):
    with pytest.raises(rs.ReportError, match="does not exist"):
        rs.load_report_dir(str(tmp_path / "nope"))


def test_a_line_that_is_not_json_names_the_file_and_line(tmp_path):
    rs.write_host_results(rs.ReportWriter(), str(tmp_path), {"gpu-1": bench_result()})
    with open(tmp_path / "gpu-1" / "latency.jsonl", "a") as handle:
        handle.write("{oops\n")
    with pytest.raises(rs.ReportError, match="latency.jsonl line 2 is not JSON"):
        rs.load_report_dir(str(tmp_path))


def test_old_report_folders_still_load():
    assert len(OLD_REPORTS) >= 5
    for folder in OLD_REPORTS:
        hosts = rs.load_report_dir(folder)
        assert hosts["gpu-local"]["profiles"], folder
