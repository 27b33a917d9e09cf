"""The report's numbers as tables: the decode ceiling (REFERENCE.md section 3) from the plan's
active weight bytes per token, or estimated for plans recorded before they carried it; the batch-1
share of it; the percentiles read from records SGLang's own bench_serving wrote."""

import json
import os

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import report_metrics as rm
from helpers import ROOT

RECORDS = os.path.join(ROOT, "tests", "fixtures", "bench-serving")
H100_LATENCY = os.path.join(RECORDS, "h100-tiny-llama4-latency-sglang-0.5.17.jsonl")
DOUBLE_THROUGHPUT = os.path.join(RECORDS, "double-throughput-sglang-0.5.23.jsonl")

# Maverick FP8 (active_weight_bytes_per_token's contract: bytes of weights read to decode one token,
# whole model, per weight dtype): embeddings, attention, shared expert and dense layers stay BF16;
# each of the 24 MoE layers reads one routed expert (3 x 5120 x 8192) in FP8.
MAVERICK_FP8_BF16_PARAMS = 2_068_971_520 + 3_019_898_880 + 9_075_425_280
MAVERICK_FP8_ROUTED_PARAMS = 24 * 3 * 5120 * 8192
MAVERICK_FP8_BYTES = 2 * MAVERICK_FP8_BF16_PARAMS + 1 * MAVERICK_FP8_ROUTED_PARAMS


def record(path):
    with open(path) as handle:
        return json.loads(handle.readline())


def plan(family_bandwidth, tp, quantization="bf16", active=17_000_000_000, weight_bytes=None):
    out = {"bandwidth_tbps": family_bandwidth, "tp_size": tp, "quantization": quantization,
           "active_params": active}
    if weight_bytes is not None:
        out["active_weight_bytes_per_token"] = weight_bytes
    return out


@pytest.mark.parametrize("the_plan,expected", [
    # the plan's own bytes per token: 8 x H200 Maverick FP8 reads 31.3 GB, not 17 GB
    (plan(4.8, 8, "fp8", weight_bytes=MAVERICK_FP8_BYTES), 1224.9),
    (plan(3.35, 8, "fp8", weight_bytes=MAVERICK_FP8_BYTES), 854.9),
    # Scout BF16 counted by the plan: 34 GB
    (plan(3.35, 8, weight_bytes=34_000_000_000), 788.2),
    # the plan's number is enough without active_params
    (plan(4.8, 8, "fp8", active=None, weight_bytes=MAVERICK_FP8_BYTES), 1224.9),
])
def test_decode_ceiling_from_the_plans_bytes_per_token(the_plan, expected):
    ceiling = rm.decode_ceiling(the_plan)
    assert ceiling["tokens_per_s"] == pytest.approx(expected, rel=1e-3)
    assert ceiling["estimated"] is False
    assert ceiling["bytes_per_token"] == the_plan["active_weight_bytes_per_token"]


def test_maverick_fp8_ceiling_is_lower_than_the_one_byte_estimate():
    measured = rm.decode_ceiling(plan(4.8, 8, "fp8", weight_bytes=MAVERICK_FP8_BYTES))
    estimated = rm.decode_ceiling(plan(4.8, 8, "fp8"))
    assert estimated["tokens_per_s"] / measured["tokens_per_s"] == pytest.approx(1.84, rel=1e-2)


# Plans recorded before active_weight_bytes_per_token: REFERENCE.md section 3's estimate,
# 8xH100 BF16 ~790 tok/s, FP8 ~1,580; 8xH200 BF16 ~1,130, FP8 ~2,260
@pytest.mark.parametrize("the_plan,expected", [
    (plan(3.35, 8), 788.2),
    (plan(3.35, 8, "fp8"), 1576.5),
    (plan(4.8, 8), 1129.4),
    (plan(4.8, 8, "fp8"), 2258.8),
    (plan(8.0, 8), 1882.4),                 # B200
    (plan(3.35, 1, active=6_033_408), 277_620.9),
    (plan(4.8, 8, "fp8", weight_bytes=0), 2258.8),     # no number is no number
    (plan(4.8, 8, "fp8", weight_bytes=None), 2258.8),
])
def test_decode_ceiling_estimated_for_older_plans(the_plan, expected):
    ceiling = rm.decode_ceiling(the_plan)
    assert ceiling["tokens_per_s"] == pytest.approx(expected, rel=1e-3)
    assert ceiling["estimated"] is True
    assert ceiling["quantization"] == the_plan["quantization"]
    assert ceiling["bytes_per_token"] == the_plan["active_params"] * ceiling["bytes_per_weight"]


@pytest.mark.parametrize("the_plan", [
    plan(None, 8), plan(3.35, 8, active=None), plan(3.35, 0), {},
    plan(None, 8, weight_bytes=MAVERICK_FP8_BYTES), plan(3.35, 0, weight_bytes=MAVERICK_FP8_BYTES),
])
def test_no_ceiling_without_bandwidth_weights_or_gpus(the_plan):
    assert rm.decode_ceiling(the_plan) is None


@pytest.mark.parametrize("quantization,expected", [
    ("bf16", 2.0), ("fp8", 1.0), (None, 2.0), ("FP8", 1.0), ("w8a8_fp8", 1.0)])
def test_bytes_per_weight(quantization, expected):
    assert rm.bytes_per_weight(quantization) == expected


def test_metrics_read_bench_serving_percentiles_as_it_wrote_them():
    raw = record(DOUBLE_THROUGHPUT)
    m = rm.metrics_from_record(raw)
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
    m = rm.metrics_from_record(record(path))
    assert m["max_concurrency"] == concurrency
    ceiling = rm.decode_ceiling(plan(3.35, 1, active=6_033_408))
    pct = rm.percent_of_ceiling(m, ceiling)
    if expected_pct is None:
        assert pct is None
    else:
        assert pct == pytest.approx(expected_pct, rel=1e-3)


def test_summary_takes_the_first_batch_one_profile():
    hosts = {"h1": {"host": {"plan": plan(3.35, 1, active=6_033_408)}, "profiles": {
        "throughput": rm.metrics_from_record(record(DOUBLE_THROUGHPUT)),
        "latency": rm.metrics_from_record(record(H100_LATENCY))}}}
    summary = rm.summarise(hosts)["h1"]
    assert summary["batch_one_decode"]["profile"] == "latency"
    assert summary["batch_one_decode"]["percent_of_ceiling"] == pytest.approx(0.1987, rel=1e-3)
    assert rm.summarise({"h2": {"host": {}, "profiles": {}}}) == {
        "h2": {"ceiling": None, "batch_one_decode": None}}
