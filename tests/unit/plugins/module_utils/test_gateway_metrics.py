"""A benchmark through the gateway: Prometheus text parsed, each replica's share between two
readings, the gateway's URLs and its one model. The metric text is smg 1.13.0's own:
tests/fixtures/smg-metrics (captured from the real smg, see its README) and the lines quoted in
tests/e2e/smg/RESEARCH.md section 6."""

import os

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import gateway_metrics as gm
from helpers import ROOT

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "smg-metrics")
A, B = "http://127.0.0.1:18101", "http://127.0.0.1:18102"

# tests/e2e/smg/RESEARCH.md section 6, as quoted there (smg 1.13.0 in front of the double)
RESEARCH_LINES = "".join(line + "\n" for line in (
    'smg_http_requests_total{method="POST",path="/v1/chat/completions"} 6',
    'smg_router_requests_total{router_type="http",backend_type="regular",'
    'connection_mode="http",model="tiny-llama4",endpoint="chat",streaming="false"} 4',
    'smg_worker_health{worker="http://127.0.0.1:18001"} 1',
    'smg_worker_pool_size{worker_type="regular",connection_mode="http",model="tiny-llama4"} 2',
    'smg_worker_requests_total{worker="http://127.0.0.1:18001",model="tiny-llama4"} 3',
    'smg_worker_health_checks_total{worker_type="regular",result="success"} 54',
    'smg_worker_retries_total{worker_type="regular",endpoint="chat"} 7',
    'smg_router_upstream_responses_total{router_type="http",status_code="500",'
    'error_code="call_upstream_connection_failed"} 7',
    'smg_worker_cb_state{worker="http://127.0.0.1:18001"} 0',
    'smg_engine_load_polls_total{worker="http://127.0.0.1:18001",mode="poll"} 6',
))


def capture(name):
    with open(os.path.join(FIXTURES, "smg-1.13.0-%s.prom" % name)) as handle:
        return handle.read()


@pytest.mark.parametrize("line,expected", [
    ('smg_worker_requests_total{worker="http://10.0.0.11:30000",model="m"} 3',
     ("smg_worker_requests_total", {"worker": "http://10.0.0.11:30000", "model": "m"}, 3.0)),
    ("process_open_fds 17", ("process_open_fds", {}, 17.0)),
    ('x{a="1",} 2.5e+02', ("x", {"a": "1"}, 250.0)),              # trailing comma is allowed
    ('x{a="q\\"uote",b="back\\\\slash",c="new\\nline"} +Inf 1700000000000',
     ("x", {"a": 'q"uote', "b": "back\\slash", "c": "new\nline"}, float("inf"))),
    ('x{a="has } and , inside"} 1', ("x", {"a": "has } and , inside"}, 1.0)),
])
def test_parse_one_sample(line, expected):
    assert gm.parse(line) == [expected]


@pytest.mark.parametrize("text,message", [
    ("x{a=1} 2", "line 1: labels {a=1} are not name=\"value\" pairs"),
    ("# HELP x y\nx{a=\"1\"} many", "line 2: 'many' is not a number"),
    ("{a=\"1\"} 2", "line 1 is not a sample"),
])
def test_parse_names_the_bad_line(text, message):
    with pytest.raises(gm.MetricsError, match=message.replace("{", "\\{").replace("}", "\\}")):
        gm.parse(text)


def test_research_lines_give_the_worker_its_requests_health_and_retries():
    assert gm.snapshot(RESEARCH_LINES) == {
        "workers": {"http://127.0.0.1:18001": {"model": "tiny-llama4", "requests": 3,
                                               "healthy": True}},
        "retries": 7}


def test_every_line_of_the_real_captures_parses():
    for name in ("idle", "after-6", "after-kill"):
        samples = gm.parse(capture(name))
        assert len(samples) > 200, name
        assert {s[0] for s in samples} >= {gm.REQUESTS, gm.HEALTH, gm.RETRIES}


@pytest.mark.parametrize("before,after,expected", [
    # registered workers start at 0: both appear, round robin 4/2 (the double's /generate)
    ("idle", "after-6", {"dispatched": 6, "retries": 0, "reset": False, "workers": [
        {"url": A, "model": "tiny-llama4", "requests": 4, "share_pct": 66.67, "healthy": True},
        {"url": B, "model": "tiny-llama4", "requests": 2, "share_pct": 33.33, "healthy": True}]}),
    # B killed: 6 requests, 9 sends (3 to B, each retried on A); B unhealthy at the end
    ("after-6", "after-kill", {"dispatched": 9, "retries": 3, "reset": False, "workers": [
        {"url": A, "model": "tiny-llama4", "requests": 6, "share_pct": 66.67, "healthy": True},
        {"url": B, "model": "tiny-llama4", "requests": 3, "share_pct": 33.33, "healthy": False}]}),
    # nothing sent: no share rather than a division by zero
    ("idle", "idle", {"dispatched": 0, "retries": 0, "reset": False, "workers": [
        {"url": A, "model": "tiny-llama4", "requests": 0, "share_pct": None, "healthy": True},
        {"url": B, "model": "tiny-llama4", "requests": 0, "share_pct": None, "healthy": True}]}),
    # the gateway restarted in between (counters back at 0 and up again): counted from 0, said
    ("after-kill", "after-6", {"dispatched": 6, "retries": 0, "reset": True, "workers": [
        {"url": A, "model": "tiny-llama4", "requests": 4, "share_pct": 66.67, "healthy": True},
        {"url": B, "model": "tiny-llama4", "requests": 2, "share_pct": 33.33, "healthy": True}]}),
])
def test_shares_between_two_real_readings(before, after, expected):
    share = gm.shares(gm.snapshot(capture(before)), gm.snapshot(capture(after)))
    assert share.pop("summary")
    assert share == expected


def test_a_worker_registered_during_the_profile_counts_from_zero():
    before = gm.snapshot(RESEARCH_LINES)
    after = gm.snapshot(RESEARCH_LINES.replace("} 3", "} 5") + (
        'smg_worker_requests_total{worker="http://127.0.0.1:18003",model="tiny-llama4"} 5\n'))
    share = gm.shares(before, after)
    assert [(w["url"], w["requests"], w["share_pct"], w["healthy"]) for w in share["workers"]] == [
        ("http://127.0.0.1:18001", 2, 28.57, True), ("http://127.0.0.1:18003", 5, 71.43, None)]
    assert share["summary"] == ("7 requests sent to the replicas (0 retries): "
                                "http://127.0.0.1:18001 2 (28.6 %), http://127.0.0.1:18003 5 (71.4 %)")


@pytest.mark.parametrize("text", ["", "# nothing\nprocess_open_fds 3\n",
                                  'smg_worker_health{worker="http://a:1"} 1'])
def test_metrics_without_worker_counters_are_refused(text):
    with pytest.raises(gm.MetricsError, match="no smg_worker_requests_total series"):
        gm.snapshot(text)


@pytest.mark.parametrize("args,expected", [
    (("0.0.0.0", 30080, "127.0.0.1", 29000),
     {"url": "http://127.0.0.1:30080", "metrics_url": "http://127.0.0.1:29000/metrics"}),
    (("::", "30080", "::", "29000"),
     {"url": "http://127.0.0.1:30080", "metrics_url": "http://127.0.0.1:29000/metrics"}),
    (("10.0.0.10", 8080, "fd00::10", 9100),
     {"url": "http://10.0.0.10:8080", "metrics_url": "http://[fd00::10]:9100/metrics"}),
])
def test_urls_from_the_gateway_host(args, expected):
    assert gm.urls(*args) == expected


@pytest.mark.parametrize("args,message", [
    (("", 30080, "127.0.0.1", 29000), "sglang_gateway_host=''"),
    ((None, 30080, "127.0.0.1", 29000), "sglang_gateway_host=None"),
    (("[::1]", 30080, "127.0.0.1", 29000), "sglang_gateway_host='[::1]'"),
    (("127.0.0.1@evil.example", 30080, "127.0.0.1", 29000), "sglang_gateway_host='127.0.0.1@evil"),
    (("0.0.0.0", 30080, "evil.example/x?", 29000), "sglang_gateway_metrics_host='evil.example/x?'"),
    (("0.0.0.0", "80x", "127.0.0.1", 29000), "sglang_gateway_port='80x' is not a TCP port"),
    (("0.0.0.0", 30080, "127.0.0.1", 70000), "sglang_gateway_metrics_port=70000 is not a TCP port"),
])
def test_urls_refuse_what_is_no_address_or_port(args, message):
    with pytest.raises(gm.MetricsError) as raised:
        gm.urls(*args)
    assert message in str(raised.value)


# GET /workers of smg 1.13.0 in front of the double (the fields read, as it answered)
WORKER = {"id": "01a248a0-b523-7059-99ba-f9555daecb6a", "model_id": "tiny-llama4",
          "url": "http://127.0.0.1:18102",
          "models": [{"id": "tiny-llama4", "model_type": ["chat", "completions"],
                      "tokenizer_path": "/srv/models/tiny-llama4"}],
          "labels": {"tokenizer_path": "/srv/models/tiny-llama4"}, "is_healthy": True}


@pytest.mark.parametrize("workers,expected", [
    ([WORKER, dict(WORKER, url="http://127.0.0.1:18101")],
     {"model": "tiny-llama4", "tokenizer": "/srv/models/tiny-llama4",
      "workers": ["http://127.0.0.1:18101", "http://127.0.0.1:18102"], "error": ""}),
    # no tokenizer reported: the model's id
    ([dict(WORKER, models=[], labels={})],
     {"model": "tiny-llama4", "tokenizer": "tiny-llama4", "workers": ["http://127.0.0.1:18102"],
      "error": ""}),
])
def test_the_one_model_and_its_tokenizer(workers, expected):
    assert gm.served_model(workers) == expected


@pytest.mark.parametrize("workers,message", [
    ([], "the gateway serves no worker; bench_serving's /generate requests name no model"),
    ([WORKER, dict(WORKER, model_id="other")], "the gateway serves several models (other, tiny-llama4)"),
])
def test_no_model_or_several_are_refused(workers, message):
    out = gm.served_model(workers)
    assert out["model"] is None and out["error"].startswith(message)
