"""On a lent GPU machine: run calibration cases (calibration_cases.py) through the collection's own
deploy.yml, the rendered unit's ExecStart and playbooks/bench.yml, and keep SGLang's own log lines
beside the plan. Results land in $OUT/calibration.tgz (unpack under tests/e2e/gpu/results/).

    python3 tests/e2e/gpu/calibrate.py CASE [CASE ...] [--deadline SECONDS] [--keep-running]

Set-up (idempotent, each call): the carried parts under .e2e/cal*/ go to /var/tmp/wh; once all
pieces of sgl_kernel's FA3 library are there, the full sglang-kernel wheel is rebuilt and checked
against its own RECORD; ansible-core and the report's packages go to /var/tmp/ansible-site; the
real-dimension checkpoints are unpacked to /var/tmp/e2e/models.
"""

import argparse
import base64
import glob
import hashlib
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
from calibration_cases import CASES, LONG_PROMPT_SHARE  # noqa: E402

WH = "/var/tmp/wh"
WORK = "/var/tmp/e2e"
SITE = "/var/tmp/ansible-site"
LOG = WORK + "/sglang.log"
UNIT = "/etc/systemd/system/sglang-main.service"
KEY = "e2e-secret-key"
BASE = "http://127.0.0.1:30000"
T0 = time.time()
KEY_LINES = re.compile(
    r"Init torch distributed ends|Memory baseline|Load weight begin|Load weight end|"
    r"sliding window memory pool|KV Cache is allocated|SWAKVPool|Memory pool end|"
    r"Capture .*CUDA graph|Capture cuda graph|max_total_num_tokens=|mem_fraction_static=|"
    r"OutOfMemory|out of memory|Not enough memory|RuntimeError|ValueError|fired up|"
    r"The server is fired up|Traceback")


def log(msg):
    print("[%5.0f s] %s" % (time.time() - T0, msg), flush=True)


def sh(cmd, out_file=None, env=None, timeout=None):
    """Run a command; its output to out_file (or captured). Returns (rc, output)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    try:
        proc = subprocess.run(cmd, shell=isinstance(cmd, str), cwd=ROOT, env=full_env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                              check=False)
        output, rc = proc.stdout.decode(errors="replace"), proc.returncode
    except subprocess.TimeoutExpired as exc:
        output, rc = (exc.stdout or b"").decode(errors="replace") + "\nTIMEOUT\n", 124
    if out_file:
        with open(out_file, "w") as handle:
            handle.write(output)
    return rc, output


# ------------------------------------------------------------------------------------ set-up

def setup(out):
    os.makedirs(WH, exist_ok=True)
    os.makedirs(WORK, exist_ok=True)
    for part in sorted(glob.glob(os.path.join(ROOT, ".e2e", "cal*"))):
        for item in os.listdir(part):
            if not os.path.exists(os.path.join(WH, item)):
                shutil.copy(os.path.join(part, item), WH)
    manifest_path = glob.glob(os.path.join(WH, "manifest.json"))
    if not manifest_path:
        raise SystemExit("no manifest.json carried yet")
    with open(manifest_path[0]) as handle:
        manifest = json.load(handle)
    have = [p for p in manifest["flash_pieces"] if os.path.exists(os.path.join(WH, p))]
    log("wheelhouse: %d files; FA3 pieces %d of %d" % (
        len(os.listdir(WH)), len(have), len(manifest["flash_pieces"])))
    if len(have) < len(manifest["flash_pieces"]):
        return False
    full = os.path.join(WH, manifest["kernel_wheel"])
    if not os.path.exists(full):
        rebuild_kernel(manifest, full)
    # copied again from the carried part on a later call: not a wheel to install next to the full one
    if os.path.exists(os.path.join(WH, manifest["trimmed_wheel_file"])):
        os.remove(os.path.join(WH, manifest["trimmed_wheel_file"]))
    if not os.path.exists(os.path.join(SITE, "ansible")):
        wheels = glob.glob(WH + "/ansible_core-*.whl") + glob.glob(WH + "/resolvelib-*.whl")
        wheels += glob.glob(os.path.join(ROOT, ".e2e", "report", "*.whl"))
        sh([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--target",
            SITE] + wheels)
    if sh(["bash", "scripts/link-collection"])[0]:  # FQCNs resolve through it (ansible.cfg)
        raise SystemExit("scripts/link-collection failed")
    models = os.path.join(ROOT, ".e2e", "models.tgz")
    if os.path.exists(models) and not os.path.isdir(WORK + "/models"):
        with tarfile.open(models) as tar:
            tar.extractall(WORK)
    return True


def rebuild_kernel(manifest, full):
    """The carried sglang-kernel wheel without sgl_kernel/flash_ops + the zstd pieces of that
    library -> the full wheel; every member is checked against the wheel's own RECORD."""
    zstd_site = "/var/tmp/zstd-site"
    if not os.path.isdir(zstd_site):
        sh([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--target",
            zstd_site] + glob.glob(WH + "/zstandard-*.whl"))
    sys.path.insert(0, zstd_site)
    import zstandard
    lib = WORK + "/flash_ops.abi3.so"
    reader = zstandard.ZstdDecompressor(max_window_size=2 ** 31)
    compressed = b"".join(open(os.path.join(WH, p), "rb").read() for p in manifest["flash_pieces"])
    with open(lib, "wb") as out:
        reader.copy_stream(io.BytesIO(compressed), out)
    del compressed
    trimmed = os.path.join(WH, manifest["trimmed_wheel_file"])
    tmp = full + ".tmp"
    with zipfile.ZipFile(trimmed) as zin, zipfile.ZipFile(tmp, "w") as zout:
        record = None
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.endswith(".dist-info/RECORD"):
                record = data.decode()
            zout.writestr(item, data, compress_type=zipfile.ZIP_STORED)
        zout.write(lib, manifest["flash_member"], compress_type=zipfile.ZIP_STORED)
    with zipfile.ZipFile(tmp) as z:
        bad = check_record(z, record)
    if bad:
        raise SystemExit("rebuilt sglang-kernel differs from its RECORD: %s" % bad[:5])
    os.rename(tmp, full)
    os.remove(trimmed)
    os.remove(lib)
    log("sglang-kernel rebuilt whole (%.0f MB), every file matches its RECORD" % (
        os.path.getsize(full) / 1e6))


def check_record(z, record):
    bad = []
    names = set(z.namelist())
    for line in record.splitlines():
        name, digest = line.split(",")[:2]
        if not digest:
            continue
        if name not in names:
            bad.append(name + " missing")
            continue
        algo, want = digest.split("=", 1)
        got = base64.urlsafe_b64encode(hashlib.new(algo, z.read(name)).digest()).rstrip(b"=")
        if got.decode() != want:
            bad.append(name)
    return bad


# ------------------------------------------------------------------------------------ cases

def ansible_env():
    torch_site = subprocess.run(
        [sys.executable, "-c", "import torch, os; print(os.path.dirname(os.path.dirname("
                               "torch.__file__)))"],
        stdout=subprocess.PIPE, check=False).stdout.decode().strip()
    env = {"PYTHONPATH": SITE, "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_STDOUT_CALLBACK": "default",
           "E2E_TORCH_SITE": torch_site}
    if subprocess.run([sys.executable, "-c", "import ensurepip"], check=False).returncode:
        env["E2E_NO_ENSUREPIP"] = "1"
    return env


def playbook(args, out_file, extra, timeout=900):
    cmd = [sys.executable, SITE + "/bin/ansible-playbook", "-i",
           "tests/e2e/gpu/calibration-inventory.yml"] + args + ["-e", json.dumps(extra)]
    return sh(cmd, out_file, ansible_env(), timeout)


def case_vars(case):
    model = WORK + "/models/" + case["model"]
    out = {"sglang_model": model, "sglang_served_model_name": case["model"]}
    out.update(case["vars"])
    return out


def server_alive():
    try:
        with urllib.request.urlopen(BASE + "/health", timeout=10) as resp:
            return resp.status == 200
    except Exception:
        return False


def stop_server():
    pid_file = LOG + ".pid"
    if os.path.exists(pid_file):
        with open(pid_file) as handle:
            pid = int(handle.read().strip())
        for sig, wait in ((signal.SIGTERM, 40), (signal.SIGKILL, 20)):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                break
            for _second in range(wait):
                try:
                    os.killpg(pid, 0)
                    time.sleep(1)
                except ProcessLookupError:
                    break
        os.remove(pid_file)
    sh("pkill -9 -f sglang.launch_server; pkill -9 -f 'sglang::'; true")
    for _second in range(60):
        rc, used = sh("nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits")
        if all(int(x) < 2000 for x in used.split() if x.strip().isdigit()):
            return
        time.sleep(2)


def gpu_memory(out_file):
    sh("nvidia-smi --query-gpu=index,name,memory.total,memory.used --format=csv", out_file)


def long_prompt(case_dir, context):
    """One request whose prompt fills LONG_PROMPT_SHARE+ of the context, as token ids."""
    n = int(context * (LONG_PROMPT_SHARE + 0.02))
    rng = random.Random(0)
    body = json.dumps({"input_ids": [rng.randrange(1000, 200000) for _token in range(n)],
                       "sampling_params": {"max_new_tokens": 8, "temperature": 0}}).encode()
    req = urllib.request.Request(BASE + "/generate", data=body, headers={
        "Authorization": "Bearer " + KEY, "Content-Type": "application/json"})
    t = time.time()
    result = {"prompt_tokens_sent": n, "context_length": context,
              "share": round(n / context, 4)}
    try:  # within the call's deadline, so the results still come back when it is too long
        with urllib.request.urlopen(req, timeout=max(30, min(400, deadline_left() - 40))) as resp:
            reply = json.loads(resp.read())
        meta = reply.get("meta_info", {})
        result.update(status=200, prompt_tokens=meta.get("prompt_tokens"),
                      completion_tokens=meta.get("completion_tokens"),
                      seconds=round(time.time() - t, 1))
    except Exception as exc:  # an HTTP error or a dead server is the finding
        result.update(status="error", error=str(exc)[:500], seconds=round(time.time() - t, 1))
    with open(os.path.join(case_dir, "long-prompt.json"), "w") as handle:
        json.dump(result, handle, indent=1)
    log("long prompt: %s" % result)


def run_bench(case_dir, profile, extra):
    variables = dict(extra, sglang_bench_run_profiles=[profile], sglang_cluster="calibration",
                     sglang_reports_root=os.path.join(case_dir, "reports"),
                     sglang_bench_tokenizer=WORK + "/models/llama4-scout")
    rc = playbook(["playbooks/bench.yml"], os.path.join(case_dir, "bench-%s.log" % profile), variables,
                  timeout=max(60, deadline_left() - 20))[0]
    log("bench.yml %s rc=%d" % (profile, rc))


def key_lines(out_file):
    lines = []
    if os.path.exists(LOG):
        with open(LOG, errors="replace") as handle:
            lines = [line.rstrip() for line in handle if KEY_LINES.search(line)]
    with open(out_file, "w") as handle:
        handle.write("\n".join(lines[:400]) + "\n")


def run_case(name, out, keep_running):
    case = CASES[name]
    case_dir = os.path.join(out, name)
    os.makedirs(case_dir, exist_ok=True)
    extra = case_vars(case)
    with open(os.path.join(case_dir, "case.json"), "w") as handle:
        json.dump({"case": case, "extra_vars": extra}, handle, indent=1)
    reuse = case.get("same_server_as") and server_alive()
    if not reuse:
        stop_server()
    rc, text = playbook(["playbooks/plan.yml"], os.path.join(case_dir, "plan.log"),
                        dict(extra, sglang_plan_dir=case_dir + "/plan"))
    log("%s: plan.yml rc=%d" % (name, rc))
    if case["expect"] == "refuse":
        refuse_case(case, case_dir, extra, rc)
        return
    if reuse:
        log("%s: the server of %s still serves; reusing it" % (name, case["same_server_as"]))
    else:
        rc = playbook(["deploy.yml", "--tags", "sglang_install,sglang_weights,sglang_service"],
                      os.path.join(case_dir, "deploy.log"), extra)[0]
        log("%s: deploy rc=%d" % (name, rc))
        if rc:
            return
        shutil.copy(UNIT, case_dir)
        if os.path.exists(LOG):
            os.remove(LOG)
        census = os.path.join(case_dir, "census")
        os.makedirs(census, exist_ok=True)
        t = time.time()
        rc = sh([sys.executable, "tests/e2e/gpu/start_from_unit.py", UNIT, LOG],
                os.path.join(case_dir, "start.log"),
                {"E2E_PYTHONPATH": os.path.join(HERE, "census"), "E2E_CENSUS_DIR": census},
                timeout=max(60, deadline_left() - 30))[0]
        ready = time.time() - t
        with open(os.path.join(case_dir, "ready.json"), "w") as handle:
            json.dump({"rc": rc, "seconds": round(ready, 1)}, handle)
        log("%s: start rc=%d after %.0f s" % (name, rc, ready))
        gpu_memory(os.path.join(case_dir, "gpu-memory-ready.csv"))
        key_lines(os.path.join(case_dir, "sglang-lines.txt"))
        if rc:
            shutil.copy(LOG, os.path.join(case_dir, "sglang.log"))
            stop_server()
            return
    with open(glob.glob(case_dir + "/plan/*.json")[0]) as handle:
        plan = json.load(handle)["plan"]
    for check in case.get("checks", []):
        if deadline_left() < 90:
            log("%s: no time left for %s" % (name, check))
            continue
        if check == "long_prompt":
            long_prompt(case_dir, plan["context_length"])
        elif check.startswith("bench:"):
            run_bench(case_dir, check.split(":", 1)[1], extra)
    gpu_memory(os.path.join(case_dir, "gpu-memory-after.csv"))
    key_lines(os.path.join(case_dir, "sglang-lines.txt"))
    shutil.copy(LOG, os.path.join(case_dir, "sglang.log"))
    if not keep_running:
        stop_server()


def refuse_case(case, case_dir, extra, plan_rc):
    """The planner refused (plan_rc != 0); start SGLang itself with the same model to see its
    own failure."""
    stop_server()
    python = glob.glob("/opt/sglang/*/venv/bin/python")
    if not python:
        log("no SGLang venv yet: run a starting case first")
        return
    argv = [python[0], "-m", "sglang.launch_server", "--model-path", extra["sglang_model"],
            "--load-format", "dummy", "--port", "30001", "--sampling-backend", "pytorch",
            "--grammar-backend", "none"] + case["sglang_args"]
    t = time.time()
    rc = sh(argv, os.path.join(case_dir, "sglang.log"), timeout=min(300, deadline_left() - 40))[0]
    with open(os.path.join(case_dir, "sglang-own-start.json"), "w") as handle:
        json.dump({"argv": argv[1:], "rc": rc, "seconds": round(time.time() - t, 1),
                   "planner_refused": plan_rc != 0}, handle, indent=1)
    with open(os.path.join(case_dir, "sglang.log"), errors="replace") as handle:
        lines = [line.rstrip() for line in handle if KEY_LINES.search(line)]
    with open(os.path.join(case_dir, "sglang-lines.txt"), "w") as handle:
        handle.write("\n".join(lines[:200]) + "\n")
    log("refusal case: planner rc=%d, SGLang's own start rc=%d" % (plan_rc, rc))
    sh("pkill -9 -f sglang; true")


DEADLINE = [600]


def deadline_left():
    return DEADLINE[0] - (time.time() - T0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cases", nargs="*")
    parser.add_argument("--deadline", type=int, default=570)
    parser.add_argument("--keep-running", action="store_true")
    opts = parser.parse_args()
    DEADLINE[0] = opts.deadline
    out_root = os.environ.get("OUT", "/var/tmp/e2e-out")
    out = os.path.join(WORK, "results")
    os.makedirs(out, exist_ok=True)
    ready = setup(out)
    if ready and opts.cases:
        sh("{ date -u; nvidia-smi -L; nvidia-smi --query-gpu=name,memory.total,driver_version "
           "--format=csv,noheader; python3 -V; python3 -c 'import torch; print(\"torch\", "
           "torch.__version__)'; head -2 /etc/os-release; } 2>&1", os.path.join(out, "machine.txt"))
        rc, facts = sh([sys.executable, SITE + "/bin/ansible", "-i",
                        "tests/e2e/gpu/calibration-inventory.yml", "gpu-local", "-m",
                        "llmops.sglang.gpu_facts", "-o"], env=ansible_env(), timeout=120)
        with open(os.path.join(out, "gpu-facts.txt"), "w") as handle:
            handle.write(facts)
        for name in opts.cases:
            if deadline_left() < 120:
                log("no time left for %s" % name)
                break
            run_case(name, out, opts.keep_running)
    os.makedirs(out_root, exist_ok=True)
    with tarfile.open(os.path.join(out_root, "calibration.tgz"), "w:gz") as tar:
        tar.add(out, arcname="calibration")
    sh("ls -la %s; cat %s/*/long-prompt.json 2>/dev/null; cat %s/*/ready.json 2>/dev/null; "
       "grep -h 'Load weight end\\|full_layer_tokens\\|max_total_num_tokens' %s/*/sglang-lines.txt "
       "2>/dev/null | grep -v 'TP[1-7]' | cut -c1-300" % (out, out, out, out))
    print(sh("tail -c 6000 %s/*/sglang-lines.txt 2>/dev/null | grep -v 'TP[1-9]' | tail -40" % out)[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
