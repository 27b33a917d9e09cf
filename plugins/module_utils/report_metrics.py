# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark report's numbers, pure: bench_serving records -> metrics, and the batch-1 decode
ceiling from the launch plan (REFERENCE.md section 3)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

PERCENTILES = ("median", "p90", "p95", "p99")
LATENCY_SERIES = ("ttft", "itl", "tpot")
RECORD_FIELDS = (
    "completed", "duration", "output_throughput", "request_throughput", "total_throughput",
    "total_input_tokens", "total_output_tokens", "max_concurrency", "random_input_len",
    "random_output_len", "random_range_ratio", "mean_e2e_latency_ms", "median_e2e_latency_ms",
    "accept_length")

# Only for plans recorded before they carried active_weight_bytes_per_token: one width for the
# whole model, which counts an FP8 checkpoint's BF16 parts (all but the routed experts of
# Maverick FP8) as FP8, so such a ceiling comes out too high.
BYTES_PER_WEIGHT = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "w8a8_fp8": 1.0, "int4": 0.5,
                    "mxfp4": 0.5, "nvfp4": 0.5}


def bytes_per_weight(quantization):
    return BYTES_PER_WEIGHT.get(str(quantization or "bf16").lower(), 2.0)


def weight_bytes_per_token(plan):
    """Bytes of weights read to decode one token (all GPUs together) and where the number comes
    from: the plan's own, per weight dtype, or an estimate for older plans. None when unknown."""
    recorded = plan.get("active_weight_bytes_per_token")
    if recorded:
        return {"bytes_per_token": int(recorded), "estimated": False}
    active = plan.get("active_params")
    if not active:
        return None
    per_weight = bytes_per_weight(plan.get("quantization"))
    return {"bytes_per_token": active * per_weight, "estimated": True,
            "active_params": int(active), "bytes_per_weight": per_weight,
            "quantization": str(plan.get("quantization") or "bf16").lower()}


def decode_ceiling(plan):
    """Batch-1 decode ceiling in tokens/s: every token reads all active weights once, so
    aggregate memory bandwidth / bytes of active weights per token. None when the GPU family's
    bandwidth, the GPU count or the weights read per token are unknown."""
    bandwidth = plan.get("bandwidth_tbps")
    gpus = int(plan.get("tp_size") or 0)
    weights = weight_bytes_per_token(plan)
    if not bandwidth or gpus < 1 or not weights:
        return None
    ceiling = {"gpus": gpus, "bandwidth_tbps": float(bandwidth),
               "tokens_per_s": float(bandwidth) * 1e12 * gpus / weights["bytes_per_token"]}
    ceiling.update(weights)
    return ceiling


def metrics_from_record(record):
    """The numbers the report shows, from one bench_serving record (its own field names)."""
    out = {key: record.get(key) for key in RECORD_FIELDS}
    for series in LATENCY_SERIES:
        out["mean_%s_ms" % series] = record.get("mean_%s_ms" % series)
        for pct in PERCENTILES:
            out["%s_%s_ms" % (pct, series)] = record.get("%s_%s_ms" % (pct, series))
    tpot = record.get("mean_tpot_ms")
    # decode rate of one stream: tokens after the first, per second (TPOT excludes prefill)
    out["decode_tokens_per_s"] = 1000.0 / tpot if tpot else None
    return out


def is_batch_one(metrics):
    return metrics.get("max_concurrency") == 1


def percent_of_ceiling(metrics, ceiling):
    """Batch-1 decode rate as a percentage of the ceiling; None when not measurable."""
    if not ceiling or not is_batch_one(metrics) or not metrics.get("decode_tokens_per_s"):
        return None
    return 100.0 * metrics["decode_tokens_per_s"] / ceiling["tokens_per_s"]


def summarise(hosts):
    """Per host: the ceiling and batch-1 decode percentage, next to the profile metrics."""
    return {host: _host_summary(data) for host, data in hosts.items()}


def _host_summary(data):
    ceiling = decode_ceiling(data["host"].get("plan") or {})
    batch_one = [(name, m) for name, m in sorted(data["profiles"].items()) if is_batch_one(m)]
    decode = None
    if batch_one:
        name, metrics = batch_one[0]
        decode = {"profile": name, "tokens_per_s": metrics["decode_tokens_per_s"],
                  "percent_of_ceiling": percent_of_ceiling(metrics, ceiling)}
    return {"ceiling": ceiling, "batch_one_decode": decode}
