"""deploy.yml refuses bad input in preflight, before the first change, with a one-line reason
naming the value and the host. Runs against this machine (ansible_connection=local) with the
nvidia-smi test double; every case fails before the install role, so nothing is written."""

import os
import sys

import pytest
import yaml

from helpers import ROOT
from integration.test_plan_playbook import BIN, DOUBLES, ansible_playbook, recap

pytestmark = pytest.mark.playbook

BASE = {
    "ansible_connection": "local",
    "ansible_python_interpreter": sys.executable,
    "sglang_model": "llmops-test/tiny-llama4",
    "sglang_install_root": "/nonexistent/llmops-sglang-test",
    "sglang_preflight_min_shm_gib": 0.01,
    "sglang_preflight_disk_headroom_gib": 0.01,
    "sglang_preflight_min_nofile": 1,
    "sglang_preflight_require_unlimited_memlock": False,
}

CASES = [
    ({"sglang_model": "meta-llama/Llama-5-Giant"}, "model='meta-llama/Llama-5-Giant' has no profile"),
    ({"sglang_port": "http"}, "argument 'sglang_port' is of type str and we were unable to convert to int"),
    ({"sglang_context_length": -1}, "context_length=-1 is out of range"),
    ({"sglang_model": "/no/such/model"}, "/no/such/model/config.json"),
    ({"sglang_instance": "Bad Name"}, "sglang_instance=\"Bad Name\" must be 1-40 lower-case"),
    ({"sglang_preflight_min_shm_gib": "lots"}, "sglang_preflight_min_shm_gib"),
    ({"sglang_model": "meta-llama/Llama-4-Maverick-17B-128E-Instruct"}, "does not fit on 1 x H100"),
    # injection into the unit, the env file and paths: refused as a class, before any change
    ({"sglang_instance": "main\n"}, 'sglang_instance="main\\n" must be 1-40 lower-case'),
    ({"sglang_service_instance": "../../etc"}, 'sglang_service_instance="../../etc" must be'),
    ({"sglang_network_interface": "eth0\nLD_PRELOAD=/tmp/x.so"},
     'sglang_network_interface="eth0\\nLD_PRELOAD=/tmp/x.so" holds a control or format character'),
    ({"sglang_service_environment": {"A\nB": "x"}}, 'sglang_service_environment "A\\nB"="x"'),
    ({"sglang_service_environment": {"NCCL_DEBUG": "INFO\u202e"}}, "sglang_service_environment "
                                                                   '"NCCL_DEBUG"="INFO\\u202e"'),
    ({"sglang_api_key": "sk-not-shown\nX=1"}, "sglang_api_key=(hidden) holds a control"),
    ({"sglang_served_model_name": "scout\n[Service]\nExecStartPre=+/bin/sh"},
     "holds a control or format character"),
    ({"sglang_extra_args": ["--api-ke=sk-not-shown"]}, "extra_args[0]='--api-ke' is not an option"),
    ({"sglang_version": "9.9.9"}, "sglang_version='9.9.9' is not a release whose launch flags"),
]


@pytest.mark.parametrize("override,message", CASES, ids=[m[:30] for _override, m in CASES])
def test_bad_input_stops_in_preflight(tmp_path, override, message):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {"sglang": {"hosts": {
        "gpu-local": dict(BASE, **override)}}}}}))
    env = {"PATH": DOUBLES + os.pathsep + BIN + os.pathsep + os.environ["PATH"],
           "NVIDIA_SMI_DOUBLE_FIXTURE": "h100-80gb-hbm3-x1"}
    proc = ansible_playbook("-i", str(inventory), os.path.join(ROOT, "deploy.yml"), env=env,
                            check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert message in " ".join(out.split()), out[-3000:]
    assert "Traceback" not in out
    assert "sk-not-shown" not in out  # a secret is named, never shown
    assert recap(proc.stdout)["gpu-local"]["changed"] == 0
    assert "sglang_install :" not in proc.stdout  # no task of the install role ran
    assert not os.path.exists("/nonexistent/llmops-sglang-test")
