"""The SGLang servers of one host: one keeps the instance's names, several are <instance>-<i>,
each with its own unit, config, restart marker, port and the options it adds to the plan."""

import re

from helpers import SCOUT, facts
from ansible_collections.llmops.sglang.plugins.module_utils import servers
from ansible_collections.llmops.sglang.plugins.module_utils.planner import plan_launch


def test_one_server_keeps_the_instance_names():
    plan = plan_launch({"gpus": facts("h200-141gb-x4"), "model": SCOUT})["plan"]
    assert servers.servers(plan, "main", "/opt/sglang", "/etc/sglang/") == [{
        "index": 0, "name": "main", "unit": "sglang-main.service", "config": "/etc/sglang/main.yaml",
        "marker": "/opt/sglang/restart-pending/sglang-main.service", "port": 30000,
        "local_url": "http://127.0.0.1:30000", "argv": [], "description": ""}]


def test_several_servers_are_numbered():
    plan = plan_launch({"gpus": facts("h200-141gb-x4"), "model": SCOUT, "replicas_per_host": 2,
                        "host": "0.0.0.0", "port": 8000})["plan"]
    out = servers.servers(plan, "scout", "/opt/sglang", "/etc/sglang")
    assert [(s["unit"], s["config"], s["port"], s["local_url"], s["argv"], s["description"])
            for s in out] == [
        ("sglang-scout-0.service", "/etc/sglang/scout-0.yaml", 8000, "http://127.0.0.1:8000",
         ["--port", "8000", "--base-gpu-id", "0"], "replica 0 of 2"),
        ("sglang-scout-1.service", "/etc/sglang/scout-1.yaml", 8001, "http://127.0.0.1:8001",
         ["--port", "8001", "--base-gpu-id", "2"], "replica 1 of 2")]
    assert out[1]["marker"] == "/opt/sglang/restart-pending/sglang-scout-1.service"


def test_a_plan_recorded_before_replicas_is_one_server():
    plan = {"port": 30001, "local_url": "http://127.0.0.1:30001"}
    assert [(s["unit"], s["port"]) for s in servers.servers(plan, "main", "/r", "/c")] == [
        ("sglang-main.service", 30001)]


def test_the_unit_pattern_matches_this_instance_only():
    pattern = re.compile(servers.unit_pattern("main"))
    assert [u for u in ("sglang-main.service", "sglang-main-0.service", "sglang-main-12.service",
                        "sglang-mainx.service", "sglang-main-b.service", "sglang-other.service",
                        "sglang-main.service.bak") if pattern.match(u)] == [
        "sglang-main.service", "sglang-main-0.service", "sglang-main-12.service"]
