"""What rollout.yml asks of a server and of a staged SGLang, against the real contracts: the
request burst (llmops.sglang.request_burst) against the SGLang server double with its fault knobs
(a hang while /health answers, a slower build); the canary's gate, SGLang 0.5.23's own
bench_serving against the double before and after a change (a build 20 % slower trips it, the same
build does not); and the staged version's argument check
(roles/sglang_rollout/files/check_args.py) with SGLang 0.5.23's own parser and with the double's
copy of its options, which must agree."""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import bench_profiles, bench_prompts, rollout
from ansible_collections.llmops.sglang.plugins.modules import request_burst

from helpers import ROOT
from .test_sglang_double_gateway import KEY, MODEL, start_double, stop

CHECK_ARGS = os.path.join(ROOT, "roles", "sglang_rollout", "files", "check_args.py")
DOUBLE_SITE = os.path.join(ROOT, "tests", "doubles", "sglang_server")
PARSER_DIR = os.environ.get("SGLANG_PARSER_DIR", os.path.join(ROOT, ".cache", "sglang-parser"))


def params(port, **more):
    out = {"url": "http://127.0.0.1:%d" % port, "model": MODEL, "api_key": KEY, "requests": 20,
           "concurrency": 4, "max_tokens": 16, "timeout": 10}
    out.update(more)
    return out


def started(tmp_path, monkeypatch, **knobs):
    for name, value in knobs.items():
        monkeypatch.setenv(name, value)
    proc, port, _log = start_double(tmp_path, "--api-key", KEY)
    return proc, port


def test_a_healthy_server_answers_every_request(tmp_path, monkeypatch):
    proc, port = started(tmp_path, monkeypatch)
    try:
        result = request_burst.burst(params(port))
    finally:
        stop(proc)
    assert (result["requests"], result["answered"], result["failed"]) == (20, 20, 0)
    assert result["statuses"] == {"200": 20}
    assert result["output_tokens"] == 40  # the double's completion: 2 tokens
    assert result["output_tokens_per_s"] > 0


def test_generation_that_hangs_while_health_answers_fails_within_the_timeout(tmp_path, monkeypatch):
    proc, port = started(tmp_path, monkeypatch, SGLANG_DOUBLE_HANG_AFTER="5")
    try:
        t = time.time()
        result = request_burst.burst(params(port, timeout=2))
        took = time.time() - t
        health = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                 "http://127.0.0.1:%d/health" % port], capture_output=True, text=True,
                                check=False)
    finally:
        stop(proc)
    assert result["answered"] == 5
    assert result["failed"] >= 1 and result["requests"] < 20  # the first failure stops the burst
    assert "timed out" in " ".join(result["first_errors"])
    assert took < 8
    assert health.stdout == "200"


def test_a_wrong_key_is_a_failure_with_its_status(tmp_path, monkeypatch):
    proc, port = started(tmp_path, monkeypatch)
    try:
        result = request_burst.burst(params(port, api_key="wrong", requests=3, concurrency=1))
    finally:
        stop(proc)
    assert result["answered"] == 0 and result["statuses"] == {"401": 1}


def test_a_slower_build_measures_slower(tmp_path, monkeypatch):
    proc, port = started(tmp_path, monkeypatch)
    try:
        fast = request_burst.burst(params(port, requests=40))
    finally:
        stop(proc)
    proc, port = started(tmp_path, monkeypatch, SGLANG_DOUBLE_TOKEN_SECONDS="0.05")
    try:
        slow = request_burst.burst(params(port, requests=40))
    finally:
        stop(proc)
    # five times the time per token: far beyond the noise of a loaded test machine
    assert slow["output_tokens_per_s"] < 0.5 * fast["output_tokens_per_s"], (fast, slow)


def check_args(python, site, argv):
    env = dict(os.environ, PYTHONPATH=site)
    with open(CHECK_ARGS) as handle:
        code = handle.read()
    return subprocess.run([python, "-c", code], input=json.dumps(argv), capture_output=True, text=True,
                          env=env, timeout=300, check=False)


ARGVS = [
    (["--model-path", "/m", "--tp-size", "4", "--attention-backend", "fa3", "--enable-metrics"], 0),
    (["--model-path", "/m", "--attention-backend", "no-such-backend"], 2),
    (["--model-path", "/m", "--no-such-option", "1"], 2),
    (["--model-path", "/m", "--tp-size"], 2),
]


@pytest.mark.parametrize("argv, rc", ARGVS)
def test_the_argument_check_with_the_double_and_sglangs_own_parser(argv, rc):
    double = check_args(sys.executable, DOUBLE_SITE, argv)
    assert double.returncode == rc, double.stderr[-500:]
    python = os.path.join(PARSER_DIR, "venv", "bin", "python")
    if not os.path.exists(python):
        if os.environ.get("LLMOPS_SKIP_SGLANG_PARSER") == "1":
            pytest.skip("SGLang parser not set up (LLMOPS_SKIP_SGLANG_PARSER=1)")
        pytest.fail("SGLang parser missing in %s: run scripts/setup-sglang-parser" % PARSER_DIR)
    real = check_args(python, os.path.join(PARSER_DIR, "sglang-0.5.23"), argv)
    assert real.returncode == rc, real.stderr[-500:]
    if rc:  # the same option named (aliases and the order of choices aside)
        said = [re.search(r"error: (argument --[a-z0-9-]+|unrecognized arguments: .*)", p.stderr).group(1)
                for p in (double, real)]
        assert said[0] == said[1]


def test_the_doubles_options_are_sglang_0_5_23s():
    python = os.path.join(PARSER_DIR, "venv", "bin", "python")
    if not os.path.exists(python):
        pytest.skip("SGLang parser not set up")
    code = ("import argparse, json; from sglang.srt.server_args import ServerArgs; "
            "p = argparse.ArgumentParser(); ServerArgs.add_cli_args(p); "
            "print(json.dumps(sorted(o[2:] for a in p._actions for o in a.option_strings "
            "if o.startswith('--') and o != '--help')))")
    real = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=300, check=True,
                          env=dict(os.environ, PYTHONPATH=os.path.join(PARSER_DIR, "sglang-0.5.23")))
    with open(os.path.join(DOUBLE_SITE, "sglang", "srt", "server_args_options.json")) as handle:
        double = sorted(json.load(handle)["options"])
    assert json.loads(real.stdout) == double


# the canary's profile of the gateway scenario (tests/molecule/gateway): short, as a CPU allows
CANARY = {"name": "canary", "num_prompts": 16, "max_concurrency": 4, "input_len": 64, "output_len": 32}


def bench_serving(tmp_path, port, tag):
    """SGLang 0.5.23's bench_serving with the command the bench role builds; its record."""
    python = os.path.join(PARSER_DIR, "venv", "bin", "python")
    if not os.path.exists(os.path.join(PARSER_DIR, "sglang-0.5.23", "sglang", "bench_serving.py")):
        if os.environ.get("LLMOPS_SKIP_SGLANG_PARSER") == "1":
            pytest.skip("SGLang's client environment not set up")
        pytest.fail("run scripts/setup-sglang-parser first (SGLang's client on a CPU)")
    profile = bench_profiles.validate_profiles([CANARY])[0]
    output = tmp_path / ("%s.jsonl" % tag)
    argv = bench_profiles.bench_serving_argv(
        profile, python, "http://127.0.0.1:%d" % port, str(tmp_path / MODEL), MODEL, str(tmp_path / MODEL),
        str(tmp_path / "prompts.json"), str(output))
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False, cwd=str(tmp_path),
                          env=dict(os.environ, PYTHONPATH=os.path.join(PARSER_DIR, "sglang-0.5.23"),
                                   OPENAI_API_KEY=KEY, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false"))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(output.read_text().splitlines()[-1])


@pytest.fixture
def tokenized(tmp_path):
    """The double's model folder with a tokenizer made here, and local prompts (no hub)."""
    shutil.copytree(os.path.join(ROOT, "tests", "fixtures", "models", MODEL), tmp_path / MODEL)
    subprocess.run([os.path.join(PARSER_DIR, "venv", "bin", "python"),
                    os.path.join(ROOT, "tests", "fixtures", "models", "make_test_tokenizer.py"),
                    str(tmp_path / MODEL)], check=True, capture_output=True, timeout=300)
    (tmp_path / "prompts.json").write_text(bench_prompts.sharegpt_json(CANARY["num_prompts"]))
    return tmp_path


def canary_runs(tmp_path, monkeypatch, after_knobs):
    proc, port = started(tmp_path, monkeypatch)
    try:
        before = bench_serving(tmp_path, port, "before")
    finally:
        stop(proc)
    proc, port = started(tmp_path, monkeypatch, **after_knobs)
    try:
        after = bench_serving(tmp_path, port, "after")
    finally:
        stop(proc)
    return before, after


def test_the_canary_gate_passes_the_same_build(tokenized, monkeypatch):
    before, after = canary_runs(tokenized, monkeypatch, {})
    assert before["completed"] == after["completed"] == 16
    summaries = (rollout.bench_summary(before), rollout.bench_summary(after))
    assert rollout.bench_regressions(before, after, 10) == [], summaries


def test_the_canary_gate_stops_a_build_20_percent_slower(tokenized, monkeypatch):
    before, after = canary_runs(tokenized, monkeypatch, {"SGLANG_DOUBLE_TOKEN_SECONDS": "0.012"})
    regressions = rollout.bench_regressions(before, after, 10)
    # every metric the gate reads is about 20 % worse
    assert [line.split(" regressed")[0] for line in regressions] == [
        "canary output tok/s", "canary TTFT p50 ms", "canary ITL p50 ms", "canary TPOT p50 ms"], (
        rollout.bench_summary(before), rollout.bench_summary(after))
