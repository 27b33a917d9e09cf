#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation only: the work is done on the controller by plugins/action/fleet_plan.py.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fleet_plan
short_description: Plan SGLang launches for many hosts in one controller-side task
version_added: "0.1.0"
description:
  - Runs the M(llmops.sglang.launch_plan) planner for every host named, reading each host's
    C(sglang_<argument>) inventory variables and its GPU facts (C(sglang_gpus), else the
    C(ansible_facts.gpus) that M(llmops.sglang.gpu_facts) gathered).
  - Meant to run once (C(run_once)) for a whole play; writes C(<output_dir>/<host>.json) per host.
  - Reports C(changed) only when a plan file's content changed.
options:
  hosts:
    description: Inventory host names to plan; defaults to the play's hosts.
    type: list
    elements: str
  output_dir:
    description: Folder on the controller for the per-host plan files; none written when unset.
    type: path
  skip_missing_facts:
    description:
      - Leave out hosts that have neither C(sglang_gpus) nor gathered GPU facts, and list them in
        RV(missing_facts), instead of refusing them.
    type: bool
    default: false
  return_plans:
    description:
      - Also return every host's full plan in RV(plans). Off by default, since a C(run_once) result is
        copied to every host of the play, which is slow for large fleets.
    type: bool
    default: false
extends_documentation_fragment:
  - llmops.sglang.attributes
  - llmops.sglang.attributes.action
attributes:
  check_mode:
    support: full
    details: In check mode nothing is written.
  diff_mode:
    support: none
  action:
    support: full
seealso:
  - module: llmops.sglang.launch_plan
author:
  - llmops.sglang contributors (@llmops)
"""

EXAMPLES = r"""
- name: Plan every host of the play
  llmops.sglang.fleet_plan:
    hosts: "{{ ansible_play_hosts_all }}"
    output_dir: ./plans
  run_once: true
  delegate_to: localhost
  register: fleet
"""

RETURN = r"""
planned:
  description: Host names planned successfully.
  returned: always
  type: list
  elements: str
plans:
  description: Host name to the launch_plan result (argv, command, plan).
  returned: when O(return_plans=true)
  type: dict
missing_facts:
  description: Hosts left out because their GPU facts are not known yet (O(skip_missing_facts)).
  returned: always
  type: list
  elements: str
refused:
  description: Host name to the reason its plan was refused.
  returned: always
  type: dict
table:
  description: The summary table, one line per element.
  returned: always
  type: list
  elements: str
written:
  description: Plan files written by this run.
  returned: when output_dir is set
  type: list
  elements: str
"""
