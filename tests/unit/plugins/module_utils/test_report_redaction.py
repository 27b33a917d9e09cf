"""Redaction as tables: secret-named values, the same secrets wherever else they appear, secret
options on command lines kept as text, and a real record from the GPU run; and that redaction is
the only part of the report that travels to hosts."""

import ast
import json
import os

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import report_redaction as rr
from helpers import ROOT

H100_LATENCY = os.path.join(ROOT, "tests", "fixtures", "bench-serving",
                            "h100-tiny-llama4-latency-sglang-0.5.17.jsonl")
PLUGINS = os.path.join(ROOT, "plugins")
MODULE_UTILS_PREFIX = "ansible_collections.llmops.sglang.plugins.module_utils."


@pytest.mark.parametrize("value,expected", [
    ({"api_key": "k"}, {"api_key": rr.REDACTED}),
    ({"server_info": {"api_key": "k", "admin_api_key": "a", "port": 30000}},
     {"server_info": {"api_key": rr.REDACTED, "admin_api_key": rr.REDACTED, "port": 30000}}),
    ({"hf_token": "hf_x", "token": "t", "watermark_key_b": "w"},
     {"hf_token": rr.REDACTED, "token": rr.REDACTED, "watermark_key_b": rr.REDACTED}),
    # numbers and names that merely mention tokens stay (seen redacted by mistake on the GPU run)
    ({"kv_bytes_per_token": 2048, "max_total_num_tokens": 5, "tokenizer_path": "/m"},
     {"kv_bytes_per_token": 2048, "max_total_num_tokens": 5, "tokenizer_path": "/m"}),
    ({"api_key": None, "items": [{"password": "p"}]},
     {"api_key": None, "items": [{"password": rr.REDACTED}]}),
])
def test_redact(value, expected):
    assert rr.redact(value) == expected


KEY = "sk-calibration-0123456789"


@pytest.mark.parametrize("value,expected", [
    # SGLang 0.5.23's server_info: the key under its name and inside launch_command
    ({"server_info": {"api_key": KEY, "launch_command": "python3 -m sglang.launch_server "
                      "--api-key %s --port 30000" % KEY}},
     {"server_info": {"api_key": rr.REDACTED, "launch_command": "python3 -m sglang.launch_server "
                      "--api-key <redacted> --port 30000"}}),
    # the key alone, elsewhere in the record
    ({"api_key": KEY, "error": "401 for Bearer %s" % KEY},
     {"api_key": rr.REDACTED, "error": "401 for Bearer <redacted>"}),
    # a command line with a secret option, its key not named anywhere else
    ({"argv": ["x --admin-api-key=abc123 --ssl-keyfile-password pw1 --api-key <redacted>"]},
     {"argv": ["x --admin-api-key=<redacted> --ssl-keyfile-password <redacted> "
               "--api-key <redacted>"]}),
])
def test_redact_finds_the_secret_wherever_it_is(value, expected):
    assert rr.redact(value) == expected


def test_real_record_from_the_gpu_run_holds_no_key():
    with open(H100_LATENCY) as handle:
        raw = json.loads(handle.readline())
    assert raw["server_info"]["api_key"] == rr.REDACTED


def _module_utils_imported(path):
    with open(path) as handle:
        tree = ast.parse(handle.read())
    return {node.module[len(MODULE_UTILS_PREFIX):] for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(MODULE_UTILS_PREFIX)}


def shipped_module_utils():
    """The module_utils Ansible sends to hosts: those the modules import, and what they import."""
    todo = set()
    for name in os.listdir(os.path.join(PLUGINS, "modules")):
        if name.endswith(".py"):
            todo |= _module_utils_imported(os.path.join(PLUGINS, "modules", name))
    seen = set()
    while todo:
        name = todo.pop()
        seen.add(name)
        todo |= _module_utils_imported(os.path.join(PLUGINS, "module_utils", name + ".py")) - seen
    return seen


def test_only_redaction_of_the_report_travels_to_hosts():
    shipped = shipped_module_utils()
    assert "client_run" in shipped  # run_client's helpers, which redact on the host
    assert sorted(n for n in shipped if n.startswith("report_")) == ["report_redaction"]


def test_mask_replaces_the_given_secrets_and_secret_options_in_every_line():
    lines = ["server_args={'api_key': 'k3y-value-1'}", "token hf_abcdef used", "--api-key other-key x",
             "plain"]
    assert rr.mask(lines, ["k3y-value-1", "", "hf_abcdef"]) == [
        "server_args={'api_key': '<redacted>'}", "token <redacted> used", "--api-key <redacted> x", "plain"]
