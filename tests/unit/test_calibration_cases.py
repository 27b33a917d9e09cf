"""The calibration cases (tests/e2e/gpu/calibration_cases.py) plan as they expect on the machine
kind they name, from the published configs in tests/e2e/gpu/models/: what should start is planned,
what should be refused is refused. Checked here so a GPU lease is never spent on a broken case."""

import json
import os
import sys

import pytest

from helpers import ROOT, facts
from ansible_collections.llmops.sglang.plugins.module_utils.planner import PlanError, plan_launch

GPU = os.path.join(ROOT, "tests", "e2e", "gpu")
sys.path.insert(0, GPU)
from calibration_cases import CASES  # noqa: E402

# one recorded or derived capture per kind, with the kind's GPU count
KINDS = {"nvidia-h100-x4": ("derived-h100-x8", 4), "nvidia-h100-x8": ("derived-h100-x8", 8),
         "nvidia-h200-x4": ("h200-141gb-x4", 4),
         "nvidia-h200-x2": ("h200-141gb-x4", 2), "nvidia-h200-x8": ("derived-h200-x8", 8)}
INVENTORY_EXTRA = ["--load-format", "dummy", "--sampling-backend", "pytorch",
                   "--grammar-backend", "none"]


def plan_case(case):
    fixture, count = KINDS[case["kind"]]
    with open(os.path.join(GPU, "models", case["model"] + ".json")) as handle:
        config = json.load(handle)
    args = {"gpus": dict(facts(fixture), count=count), "model": "/var/tmp/e2e/models/" + case["model"],
            "model_config": config, "sglang_version": "0.5.17", "extra_args": INVENTORY_EXTRA}
    args.update({k[len("sglang_"):]: v for k, v in case["vars"].items()})
    return plan_launch(args, host="gpu-local")


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_plans_as_expected(name):
    case = CASES[name]
    if case["expect"] == "refuse":
        with pytest.raises(PlanError, match="does not fit"):
            plan_case(case)
        return
    plan = plan_case(case)["plan"]
    assert plan["context_length"] <= plan["kv_pool_tokens"]
    given = case["vars"].get("sglang_context_length")
    if given:
        assert plan["context_length"] == given
    if "long_prompt" in case.get("checks", []):
        assert plan["context_length"] >= 100_000


def test_cases_name_lent_kinds_and_known_checks():
    for case in CASES.values():
        assert case["kind"] in KINDS
        assert set(case.get("checks", [])) <= {"long_prompt", "bench:latency", "bench:throughput"}
        assert case["expect"] in ("start", "refuse")
