# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side launch planner: no module is sent to the host (see modules/launch_plan.py).

Reads every argument from the host's sglang_<argument> variables (planner.ARGUMENTS, as
fleet_plan does); arguments given to the task take precedence."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.llmops.sglang.plugins.module_utils.fleet import (
    arguments_from_hostvars,
    first_line,
    has_template,
)
from ansible_collections.llmops.sglang.plugins.module_utils.planner import PlanError, plan_launch
from ansible_collections.llmops.sglang.plugins.modules.launch_plan import DOCUMENTATION
from ansible_collections.llmops.sglang.plugins.plugin_utils.action_args import checked_args


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        # names only: the planner checks the values, which may also come from host variables
        task_args = checked_args(self, DOCUMENTATION, names_only=True)
        task_vars = task_vars or {}
        host = task_vars.get("inventory_hostname", "this host")
        try:
            args = self._host_arguments(task_vars)
        except Exception as exc:  # pylint: disable=broad-except  # e.g. an undefined variable
            result.update(failed=True, changed=False, msg="%s: its sglang_* variables cannot be "
                          "templated: %s" % (host, first_line(exc)))
            return result
        args.update(task_args)
        try:
            planned = plan_launch(args, host=host)
        except PlanError as exc:
            result.update(failed=True, changed=False, msg=str(exc))
            return result
        result.update(changed=False, **planned)
        return result

    def _host_arguments(self, task_vars):
        """sglang_<argument> of this host; only values that hold a template are templated."""
        args = arguments_from_hostvars(task_vars)
        for name, value in args.items():
            if has_template(value):
                args[name] = self._templar.template(value)
        return args
