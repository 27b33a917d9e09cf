"""deploy.yml --tags sglang_preflight on a replica of two ranks, both this machine (ansible_connection
local, rank 0 at 127.0.0.1): rank 0 listens on its rendezvous port a moment and rank 1 connects
to it; a wrong address, a port another program holds and a port that is SGLang's own are refused
with the host, the address and what to check. Nothing is left: no listener, no async job file."""

import os
import socket
import sys

import pytest
import yaml

from helpers import ROOT
from integration.test_plan_playbook import ansible_playbook, recap

pytestmark = pytest.mark.playbook

RANK = {
    "ansible_connection": "local",
    "ansible_python_interpreter": sys.executable,
    "sglang_model": os.path.join(ROOT, "tests", "fixtures", "models", "tiny-llama4"),
    "sglang_gpus": {"vendor": "nvidia", "count": 1, "name": "NVIDIA H100 80GB HBM3", "family": "H100",
                    "memory_mib": 81559, "compute_capability": "9.0", "driver_version": "580.95.05"},
    "sglang_install_root": "/nonexistent/llmops-sglang-test",
    "sglang_preflight_min_shm_gib": 0.01,
    "sglang_preflight_disk_headroom_gib": 0.01,
    "sglang_preflight_min_nofile": 1,
    "sglang_preflight_require_unlimited_memlock": False,
    "sglang_preflight_rendezvous_timeout": 2,
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def preflight(tmp_path, port, rank0=None, *args):
    hosts = {"rank-a": dict(RANK, ansible_host="127.0.0.1", sglang_rendezvous_port=port, **(rank0 or {})),
             "rank-b": dict(RANK, ansible_host="127.0.0.2")}
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {"sglang": {"children": {
        "pair": {"vars": {"sglang_replica": "pair"}, "hosts": hosts}}}}}}))
    (tmp_path / "async").mkdir(exist_ok=True)
    proc = ansible_playbook("-i", str(inventory), os.path.join(ROOT, "deploy.yml"), "--tags",
                            "sglang_preflight", *args, env={"ANSIBLE_ASYNC_DIR": str(tmp_path / "async")},
                            check=False)
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    return proc, " ".join(out.split())


def assert_nothing_left(tmp_path, port):
    assert os.listdir(tmp_path / "async") == []  # the listener's job file is removed
    socket.create_server(("0.0.0.0", port)).close()  # nothing listens any more


@pytest.mark.parametrize("mode", [[], ["--check"]], ids=["run", "check"])
def test_rank_1_reaches_rank_0_which_listens_a_moment(tmp_path, mode):
    port = free_port()
    proc, out = preflight(tmp_path, port, None, *mode)
    assert proc.returncode == 0, out[-3000:]
    assert "ok: [rank-a]" in out.split("Rank 0 listens on the rendezvous port")[1][:200]
    assert "ok: [rank-b]" in out.split("This rank reaches rank 0's rendezvous")[1][:200]
    assert "ok: [rank-a]" in out.split("Rank 0 saw every other rank connect")[1][:200]
    assert all(r["changed"] == 0 for r in recap(proc.stdout).values()), proc.stdout[-1500:]
    assert_nothing_left(tmp_path, port)


def test_a_rendezvous_address_rank_1_cannot_reach_is_named_with_what_to_check(tmp_path):
    port = free_port()
    # TEST-NET-1: routed nowhere, as a typo'd address or a dropping firewall
    proc, out = preflight(tmp_path, port, {"sglang_rendezvous_address": "192.0.2.1"})
    assert proc.returncode != 0
    assert ("rank-b: cannot reach rank 0's rendezvous 192.0.2.1:%d (rank-a) over TCP within 2 s, while "
            "rank 0 listened on port %d" % (port, port)) in out, out[-3000:]
    assert "firewall accepts TCP port %d from this host" % port in out
    assert "sglang_rendezvous_address on rank-a" in out
    assert recap(proc.stdout)["rank-b"]["failed"] == 1
    assert recap(proc.stdout)["rank-a"]["failed"] == 0
    assert_nothing_left(tmp_path, port)


def test_a_rendezvous_port_another_program_holds_is_refused_naming_it(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
        proc, out = preflight(tmp_path, port)
    assert proc.returncode != 0
    assert ("rank-a: rank 0 of 127.0.0.1:%d cannot listen on port %d: it is held by " % (port, port)) in out
    assert "pid %d, not sglang-main.service; stop that program or give sglang_rendezvous_port on rank-a" % (
        os.getpid()) in out, out[-3000:]
    assert recap(proc.stdout)["rank-a"]["failed"] == 1
    assert_nothing_left(tmp_path, port)


def test_a_rendezvous_port_that_is_sglangs_own_port_is_refused(tmp_path):
    proc, out = preflight(tmp_path, 30000)
    assert proc.returncode != 0
    assert ("rank-a: the ranks meet at 127.0.0.1:30000 (rank 0: rank-a), and port 30000 is also the port "
            "SGLang serves its API on (sglang_port)") in out, out[-3000:]
    assert "give sglang_rendezvous_port on rank-a" in out
    assert "Rank 0 listens on the rendezvous port" not in out.rsplit("FAILED", maxsplit=1)[-1]


def test_a_single_host_skips_the_rendezvous_check(tmp_path):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {"sglang": {"hosts": {"alone": RANK}}}}}))
    proc = ansible_playbook("-i", str(inventory), os.path.join(ROOT, "deploy.yml"), "--tags",
                            "sglang_preflight", check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "skipping: [alone]" in proc.stdout.split("Rank 0 listens on the rendezvous port")[1][:200]
