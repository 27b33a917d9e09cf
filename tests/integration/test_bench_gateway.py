"""playbooks/bench.yml through the gateway (-e sglang_bench_target=gateway), end to end on this
machine: the real smg 1.13.0 (.cache/smg-venv, made by scripts/setup-smg from the offline
wheelhouse; SMG_VENV names another) on loopback, round_robin, in front of two SGLang server
doubles sharing one API key,
and SGLang 0.5.23's own bench_serving (scripts/setup-sglang-parser) on the gateway host against
the gateway. The report says the fleet's throughput and each replica's requests and share, read
from smg's own metrics; the key is nowhere in the output or the report; check mode and a second
run change nothing; a gateway host benchmarked as a replica is told what to do."""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import yaml

from helpers import ROOT
from integration.test_bench_playbooks import (
    CLIENT_PYTHON,
    CLIENT_SITE,
    all_text,
    free_port,
    recap,
    report_dirs,
    require_client,
    run,
)

pytestmark = pytest.mark.playbook

SMG = os.path.join(os.environ.get("SMG_VENV", os.path.join(ROOT, ".cache", "smg-venv")), "bin", "smg")
KEY = "gateway-bench-key-5c4b3a"
DOUBLE = os.path.join(ROOT, "tests", "doubles", "sglang_server", "sglang", "launch_server.py")
PROFILES = [
    {"name": "latency", "num_prompts": 4, "max_concurrency": 1, "input_len": 64, "output_len": 16},
    {"name": "throughput", "num_prompts": 24, "max_concurrency": 6, "input_len": 64,
     "output_len": 16},
]


def wait_for(url_check, what, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if url_check():
            return
        time.sleep(0.3)
    pytest.fail("%s did not come up" % what)


def answers(port, path, body=None):
    import http.client
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", path)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status == 200 and (body is None or body in data)
    except OSError:
        return False


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    require_client()
    if not os.access(SMG, os.X_OK):
        pytest.fail("no smg at %s: run scripts/setup-smg (SMG_VENV names another venv)" % SMG)
    base = tmp_path_factory.mktemp("gateway-bench")
    model = base / "tiny-llama4"
    shutil.copytree(os.path.join(ROOT, "tests", "fixtures", "models", "tiny-llama4"), model)
    subprocess.run([CLIENT_PYTHON, os.path.join(ROOT, "tests", "fixtures", "models",
                                                "make_test_tokenizer.py"), str(model)], check=True)
    procs, workers = [], []
    try:
        for _double in range(2):
            port = free_port()
            procs.append(subprocess.Popen(
                [sys.executable, DOUBLE, "--model-path", str(model), "--served-model-name",
                 "tiny-llama4", "--host", "127.0.0.1", "--port", str(port), "--api-key", KEY],
                env=dict(os.environ, SGLANG_DOUBLE_LOAD_SECONDS="0"),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            workers.append("http://127.0.0.1:%d" % port)
            wait_for(lambda p=port: answers(p, "/health"), "the double on %d" % port)
        port, metrics = free_port(), free_port()
        log = open(base / "smg.log", "w")
        # the key in argv is this test's only (the role's launcher reads it from a file)
        procs.append(subprocess.Popen(
            [SMG, "launch", "--host", "127.0.0.1", "--port", str(port), "--worker-urls", *workers,
             "--policy", "round_robin", "--prometheus-host", "127.0.0.1", "--prometheus-port",
             str(metrics), "--api-key", KEY], stdout=log, stderr=subprocess.STDOUT))
        log.close()
        wait_for(lambda: answers(port, "/readiness", b'"healthy_workers":2'), "smg")
        yield {"base": base, "model": str(model), "port": port, "metrics": metrics,
               "workers": workers}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def inventory(gateway, tmp_path, **extra):
    host = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
            "sglang_gateway_host": "127.0.0.1", "sglang_gateway_port": gateway["port"],
            "sglang_gateway_metrics_port": gateway["metrics"], "sglang_api_key": KEY,
            "sglang_bench_python": CLIENT_PYTHON,
            "sglang_bench_environment": {"PYTHONPATH": CLIENT_SITE},
            "sglang_bench_work_dir": str(tmp_path / "work"), "sglang_bench_poll_seconds": 2,
            "sglang_bench_profiles": PROFILES, "sglang_config_dir": str(tmp_path / "etc-sglang")}
    host.update(extra)
    path = tmp_path / "lab" / "hosts.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump({"all": {"children": {
        "sglang": {"hosts": {}}, "sglang_gateway": {"hosts": {"gw-1": host}}}}}))
    return str(path)


def test_bench_through_the_gateway_reports_each_replicas_share(gateway, tmp_path):
    inv = inventory(gateway, tmp_path)
    first = run("playbooks/bench.yml", inv, tmp_path, "-e", "sglang_bench_target=gateway")
    assert recap(first.stdout)["gw-1"]["failed"] == 0
    [report] = report_dirs(tmp_path)
    folder = os.path.join(report, "gw-1")
    assert sorted(os.listdir(folder)) == ["host.json", "latency.fleet.json", "latency.jsonl",
                                          "throughput.fleet.json", "throughput.jsonl"]
    with open(os.path.join(folder, "host.json")) as handle:
        host = json.load(handle)
    assert host["target"] == "gateway" and host["url"] == "http://127.0.0.1:%d" % gateway["port"]
    assert host["gateway"]["model"] == "tiny-llama4"
    assert host["gateway"]["workers"] == sorted(gateway["workers"])
    for name, prompts in (("latency", 4), ("throughput", 24)):
        with open(os.path.join(folder, name + ".jsonl")) as handle:
            [record] = [json.loads(line) for line in handle]
        assert record["completed"] == prompts
        with open(os.path.join(folder, name + ".fleet.json")) as handle:
            share = json.load(handle)
        # the profile's requests and bench_serving's one warm-up request, nothing retried
        assert share["dispatched"] == prompts + 1 and share["retries"] == 0
        assert [w["url"] for w in share["workers"]] == sorted(gateway["workers"])
        # round_robin: each replica gets half, give or take the odd one
        for worker in share["workers"]:
            assert abs(worker["requests"] - (prompts + 1) / 2) <= 1, share
            assert worker["healthy"] is True and worker["model"] == "tiny-llama4"
        assert sum(w["share_pct"] for w in share["workers"]) == pytest.approx(100, abs=0.02)
        assert "through the gateway: %d requests sent to the replicas (0 retries)" % (
            prompts + 1) in first.stdout
    with open(os.path.join(report, "report.md")) as handle:
        md = handle.read()
    assert "## Through the gateway: fleet throughput and each replica's share" in md
    for url in gateway["workers"]:
        assert "| %s | tiny-llama4 |" % url in md
    assert KEY not in all_text(report) and KEY not in first.stdout + first.stderr

    checked = run("playbooks/bench.yml", inv, tmp_path, "-e", "sglang_bench_target=gateway",
                  "--check")
    assert recap(checked.stdout)["gw-1"]["changed"] == 0
    assert len(report_dirs(tmp_path)) == 1  # check mode runs no client and writes no report
    assert KEY not in checked.stdout + checked.stderr

    time.sleep(1.1)
    second = run("playbooks/bench.yml", inv, tmp_path, "-e", "sglang_bench_target=gateway",
                 "-e", '{"sglang_bench_run_profiles": ["latency"]}')
    assert recap(second.stdout)["gw-1"]["changed"] == 0
    assert KEY not in second.stdout + second.stderr


def test_a_gateway_host_benchmarked_as_a_replica_is_told_the_switch(gateway, tmp_path):
    inv = inventory(gateway, tmp_path)
    proc = run("playbooks/bench.yml", inv, tmp_path, "-e", "sglang_bench_hosts=sglang_gateway",
               check=False)
    out = " ".join(proc.stdout.split())
    assert proc.returncode != 0
    assert ("gw-1 is a gateway host (group sglang_gateway) without an SGLang server of its own: "
            "benchmark it with -e sglang_bench_target=gateway") in out, out[-3000:]


@pytest.mark.parametrize("override,message", [
    ({"sglang_gateway_metrics_port": 1}, "/metrics answered -1"),
    ({"sglang_api_key": "wrong-key-000"}, "/workers answered 401 (the API key"),
])
def test_bench_through_the_gateway_refuses_before_running(gateway, tmp_path, override, message):
    inv = inventory(gateway, tmp_path, **override)
    proc = run("playbooks/bench.yml", inv, tmp_path, "-e", "sglang_bench_target=gateway",
               check=False)
    out = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    assert message in out, out[-3000:]
    assert "wrong-key-000" not in out and KEY not in out
    assert report_dirs(tmp_path) == [] or not os.listdir(report_dirs(tmp_path)[0])
