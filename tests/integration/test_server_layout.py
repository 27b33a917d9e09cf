"""The servers of one host follow sglang_replicas_per_host through deploy.yml's service stage:
one server -> two -> one, the units and configs of the servers the plan no longer has are removed
(stopped first, under systemd), a unit this instance never recorded is left alone, and a second
run changes nothing. Renders only (sglang_service_systemd: false), on this machine, as
test_hostile_playbooks' template run; the unit files go where systemd reads them, under names of a
test instance, removed afterwards."""

import glob
import os
import sys

import pytest
import yaml

from helpers import TINY, TINY_CONFIG, facts
from integration.test_hostile_playbooks import fact_env, fill_fact_cache, write_inventory
from integration.test_plan_playbook import BIN, DOUBLES, ansible_playbook, recap

pytestmark = pytest.mark.playbook

INSTANCE = "layouttest"
UNITS = "/etc/systemd/system/sglang-%s" % INSTANCE
STRANGER = "/etc/systemd/system/sglang-%s-7.service" % INSTANCE


@pytest.fixture
def host(tmp_path):
    cache = tmp_path / "facts"
    cache.mkdir()
    (tmp_path / "opt").mkdir()  # the install role's (not run here)
    fill_fact_cache(str(cache), ["gpu-2"])
    env = dict(fact_env(cache), PATH=DOUBLES + os.pathsep + BIN + os.pathsep + os.environ["PATH"])
    base = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
            "sglang_model": TINY, "sglang_model_config": TINY_CONFIG, "sglang_gpus": facts("derived-h100-x2"),
            "sglang_attention_backend": "triton", "sglang_mem_fraction_static": 0.5,
            "sglang_instance": INSTANCE, "sglang_config_dir": str(tmp_path / "etc"),
            "sglang_install_root": str(tmp_path / "opt"), "sglang_service_systemd": False,
            "sglang_install_user": "root", "sglang_install_group": "root",
            "sglang_preflight_min_shm_gib": 0.01, "sglang_preflight_disk_headroom_gib": 0.01,
            "sglang_preflight_min_nofile": 1, "sglang_preflight_require_unlimited_memlock": False,
            "sglang_preflight_check_port": False}

    def deploy(replicas):
        inv = write_inventory(tmp_path / ("inv-%d" % replicas) / "hosts.yml",
                              {"gpu-2": dict(base, sglang_replicas_per_host=replicas)})
        proc = ansible_playbook("-i", inv, "deploy.yml", "--tags", "sglang_service_configure", env=env)
        return recap(proc.stdout)["gpu-2"]["changed"]

    # a unit of this name this instance never recorded (another instance's, from before the
    # names ending in -<number> were refused)
    with open(STRANGER, "w") as handle:
        handle.write("[Service]\nExecStart=/bin/true\n")
    try:
        yield deploy, tmp_path / "etc"
    finally:
        for path in glob.glob(UNITS + "*.service"):
            os.remove(path)


def units():
    return sorted(os.path.basename(p) for p in glob.glob(UNITS + "*.service"))


def configs(etc):
    return {os.path.basename(p): yaml.safe_load(open(p)) for p in sorted(glob.glob(str(etc / "*.yaml")))}


def test_one_server_then_two_then_one(host):
    deploy, etc = host
    assert deploy(1) > 0
    assert units() == ["sglang-layouttest-7.service", "sglang-layouttest.service"]
    assert [(n, c["port"], c["tp-size"], c.get("base-gpu-id")) for n, c in configs(etc).items()] == [
        ("layouttest.yaml", "30000", "2", None)]

    assert deploy(2) > 0
    assert units() == ["sglang-layouttest-0.service", "sglang-layouttest-1.service",
                       "sglang-layouttest-7.service"]
    assert [(n, c["port"], c["tp-size"], c["base-gpu-id"]) for n, c in configs(etc).items()] == [
        ("layouttest-0.yaml", "30000", "1", "0"), ("layouttest-1.yaml", "30001", "1", "1")]
    assert deploy(2) == 0

    assert deploy(1) > 0
    assert units() == ["sglang-layouttest-7.service", "sglang-layouttest.service"]
    assert list(configs(etc)) == ["layouttest.yaml"]
    assert deploy(1) == 0
