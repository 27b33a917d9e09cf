# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark report's regression gate, pure: this run's metrics against a baseline run's."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# (name in bench_serving's record, label, which way is better)
GATED_METRICS = (
    ("output_throughput", "output tok/s", "higher"),
    ("median_ttft_ms", "TTFT p50 ms", "lower"),
    ("median_itl_ms", "ITL p50 ms", "lower"),
    ("median_tpot_ms", "TPOT p50 ms", "lower"),
)
# A profile is only compared with a baseline run of the same shape.
SHAPE_KEYS = ("random_input_len", "random_output_len", "random_range_ratio", "max_concurrency",
              "completed")


def change_percent(baseline, current):
    if not baseline:
        return None
    return 100.0 * (current - baseline) / baseline


def compare(current, baseline, threshold_pct=10.0):
    """Regression gate. current/baseline: {host: {profile: metrics}}. A metric regresses when it
    is worse than the baseline by more than threshold_pct percent. Returns
    {"regressions": [...], "compared": [...], "skipped": [...]} with one row per host/profile."""
    compared, skipped = [], []
    for host in sorted(current):
        for profile in sorted(current[host]):
            then = (baseline.get(host) or {}).get(profile)
            why = _not_comparable(current[host][profile], then)
            if why:
                skipped.append({"host": host, "profile": profile, "why": why})
            else:
                compared += _metric_rows(host, profile, current[host][profile], then,
                                         threshold_pct)
    return {"regressions": [row for row in compared if row["regressed"]], "compared": compared,
            "skipped": skipped, "threshold_pct": threshold_pct}


def _not_comparable(now, then):
    if then is None:
        return "not in the baseline"
    changes = ["%s %s -> %s" % (key, then.get(key), now.get(key)) for key in SHAPE_KEYS
               if then.get(key) != now.get(key)]
    return "another shape in the baseline (%s)" % ", ".join(changes) if changes else None


def _metric_rows(host, profile, now, then, threshold_pct):
    rows = []
    for key, label, better in GATED_METRICS:
        old, new = then.get(key), now.get(key)
        if not old or new is None:
            continue
        delta = change_percent(old, new)
        worse = -delta if better == "higher" else delta
        rows.append({"host": host, "profile": profile, "metric": key, "label": label,
                     "baseline": old, "current": new, "change_pct": delta,
                     "regressed": worse > threshold_pct})
    return rows


def regression_message(row, threshold_pct):
    return "%s %s regressed %.1f %% (baseline %.4g, now %.4g; the gate allows %.0f %%)" % (
        row["profile"], row["label"], abs(row["change_pct"]), row["baseline"], row["current"],
        threshold_pct)


def regressions_by_host(gate):
    """{host: [message per regressed metric]} for the hosts that regressed."""
    out = {}
    for row in (gate or {}).get("regressions", []):
        out.setdefault(row["host"], []).append(regression_message(row, gate["threshold_pct"]))
    return out
