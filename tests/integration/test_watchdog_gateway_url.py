"""Where the watchdog reaches the gateway (roles/sglang_watchdog/tasks/main.yml,
_sglang_watchdog_gateway), rendered by Ansible from the role's own expression: on the gateway's
host, the address it listens on (loopback when that is every address); elsewhere, its advertised
address; none when it listens on loopback elsewhere."""

import os
import re
import sys

import pytest
import yaml

from helpers import ROOT
from integration.test_plan_playbook import ansible_playbook

ROWS = [
    # (gateway host's vars, the worker's own name, the URL its watchdog uses)
    ({}, "gw", "http://127.0.0.1:30080"),
    ({"sglang_gateway_host": "10.0.0.5"}, "gw", "http://10.0.0.5:30080"),
    ({"sglang_gateway_host": "::1"}, "gw", "http://[::1]:30080"),
    ({"sglang_gateway_host": "::", "sglang_gateway_port": 8080}, "gw", "http://127.0.0.1:8080"),
    ({"ansible_host": "10.0.0.5"}, "w1", "http://10.0.0.5:30080"),
    ({"sglang_advertise_address": "fd00::5"}, "w1", "http://[fd00::5]:30080"),
    ({"sglang_gateway_host": "127.0.0.1", "ansible_host": "10.0.0.5"}, "w1", ""),
    ({"sglang_gateway_host": "::1", "sglang_advertise_address": "fd00::5"}, "w1", ""),
]


def gateway_expression():
    with open(os.path.join(ROOT, "roles", "sglang_watchdog", "tasks", "main.yml")) as handle:
        tasks = yaml.safe_load(handle)
    for task in tasks:
        facts = task.get("ansible.builtin.set_fact") or {}
        if "_sglang_watchdog_gateway" in facts:
            return facts["_sglang_watchdog_gateway"]
    raise AssertionError("no _sglang_watchdog_gateway in the watchdog's tasks")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One play per row (its own inventory: one gateway host, one worker): {row: URL}."""
    folder = tmp_path_factory.mktemp("watchdog-url")
    with open(os.path.join(ROOT, "roles", "sglang_common", "defaults", "main.yml")) as handle:
        defaults = {k: v for k, v in yaml.safe_load(handle).items() if k.startswith("sglang_gateway_")}
    out = {}
    for number, (gateway_vars, worker, _url) in enumerate(ROWS):
        local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
        inventory = {"all": {"hosts": {"w1": local}, "children": {"sglang_gateway": {"hosts": {
            "gw": dict(local, **gateway_vars)}}}}}
        (folder / "hosts.yml").write_text(yaml.safe_dump(inventory))
        (folder / "play.yml").write_text(yaml.safe_dump([{
            "hosts": worker, "gather_facts": False,
            "vars": dict(defaults, _sglang_watchdog_gateway=gateway_expression()),
            "tasks": [{"ansible.builtin.debug": {
                "msg": "URL=[{{ _sglang_watchdog_gateway | default('', true) }}]"}}]}]))
        run = ansible_playbook("-i", str(folder / "hosts.yml"), str(folder / "play.yml"))
        out[number] = re.search(r"URL=\[([^\]]*(?:\][^\]]*)?)\]\"", run.stdout).group(1).strip()
    return out


@pytest.mark.parametrize("number", range(len(ROWS)), ids=[
    "%s-on-%s" % ("+".join("%s=%s" % kv for kv in r[0].items()) or "defaults", r[1]) for r in ROWS])
def test_the_watchdog_reaches_the_gateway_there(rendered, number):
    assert rendered[number] == ROWS[number][2]
