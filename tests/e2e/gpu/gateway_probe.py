"""On a lent GPU machine: two independent tp 1 replicas of the tiny model deployed by the collection
as two inventory hosts (gateway-inventory.yml), the gateway (smg, through the role's own launcher
smg_launch.py and the flags of the role's rendered unit) in front of both, then SGLang's own
bench_serving against one replica and through the gateway, and one replica stopped in the middle
of a run through the gateway. Everything goes to $OUT/gateway.tgz (unpack under
tests/e2e/gpu/results/).

    python3 tests/e2e/gpu/gateway_probe.py pack       # CPU machine: the carried parts (below)
    python3 tests/e2e/gpu/gateway_probe.py stage      # copy the carried parts (.e2e/gw*/) in place
    python3 tests/e2e/gpu/gateway_probe.py deploy     # install, render, start both replicas
    python3 tests/e2e/gpu/gateway_probe.py gateway    # deploy.yml's smoke, then smg installed,
                                                      # its unit rendered and started
    python3 tests/e2e/gpu/gateway_probe.py bench      # bench_serving: one replica, then the gateway
    python3 tests/e2e/gpu/gateway_probe.py sigterm    # SIGTERM to replica 1 mid-run (then its
                                                      # start again, in the background)
    python3 tests/e2e/gpu/gateway_probe.py sigkill    # once it is back: kill -9 of its process
                                                      # group mid-run
    python3 tests/e2e/gpu/gateway_probe.py metrics    # raw /metrics of SGLang and smg; replica
                                                      # g0's scheduler stopped (SIGSTOP) under load
    python3 tests/e2e/gpu/gateway_probe.py canary     # rollout.yml's canary gate: its default
                                                      # profile on replica g1, twice after each of
                                                      # three restarts, then with CUDA graphs off

Carried parts, made on the CPU machine by `pack` from what prepare.sh leaves in .e2e/ (part*/, the
SGLang wheelhouse of wheels.txt with sglang-kernel trimmed; tiny-llama4.tgz) and from
`SMG_WHEELHOUSE_PYTHONS=3.12 bash tests/molecule/setup/smg-wheelhouse.sh .e2e/smg` (smg 1.13.0
and its dependencies for the GPU machine's Python 3.12), in parts of at most 50 MiB (the working
tree travels too, under the device tool's 64 MiB): .e2e/gwN/{wh,smg,model}/; and .e2e/src.tgz
(`git archive HEAD`: the run uses the committed collection, not uncommitted edits in the checkout).
Calls in quick succession: what `stage` and `deploy` leave under /var/tmp and the running
processes survive only while the machine is warm.

With two GPUs each replica has its own (CUDA_VISIBLE_DEVICES 0 and 1, the planner's own
fraction). With one GPU both share GPU 0 (a second inventory written here: fractions 0.3 and 0.7;
SGLang sizes its pool as free memory minus (1 - fraction) of the card, so the second replica's
fraction must cover the first's use); the second starts once the first has its KV pool. The
throughput ratio is then two processes time-sharing one GPU, not two GPUs.
"""

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from calibrate import ROOT, SITE, WH, WORK, ansible_env, log, sh  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "plugins", "module_utils"))
import bench_prompts  # noqa: E402

INVENTORY = "tests/e2e/gpu/gateway-inventory.yml"
SHARED_INVENTORY = WORK + "/one-gpu-inventory.yml"
OUT = os.path.join(WORK, "gateway")
SMG_WH = "/var/tmp/smg-wh"
KEY = "e2e-secret-key"
REPLICAS = {"g0": 30000, "g1": 30001}
VICTIM = "g1"
# the role's own defaults (roles/sglang_gateway/defaults/main.yml), read there and rendered into
# its own unit template; only what the unit needs beyond them is given here
GW_ROOT = "/opt/sglang-gateway"
GW_UNIT = "/etc/systemd/system/sglang-gateway.service"
GW_PORT, GW_METRICS = 30080, 29000
GW = "http://127.0.0.1:%d" % GW_PORT
MODEL = WORK + "/tiny-llama4"
# the same bench_serving settings for every run (random 256/256, range ratio 1)
BENCH = {"num_prompts": 1024, "input_len": 256, "output_len": 256, "max_concurrency": 128,
         "temperature": 0, "seed": 1}
SMG_FAMILIES = ("smg_worker_requests_total", "smg_worker_retries_total", "smg_worker_health{",
                "smg_worker_cb_state", "smg_router_upstream_responses_total",
                "smg_worker_retries_exhausted_total", "smg_router_requests_total",
                "smg_worker_pool_size")
# the stall: long enough for a "no tokens for 2 minutes" alert, scraped as Prometheus would
STALL_SECONDS, SCRAPE_SECONDS = 150, 5
# the watchdog against the stalled replica: one run before the stop (a passing probe), four in
# the stall (the first still sees the tokens of before the stop: busy; the fourth restarts), one
# after the SIGCONT (passing again)
WATCHDOG_AT, WATCHDOG_TIMEOUT = (-15, 5, 20, 35, 50), 10
SGLANG_FAMILIES = ("sglang:generation_tokens_total", "sglang:prompt_tokens_total",
                   "sglang:num_requests_total", "sglang:num_aborted_requests_total")


# ------------------------------------------------------------------------------------ helpers

def http(url, timeout=10, key=False, data=None):
    headers = {"Authorization": "Bearer " + KEY} if key else {}
    if data is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(data).encode()
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except Exception as exc:  # noqa: BLE001 - what happened is the result
        return None, repr(exc)


def metric_lines(url, families):
    status, text = http(url, timeout=10)
    if status != 200:
        return ["# %s: %s %s" % (url, status, text[:200])]
    # smg keeps a zero series for every worker type and endpoint: only those that moved, and
    # every worker's request count and health
    return [line for line in text.splitlines()
            if not line.startswith("#") and line.startswith(families)
            and (not re.search(r"\} 0(\.0)?$", line)
                 or line.startswith(("smg_worker_requests_total", "smg_worker_health{")))]


def snapshot(tag):
    """smg's metrics and each replica's SGLang counters, as lines, to OUT/metrics-<tag>.txt."""
    lines = ["# smg (gateway metrics listener, :%d)" % GW_METRICS]
    lines += metric_lines("http://127.0.0.1:%d/metrics" % GW_METRICS, SMG_FAMILIES)
    for name, port in REPLICAS.items():
        lines.append("# replica %s (:%d)" % (name, port))
        lines += metric_lines("http://127.0.0.1:%d/metrics" % port, SGLANG_FAMILIES)
    with open(os.path.join(OUT, "metrics-%s.txt" % tag), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return lines


def per_worker_requests(lines):
    out = {}
    for line in lines:
        match = re.match(r'smg_worker_requests_total\{worker="([^"]+)".*\} ([0-9.e+]+)', line)
        if match:
            out[match.group(1)] = out.get(match.group(1), 0) + float(match.group(2))
    return out


def pid_of(name):
    with open(os.path.join(WORK, name + ".log.pid")) as handle:
        return int(handle.read())


def alive(process_id):
    try:
        os.kill(process_id, 0)
    except ProcessLookupError:
        return False
    try:
        with open("/proc/%d/stat" % process_id) as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def group_alive(pgid):
    """Whether a process of group pgid is still there (zombies, left for their parent to reap,
    do not count)."""
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def gpu_memory(tag):
    return sh("nvidia-smi --query-gpu=index,memory.used,memory.total --format=csv,noheader")[1] \
        .strip().replace("\n", "; ") + " (%s)" % tag


def load_record():
    path = os.path.join(OUT, "probe.json")
    return json.load(open(path)) if os.path.exists(path) else {}


def save_record(record):
    with open(os.path.join(OUT, "probe.json"), "w") as handle:
        json.dump(record, handle, indent=1)


# ------------------------------------------------------------------------------------ stage

def pack():
    """CPU machine: .e2e/part*/*.whl, .e2e/smg/*.whl and .e2e/tiny-llama4.tgz -> .e2e/gwN/ (first
    fit, largest first, at most 50 MiB each), and .e2e/src.tgz from HEAD."""
    e = os.path.join(ROOT, ".e2e")
    items = [(f, "wh") for f in glob.glob(e + "/part*/*.whl")]
    items += [(f, "smg") for f in glob.glob(e + "/smg/*.whl")]
    items += [(e + "/tiny-llama4.tgz", "model")]
    items.sort(key=lambda item: os.path.getsize(item[0]), reverse=True)
    limit, bins = 50 * 2 ** 20, []
    for path, sub in items:
        for size_files in bins:
            if size_files[0] + os.path.getsize(path) <= limit:
                size_files[0] += os.path.getsize(path)
                size_files[1].append((path, sub))
                break
        else:
            bins.append([os.path.getsize(path), [(path, sub)]])
    for old in glob.glob(e + "/gw*"):
        shutil.rmtree(old)
    for number, (size, files) in enumerate(bins, 1):
        for path, sub in files:
            os.makedirs(os.path.join(e, "gw%d" % number, sub), exist_ok=True)
            shutil.copy(path, os.path.join(e, "gw%d" % number, sub))
        print("gw%d: %d files, %.1f MiB" % (number, len(files), size / 2 ** 20))
    sh("git archive --format=tar.gz -o .e2e/src.tgz HEAD")
    print("src.tgz: HEAD %s" % sh(["git", "rev-parse", "HEAD"])[1].strip())


def stage():
    os.makedirs(WH, exist_ok=True)
    os.makedirs(SMG_WH, exist_ok=True)
    os.makedirs(WORK, exist_ok=True)
    for part in sorted(glob.glob(os.path.join(ROOT, ".e2e", "gw*"))):
        for sub, dest in (("wh", WH), ("smg", SMG_WH), ("model", WORK)):
            for item in glob.glob(os.path.join(part, sub, "*")):
                if not os.path.exists(os.path.join(dest, os.path.basename(item))):
                    shutil.copy(item, dest)
    tiny = os.path.join(WORK, "tiny-llama4.tgz")
    if os.path.exists(tiny) and not os.path.isdir(MODEL):
        with tarfile.open(tiny) as tar:
            tar.extractall(WORK)
        sh(["chmod", "-R", "a+rX", MODEL])
    have = {"wh": len(os.listdir(WH)), "smg": len(os.listdir(SMG_WH)),
            "model": os.path.isdir(MODEL)}
    log("staged: %s" % have)
    return have


def ready_to_deploy():
    want = [line.strip() for line in open(os.path.join(HERE, "wheels.txt"))
            if line.strip() and not line.startswith("#")]
    have = stage()
    if have["wh"] < len(want) or have["smg"] < 7 or not have["model"]:
        log("not everything is carried yet (%d of %d wheels)" % (have["wh"], len(want)))
        return False
    if not os.path.exists(os.path.join(SITE, "ansible")):
        wheels = glob.glob(WH + "/ansible_core-*.whl") + glob.glob(WH + "/resolvelib-*.whl")
        sh([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--target",
            SITE] + wheels)
    if sh(["bash", "scripts/link-collection"])[0]:  # FQCNs resolve through it (ansible.cfg)
        raise SystemExit("scripts/link-collection failed")
    return True


# ------------------------------------------------------------------------------------ deploy

def gpu_facts(record):
    cmd = [sys.executable, SITE + "/bin/ansible", "-i", INVENTORY, "replica0", "-m",
           "llmops.sglang.gpu_facts", "-e", "e2e_gpu_one={}", "-o"]
    text = sh(cmd, env=ansible_env(), timeout=120)[1]
    facts = json.loads(text.split("=>", 1)[1])["ansible_facts"]["gpus"]
    with open(os.path.join(OUT, "gpu-facts.json"), "w") as handle:
        json.dump(facts, handle, indent=1)
    record["gpus"] = facts["count"]
    record["gpu_name"] = facts.get("name")
    one = dict(facts, count=1)  # one GPU a replica, as two one-GPU hosts
    return {k: (v[:1] if isinstance(v, list) else v) for k, v in one.items()}


def inventories(record):
    args = ["-i", INVENTORY]
    if record["gpus"] < 2:
        with open(SHARED_INVENTORY, "w") as handle:
            handle.write(
                "# written by gateway_probe.py: one GPU here, both replicas on it\n"
                "all:\n  children:\n    sglang:\n      hosts:\n"
                "        replica0: {sglang_mem_fraction_static: 0.3}\n"
                "        replica1:\n          sglang_mem_fraction_static: 0.7\n"
                "          sglang_service_environment: {CUDA_VISIBLE_DEVICES: \"0\"}\n")
        shutil.copy(SHARED_INVENTORY, OUT)
        args += ["-i", SHARED_INVENTORY]
    return args


def playbook(record, args, name, gpu_one, timeout=420):
    cmd = [sys.executable, SITE + "/bin/ansible-playbook"] + inventories(record) + args + [
        "-e", json.dumps({"e2e_gpu_one": gpu_one})]
    t = time.time()
    rc, text = sh(cmd, os.path.join(OUT, name + ".log"), ansible_env(), timeout=timeout)
    recap = re.findall(r"^(replica\d)\s*: (ok=\d+\s+changed=\d+\s+unreachable=\d+\s+failed=\d+)",
                       text, re.M)
    record[name] = {"rc": rc, "seconds": round(time.time() - t), "recap": dict(recap)}
    log("%s rc=%d after %.0f s %s" % (name, rc, time.time() - t, dict(recap)))
    return rc


def start_replicas(names, tag, record, together):
    """The rendered units' ExecStart (start_from_unit.py), together or one after the other."""
    def launch(name):
        return subprocess.Popen(
            [sys.executable, "tests/e2e/gpu/start_from_unit.py",
             "/etc/systemd/system/sglang-%s.service" % name, os.path.join(WORK, name + ".log")],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    results = {}
    t = time.time()
    if together:
        procs = {name: launch(name) for name in names}
        for name, proc in procs.items():
            results[name] = (proc.wait(timeout=500), proc.stdout.read().decode()[-300:])
    else:  # one GPU: the next starts once the one before has its KV pool (SGLang sizes the
        # pool from the free memory it measures then), their CUDA-graph captures overlap
        procs = {}
        for name in names:
            procs[name] = launch(name)
            logfile = os.path.join(WORK, name + ".log")
            while procs[name].poll() is None and time.time() - t < 400:
                if os.path.exists(logfile):  # start_from_unit.py creates it once it launched
                    with open(logfile, errors="replace") as handle:
                        if "Memory pool end" in handle.read():
                            break
                time.sleep(1)
            record.setdefault("pool_ready_s", {})[name] = round(time.time() - t)
        for name, proc in procs.items():
            results[name] = (proc.wait(timeout=500), proc.stdout.read().decode()[-300:])
    record.setdefault("starts", {})[tag] = {
        name: {"rc": rc, "tail": out.strip().splitlines()[-1:]} for name, (rc, out) in results.items()}
    record["starts"][tag]["seconds"] = round(time.time() - t)
    log("start %s: %s after %.0f s" % (tag, results, time.time() - t))
    return all(rc == 0 for rc, _out in results.values())


def install_gateway(record):
    """smg 1.13.0 in the role's versioned virtualenv, offline from the carried wheelhouse, as the
    role's install.yml does (pip --no-index --find-links); the role's launcher beside it."""
    venv = GW_ROOT + "/1.13.0/venv"
    if not os.path.exists(venv + "/bin/python"):
        rc, out = sh([sys.executable, "-m", "venv", venv])
        if rc:  # no ensurepip on the image: a venv without pip, filled by this python's pip
            shutil.rmtree(venv, ignore_errors=True)
            sh([sys.executable, "-m", "venv", "--without-pip", venv])
        pip = ([venv + "/bin/python", "-m", "pip"] if not rc
               else [sys.executable, "-m", "pip", "--python", venv + "/bin/python"])
        rc, out = sh(pip + ["install", "-q", "--disable-pip-version-check", "--no-index",
                            "--find-links", SMG_WH, "smg==1.13.0"], timeout=300)
        record["smg_install"] = {"rc": rc, "out": out[-600:]}
        if rc:
            log("smg install failed: %s" % out[-1500:])
            return False
    shutil.copy(os.path.join(ROOT, "roles/sglang_gateway/files/smg_launch.py"),
                GW_ROOT + "/smg_launch.py")
    record["smg_version"] = sh([venv + "/bin/python", "-c",
                                "import importlib.metadata as m; print(m.version('smg'))"])[1].strip()
    os.makedirs("/etc/sglang-gateway", mode=0o750, exist_ok=True)
    with open("/etc/sglang-gateway/api_key", "w") as handle:  # the role's key file
        handle.write(KEY)
    os.chmod("/etc/sglang-gateway/api_key", 0o640)
    with open("/etc/sglang-gateway/workers.json", "w") as handle:  # the role's worker list
        handle.write(json.dumps(["http://127.0.0.1:%d" % p for p in REPLICAS.values()]) + "\n")
    # the role's own unit template with its own defaults (no systemd here to run it); the paths
    # are the role's (preflight.yml's names and paths)
    extra = {"_sglang_gateway_python": venv + "/bin/python",
             "_sglang_gateway_launcher": GW_ROOT + "/smg_launch.py",
             "_sglang_gateway_workers_file": "/etc/sglang-gateway/workers.json",
             "_sglang_gateway_key_file": "/etc/sglang-gateway/api_key",
             "_sglang_gateway_api": "http://127.0.0.1:%d" % GW_PORT, "sglang_api_key": KEY,
             "ansible_python_interpreter": sys.executable}
    rc, out = sh([sys.executable, SITE + "/bin/ansible", "-i", "localhost,", "-c", "local",
                  "localhost", "-m", "ansible.builtin.template", "-a",
                  "src=%s/roles/sglang_gateway/templates/sglang-gateway.service.j2 dest=%s "
                  "mode=0644" % (ROOT, GW_UNIT),
                  # the gateway's listen and metrics settings may live in sglang_common's
                  "-e", "@roles/sglang_common/defaults/main.yml",
                  "-e", "@roles/sglang_gateway/defaults/main.yml", "-e", json.dumps(extra)],
                 env=ansible_env(), timeout=120)
    record["gateway_unit_render_rc"] = rc
    if rc:
        log("rendering the gateway unit failed: %s" % out[-1500:])
        return False
    shutil.copy(GW_UNIT, OUT)
    return True


def start_gateway(record, tag):
    logfile = WORK + "/gateway.log"
    t = time.time()
    proc = subprocess.run([sys.executable, "tests/e2e/gpu/start_from_unit.py", GW_UNIT, logfile],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=120, check=False)
    out = proc.stdout.decode()
    live = round(time.time() - t, 1)
    healthy = wait_workers_healthy(list(REPLICAS), 120)
    record.setdefault("gateway_starts", {})[tag] = {
        "rc": proc.returncode, "live_after_s": live, "execstart": out.splitlines()[:1],
        "workers_healthy_after_s": healthy, "readiness": http(GW + "/readiness")}
    log("gateway %s: rc=%d live after %.1f s, workers healthy after %s s" % (
        tag, proc.returncode, live, healthy))
    return proc.returncode == 0 and healthy is not None


def workers(timeout=5):
    status, text = http(GW + "/workers", timeout=timeout, key=True)
    if status != 200:
        return None
    return {w["url"]: (w.get("is_healthy"), w.get("status")) for w in json.loads(text)["workers"]}


def wait_workers_healthy(names, seconds):
    t = time.time()
    want = {"http://127.0.0.1:%d" % REPLICAS[n] for n in names}
    while time.time() - t < seconds:
        state = workers() or {}
        if all(state.get(url, (False,))[0] for url in want):
            return round(time.time() - t, 1)
        time.sleep(0.5)
    return None


def deploy_step(record):
    gpu_one = gpu_facts(record)
    together = record["gpus"] >= 2
    record["layout"] = ("one GPU a replica" if together else
                        "one GPU: both replicas on GPU 0 (fractions 0.3, 0.7), the second "
                        "started once the first had its KV pool")
    log("%d GPU(s): %s" % (record["gpus"], record["layout"]))
    if playbook(record, ["deploy.yml", "--tags", "sglang_install,sglang_weights,sglang_service"],
                "deploy", gpu_one):
        return
    for name in REPLICAS:
        shutil.copy("/etc/systemd/system/sglang-%s.service" % name, OUT)
        with open("/etc/sglang/%s.yaml" % name) as src, \
                open(os.path.join(OUT, "%s.yaml" % name), "w") as dst:
            dst.write(re.sub(r"(?m)^api-key: .*", "api-key: <redacted>", src.read()))
    if start_replicas(list(REPLICAS), "first", record, together):
        record["gpu_memory_after_start"] = gpu_memory("both replicas up")


def gateway_step(record):
    """The gateway in front of both replicas (deploy.yml's smoke checks only with --smoke: the
    device time is short, and bench_serving asks more of each replica than the smoke does)."""
    if "--smoke" in sys.argv:
        with open(os.path.join(OUT, "gpu-facts.json")) as handle:
            facts = dict(json.load(handle), count=1)
        gpu_one = {k: (v[:1] if isinstance(v, list) else v) for k, v in facts.items()}
        playbook(record, ["deploy.yml", "--tags", "sglang_smoke"], "smoke", gpu_one)
    if install_gateway(record):
        start_gateway(record, "first")
    snapshot("after-gateway-start")


# ------------------------------------------------------------------------------------ bench

def bench_argv(base_url, tag, num_prompts):
    python = WORK + "/opt-g0/current/venv/bin/python"
    return [python, "-m", "sglang.bench_serving", "--backend", "sglang", "--base-url", base_url,
            "--model", MODEL, "--served-model-name", "tiny-llama4", "--tokenizer", MODEL,
            "--dataset-name", "random", "--dataset-path", WORK + "/prompts.json",
            "--num-prompts", str(num_prompts), "--random-input-len", str(BENCH["input_len"]),
            "--random-output-len", str(BENCH["output_len"]), "--random-range-ratio", "1",
            "--max-concurrency", str(BENCH["max_concurrency"]), "--request-rate", "inf",
            "--warmup-requests", "1", "--seed", str(BENCH["seed"]),
            "--temperature", str(BENCH["temperature"]),
            "--output-file", os.path.join(WORK, "bench-%s.jsonl" % tag), "--output-details"]


SUMMARY = re.compile(r"^(Backend|Max request concurrency|Successful requests|Benchmark duration|"
                     r"Total input tokens|Total generated tokens|Request throughput|"
                     r"Input token throughput|Output token throughput|Peak output token|"
                     r"Total token throughput|Concurrency|Mean E2E|Median E2E|P99 E2E|"
                     r"Mean TTFT|Median TTFT|P99 TTFT|Mean TPOT|Median TPOT|Mean ITL|Median ITL)")


def run_bench(tag, base_url, num_prompts, on_start=None):
    """bench_serving to its end; on_start(t) is called in a thread once the main run begins
    (bench_serving's 'Starting main benchmark run' + its 1 s pause)."""
    argv = bench_argv(base_url, tag, num_prompts)
    env = dict(os.environ, OPENAI_API_KEY=KEY, PYTHONUNBUFFERED="1")
    env.pop("PYTHONPATH", None)
    t0 = time.time()
    proc = subprocess.Popen(argv, cwd=WORK, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines, started, thread = [], None, None
    for raw in iter(proc.stdout.readline, b""):
        line = raw.decode(errors="replace").rstrip("\n")
        lines.append(line)
        if started is None and "Starting main benchmark run" in line:
            started = time.time() + 1.0
            if on_start:
                thread = threading.Thread(target=on_start, args=(started,))
                thread.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    rc = os.waitstatus_to_exitcode(status)
    if thread:
        thread.join()
    with open(os.path.join(OUT, "bench-%s.log" % tag), "w") as handle:
        # the summary, the error lines (cut), no progress bars
        keep = [ln for ln in lines if SUMMARY.match(ln) or ln.startswith(("=", "-", "output.error"))
                or "Warmup" in ln or "Traceback" in ln or "Error" in ln]
        handle.write("\n".join(ln[:400] for ln in keep[:200]) + "\n")
    summary = {ln.split(":")[0].strip(): ln.split(":", 1)[1].strip()
               for ln in lines if SUMMARY.match(ln)}
    result = {"rc": rc, "wall_s": round(time.time() - t0, 1),
              "client_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
              "main_run_started_at": started, "summary": summary,
              "error_lines": sum(1 for ln in lines if ln.startswith("output.error"))}
    details = os.path.join(WORK, "bench-%s.jsonl" % tag)
    if os.path.exists(details):
        with open(details) as handle:
            rows = [json.loads(x) for x in handle if x.strip()]
        if rows:
            row = rows[-1]
            errors = [e for e in row.get("errors", []) if e]
            lens = row.get("output_lens", [])
            result.update(
                completed=row.get("completed"), total_output_tokens=row.get("total_output_tokens"),
                output_throughput=row.get("output_throughput"), duration=row.get("duration"),
                errors=len(errors), first_errors=[e[-300:] for e in errors[:3]],
                short_outputs=sum(1 for x in lens if x != BENCH["output_len"]),
                requests=len(lens))
    log("bench %s: rc=%d %s" % (tag, rc, {k: summary.get(k) for k in (
        "Successful requests", "Benchmark duration (s)", "Output token throughput (tok/s)")}))
    return result


def bench_step(record):
    with open(WORK + "/prompts.json", "w") as handle:
        handle.write(bench_prompts.sharegpt_json(2048))
    record["bench_settings"] = BENCH
    record["bench_command"] = " ".join(bench_argv("<base-url>", "<tag>", BENCH["num_prompts"]))
    before = snapshot("bench-before")
    single = run_bench("replica-g0", "http://127.0.0.1:%d" % REPLICAS["g0"], BENCH["num_prompts"])
    middle = snapshot("bench-middle")
    gateway = run_bench("gateway", GW, BENCH["num_prompts"])
    after = snapshot("bench-after")
    record["bench"] = {"replica-g0": single, "gateway": gateway}
    share = {}
    for url, count in per_worker_requests(after).items():
        share[url] = count - per_worker_requests(middle).get(url, 0)
    record["bench"]["gateway_share"] = share
    record["bench"]["smg_requests_before_any_bench"] = per_worker_requests(before)
    try:
        record["bench"]["ratio"] = round(gateway["output_throughput"] /
                                         single["output_throughput"], 3)
    except (KeyError, TypeError, ZeroDivisionError):
        record["bench"]["ratio"] = None
    log("ratio gateway / one replica: %s; share %s" % (record["bench"]["ratio"], share))


# ------------------------------------------------------------------------------------ failover

def watch_workers(stop, seen):
    """GET /workers every 0.5 s: each state change of each worker, with its time."""
    last = {}
    while not stop.is_set():
        state = workers(timeout=2)
        now = time.time()
        if state is not None:
            for url, value in state.items():
                if last.get(url) != value:
                    seen.append((round(now, 2), url, value))
                    last[url] = value
        time.sleep(0.5)


def stop_during_run(record, tag, how, delay):
    """One bench_serving run through the gateway; `delay` s into its main run, replica VICTIM is
    stopped: 'term' = SIGTERM to its main process (systemd's KillMode=mixed stop; the rest of the
    group is killed once it has exited, as systemd does), 'kill' = SIGKILL to its process group."""
    pid = pid_of(VICTIM)
    event = {}

    def stopper(started):
        time.sleep(max(0.0, started + delay - time.time()))
        event["at"] = time.time()
        event["since_main_run_s"] = round(event["at"] - started, 2)
        if how == "term":
            os.kill(pid, signal.SIGTERM)
            while alive(pid) and time.time() - event["at"] < 120:  # TimeoutStopSec=120
                time.sleep(0.2)
            event["main_exit_after_s"] = round(time.time() - event["at"], 1)
            if group_alive(pid):
                event["group_left_after_main"] = True
                os.killpg(pid, signal.SIGKILL)
        else:
            os.killpg(pid, signal.SIGKILL)
        t = time.time()
        while group_alive(pid) and time.time() - t < 30:
            time.sleep(0.2)
        event["group_gone_after_s"] = round(time.time() - event["at"], 1)

    stop, seen = threading.Event(), []
    watcher = threading.Thread(target=watch_workers, args=(stop, seen))
    watcher.start()
    before = snapshot("%s-before" % tag)
    result = run_bench(tag, GW, BENCH["num_prompts"], on_start=stopper)
    after = snapshot("%s-after" % tag)
    stop.set()
    watcher.join()
    at = event.get("at", time.time())
    result["stop"] = event
    result["worker_states"] = [(round(t - at, 2), url, value) for t, url, value in seen]
    result["share"] = {url: count - per_worker_requests(before).get(url, 0)
                       for url, count in per_worker_requests(after).items()}
    record.setdefault("failover", {})[tag] = result
    log("%s: stop %s; worker states %s" % (tag, event, result["worker_states"]))
    return result


def sigterm_step(record):
    """SIGTERM to replica VICTIM mid-run; then its start again, left running in the background
    (start_from_unit.py: ExecStart and the readiness wait), for the next step."""
    if not os.path.exists(WORK + "/prompts.json"):
        with open(WORK + "/prompts.json", "w") as handle:
            handle.write(bench_prompts.sharegpt_json(2048))
    # 40 % into the gateway run of the bench step (4 s without it)
    duration = float(record.get("bench", {}).get("gateway", {}).get("duration") or 10)
    delay = round(max(2.0, 0.4 * duration), 1)
    record["failover_delay_s"] = delay
    if wait_workers_healthy(list(REPLICAS), 30) is None:
        log("not both workers healthy in the gateway: %s" % workers())
        return
    stop_during_run(record, "sigterm", "term", delay)
    sh("cp %s/%s.log %s/%s-until-sigterm.log" % (WORK, VICTIM, OUT, VICTIM))
    # back up (the unit's Restart=on-failure / the handler's start), in the background
    record["victim_restart_launched_at"] = time.time()
    subprocess.Popen(
        [sys.executable, "tests/e2e/gpu/start_from_unit.py",
         "/etc/systemd/system/sglang-%s.service" % VICTIM, os.path.join(WORK, VICTIM + ".log")],
        cwd=ROOT, stdout=open(WORK + "/restart.out", "w"), stderr=subprocess.STDOUT,
        start_new_session=True)


def sigkill_step(record):
    """Once the restarted VICTIM is healthy in the gateway again: SIGKILL to its process group
    mid-run."""
    launched = record.get("victim_restart_launched_at", time.time())
    t = time.time()
    while time.time() - t < 300:
        with open(WORK + "/restart.out") as handle:
            text = handle.read()
        if "ready after" in text or "exited" in text or "not ready" in text:
            break
        time.sleep(1)
    record["victim_restart"] = {"out": text.strip().splitlines()[-1:],
                                "ready_after_launch_s": round(time.time() - launched)}
    back = wait_workers_healthy([VICTIM], 90)
    record["victim_healthy_in_gateway_after_ready_s"] = back
    log("victim restart %s; healthy in the gateway %s s after" % (record["victim_restart"], back))
    if back is None:
        return
    stop_during_run(record, "sigkill", "kill", record.get("failover_delay_s", 4.0))


# ------------------------------------------------------------------------------------ canary

def canary_profile():
    """rollout.yml's default canary profile (roles/sglang_rollout/defaults), as the bench role
    normalises it."""
    sys.path.insert(0, os.path.join(ROOT, "collections"))
    from ansible_collections.llmops.sglang.plugins.module_utils import bench_profiles
    import yaml  # ansible-core's own dependency
    with open(os.path.join(ROOT, "roles/sglang_rollout/defaults/main.yml")) as handle:
        profile = yaml.safe_load(handle)["sglang_rollout_canary_profile"]
    return bench_profiles, bench_profiles.validate_profiles([profile])[0]


def canary_bench(tag, port, run=1):
    """Run `run` of the canary profile on one replica as rollout.yml does it (canary_run.yml): the
    prefix cache emptied (POST /flush_cache), then the command the bench role builds, with that
    run's seed; its record."""
    sys.path.insert(0, os.path.join(ROOT, "collections"))
    from ansible_collections.llmops.sglang.plugins.module_utils import rollout
    bench_profiles, profile = canary_profile()
    profile = rollout.canary_profiles(profile, run)[-1]
    status, text = http("http://127.0.0.1:%d/flush_cache" % port, key=True, data={})
    log("flush_cache before %s: %s %s" % (tag, status, text.strip()[:80]))
    output = os.path.join(WORK, "canary-%s.jsonl" % tag)
    argv = bench_profiles.bench_serving_argv(
        profile, WORK + "/opt-g0/current/venv/bin/python", "http://127.0.0.1:%d" % port, MODEL,
        "tiny-llama4", MODEL, WORK + "/prompts.json", output)
    env = dict(os.environ, OPENAI_API_KEY=KEY, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    env.pop("PYTHONPATH", None)
    t = time.time()
    done = subprocess.run(argv, cwd=WORK, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=600, check=False)
    rc, text = done.returncode, done.stdout.decode(errors="replace")
    with open(os.path.join(OUT, "canary-%s.log" % tag), "w") as handle:
        kept = [ln[:400] for ln in text.splitlines() if SUMMARY.match(ln) or "rror" in ln]
        handle.write("\n".join(kept) + "\n")
    rows = [json.loads(x) for x in open(output) if x.strip()] if os.path.exists(output) else []
    log("canary %s: rc=%d in %.0f s" % (tag, rc, time.time() - t))
    return rows[-1] if rows else {"rc": rc, "tail": text[-1500:]}


def restart_replica(name, record, tag, extra_arg=None):
    """SIGTERM to the replica's process group, gone, then its unit's ExecStart again (ready); with
    extra_arg, that argument at the end of the unit's command line, where sglang_extra_args go
    (SGLang's --config takes no deprecated flag such as --disable-cuda-graph)."""
    pgid = os.getpgid(pid_of(name))
    os.killpg(pgid, signal.SIGTERM)
    t = time.time()
    while group_alive(pgid) and time.time() - t < 90:
        time.sleep(0.5)
    if group_alive(pgid):
        os.killpg(pgid, signal.SIGKILL)
    sh("cp %s/%s.log %s/%s-until-%s.log" % (WORK, name, OUT, name, tag))
    unit = "/etc/systemd/system/sglang-%s.service" % name
    with open(unit) as handle:
        text = handle.read()
    if extra_arg:
        changed = re.sub(r"(?m)^(ExecStart=(?:.*\\\n)*.*[^\\\n])$", r"\1 \\\n    " + extra_arg, text, count=1)
        with open(unit, "w") as handle:
            handle.write(changed)
        shutil.copy(unit, os.path.join(OUT, "sglang-%s-%s.service" % (name, tag)))
    try:
        return start_replicas([name], tag, record, True)
    finally:
        with open(unit, "w") as handle:
            handle.write(text)


def canary_step(record):
    """rollout.yml's canary gate on real SGLang, replica VICTIM: its default profile twice (a
    baseline); after each of three restarts with the same flags, twice again; after a restart with
    --disable-cuda-graph (a flag change that slows it down), twice again. Each side is compared
    with the one before it by the rollout's own gate (the best of each side's runs,
    bench_regression_pct 10), and so is every single run with the run before it."""
    sys.path.insert(0, os.path.join(ROOT, "collections"))
    from ansible_collections.llmops.sglang.plugins.module_utils import rollout
    _bench_profiles, profile = canary_profile()
    with open(WORK + "/prompts.json", "w") as handle:
        handle.write(bench_prompts.sharegpt_json(2048))
    canary = record.setdefault("canary", {"profile": profile, "replica": VICTIM, "runs": {}, "sides": []})
    sequence = [(None, None)] + [("same-flags-%d" % n, None) for n in (1, 2, 3)]
    sequence.append(("disable-cuda-graph", "--disable-cuda-graph"))
    for restart, extra_arg in sequence:
        if restart and not restart_replica(VICTIM, record, "canary-" + restart, extra_arg):
            break
        side = [(restart or "before") + suffix for suffix in ("", "-again")]
        for run, tag in enumerate(side, 1):
            canary["runs"][tag] = rollout.bench_summary(canary_bench(tag, REPLICAS[VICTIM], run))
        canary["sides"].append(side)
    runs, sides = canary["runs"], canary["sides"]
    order = [tag for side in sides for tag in side]
    canary["gate_10pct"] = {
        "best of each side": {"%s -> %s" % (a[0], b[0]): rollout.bench_regressions(
            rollout.best_run([runs[t] for t in a]), rollout.best_run([runs[t] for t in b]), 10)
            for a, b in zip(sides, sides[1:])},
        "one run a side": {"%s -> %s" % (a, b): rollout.bench_regressions(runs[a], runs[b], 10)
                           for a, b in zip(order, order[1:])}}
    log("canary gate: %s" % canary["gate_10pct"])


# ------------------------------------------------------------------------------------ metrics

def raw_metrics(url, name):
    """The whole /metrics text of url, to OUT/<name> (for tests/fixtures/metrics/)."""
    status, text = http(url, timeout=10)
    with open(os.path.join(OUT, name), "w") as handle:
        handle.write(text if status == 200 else "# %s: %s %s\n" % (url, status, text[:300]))
    return status


def child_pids(root):
    """Every descendant of root (from /proc), as {pid: (comm, cmdline)}."""
    parents = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as handle:
                head, tail = handle.read().rsplit(")", 1)
            pid = int(stat.split("/")[2])
            with open("/proc/%d/cmdline" % pid, "rb") as handle:
                cmd = handle.read().replace(b"\0", b" ").decode(errors="replace")[:120]
        except (OSError, ValueError):
            continue
        parents[pid] = (int(tail.split()[1]), head.split("(", 1)[1], cmd)
    out, todo = {}, [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, comm, cmd) in parents.items():
            if ppid == parent and pid not in out:
                out[pid] = (comm, cmd)
                todo.append(pid)
    return out


def timed(url, key=False, data=None, timeout=30):
    t = time.time()
    status, text = http(url, timeout=timeout, key=key, data=data)
    return {"status": status, "seconds": round(time.time() - t, 2), "body": text[:160]}


def stall_load(port, stop, results):
    """Requests to one replica until stop is set, each 256 greedy tokens (ignore_eos). Sampled
    tokens of the random checkpoint (temperature 1) killed the scheduler twice on a CUDA
    device-side assert in torch.multinomial (results/2026-12-06-gateway-3 and -4); greedy
    decoding does not sample."""
    body = {"model": "tiny-llama4", "prompt": "Hello", "max_tokens": BENCH["output_len"],
            "temperature": 0, "ignore_eos": True}
    while not stop.is_set():
        results.append(timed("http://127.0.0.1:%d/v1/completions" % port, key=True, data=body,
                             timeout=120)["status"])


def scrape_series(port, stopped_at, done, stall):
    """Both /metrics every SCRAPE_SECONDS until done, from before the SIGSTOP to after the SIGCONT:
    a real series for the stall alert's promtool test (file names: seconds since the SIGSTOP)."""
    folder = os.path.join(OUT, "stall-series")
    os.makedirs(folder, exist_ok=True)
    stall["series"] = []
    while not done.wait(SCRAPE_SECONDS):
        since = round(time.time() - stopped_at)
        status = raw_metrics("http://127.0.0.1:%d/metrics" % port,
                             "stall-series/sglang-%+04d.txt" % since)
        raw_metrics("http://127.0.0.1:%d/metrics" % GW_METRICS, "stall-series/smg-%+04d.txt" % since)
        stall["series"].append([since, status])


def watchdog_setup(port):
    """The collection's own watchdog (roles/sglang_watchdog/files/sglang_watchdog.py) pointed at
    replica g0 as its role would configure it (3 failures, smg as its gateway; a timeout of 10 s
    rather than 30 to fit in the stall). No systemd here: the systemctl double of the watchdog's
    tests (tests/doubles/bin/systemctl) stands for the unit and records the restart asked for.
    (argv, env) of one run, as its timer runs it."""
    folder = os.path.join(OUT, "watchdog")
    os.makedirs(folder, exist_ok=True)
    config = {"unit": "sglang-g0.service", "url": "http://127.0.0.1:%d" % port,
              "model": "tiny-llama4", "timeout": WATCHDOG_TIMEOUT, "failures": 3,
              "api_key": KEY, "systemctl": os.path.join(ROOT, "tests/doubles/bin/systemctl"),
              "gateways": [GW], "worker_url": "http://127.0.0.1:%d" % port}
    path = os.path.join(WORK, "watchdog-g0.json")  # it holds the key: not under OUT
    with open(path, "w") as handle:
        json.dump(config, handle)
    argv = [sys.executable, os.path.join(ROOT, "roles/sglang_watchdog/files/sglang_watchdog.py"),
            path]
    return argv, dict(os.environ, STATE_DIRECTORY=folder, SYSTEMCTL_DOUBLE_DIR=folder)


def watchdog_run(watchdog, stopped_at, stall):
    begun = time.time()
    run = subprocess.run(watchdog[0], env=watchdog[1], capture_output=True, text=True,
                         timeout=300, check=False)
    stall.setdefault("watchdog", []).append({
        "at_s": round(begun - stopped_at, 1), "took_s": round(time.time() - begun, 1),
        "rc": run.returncode, "log": (run.stdout + run.stderr).replace(KEY, "<key>")[-600:]})


def watchdog_runs(watchdog, stopped_at, done, stall):
    """Its runs at WATCHDOG_AT seconds from the SIGSTOP, one after the other."""
    for at in WATCHDOG_AT:
        if done.wait(max(0.0, stopped_at + at - time.time())):
            return
        watchdog_run(watchdog, stopped_at, stall)


def metrics_step(record):
    """Full /metrics of SGLang 0.5.17 (replica g0, --enable-metrics) and of smg 1.13.0, raw, for
    the alert rules' fixtures; then replica g0's scheduler stopped (SIGSTOP) under load: what
    /health, /health_generate, a completion and /metrics say while generation is stalled, then
    SIGCONT."""
    port = REPLICAS["g0"]
    stall = record.setdefault("stall", {})
    stall["raw"] = {"sglang": raw_metrics("http://127.0.0.1:%d/metrics" % port,
                                          "metrics-sglang-0.5.17.txt"),
                    "smg": raw_metrics("http://127.0.0.1:%d/metrics" % GW_METRICS,
                                       "metrics-smg-1.13.0.txt")}
    procs = child_pids(pid_of("g0"))
    stall["processes"] = {str(pid): comm for pid, (comm, _cmd) in procs.items()}
    schedulers = [pid for pid, (comm, cmd) in procs.items()
                  if "scheduler" in comm.lower() or "scheduler" in cmd.lower()]
    stall["scheduler_pids"] = schedulers
    if not schedulers:
        log("no scheduler process under g0: %s" % procs)
        return
    stop, results = threading.Event(), []
    loaders = [threading.Thread(target=stall_load, args=(port, stop, results), daemon=True)
               for dummy in range(8)]
    for thread in loaders:
        thread.start()
    time.sleep(4)
    if raw_metrics("http://127.0.0.1:%d/metrics" % port, "stall-0-before.txt") != 200:
        stop.set()
        log("g0 does not answer under load: no stall (see g0-key-lines.txt)")
        return
    stopped_at = time.time() + SCRAPE_SECONDS * 4  # the series starts 20 s before the stop
    scraping = threading.Event()
    scraper = threading.Thread(target=scrape_series, args=(port, stopped_at, scraping, stall),
                               daemon=True)
    scraper.start()
    watching, watchdog = threading.Event(), watchdog_setup(port)
    watcher = threading.Thread(target=watchdog_runs, args=(watchdog, stopped_at, watching, stall),
                               daemon=True)
    watcher.start()
    time.sleep(max(0.0, stopped_at - time.time()))
    try:
        for pid in schedulers:
            os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:
        scraping.set()
        watching.set()
        stop.set()
        log("the scheduler %s is gone: no stall" % schedulers)
        return
    stall["probes"] = []
    try:
        for tag, wait in (("stall-1-5s", 5), ("stall-2-35s", 35), ("stall-3-150s", STALL_SECONDS)):
            time.sleep(max(0.0, stopped_at + wait - time.time()))
            raw_metrics("http://127.0.0.1:%d/metrics" % port, "%s.txt" % tag)
            stall["probes"].append({
                "since_sigstop_s": round(time.time() - stopped_at, 1),
                "health": timed("http://127.0.0.1:%d/health" % port, timeout=40),
                "health_generate": timed("http://127.0.0.1:%d/health_generate" % port, timeout=40),
                "completion_1_token": timed(
                    "http://127.0.0.1:%d/v1/completions" % port, key=True, timeout=15,
                    data={"model": "tiny-llama4", "prompt": "Hi", "max_tokens": 1,
                          "temperature": 0}),
                "gateway_workers": workers()})
    finally:
        for pid in schedulers:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        stall["sigcont_after_s"] = round(time.time() - stopped_at, 1)
    scraping.set()
    scraper.join(timeout=30)
    time.sleep(10)
    stop.set()
    watcher.join(timeout=150)
    watchdog_run(watchdog, stopped_at, stall)  # after the SIGCONT: passes again
    os.remove(watchdog[0][-1])
    calls = os.path.join(OUT, "watchdog", "calls")
    stall["watchdog_systemctl_calls"] = open(calls).read().split() if os.path.exists(calls) else []
    raw_metrics("http://127.0.0.1:%d/metrics" % port, "stall-4-after-sigcont.txt")
    stall["after_sigcont"] = {"health": timed("http://127.0.0.1:%d/health" % port)}
    for thread in loaders:
        thread.join(timeout=150)
    stall["load_statuses"] = {str(s): results.count(s) for s in set(results)}
    log("stall: %s" % json.dumps(stall["probes"])[:3000])


# ------------------------------------------------------------------------------------ main

def key_lines():
    """SGLang's and smg's own lines worth quoting, small."""
    pattern = (r"fired up|KV Cache is allocated|max_total_num_tokens=|Load weight end|"
               r"SIGTERM|Draining|kill_process_tree|Traceback|Error|error|Capture cuda graph|"
               r"Capture .*CUDA graph|mem_fraction_static=")
    for name in REPLICAS:
        path = os.path.join(WORK, name + ".log")
        if os.path.exists(path):
            sh("grep -E '%s' %s | grep -v 'e2e-secret-key' | cut -c1-300 | tail -60 > %s/%s-key-lines.txt"
               % (pattern, path, OUT, name))
            # the end of the log as it is, for a failure the pattern does not name
            sh("grep -v 'e2e-secret-key' %s | cut -c1-300 | tail -120 > %s/%s-tail.txt" % (path, OUT, name))
    path = WORK + "/gateway.log"
    if os.path.exists(path):
        sh("sed 's/\\x1b\\[[0-9;]*m//g' %s | grep -v 'e2e-secret-key' | grep -v 'wfaas::event' "
           "| grep -iE 'worker|health|listen|policy|drain|retry|error|warn|fail|ready|start' "
           "| cut -c1-300 | tail -150 > %s/gateway-key-lines.txt" % (path, OUT))


def main():
    step = sys.argv[1]
    if step in ("pack", "stage"):
        {"pack": pack, "stage": stage}[step]()
        return 0
    os.makedirs(OUT, exist_ok=True)
    if not ready_to_deploy():
        return 1
    record = load_record()
    try:
        {"deploy": deploy_step, "gateway": gateway_step, "bench": bench_step,
         "sigterm": sigterm_step, "sigkill": sigkill_step, "metrics": metrics_step,
         "canary": canary_step}[step](record)
    finally:
        key_lines()
        save_record(record)
        out_root = os.environ.get("OUT", "/var/tmp/e2e-out")
        os.makedirs(out_root, exist_ok=True)
        with tarfile.open(os.path.join(out_root, "gateway.tgz"), "w:gz") as tar:
            tar.add(OUT, arcname="gateway")
        print(json.dumps({k: v for k, v in record.items() if k not in ("smg_install",)},
                         indent=1)[-6000:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
