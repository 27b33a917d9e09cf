# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: servers
short_description: The SGLang servers a plan puts on one host, with their units and files
version_added: "0.1.0"
description:
  - One entry per server of the plan (C(sglang_replicas_per_host)), in order, with its
    C(index), C(name), C(unit), C(config) file, restart C(marker), C(port), C(local_url), the
    C(argv) it adds to the plan's (its port and C(--base-gpu-id)) and a C(description).
  - One server keeps the names of an instance (C(sglang-<instance>.service),
    C(<instance>.yaml)); several are C(sglang-<instance>-<i>.service) and C(<instance>-<i>.yaml).
  - The same file holds C(server_unit_pattern), a regular expression matching every unit an
    instance may have had.
options:
  _input:
    description: The plan (C(sglang_launch.plan), or a deployed plan record's C(plan)).
    type: dict
    required: true
  instance:
    description: C(sglang_instance).
    type: str
    required: true
  install_root:
    description: C(sglang_install_root) (the restart markers live under it).
    type: str
    required: true
  config_dir:
    description: C(sglang_config_dir).
    type: str
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: Start every server of the host
  ansible.builtin.systemd_service:
    name: "{{ item.unit }}"
    state: started
  loop: >-
    {{ sglang_launch.plan | llmops.sglang.servers(sglang_instance, sglang_install_root,
                                                  sglang_config_dir) }}
"""

RETURN = r"""
_value:
  description: The servers, each a dict as described above.
  type: list
  elements: dict
"""

from ansible_collections.llmops.sglang.plugins.module_utils.servers import servers, unit_pattern


class FilterModule(object):
    def filters(self):
        return {"servers": servers, "server_unit_pattern": unit_pattern}
