# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A benchmark report folder on the controller: writing each host's results (never overwritten,
secrets redacted) and reading them back.

A report directory holds one folder per host: host.json (the plan and the profiles run),
<profile>.jsonl (bench_serving's own --output-file records), accuracy.json (lm-eval's score) and,
for a gateway, <profile>.fleet.json (each replica's share of the profile's requests).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.llmops.sglang.plugins.module_utils.report_metrics import metrics_from_record
from ansible_collections.llmops.sglang.plugins.module_utils.report_redaction import redact
from ansible_collections.llmops.sglang.plugins.module_utils.safe_text import file_name_error


class ReportError(Exception):
    pass


def dump_jsonl(records):
    return "".join(json.dumps(record, sort_keys=True) + "\n" for record in records)


def dump_json(value):
    return json.dumps(value, indent=1, sort_keys=True) + "\n"


class ReportWriter:
    """Writes files, listing what it wrote and what was already there. A file that holds the same
    content is left alone, so a rerun changes nothing; in check mode nothing is written."""

    def __init__(self, check_mode=False):
        self.check_mode = check_mode
        self.written = []
        self.unchanged = []

    def put(self, path, content, keep_existing=False):
        """keep_existing: a result file; one with other content is an error, never overwritten."""
        if os.path.exists(path):
            with open(path) as handle:
                if handle.read() == content:
                    self.unchanged.append(path)
                    return
            if keep_existing:
                raise ReportError("%s exists with other content; results are never "
                                  "overwritten: give another report directory" % path)
        if not self.check_mode:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as handle:
                handle.write(content)
        self.written.append(path)


def add_result(results, host, value):
    """Adds one host's result variable ({"host": {...}, "profiles": ..., "accuracy": ...}) to
    results; the "host" dicts of several variables add up, other keys are replaced."""
    merged = results.setdefault(host, {})
    for key, item in (value or {}).items():
        if key == "host":
            merged.setdefault("host", {}).update(item)
        else:
            merged[key] = item
    return results


def write_host_results(writer, report_dir, results):
    """Each host's results under report_dir/<host>/: <profile>.jsonl, accuracy.json, host.json."""
    for host, data in sorted(results.items()):
        error = file_name_error(host)
        if error:
            raise ReportError(error)
        _write_host(writer, os.path.join(report_dir, host), data)


def _write_host(writer, folder, data):
    meta = redact(dict(data.get("host") or {}))
    profiles = data.get("profiles") or {}
    if profiles:
        meta["profiles_run"] = sorted(profiles)
        for name, records in profiles.items():
            writer.put(os.path.join(folder, name + ".jsonl"), dump_jsonl(redact(records)),
                       keep_existing=True)
    for name, share in sorted((data.get("fleet") or {}).items()):
        writer.put(os.path.join(folder, name + ".fleet.json"), dump_json(redact(share)),
                   keep_existing=True)
    if data.get("accuracy"):
        writer.put(os.path.join(folder, "accuracy.json"), dump_json(redact(data["accuracy"])),
                   keep_existing=True)
    meta_path = os.path.join(folder, "host.json")
    writer.put(meta_path, dump_json(_merged_meta(meta_path, meta)))


def _merged_meta(path, meta):
    """accuracy.yml adds to an earlier bench run's host.json: the profiles run add up."""
    if not os.path.exists(path):
        return meta
    with open(path) as handle:
        earlier = json.load(handle)
    meta["profiles_run"] = sorted(set(earlier.get("profiles_run", []))
                                  | set(meta.get("profiles_run", [])))
    earlier.update(meta)
    return earlier


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
    """{host: {"host": host.json, "profiles": {profile: metrics}, "accuracy": dict|None,
    "fleet": {profile: each replica's share}}}."""
    if not os.path.isdir(path):
        raise ReportError("report directory %s does not exist" % path)
    hosts = {}
    for host in sorted(os.listdir(path)):
        folder = os.path.join(path, host)
        if os.path.isfile(os.path.join(folder, "host.json")):
            hosts[host] = _load_host(folder)
    return hosts


def _load_host(folder):
    meta = _read_json(os.path.join(folder, "host.json"))
    profiles, fleet = {}, {}
    for name in meta.get("profiles_run", []):
        jsonl = os.path.join(folder, name + ".jsonl")
        records = read_jsonl(jsonl) if os.path.isfile(jsonl) else []
        if records:
            profiles[name] = metrics_from_record(records[-1])
        share = os.path.join(folder, name + ".fleet.json")
        if os.path.isfile(share):
            fleet[name] = _read_json(share)
    accuracy_path = os.path.join(folder, "accuracy.json")
    accuracy = _read_json(accuracy_path) if os.path.isfile(accuracy_path) else None
    return {"host": meta, "profiles": profiles, "accuracy": accuracy, "fleet": fleet}


def _read_json(path):
    with open(path) as handle:
        return json.load(handle)
