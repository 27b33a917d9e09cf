"""Every argv the planner produces (unit tables, the example inventory, option combinations) is
accepted by SGLang's own argument parser, for each pinned SGLang version, and parses to the values
the plan states. Needs scripts/setup-sglang-parser (the test command runs it)."""

import itertools
import json
import os
import subprocess

import pytest
import yaml

from helpers import H100_8_FIXTURE, MAVERICK, MAVERICK_FP8, ROOT, SCOUT, TINY, TINY_ARGS, TINY_CONFIG, facts
from ansible_collections.llmops.sglang.plugins.module_utils.planner import (
    SUPPORTED_SGLANG_VERSIONS,
    PlanError,
    plan_launch,
)
from ansible_collections.llmops.sglang.plugins.module_utils import sglang_options
from ansible_collections.llmops.sglang.plugins.module_utils.launch_config import argv_to_config
from unit.plugins.module_utils.test_planner import PLAN_CASES

PARSER_DIR = os.environ.get("SGLANG_PARSER_DIR", os.path.join(ROOT, ".cache", "sglang-parser"))
pytestmark = pytest.mark.sglang_parser


def example_inventory_arguments():
    base = os.path.join(ROOT, "inventories", "example")
    with open(os.path.join(base, "hosts.yml")) as handle:
        inventory = yaml.safe_load(handle)
    with open(os.path.join(base, "group_vars", "sglang", "main.yml")) as handle:
        group = yaml.safe_load(handle)
    out = {}
    for cluster in inventory["all"]["children"]["sglang"]["children"].values():
        for host, hostvars in cluster["hosts"].items():
            merged = dict(group, **hostvars)
            for name in sorted(os.listdir(os.path.join(base, "host_vars", host))):
                with open(os.path.join(base, "host_vars", host, name)) as handle:
                    merged.update(yaml.safe_load(handle))
            args = {k[len("sglang_"):]: v for k, v in merged.items() if k.startswith("sglang_")}
            args["sglang_version"] = args.pop("version", "0.5.23")
            out["example-" + host] = args
    return out


def option_matrix():
    """Every model x hardware x option combination the planner accepts."""
    fixtures = ["h100-80gb-hbm3-x1", "h200-141gb-x4", H100_8_FIXTURE, "derived-h200-x8",
                "derived-b200-x8", "derived-mi300x-x8"]
    out = {}
    for fixture, model, quant, mm, tools, spec, hybrid in itertools.product(
            fixtures, [SCOUT, MAVERICK, MAVERICK_FP8, TINY], ["auto", "fp8"], [False, True],
            [False, True], ["none", "eagle3"], [None, False]):
        args = {"gpus": facts(fixture), "model": model, "quantization": quant, "multimodal": mm,
                "tool_calling": tools, "speculative": spec, "hybrid_kv": hybrid}
        if model == TINY:
            args["model_config"] = TINY_CONFIG
        try:
            plan_launch(args)
        except PlanError:
            continue
        out["-".join(str(x) for x in (fixture, model.split("/")[-1], quant, mm, tools, spec,
                                      hybrid))] = args
    return out


def all_cases():
    """Each case for both pinned versions: version-specific flags are checked against the parser
    of the version they are for."""
    out = {}
    for version in SUPPORTED_SGLANG_VERSIONS:
        for case_id, args in _cases().items():
            out["%s@%s" % (case_id, version)] = dict(args, sglang_version=version)
    return out


def _cases():
    cases = {"table-" + c[0]: dict(c[3], gpus=facts(c[1]), model=c[2]) for c in PLAN_CASES}
    cases["deprecated-extra-flag"] = {"gpus": facts("h100-80gb-hbm3-x1"), **TINY_ARGS,
                                      "extra_args": ["--disable-cuda-graph", "--enable-cache-report"]}
    cases["long-context"] = {"gpus": facts(H100_8_FIXTURE), "model": SCOUT,
                             "context_length": 5_000_000}
    cases.update(example_inventory_arguments())
    cases.update(option_matrix())
    return cases


@pytest.fixture(scope="module")
def planned():
    out = {}
    for case_id, args in all_cases().items():
        out[case_id] = plan_launch(args)
    return out


def run_parser(version, planned):
    site = os.path.join(PARSER_DIR, "sglang-%s" % version)
    python = os.path.join(PARSER_DIR, "venv", "bin", "python")
    if not (os.path.exists(python) and os.path.isdir(site)):
        if os.environ.get("LLMOPS_SKIP_SGLANG_PARSER") == "1":
            pytest.skip("SGLang parser not set up (LLMOPS_SKIP_SGLANG_PARSER=1)")
        pytest.fail("SGLang %s parser missing in %s: run scripts/setup-sglang-parser" % (
            version, PARSER_DIR))
    cases = []
    for case_id, result in planned.items():
        if case_id.endswith("@" + version):
            argv, extra = result["argv"], result["plan"]["extra_args"]
            cases.append({"id": case_id, "argv": argv, "extra": extra,
                          "config": argv_to_config(argv[:len(argv) - len(extra)])})
    payload = json.dumps(cases)
    env = dict(os.environ, PYTHONPATH=site, CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([python, os.path.join(ROOT, "tests", "sglang_parser", "check_argv.py")],
                          input=payload, capture_output=True, text=True, env=env, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_case_count(planned):
    assert len(planned) > 100


@pytest.mark.parametrize("version", SUPPORTED_SGLANG_VERSIONS)
def test_sglang_parser_accepts_every_plan(version, planned):
    report = run_parser(version, planned)
    assert report["version"] == version
    failures = {r["id"]: r["error"] for r in report["results"] if not r["ok"]}
    assert failures == {}
    # the service role's config file, merged back by SGLang's own --config code, means the same
    config_failures = {r["id"]: r["config_error"] for r in report["results"] if not r["config_same"]}
    assert config_failures == {}
    for result in report["results"]:
        plan = planned[result["id"]]["plan"]
        parsed = result["parsed"]
        assert parsed["tp_size"] == plan["tp_size"]
        assert parsed["context_length"] == plan["context_length"]
        assert parsed["attention_backend"] == plan["attention_backend"]
        assert parsed["mem_fraction_static"] == pytest.approx(plan["mem_fraction_static"])
        assert parsed["chat_template"] == "llama-4"
        assert parsed["port"] == plan["port"]
        assert parsed.get("enable_multimodal") in ((True,) if plan["multimodal"] else (None, False))
        if plan["tool_calling"]:
            assert parsed["tool_call_parser"] == "pythonic"
        if plan["speculative"] == "eagle3":
            assert parsed["speculative_algorithm"] == "EAGLE3"
            assert parsed.get("cuda_graph_max_bs_decode", parsed.get("cuda_graph_max_bs")) == 2
            assert parsed["speculative_draft_model_path"] == plan["eagle3_draft"]
        if plan["hybrid_kv"]:
            assert parsed["swa_full_tokens_ratio"] == pytest.approx(plan["swa_full_tokens_ratio"])
        if plan["quantization"] == "fp8" and "--quantization" in planned[result["id"]]["argv"]:
            assert parsed["quantization"] == "fp8"


def test_option_tables_are_sglangs_own():
    """plugins/module_utils/sglang_options.py is what SGLang's own parser defines, per version."""
    if not os.path.exists(os.path.join(PARSER_DIR, "venv", "bin", "python")):
        pytest.fail("SGLang parser missing in %s: run scripts/setup-sglang-parser" % PARSER_DIR)
    proc = subprocess.run([os.path.join(PARSER_DIR, "venv", "bin", "python"),
                           os.path.join(ROOT, "tests", "sglang_parser", "dump_options.py")],
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(os.path.join(ROOT, "plugins", "module_utils", "sglang_options.py")) as handle:
        assert handle.read() == proc.stdout, "run tests/sglang_parser/dump_options.py --write"


def test_planned_options_are_exact_names(planned):
    """The planner writes SGLang's full option names, never a prefix argparse would expand."""
    for case_id, result in planned.items():
        table = sglang_options.options(case_id.rsplit("@", 1)[1])
        assert [a for a in result["argv"] if a.startswith("--") and a not in table] == [], case_id
