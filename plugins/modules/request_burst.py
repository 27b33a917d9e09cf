#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: request_burst
short_description: Send a burst of short completions to an SGLang server and measure them
version_added: "0.3.0"
description:
  - Sends O(requests) short C(/v1/completions) requests, O(concurrency) at a time, to an SGLang
    server from the host, and reports how many were answered, the statuses, the output tokens per
    second and latency percentiles.
  - A server whose C(/health) answers while generation hangs fails it, since every request has its own
    O(timeout).
  - Fails when any request was not answered with 200 and a choice, unless O(allow_failures). The
    first failure stops the burst (requests in flight still finish or time out).
  - Sends requests only, so it reports C(changed=false) and runs in check mode.
options:
  url:
    description: The server's base URL, for example C(http://127.0.0.1:30000).
    type: str
    required: true
  model:
    description: The served model name.
    type: str
    required: true
  api_key:
    description: The server's API key (sent as a Bearer token; never returned).
    type: str
  requests:
    description: How many requests.
    type: int
    default: 50
  concurrency:
    description: How many at a time.
    type: int
    default: 8
  max_tokens:
    description: Tokens each request asks for.
    type: int
    default: 16
  timeout:
    description: Seconds one request may take.
    type: int
    default: 30
  allow_failures:
    description: Report failed requests instead of failing.
    type: bool
    default: false
author:
  - llmops.sglang contributors (@llmops)
"""

EXAMPLES = r"""
- name: Fifty short requests to the restarted server
  llmops.sglang.request_burst:
    url: http://127.0.0.1:30000
    model: llama-4-scout
    api_key: "{{ sglang_api_key }}"
    requests: 50
  no_log: false
"""

RETURN = r"""
burst:
  description: What the burst measured.
  returned: always
  type: dict
  contains:
    requests:
      description: Requests sent (fewer than asked when a failure stopped the burst).
      type: int
    answered:
      description: Answered with 200 and a choice.
      type: int
    failed:
      description: The others.
      type: int
    statuses:
      description: How many got each HTTP status, or each error's name.
      type: dict
    first_errors:
      description: Up to three errors.
      type: list
      elements: str
    seconds:
      description: Wall time of the burst.
      type: float
    output_tokens:
      description: Completion tokens of the answered requests.
      type: int
    output_tokens_per_s:
      description: The output tokens divided by the seconds.
      type: float
    latency_p50_s:
      description: Median latency of the answered requests.
      type: float
    latency_p99_s:
      description: 99th percentile latency of the answered requests.
      type: float
"""

import json
import threading
import time
from urllib import request as urllib_request

from ansible.module_utils.basic import AnsibleModule

# the server is this host's own (its local URL): no proxy; the plain opener also costs less per
# request than ansible's open_url (about 40 ms here), which would hide a slower server
OPENER = urllib_request.build_opener(urllib_request.ProxyHandler({}))

from ansible_collections.llmops.sglang.plugins.module_utils import rollout


def one_request(url, model, api_key, max_tokens, timeout):
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = "Bearer " + api_key
    # every answer max_tokens long (SGLang's ignore_eos): tokens per second then compare across
    # versions whatever each would stop at
    body = json.dumps({"model": model, "prompt": "Count: one, two, three,", "max_tokens": max_tokens,
                       "temperature": 0, "ignore_eos": True}).encode()
    started = time.time()
    row = {"status": None, "output_tokens": 0, "error": None}
    try:
        request = urllib_request.Request(url.rstrip("/") + "/v1/completions", data=body, headers=headers)
        with OPENER.open(request, timeout=timeout) as answer:
            row["status"] = answer.getcode()
            data = json.loads(answer.read() or b"{}")
        if not data.get("choices"):
            row["error"] = "no choice in the answer"
        row["output_tokens"] = int((data.get("usage") or {}).get("completion_tokens") or 0)
    except Exception as error:  # noqa: BLE001 - what went wrong is the result
        row["status"] = getattr(error, "code", None) or type(error).__name__
        row["error"] = str(error)[:200]
    row["seconds"] = round(time.time() - started, 3)
    return row


def burst(params):
    rows, lock, queue = [], threading.Lock(), list(range(params["requests"]))

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                queue.pop()
            row = one_request(params["url"], params["model"], params["api_key"], params["max_tokens"],
                              params["timeout"])
            with lock:
                rows.append(row)
                if row["error"]:  # one failure decides; the rest would wait out their timeouts
                    del queue[:]

    started = time.time()
    threads = [threading.Thread(target=worker) for dummy in range(max(1, params["concurrency"]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return rollout.burst_summary(rows, time.time() - started)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type="str", required=True),
            model=dict(type="str", required=True),
            api_key=dict(type="str", no_log=True),
            requests=dict(type="int", default=50),
            concurrency=dict(type="int", default=8),
            max_tokens=dict(type="int", default=16, no_log=False),
            timeout=dict(type="int", default=30),
            allow_failures=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    for name in ("requests", "concurrency", "max_tokens", "timeout"):
        if params[name] < 1:
            module.fail_json(msg="%s=%s must be at least 1" % (name, params[name]))
    result = burst(params)
    if result["failed"] and not params["allow_failures"]:
        module.fail_json(msg="%d of %d requests to %s were not answered (statuses %s; first: %s)" % (
            result["failed"], result["requests"], params["url"], result["statuses"],
            "; ".join(result["first_errors"])), burst=result)
    module.exit_json(changed=False, burst=result)


if __name__ == "__main__":
    main()
