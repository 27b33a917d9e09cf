# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: plan_record
short_description: The deployed-plan record to write, with the plan it replaces
version_added: "0.1.0"
description:
  - The service role records the plan a host runs in C(/etc/sglang/<instance>.plan.json). This
    filter adds the plan it replaced under C(previous) when the plan changed, and keeps the
    recorded C(previous) when it did not (a rerun writes the same file).
options:
  _input:
    description: The record of this run (instance, unit, SGLang version, command, argv, plan, ranks).
    type: dict
    required: true
  recorded:
    description: What the file holds now, parsed; empty or null when there is none.
    type: raw
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
# recorded_plan, in the same file: a record file's text -> the record, or null when the text is
# not one (empty, cut short, edited by hand)
- name: Record the deployed plan
  ansible.builtin.copy:
    content: "{{ record | llmops.sglang.plan_record(recorded) | to_nice_json }}"
    dest: /etc/sglang/main.plan.json
    mode: "0640"
"""

RETURN = r"""
_value:
  description: The record with C(previous) (the replaced record, or null).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.sglang.plugins.module_utils.deployed_plan import parse, with_previous


def _plan_record(record, recorded):
    if not isinstance(record, dict) or not isinstance(recorded, (dict, type(None))):
        kinds = (type(record).__name__, type(recorded).__name__)
        raise AnsibleFilterError("plan_record: needs two mappings (the record, and what the file "
                                 "holds or null), got %s and %s" % kinds)
    return with_previous(record, recorded)


def _recorded_plan(text):
    """A record file's text -> the record, or None when it holds none (see deployed_plan.parse)."""
    if not isinstance(text, str):
        raise AnsibleFilterError("recorded_plan: needs the file's text, got %s" % type(text).__name__)
    return parse(text)


class FilterModule(object):
    def filters(self):
        return {"plan_record": _plan_record, "recorded_plan": _recorded_plan}
