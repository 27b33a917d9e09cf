"""The benchmark report's arithmetic as tables: the decode ceiling (REFERENCE.md section 3), the
batch-1 share of it, the percentiles it reads, the regression gate, redaction, and rendering, on
records SGLang's own bench_serving wrote (tests/fixtures/bench-serving/)."""

import json
import os

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import bench_report as br
from helpers import ROOT

RECORDS = os.path.join(ROOT, "tests", "fixtures", "bench-serving")
H100_LATENCY = os.path.join(RECORDS, "h100-tiny-llama4-latency-sglang-0.5.17.jsonl")
DOUBLE_THROUGHPUT = os.path.join(RECORDS, "double-throughput-sglang-0.5.23.jsonl")


def record(path):
    with open(path) as handle:
        return json.loads(handle.readline())


def plan(family_bandwidth, tp, quantization="bf16", active=17_000_000_000):
    return {"bandwidth_tbps": family_bandwidth, "tp_size": tp, "quantization": quantization,
            "active_params": active}


# REFERENCE.md section 3: 8xH100 BF16 ~790 tok/s, FP8 ~1,580; 8xH200 BF16 ~1,130, FP8 ~2,260
@pytest.mark.parametrize("the_plan,expected", [
    (plan(3.35, 8), 788.2),
    (plan(3.35, 8, "fp8"), 1576.5),
    (plan(4.8, 8), 1129.4),
    (plan(4.8, 8, "fp8"), 2258.8),
    (plan(8.0, 8), 1882.4),                 # B200
    (plan(3.35, 1, active=6_033_408), 277_620.9),
])
def test_decode_ceiling(the_plan, expected):
    assert br.decode_ceiling(the_plan)["tokens_per_s"] == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("the_plan", [
    plan(None, 8), plan(3.35, 8, active=None), plan(3.35, 0), {},
])
def test_no_ceiling_without_bandwidth_parameters_or_gpus(the_plan):
    assert br.decode_ceiling(the_plan) is None


@pytest.mark.parametrize("quantization,expected", [
    ("bf16", 2.0), ("fp8", 1.0), (None, 2.0), ("FP8", 1.0), ("w8a8_fp8", 1.0)])
def test_bytes_per_weight(quantization, expected):
    assert br.bytes_per_weight(quantization) == expected


def test_metrics_read_bench_serving_percentiles_as_it_wrote_them():
    raw = record(DOUBLE_THROUGHPUT)
    m = br.metrics_from_record(raw)
    for series in ("ttft", "itl", "tpot"):
        for pct in ("median", "p90", "p95", "p99"):
            key = "%s_%s_ms" % (pct, series)
            assert m[key] == raw[key]
        assert m["median_%s_ms" % series] <= m["p90_%s_ms" % series] <= m["p99_%s_ms" % series]
    assert m["output_throughput"] == raw["output_throughput"]
    assert m["decode_tokens_per_s"] == pytest.approx(1000.0 / raw["mean_tpot_ms"])


@pytest.mark.parametrize("path,concurrency,expected_pct", [
    # the real H100 run: tiny checkpoint, 1000 / 1.8127 ms = 551.7 tok/s of a 277,621 tok/s ceiling
    (H100_LATENCY, 1, 0.1987),
    # concurrency 8 is not batch 1: no share of the ceiling
    (DOUBLE_THROUGHPUT, 8, None),
])
def test_percent_of_ceiling(path, concurrency, expected_pct):
    m = br.metrics_from_record(record(path))
    assert m["max_concurrency"] == concurrency
    ceiling = br.decode_ceiling(plan(3.35, 1, active=6_033_408))
    pct = br.percent_of_ceiling(m, ceiling)
    if expected_pct is None:
        assert pct is None
    else:
        assert pct == pytest.approx(expected_pct, rel=1e-3)


def metrics(throughput=1000.0, ttft=100.0, itl=10.0, tpot=10.0, concurrency=1, completed=10):
    return {"output_throughput": throughput, "median_ttft_ms": ttft, "median_itl_ms": itl,
            "median_tpot_ms": tpot, "random_input_len": 1000, "random_output_len": 1000,
            "random_range_ratio": 1.0, "max_concurrency": concurrency, "completed": completed}


@pytest.mark.parametrize("now,threshold,regressed", [
    (metrics(), 10, []),
    (metrics(throughput=901.0), 10, []),                       # -9.9 %: inside
    (metrics(throughput=899.0), 10, ["output_throughput"]),    # -10.1 %
    (metrics(throughput=1500.0), 10, []),                      # faster is never a regression
    (metrics(ttft=111.0), 10, ["median_ttft_ms"]),             # +11 % latency
    (metrics(ttft=50.0, itl=5.0), 10, []),                     # lower latency is better
    (metrics(itl=12.0, tpot=12.0), 10, ["median_itl_ms", "median_tpot_ms"]),
    (metrics(itl=12.0, tpot=12.0), 25, []),                    # another gate
    (metrics(throughput=600.0, ttft=200.0), 50, ["median_ttft_ms"]),
])
def test_regression_gate(now, threshold, regressed):
    gate = br.compare({"h1": {"latency": now}}, {"h1": {"latency": metrics()}}, threshold)
    assert [r["metric"] for r in gate["regressions"]] == regressed
    assert len(gate["compared"]) == 4
    for row in gate["regressions"]:
        assert "regressed" in br.regression_message(row, threshold)


@pytest.mark.parametrize("baseline,why", [
    ({}, "not in the baseline"),
    ({"h1": {"throughput": metrics()}}, "not in the baseline"),
    ({"h1": {"latency": metrics(concurrency=4)}}, "another shape in the baseline (max_concurrency 4 -> 1)"),
    ({"h1": {"latency": metrics(completed=9)}}, "completed 9 -> 10"),
])
def test_gate_compares_only_the_same_host_profile_and_shape(baseline, why):
    gate = br.compare({"h1": {"latency": metrics(throughput=1.0)}}, baseline, 10)
    assert gate["regressions"] == []
    assert why in gate["skipped"][0]["why"]


@pytest.mark.parametrize("value,expected", [
    ({"api_key": "k"}, {"api_key": br.REDACTED}),
    ({"server_info": {"api_key": "k", "admin_api_key": "a", "port": 30000}},
     {"server_info": {"api_key": br.REDACTED, "admin_api_key": br.REDACTED, "port": 30000}}),
    ({"hf_token": "hf_x", "token": "t", "watermark_key_b": "w"},
     {"hf_token": br.REDACTED, "token": br.REDACTED, "watermark_key_b": br.REDACTED}),
    # numbers and names that merely mention tokens stay (seen redacted by mistake on the GPU run)
    ({"kv_bytes_per_token": 2048, "max_total_num_tokens": 5, "tokenizer_path": "/m"},
     {"kv_bytes_per_token": 2048, "max_total_num_tokens": 5, "tokenizer_path": "/m"}),
    ({"api_key": None, "items": [{"password": "p"}]},
     {"api_key": None, "items": [{"password": br.REDACTED}]}),
])
def test_redact(value, expected):
    assert br.redact(value) == expected


KEY = "sk-calibration-0123456789"


@pytest.mark.parametrize("value,expected", [
    # SGLang 0.5.23's server_info: the key under its name and inside launch_command
    ({"server_info": {"api_key": KEY, "launch_command": "python3 -m sglang.launch_server "
                      "--api-key %s --port 30000" % KEY}},
     {"server_info": {"api_key": br.REDACTED, "launch_command": "python3 -m sglang.launch_server "
                      "--api-key <redacted> --port 30000"}}),
    # the key alone, elsewhere in the record
    ({"api_key": KEY, "error": "401 for Bearer %s" % KEY},
     {"api_key": br.REDACTED, "error": "401 for Bearer <redacted>"}),
    # a command line with a secret option, its key not named anywhere else
    ({"argv": ["x --admin-api-key=abc123 --ssl-keyfile-password pw1 --api-key <redacted>"]},
     {"argv": ["x --admin-api-key=<redacted> --ssl-keyfile-password <redacted> "
               "--api-key <redacted>"]}),
])
def test_redact_finds_the_secret_wherever_it_is(value, expected):
    assert br.redact(value) == expected


def test_real_record_from_the_gpu_run_holds_no_key():
    raw = record(H100_LATENCY)
    assert raw["server_info"]["api_key"] == br.REDACTED


def write_host(tmp_path, host, records_by_profile, the_plan, accuracy=None):
    folder = tmp_path / host
    folder.mkdir(parents=True)
    (folder / "host.json").write_text(json.dumps({"host": host, "plan": the_plan,
                                                  "profiles_run": sorted(records_by_profile)}))
    for name, raw in records_by_profile.items():
        (folder / (name + ".jsonl")).write_text(json.dumps(raw) + "\n")
    if accuracy:
        (folder / "accuracy.json").write_text(json.dumps(accuracy))


def test_report_renders_every_table(tmp_path):
    the_plan = dict(plan(3.35, 1, active=6_033_408), gpus="1 x NVIDIA H100 80GB HBM3",
                    model="/m<x>", tp_size=1)
    write_host(tmp_path, "gpu-1", {"latency": record(H100_LATENCY),
                                   "throughput": record(DOUBLE_THROUGHPUT)}, the_plan,
               {"task": "mmlu_pro", "score": 0.75, "metric": "exact_match,custom-extract",
                "num_fewshot": 0, "samples": 28, "minimum": 0.7})
    hosts = br.load_report_dir(str(tmp_path))
    report = {"cluster": "lab", "timestamp": "t", "hosts": hosts, "summary": br.summarise(hosts)}
    assert report["summary"]["gpu-1"]["batch_one_decode"]["profile"] == "latency"
    md = br.render_markdown(report, ["output_throughput.png"])
    assert "| gpu-1 | latency | 10 | 1 | 1000/1000 | 551.7 |" in md
    assert "0.20 %" in md and "277,620.9" in md
    assert "| gpu-1 | mmlu_pro | 0.7500 |" in md
    assert "![Output tokens per second, per host and profile](plots/output_throughput.png)" in md
    page = br.render_html(report, ["output_throughput.png"])
    assert "/m&lt;x&gt;" in page and "/m<x>" not in page
    assert '<img src="plots/output_throughput.png"' in page


def test_missing_report_dir_is_a_clear_error(tmp_path):
    with pytest.raises(br.ReportError, match="does not exist"):
        br.load_report_dir(str(tmp_path / "nope"))
