# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""lm-eval's results file -> the one score the report and the gate use (pure)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# preferred metric per task family; otherwise the first non-stderr metric lm-eval reports
PREFERRED_METRICS = ("exact_match,custom-extract", "exact_match,strict-match", "acc,none",
                     "exact_match,flexible-extract")


class AccuracyError(Exception):
    pass


def score_from_results(results, task):
    """{task, metric, score, stderr, samples} from lm-eval's results JSON for `task`."""
    rows = (results or {}).get("results") or {}
    if task not in rows:
        raise AccuracyError("lm-eval's results hold no task %r (they hold: %s)" % (
            task, ", ".join(sorted(rows)) or "nothing"))
    row = rows[task]
    metrics = [k for k in row if "," in k and "_stderr" not in k
               and isinstance(row[k], (int, float)) and not isinstance(row[k], bool)]
    if not metrics:
        raise AccuracyError("lm-eval's result for %r has no metric" % task)
    metric = next((m for m in PREFERRED_METRICS if m in metrics), metrics[0])
    name, _sep, filt = metric.partition(",")
    samples = row.get("sample_len")
    if samples is None:
        counts = (results.get("n-samples") or {})
        subtasks = (results.get("group_subtasks") or {}).get(task) or [task]
        samples = sum(counts.get(t, {}).get("effective", 0) for t in subtasks) or None
    stderr = row.get("%s_stderr,%s" % (name, filt))
    return {"task": task, "metric": metric, "score": float(row[metric]),
            "stderr": float(stderr) if isinstance(stderr, (int, float)) else None,
            "samples": samples}
