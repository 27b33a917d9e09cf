# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: argv_to_config
short_description: SGLang launch arguments as the mapping C(launch_server --config) reads
version_added: "0.1.0"
description:
  - Turns C(--tp 8 --enable-multimodal) into the mapping C(tp=8), C(enable-multimodal=true), which
    SGLang merges back into arguments when started with C(--config FILE).
  - The same file holds C(server_config) (one server of C(sglang_servers), the launch plan and the
    API key -> the mapping of that server's config file, which is the plan's options without its
    extra_args, then the server's own port and GPUs, then C(api-key) when a key is given).
options:
  _input:
    description: The argv list M(llmops.sglang.launch_plan) returns.
    type: list
    elements: str
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: Write SGLang's config file
  ansible.builtin.copy:
    content: "{{ plan.argv | llmops.sglang.argv_to_config | to_nice_yaml }}"
    dest: /etc/sglang/main.yaml
    mode: "0640"
"""

RETURN = r"""
_value:
  description: Flag names (without C(--)) to values; C(true) for flags without a value.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.sglang.plugins.module_utils.launch_config import argv_to_config


def _argv_to_config(argv):
    try:
        return argv_to_config(list(argv))
    except ValueError as exc:
        raise AnsibleFilterError("argv_to_config: %s" % exc)


def _server_config(server, launch, api_key=""):
    argv = list(launch["argv"])
    extra = len(launch["plan"].get("extra_args") or [])
    try:
        config = argv_to_config(argv[:len(argv) - extra])
        config.update(argv_to_config(list(server.get("argv") or [])))
    except ValueError as exc:
        raise AnsibleFilterError("server_config: %s" % exc)
    if api_key:
        config["api-key"] = api_key
    return config


class FilterModule(object):
    def filters(self):
        return {"argv_to_config": _argv_to_config, "server_config": _server_config}
