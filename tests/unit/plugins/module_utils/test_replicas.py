"""Multi-node replicas as inventory groups: ranks from the inventory order, rank 0's address as
the rendezvous, the interface that reaches it, what differs between ranks."""

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import replicas
from ansible_collections.llmops.sglang.plugins.module_utils.planner import PlanError

# the shape of gathered facts (Debian 12 container on podman's network, trimmed)
FACTS = {
    "interfaces": ["lo", "eth0", "ib0"],
    "lo": {"device": "lo", "ipv4": {"address": "127.0.0.1", "netmask": "255.0.0.0"}},
    "eth0": {"device": "eth0", "ipv4": {"address": "10.88.77.11", "netmask": "255.255.0.0"}},
    "ib0": {"device": "ib0", "ipv4": {"address": "192.168.50.11", "netmask": "255.255.255.0"},
            "ipv4_secondaries": [{"address": "192.168.60.11", "netmask": "255.255.255.0"}]},
    "default_ipv4": {"address": "10.88.77.11", "interface": "eth0"},
}


def inventory(**hosts):
    order = list(hosts)
    return order, (lambda h: hosts[h])


def test_ranks_follow_the_inventory_order_and_meet_at_rank_0():
    order, vars_of = inventory(
        web={},
        mav_b={"sglang_replica": "maverick-a", "ansible_host": "10.0.0.2"},
        mav_a={"sglang_replica": "maverick-a", "ansible_host": "10.0.0.1"},
        scout1={"sglang_replica": "scout-x", "sglang_rendezvous_address": "ib-scout1",
                "sglang_rendezvous_port": 6000},
    )
    out = replicas.layout(order, vars_of)
    assert set(out) == {"mav_b", "mav_a", "scout1"}
    assert out["mav_b"] == {"nnodes": 2, "node_rank": 0, "dist_init_addr": "10.0.0.2:5757",
                            "replica": "maverick-a", "rank0": "mav_b"}
    assert out["mav_a"]["node_rank"] == 1 and out["mav_a"]["dist_init_addr"] == "10.0.0.2:5757"
    assert out["scout1"] == {"nnodes": 1, "node_rank": 0, "dist_init_addr": "ib-scout1:6000",
                             "replica": "scout-x", "rank0": "scout1"}


@pytest.mark.parametrize("rank0,expected", [
    ({"ansible_host": "10.0.0.9"}, "10.0.0.9"),                       # an address Ansible uses
    ({"ansible_host": "gpu-1.example", "ansible_facts": FACTS}, "10.88.77.11"),  # its default IPv4
    ({"ansible_host": "gpu-1.example"}, "gpu-1.example"),             # plan.yml: no facts
    ({}, "r0"),                                                        # its inventory name
    ({"ansible_host": "fe80::1"}, "[fe80::1]"),
])
def test_the_rendezvous_address(rank0, expected):
    order, vars_of = inventory(r0=dict(rank0, sglang_replica="m"), r1={"sglang_replica": "m"})
    assert replicas.layout(order, vars_of)["r1"]["dist_init_addr"] == expected + ":5757"


@pytest.mark.parametrize("own,message", [
    ({"sglang_replica": "m", "sglang_node_rank": 1},
     "r0: sglang_replica=m sets the ranks from the inventory order; remove sglang_node_rank"),
    ({"sglang_replica": "m", "sglang_nnodes": 2, "sglang_dist_init_addr": "x:1"},
     "remove sglang_nnodes, sglang_dist_init_addr (rank 0 is the replica's first host)"),
    ({"sglang_replica": "M A"}, "r0: sglang_replica='M A' must be 1-40 lower-case letters"),
    ({"sglang_replica": "m\nx"}, "must be 1-40 lower-case letters"),
    ({"sglang_replica": "m", "sglang_rendezvous_port": 70000},
     "r0: sglang_rendezvous_port=70000 must be a TCP port (1-65535)"),
    ({"sglang_replica": "m", "sglang_rendezvous_address": "a b;rm"},
     "r0: sglang_rendezvous_address='a b;rm' is not an IP address or host name"),
])
def test_bad_replica_settings_are_refused(own, message):
    order, vars_of = inventory(r0=own)
    with pytest.raises(PlanError) as err:
        replicas.layout(order, vars_of)
    assert message in str(err.value)


@pytest.mark.parametrize("address,interface", [
    ("10.88.77.11", "eth0"),        # rank 0 itself: the interface holding the address
    ("10.88.77.10", "eth0"),        # another rank on the same subnet
    ("192.168.50.10", "ib0"),       # the fast network
    ("192.168.60.10", "ib0"),       # a secondary address's subnet
    ("172.16.0.5", "eth0"),         # elsewhere: the default route's interface
    ("not-an-address", ""),
])
def test_the_interface_that_reaches_rank_0(address, interface):
    assert replicas.interface_to(address, FACTS) == interface


def test_rank_differences_name_each_rank():
    base = {"sglang_version": "0.5.23", "gpus": "8 x NVIDIA H100 80GB HBM3",
            "argv": ["--model-path", "m", "--tp-size", "16"]}
    assert replicas.rank_differences([("a", base), ("b", dict(base))]) == []
    lines = replicas.rank_differences([("a", base), ("b", dict(base, sglang_version="0.5.17",
                                                               argv=["--model-path", "m"]))])
    assert lines == ["sglang_version differs: a=0.5.23, b=0.5.17",
                     "argv differs: a=--model-path m --tp-size 16, b=--model-path m"]


def test_argv_without_rank():
    assert replicas.argv_without_rank(["--nnodes", "2", "--node-rank", "1", "--x"]) == [
        "--nnodes", "2", "--x"]
