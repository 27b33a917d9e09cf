"""The shared task files of roles/sglang_common (server_ready.yml, client_job.yml, report_dir.yml):
the roles call them instead of writing the steps again, with inputs the files read, and the files
do what they say, run by ansible-playbook on this machine (marked playbook): /health waited for
and a refusal naming the host, the URL and the answer; a background client whose result comes
back, whose failure or timeout names it with its last lines and never the API key, and whose
async job is cleaned up; the report folder of a run.

Run alone: pytest tests/unit/test_shared_tasks.py (-m "not playbook" for the static checks only)
"""

import http.server
import json
import os
import re
import socket
import sys
import threading

import pytest
import yaml

from helpers import ROOT
from integration.test_plan_playbook import ansible_playbook, recap

COMMON = os.path.join(ROOT, "roles", "sglang_common", "tasks")
SHARED = ("server_ready.yml", "client_job.yml", "report_dir.yml")
# (caller, shared file) pairs: each step is written once, in sglang_common
CALLERS = [
    ("roles/sglang_bench/tasks/preflight.yml", "server_ready.yml"),
    ("roles/sglang_accuracy/tasks/preflight.yml", "server_ready.yml"),
    ("roles/sglang_smoke/tasks/verify.yml", "server_ready.yml"),
    ("roles/sglang_bench/tasks/profile.yml", "client_job.yml"),
    ("roles/sglang_accuracy/tasks/run.yml", "client_job.yml"),
]
REQUIRED = {
    "server_ready.yml": {"sglang_common_server_url"},
    "client_job.yml": {"sglang_common_client_label", "sglang_common_client_argv",
                       "sglang_common_client_log_file", "sglang_common_client_timeout",
                       "sglang_common_client_poll_seconds"},
    "report_dir.yml": set(),
}
# what the files set for their callers
OUTPUTS = {"sglang_common_server_health", "sglang_common_client_result", "sglang_common_report_dir",
           "sglang_common_report_cluster"}
KEY = "sk-shared-tasks-test-4b1d"


def read(path):
    with open(os.path.join(ROOT, path)) as handle:
        return handle.read()


def tasks(path):
    """Every task of a task file, blocks opened."""
    out = []

    def walk(items):
        for task in items or []:
            out.append(task)
            for part in ("block", "rescue", "always"):
                walk(task.get(part))
    walk(yaml.safe_load(read(path)))
    return out


def includes(path, shared):
    return [t for t in tasks(path) if t.get("ansible.builtin.include_role", {}).get("name")
            == "llmops.sglang.sglang_common"
            and t["ansible.builtin.include_role"].get("tasks_from") == shared]


def inputs(shared):
    """The sglang_common_* inputs a shared file reads."""
    names = set(re.findall(r"\b(sglang_common_[a-z_]+)\b", read(os.path.join(COMMON, shared))))
    return names - OUTPUTS


# --------------------------------------------------------------------------------- static checks

@pytest.mark.parametrize("caller,shared", CALLERS)
def test_the_roles_call_the_shared_step(caller, shared):
    assert includes(caller, shared), "%s does not include sglang_common's %s" % (caller, shared)


@pytest.mark.parametrize("caller,shared", CALLERS)
def test_callers_give_the_required_inputs_and_no_unknown_one(caller, shared):
    for task in includes(caller, shared):
        given = set(task.get("vars") or {})
        assert REQUIRED[shared] <= given, "%s: %s lacks %s" % (caller, task["name"], REQUIRED[shared] - given)
        assert given <= inputs(shared), "%s: %s gives %s, which %s does not read" % (
            caller, task["name"], given - inputs(shared), shared)


def test_no_role_repeats_the_steps():
    """The /health probe and the async wait live in sglang_common only."""
    for role in os.listdir(os.path.join(ROOT, "roles")):
        if role == "sglang_common":
            continue
        folder = os.path.join("roles", role, "tasks")
        for name in os.listdir(os.path.join(ROOT, folder)):
            for task in tasks(os.path.join(folder, name)):
                where = "%s/%s: %s" % (folder, name, task.get("name"))
                assert "ansible.builtin.async_status" not in task, where
                assert "/health" not in str((task.get("ansible.builtin.uri") or {}).get("url", "")), where


def test_every_shared_file_is_documented():
    readme = read("roles/sglang_common/README.md")
    for shared in SHARED:
        assert "`%s`" % shared in readme
        for name in sorted(inputs(shared) | {o for o in OUTPUTS if o in read(os.path.join(COMMON, shared))}):
            assert "`%s`" % name in readme, "%s: %s is not in the README" % (shared, name)


# ---------------------------------------------------------------------------- the files at work

def run(tmp_path, shared, include_vars, host_vars=None, extra=()):
    """A play of one include of the shared file on gpu-1 (this machine)."""
    play = [{"name": "Shared step", "hosts": "all", "gather_facts": False, "tasks": [
        {"name": "The step", "ansible.builtin.include_role": {
            "name": "llmops.sglang.sglang_common", "tasks_from": shared}, "vars": include_vars},
        {"name": "Show the outputs", "ansible.builtin.debug": {"msg": "OUTPUT {{ _out | to_json }}"},
         "vars": {"_out": {o: "{{ %s | default(None) }}" % o for o in sorted(OUTPUTS)}}},
    ]}]
    path = tmp_path / "play.yml"
    path.write_text(yaml.safe_dump(play))
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"gpu-1": dict({
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable},
        **(host_vars or {}))}}}))
    proc = ansible_playbook("-i", str(inventory), str(path), *extra, check=False,
                            env={"ANSIBLE_ASYNC_DIR": str(tmp_path / "async")})
    out = proc.stdout + proc.stderr
    outputs = [json.loads(json.loads('"%s"' % raw))
               for raw in re.findall(r'"msg": "OUTPUT (.*)"$', proc.stdout, re.M)]
    return proc, out, outputs[0] if outputs else None


def messages(out):
    """The failure messages of a run, their JSON unescaped."""
    return [json.loads(m.group(1)).get("msg", "") for m in re.finditer(r"FAILED! => (\{.*\})$", out, re.M)]


class Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(self.status if self.path == "/health" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    class Handler(Health):
        pass
    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % httpd.server_address[1], Handler
    httpd.shutdown()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.playbook
def test_server_ready_passes_on_200_and_names_what_answered_otherwise(tmp_path, server):
    url, handler = server
    proc, out, got = run(tmp_path, "server_ready.yml", {"sglang_common_server_url": url})
    assert proc.returncode == 0, out[-3000:]
    assert got["sglang_common_server_health"] == 200

    handler.status = 503
    proc, out, _output = run(tmp_path, "server_ready.yml", {"sglang_common_server_url": url},
                             host_vars={"sglang_instance": "scout"})
    assert proc.returncode != 0
    assert any(m.startswith("gpu-1: %s/health answered 503 " % url)
               and m.endswith("is the service deployed and running? (systemctl status 'sglang-scout*')")
               for m in messages(out)), out[-3000:]

    closed = "http://127.0.0.1:%d" % free_port()
    proc, out, _output = run(tmp_path, "server_ready.yml", {
        "sglang_common_server_url": closed, "sglang_common_server_retries": 2,
        "sglang_common_server_delay": 1, "sglang_common_server_timeout": 2})
    assert proc.returncode != 0
    [msg] = [m for m in messages(out) if "/health answered" in m]
    assert msg.startswith("gpu-1: %s/health answered -1 " % closed) and "(3 probes, 1 s apart)" in msg
    assert recap(proc.stdout)["gpu-1"]["changed"] == 0


@pytest.mark.playbook
def test_server_ready_refuses_missing_inputs(tmp_path):
    proc, out, _output = run(tmp_path, "server_ready.yml", {"sglang_common_server_url": "127.0.0.1:30000"})
    assert proc.returncode != 0
    needs = "gpu-1: llmops.sglang.sglang_common server_ready.yml needs sglang_common_server_url"
    assert any(m.startswith(needs) and '"127.0.0.1:30000"' in m for m in messages(out)), out[-3000:]


def client(tmp_path, script, **more):
    return dict({
        "sglang_common_client_label": "profile demo",
        "sglang_common_client_argv": [sys.executable, "-c", script],
        "sglang_common_client_api_key": KEY,
        "sglang_common_client_environment": {"DEMO": "1"},
        "sglang_common_client_chdir": str(tmp_path),
        "sglang_common_client_log_file": str(tmp_path / "demo.log"),
        "sglang_common_client_timeout": 60,
        "sglang_common_client_poll_seconds": 1,
    }, **more)


def async_jobs(tmp_path):
    folder = tmp_path / "async"
    return sorted(os.listdir(folder)) if folder.exists() else []


@pytest.mark.playbook
def test_client_job_brings_the_result_back_and_forgets_the_job(tmp_path):
    script = ("import json, os; print('working'); "
              "open('out.jsonl', 'w').write(json.dumps({'ok': os.environ['DEMO'], "
              "'key_seen': os.environ['OPENAI_API_KEY'] == %r}) + '\\n')" % KEY)
    proc, out, got = run(tmp_path, "client_job.yml", client(
        tmp_path, script, sglang_common_client_output_jsonl=str(tmp_path / "out.jsonl")))
    assert proc.returncode == 0, out[-3000:]
    result = got["sglang_common_client_result"]
    assert result["records"] == [{"ok": "1", "key_seen": True}] and result["rc"] == 0
    assert "TASK [llmops.sglang.sglang_common : Start profile demo on gpu-1]" in out
    assert "tail -f %s" % (tmp_path / "demo.log") in out
    assert async_jobs(tmp_path) == []
    assert KEY not in out
    assert recap(proc.stdout)["gpu-1"]["changed"] == 0


@pytest.mark.playbook
def test_client_job_failure_names_it_with_its_last_lines(tmp_path):
    script = "import sys; print('loading'); print('the key', %r); print('boom'); sys.exit(3)" % KEY
    proc, out, _output = run(tmp_path, "client_job.yml", client(tmp_path, script))
    assert proc.returncode != 0
    final = messages(out)[-1]
    assert final.startswith("profile demo on gpu-1: the client exited 3 after "), out[-3000:]
    assert final.endswith("boom") and "the key <redacted>" in final
    assert KEY not in out
    assert async_jobs(tmp_path) == []


@pytest.mark.playbook
def test_client_job_timeout_names_the_limit_and_the_last_lines(tmp_path):
    script = "import time; print('step 1', %r, flush=True); time.sleep(60)" % KEY
    proc, out, _output = run(tmp_path, "client_job.yml", client(
        tmp_path, script, sglang_common_client_timeout=2,
        sglang_common_client_timeout_name="the timeout of profile demo"))
    assert proc.returncode != 0
    final = messages(out)[-1]
    assert final.startswith("profile demo on gpu-1: stopped after the timeout of profile demo=2 s "
                            "(Timeout exceeded); its last lines (%s):\nstep 1 <redacted>"
                            % (tmp_path / "demo.log")), out[-3000:]
    assert KEY not in out
    assert async_jobs(tmp_path) == []


@pytest.mark.playbook
def test_client_job_refuses_missing_inputs_and_runs_nothing_in_check_mode(tmp_path):
    proc, out, _output = run(tmp_path, "client_job.yml",
                             client(tmp_path, "pass", sglang_common_client_timeout=0))
    assert proc.returncode != 0
    assert any(m.startswith("gpu-1: llmops.sglang.sglang_common client_job.yml needs") and "timeout=0" in m
               for m in messages(out)), out[-3000:]

    marker = tmp_path / "ran"
    proc, out, got = run(tmp_path, "client_job.yml", client(tmp_path, "open(%r, 'w')" % str(marker)),
                         extra=("--check",))
    assert proc.returncode == 0, out[-3000:]
    assert not marker.exists() and got["sglang_common_client_result"] is None


@pytest.mark.playbook
def test_report_dir_is_new_per_run_or_the_one_named(tmp_path):
    proc, out, got = run(tmp_path, "report_dir.yml", {}, extra=(
        "-e", "sglang_reports_root=%s" % (tmp_path / "reports"), "-e", "sglang_cluster=lab"))
    assert proc.returncode == 0, out[-3000:]
    assert got["sglang_common_report_cluster"] == "lab"
    assert re.fullmatch(re.escape(str(tmp_path / "reports" / "lab")) + r"/\d{8}T\d{6}Z",
                        got["sglang_common_report_dir"])
    assert not (tmp_path / "reports").exists()  # bench_report creates it when it writes

    proc, out, got = run(tmp_path, "report_dir.yml", {}, extra=(
        "-e", "sglang_report_dir=%s" % (tmp_path / "earlier"),))
    assert proc.returncode == 0, out[-3000:]
    assert got["sglang_common_report_dir"] == str(tmp_path / "earlier")
    # without sglang_cluster: the inventory's folder
    assert got["sglang_common_report_cluster"] == tmp_path.name

    proc, out, _output = run(tmp_path, "report_dir.yml", {}, extra=("-e", "sglang_cluster=../etc"))
    assert proc.returncode != 0
    assert any(m.startswith('gpu-1: the cluster\'s name "../etc"') for m in messages(out)), out[-3000:]
