# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: local_model
short_description: Whether sglang_model names a local model folder rather than a hub id
version_added: "0.1.0"
description:
  - The planner's one definition of a local model folder (an absolute path), for the tasks that run
    before there is a plan; after it, read C(sglang_launch.plan.model_is_local).
  - The planner refuses C(~) and relative paths, which the controller, root on the host and the
    service user would each read as another folder.
options:
  _input:
    description: The model, a hub id or a path.
    type: raw
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: Read a local model folder's config.json before planning
  ansible.builtin.slurp:
    src: "{{ sglang_model }}/config.json"
  when: sglang_model is llmops.sglang.local_model
"""

RETURN = r"""
_value:
  description: Whether the model is a local folder.
  type: bool
"""

from ansible_collections.llmops.sglang.plugins.module_utils.planner import is_local_model


class TestModule(object):
    def tests(self):
        return {"local_model": is_local_model}
