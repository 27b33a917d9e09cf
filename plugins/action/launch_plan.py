# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side launch planner: no module is sent to the host (see modules/launch_plan.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.llmops.sglang.plugins.module_utils.planner import PlanError, plan_launch


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        host = (task_vars or {}).get("inventory_hostname", "this host")
        try:
            planned = plan_launch(dict(self._task.args), host=host)
        except PlanError as exc:
            result.update(failed=True, changed=False, msg=str(exc))
            return result
        result.update(changed=False, **planned)
        return result
