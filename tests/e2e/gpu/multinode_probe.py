"""On a lent two-GPU machine: two ranks of one model (SGLang --nnodes 2, a GPU each, rendezvous on
loopback) deployed by the collection as two inventory hosts (multinode-inventory.yml), then what
each rank answers and how the group stops. Everything goes to $OUT/multinode.tgz (unpack under
tests/e2e/gpu/results/).

    python3 tests/e2e/gpu/multinode_probe.py deploy   # install, render, start both, smoke,
                                                      # /metrics, then stop rank 0 alone
    python3 tests/e2e/gpu/multinode_probe.py alone    # start both again, stop rank 1 alone

Set-up as calibrate.py (the carried .e2e/cal* parts), plus .e2e/tiny-llama4.tgz.
"""

import json
import os
import signal
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import calibrate  # noqa: E402
from calibrate import ROOT, SITE, WORK, ansible_env, log, sh  # noqa: E402

INVENTORY = "tests/e2e/gpu/multinode-inventory.yml"
OUT = os.path.join(WORK, "multinode")
RANKS = {"r0": 30000, "r1": 30001}
KEY = "e2e-secret-key"


def unpack_model():
    tiny = os.path.join(ROOT, ".e2e", "tiny-llama4.tgz")
    if not os.path.isdir(WORK + "/tiny-llama4"):
        with tarfile.open(tiny) as tar:
            tar.extractall(WORK)
    sh(["chmod", "-R", "a+rX", WORK + "/tiny-llama4"])  # the service user reads it


def one_gpu_facts():
    cmd = [sys.executable, SITE + "/bin/ansible", "-i", INVENTORY, "rank0", "-m",
           "llmops.sglang.gpu_facts", "-e", "e2e_gpu_one={}", "-o"]
    text = sh(cmd, env=ansible_env(), timeout=120)[1]
    facts = json.loads(text.split("=>", 1)[1])["ansible_facts"]["gpus"]
    with open(os.path.join(OUT, "gpu-facts.json"), "w") as handle:
        json.dump(facts, handle, indent=1)
    facts = dict(facts, count=1)  # one GPU a rank, as two one-GPU hosts
    return {k: (v[:1] if isinstance(v, list) else v) for k, v in facts.items()}


def playbook(args, name, gpu_one):
    cmd = [sys.executable, SITE + "/bin/ansible-playbook", "-i", INVENTORY] + args + [
        "-e", json.dumps({"e2e_gpu_one": gpu_one})]
    rc, text = sh(cmd, os.path.join(OUT, name + ".log"), ansible_env(), timeout=420)
    log("%s rc=%d" % (name, rc))
    return rc, text


def get(url, timeout=10, key=False):
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + KEY} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except Exception as exc:  # noqa: BLE001 - what happened is the result
        return None, repr(exc)


def chat(port, timeout):
    body = json.dumps({"model": "tiny-llama4", "max_tokens": 8, "temperature": 0,
                       "messages": [{"role": "user", "content": "Say hello."}]}).encode()
    request = urllib.request.Request(
        "http://127.0.0.1:%d/v1/chat/completions" % port, data=body,
        headers={"Authorization": "Bearer " + KEY, "Content-Type": "application/json"})
    t = time.time()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return {"status": resp.status, "seconds": round(time.time() - t, 2),
                    "usage": json.loads(resp.read()).get("usage")}
    except Exception as exc:  # noqa: BLE001
        return {"status": None, "seconds": round(time.time() - t, 2), "error": repr(exc)[:300]}


def start_both(tag):
    """Both ranks' rendered ExecStart at once (rank 0 is ready only once rank 1 has joined)."""
    procs = {}
    for rank in RANKS:
        logfile = os.path.join(WORK, rank + ".log")
        if os.path.exists(logfile):
            os.rename(logfile, os.path.join(OUT, "%s-%s.log" % (rank, tag)))
        procs[rank] = subprocess.Popen(
            [sys.executable, "tests/e2e/gpu/start_from_unit.py",
             "/etc/systemd/system/sglang-%s.service" % rank, logfile], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    t = time.time()
    results = {rank: (p.wait(timeout=400), p.stdout.read().decode()[-400:])
               for rank, p in procs.items()}
    log("start (%s): %s after %.0f s" % (tag, results, time.time() - t))
    return all(rc == 0 for rc, _out in results.values())


def pid(rank):
    with open(os.path.join(WORK, rank + ".log.pid")) as handle:
        return int(handle.read())


def alive(process_id):
    try:
        os.kill(process_id, 0)
    except ProcessLookupError:
        return False
    with open("/proc/%d/stat" % process_id) as handle:
        return handle.read().split()[2] != "Z"


def watch_exit(pids, seconds):
    """Seconds until each process is gone (None: still there after `seconds`)."""
    t, gone = time.time(), {}
    while time.time() - t < seconds and len(gone) < len(pids):
        for name, process_id in pids.items():
            if name not in gone and not alive(process_id):
                gone[name] = round(time.time() - t, 1)
        time.sleep(0.5)
    return {name: gone.get(name) for name in pids}


def kill_all():
    for rank in RANKS:
        try:
            os.killpg(pid(rank), signal.SIGKILL)
        except (ProcessLookupError, FileNotFoundError):
            pass
    sh("pkill -9 -f sglang.launch_server; pkill -9 -f 'sglang::'; pkill -9 -f launch-sglang; true")
    time.sleep(5)


def deploy_step(record):
    gpu_one = one_gpu_facts()
    if playbook(["deploy.yml", "--tags", "sglang_install,sglang_weights,sglang_service"], "deploy",
                gpu_one)[0]:
        return
    for rank in RANKS:
        sh("cp /etc/systemd/system/sglang-%s.service %s/" % (rank, OUT))
    if not start_both("first"):
        return
    record["rank1_stub"] = {path: get("http://127.0.0.1:30001" + path, key=True)[0]
                            for path in ("/health", "/health_generate", "/ping", "/v1/models",
                                         "/server_info", "/metrics")}
    record["rank0"] = {path: get("http://127.0.0.1:30000" + path, key=True)[0]
                       for path in ("/health", "/v1/models", "/server_info")}
    for rank, port in RANKS.items():
        status, text = get("http://127.0.0.1:%d/metrics" % port)
        with open(os.path.join(OUT, "metrics-0.5.17-%s.txt" % rank), "w") as handle:
            handle.write(text)
        record["metrics_" + rank] = status
    record["chat_before_smoke"] = chat(30000, 60)
    playbook(["deploy.yml", "--tags", "sglang_smoke"], "smoke", gpu_one)
    # SGLang's /metrics after traffic (the smoke requests), for the monitoring work
    status, text = get("http://127.0.0.1:30000/metrics")
    with open(os.path.join(OUT, "metrics-0.5.17-r0-after-smoke.txt"), "w") as handle:
        handle.write(text)
    # the group stop the service role's handler does: SIGTERM to rank 0's main process only
    # (systemd's KillMode=mixed), rank 1 untouched
    pids = {rank: pid(rank) for rank in RANKS}
    os.kill(pids["r0"], signal.SIGTERM)
    record["stop_rank0_first"] = watch_exit(pids, 120)
    log("stop rank 0 first: %s" % record["stop_rank0_first"])


def alone_step(record):
    if not start_both("second"):
        return
    pids = {rank: pid(rank) for rank in RANKS}
    os.kill(pids["r1"], signal.SIGTERM)
    record["stop_rank1_alone"] = watch_exit({"r1": pids["r1"]}, 30)
    record["rank0_alive_after_rank1_stop"] = alive(pids["r0"])
    record["rank0_health_after_rank1_stop"] = get("http://127.0.0.1:30000/health")[0]
    record["chat_after_rank1_stop"] = chat(30000, 45)
    record["rank0_alive_60s_after"] = watch_exit({"r0": pids["r0"]}, 15)
    log("stop rank 1 alone: %s" % {k: v for k, v in record.items() if "after" in k or "alone" in k})


def main():
    step = sys.argv[1]
    os.makedirs(OUT, exist_ok=True)
    if not calibrate.setup(OUT):
        return 0
    unpack_model()
    record_path = os.path.join(OUT, "probe.json")
    record = json.load(open(record_path)) if os.path.exists(record_path) else {}
    try:
        {"deploy": deploy_step, "alone": alone_step}[step](record)
    finally:
        for rank in RANKS:
            if os.path.exists(os.path.join(WORK, rank + ".log")):
                sh("cp %s/%s.log %s/%s-%s.log" % (WORK, rank, OUT, rank, step))
        kill_all()
        with open(record_path, "w") as handle:
            json.dump(record, handle, indent=1)
        out_root = os.environ.get("OUT", "/var/tmp/e2e-out")
        os.makedirs(out_root, exist_ok=True)
        with tarfile.open(os.path.join(out_root, "multinode.tgz"), "w:gz") as tar:
            tar.add(OUT, arcname="multinode")
        print(json.dumps(record, indent=1))
        print(sh("grep -h 'SIGTERM\\|ShutdownReq\\|Traceback\\|Error\\|error\\|fired up\\|"
                 "health check server' %s/r*-%s.log | cut -c1-250 | tail -30" % (OUT, step))[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
