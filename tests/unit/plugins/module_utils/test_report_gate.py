"""The regression gate as tables: which way each metric is better, the threshold, and only the
same host, profile and shape compared."""

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import report_gate as gate_mod


def metrics(throughput=1000.0, ttft=100.0, itl=10.0, tpot=10.0, concurrency=1, completed=10):
    return {"output_throughput": throughput, "median_ttft_ms": ttft, "median_itl_ms": itl,
            "median_tpot_ms": tpot, "random_input_len": 1000, "random_output_len": 1000,
            "random_range_ratio": 1.0, "max_concurrency": concurrency, "completed": completed}


@pytest.mark.parametrize("now,threshold,regressed", [
    (metrics(), 10, []),
    (metrics(throughput=901.0), 10, []),                       # -9.9 %: inside
    (metrics(throughput=899.0), 10, ["output_throughput"]),    # -10.1 %
    (metrics(throughput=1500.0), 10, []),                      # faster is never a regression
    (metrics(ttft=111.0), 10, ["median_ttft_ms"]),             # +11 % latency
    (metrics(ttft=50.0, itl=5.0), 10, []),                     # lower latency is better
    (metrics(itl=12.0, tpot=12.0), 10, ["median_itl_ms", "median_tpot_ms"]),
    (metrics(itl=12.0, tpot=12.0), 25, []),                    # another gate
    (metrics(throughput=600.0, ttft=200.0), 50, ["median_ttft_ms"]),
])
def test_regression_gate(now, threshold, regressed):
    gate = gate_mod.compare({"h1": {"latency": now}}, {"h1": {"latency": metrics()}}, threshold)
    assert [r["metric"] for r in gate["regressions"]] == regressed
    assert len(gate["compared"]) == 4
    for row in gate["regressions"]:
        assert "regressed" in gate_mod.regression_message(row, threshold)
    assert sorted(gate_mod.regressions_by_host(gate)) == (["h1"] if regressed else [])


@pytest.mark.parametrize("baseline,why", [
    ({}, "not in the baseline"),
    ({"h1": {"throughput": metrics()}}, "not in the baseline"),
    ({"h1": {"latency": metrics(concurrency=4)}}, "another shape in the baseline (max_concurrency 4 -> 1)"),
    ({"h1": {"latency": metrics(completed=9)}}, "completed 9 -> 10"),
])
def test_gate_compares_only_the_same_host_profile_and_shape(baseline, why):
    gate = gate_mod.compare({"h1": {"latency": metrics(throughput=1.0)}}, baseline, 10)
    assert gate["regressions"] == []
    assert why in gate["skipped"][0]["why"]


def test_regressions_by_host_names_each_metric_with_the_gate():
    gate = gate_mod.compare({"h1": {"latency": metrics(throughput=500.0, tpot=20.0)}},
                            {"h1": {"latency": metrics()}}, 10)
    assert gate_mod.regressions_by_host(gate) == {"h1": [
        "latency output tok/s regressed 50.0 % (baseline 1000, now 500; the gate allows 10 %)",
        "latency TPOT p50 ms regressed 100.0 % (baseline 10, now 20; the gate allows 10 %)"]}
    assert gate_mod.regressions_by_host(None) == {}
