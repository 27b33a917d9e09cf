"""The gateway's workers: which hosts it routes to, at which URL, and the changes to its list."""

import base64
import json

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import gateway


def record(host, port=30000, serving=True, listen="0.0.0.0", model="scout", timeout=1200):
    plan = {"port": port, "host": listen, "served_model_name": model, "serving_node": serving,
            "start_timeout_s": timeout}
    text = json.dumps({"argv": [], "command": "", "plan": plan, "ranks": [host]})
    return {"item": host, "content": base64.b64encode(text.encode()).decode()}


def stat(host, exists=False, unit="sglang-main.service"):
    """What find over the host's restart-pending folder returns."""
    return {"item": host, "files": [{"path": "/opt/sglang/restart-pending/" + unit}] if exists else []}


VARS = {
    "w1": {"ansible_host": "10.0.0.1"},
    "w2": {"sglang_advertise_address": "w2.fast", "ansible_host": "10.0.0.2"},
    "w3": {},
    "w4": {"ansible_host": "fe80::4"},
    "bad": {"ansible_host": "a b"},
}


def test_workers_are_the_verified_serving_hosts_in_inventory_order():
    records = [record("w1"), record("w2", port=30001, model="maverick", timeout=3000),
               record("w3"),                                   # a restart still to verify
               record("w4", serving=False),                    # rank 1 of a replica
               {"item": "w5", "failed": True, "msg": "file not found"},   # not deployed
               {"item": "w6", "unreachable": True},
               {"item": "w7", "content": base64.b64encode(b"{cut").decode()}]   # cut short
    pending = [stat("w1"), stat("w2"), stat("w3", exists=True)]
    out = gateway.workers(records, pending, lambda h: VARS.get(h, {}))
    assert [(w["host"], w["url"], w["model"]) for w in out] == [
        ("w1", "http://10.0.0.1:30000", "scout"), ("w2", "http://w2.fast:30001", "maverick")]
    assert out[1]["start_timeout_s"] == 3000 and out[0]["loopback"] is False
    assert out[0]["summary"] == "w1: http://10.0.0.1:30000 serves scout"


def test_every_server_of_a_host_is_a_worker_unless_its_restart_is_pending():
    plan = {"port": 30000, "host": "0.0.0.0", "served_model_name": "scout", "serving_node": True,
            "local_url": "http://127.0.0.1:30000",
            "replicas": [{"index": 0, "port": 30000, "local_url": "http://127.0.0.1:30000"},
                         {"index": 1, "port": 30001, "local_url": "http://127.0.0.1:30001"},
                         {"index": 2, "port": 30002, "local_url": "http://127.0.0.1:30002"}]}
    text = json.dumps({"instance": "scout", "argv": [], "command": "", "plan": plan, "ranks": ["w1"]})
    records = [{"item": "w1", "content": base64.b64encode(text.encode()).decode()}]
    out = gateway.workers(records, [stat("w1", True, "sglang-scout-1.service")], lambda h: VARS[h])
    assert [w["url"] for w in out] == ["http://10.0.0.1:30000", "http://10.0.0.1:30002"]


def test_a_host_whose_pending_restarts_cannot_be_looked_for_is_not_added():
    records = [record("w1"), record("w2")]
    pending = [stat("w1"), {"item": "w2", "failed": True, "msg": "Permission denied"}]
    assert [w["host"] for w in gateway.workers(records, pending, lambda h: VARS[h])] == ["w1"]
    assert gateway.unread(records + pending) == ["w2"]


def test_a_worker_on_loopback_is_marked_and_ipv6_is_bracketed():
    out = gateway.workers([record("w4", listen="127.0.0.1")], [], lambda h: VARS[h])
    assert out[0]["url"] == "http://[fe80::4]:30000" and out[0]["loopback"] is True


def test_an_address_that_is_no_host_name_is_refused():
    with pytest.raises(gateway.WorkerError) as err:
        gateway.workers([record("bad")], [], lambda h: VARS[h])
    assert str(err.value) == ("bad: ansible_host='a b' is not an IP address or host name the "
                              "gateway can reach")


@pytest.mark.parametrize("wanted,registered,add,remove", [
    (["http://a:1", "http://b:1"], [], ["http://a:1", "http://b:1"], []),
    (["http://a:1"], [{"id": "u1", "url": "http://a:1"}], [], []),
    (["http://b:1"], [{"id": "u1", "url": "http://a:1"}], ["http://b:1"], ["u1"]),
    ([], [{"id": "u2", "url": "http://b:1"}, {"id": "u1", "url": "http://a:1"}], [], ["u1", "u2"]),
])
def test_changes_to_the_running_gateway(wanted, registered, add, remove):
    assert gateway.changes(wanted, registered) == (add, remove)


GW1 = {"host": "gw1", "url": "http://127.0.0.1:8080"}
GW2 = {"host": "gw2", "url": "http://127.0.0.1:8080"}
A, B = "http://10.0.0.1:30000", "http://10.0.0.1:30001"


@pytest.mark.parametrize("worker_lists,lacking", [
    # both gateways have both servers, settled: nothing to register
    ([[{"url": A}, {"url": B, "status": "ready"}], [{"url": B}, {"url": A}]], []),
    # absent from one gateway only
    ([[{"url": A}, {"url": B}], [{"url": A}]], [("gw2", B)]),
    # still draining the old entry (smg answers 409 until it is gone): registered again
    ([[{"url": A, "status": "draining"}, {"url": B}], [{"url": A}, {"url": B}]], [("gw1", A)]),
    # a gateway that did not answer (no list) lacks them all
    ([None, [{"url": A}, {"url": B}]], [("gw1", A), ("gw1", B)]),
    ([[], []], [("gw1", A), ("gw1", B), ("gw2", A), ("gw2", B)]),
    # an answer that is no list of workers counts as none
    (["not a list", [{"url": A}, "not a worker", {"url": B}]], [("gw1", A), ("gw1", B)]),
])
def test_what_each_gateway_lacks_of_a_hosts_servers(worker_lists, lacking):
    out = gateway.lacking([GW1, GW2], worker_lists, [A, B])
    assert [(x["host"], x["url"]) for x in out] == lacking
    assert all(x["api"] == "http://127.0.0.1:8080" for x in out)


def test_a_worker_host_that_could_not_be_read_keeps_every_registered_worker():
    """An SSH blip must not drain a healthy replica out of the gateway."""
    records = [record("w1"), {"item": "w2", "unreachable": True, "msg": "ssh: timed out"},
               {"item": "w3", "failed": True, "msg": "file not found: /etc/sglang/main.plan.json"},
               {"item": "w4", "failed": True, "msg": "Permission denied"}]
    assert gateway.unread(records) == ["w2", "w4"]
    registered = [{"id": "u1", "url": "http://10.0.0.1:30000"}, {"id": "u2", "url": "http://10.0.0.2:30000"}]
    assert gateway.changes(["http://10.0.0.1:30000"], registered, keep_all=True) == ([], [])
    assert gateway.changes(["http://10.0.0.1:30000"], registered) == ([], ["u2"])


@pytest.mark.parametrize("listen,loopback", [
    ("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("10.0.0.1", False), ("::", False)])
def test_loopback_listen_addresses(listen, loopback):
    assert gateway.is_loopback(listen) is loopback


def test_a_loopback_worker_is_reached_at_its_local_url():
    """Allowed only on the gateway's own host: there its local URL answers, not its ansible_host."""
    item = record("w1", listen="127.0.0.1")
    text = json.loads(base64.b64decode(item["content"]))
    text["plan"]["local_url"] = "http://127.0.0.1:30000"
    item["content"] = base64.b64encode(json.dumps(text).encode()).decode()
    out = gateway.workers([item], [], lambda h: VARS[h])
    assert out[0]["url"] == "http://127.0.0.1:30000" and out[0]["loopback"] is True


@pytest.mark.parametrize("address", ["::1%a\nb", "fe80::1%--api-key=x", "a b", "-h", "10.0.0.1\n"])
def test_an_address_with_a_scope_id_newline_or_space_is_refused(address):
    with pytest.raises(gateway.WorkerError):
        gateway.worker_address("w9", {"sglang_advertise_address": address})


def test_server_urls_are_where_the_gateway_reaches_each_server():
    plan = {"port": 30000, "host": "0.0.0.0", "replicas_per_host": 2,
            "replicas": [{"index": 0, "port": 30000, "local_url": "http://127.0.0.1:30000", "argv": []},
                         {"index": 1, "port": 30001, "local_url": "http://127.0.0.1:30001", "argv": []}]}
    urls = [u for _s, u in gateway.server_urls("w2", plan, "main", VARS["w2"])]
    assert urls == ["http://w2.fast:30000", "http://w2.fast:30001"]
    loopback = dict(plan, host="127.0.0.1")
    assert [u for _s, u in gateway.server_urls("w2", loopback, "main", VARS["w2"])] == [
        "http://127.0.0.1:30000", "http://127.0.0.1:30001"]


GATEWAY_VARS = {
    "gw": {"sglang_gateway_host": "0.0.0.0", "sglang_gateway_port": 30080, "ansible_host": "10.0.0.5"},
    "gw6": {"sglang_gateway_host": "::1", "sglang_gateway_port": "8080",
            "sglang_advertise_address": "fd00::6"},
    "gwip": {"sglang_gateway_host": "10.0.0.7", "sglang_gateway_port": 30080},
    "gwv6": {"sglang_gateway_host": "::", "sglang_gateway_port": 30080,
             "sglang_advertise_address": "fd00::8"},
}


@pytest.mark.parametrize("gateways, from_host, urls", [
    # each from its own host (a task delegated to it)
    (["gw", "gw6", "gwip", "gwv6"], None,
     ["http://127.0.0.1:30080", "http://[::1]:8080", "http://10.0.0.7:30080", "http://127.0.0.1:30080"]),
    # from a worker: the advertised address; none where it listens on loopback
    (["gw", "gw6", "gwip", "gwv6"], "w1",
     ["http://10.0.0.5:30080", None, "http://gwip:30080", "http://[fd00::8]:30080"]),
    # from one of the gateways: itself locally, the other as any host would
    (["gw", "gw6"], "gw6", ["http://10.0.0.5:30080", "http://[::1]:8080"]),
    ([], "w1", []),
])
def test_each_gateway_is_reached_where_the_asking_host_can(gateways, from_host, urls):
    out = gateway.api_urls(gateways, GATEWAY_VARS.get, from_host)
    assert [row["host"] for row in out] == gateways
    assert [row["url"] for row in out] == urls


@pytest.mark.parametrize("changed, message", [
    ({"sglang_gateway_host": "0.0.0.0/24"},
     "gw: sglang_gateway_host='0.0.0.0/24' is not an IP address or host name"),
    ({"sglang_gateway_host": "a;b"}, "gw: sglang_gateway_host='a;b' is not an IP address"),
    ({"sglang_gateway_host": None}, "gw: sglang_gateway_host=None is not an IP address"),
    ({"sglang_gateway_host": ["10.0.0.1"]}, "gw: sglang_gateway_host=['10.0.0.1'] is not an IP address"),
    ({"sglang_gateway_port": "80 --x"}, "gw: sglang_gateway_port='80 --x' is not a TCP port (1 to 65535)"),
    ({"sglang_gateway_port": 70000}, "gw: sglang_gateway_port=70000 is not a TCP port"),
    ({"ansible_host": "a b"}, "gw: ansible_host='a b' is not an IP address or host name"),
])
def test_a_gateway_address_or_port_that_is_none_is_refused_naming_it(changed, message):
    bad = dict(GATEWAY_VARS["gw"], **changed)
    with pytest.raises(gateway.WorkerError) as err:
        gateway.api_urls(["gw"], {"gw": bad}.get, "w1")
    assert message in str(err.value)
