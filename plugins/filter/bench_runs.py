# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bench_runs
short_description: Benchmark profiles (data) as SGLang bench_serving command lines
version_added: "0.2.0"
description:
  - Checks each profile (name, num_prompts, max_concurrency, input_len, output_len, and the
    optional range_ratio, request_rate, dataset, warmup_requests, apply_chat_template, extra_args,
    timeout, seed) and fails naming the host, the profile and the value that is wrong.
  - Returns, per selected profile, the C(python -m sglang.bench_serving --backend sglang ...)
    command and where its output goes.
options:
  _input:
    description: The profiles (C(sglang_bench_profiles)).
    type: list
    elements: dict
    required: true
  selected:
    description: Names of the profiles to run (all when empty).
    type: raw
  host:
    description: The host's name, for messages.
    type: str
  python:
    description: The Python that has SGLang installed.
    type: str
    required: true
  base_url:
    description: The server's URL (C(http://127.0.0.1:30000)).
    type: str
    required: true
  model:
    description: The model path the server was started with.
    type: str
    required: true
  served_model_name:
    description: The name the server answers to.
    type: str
    required: true
  tokenizer:
    description: Tokenizer folder or id (default the model).
    type: str
  dataset_path:
    description: A local ShareGPT-format file for the random and sharegpt datasets.
    type: str
  work_dir:
    description: Where result and log files go on the host.
    type: str
    required: true
  defaults:
    description: Values for keys a profile leaves out (for example C(warmup_requests)).
    type: dict
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: The commands
  ansible.builtin.set_fact:
    runs: >-
      {{ sglang_bench_profiles | llmops.sglang.bench_runs(host=inventory_hostname,
         python='/opt/sglang/0.5.23/venv/bin/python', base_url='http://127.0.0.1:30000',
         model='/srv/models/scout', served_model_name='scout', work_dir='/var/lib/sglang-bench') }}
"""

RETURN = r"""
_value:
  description: Per profile - C(name), C(argv), C(output_file), C(log_file), C(timeout), C(profile).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.sglang.plugins.module_utils.bench_profiles import (
    ProfileError,
    bench_serving_argv,
    validate_profiles,
)


def _bench_runs(profiles, python, base_url, model, served_model_name, work_dir, selected=None,
                host="this host", tokenizer=None, dataset_path=None, defaults=None):
    try:
        chosen = validate_profiles(profiles, selected, host, defaults)
    except ProfileError as exc:
        raise AnsibleFilterError(str(exc))
    runs = []
    for profile in chosen:
        output = "%s/%s.jsonl" % (work_dir.rstrip("/"), profile["name"])
        runs.append({
            "name": profile["name"], "profile": profile, "output_file": output,
            "log_file": "%s/%s.log" % (work_dir.rstrip("/"), profile["name"]),
            "timeout": profile["timeout"],
            "argv": bench_serving_argv(profile, python, base_url, model, served_model_name,
                                       tokenizer or model, dataset_path, output),
        })
    return runs


class FilterModule(object):
    def filters(self):
        return {"bench_runs": _bench_runs}
