"""deploy.yml refuses bad input in preflight, before the first change, with a one-line reason
naming the value and the host. Runs against this machine (ansible_connection=local) with the
nvidia-smi test double; every case fails before the install role, so nothing is written."""

import json
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
    # the tiny test checkpoint as a local folder: preflight reads its config.json on the host
    "sglang_model": os.path.join(ROOT, "tests", "fixtures", "models", "tiny-llama4"),
    "sglang_install_root": "/nonexistent/llmops-sglang-test",
    "sglang_preflight_min_shm_gib": 0.01,
    "sglang_preflight_disk_headroom_gib": 0.01,
    "sglang_preflight_min_nofile": 1,
    "sglang_preflight_require_unlimited_memlock": False,
}

CASES = [
    ({"sglang_model": "meta-llama/Llama-5-Giant"}, "model='meta-llama/Llama-5-Giant' has no profile"),
    ({"sglang_port": "http"}, "gpu-local: port='http' is not a TCP port"),
    ({"sglang_context_length": -1}, "context_length=-1 is out of range"),
    ({"sglang_model": "/no/such/model"}, "/no/such/model/config.json"),
    # ~ is not the weights role's hub download: refused with the fix, as plan.yml refuses it
    ({"sglang_model": "~/models/scout"}, "model='~/models/scout' is not an absolute path"),
    ({"sglang_instance": "Bad Name"}, "sglang_instance=\"Bad Name\" must be 1-40 lower-case"),
    ({"sglang_preflight_min_shm_gib": "lots"}, "sglang_preflight_min_shm_gib"),
    ({"sglang_model": "meta-llama/Llama-4-Maverick-17B-128E-Instruct"}, "does not fit on 1 x H100"),
    # injection into the unit, the env file and paths: refused as a class, before any change
    ({"sglang_instance": "main\n"}, 'sglang_instance="main\\n" must be 1-40 lower-case'),
    ({"sglang_service_instance": "../../etc"}, 'sglang_service_instance="../../etc" is no longer read'),
    # the config folder becomes paths of the config, env file and recorded plan
    ({"sglang_config_dir": "/etc/sglang/../../tmp"},
     'sglang_config_dir="/etc/sglang/../../tmp" must be an absolute path'),
    ({"sglang_config_dir": "/etc/sglang\nExecStartPre=/x"},
     'sglang_config_dir="/etc/sglang\\nExecStartPre=/x" must be'),
    # every role names the unit after sglang_instance: one name
    ({"sglang_service_instance": "other"},
     'sglang_service_instance="other" is no longer read: every role names the unit after '
     'sglang_instance; set sglang_instance instead'),
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


def preflight_two_ranks(tmp_path, first_rank, extra=()):
    """deploy.yml --tags sglang_preflight on two Scout ranks (4 x H100 each, nnodes 2); the second host
    is node_rank 1, the first `first_rank`."""
    gpus = {"vendor": "nvidia", "count": 4, "name": "NVIDIA H100 80GB HBM3", "family": "H100",
            "memory_mib": 81559, "compute_capability": "9.0", "driver_version": "580.95.05"}
    group = dict(BASE, sglang_model="meta-llama/Llama-4-Scout-17B-16E-Instruct", sglang_gpus=gpus,
                 sglang_nnodes=2, sglang_dist_init_addr="10.0.0.1:5000")
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {"sglang": {"hosts": {
        "rank0": dict(group, sglang_node_rank=first_rank), "rank1": dict(group, sglang_node_rank=1)}}}}}))
    return ansible_playbook("-i", str(inventory), os.path.join(ROOT, "deploy.yml"), "--tags",
                            "sglang_preflight", *extra, check=False)


def test_ranks_of_a_multi_node_model_stay_in_one_batch(tmp_path):
    """A rollout batch with only some ranks of one model would restart half a group: refused."""
    proc = preflight_two_ranks(tmp_path, first_rank=0, extra=["-e", "sglang_serial=1"])
    out = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    assert ("rank0: this batch holds 1 of the 2 ranks with sglang_dist_init_addr=10.0.0.1:5000 "
            "(rank0); list the ranks together in the inventory and give -e sglang_serial a "
            "multiple of 2") in out
    assert "Traceback" not in out


def test_each_rank_of_a_multi_node_model_once(tmp_path):
    """Two hosts both node_rank 1 (no rank 0): refused in preflight, naming every rank."""
    proc = preflight_two_ranks(tmp_path, first_rank=1)
    out = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    for host in ("rank0", "rank1"):
        assert ("%s: the hosts with sglang_dist_init_addr=10.0.0.1:5000 are rank0 (node_rank 1), "
                "rank1 (node_rank 1) with sglang_nnodes 2; every rank must give the same "
                "sglang_nnodes, and each node_rank from 0 to 1 must appear exactly once"
                % host) in out, out[-3000:]
    assert "Traceback" not in out


@pytest.mark.parametrize("stage", ["sglang_service", "sglang_weights", "sglang_service_configure"])
def test_a_stage_runs_alone(tmp_path, stage):
    """--tags <role or stage>: the plan runs with it (it failed with "'sglang_launch' is
    undefined")."""
    host = dict(BASE, sglang_service_systemd=False, sglang_install_user="root",
                sglang_install_group="root", sglang_preflight_check_port=False,
                sglang_config_dir=str(tmp_path / "etc-sglang"),
                sglang_gpus={"vendor": "nvidia", "count": 1, "name": "NVIDIA H100 80GB HBM3",
                             "family": "H100", "memory_mib": 81559, "compute_capability": "9.0",
                             "driver_version": "580.95.05"})
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {"sglang": {"hosts": {
        "gpu-local": host}}}}}))
    proc = ansible_playbook("-i", str(inventory), os.path.join(ROOT, "deploy.yml"), "--check",
                            "--tags", stage, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "sglang_launch' is undefined" not in out
    assert "llmops.sglang.sglang_plan : Keep the plan for the roles that follow" in out
    assert "llmops.sglang.sglang_preflight : Enough /dev/shm" in out
    assert ("llmops.sglang.%s :" % "_".join(stage.split("_")[:2])) in out
    if stage == "sglang_service_configure":
        assert "llmops.sglang.sglang_service : Configuration folder" in out
        assert "llmops.sglang.sglang_service : Enable and start the service" not in out
    assert not os.path.exists(tmp_path / "etc-sglang")  # check mode


def preflight_replica(tmp_path, second=None):
    """deploy.yml --tags sglang_preflight on a replica of Scout over two 4 x H100 hosts given as
    one inventory group with sglang_replica (no node ranks typed): mav-b comes first."""
    gpus = {"vendor": "nvidia", "count": 4, "name": "NVIDIA H100 80GB HBM3", "family": "H100",
            "memory_mib": 81559, "compute_capability": "9.0", "driver_version": "580.95.05"}
    group = dict(BASE, sglang_model="meta-llama/Llama-4-Scout-17B-16E-Instruct", sglang_gpus=gpus)
    inventory = tmp_path / "hosts.yml"
    hosts = {"mav-b": dict(group, ansible_host="10.0.0.2"),
             "mav-a": dict(group, ansible_host="10.0.0.1", **(second or {}))}
    tree = {"all": {"children": {"sglang": {"children": {
        "scout_a": {"vars": {"sglang_replica": "scout-a"}, "hosts": hosts}}}}}}
    inventory.write_text(yaml.safe_dump(tree, sort_keys=False))
    return ansible_playbook("-i", str(inventory), os.path.join(ROOT, "deploy.yml"), "--tags",
                            "sglang_preflight", check=False)


def test_a_replica_group_gets_its_ranks_from_the_inventory_order(tmp_path):
    proc = preflight_replica(tmp_path)
    out = proc.stdout + proc.stderr
    # the plan holds; this machine's disk cannot hold Scout (the host checks come after the plan)
    assert "ok: [mav-a]" in out.split("The ranks of a multi-node model run the same SGLang")[1][:200]
    assert "needs 240.8 GiB (240.7 GiB weights" in out
    plans = [line for line in out.splitlines() if "sglang.launch_server" in line]
    first = next(line for line in plans if "--node-rank 0" in line)
    second = next(line for line in plans if "--node-rank 1" in line)
    for line in (first, second):
        assert "--nnodes 2" in line and "--dist-init-addr 10.0.0.2:5757" in line
        assert "--tp-size 8" in line


def test_a_replica_whose_ranks_differ_is_refused(tmp_path):
    """A planted version mismatch: the ranks would not meet (or fail later in a collective)."""
    proc = preflight_replica(tmp_path, second={"sglang_version": "0.5.17"})
    out = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    assert ("the ranks with replica scout-a (rendezvous 10.0.0.2:5757) differ: sglang_version "
            "differs: mav-b=0.5.23, mav-a=0.5.17") in out, out[-3000:]
    assert "only the node rank differs" in out
    assert "Traceback" not in out


def test_a_replica_host_that_also_types_its_rank_is_refused(tmp_path):
    proc = preflight_replica(tmp_path, second={"sglang_node_rank": 1})
    out = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    assert ("mav-a: sglang_replica=scout-a sets the ranks from the inventory order; remove "
            "sglang_node_rank (rank 0 is the replica's first host)") in out, out[-3000:]


def gateway_preflight(tmp_path, worker_host="127.0.0.1", **gateway):
    """deploy.yml --tags sglang_gateway_install: a worker whose deployed plan listens on
    `worker_host`, and a gateway host with `gateway` variables; both this machine."""
    etc = tmp_path / "etc-sglang"
    etc.mkdir()
    plan = {"port": 30000, "host": worker_host, "served_model_name": "tiny-llama4",
            "serving_node": True, "start_timeout_s": 900}
    (etc / "main.plan.json").write_text(json.dumps({"argv": [], "command": "", "plan": plan,
                                                    "ranks": ["worker-1"]}))
    gpus = {"vendor": "nvidia", "count": 1, "name": "NVIDIA H100 80GB HBM3", "family": "H100",
            "memory_mib": 81559, "compute_capability": "9.0", "driver_version": "580.95.05"}
    gateway_host = dict({"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                         "sglang_gateway_root": "/nonexistent/llmops-gateway-test"}, **gateway)
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"vars": {"sglang_config_dir": str(etc)}, "children": {
        "sglang": {"hosts": {"worker-1": dict(BASE, sglang_gpus=gpus)}},
        "sglang_gateway": {"hosts": {"gateway-1": gateway_host}}}}}))
    proc = ansible_playbook("-i", str(inventory), os.path.join(ROOT, "deploy.yml"), "--tags",
                            "sglang_gateway_install", check=False)
    return proc, " ".join((proc.stdout + proc.stderr).split())


def test_the_gateway_refuses_a_worker_that_listens_on_loopback_only(tmp_path):
    """A worker deployed with sglang_host 127.0.0.1 (the default) cannot be reached by a gateway
    on another host: refused in the gateway's preflight, naming the worker, before anything is
    installed."""
    proc, out = gateway_preflight(tmp_path)
    assert proc.returncode != 0
    assert ("gateway-1: worker-1 listen on 127.0.0.1 only, which the gateway on gateway-1 cannot "
            "reach; set sglang_host: 0.0.0.0 (or the address the gateway reaches) on them"
            ) in out, out[-3000:]
    assert "Traceback" not in out
    assert not os.path.exists("/nonexistent/llmops-gateway-test")


@pytest.mark.parametrize("gateway,message", [
    ({"sglang_gateway_root": "/opt/gw\nExecStartPre=/bin/sh"},
     'sglang_gateway_root="/opt/gw\\nExecStartPre=/bin/sh" must be an absolute path'),
    ({"sglang_gateway_root": "/opt/../etc"}, 'sglang_gateway_root="/opt/../etc" must be an absolute path'),
    ({"sglang_gateway_root": "opt/gw"}, 'sglang_gateway_root="opt/gw" must be an absolute path'),
    ({"sglang_gateway_user": "gw\nUser=root"}, 'sglang_gateway_user="gw\\nUser=root" must be a user name'),
    ({"sglang_gateway_group": "root group"}, 'sglang_gateway_group="root group" must be a group name'),
    ({"sglang_gateway_host": "0.0.0.0\n--api-key"}, 'sglang_gateway_host="0.0.0.0\\n--api-key"'),
    # address-like, yet no address: refused by the check its URLs are made with
    ({"sglang_gateway_host": "gw:8080"}, "sglang_gateway_host='gw:8080' is not an IP address or host name"),
    ({"sglang_gateway_policy": "cache_aware --api-key=x"}, "sglang_gateway_policy"),
    ({"sglang_api_key": "sk-not-shown\nX=1"}, "sglang_api_key=(hidden) holds a control"),
])
def test_hostile_gateway_settings_are_refused_before_any_change(tmp_path, gateway, message):
    proc, out = gateway_preflight(tmp_path, worker_host="0.0.0.0", **gateway)
    assert proc.returncode != 0
    assert message in out, out[-3000:]
    assert "sk-not-shown" not in out
    assert "Traceback" not in out
    assert not os.path.exists("/nonexistent/llmops-gateway-test")
