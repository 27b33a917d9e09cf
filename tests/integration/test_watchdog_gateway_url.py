"""Where the watchdog reaches the gateways (roles/sglang_watchdog/tasks/main.yml,
_sglang_watchdog_gateways), rendered by Ansible from the role's own expression: on a gateway's
host, the address it listens on (loopback when that is every address); elsewhere, its advertised
address; none when it listens on loopback elsewhere. Every gateway of the group, in order."""

import json
import os
import re
import sys

import pytest
import yaml

from helpers import ROOT
from integration.test_plan_playbook import ansible_playbook

GW2 = {"ansible_host": "10.0.0.6", "sglang_gateway_port": 8080}
ROWS = [
    # (gateway host's vars, a second gateway's or None, the worker's own name, the URLs its
    # watchdog uses)
    ({}, None, "gw", ["http://127.0.0.1:30080"]),
    ({"sglang_gateway_host": "10.0.0.5"}, None, "gw", ["http://10.0.0.5:30080"]),
    ({"sglang_gateway_host": "::1"}, None, "gw", ["http://[::1]:30080"]),
    ({"sglang_gateway_host": "::", "sglang_gateway_port": 8080}, None, "gw", ["http://127.0.0.1:8080"]),
    ({"ansible_host": "10.0.0.5"}, None, "w1", ["http://10.0.0.5:30080"]),
    ({"sglang_advertise_address": "fd00::5"}, None, "w1", ["http://[fd00::5]:30080"]),
    ({"sglang_gateway_host": "127.0.0.1", "ansible_host": "10.0.0.5"}, None, "w1", []),
    ({"sglang_gateway_host": "::1", "sglang_advertise_address": "fd00::5"}, None, "w1", []),
    # two gateways: both, in the group's order; one on loopback of its own host: the other only
    ({"ansible_host": "10.0.0.5"}, GW2, "w1", ["http://10.0.0.5:30080", "http://10.0.0.6:8080"]),
    ({"ansible_host": "10.0.0.5"}, GW2, "gw", ["http://127.0.0.1:30080", "http://10.0.0.6:8080"]),
    ({"sglang_gateway_host": "127.0.0.1"}, GW2, "w1", ["http://10.0.0.6:8080"]),
]


def gateway_expression():
    with open(os.path.join(ROOT, "roles", "sglang_watchdog", "tasks", "main.yml")) as handle:
        tasks = yaml.safe_load(handle)
    for task in tasks:
        facts = task.get("ansible.builtin.set_fact") or {}
        if "_sglang_watchdog_gateways" in facts:
            return facts["_sglang_watchdog_gateways"]
    raise AssertionError("no _sglang_watchdog_gateways in the watchdog's tasks")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One play per row (its own inventory: one gateway host, one worker): {row: URL}."""
    folder = tmp_path_factory.mktemp("watchdog-url")
    with open(os.path.join(ROOT, "roles", "sglang_common", "defaults", "main.yml")) as handle:
        defaults = {k: v for k, v in yaml.safe_load(handle).items() if k.startswith("sglang_gateway_")}
    out = {}
    for number, (gateway_vars, second, worker, _urls) in enumerate(ROWS):
        local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
        gateways = {"gw": dict(local, **gateway_vars)}
        if second is not None:
            gateways["gw2"] = dict(local, **second)
        inventory = {"all": {"hosts": {"w1": local}, "children": {"sglang_gateway": {"hosts": gateways}}}}
        (folder / "hosts.yml").write_text(yaml.safe_dump(inventory))
        (folder / "play.yml").write_text(yaml.safe_dump([{
            "hosts": worker, "gather_facts": False,
            "vars": dict(defaults, _sglang_watchdog_gateways=gateway_expression()),
            "tasks": [{"ansible.builtin.debug": {
                "msg": "URLS={{ _sglang_watchdog_gateways | to_json }}=URLS"}}]}]))
        run = ansible_playbook("-i", str(folder / "hosts.yml"), str(folder / "play.yml"))
        found = re.search(r"URLS=(.*)=URLS", run.stdout)
        assert found, run.stdout + run.stderr
        out[number] = json.loads(found.group(1).replace('\\"', '"'))
    return out


@pytest.mark.parametrize("number", range(len(ROWS)), ids=[
    "%s%s-on-%s" % ("+".join("%s=%s" % kv for kv in r[0].items()) or "defaults",
                    "-and-gw2" if r[1] else "", r[2]) for r in ROWS])
def test_the_watchdog_reaches_the_gateways_there(rendered, number):
    assert rendered[number] == ROWS[number][3]
