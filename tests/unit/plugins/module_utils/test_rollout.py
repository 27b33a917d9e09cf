"""The rollout's decisions: why a host rolls, who stays ready, what a burst measured, whether the
canary's benchmark regressed, and the record's timings and lines."""

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


SHAPE = {"random_input_len": 1000, "random_output_len": 200, "random_range_ratio": 1.0, "max_concurrency": 16,
         "completed": 64}
BEFORE = dict(SHAPE, output_throughput=1000.0, median_ttft_ms=80.0, median_itl_ms=10.0, median_tpot_ms=10.0)


@pytest.mark.parametrize("after, pct, expected", [
    (dict(BEFORE), 10, []),
    # 10 % worse is within a 10 % gate; 11 % is not
    (dict(BEFORE, output_throughput=900.0, median_ttft_ms=88.0), 10, []),
    (dict(BEFORE, output_throughput=890.0), 10,
     ["canary output tok/s regressed 11.0 % (baseline 1000, now 890; the gate allows 10 %)"]),
    # a build 20 % slower in every metric
    (dict(BEFORE, output_throughput=833.0, median_ttft_ms=96.0, median_itl_ms=12.0, median_tpot_ms=12.0), 10,
     ["canary output tok/s regressed 16.7 % (baseline 1000, now 833; the gate allows 10 %)",
      "canary TTFT p50 ms regressed 20.0 % (baseline 80, now 96; the gate allows 10 %)",
      "canary ITL p50 ms regressed 20.0 % (baseline 10, now 12; the gate allows 10 %)",
      "canary TPOT p50 ms regressed 20.0 % (baseline 10, now 12; the gate allows 10 %)"]),
    (dict(BEFORE, median_itl_ms=12.0), 25, []),
    # faster is never a regression, whatever the gate
    (dict(BEFORE, output_throughput=2000.0, median_ttft_ms=40.0), 0, []),
    # requests lost after the change
    (dict(BEFORE, completed=60), 10, ["canary completed 60 of the baseline's 64 requests"]),
    (dict(BEFORE, completed=0), 10, ["canary completed 0 of the baseline's 64 requests"]),
    # another shape (a profile changed between the two runs) is not compared as if it were the same
    (dict(BEFORE, random_input_len=500), 10,
     ["canary: another shape in the baseline (random_input_len 1000 -> 500)"]),
])
def test_bench_regressions_use_the_bench_gate(after, pct, expected):
    assert rollout.bench_regressions(BEFORE, after, pct) == expected


def test_a_baseline_without_completed_requests_cannot_pass():
    assert rollout.bench_regressions(dict(BEFORE, completed=0), BEFORE, 10) == [
        "canary: the baseline run completed no request: nothing to compare with"]


def test_canary_profiles_are_named_apart_and_send_other_prompts():
    profile = {"name": "canary", "num_prompts": 8}
    assert rollout.canary_profiles(profile, 1) == [dict(profile, seed=1)]
    runs = rollout.canary_profiles(dict(profile, seed=7), 3)
    assert [(p["name"], p["seed"]) for p in runs] == [("canary", 7), ("canary-2", 8), ("canary-3", 9)]
    assert all(p["num_prompts"] == 8 for p in runs)
    # a seed that is no number is left for the bench role's check to name
    assert [p["seed"] for p in rollout.canary_profiles(dict(profile, seed="x"), 2)] == ["x", "x"]


# rollout.yml's default canary profile on SGLang 0.5.17 on a real H100 (the tiny checkpoint), in the
# order it ran: each "restarted-N" follows a restart with the same flags, "again-N" runs right
# after it; "disable-cuda-graph" followed a restart with --disable-cuda-graph
# (tests/e2e/gpu/results/2026-12-06-canary-gate/probe.json; bench_serving recorded no TTFT or ITL
# for that random checkpoint's output)
H100_SERIES = (("before", 8511.9, 1.6814), ("again", 8789.8, 1.8004), ("restarted", 9055.3, 1.7477),
               ("restarted-2", 8445.7, 1.8672), ("disable-cuda-graph", 2179.5, 7.2876),
               ("restarted-3", 8848.7, 1.7705), ("again-3", 7839.8, 1.9256),
               ("restarted-4", 8090.1, 1.9315), ("again-4", 8475.4, 1.8539),
               ("restarted-5", 7328.3, 2.1556), ("again-5", 7967.4, 1.9929),
               ("restarted-6", 8237.1, 1.9269), ("again-6", 7553.1, 2.0978))
H100 = {name: dict(SHAPE, output_throughput=thr, median_ttft_ms=0.0, median_itl_ms=0.0, median_tpot_ms=tpot)
        for name, thr, tpot in H100_SERIES}
PAIRS = [("before", "again")] + [("restarted-%d" % n, "again-%d" % n) for n in (3, 4, 5, 6)]


def gate(before, after):
    return rollout.bench_regressions(rollout.best_run([H100[n] for n in before]),
                                     rollout.best_run([H100[n] for n in after]), 10)


def test_best_run_takes_each_metrics_best_and_the_fewest_completed():
    best = rollout.best_run([H100["before"], dict(H100["again"], completed=63), {}])
    assert (best["output_throughput"], best["median_tpot_ms"], best["completed"], best["runs"]) == (
        8789.8, 1.6814, 63, 2)
    assert rollout.best_run([]) == {}


@pytest.mark.parametrize("before, after", list(zip(PAIRS[1:], PAIRS[2:])))
def test_on_real_runs_the_best_of_two_passes_the_same_build_across_a_restart(before, after):
    assert gate(before, after) == []


def test_on_real_runs_one_run_a_side_took_the_same_build_for_a_regression():
    # the last run before a restart and the first after it, same flags: 13.5 % in throughput, 16.3 % in TPOT
    assert gate(["again-4"], ["restarted-5"]) == [
        "canary output tok/s regressed 13.5 % (baseline 8475, now 7328; the gate allows 10 %)",
        "canary TPOT p50 ms regressed 16.3 % (baseline 1.854, now 2.156; the gate allows 10 %)"]


@pytest.mark.parametrize("before", [["restarted-2"], ["before", "again"]])
def test_on_real_runs_cuda_graphs_off_is_stopped(before):
    assert [line.split(" regressed")[0] for line in gate(before, ["disable-cuda-graph"])] == [
        "canary output tok/s", "canary TPOT p50 ms"]


def test_bench_summary_keeps_the_shape_and_the_gated_metrics():
    record = dict(BEFORE, mean_ttft_ms=90.0, server_info={"port": "30000"}, tag="canary")
    assert rollout.bench_summary(record) == BEFORE


def test_report_times_each_step_and_renders_one_line_per_host():
    records = [
        {"host": "w1", "result": "rolled", "from_version": "0.5.17", "to_version": "0.5.23",
         "reasons": ["SGLang 0.5.17 -> 0.5.23"], "servers": ["sglang-main.service"],
         "bench": {"profile": "canary", "regression_pct": 10.0, "before": BEFORE,
                   "after": dict(BEFORE, output_throughput=1010.0, median_ttft_ms=78.0)},
         "accuracy": {"task": "mmlu_pro", "score": 0.75, "samples": 28, "limit": 2, "minimum": 0.7},
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
        "- w1: rolled, SGLang 0.5.17 -> 0.5.23, 20.0 s (gates 1.5 s, drain 5.5 s, stop 13.0 s); canary "
        "bench_serving canary: output tok/s 1000 -> 1010, TTFT p50 ms 80 -> 78, ITL p50 ms 10 -> 10, "
        "TPOT p50 ms 10 -> 10; canary mmlu_pro slice 0.7500 over 28 questions (minimum 0.7)",
        "- w2: rolled back, SGLang 0.5.17 -> 0.5.23, 1.0 s (gates 1.0 s); w2: check: 3 of 50 requests were "
        "not answered; back on SGLang 0.5.17"]
