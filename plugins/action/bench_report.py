# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write benchmark results and the report on the controller (see modules/bench_report.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible.plugins.action import ActionBase

from ansible_collections.llmops.sglang.plugins.module_utils.bench_report import (
    ReportError,
    compare,
    load_report_dir,
    redact,
    regression_message,
    render_html,
    render_markdown,
    summarise,
)
from ansible_collections.llmops.sglang.plugins.module_utils.safe_text import file_name_error


def _dump_jsonl(records):
    return "".join(json.dumps(record, sort_keys=True) + "\n" for record in records)


def _dump_json(value):
    return json.dumps(value, indent=1, sort_keys=True) + "\n"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        report_dir = args.get("report_dir")
        if not report_dir:
            return dict(result, failed=True, msg="bench_report: report_dir is required")
        try:
            threshold = float(args.get("regression_pct", 10))
        except (TypeError, ValueError):
            return dict(result, failed=True, msg="bench_report: regression_pct=%r is not a "
                        "number; give a percentage such as 10" % (args.get("regression_pct"),))
        if not 0 < threshold < 100:
            return dict(result, failed=True, msg="bench_report: regression_pct=%s must be "
                        "between 0 and 100 (percent)" % threshold)
        results = dict(args.get("results") or {})
        # or read each host's result variables (sglang_bench_result, sglang_accuracy_result)
        hostvars = (task_vars or {}).get("hostvars") or {}
        for host in args.get("hosts") or []:
            for var in args.get("result_vars") or ["sglang_bench_result", "sglang_accuracy_result"]:
                if host in hostvars and var in hostvars[host]:
                    value = self._templar.template(hostvars[host][var])
                    merged = results.setdefault(host, {})
                    for key, item in (value or {}).items():
                        if key == "host":
                            merged.setdefault("host", {}).update(item)
                        else:
                            merged[key] = item
        check = self._play_context.check_mode
        written, unchanged = [], []

        def put(path, content, keep_existing):
            if os.path.exists(path):
                with open(path) as handle:
                    if handle.read() == content:
                        unchanged.append(path)
                        return None
                if keep_existing:
                    raise ReportError("%s exists with other content; results are never "
                                      "overwritten: give another report directory" % path)
            if not check:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as handle:
                    handle.write(content)
            written.append(path)

        try:
            # the hosts' results: never overwritten
            for host, data in sorted(results.items()):
                if file_name_error(host):
                    raise ReportError(file_name_error(host))
                folder = os.path.join(report_dir, host)
                meta = redact(dict(data.get("host") or {}))
                profiles = data.get("profiles") or {}
                accuracy = data.get("accuracy")
                if profiles:
                    meta["profiles_run"] = sorted(profiles)
                    for name, records in profiles.items():
                        put(os.path.join(folder, name + ".jsonl"),
                            _dump_jsonl(redact(records)), keep_existing=True)
                if accuracy:
                    put(os.path.join(folder, "accuracy.json"), _dump_json(redact(accuracy)),
                        keep_existing=True)
                meta_path = os.path.join(folder, "host.json")
                if os.path.exists(meta_path):  # accuracy.yml adding to an earlier bench run
                    with open(meta_path) as handle:
                        earlier = json.load(handle)
                    meta["profiles_run"] = sorted(set(earlier.get("profiles_run", []))
                                                  | set(meta.get("profiles_run", [])))
                    earlier.update(meta)
                    meta = earlier
                put(meta_path, _dump_json(meta), keep_existing=False)
            if check and not os.path.isdir(report_dir):
                return dict(result, changed=bool(written), written=written,
                            msg="check mode: would write %d files" % len(written))

            # the report: derived from every host folder, rebuilt each time
            hosts = load_report_dir(report_dir)
            report = {"cluster": args.get("cluster") or "", "timestamp":
                      args.get("timestamp") or os.path.basename(report_dir.rstrip("/")),
                      "hosts": hosts, "summary": summarise(hosts)}
            gate = None
            baseline_dir = args.get("baseline_dir")
            if baseline_dir:
                baseline = load_report_dir(baseline_dir)
                gate = compare({h: d["profiles"] for h, d in hosts.items()},
                               {h: d["profiles"] for h, d in baseline.items()}, threshold)
                report.update(gate=gate, baseline_dir=baseline_dir)
            plots = []
            if args.get("plots", True) and not check:
                try:
                    from ansible_collections.llmops.sglang.plugins.plugin_utils.bench_plots import (
                        write_plots,
                    )
                    plots = write_plots(report, os.path.join(report_dir, "plots"))
                except ImportError as exc:
                    raise ReportError("the report's plots need matplotlib on the controller "
                                      "(scripts/bootstrap installs it; or plots: false): %s" % exc)
            put(os.path.join(report_dir, "report.md"), render_markdown(report, plots), False)
            put(os.path.join(report_dir, "report.html"), render_html(report, plots), False)
            summary = {"cluster": report["cluster"], "timestamp": report["timestamp"],
                       "summary": report["summary"], "gate": gate,
                       "profiles": {h: d["profiles"] for h, d in hosts.items()},
                       "accuracy": {h: d["accuracy"] for h, d in hosts.items() if d["accuracy"]}}
            put(os.path.join(report_dir, "summary.json"), _dump_json(summary), False)
        except (ReportError, OSError, ValueError) as exc:
            return dict(result, failed=True, msg="bench_report: %s" % exc)

        regressions = {}
        for row in (gate or {}).get("regressions", []):
            regressions.setdefault(row["host"], []).append(regression_message(row, threshold))
        result.update(
            changed=bool(written), written=written, report_dir=report_dir,
            report_md=os.path.join(report_dir, "report.md"),
            report_html=os.path.join(report_dir, "report.html"),
            plots=[os.path.join(report_dir, "plots", p) for p in plots],
            summary=report["summary"], regressions=regressions,
            compared=len((gate or {}).get("compared", [])),
        )
        return result
