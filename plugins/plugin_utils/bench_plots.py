# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark report's plots (controller only): matplotlib, PNG, one file per view.

Deterministic output (no timestamps in the PNG), so rebuilding an unchanged report changes no file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.llmops.sglang.plugins.module_utils.report_metrics import PERCENTILES
from ansible_collections.llmops.sglang.plugins.module_utils.report_render import ceiling_basis

PNG_METADATA = {"Software": None}
PCT_LABELS = {"median": "p50", "p90": "p90", "p95": "p95", "p99": "p99"}


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _runs(hosts):
    return [(host, name, metrics) for host, data in sorted(hosts.items())
            for name, metrics in sorted(data["profiles"].items())]


def _close(plt, fig, out_dir, name):
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, name), format="png", dpi=100, metadata=PNG_METADATA)
    plt.close(fig)
    return name


def _percentile_axes(ax, runs, series, title):
    width = 0.8 / max(len(PERCENTILES), 1)
    xs = range(len(runs))
    for i, pct in enumerate(PERCENTILES):
        values = [m.get("%s_%s_ms" % (pct, series)) or 0.0 for _host, _profile, m in runs]
        ax.bar([x + (i - (len(PERCENTILES) - 1) / 2.0) * width for x in xs], values, width,
               label=PCT_LABELS[pct])
    ax.set_xticks(list(xs))
    ax.set_xticklabels(["%s\n%s" % (h, p) for h, p, _metrics in runs], fontsize=8)
    top = max([m.get("p99_%s_ms" % series) or 0.0 for _host, _profile, m in runs] + [0.001])
    ax.set_ylim(0, top * 1.3)  # room for the legend above the bars
    ax.set_ylabel("ms")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", ncol=len(PERCENTILES))


def write_plots(report, out_dir):
    """Write the plots that have data; returns the file names written."""
    plt = _pyplot()
    runs = _runs(report["hosts"])
    os.makedirs(out_dir, exist_ok=True)
    written = []
    if runs:
        written += [_throughput_plot(plt, runs, out_dir), _ttft_plot(plt, runs, out_dir),
                    _itl_tpot_plot(plt, runs, out_dir)]
    measured = [(host, s) for host, s in sorted(report["summary"].items())
                if s["ceiling"] and s["batch_one_decode"]
                and s["batch_one_decode"].get("percent_of_ceiling") is not None]
    if measured:
        written.append(_ceiling_plot(plt, measured, out_dir))
    return written


def _run_labels(runs):
    return ["%s\n%s" % (h, p) for h, p, _metrics in runs]


def _throughput_plot(plt, runs, out_dir):
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(runs)), 4))
    values = [m.get("output_throughput") or 0.0 for _host, _profile, m in runs]
    bars = ax.bar(range(len(runs)), values, color="#4c72b0")
    ax.bar_label(bars, labels=["{:,.0f}".format(v) for v in values], fontsize=8)
    ax.set_xticks(range(len(runs)))
    ax.set_xticklabels(_run_labels(runs), fontsize=8)
    ax.set_ylabel("output tokens / s")
    ax.set_title("Output throughput")
    return _close(plt, fig, out_dir, "output_throughput.png")


def _ttft_plot(plt, runs, out_dir):
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(runs)), 4))
    _percentile_axes(ax, runs, "ttft", "Time to first token")
    return _close(plt, fig, out_dir, "ttft_percentiles.png")


def _itl_tpot_plot(plt, runs, out_dir):
    fig, axes = plt.subplots(1, 2, figsize=(max(10, 3.2 * len(runs)), 4))
    _percentile_axes(axes[0], runs, "itl", "Inter-token latency (ITL)")
    _percentile_axes(axes[1], runs, "tpot", "Time per output token (TPOT)")
    return _close(plt, fig, out_dir, "itl_tpot_percentiles.png")


def _ceiling_plot(plt, measured, out_dir):
    fig, ax = plt.subplots(figsize=(max(6, 2.4 * len(measured)), 4))
    xs = range(len(measured))
    ceilings = [s["ceiling"]["tokens_per_s"] for _host, s in measured]
    rates = [s["batch_one_decode"]["tokens_per_s"] for _host, s in measured]
    ax.bar([x - 0.2 for x in xs], ceilings, 0.4,
           label="ceiling: bandwidth x GPUs / weight bytes per token", color="#bbbbbb")
    bars = ax.bar([x + 0.2 for x in xs], rates, 0.4, label="batch-1 decode, measured",
                  color="#dd8452")
    ax.bar_label(bars, labels=["%.2f %%" % s["batch_one_decode"]["percent_of_ceiling"]
                               for _host, s in measured], fontsize=8)
    ax.set_yscale("log")
    # bars on a log axis need a floor below the smallest value, and room above for the legend
    ax.set_ylim(max(min(rates) / 10.0, 0.1), max(ceilings) * 20)
    ax.set_xticks(list(xs))
    # each host's bytes per token: the plan's, or an estimate for an older plan
    ax.set_xticklabels(["%s\n%s" % (h, ceiling_basis(s["ceiling"])) for h, s in measured],
                       fontsize=8)
    ax.set_ylabel("tokens / s (log)")
    ax.set_title("Batch-1 decode as a share of the memory-bandwidth ceiling")
    ax.legend(fontsize=8, loc="upper right")
    return _close(plt, fig, out_dir, "decode_ceiling.png")
