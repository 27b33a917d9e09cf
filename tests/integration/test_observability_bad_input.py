"""Bad settings of the watchdog, monitoring and rollout roles, one host per row in one ansible-playbook
run: each refused by the role's first task with the host, the key and the value, nothing
written, no traceback. (Their first task runs before anything else of the role.)"""

import json
import sys

import pytest
import yaml

from integration.test_plan_playbook import ansible_playbook, recap

pytestmark = pytest.mark.playbook

INJECT = "ExecStartPre=/bin/sh"
ROWS = [
    # (host, role, variables, fragments of its refusal)
    ("wd-interval-short", "sglang_watchdog", {"sglang_watchdog_interval": 5},
     ["sglang_watchdog_interval=5"]),
    ("wd-timeout-too-long", "sglang_watchdog", {"sglang_watchdog_timeout": 90},
     ["sglang_watchdog_timeout=90"]),
    ("wd-no-failures", "sglang_watchdog", {"sglang_watchdog_failures": 0}, ["sglang_watchdog_failures=0"]),
    ("wd-interval-text", "sglang_watchdog", {"sglang_watchdog_interval": "60\n" + INJECT},
     # the role's argument spec refuses it first (the fatal line names the host)
     ["argument 'sglang_watchdog_interval' is of type str", "60\\nExecStartPre=/bin/sh"]),
    ("wd-python-injection", "sglang_watchdog", {"sglang_watchdog_python": "/usr/bin/python3 -c x"},
     ["sglang_watchdog_python=\"/usr/bin/python3 -c x\""]),
    ("mon-stall-1", "sglang_monitoring", {"sglang_monitoring_stall_minutes": 1},
     ["sglang_monitoring_stall_minutes a whole number of at least 2 (got 1)"]),
    ("mon-kv-above-1", "sglang_monitoring", {"sglang_monitoring_kv_usage_max": 1.5},
     ["sglang_monitoring_kv_usage_max a share above 0, at most 1 (got 1.5)"]),
    ("mon-cluster-newline", "sglang_monitoring", {"sglang_monitoring_cluster": "dc1\n" + INJECT},
     ["sglang_monitoring_cluster 1-64 letters", "(got \"dc1\\nExecStartPre=/bin/sh\")"]),
    ("mon-dir-dotdot", "sglang_monitoring", {"sglang_monitoring_dir": "/etc/../tmp/x"},
     ["without '..' (got \"/etc/../tmp/x\")"]),
    ("mon-ttft-negative", "sglang_monitoring", {"sglang_monitoring_ttft_p99_seconds": -1},
     ["sglang_monitoring_ttft_p99_seconds seconds above 0 (got -1)"]),
    # rollout.yml's guard (before anything is installed)
    ("ro-drain-negative", "sglang_rollout:guard", {"sglang_rollout_drain_timeout": -5},
     ["sglang_rollout_drain_timeout=-5 must be a whole number of at least 1"]),
    ("ro-regression-over-100", "sglang_rollout:guard", {"bench_regression_pct": 150},
     ["bench_regression_pct=150 must be a percentage from 0 to 100"]),
    ("ro-old-regression-key", "sglang_rollout:guard", {"sglang_rollout_regression_pct": 30},
     ["sglang_rollout_regression_pct is gone", "against bench_regression_pct"]),
    ("ro-canary-profile-name", "sglang_rollout:guard",
     {"sglang_rollout_canary_profile": {"name": "canary\n" + INJECT, "num_prompts": 8, "max_concurrency": 2,
                                        "input_len": 64, "output_len": 32}},
     ["benchmark profile 'canary\\nExecStartPre=/bin/sh'", "must be 1-63 characters"]),
    ("ro-canary-profile-secret", "sglang_rollout:guard",
     {"sglang_rollout_canary_profile": {"name": "canary", "num_prompts": 8, "max_concurrency": 2,
                                        "input_len": 64, "output_len": 32,
                                        "extra_args": ["--header=Authorization: x"]}},
     ["extra_args[0]='--header' would put a secret on bench_serving's command line"]),
    ("ro-canary-bench-word", "sglang_rollout:guard", {"sglang_rollout_canary_bench": "maybe"},
     ["sglang_rollout_canary_bench=\"maybe\" must be true or false"]),
    ("ro-slice-without-minimum", "sglang_rollout:guard", {"sglang_rollout_canary_accuracy_limit": 5},
     ["sglang_rollout_canary_accuracy_limit=5 asks for an MMLU-Pro slice", "set sglang_accuracy_min"]),
    ("ro-canary-runs-zero", "sglang_rollout:guard", {"sglang_rollout_canary_runs": 0},
     ["sglang_rollout_canary_runs=0 must be a whole number from 1 to 10"]),
    ("ro-canary-name-too-long-for-runs", "sglang_rollout:guard",
     {"sglang_rollout_canary_profile": {"name": "c" * 62, "num_prompts": 8, "max_concurrency": 2,
                                        "input_len": 64, "output_len": 32}},
     ["ro-canary-name-too-long-for-runs: benchmark profile '" + "c" * 62 + "-2'", "must be 1-63 characters",
      "run sglang_rollout_canary_runs=2 time(s) as <name>, <name>-2"]),
    ("ro-slice-negative", "sglang_rollout:guard", {"sglang_rollout_canary_accuracy_limit": -2},
     ["sglang_rollout_canary_accuracy_limit=-2 must be a whole number of at least 0"]),
    ("wd-root-with-space", "sglang_watchdog", {"sglang_install_root": "/opt/sg lang"},
     ["sglang_install_root=\"/opt/sg lang\""]),
    ("ro-min-ready-negative", "sglang_rollout:guard", {"sglang_rollout_min_ready": -1},
     ["sglang_rollout_min_ready=-1 must be a whole number of at least 0"]),
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("observability")
    hosts = {h: dict(v, ansible_connection="local", ansible_python_interpreter=sys.executable,
                     sglang_role=role) for h, role, v, _fragments in ROWS}
    (folder / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": hosts, "children": {
        "sglang": {"hosts": {}}}}}))
    (folder / "play.yml").write_text(yaml.safe_dump([{
        "name": "The roles' checks", "hosts": "all", "gather_facts": False,
        "tasks": [{"name": "The role", "ansible.builtin.include_role": {
            "name": "llmops.sglang.{{ sglang_role.split(':')[0] }}",
            "tasks_from": "{{ (sglang_role.split(':') + ['main'])[1] }}"}}]}]))
    return ansible_playbook("-i", str(folder / "hosts.yml"), str(folder / "play.yml"), check=False)


@pytest.mark.parametrize("host,role,variables,fragments", ROWS, ids=[r[0] for r in ROWS])
def test_refused_with_host_key_and_value(run, host, role, variables, fragments):
    # fatal: [host] => {...}, or for a looped check failed: [host] (item=...) => {...}
    line = [ln for ln in run.stdout.splitlines()
            if ln.startswith(("fatal: [%s]" % host, "failed: [%s] " % host))]
    assert line, run.stdout[-3000:]
    message = json.loads(line[0].split("=> ", 1)[1])["msg"]
    assert message.startswith((host + ":", "Validation of arguments failed")), message
    for fragment in fragments:
        assert fragment in message, message


def test_nothing_changed_and_no_traceback(run):
    assert all(r["changed"] == 0 and r["failed"] == 1 for r in recap(run.stdout).values()), run.stdout[-2000:]
    assert "Traceback" not in run.stdout + run.stderr


def test_extra_variables_that_would_replace_the_canarys_settings_are_refused(tmp_path):
    """-e wins over what rollout.yml gives the bench and accuracy roles for the canary: refused at
    the guard, naming each, before anything is installed."""
    host = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
            "sglang_rollout_canary_accuracy_limit": 2, "sglang_accuracy_min": 0.7}
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": {"ro-extra": host}}}))
    (tmp_path / "play.yml").write_text(yaml.safe_dump([{
        "name": "The guard", "hosts": "all", "gather_facts": False,
        "tasks": [{"name": "The guard", "ansible.builtin.include_role": {
            "name": "llmops.sglang.sglang_rollout", "tasks_from": "guard.yml"}}]}]))
    done = ansible_playbook("-i", str(tmp_path / "hosts.yml"), str(tmp_path / "play.yml"),
                            "-e", "sglang_bench_target=gateway", "-e", "sglang_accuracy_limit=0", check=False)
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("fatal: [ro-extra]")]
    assert line, done.stdout[-3000:]
    message = json.loads(line[0].split("=> ", 1)[1])["msg"]
    assert message.startswith(
        "ro-extra: sglang_bench_target, sglang_accuracy_limit given as extra variable(s) (-e)"), message
    assert recap(done.stdout)["ro-extra"]["changed"] == 0
    assert "Traceback" not in done.stdout + done.stderr
