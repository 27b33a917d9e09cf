"""The planner's memory model against SGLang's own log lines from real GPUs.

Every calibration run kept under tests/e2e/gpu/results/ (made by tests/e2e/gpu/calibrate.py on a
lent GPU machine) is replayed here: for the flags that ran, the planner's memory model must give
SGLang's weights within 3 %, its full and SWA pools within 5 %; every planned start started,
its context stayed within SGLang's full pool and the long prompt was answered; every refusal
matched SGLang's own failure. A change to the memory model that breaks a real run fails here.
"""

import glob
import os
import sys

import pytest

from helpers import ROOT

sys.path.insert(0, os.path.join(ROOT, "tests", "e2e", "gpu"))
import calibration_table  # noqa: E402

RUNS = sorted(glob.glob(os.path.join(ROOT, "tests", "e2e", "gpu", "results", "*", "gpu-facts.txt")))
CASES = [(os.path.dirname(run), row) for run in RUNS
         for row in calibration_table.case_rows(os.path.dirname(run))]


def test_calibration_runs_are_kept():
    assert CASES, "no calibration run under tests/e2e/gpu/results/"
    assert {row["expect"] for _run, row in CASES} == {"start", "refuse"}


@pytest.mark.parametrize("run,row", CASES, ids=["%s/%s" % (os.path.basename(r), row["case"])
                                                for r, row in CASES])
def test_plan_holds_against_sglang(run, row):
    failed = [(name, detail) for name, ok, detail in calibration_table.checks(row) if not ok]
    assert not failed, failed


def test_sglang_log_parser_reads_its_own_lines():
    text = ("[2026-11-28 03:34:32 TP0] Load weight begin. avail mem=138.21 GB\n"
            "[2026-11-28 03:34:32 TP0] Load weight end. elapsed=0.33 s, type=Llama4ForConditional"
            "Generation, avail mem=32.73 GB, mem usage=105.48 GB.\n"
            "[2026-11-28 03:34:35 TP0] Use sliding window memory pool. full_layer_tokens=435099, "
            "swa_layer_tokens=130355\n"
            "[2026-11-28 03:36:51 TP0] max_total_num_tokens=435099, chunked_prefill_size=8192, "
            "max_prefill_tokens=16384, max_running_requests=16, context_len=423936, "
            "available_gpu_mem=11.29 GB\n")
    got = calibration_table.sglang_numbers(text)
    assert got == {"preload_gib": 138.21, "weights_gib": 105.48, "full_tokens": 435099,
                   "swa_tokens": 130355, "max_total_num_tokens": 435099, "context_len": 423936,
                   "max_running_requests": 16, "left_after_graphs_gib": 11.29}
