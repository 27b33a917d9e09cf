# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write benchmark results and the report on the controller (see modules/bench_report.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.plugins.action import ActionBase

from ansible_collections.llmops.sglang.plugins.module_utils.report_gate import (
    compare,
    regressions_by_host,
)
from ansible_collections.llmops.sglang.plugins.module_utils.report_metrics import summarise
from ansible_collections.llmops.sglang.plugins.module_utils.report_render import (
    render_html,
    render_markdown,
    summary_document,
)
from ansible_collections.llmops.sglang.plugins.module_utils.report_storage import (
    ReportError,
    ReportWriter,
    add_result,
    dump_json,
    load_report_dir,
    write_host_results,
)
from ansible_collections.llmops.sglang.plugins.modules.bench_report import DOCUMENTATION
from ansible_collections.llmops.sglang.plugins.plugin_utils.action_args import checked_args


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = checked_args(self, DOCUMENTATION)
        if not 0 < args["regression_pct"] < 100:
            return dict(result, failed=True, msg="bench_report: regression_pct=%s must be "
                        "between 0 and 100 (percent)" % args["regression_pct"])
        writer = ReportWriter(check_mode=self._play_context.check_mode)
        try:
            write_host_results(writer, args["report_dir"], self._results(args, task_vars or {}))
            if writer.check_mode and not os.path.isdir(args["report_dir"]):
                return dict(result, changed=bool(writer.written), written=writer.written,
                            msg="check mode: would write %d files" % len(writer.written))
            report = _report(args)
            plots = self._plots(args, report)
            _write_report(writer, args["report_dir"], report, plots)
        except (ReportError, OSError, ValueError) as exc:
            return dict(result, failed=True, msg="bench_report: %s" % exc)
        result.update(_outcome(args["report_dir"], writer, report, plots))
        return result

    def _results(self, args, task_vars):
        """The results given, and each listed host's result variables (what the roles set)."""
        results = dict(args["results"])
        hostvars = task_vars.get("hostvars") or {}
        for host in args["hosts"]:
            for var in args["result_vars"]:
                if host in hostvars and var in hostvars[host]:
                    add_result(results, host, self._templar.template(hostvars[host][var]))
        return results

    def _plots(self, args, report):
        if not args["plots"] or self._play_context.check_mode:
            return []
        try:
            from ansible_collections.llmops.sglang.plugins.plugin_utils.bench_plots import (
                write_plots,
            )
        except ImportError as exc:
            raise ReportError("the report's plots need matplotlib on the controller "
                              "(scripts/bootstrap installs it; or plots: false): %s" % exc)
        return write_plots(report, os.path.join(args["report_dir"], "plots"))


def _report(args):
    """The report of every host folder in report_dir (rebuilt each time), gated when asked."""
    report_dir = args["report_dir"]
    hosts = load_report_dir(report_dir)
    report = {"cluster": args["cluster"] or "",
              "timestamp": args["timestamp"] or os.path.basename(report_dir.rstrip("/")),
              "hosts": hosts, "summary": summarise(hosts), "gate": None}
    if args["baseline_dir"]:
        baseline = load_report_dir(args["baseline_dir"])
        report["gate"] = compare({h: d["profiles"] for h, d in hosts.items()},
                                 {h: d["profiles"] for h, d in baseline.items()},
                                 args["regression_pct"])
        report["baseline_dir"] = args["baseline_dir"]
    return report


def _write_report(writer, report_dir, report, plots):
    writer.put(os.path.join(report_dir, "report.md"), render_markdown(report, plots))
    writer.put(os.path.join(report_dir, "report.html"), render_html(report, plots))
    writer.put(os.path.join(report_dir, "summary.json"), dump_json(summary_document(report)))


def _outcome(report_dir, writer, report, plots):
    gate = report["gate"]
    return dict(changed=bool(writer.written), written=writer.written, report_dir=report_dir,
                report_md=os.path.join(report_dir, "report.md"),
                report_html=os.path.join(report_dir, "report.html"),
                plots=[os.path.join(report_dir, "plots", p) for p in plots],
                summary=report["summary"], regressions=regressions_by_host(gate),
                compared=len((gate or {}).get("compared", [])))
