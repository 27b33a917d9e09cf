# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark report's arithmetic, pure: bench_serving records -> metrics, the batch-1 decode
ceiling from the launch plan, the regression gate against a baseline, and the report's text.

A report directory holds one folder per host: host.json (the plan and the profiles run),
<profile>.jsonl (bench_serving's own --output-file records) and accuracy.json (lm-eval's score).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html
import json
import os
import re

# bench_serving writes /server_info into every record; SGLang's server_info carries the server's
# arguments, the API keys among them (seen on the real GPU run: "api_key": "<the key>"). String
# values under these names never leave the host; numbers such as kv_bytes_per_token are kept.
SECRET_KEY_PATTERN = re.compile(
    r"((^|_)(api_key|secret|password|passwd|credentials?)$)"
    r"|(^((hf|access|auth|bearer|hub|api)_)?token$)|(^watermark_key)", re.I)
REDACTED = "<redacted>"

# (name in bench_serving's record, label, unit, which way is better)
PERCENTILES = ("median", "p90", "p95", "p99")
LATENCY_SERIES = ("ttft", "itl", "tpot")
GATED_METRICS = (
    ("output_throughput", "output tok/s", "higher"),
    ("median_ttft_ms", "TTFT p50 ms", "lower"),
    ("median_itl_ms", "ITL p50 ms", "lower"),
    ("median_tpot_ms", "TPOT p50 ms", "lower"),
)
# A profile is only compared with a baseline run of the same shape.
SHAPE_KEYS = ("random_input_len", "random_output_len", "random_range_ratio", "max_concurrency",
              "completed")

BYTES_PER_WEIGHT = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "w8a8_fp8": 1.0, "int4": 0.5,
                    "mxfp4": 0.5, "nvfp4": 0.5}


class ReportError(Exception):
    pass


# a secret option on a command line kept as text (0.5.23's server_info has launch_command)
SECRET_OPTION_RE = re.compile(r"(--(?:admin-)?api-key|--ssl-keyfile-password|--hf-token)([= ]+)"
                              r"(?!<redacted>)(\S+)")


# shorter values under secret names are redacted there only: replacing "k" everywhere would
# wreck the record (real keys are far longer)
MIN_SECRET_LENGTH = 8


def redact(value):
    """A copy of a JSON value with every secret removed: the values of secret-named keys, those
    same values wherever else they appear (in a launch command, a URL, an error), and the value
    after a secret option on any command line kept as text."""
    secrets = sorted((v for v in _secret_values(value) if len(v) >= MIN_SECRET_LENGTH), key=len,
                     reverse=True)
    return _redact(value, secrets)


def _secret_values(value):
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if SECRET_KEY_PATTERN.search(str(key)) and isinstance(item, str) and item:
                found.add(item)
            else:
                found |= _secret_values(item)
    elif isinstance(value, list):
        for item in value:
            found |= _secret_values(item)
    return found


def _redact(value, secrets):
    if isinstance(value, dict):
        return {key: REDACTED if SECRET_KEY_PATTERN.search(str(key)) and isinstance(item, str)
                and item else _redact(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact(item, secrets) for item in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return SECRET_OPTION_RE.sub(lambda m: m.group(1) + m.group(2) + REDACTED, value)
    return value


def bytes_per_weight(quantization):
    return BYTES_PER_WEIGHT.get(str(quantization or "bf16").lower(), 2.0)


def decode_ceiling(plan):
    """Batch-1 decode ceiling in tokens/s: every token reads all active weights once, so
    aggregate memory bandwidth / bytes of active weights (REFERENCE.md section 3).
    None when the GPU family's bandwidth or the model's active parameters are unknown."""
    bandwidth = plan.get("bandwidth_tbps")
    active = plan.get("active_params")
    gpus = int(plan.get("tp_size") or 0)
    if not bandwidth or not active or gpus < 1:
        return None
    per_weight = bytes_per_weight(plan.get("quantization"))
    bytes_per_token = active * per_weight
    return {
        "gpus": gpus,
        "bandwidth_tbps": float(bandwidth),
        "active_params": int(active),
        "bytes_per_weight": per_weight,
        "bytes_per_token": bytes_per_token,
        "tokens_per_s": float(bandwidth) * 1e12 * gpus / bytes_per_token,
    }


def metrics_from_record(record):
    """The numbers the report shows, from one bench_serving record (its own field names)."""
    out = {key: record.get(key) for key in (
        "completed", "duration", "output_throughput", "request_throughput", "total_throughput",
        "total_input_tokens", "total_output_tokens", "max_concurrency", "random_input_len",
        "random_output_len", "random_range_ratio", "mean_e2e_latency_ms", "median_e2e_latency_ms",
        "accept_length")}
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


def change_percent(baseline, current):
    if not baseline:
        return None
    return 100.0 * (current - baseline) / baseline


def compare(current, baseline, threshold_pct=10.0):
    """Regression gate. current/baseline: {host: {profile: metrics}}. A metric regresses when it
    is worse than the baseline by more than threshold_pct percent. Returns
    {"regressions": [...], "compared": [...], "skipped": [...]} with one row per host/profile."""
    regressions, compared, skipped = [], [], []
    for host in sorted(current):
        for profile in sorted(current[host]):
            now = current[host][profile]
            then = (baseline.get(host) or {}).get(profile)
            if then is None:
                skipped.append({"host": host, "profile": profile, "why": "not in the baseline"})
                continue
            shape_now = [now.get(k) for k in SHAPE_KEYS]
            shape_then = [then.get(k) for k in SHAPE_KEYS]
            if shape_now != shape_then:
                skipped.append({"host": host, "profile": profile,
                                "why": "another shape in the baseline (%s)" % ", ".join(
                                    "%s %s -> %s" % (k, a, b) for k, a, b in
                                    zip(SHAPE_KEYS, shape_then, shape_now) if a != b)})
                continue
            for key, label, better in GATED_METRICS:
                old, new = then.get(key), now.get(key)
                if not old or new is None:
                    continue
                delta = change_percent(old, new)
                worse = -delta if better == "higher" else delta
                row = {"host": host, "profile": profile, "metric": key, "label": label,
                       "baseline": old, "current": new, "change_pct": delta,
                       "regressed": worse > threshold_pct}
                compared.append(row)
                if row["regressed"]:
                    regressions.append(row)
    return {"regressions": regressions, "compared": compared, "skipped": skipped,
            "threshold_pct": threshold_pct}


def regression_message(row, threshold_pct):
    return "%s %s regressed %.1f %% (baseline %.4g, now %.4g; the gate allows %.0f %%)" % (
        row["profile"], row["label"], abs(row["change_pct"]), row["baseline"], row["current"],
        threshold_pct)


# --- reading and writing a report directory -------------------------------------------------

def read_jsonl(path):
    records = []
    with open(path) as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line:
                continue
            try:
                records.append(json.loads(line))
            except ValueError as exc:
                raise ReportError("%s line %d is not JSON: %s" % (path, number, exc))
    return records


def load_report_dir(path):
    """{host: {"host": host.json, "profiles": {profile: metrics}, "accuracy": dict|None}}."""
    if not os.path.isdir(path):
        raise ReportError("report directory %s does not exist" % path)
    hosts = {}
    for host in sorted(os.listdir(path)):
        folder = os.path.join(path, host)
        meta_path = os.path.join(folder, "host.json")
        if not os.path.isfile(meta_path):
            continue
        with open(meta_path) as handle:
            meta = json.load(handle)
        profiles = {}
        for name in meta.get("profiles_run", []):
            jsonl = os.path.join(folder, name + ".jsonl")
            if os.path.isfile(jsonl):
                records = read_jsonl(jsonl)
                if records:
                    profiles[name] = metrics_from_record(records[-1])
        accuracy = None
        accuracy_path = os.path.join(folder, "accuracy.json")
        if os.path.isfile(accuracy_path):
            with open(accuracy_path) as handle:
                accuracy = json.load(handle)
        hosts[host] = {"host": meta, "profiles": profiles, "accuracy": accuracy}
    return hosts


def summarise(hosts):
    """Per host: the ceiling and batch-1 decode percentage, next to the profile metrics."""
    out = {}
    for host, data in hosts.items():
        plan = data["host"].get("plan") or {}
        ceiling = decode_ceiling(plan)
        batch_one = [(name, m) for name, m in sorted(data["profiles"].items()) if is_batch_one(m)]
        decode = None
        if batch_one:
            name, metrics = batch_one[0]
            decode = {"profile": name, "tokens_per_s": metrics["decode_tokens_per_s"],
                      "percent_of_ceiling": percent_of_ceiling(metrics, ceiling)}
        out[host] = {"ceiling": ceiling, "batch_one_decode": decode}
    return out


def _fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        return "{:,.{d}f}".format(value, d=digits)
    if isinstance(value, int):
        return "{:,}".format(value)
    return str(value)


def _percent(value):
    return "-" if value is None else "%.2f %%" % value


def tables(report):
    """The report as titled tables (header, rows), shared by the Markdown and HTML renderings."""
    hosts, summary = report["hosts"], report["summary"]
    out = []
    rows = []
    for host, data in sorted(hosts.items()):
        plan = data["host"].get("plan") or {}
        rows.append([host, plan.get("gpus"), plan.get("model"), plan.get("quantization"),
                     plan.get("tp_size"), plan.get("attention_backend"),
                     data["host"].get("sglang_version") or plan.get("sglang_version")])
    out.append(("Hosts", ["host", "GPUs", "model", "weights", "TP", "attention", "SGLang"], rows))

    rows = []
    for host, data in sorted(hosts.items()):
        for name, m in sorted(data["profiles"].items()):
            rows.append([host, name, _fmt(m["completed"]), _fmt(m["max_concurrency"]),
                         "%s/%s" % (m["random_input_len"], m["random_output_len"]),
                         _fmt(m["output_throughput"]), _fmt(m["request_throughput"], 2),
                         _fmt(m["median_ttft_ms"]), _fmt(m["p99_ttft_ms"]),
                         _fmt(m["median_itl_ms"], 2), _fmt(m["p99_itl_ms"], 2),
                         _fmt(m["median_tpot_ms"], 2), _fmt(m["p99_tpot_ms"], 2)])
    out.append(("Throughput and latency (bench_serving)",
                ["host", "profile", "prompts", "concurrency", "in/out tokens", "output tok/s",
                 "req/s", "TTFT p50 ms", "TTFT p99 ms", "ITL p50 ms", "ITL p99 ms",
                 "TPOT p50 ms", "TPOT p99 ms"], rows))

    rows = []
    for host, s in sorted(summary.items()):
        c, d = s["ceiling"], s["batch_one_decode"] or {}
        rows.append([host,
                     "%d x %s TB/s" % (c["gpus"], c["bandwidth_tbps"]) if c else "unknown",
                     "%.3g B x %g B" % (c["active_params"], c["bytes_per_weight"]) if c else "-",
                     _fmt(c["tokens_per_s"]) if c else "-",
                     _fmt(d.get("tokens_per_s")),
                     _percent(d.get("percent_of_ceiling"))])
    out.append(("Batch-1 decode against the memory-bandwidth ceiling",
                ["host", "bandwidth", "active weights read per token", "ceiling tok/s",
                 "batch-1 decode tok/s (1000 / mean TPOT)", "of ceiling"], rows))

    rows = []
    for host, data in sorted(hosts.items()):
        acc = data.get("accuracy")
        if acc:
            rows.append([host, acc.get("task"), _fmt(acc.get("score"), 4), acc.get("metric"),
                         _fmt(acc.get("num_fewshot")), _fmt(acc.get("samples")),
                         _fmt(acc.get("minimum"), 4) if acc.get("minimum") is not None else "-"])
    if rows:
        out.append(("Accuracy (lm-eval)",
                    ["host", "task", "score", "metric", "shots", "questions", "minimum"], rows))

    gate = report.get("gate")
    if gate:
        rows = [[r["host"], r["profile"], r["label"], _fmt(float(r["baseline"]), 2),
                 _fmt(float(r["current"]), 2), "%+.1f %%" % r["change_pct"],
                 "REGRESSED" if r["regressed"] else "ok"] for r in gate["compared"]]
        rows += [[r["host"], r["profile"], "-", "-", "-", "-", "not compared: " + r["why"]]
                 for r in gate["skipped"]]
        out.append(("Against the baseline %s (gate: %.0f %%)" % (report.get("baseline_dir"),
                                                                 gate["threshold_pct"]),
                    ["host", "profile", "metric", "baseline", "now", "change", "verdict"], rows))
    return out


PLOT_CAPTIONS = (
    ("output_throughput.png", "Output tokens per second, per host and profile"),
    ("ttft_percentiles.png", "Time to first token: p50, p90, p95, p99"),
    ("itl_tpot_percentiles.png", "Inter-token latency and time per output token: p50, p90, p95, p99"),
    ("decode_ceiling.png", "Batch-1 decode rate against the memory-bandwidth ceiling"),
)


def render_markdown(report, plots):
    lines = ["# SGLang benchmark report: %s, %s" % (report["cluster"], report["timestamp"]), ""]
    lines.append("Made by llmops.sglang from SGLang's `bench_serving` results (and lm-eval's, "
                 "when run) in this folder. Ceiling: GPU memory bandwidth x GPUs / bytes of "
                 "active weights read per token.")
    lines.append("")
    for title, header, rows in tables(report):
        lines += ["## " + title, "", "| " + " | ".join(header) + " |",
                  "|" + "|".join("---" for _cell in header) + "|"]
        lines += ["| " + " | ".join(_fmt(cell) for cell in row) + " |" for row in rows]
        lines.append("")
    if plots:
        lines += ["## Plots", ""]
        for name, caption in PLOT_CAPTIONS:
            if name in plots:
                lines += ["![%s](plots/%s)" % (caption, name), ""]
    return "\n".join(lines)


def render_html(report, plots):
    esc = html.escape
    parts = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\">",
             "<title>SGLang benchmark report: %s</title>" % esc(report["cluster"]),
             "<style>body{font-family:sans-serif;margin:2em;max-width:80em}"
             "table{border-collapse:collapse;margin-bottom:1.5em}"
             "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}"
             "th{background:#f3f3f3}td:first-child,td:nth-child(2){text-align:left}"
             "figure{margin:1em 0}img{max-width:100%}</style></head><body>",
             "<h1>SGLang benchmark report: %s, %s</h1>" % (esc(report["cluster"]),
                                                           esc(report["timestamp"])),
             "<p>Made by llmops.sglang from SGLang's <code>bench_serving</code> results (and "
             "lm-eval's, when run) in this folder. Ceiling: GPU memory bandwidth &times; GPUs "
             "/ bytes of active weights read per token.</p>"]
    for title, header, rows in tables(report):
        parts.append("<h2>%s</h2><table><tr>%s</tr>" % (
            esc(title), "".join("<th>%s</th>" % esc(h) for h in header)))
        for row in rows:
            parts.append("<tr>%s</tr>" % "".join("<td>%s</td>" % esc(_fmt(c)) for c in row))
        parts.append("</table>")
    if plots:
        parts.append("<h2>Plots</h2>")
        for name, caption in PLOT_CAPTIONS:
            if name in plots:
                parts.append("<figure><img src=\"plots/%s\" alt=\"%s\"><figcaption>%s"
                             "</figcaption></figure>" % (name, esc(caption), esc(caption)))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
