# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning a fleet: inventory variables -> plan per host, the summary table, the plan files."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile

from ansible_collections.llmops.sglang.plugins.module_utils.planner import (
    ARGUMENT_NAMES,
    PlanError,
    inventory_variable,
    plan_launch,
)
from ansible_collections.llmops.sglang.plugins.module_utils.safe_text import file_name_error


def arguments_from_hostvars(hostvars):
    """launch_plan arguments from one host's variables: sglang_<name> for each argument, and the
    GPU facts from sglang_gpus or, failing that, the facts gpu_facts gathered."""
    args = {}
    for name in ARGUMENT_NAMES:
        var = inventory_variable(name)
        if var in hostvars:
            args[name] = hostvars[var]
    if args.get("gpus") is None:
        facts = hostvars["ansible_facts"] if "ansible_facts" in hostvars else {}
        if "gpus" in facts:
            args["gpus"] = facts["gpus"]
    return args


def has_template(value):
    """Whether a variable's value holds a Jinja template anywhere (only those are templated:
    templating every host's whole GPU facts dict was most of plan.yml's time)."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict):
        return any(has_template(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_template(v) for v in value)
    return False


def first_line(exc):
    """An exception's first line, for a one-line refusal."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def plan_fleet(arguments_by_host):
    """Plan every host. Returns (plans, refused): host -> plan result, host -> one-line reason.
    Hosts with the same arguments (same GPUs, model and options) share one planning; one host's
    bad input refuses that host only."""
    plans, refused, made = {}, {}, {}
    for host, args in arguments_by_host.items():
        if file_name_error(host):
            refused[host] = file_name_error(host)
            continue
        try:
            key = json.dumps(args, sort_keys=True, default=str)
        except TypeError:  # keys json cannot sort (mixed types): plan this host on its own
            key = None
        if key is not None and key in made:
            plans[host] = json.loads(made[key])
            continue
        try:
            plans[host] = plan_launch(args, host=host)
            if key is not None:
                made[key] = json.dumps(plans[host])
        except PlanError as exc:
            refused[host] = str(exc)
        except Exception as exc:  # pylint: disable=broad-except  # a bug must not hide the others
            refused[host] = "%s: cannot be planned (%s: %s); please report this with the host's " \
                            "sglang_* variables" % (host, type(exc).__name__, exc)
    return plans, refused


def plan_document(host, planned):
    return {"host": host, "argv": planned["argv"], "command": planned["command"],
            "plan": planned["plan"]}


def write_plan_files(output_dir, plans):
    """Write <output_dir>/<host>.json for each plan, only where the content differs.
    Returns the paths written (empty on a second run with the same plans)."""
    os.makedirs(output_dir, exist_ok=True)
    written = []
    for host in sorted(plans):
        text = json.dumps(plan_document(host, plans[host]), indent=2, sort_keys=True) + "\n"
        path = os.path.join(output_dir, "%s.json" % host)
        try:
            with open(path) as handle:
                if handle.read() == text:
                    continue
        except OSError:
            pass
        fd, tmp = tempfile.mkstemp(dir=output_dir, prefix=".%s." % host)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        written.append(path)
    return written


COLUMNS = ("host", "GPUs", "model", "servers x tp", "ports", "attention", "quant", "weights GiB/GPU",
           "KV B/token", "KV pool tokens", "context", "command")


def _ports(plan):
    ports = [r["port"] for r in plan.get("replicas") or [{"port": plan["port"]}]]
    return str(ports[0]) if len(ports) == 1 else "%d-%d" % (ports[0], ports[-1])


def _row(host, planned):
    """The per-server numbers (pool, context) hold for each of the host's servers."""
    plan = planned["plan"]
    return (host, "%d x %s" % (plan["gpu_count"], plan["gpu_family"]),
            plan["model"].split("/")[-1], "%d x tp %d" % (plan.get("replicas_per_host", 1), plan["tp_size"]),
            _ports(plan), plan["attention_backend"],
            plan["quantization"], "%.1f" % plan["weights_gib_per_gpu"],
            "{:,}".format(plan["kv_bytes_per_token"]), "{:,}".format(plan["kv_pool_tokens"]),
            "{:,}".format(plan["context_length"]), planned["command"])


def table_lines(plans, refused):
    """One aligned text table, a row per host (refused hosts last, with their reason)."""
    rows = [COLUMNS] + [_row(h, plans[h]) for h in sorted(plans)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS) - 1)]

    def fmt(row):
        return "  ".join(c.ljust(w) for c, w in zip(row[:-1], widths)) + "  " + row[-1]

    lines = [fmt(rows[0]), "  ".join("-" * w for w in widths) + "  " + "-" * 7]
    lines += [fmt(r) for r in rows[1:]]
    for host in sorted(refused):
        lines.append("%s  REFUSED: %s" % (host.ljust(widths[0]), refused[host]))
    return lines
