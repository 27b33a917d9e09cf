# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan many hosts in one controller-side task (see modules/fleet_plan.py).

One task for the whole fleet instead of one per host: per-host tasks cost Ansible a worker round
trip each, which dominates at a thousand hosts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.plugins.action import ActionBase

from ansible_collections.llmops.sglang.plugins.module_utils.fleet import (
    arguments_from_hostvars,
    first_line,
    has_template,
    plan_fleet,
    table_lines,
    write_plan_files,
)
from ansible_collections.llmops.sglang.plugins.module_utils import replicas
from ansible_collections.llmops.sglang.plugins.module_utils.planner import PlanError
from ansible_collections.llmops.sglang.plugins.modules.fleet_plan import DOCUMENTATION
from ansible_collections.llmops.sglang.plugins.plugin_utils.action_args import checked_args


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        # names only, against the module's documentation: a misspelled option is never ignored
        checked_args(self, DOCUMENTATION, names_only=True)
        task_vars = task_vars or {}
        hosts = self._task.args.get("hosts") or task_vars.get("ansible_play_hosts_all") or []
        if isinstance(hosts, str) or not isinstance(hosts, (list, tuple)):
            result.update(failed=True, msg="fleet_plan: hosts=%r must be a list of inventory "
                                           "host names" % (hosts,))
            return result
        hostvars = task_vars["hostvars"]
        arguments = {}
        missing = []
        unplannable = {}
        raw = {}
        for host in hosts:
            try:
                raw[host] = hostvars.raw_get(host)
                arguments[host] = self._host_arguments(raw[host])
            except Exception as exc:  # pylint: disable=broad-except  # e.g. an undefined variable
                unplannable[host] = "%s: its sglang_* variables cannot be templated: %s" % (
                    host, first_line(exc))
                continue
            if arguments[host].get("gpus") is None:
                missing.append(host)
        if missing and self._task.args.get("skip_missing_facts"):
            # plan.yml gathers these hosts' GPU facts and plans them in a second pass
            for host in missing:
                del arguments[host]
        else:
            missing = []
        # the planned hosts in inventory order (the ranks of a replica are planned together; a
        # host outside them is not read: its name may not even be a usable cache key)
        ordered = [h for h in (task_vars.get("groups") or {}).get("all") or hosts if h in raw]
        try:
            derived = replicas.layout(ordered, lambda h: raw[h])
        except PlanError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        for host, ranks in derived.items():
            if host in arguments:
                arguments[host].update((k, ranks[k]) for k in ("nnodes", "node_rank", "dist_init_addr"))
        plans, refused = plan_fleet(arguments)
        refused.update(unplannable)

        output_dir = self._task.args.get("output_dir")
        changed = False
        if output_dir:
            output_dir = os.path.abspath(os.path.expanduser(str(output_dir)))
            written = [] if self._task.check_mode else write_plan_files(output_dir, plans)
            changed = bool(written)
            result["output_dir"] = output_dir
            result["written"] = written
        # The per-host plans stay in the files: a run_once result is copied to every host of the
        # play, and a thousand full plans made that copy slow.
        if self._task.args.get("return_plans"):
            result["plans"] = plans
        result.update(changed=changed, planned=sorted(plans), refused=refused,
                      missing_facts=missing, table=table_lines(plans, refused))
        return result

    def _host_arguments(self, raw):
        """launch_plan arguments of one host. Templates only the values that hold a template:
        templating every host's whole GPU facts dict was most of plan.yml's time."""
        args = arguments_from_hostvars(raw)
        templar = None
        for name, value in args.items():
            if has_template(value):
                if templar is None:
                    templar = self._templar.copy_with_new_env(available_variables=raw)
                args[name] = templar.template(value)
        return args
