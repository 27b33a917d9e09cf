# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark report as text, pure: titled tables shared by the Markdown and HTML pages, and
the summary.json document."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html

PLOT_CAPTIONS = (
    ("output_throughput.png", "Output tokens per second, per host and profile"),
    ("ttft_percentiles.png", "Time to first token: p50, p90, p95, p99"),
    ("itl_tpot_percentiles.png", "Inter-token latency and time per output token: p50, p90, p95, p99"),
    ("decode_ceiling.png", "Batch-1 decode rate against the memory-bandwidth ceiling"),
)
INTRO = ("Made by llmops.sglang from SGLang's %s results (and lm-eval's, when run) in this folder. "
         "Through a gateway, each replica's requests are the gateway's own count "
         "(smg_worker_requests_total) between the start and the end of the profile: a retried "
         "request counts on each replica tried, warm-up requests and other clients' count too. "
         "Ceiling: GPU memory bandwidth %s GPUs / bytes of active weights read per token, as the "
         "launch plan counts them per weight dtype; for plans recorded before they carried that "
         "number, estimated from the active parameters at one width for the whole model "
         "(marked \"estimate\").")


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


def ceiling_basis(ceiling):
    """Where a ceiling's bytes per token come from, in a few words (tables and plots)."""
    if not ceiling["estimated"]:
        return "the plan's, per weight dtype"
    return "estimate: %g B/param for %s" % (ceiling["bytes_per_weight"], ceiling["quantization"])


def _weights_cell(ceiling):
    text = "%.3g GB (%s)" % (ceiling["bytes_per_token"] / 1e9, ceiling_basis(ceiling))
    if ceiling["estimated"]:
        text += ", %.3g params" % ceiling["active_params"]
    return text


def is_gateway(data):
    return data["host"].get("target") == "gateway"


def _hosts_table(hosts):
    rows = []
    for host, data in sorted(hosts.items()):
        plan = data["host"].get("plan") or {}
        if is_gateway(data):
            gateway = data["host"].get("gateway") or {}
            rows.append([host, "-", gateway.get("model"), "-", "-", "-",
                         "gateway of %d replicas" % len(gateway.get("workers") or [])])
            continue
        # a host of several servers is measured on its first (bench.yml targets one URL)
        tp = plan.get("tp_size") if (plan.get("replicas_per_host") or 1) == 1 else \
            "%s (first of %d servers)" % (plan.get("tp_size"), plan["replicas_per_host"])
        rows.append([host, plan.get("gpus"), plan.get("model"), plan.get("quantization"),
                     tp, plan.get("attention_backend"),
                     data["host"].get("sglang_version") or plan.get("sglang_version")])
    return ("Hosts", ["host", "GPUs", "model", "weights", "TP", "attention", "SGLang"], rows)


def _runs_table(hosts):
    rows = []
    for host, data in sorted(hosts.items()):
        for name, m in sorted(data["profiles"].items()):
            rows.append([host, name, _fmt(m["completed"]), _fmt(m["max_concurrency"]),
                         "%s/%s" % (m["random_input_len"], m["random_output_len"]),
                         _fmt(m["output_throughput"]), _fmt(m["request_throughput"], 2),
                         _fmt(m["median_ttft_ms"]), _fmt(m["p99_ttft_ms"]),
                         _fmt(m["median_itl_ms"], 2), _fmt(m["p99_itl_ms"], 2),
                         _fmt(m["median_tpot_ms"], 2), _fmt(m["p99_tpot_ms"], 2)])
    return ("Throughput and latency (bench_serving)",
            ["host", "profile", "prompts", "concurrency", "in/out tokens", "output tok/s",
             "req/s", "TTFT p50 ms", "TTFT p99 ms", "ITL p50 ms", "ITL p99 ms",
             "TPOT p50 ms", "TPOT p99 ms"], rows)


def _fleet_table(hosts):
    rows = []
    for host, data in sorted(hosts.items()):
        for name, share in sorted((data.get("fleet") or {}).items()):
            fleet = data["profiles"].get(name) or {}
            for row in share.get("workers") or []:
                rows.append([host, name, _fmt(fleet.get("output_throughput")),
                             _fmt(fleet.get("request_throughput"), 2), row.get("url"),
                             row.get("model"), _fmt(row.get("requests")),
                             _percent(row.get("share_pct")),
                             {True: "yes", False: "NO"}.get(row.get("healthy"), "-"),
                             "%s%s" % (_fmt(share.get("retries")),
                                       ", gateway restarted" if share.get("reset") else "")])
    return ("Through the gateway: fleet throughput and each replica's share",
            ["gateway", "profile", "fleet output tok/s", "fleet req/s", "replica", "model",
             "requests sent", "share", "healthy after", "retries (all replicas)"], rows)


def _ceiling_table(summary, hosts):
    rows = []
    for host, s in sorted(summary.items()):
        if host in hosts and is_gateway(hosts[host]):
            continue  # its replicas have the ceilings
        c, d = s["ceiling"], s["batch_one_decode"] or {}
        rows.append([host,
                     "%d x %s TB/s" % (c["gpus"], c["bandwidth_tbps"]) if c else "unknown",
                     _weights_cell(c) if c else "-",
                     _fmt(c["tokens_per_s"]) if c else "-",
                     _fmt(d.get("tokens_per_s")),
                     _percent(d.get("percent_of_ceiling"))])
    return ("Batch-1 decode against the memory-bandwidth ceiling",
            ["host", "bandwidth", "active weights read per token", "ceiling tok/s",
             "batch-1 decode tok/s (1000 / mean TPOT)", "of ceiling"], rows)


def _accuracy_table(hosts):
    rows = []
    for host, data in sorted(hosts.items()):
        acc = data.get("accuracy")
        if acc:
            rows.append([host, acc.get("task"), _fmt(acc.get("score"), 4), acc.get("metric"),
                         _fmt(acc.get("num_fewshot")), _fmt(acc.get("samples")),
                         _fmt(acc.get("minimum"), 4) if acc.get("minimum") is not None else "-"])
    return ("Accuracy (lm-eval)",
            ["host", "task", "score", "metric", "shots", "questions", "minimum"], rows)


def _gate_table(gate, baseline_dir):
    rows = [[r["host"], r["profile"], r["label"], _fmt(float(r["baseline"]), 2),
             _fmt(float(r["current"]), 2), "%+.1f %%" % r["change_pct"],
             "REGRESSED" if r["regressed"] else "ok"] for r in gate["compared"]]
    rows += [[r["host"], r["profile"], "-", "-", "-", "-", "not compared: " + r["why"]]
             for r in gate["skipped"]]
    return ("Against the baseline %s (gate: %.0f %%)" % (baseline_dir, gate["threshold_pct"]),
            ["host", "profile", "metric", "baseline", "now", "change", "verdict"], rows)


def tables(report):
    """The report as titled tables (title, header, rows); accuracy and the gate when present."""
    hosts = report["hosts"]
    out = [_hosts_table(hosts), _runs_table(hosts)]
    fleet = _fleet_table(hosts)
    if fleet[2]:
        out.append(fleet)
    ceiling = _ceiling_table(report["summary"], hosts)
    if ceiling[2] or not hosts:
        out.append(ceiling)
    accuracy = _accuracy_table(hosts)
    if accuracy[2]:
        out.append(accuracy)
    if report.get("gate"):
        out.append(_gate_table(report["gate"], report.get("baseline_dir")))
    return out


def render_markdown(report, plots):
    lines = ["# SGLang benchmark report: %s, %s" % (report["cluster"], report["timestamp"]), "",
             INTRO % ("`bench_serving`", "x"), ""]
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


HTML_HEAD = ("<style>body{font-family:sans-serif;margin:2em;max-width:80em}"
             "table{border-collapse:collapse;margin-bottom:1.5em}"
             "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}"
             "th{background:#f3f3f3}td:first-child,td:nth-child(2){text-align:left}"
             "figure{margin:1em 0}img{max-width:100%}</style></head><body>")


def render_html(report, plots):
    esc = html.escape
    parts = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\">",
             "<title>SGLang benchmark report: %s</title>" % esc(report["cluster"]), HTML_HEAD,
             "<h1>SGLang benchmark report: %s, %s</h1>" % (esc(report["cluster"]),
                                                           esc(report["timestamp"])),
             "<p>%s</p>" % (esc(INTRO) % ("<code>bench_serving</code>", "&times;"))]
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


def summary_document(report):
    """summary.json: the numbers of the report, for machines."""
    hosts = report["hosts"]
    out = {"cluster": report["cluster"], "timestamp": report["timestamp"],
           "summary": report["summary"], "gate": report.get("gate"),
           "profiles": {h: d["profiles"] for h, d in hosts.items()},
           "accuracy": {h: d["accuracy"] for h, d in hosts.items() if d["accuracy"]}}
    fleet = {h: d["fleet"] for h, d in hosts.items() if d.get("fleet")}
    if fleet:
        out["fleet"] = fleet  # through a gateway: each replica's share per profile
    return out
