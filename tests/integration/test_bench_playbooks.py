"""playbooks/bench.yml and playbooks/accuracy.yml end to end on this machine (ansible_connection
local): SGLang 0.5.23's own bench_serving client (the CPU environment of
scripts/setup-sglang-parser) and the pinned lm-eval (installed by the accuracy role) against the
SGLang server double (tests/doubles), with a tokenizer made here and MMLU-Pro-shaped test
questions. Results land under reports/<cluster>/<timestamp>/, the report renders with its
plots, the API key is nowhere in them, hosts change nothing on a second run, the baseline gate
and the accuracy minimum fail the host with the numbers, bad profiles stop before any run."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
import yaml

from helpers import ROOT
from integration.test_plan_playbook import BIN, DOUBLES, ansible_playbook, recap

pytestmark = pytest.mark.playbook

PARSER_DIR = os.environ.get("SGLANG_PARSER_DIR", os.path.join(ROOT, ".cache", "sglang-parser"))
CLIENT_PYTHON = os.path.join(PARSER_DIR, "venv", "bin", "python")
CLIENT_SITE = os.path.join(PARSER_DIR, "sglang-0.5.23")
LM_EVAL_VENV = os.path.join(ROOT, ".cache", "lm-eval-venv")
KEY = "bench-test-key-9f8e7d"
QUESTIONS = os.path.join(ROOT, "tests", "fixtures", "mmlu-pro-shaped")
PROFILES = [
    {"name": "latency", "num_prompts": 4, "max_concurrency": 1, "input_len": 64, "output_len": 32},
    {"name": "throughput", "num_prompts": 24, "max_concurrency": 6, "input_len": 64,
     "output_len": 32},
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_client():
    """SGLang's own bench_serving, set up by scripts/setup-sglang-parser."""
    if not os.path.exists(os.path.join(CLIENT_SITE, "sglang", "bench_serving.py")):
        if os.environ.get("LLMOPS_SKIP_SGLANG_PARSER") == "1":
            pytest.skip("SGLang's client environment not set up")
        pytest.fail("run scripts/setup-sglang-parser first (SGLang's client on a CPU)")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    require_client()
    base = tmp_path_factory.mktemp("bench")
    model = base / "tiny-llama4"
    shutil.copytree(os.path.join(ROOT, "tests", "fixtures", "models", "tiny-llama4"), model)
    subprocess.run([CLIENT_PYTHON, os.path.join(ROOT, "tests", "fixtures", "models",
                                                "make_test_tokenizer.py"), str(model)], check=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "tests", "doubles", "sglang_server", "sglang",
                                      "launch_server.py"),
         "--model-path", str(model), "--served-model-name", "tiny-llama4", "--port", str(port),
         "--api-key", KEY],
        env=dict(os.environ, SGLANG_DOUBLE_LOAD_SECONDS="0",
                 SGLANG_DOUBLE_RECORD=str(base / "launch-args.json")),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _attempt in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield {"base": base, "model": str(model), "port": port}
    server.terminate()
    server.wait(timeout=10)


def inventory(served, tmp_path, **extra):
    host = {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "sglang_model": served["model"],
        "sglang_served_model_name": "tiny-llama4",
        "sglang_port": served["port"],
        "sglang_api_key": KEY,
        "sglang_attention_backend": "triton",
        "sglang_mem_fraction_static": 0.5,
        "sglang_bench_python": CLIENT_PYTHON,
        "sglang_bench_environment": {"PYTHONPATH": CLIENT_SITE},
        "sglang_bench_work_dir": str(served["base"] / "work"),
        "sglang_bench_poll_seconds": 2,
        "sglang_bench_profiles": PROFILES,
        "sglang_accuracy_venv": LM_EVAL_VENV,
        "sglang_accuracy_work_dir": str(served["base"] / "accuracy"),
        "sglang_accuracy_poll_seconds": 3,
        "sglang_accuracy_dataset_files": {"test": os.path.join(QUESTIONS, "test.jsonl"),
                                          "validation": os.path.join(QUESTIONS, "validation.jsonl")},
    }
    host["sglang_config_dir"] = str(tmp_path / "etc-sglang")
    host.update(extra)
    path = tmp_path / "lab" / "hosts.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump({"all": {"children": {"sglang": {"hosts": {"gpu-1": host}}}}}))
    record_deployed_plan(str(path), tmp_path)
    return str(path)


def record_deployed_plan(inv, tmp_path):
    """What deploy.yml's service stage records on the host (roles/sglang_service, task "Record
    the deployed plan"): bench.yml and accuracy.yml read it instead of planning again."""
    plans = tmp_path / "plans"
    run("playbooks/plan.yml", inv, tmp_path, "-e", "sglang_plan_dir=%s" % plans)
    planned = json.loads((plans / "gpu-1.json").read_text())
    config_dir = tmp_path / "etc-sglang"
    config_dir.mkdir(exist_ok=True)
    record = {"instance": "main", "unit": "sglang-main.service",
              "sglang_version": planned["plan"]["sglang_version"], "command": planned["command"],
              "argv": planned["argv"], "plan": planned["plan"], "ranks": ["gpu-1"], "previous": None}
    (config_dir / "main.plan.json").write_text(json.dumps(record))


def run(playbook, inv, tmp_path, *args, check=True):
    env = {"PATH": DOUBLES + os.pathsep + BIN + os.pathsep + os.environ["PATH"],
           "NVIDIA_SMI_DOUBLE_FIXTURE": "h100-80gb-hbm3-x1"}
    return ansible_playbook("-i", inv, playbook, "-e", "sglang_reports_root=%s" % (
        tmp_path / "reports"), *args, env=env, check=check)


def report_dirs(tmp_path):
    root = tmp_path / "reports" / "lab"
    return sorted(str(root / d) for d in os.listdir(root)) if root.exists() else []


def all_text(folder):
    out = []
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as handle:
                out.append(handle.read().decode("latin-1"))
    return "\n".join(out)


def test_bench_writes_results_and_report_then_changes_nothing(served, tmp_path):
    inv = inventory(served, tmp_path)
    first = run("playbooks/bench.yml", inv, tmp_path)
    assert recap(first.stdout)["gpu-1"]["failed"] == 0
    [report] = report_dirs(tmp_path)
    host = os.path.join(report, "gpu-1")
    assert sorted(os.listdir(host)) == ["host.json", "latency.jsonl", "throughput.jsonl"]
    for name, prompts in (("latency", 4), ("throughput", 24)):
        with open(os.path.join(host, name + ".jsonl")) as handle:
            [record] = [json.loads(line) for line in handle]
        assert record["completed"] == prompts and record["backend"] == "sglang"
        assert record["random_range_ratio"] == 1.0 and record["tag"] == name
        # SGLang's /server_info carries the key; it was redacted on the host
        assert record["server_info"]["api_key"] == "<redacted>"
    assert KEY not in all_text(report)
    for png in ("output_throughput", "ttft_percentiles", "itl_tpot_percentiles", "decode_ceiling"):
        with open(os.path.join(report, "plots", png + ".png"), "rb") as handle:
            data = handle.read()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, png
    with open(os.path.join(report, "report.md")) as handle:
        md = handle.read()
    assert "| gpu-1 | latency | 4 | 1 | 64/32 |" in md and "| gpu-1 | throughput | 24 | 6 | 64/32 |" in md
    assert "1 x 3.35 TB/s" in md and " %" in md
    assert os.path.exists(os.path.join(report, "report.html"))
    assert "latency: " in first.stdout and "output tok/s" in first.stdout

    checked = run("playbooks/bench.yml", inv, tmp_path, "--check")
    assert recap(checked.stdout)["gpu-1"]["changed"] == 0
    assert len(report_dirs(tmp_path)) == 1  # check mode runs no client and writes no report

    time.sleep(1.1)  # another second, another report folder
    second = run("playbooks/bench.yml", inv, tmp_path, "-e",
                 '{"sglang_bench_run_profiles": ["latency"]}')
    assert recap(second.stdout)["gpu-1"]["changed"] == 0
    assert len(report_dirs(tmp_path)) == 2
    assert os.path.getsize(os.path.join(report, "gpu-1", "throughput.jsonl")) > 0  # kept

    # the baseline gate: an earlier run three times as fast fails the host with the numbers
    baseline = tmp_path / "baseline"
    shutil.copytree(report, baseline)
    path = baseline / "gpu-1" / "latency.jsonl"
    record = json.loads(path.read_text())
    record["output_throughput"] *= 3
    path.write_text(json.dumps(record) + "\n")
    time.sleep(1.1)
    gated = run("playbooks/bench.yml", inv, tmp_path, "-e",
                '{"sglang_bench_run_profiles": ["latency"]}', "-e", "bench_baseline=%s" % baseline,
                check=False)
    out = " ".join(gated.stdout.split())
    assert gated.returncode != 0
    assert "gpu-1: latency output tok/s regressed" in out and "the gate allows 10 %" in out
    assert recap(gated.stdout)["gpu-1"]["changed"] == 0
    with open(os.path.join(report_dirs(tmp_path)[-1], "report.md")) as handle:
        assert "REGRESSED" in handle.read()


@pytest.mark.parametrize("override,message", [
    ({"sglang_bench_profiles": [{"name": "latency", "num_prompts": 0, "max_concurrency": 1,
                                 "input_len": 8, "output_len": 8}]},
     "gpu-1: benchmark profile 'latency': num_prompts=0 must be a whole number >= 1"),
    ({"sglang_bench_run_profiles": ["nightly"]},
     "gpu-1: sglang_bench_run_profiles names nightly, not among the profiles (latency, throughput)"),
    ({"sglang_port": 1}, "/health answered -1"),
])
def test_bench_refuses_bad_input_before_running(served, tmp_path, override, message):
    inv = inventory(served, tmp_path, **override)
    proc = run("playbooks/bench.yml", inv, tmp_path, check=False)
    out = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    assert message in out, out[-3000:]
    assert "Traceback" not in out
    assert recap(proc.stdout)["gpu-1"]["changed"] == 0


def test_bench_and_accuracy_refuse_a_host_without_a_deployed_plan(served, tmp_path):
    inv = inventory(served, tmp_path)
    os.remove(tmp_path / "etc-sglang" / "main.plan.json")
    for playbook in ("playbooks/bench.yml", "playbooks/accuracy.yml"):
        proc = run(playbook, inv, tmp_path, check=False)
        out = " ".join((proc.stdout + proc.stderr).split())
        assert proc.returncode != 0
        missing = "gpu-1: not deployed: %s/main.plan.json is missing" % (tmp_path / "etc-sglang")
        assert missing in out, out[-3000:]
        assert "run deploy.yml for instance main first" in out
        assert "Traceback" not in out


def test_bench_refuses_a_record_cut_short(served, tmp_path):
    """A record file that holds no record (a write cut short by a full disk): "not deployed", named,
    not a JSON error."""
    inv = inventory(served, tmp_path)
    record = tmp_path / "etc-sglang" / "main.plan.json"
    record.write_text(record.read_text()[:50])
    proc = run("playbooks/bench.yml", inv, tmp_path, check=False)
    out = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    assert ("gpu-1: not deployed: %s holds no plan record (not JSON, or without argv, command, plan "
            "and ranks: cut short or edited); run deploy.yml for instance main" % record) in out, out[-3000:]
    assert "Traceback" not in out


def test_bench_refuses_while_a_restart_is_pending(served, tmp_path):
    """The recorded plan may not be what runs until deploy.yml has restarted and verified it."""
    root = tmp_path / "opt-sglang"
    (root / "restart-pending").mkdir(parents=True)
    (root / "restart-pending" / "sglang-main.service").write_text("# pending\n")
    inv = inventory(served, tmp_path, sglang_install_root=str(root))
    proc = run("playbooks/bench.yml", inv, tmp_path, check=False)
    out = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    assert ("gpu-1: a restart of sglang-main.service is pending (%s/restart-pending/sglang-main.service)"
            % root) in out, out[-3000:]
    assert "Traceback" not in out


def test_accuracy_lands_beside_the_bench_results_and_gates(served, tmp_path):
    inv = inventory(served, tmp_path)
    run("playbooks/bench.yml", inv, tmp_path, "-e", '{"sglang_bench_run_profiles": ["latency"]}')
    [report] = report_dirs(tmp_path)
    # the double answers (B); 21 of the 28 test questions are (B)
    proc = run("playbooks/accuracy.yml", inv, tmp_path, "-e", "sglang_report_dir=%s" % report,
               "-e", "sglang_accuracy_min=0.8", check=False)
    out = " ".join(proc.stdout.split())
    assert proc.returncode != 0
    assert "gpu-1: mmlu_pro_local score 0.7500 is below sglang_accuracy_min=0.8" in out
    with open(os.path.join(report, "gpu-1", "accuracy.json")) as handle:
        score = json.load(handle)
    assert score["score"] == 0.75 and score["samples"] == 28 and score["num_fewshot"] == 0
    assert "--apply_chat_template" in score["command"] and KEY not in score["command"]
    assert sorted(os.listdir(os.path.join(report, "gpu-1"))) == [
        "accuracy.json", "host.json", "latency.jsonl"]
    with open(os.path.join(report, "report.md")) as handle:
        md = handle.read()
    assert "| gpu-1 | mmlu_pro_local | 0.7500 |" in md and "| gpu-1 | latency |" in md
    assert KEY not in all_text(report)

    again = run("playbooks/accuracy.yml", inv, tmp_path, "-e", "sglang_accuracy_min=0.7")
    assert recap(again.stdout)["gpu-1"]["changed"] == 0
    assert "gpu-1: 0.7500 >= 0.7" in again.stdout


def report_task(tmp_path, **args):
    """A playbook of one bench_report task on localhost, with these arguments."""
    path = tmp_path / "report.yml"
    path.write_text(yaml.safe_dump([{"name": "Report", "hosts": "localhost", "gather_facts": False,
                                     "tasks": [{"name": "Write the report",
                                                "llmops.sglang.bench_report": args}]}]))
    return ansible_playbook("-i", "localhost,", "-c", "local", str(path), check=False)


def latency_record():
    with open(os.path.join(ROOT, "tests", "fixtures", "bench-serving",
                           "h100-tiny-llama4-latency-sglang-0.5.17.jsonl")) as handle:
        return json.loads(handle.readline())


def test_bench_report_writes_given_results_then_changes_nothing(tmp_path):
    plan = {"bandwidth_tbps": 3.35, "tp_size": 1, "quantization": "bf16",
            "active_weight_bytes_per_token": 12_066_816}
    args = {"report_dir": str(tmp_path / "r"), "cluster": "lab", "plots": False,
            "results": {"gpu-1": {"host": {"plan": plan},
                                  "profiles": {"latency": [latency_record()]}}}}
    first = report_task(tmp_path, **args)
    assert recap(first.stdout)["localhost"] == {"ok": 1, "changed": 1, "failed": 0}
    with open(tmp_path / "r" / "report.md") as handle:
        assert "| 1 x 3.35 TB/s | 0.0121 GB (the plan's, per weight dtype) |" in handle.read()
    assert sorted(os.listdir(tmp_path / "r")) == ["gpu-1", "report.html", "report.md",
                                                  "summary.json"]
    again = report_task(tmp_path, **args)
    assert recap(again.stdout)["localhost"] == {"ok": 1, "changed": 0, "failed": 0}


@pytest.mark.parametrize("args,message", [
    # a misspelled argument is refused, naming it and the arguments there are
    ({"reprot_dir": "r"}, "llmops.sglang.bench_report: unknown argument reprot_dir (did you mean "
                          "report_dir?); the arguments are baseline_dir, cluster, hosts, plots, "
                          "regression_pct, report_dir, result_vars, results, timestamp"),
    ({"report_dir": "r", "regresion_pct": 5, "zzz": 1},
     "unknown arguments regresion_pct (did you mean regression_pct?), zzz; the arguments are"),
    ({}, "missing required arguments: report_dir"),
    ({"report_dir": "r", "regression_pct": "ten"}, "argument 'regression_pct' is of type str"),
    ({"report_dir": "r", "regression_pct": 100},
     "bench_report: regression_pct=100.0 must be between 0 and 100 (percent)"),
])
def test_bench_report_refuses_bad_arguments(tmp_path, args, message):
    proc = report_task(tmp_path, **args)
    out = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    assert message in out, out[-3000:]
    assert "Traceback" not in out
    assert not (tmp_path / "r").exists()
