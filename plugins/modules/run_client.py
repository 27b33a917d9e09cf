#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: run_client
short_description: Run a benchmark or evaluation client against an SGLang server on the host
version_added: "0.2.0"
description:
  - Runs a client command (SGLang's C(bench_serving), lm-eval) on the host, with the server's API
    key in the client's environment only (C(OPENAI_API_KEY)), never in its arguments, the task's
    output or a file.
  - Reads the client's result back (a JSONL file or the newest JSON file matching a pattern) with
    every secret-named field (C(api_key), tokens, passwords) redacted, then removes it from the
    host, so the results can travel to the controller.
  - Fails with the label and the last lines of the client's output when it exits non-zero.
  - Meant to run with C(async) for long clients. The client only sends requests, so the module
    reports C(changed=false).
options:
  argv:
    description: The client command, one argument per item.
    type: list
    elements: str
    required: true
  label:
    description: What is being run, for messages (for example C(profile latency on gpu-01)).
    type: str
    required: true
  api_key:
    description: The server's API key, put in the client's environment as C(OPENAI_API_KEY).
    type: str
  environment:
    description: More environment variables for the client (not secrets).
    type: dict
    default: {}
  chdir:
    description: Working directory of the client.
    type: path
  output_jsonl:
    description: A JSONL file the client writes (C(bench_serving --output-file)); read back as
      RV(records) and removed.
    type: path
  output_json_glob:
    description: A glob for JSON result files the client writes (lm-eval's C(results_*.json));
      the newest is read back as RV(result) and removed.
    type: str
  log_file:
    description: Where the client's full output goes while it runs (to follow it with C(tail -f)).
    type: path
  tail:
    description: How many of the last output lines to return.
    type: int
    default: 20
notes:
  - Supports check mode by running nothing (C(skipped) in the result).
extends_documentation_fragment:
  - llmops.sglang.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
author:
  - llmops.sglang contributors (@llmops)
"""

EXAMPLES = r"""
- name: Run bench_serving's latency profile
  llmops.sglang.run_client:
    label: profile latency on {{ inventory_hostname }}
    argv: ["/opt/sglang/venv/bin/python", "-m", "sglang.bench_serving", "--backend", "sglang"]
    api_key: "{{ sglang_api_key }}"
    output_jsonl: /var/lib/sglang-bench/main/latency.jsonl
  async: 3600
  poll: 0
  register: bench_job
"""

RETURN = r"""
rc:
  description: The client's exit status.
  type: int
  returned: when run
tail:
  description: The last lines of the client's output (progress bars collapsed).
  type: list
  elements: str
  returned: when run
records:
  description: The records of O(output_jsonl), secrets redacted.
  type: list
  elements: dict
  returned: when O(output_jsonl) is given
result:
  description: The newest file matching O(output_json_glob), parsed, secrets redacted.
  type: dict
  returned: when O(output_json_glob) is given and a file matched
duration:
  description: Seconds the client ran.
  type: float
  returned: when run
"""

import os
import subprocess
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.llmops.sglang.plugins.module_utils.client_run import (
    client_environment,
    newest,
    read_json_result,
    read_jsonl_records,
    tail_lines,
)


def build_module():
    return AnsibleModule(
        argument_spec=dict(
            argv=dict(type="list", elements="str", required=True),
            label=dict(type="str", required=True),
            api_key=dict(type="str", no_log=True),
            environment=dict(type="dict", default={}),
            chdir=dict(type="path"),
            output_jsonl=dict(type="path"),
            output_json_glob=dict(type="str"),
            log_file=dict(type="path"),
            tail=dict(type="int", default=20),
        ),
        supports_check_mode=True,
    )


def main():
    module = build_module()
    p = module.params
    if module.check_mode:
        module.exit_json(changed=False, skipped=True, msg="check mode: %s not run" % p["label"])
    if p["output_jsonl"] and os.path.exists(p["output_jsonl"]):
        os.remove(p["output_jsonl"])  # bench_serving appends; one run, one record
    env = client_environment(os.environ, p["environment"], p["api_key"])
    log_path = p["log_file"] or os.path.join(p["chdir"] or "/tmp", "client-%d.log" % os.getpid())
    started = time.time()
    try:
        with open(log_path, "w") as log:
            os.chmod(log_path, 0o600)
            rc = subprocess.call(p["argv"], stdout=log, stderr=subprocess.STDOUT, env=env,
                                 cwd=p["chdir"] or None)
    except OSError as exc:
        module.fail_json(msg="%s: could not start %s: %s" % (p["label"], p["argv"][0], exc))
    duration = round(time.time() - started, 1)
    with open(log_path, errors="replace") as log:
        tail = tail_lines(log.read(), p["tail"], secret=p["api_key"])
    if not p["log_file"]:
        os.remove(log_path)
    result = dict(changed=False, rc=rc, tail=tail, duration=duration)
    if rc != 0:
        module.fail_json(msg="%s: the client exited %d after %.0f s; its last lines:\n%s" % (
            p["label"], rc, duration, "\n".join(tail[-10:])), **result)
    try:
        if p["output_jsonl"]:
            if not os.path.isfile(p["output_jsonl"]):
                module.fail_json(msg="%s: the client exited 0 but wrote no %s; its last lines:\n%s"
                                 % (p["label"], p["output_jsonl"], "\n".join(tail[-10:])), **result)
            result["records"] = read_jsonl_records(p["output_jsonl"])
            os.remove(p["output_jsonl"])
        if p["output_json_glob"]:
            path = newest(p["output_json_glob"])
            if not path:
                module.fail_json(msg="%s: the client exited 0 but wrote nothing matching %s" % (
                    p["label"], p["output_json_glob"]), **result)
            result["result"] = read_json_result(path)
            result["result_file"] = path
            os.remove(path)
    except ValueError as exc:
        module.fail_json(msg="%s: the client's result is not JSON: %s" % (p["label"], exc),
                         **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
