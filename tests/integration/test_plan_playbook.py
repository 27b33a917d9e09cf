"""playbooks/plan.yml end to end with ansible-playbook: the example inventory by default, a second
run that changes nothing, check mode, refusals that fail the run with the reason, and a host
without recorded facts whose GPUs are read by gpu_facts (through the nvidia-smi test double)."""

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
import yaml

from helpers import ROOT

pytestmark = pytest.mark.playbook
BIN = os.path.dirname(sys.executable)
DOUBLES = os.path.join(ROOT, "tests", "doubles", "bin")
# the tiny test checkpoint as a local folder the controller can read
TINY_FOLDER = os.path.join(ROOT, "tests", "fixtures", "models", "tiny-llama4")


def ansible_playbook(*args, env=None, check=True):
    full_env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1",
                    PATH=BIN + os.pathsep + os.environ["PATH"])
    full_env.update(env or {})
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=600, check=False)
    if check:
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return proc


def recap(output):
    return {m.group(1): dict(ok=int(m.group(2)), changed=int(m.group(3)), failed=int(m.group(4)))
            for m in re.finditer(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+"
                                 r"failed=(\d+)", output, re.M)}


def test_default_run_plans_example_inventory_then_changes_nothing(tmp_path):
    plans = tmp_path / "plans"
    first = ansible_playbook("playbooks/plan.yml", "-e", "sglang_plan_dir=%s" % plans)
    assert sorted(os.listdir(plans)) == sorted("%s.json" % h for h in (
        "lab-h100-x1", "lab-h200-x4", "dc1-h100-x8", "dc1-h200-x8", "dc2-b200-x8", "dc3-mi300x-x8",
        "dc4-h200-x8-one", "dc4-h200-x8-two"))
    for header in ("host", "GPUs", "model", "servers x tp", "ports", "attention", "quant", "weights GiB/GPU",
                   "KV B/token", "KV pool tokens", "context", "command"):
        assert header in first.stdout
    assert "python3 -m sglang.launch_server --model-path meta-llama/Llama-4-Maverick" in first.stdout
    doc = json.loads((plans / "dc1-h100-x8.json").read_text())
    assert doc["plan"]["tp_size"] == 8 and doc["argv"][0] == "--model-path"
    assert doc["command"].startswith("python3 -m sglang.launch_server")
    # Scout FP8 on 8 x H200 as one tp 8 server, and as two tp 4 servers with their own pool
    one = json.loads((plans / "dc4-h200-x8-one.json").read_text())["plan"]
    two = json.loads((plans / "dc4-h200-x8-two.json").read_text())["plan"]
    assert (one["tp_size"], two["tp_size"], len(two["replicas"])) == (8, 4, 2)
    assert two["kv_pool_tokens"] < one["kv_pool_tokens"]
    assert re.search(r"dc4-h200-x8-two +8 x H200 +Llama-4-Scout-17B-16E-Instruct +2 x tp 4 "
                     r"+30000-30001 ", first.stdout)
    assert sum(r["changed"] for r in recap(first.stdout).values()) == 1

    second = ansible_playbook("playbooks/plan.yml", "-e", "sglang_plan_dir=%s" % plans)
    assert all(r["changed"] == 0 for r in recap(second.stdout).values())


def test_check_mode_writes_nothing(tmp_path):
    plans = tmp_path / "plans"
    ansible_playbook("playbooks/plan.yml", "--check", "-e", "sglang_plan_dir=%s" % plans)
    assert not plans.exists()


def write_inventory(tmp_path, body):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(textwrap.dedent(body))
    return str(inventory)


def test_refused_host_fails_the_run_with_its_reason(tmp_path):
    with open(os.path.join(ROOT, "inventories", "example", "host_vars", "dc1-h100-x8", "gpus.yml")) as f:
        gpus = yaml.safe_load(f)["sglang_gpus"]
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {"sglang": {"hosts": {"big-ask": {
        "sglang_model": "meta-llama/Llama-4-Maverick-17B-128E-Instruct", "sglang_gpus": gpus}}}}}}))
    inventory = str(inventory)
    proc = ansible_playbook("-i", inventory, "playbooks/plan.yml",
                            "-e", "sglang_plan_dir=%s" % (tmp_path / "plans"), check=False)
    assert proc.returncode != 0
    assert "big-ask: meta-llama/Llama-4-Maverick-17B-128E-Instruct does not fit on 8 x H100" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_bad_variable_is_a_clear_error(tmp_path):
    inventory = write_inventory(tmp_path, """
        all:
          children:
            sglang:
              hosts:
                typo-host:
                  sglang_model: meta-llama/Llama-4-Scout-17B-16E-Instruct
                  sglang_port: 99999
                  sglang_gpus: {vendor: nvidia, count: 8, name: NVIDIA H100 80GB HBM3, family: H100,
                                memory_mib: 81559, compute_capability: "9.0"}
        """)
    proc = ansible_playbook("-i", inventory, "playbooks/plan.yml",
                            "-e", "sglang_plan_dir=%s" % (tmp_path / "plans"), check=False)
    assert proc.returncode != 0
    assert "typo-host: port=99999 is out of range: allowed 1 to 65535" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("fixture,count,family", [("h100-80gb-hbm3-x1", 1, "H100"),
                                                  ("h200-141gb-x4", 4, "H200")])
def test_unrecorded_host_is_gathered_with_gpu_facts(tmp_path, fixture, count, family):
    inventory = write_inventory(tmp_path, """
        all:
          children:
            sglang:
              hosts:
                gpu-box:
                  ansible_connection: local
                  ansible_python_interpreter: %s
                  sglang_model: %s
                  sglang_attention_backend: triton
        """ % (sys.executable, TINY_FOLDER))
    plans = tmp_path / "plans"
    env = {"PATH": DOUBLES + os.pathsep + BIN + os.pathsep + os.environ["PATH"],
           "NVIDIA_SMI_DOUBLE_FIXTURE": fixture}
    proc = ansible_playbook("-i", inventory, "playbooks/plan.yml", "-e",
                            "sglang_plan_dir=%s" % plans, env=env)
    assert "Read the GPUs" in proc.stdout
    doc = json.loads((plans / "gpu-box.json").read_text())
    assert doc["plan"]["gpu_count"] == count and doc["plan"]["gpu_family"] == family
    assert doc["plan"]["tp_size"] == count


def test_gpu_facts_module_returns_facts_and_refuses_no_gpu(tmp_path):
    playbook = tmp_path / "facts.yml"
    playbook.write_text(textwrap.dedent("""
        - hosts: localhost
          connection: local
          gather_facts: false
          tasks:
            - llmops.sglang.gpu_facts:
            - ansible.builtin.copy:
                content: "{{ ansible_facts.gpus | to_json }}"
                dest: "%s/gpus.json"
                mode: "0644"
        """ % tmp_path))
    env = {"PATH": DOUBLES + os.pathsep + BIN + os.pathsep + os.environ["PATH"],
           "NVIDIA_SMI_DOUBLE_FIXTURE": "h200-141gb-x4"}
    ansible_playbook(str(playbook), "-e", "ansible_python_interpreter=%s" % sys.executable, env=env)
    gpus = json.loads((tmp_path / "gpus.json").read_text())
    assert (gpus["count"], gpus["family"], gpus["memory_mib"], gpus["cuda_version"],
            gpus["interconnect"]) == (4, "H200", 143771, "13.0", "nvlink")

    no_gpu = ansible_playbook(str(playbook), "-e", "ansible_python_interpreter=%s" % sys.executable,
                              env={"PATH": BIN + ":/usr/bin:/bin"}, check=False)
    assert no_gpu.returncode != 0
    assert "no GPU tool found (looked for nvidia-smi, amd-smi, rocm-smi, xpu-smi on PATH)" in no_gpu.stdout


def test_launch_plan_reads_the_hosts_variables(tmp_path):
    """launch_plan takes every argument from sglang_<argument> (templated where it holds a
    template, as fleet_plan does); what the task gives takes precedence."""
    playbook = tmp_path / "plan-one.yml"
    playbook.write_text(textwrap.dedent("""
        - hosts: sglang
          gather_facts: false
          tasks:
            - name: Plan from the host's variables alone
              llmops.sglang.launch_plan:
              register: from_vars
            - name: A task argument wins over the host's variable
              llmops.sglang.launch_plan:
                port: 8080
              register: with_port
            - name: Show both
              ansible.builtin.debug:
                msg: "{{ {'vars': from_vars.argv, 'port': with_port.plan.port,
                          'local': from_vars.plan.model_is_local} | to_json }}"
        """))
    inventory = write_inventory(tmp_path, """
        all:
          children:
            sglang:
              hosts:
                lab:
                  ansible_connection: local
                  sglang_model: %s
                  sglang_gpus: {vendor: nvidia, count: 1, name: NVIDIA H100 80GB HBM3, family: H100,
                                memory_mib: 81559, compute_capability: "9.0"}
                  sglang_attention_backend: triton
                  sglang_context_length: "{{ 64 * 1024 }}"
                  sglang_tool_calling: true
        """ % TINY_FOLDER)
    proc = ansible_playbook("-i", inventory, str(playbook))
    shown = json.loads(re.search(r'"msg": "(\{.*\})"', proc.stdout).group(1).replace('\\"', '"'))
    argv = shown["vars"]
    assert argv[argv.index("--model-path") + 1] == TINY_FOLDER
    assert argv[argv.index("--context-length") + 1] == "65536"
    assert argv[argv.index("--attention-backend") + 1] == "triton"
    assert "--tool-call-parser" in argv
    assert shown["port"] == 8080 and shown["local"] is True


def test_plan_refuses_home_paths_and_names_only_real_models(tmp_path):
    """`~/models/x` is refused with the fix (an absolute path), not planned as a local folder the
    weights role would then download as a hub id; the tiny test checkpoint is no known model."""
    gpus = {"vendor": "nvidia", "count": 8, "name": "NVIDIA H100 80GB HBM3", "family": "H100",
            "memory_mib": 81559, "compute_capability": "9.0"}
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {"sglang": {"hosts": {
        "home": {"sglang_model": "~/models/scout", "sglang_gpus": gpus},
        "relative": {"sglang_model": "./models/scout", "sglang_gpus": gpus},
        "unknown": {"sglang_model": "acme/unknown-model", "sglang_gpus": gpus}}}}}}))
    proc = ansible_playbook("-i", str(inventory), "playbooks/plan.yml",
                            "-e", "sglang_plan_dir=%s" % (tmp_path / "plans"), check=False)
    assert proc.returncode != 0
    assert "home: model='~/models/scout' is not an absolute path" in proc.stdout
    assert "give the folder's absolute path on the host, e.g. /srv/models/scout" in proc.stdout
    assert "relative: model='./models/scout' is not an absolute path" in proc.stdout
    assert "unknown: model='acme/unknown-model' has no profile; known models: meta-llama/" in proc.stdout
    assert "tiny" not in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


def test_fleet_plan_refuses_a_misspelled_option(tmp_path):
    playbook = tmp_path / "typo.yml"
    playbook.write_text(textwrap.dedent("""
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: A misspelled option
              llmops.sglang.fleet_plan:
                output_dri: /tmp/nowhere
        """))
    proc = ansible_playbook(str(playbook), check=False)
    assert proc.returncode != 0
    assert "output_dri" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("action,args,message", [
    ("launch_plan", "modle: x", "llmops.sglang.launch_plan: unknown argument modle (did you mean model?)"),
    ("fleet_plan", "output_dri: /tmp/x",
     "llmops.sglang.fleet_plan: unknown argument output_dri (did you mean output_dir?)"),
])
def test_a_misspelled_action_argument_is_refused(tmp_path, action, args, message):
    playbook = tmp_path / "misspelled.yml"
    playbook.write_text(textwrap.dedent("""
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: A misspelled argument
              llmops.sglang.%s:
                %s
        """ % (action, args)))
    proc = ansible_playbook(str(playbook), check=False)
    out = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    assert message in out, out[-2000:]
    assert "Traceback" not in out


def test_a_replica_group_is_planned_as_ranks_without_contact(tmp_path):
    """Maverick FP8 over two 4 x H200 hosts given as one group with sglang_replica: plan.yml
    plans tp 8 over two nodes, ranks by inventory order, rank 0's address as the rendezvous."""
    inventory = write_inventory(tmp_path, """
        all:
          children:
            sglang:
              children:
                maverick_a:
                  vars:
                    sglang_replica: maverick-a
                    sglang_model: meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8
                    sglang_gpus: {vendor: nvidia, count: 4, name: NVIDIA H200, family: H200,
                                  memory_mib: 143771, compute_capability: "9.0"}
                  hosts:
                    node-b: {ansible_host: 10.1.0.2}
                    node-a: {ansible_host: 10.1.0.1}
        """)
    plans = tmp_path / "plans"
    proc = ansible_playbook("-i", inventory, "playbooks/plan.yml", "-e", "sglang_plan_dir=%s" % plans)
    assert "Traceback" not in proc.stdout + proc.stderr
    by_host = {}
    for host in ("node-b", "node-a"):
        with open(plans / ("%s.json" % host)) as handle:
            by_host[host] = json.load(handle)
    assert [by_host[h]["plan"]["node_rank"] for h in ("node-b", "node-a")] == [0, 1]
    for plan in by_host.values():
        assert plan["plan"]["nnodes"] == 2 and plan["plan"]["tp_size"] == 8
        assert plan["plan"]["dist_init_addr"] == "10.1.0.2:5757"
