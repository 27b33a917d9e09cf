"""Prometheus scrape targets from the deployed plans: every server of every rank, the gateways'
metrics listeners, the exporters; loopback listeners only from their own host."""

import base64
import json

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import gateway, monitoring


def record(host, plan, instance="main"):
    text = json.dumps({"argv": [], "command": "", "instance": instance, "plan": plan, "ranks": [host]})
    return {"item": host, "content": base64.b64encode(text.encode()).decode()}


ONE = {"port": 30000, "host": "0.0.0.0", "served_model_name": "scout", "serving_node": True}
TWO = dict(ONE, replicas=[
    {"index": 0, "port": 30000, "local_url": "http://127.0.0.1:30000", "argv": []},
    {"index": 1, "port": 30001, "local_url": "http://127.0.0.1:30001", "argv": []}])
RANK1 = dict(ONE, served_model_name="maverick", serving_node=False, node_rank=1, nnodes=2)
LOOPBACK = dict(ONE, host="127.0.0.1")
VARS = {"w1": {"ansible_host": "10.0.0.1"}, "w2": {"sglang_advertise_address": "w2.fast"},
        "r1": {"ansible_host": "10.0.0.3"}, "lo": {"ansible_host": "10.0.0.4"},
        "gw": {"ansible_host": "10.0.0.9", "sglang_gateway_metrics_host": "0.0.0.0"},
        "gw-lo": {"ansible_host": "10.0.0.8"}, "mon": {}, "bad": {"ansible_host": "a b"}}
OPTIONS = {"prometheus_host": "mon", "cluster": "dc1", "node_exporter_port": 9100, "dcgm_port": 9400,
           "gateway_metrics_host": "127.0.0.1", "gateway_metrics_port": 29000}


def targets(records, gateways=(), exporters=(), dcgm=(), **options):
    return monitoring.targets(records, list(gateways), list(exporters), list(dcgm), VARS.__getitem__,
                              dict(OPTIONS, **options))


def flat(groups):
    return [(g["targets"][0], g["labels"].get("unit"), g["labels"]["host"]) for g in groups]


CASES = [
    # (name, records, the sglang job's targets)
    ("one-server", [record("w1", ONE)], [("10.0.0.1:30000", "sglang-main.service", "w1")]),
    ("two-servers-advertised", [record("w2", TWO)],
     [("w2.fast:30000", "sglang-main-0.service", "w2"), ("w2.fast:30001", "sglang-main-1.service", "w2")]),
    ("rank-1-scraped-too", [record("r1", RANK1, instance="mav")],
     [("10.0.0.3:30000", "sglang-mav.service", "r1")]),
    ("unreadable-and-missing-skipped", [{"item": "w1", "failed": True, "msg": "not found"},
                                        {"item": "w2", "content": base64.b64encode(b"{cut").decode()}], []),
    ("loopback-of-another-host-left-out", [record("lo", LOOPBACK)], []),
    ("loopback-on-prometheus-own-host", [record("mon", LOOPBACK)],
     [("127.0.0.1:30000", "sglang-main.service", "mon")]),
]


@pytest.mark.parametrize("name,records,expected", CASES, ids=[c[0] for c in CASES])
def test_sglang_targets(name, records, expected):
    assert flat(targets(records)["jobs"]["sglang"]) == expected


def test_labels_of_a_rank():
    labels = targets([record("r1", RANK1, instance="mav")])["jobs"]["sglang"][0]["labels"]
    assert labels == {"cluster": "dc1", "host": "r1", "unit": "sglang-mav.service", "model": "maverick",
                      "node_rank": "1", "nnodes": "2"}


def test_loopback_listener_is_reported_not_scraped():
    assert targets([record("lo", LOOPBACK)])["unreachable"] == [
        "lo: sglang-main.service listens on 127.0.0.1 only"]


def test_gateways_and_exporters():
    out = targets([record("w1", ONE)], gateways=["gw", "gw-lo"], exporters=["w1", "gw"], dcgm=["w1"])
    assert flat(out["jobs"]["sglang-gateway"]) == [("10.0.0.9:29000", None, "gw")]
    assert out["unreachable"] == ["gw-lo: the gateway's metrics listen on 127.0.0.1 only"]
    assert flat(out["jobs"]["node"]) == [("10.0.0.1:9100", None, "w1"), ("10.0.0.9:9100", None, "gw")]
    assert flat(out["jobs"]["dcgm"]) == [("10.0.0.1:9400", None, "w1")]
    assert targets([], exporters=["w1"], node_exporter_port=0)["jobs"]["node"] == []


def test_an_unreadable_host_keeps_its_last_targets():
    previous = [{"targets": ["10.0.0.1:30000"], "labels": {"host": "w1", "unit": "sglang-main.service"}},
                {"targets": ["10.0.0.9:30000"], "labels": {"host": "gone"}}]
    out = targets([{"item": "w1", "unreachable": True}, {"item": "w3", "failed": True, "msg": "not found"}],
                  previous_sglang=json.dumps(previous))
    assert flat(out["jobs"]["sglang"]) == [("10.0.0.1:30000", "sglang-main.service", "w1")]
    assert out["unreachable"] == ["w1: its plan could not be read; 1 target(s) of the last run kept"]


def test_an_address_that_is_not_one_is_refused_with_its_host():
    with pytest.raises(gateway.WorkerError, match="bad: ansible_host='a b'"):
        targets([record("bad", ONE)])
