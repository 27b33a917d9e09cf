# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running a benchmark or evaluation client on the host (modules/run_client.py), pure parts:
the environment it gets (the API key only there, never in its arguments), the last lines of its
output, and its result files read back without secrets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import json
import os

from ansible_collections.llmops.sglang.plugins.module_utils.report_redaction import redact

# Both clients read the key from here (bench_serving: OPENAI_API_KEY, else API_KEY; lm-eval's
# local-chat-completions: OPENAI_API_KEY).
API_KEY_VARIABLE = "OPENAI_API_KEY"


def client_environment(base, extra, api_key):
    env = dict(base)
    # the client runs in its own venv: Ansible's own PYTHONPATH must not shadow its packages
    env.pop("PYTHONPATH", None)
    env.update({str(k): str(v) for k, v in (extra or {}).items()})
    env.pop("API_KEY", None)
    if api_key:
        env[API_KEY_VARIABLE] = api_key
    else:
        env.pop(API_KEY_VARIABLE, None)
    # a client's progress bars and logs, not a pager or colours
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def tail_lines(text, count=20, secret=None):
    """The last lines of a client's output; progress-bar redraws (carriage returns) collapse
    to their last state, and the API key, if a client ever printed it, is masked."""
    lines = []
    for raw in text.split("\n"):  # not splitlines(): it splits at \r too
        line = raw.rsplit("\r", 1)[-1].rstrip()
        if line:
            lines.append(line)
    lines = lines[-count:] if count else lines
    if secret:
        lines = [line.replace(secret, "<redacted>") for line in lines]
    return lines


def read_jsonl_records(path):
    records = []
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if line:
                records.append(redact(json.loads(line)))
    return records


def newest(pattern):
    matches = [p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p)]
    return max(matches, key=os.path.getmtime) if matches else None


def read_json_result(path):
    with open(path) as handle:
        return redact(json.load(handle))
