# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollout's decisions, pure: why a host must roll, whether enough replicas stay ready while
it does, what a burst of requests measured, and whether the canary's benchmark regressed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from ansible_collections.llmops.sglang.plugins.module_utils import report_gate


def reasons(current_version, wanted_version, recorded, planned, pending, stale_files):
    """Why this host's servers must be rolled ([] = nothing to do). `recorded`: the deployed
    plan record (deployed_plan.parse) or None; `planned`: {"sglang_version", "command", "argv"}
    of this run's plan; `pending`: restart markers still there; `stale_files`: the files the
    service would write differently."""
    out = []
    if current_version != wanted_version:
        out.append("SGLang %s -> %s" % (current_version or "none", wanted_version))
    if recorded is None:
        out.append("no deployed plan recorded")
    else:
        changed = [key for key in ("sglang_version", "command", "argv")
                   if recorded.get(key) != planned.get(key)]
        if changed:
            out.append("planned %s changed" % ", ".join(changed))
    if pending:
        out.append("a restart is pending (%s)" % ", ".join(sorted(pending)))
    if stale_files:
        out.append("%s would change" % ", ".join(stale_files))
    return out


def ready_elsewhere(registered, model, leaving_urls):
    """The gateway's healthy workers of `model` that stay while `leaving_urls` roll."""
    leaving = set(leaving_urls)
    return sorted(w.get("url") for w in registered
                  if w.get("is_healthy") and w.get("model_id") == model and w.get("url") not in leaving)


def percentile(values, pct):
    """The nearest-rank percentile (None without values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(math.ceil(pct / 100.0 * len(ordered))) - 1))]


def burst_summary(rows, seconds):
    """What a burst of requests measured. rows: [{"status", "seconds", "output_tokens", "error"}]
    (status 200 with a choice counts as answered)."""
    answered = [r for r in rows if r.get("status") == 200 and not r.get("error")]
    statuses = {}
    for row in rows:
        key = str(row.get("status"))
        statuses[key] = statuses.get(key, 0) + 1
    tokens = sum(int(r.get("output_tokens") or 0) for r in answered)
    latencies = [r["seconds"] for r in answered]
    return {
        "requests": len(rows),
        "answered": len(answered),
        "failed": len(rows) - len(answered),
        "statuses": statuses,
        "first_errors": [r.get("error") or "status %s" % r.get("status")
                         for r in rows if r not in answered][:3],
        "seconds": round(seconds, 3),
        "output_tokens": tokens,
        "output_tokens_per_s": round(tokens / seconds, 2) if seconds > 0 else 0.0,
        "latency_p50_s": percentile(latencies, 50),
        "latency_p99_s": percentile(latencies, 99),
    }


def canary_profiles(profile, runs):
    """The canary's profile `runs` times, named <name>, <name>-2, ... (the bench role runs each), run
    k with seed <seed>+k-1: no run re-sends another's prompts, and run k sends the same prompts
    before and after the change."""
    name, seed = profile.get("name"), profile.get("seed", 1)
    return [dict(profile, name=name if number == 1 else "%s-%d" % (name, number),
                 seed=seed + number - 1 if isinstance(seed, int) and not isinstance(seed, bool) else seed)
            for number in range(1, int(runs) + 1)]


def best_run(records):
    """One side of the canary's comparison: the best of its bench_serving runs, metric by metric
    (the highest output throughput, the lowest median latencies), so that one slow run of the
    same build is not taken for a regression; `completed` is the fewest (a run that lost requests
    counts), `runs` how many there were."""
    records = [dict(record) for record in records if record]
    if not records:
        return {}
    best = dict(records[0])
    for key, _label, better in report_gate.GATED_METRICS:
        values = [record[key] for record in records if record.get(key) is not None]
        if values:
            best[key] = max(values) if better == "higher" else min(values)
    best["completed"] = min(record.get("completed") or 0 for record in records)
    best["runs"] = len(records)
    return best


def bench_summary(record):
    """What rollout.json keeps of a bench_serving record: its shape, the gated metrics and the
    number of runs it is the best of."""
    gated = tuple(key for key, _label, _better in report_gate.GATED_METRICS)
    keys = report_gate.SHAPE_KEYS + gated + ("runs",)
    return {key: record.get(key) for key in keys if key in (record or {})}


def bench_regressions(baseline, after, max_pct, profile="canary"):
    """Why the canary's bench_serving profile after the change is worse than before it ([] = it is
    not): bench.yml's gate (report_gate), each gated metric worse by more than max_pct percent. A
    run that completed fewer requests than the baseline's is a regression itself."""
    before_done, after_done = (baseline or {}).get("completed"), (after or {}).get("completed")
    if not before_done:
        return ["%s: the baseline run completed no request: nothing to compare with" % profile]
    if after_done != before_done:
        return ["%s completed %s of the baseline's %s requests" % (profile, after_done or 0, before_done)]
    gate = report_gate.compare({"canary": {profile: after}}, {"canary": {profile: baseline}}, float(max_pct))
    if gate["skipped"]:
        return ["%s: %s" % (profile, gate["skipped"][0]["why"])]
    return [report_gate.regression_message(row, float(max_pct)) for row in gate["regressions"]]


# what rollout.json keeps of each host's record (its steps become seconds)
REPORTED = ("host", "result", "reasons", "from_version", "to_version", "servers", "failure", "rollback",
            "checks", "bench", "accuracy")


def timed_steps(marks):
    """[[step, start time], ...] (the last one, "done", ends the one before) -> [{step, seconds}]."""
    out = []
    for (step, start), (_next, end) in zip(marks, marks[1:]):
        out.append({"step": step, "seconds": round(float(end) - float(start), 1)})
    return out


def report(records, started_at=None):
    """The rollout record: each host's result, reasons, versions, checks and step timings."""
    hosts = []
    for record in records:
        row = {key: record.get(key) for key in REPORTED if record.get(key) not in (None, [], "")}
        row["steps"] = timed_steps(record.get("steps") or [])
        row["seconds"] = round(sum(step["seconds"] for step in row["steps"]), 1)
        hosts.append(row)
    failed = [row["host"] for row in hosts if row.get("failure")]
    return {"started_at": started_at, "result": "stopped at %s" % ", ".join(failed) if failed else "rolled",
            "hosts": hosts}


def markdown(doc):
    """One line per host: result, versions, seconds and each step's."""
    lines = ["# Rollout: %s" % doc["result"], ""]
    for row in doc["hosts"]:
        steps = ", ".join("%s %.1f s" % (s["step"], s["seconds"]) for s in row["steps"])
        line = "- %s: %s, SGLang %s -> %s, %.1f s (%s)" % (
            row["host"], row.get("result", "?"), row.get("from_version") or "?", row.get("to_version") or "?",
            row["seconds"], steps)
        gates = (_bench_line(row.get("bench")), _accuracy_line(row.get("accuracy")))
        line += "".join("; " + part for part in gates if part)
        if row.get("failure"):
            line += "; %s; %s" % (row["failure"], row.get("rollback") or "not touched")
        lines.append(line)
    return "\n".join(lines) + "\n"


def _bench_line(bench):
    """The canary's profile before -> after, each gated metric (empty without both runs)."""
    if not bench or not bench.get("before") or not bench.get("after"):
        return ""
    changes = ", ".join("%s %.4g -> %.4g" % (label, bench["before"][key], bench["after"][key])
                        for key, label, _better in report_gate.GATED_METRICS
                        if bench["before"].get(key) is not None and bench["after"].get(key) is not None)
    return "canary bench_serving %s: %s" % (bench.get("profile", "?"), changes)


def _accuracy_line(accuracy):
    if not accuracy or accuracy.get("score") is None:
        return ""
    return "canary %s slice %.4f over %s questions (minimum %s)" % (
        accuracy.get("task", "?"), accuracy["score"], accuracy.get("samples", "?"), accuracy.get("minimum"))
