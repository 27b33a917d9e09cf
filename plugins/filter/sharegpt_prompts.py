# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: sharegpt_prompts
short_description: A local prompt file in ShareGPT's JSON format, for bench_serving offline
version_added: "0.2.0"
description:
  - SGLang's C(bench_serving --dataset-name random) cuts or repeats ShareGPT prompts' tokens to the
    lengths asked for and downloads ShareGPT unless C(--dataset-path) names a local file. This
    filter makes such a file (deterministic English-like text), so benchmarks run offline.
options:
  _input:
    description: How many conversations (at least the profile's number of prompts).
    type: int
    required: true
  seed:
    description: Seed of the text.
    type: int
    default: 0
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: Local prompts for bench_serving
  ansible.builtin.copy:
    content: "{{ 1200 | llmops.sglang.sharegpt_prompts }}"
    dest: /var/lib/sglang-bench/prompts.json
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The JSON text (a list of C({id, conversations}) objects).
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.sglang.plugins.module_utils.bench_prompts import sharegpt_json


def _sharegpt_prompts(count, seed=0):
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise AnsibleFilterError("sharegpt_prompts: %r is not a number of prompts" % (count,))
    if count < 1:
        raise AnsibleFilterError("sharegpt_prompts: %d prompts; give at least 1" % count)
    return sharegpt_json(count, int(seed))


class FilterModule(object):
    def filters(self):
        return {"sharegpt_prompts": _sharegpt_prompts}
