"""The watchdog (roles/sglang_watchdog/files/sglang_watchdog.py) against the SGLang server double
stalled by its stall file (/health 200, completions hang) and the real smg 1.13.0 in front of it
(.cache/smg-venv, scripts/setup-smg): failed probes counted, the restart after the third, the
server out of both gateways before it and back after; a healthy or inactive server untouched.
systemctl is the double tests/doubles/bin/systemctl (no systemd here)."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from helpers import ROOT

DOUBLE = os.path.join(ROOT, "tests", "doubles", "sglang_server", "sglang", "launch_server.py")
WATCHDOG = os.path.join(ROOT, "roles", "sglang_watchdog", "files", "sglang_watchdog.py")
SYSTEMCTL = os.path.join(ROOT, "tests", "doubles", "bin", "systemctl")
SMG = os.path.join(ROOT, ".cache", "smg-venv", "bin", "smg")
KEY = "watchdog-key-1234"
UNIT = "sglang-main.service"


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url, key=KEY):
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + key})
    with urllib.request.urlopen(req, timeout=5) as answer:
        return json.loads(answer.read())


def wait(check, seconds, what):
    deadline = time.time() + seconds
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        assert time.time() < deadline, what
        time.sleep(0.2)


def start_smg(tmp_path, name, worker):
    """The real smg in front of the double, as the gateway role runs it; (process, URL)."""
    port = free_port()
    smg = subprocess.Popen(
        [SMG, "launch", "--host", "127.0.0.1", "--port", str(port), "--worker-urls", worker,
         "--policy", "round_robin", "--api-key", KEY, "--health-check-interval-secs", "1",
         "--worker-startup-check-interval", "1", "--prometheus-host", "127.0.0.1",
         "--prometheus-port", str(free_port()), "--shutdown-grace-period-secs", "1"],
        stdout=open(tmp_path / (name + ".log"), "w"), stderr=subprocess.STDOUT)
    return smg, "http://127.0.0.1:%d" % port


@pytest.fixture
def fleet(tmp_path):
    """The double (keyed) on a port, two smg gateways in front of it (an inventory may have two);
    yields (config path, stall file, gateway URLs, worker URL)."""
    port = free_port()
    stall = tmp_path / "stall"
    env = dict(os.environ, SGLANG_DOUBLE_LOAD_SECONDS="0", SGLANG_DOUBLE_STALL_FILE=str(stall),
               SGLANG_DOUBLE_RECORD=str(tmp_path / "record.json"))
    argv = [sys.executable, DOUBLE, "--model-path", "tiny", "--served-model-name", "tiny",
            "--port", str(port), "--api-key", KEY]
    double = subprocess.Popen(argv, env=env, stdout=open(tmp_path / "double.log", "w"),
                              stderr=subprocess.STDOUT)
    (tmp_path / "double.pid").write_text(str(double.pid))
    # what systemd's restart does to the unit: SIGTERM, wait, start again, wait for /health
    (tmp_path / "restart.py").write_text(RESTART % {"pidfile": tmp_path / "double.pid", "argv": argv,
                                                    "env": env, "port": port, "log": tmp_path / "double.log"})
    worker = "http://127.0.0.1:%d" % port
    gateways = [start_smg(tmp_path, "smg-%d" % number, worker) for number in (1, 2)]
    urls = [url for _smg, url in gateways]
    try:
        for url in urls:
            wait(lambda url=url: any(w.get("is_healthy") for w in get_json(url + "/workers")["workers"]), 60,
                 "smg never had the double healthy: " + (tmp_path / "smg-1.log").read_text()[-2000:])
        config = tmp_path / "watchdog.json"
        config.write_text(json.dumps({
            "unit": UNIT, "url": worker, "model": "tiny", "timeout": 2, "failures": 3, "api_key": KEY,
            "systemctl": SYSTEMCTL, "gateways": urls, "worker_url": worker}))
        yield config, stall, urls, worker
    finally:
        for smg, _url in gateways:
            smg.terminate()
            smg.wait(timeout=20)
        os.kill(int((tmp_path / "double.pid").read_text()), 15)


RESTART = """
import os, subprocess, time, urllib.request
pid = int(open("%(pidfile)s").read())
os.kill(pid, 15)
while os.path.exists("/proc/%%d" %% pid) and open("/proc/%%d/stat" %% pid).read().split()[2] != "Z":
    time.sleep(0.1)
proc = subprocess.Popen(%(argv)r, env=%(env)r, stdout=open("%(log)s", "a"), stderr=subprocess.STDOUT,
                        start_new_session=True)
open("%(pidfile)s", "w").write(str(proc.pid))
for _try in range(100):
    try:
        if urllib.request.urlopen("http://127.0.0.1:%(port)d/health", timeout=2).status == 200:
            break
    except OSError:
        time.sleep(0.2)
"""


def run_watchdog(config, tmp_path, on_restart=""):
    env = dict(os.environ, STATE_DIRECTORY=str(tmp_path), SYSTEMCTL_DOUBLE_DIR=str(tmp_path),
               SYSTEMCTL_DOUBLE_ON_RESTART=on_restart)
    return subprocess.run([sys.executable, WATCHDOG, str(config)], env=env, capture_output=True,
                          text=True, check=False, timeout=60)


def calls(tmp_path):
    path = tmp_path / "calls"
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.skipif(not os.path.exists(SMG), reason="smg is installed by scripts/setup-smg")
def test_a_stalled_server_is_restarted_after_three_failed_probes_outside_the_gateways(fleet, tmp_path):
    config, stall, gateways, worker = fleet
    assert run_watchdog(config, tmp_path).stdout == ""  # answers: nothing to say
    stall.write_text("")
    # the restart: both smg must have the worker out by then; systemd's restart cures the stall
    # (the double removes the file at start)
    seen = [tmp_path / ("workers-at-restart-%d.json" % number) for number in (1, 2)]
    reads = "; ".join(
        "open(\"%s\",\"w\").write(u.urlopen(u.Request(\"%s/workers\", headers={\"Authorization\": "
        "\"Bearer %s\"})).read().decode())" % (path, url, KEY) for path, url in zip(seen, gateways))
    hook = "%s -c 'import urllib.request as u; %s'; %s %s" % (
        sys.executable, reads, sys.executable, tmp_path / "restart.py")
    outs = [run_watchdog(config, tmp_path, hook) for _probe in range(3)]
    assert [o.returncode for o in outs] == [0, 0, 0]
    assert "probe 1 of 3 failed: no answer (timed out after 2 s)" in outs[0].stdout
    assert "probe 2 of 3 failed" in outs[1].stdout
    last = outs[2].stdout
    assert ("sglang-main.service: restarting: 3 probes in a row failed, the last: no answer "
            "(timed out after 2 s)") in last
    for url in gateways:
        assert "out of the gateway at %s (DELETE answered 20" % url in last, last
        assert "back in the gateway at %s" % url in last, last
    assert calls(tmp_path).count("try-restart " + UNIT) == 1
    # each smg drains it: no new request goes there (those in flight hang; the restart ends them)
    for path in seen:
        assert [(w["status"], w["is_healthy"]) for w in json.loads(path.read_text())["workers"]
                if w["url"] == worker] in ([], [("draining", False)])
    for url in gateways:
        wait(lambda url=url: any(w["url"] == worker and w.get("is_healthy")
                                 for w in get_json(url + "/workers")["workers"]),
             60, "the worker did not come back in the gateway at " + url)
    assert KEY not in "".join(o.stdout + o.stderr for o in outs)
    # serving again: the count starts over
    assert run_watchdog(config, tmp_path).stdout == ""
    assert json.loads((tmp_path / (UNIT + ".json")).read_text())["failures"] == 0


@pytest.mark.skipif(not os.path.exists(SMG), reason="smg is installed by scripts/setup-smg")
def test_a_server_that_is_not_active_is_not_probed(fleet, tmp_path):
    config, stall, _gateway, _worker = fleet
    stall.write_text("")
    (tmp_path / (UNIT + ".state")).write_text("activating")
    for _probe in range(4):
        assert run_watchdog(config, tmp_path).stdout == ""
    assert "try-restart " + UNIT not in calls(tmp_path)


@pytest.mark.skipif(not os.path.exists(SMG), reason="smg is installed by scripts/setup-smg")
def test_a_new_run_of_the_unit_starts_the_count_again(fleet, tmp_path):
    config, stall, _gateway, _worker = fleet
    stall.write_text("")
    assert "probe 1 of 3 failed" in run_watchdog(config, tmp_path).stdout
    assert "probe 2 of 3 failed" in run_watchdog(config, tmp_path).stdout
    (tmp_path / (UNIT + ".invocation")).write_text("7")  # restarted by someone else
    assert "probe 1 of 3 failed" in run_watchdog(config, tmp_path).stdout
    assert "try-restart " + UNIT not in calls(tmp_path)


def test_a_busy_server_is_not_restarted(tmp_path):
    """Completions slower than the probe's timeout while the server's token counter climbs (a
    queue, not a stall): no failure counted, no restart."""
    port = free_port()
    env = dict(os.environ, SGLANG_DOUBLE_LOAD_SECONDS="0", SGLANG_DOUBLE_TOKEN_SECONDS="1.5",
               SGLANG_DOUBLE_RECORD=str(tmp_path / "record.json"))
    double = subprocess.Popen([sys.executable, DOUBLE, "--model-path", "tiny", "--served-model-name", "tiny",
                               "--port", str(port), "--enable-metrics"],
                              env=env, stdout=open(tmp_path / "double.log", "w"), stderr=subprocess.STDOUT)
    url = "http://127.0.0.1:%d" % port
    stop = threading.Event()

    def client():
        body = json.dumps({"model": "tiny", "prompt": "Hi", "max_tokens": 2}).encode()
        while not stop.is_set():
            req = urllib.request.Request(url + "/v1/completions", data=body,
                                         headers={"Content-Type": "application/json"})
            try:
                urllib.request.urlopen(req, timeout=30).read()
            except OSError:
                time.sleep(0.2)
    try:
        wait(lambda: urllib.request.urlopen(url + "/health", timeout=2).status == 200, 20, "no double")
        clients = [threading.Thread(target=client, daemon=True) for _thread in range(6)]
        for thread in clients:
            thread.start()
        config = tmp_path / "watchdog.json"
        config.write_text(json.dumps({"unit": UNIT, "url": url, "model": "tiny", "timeout": 1,
                                      "failures": 2, "api_key": "", "systemctl": SYSTEMCTL,
                                      "gateways": [], "worker_url": url}))
        outs = []
        for _probe in range(4):
            time.sleep(1.5)
            outs.append(run_watchdog(config, tmp_path).stdout)
        assert "probe 1 of 2 failed" in outs[0]  # nothing to compare with yet
        assert all("busy, not stalled" in out for out in outs[1:]), outs
        assert "try-restart " + UNIT not in calls(tmp_path)
    finally:
        stop.set()
        double.terminate()
        double.wait(timeout=20)


def load_watchdog():
    import importlib.util
    spec = importlib.util.spec_from_file_location("sglang_watchdog", WATCHDOG)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("config, gateways, worker_url", [
    ({"gateways": ["http://g1:30080", "http://g2:30080"], "worker_url": "http://w:30000"},
     ["http://g1:30080", "http://g2:30080"], "http://w:30000"),
    ({"gateways": [], "worker_url": "http://w:30000"}, [], "http://w:30000"),
    ({"gateways": None, "worker_url": None}, [], None),
    # written by the release before several gateways, read until the role rewrites it
    ({"gateway": {"url": "http://g1:30080", "worker_url": "http://w:30000"}}, ["http://g1:30080"], "http://w:30000"),
    ({"gateway": None}, [], None),
])
def test_the_gateways_of_a_config_old_or_new(config, gateways, worker_url):
    assert load_watchdog().gateways_of(config) == (gateways, worker_url)


@pytest.mark.skipif(not os.path.exists(SMG), reason="smg is installed by scripts/setup-smg")
def test_a_restart_rejoins_only_the_gateways_it_left(fleet, tmp_path):
    """A server someone else took out of a gateway (a rollout's drain) is not put back there."""
    config, stall, gateways, worker = fleet
    entry = [w for w in get_json(gateways[1] + "/workers")["workers"] if w["url"] == worker][0]
    req = urllib.request.Request("%s/workers/%s" % (gateways[1], entry["id"]), method="DELETE",
                                 headers={"Authorization": "Bearer " + KEY})
    urllib.request.urlopen(req, timeout=5).read()
    wait(lambda: not any(w["url"] == worker for w in get_json(gateways[1] + "/workers")["workers"]),
         30, "smg kept the worker after its DELETE")
    stall.write_text("")
    outs = [run_watchdog(config, tmp_path, "%s %s" % (sys.executable, tmp_path / "restart.py"))
            for _probe in range(3)]
    last = outs[2].stdout
    assert "out of the gateway at %s (DELETE answered 20" % gateways[0] in last, last
    assert "back in the gateway at %s" % gateways[0] in last, last
    assert "not taken out of the gateway at %s: not registered" % gateways[1] in last, last
    assert gateways[1] not in last.split("not registered", 1)[1], last
    time.sleep(3)
    assert not any(w["url"] == worker for w in get_json(gateways[1] + "/workers")["workers"])
