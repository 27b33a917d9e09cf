"""The rollout's decisions: why a host rolls, who stays ready, what a burst measured, whether the
canary regressed, and the record's timings and lines."""

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import rollout

PLANNED = {"sglang_version": "0.5.23", "command": "python -m sglang.launch_server --config x",
           "argv": ["--tp-size", "4"]}


@pytest.mark.parametrize("current, recorded, pending, stale, expected", [
    ("0.5.23", dict(PLANNED), [], [], []),
    ("0.5.17", dict(PLANNED), [], [], ["SGLang 0.5.17 -> 0.5.23"]),
    ("", dict(PLANNED), [], [], ["SGLang none -> 0.5.23"]),
    ("0.5.23", None, [], [], ["no deployed plan recorded"]),
    ("0.5.23", dict(PLANNED, argv=["--tp-size", "8"]), [], [], ["planned argv changed"]),
    ("0.5.23", dict(PLANNED, sglang_version="0.5.17", command="old"), [], [],
     ["planned sglang_version, command changed"]),
    ("0.5.23", dict(PLANNED), ["sglang-main-1.service", "sglang-main-0.service"], [],
     ["a restart is pending (sglang-main-0.service, sglang-main-1.service)"]),
    ("0.5.23", dict(PLANNED), [], ["/etc/sglang/main.env"], ["/etc/sglang/main.env would change"]),
])
def test_reasons(current, recorded, pending, stale, expected):
    assert rollout.reasons(current, "0.5.23", recorded, PLANNED, pending, stale) == expected


WORKERS = [
    {"url": "http://a:30000", "model_id": "scout", "is_healthy": True},
    {"url": "http://b:30000", "model_id": "scout", "is_healthy": True},
    {"url": "http://b:30001", "model_id": "scout", "is_healthy": False},
    {"url": "http://c:30000", "model_id": "maverick", "is_healthy": True},
]


@pytest.mark.parametrize("leaving, expected", [
    (["http://a:30000"], ["http://b:30000"]),
    (["http://a:30000", "http://b:30000"], []),
    ([], ["http://a:30000", "http://b:30000"]),
])
def test_ready_elsewhere_counts_healthy_workers_of_the_model_that_stay(leaving, expected):
    assert rollout.ready_elsewhere(WORKERS, "scout", leaving) == expected


def test_burst_summary():
    rows = [{"status": 200, "seconds": 0.1, "output_tokens": 4, "error": None},
            {"status": 200, "seconds": 0.3, "output_tokens": 4, "error": None},
            {"status": 200, "seconds": 0.2, "output_tokens": 0, "error": "no choice in the answer"},
            {"status": "URLError", "seconds": 5.0, "output_tokens": 0, "error": "timed out"}]
    summary = rollout.burst_summary(rows, 2.0)
    assert summary == {
        "requests": 4, "answered": 2, "failed": 2, "statuses": {"200": 3, "URLError": 1},
        "first_errors": ["no choice in the answer", "timed out"], "seconds": 2.0, "output_tokens": 8,
        "output_tokens_per_s": 4.0, "latency_p50_s": 0.1, "latency_p99_s": 0.3}


@pytest.mark.parametrize("before, after, pct, regressed", [
    (100.0, 95.0, 10, False),
    (100.0, 90.0, 10, False),
    (100.0, 89.0, 10, True),
    (100.0, 60.0, 50, False),
    (100.0, 120.0, 0, False),
    (0.0, 10.0, 10, False),  # no baseline to compare with
])
def test_regression(before, after, pct, regressed):
    message = rollout.regression({"output_tokens_per_s": before}, {"output_tokens_per_s": after}, pct)
    assert (message is not None) == regressed
    if regressed:
        assert message == ("output throughput 89.0 tok/s is 11.0 % below the baseline's 100.0 tok/s "
                           "(allowed: 10 %)")


def test_report_times_each_step_and_renders_one_line_per_host():
    records = [
        {"host": "w1", "result": "rolled", "from_version": "0.5.17", "to_version": "0.5.23",
         "reasons": ["SGLang 0.5.17 -> 0.5.23"], "servers": ["sglang-main.service"],
         "steps": [["gates", 100.0], ["drain", 101.5], ["stop", 107.0], ["done", 120.0]]},
        {"host": "w2", "result": "rolled back", "from_version": "0.5.17", "to_version": "0.5.23",
         "failure": "w2: check: 3 of 50 requests were not answered", "rollback": "back on SGLang 0.5.17",
         "steps": [["gates", 200.0], ["done", 201.0]]},
    ]
    doc = rollout.report(records, "2026-12-06T00:00:00Z")
    assert doc["result"] == "stopped at w2"
    assert doc["hosts"][0]["steps"] == [{"step": "gates", "seconds": 1.5}, {"step": "drain", "seconds": 5.5},
                                        {"step": "stop", "seconds": 13.0}]
    assert doc["hosts"][0]["seconds"] == 20.0
    assert "failure" not in doc["hosts"][0]
    assert rollout.markdown(doc).splitlines() == [
        "# Rollout: stopped at w2", "",
        "- w1: rolled, SGLang 0.5.17 -> 0.5.23, 20.0 s (gates 1.5 s, drain 5.5 s, stop 13.0 s)",
        "- w2: rolled back, SGLang 0.5.17 -> 0.5.23, 1.0 s (gates 1.0 s); w2: check: 3 of 50 requests were "
        "not answered; back on SGLang 0.5.17"]
