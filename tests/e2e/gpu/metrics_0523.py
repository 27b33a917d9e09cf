"""On a lent GPU machine: SGLang 0.5.23 (the collection's default version) started on the tiny
Llama-4-architecture checkpoint with the options the planner plans for a one-GPU server
(--enable-metrics among them, in a config file as the service role writes it), its raw /metrics
taken idle and after requests, for tests/fixtures/metrics/sglang-0.5.23/.

The machine's image has torch 2.11.0; SGLang 0.5.23 pins torch 2.14.1 and sglang-kernel 0.4.10
(built against it). What is carried (made on the CPU machine under .e2e/v523/, git-ignored):
torch 2.14.1's unpacked tree in xz parts, the wheels SGLang 0.5.23 needs beyond the image (no
dependency resolution there), sglang-kernel trimmed of kernels this server does not use (the
triton attention backend), and a stub library for the 11 NCCL 2.30 functions torch 2.14.1 links
against that the image's NCCL 2.28.9 lacks (tensor parallel 1 never calls them); made by
tests/e2e/gpu/v523/prepare.sh. SGLang's CuTe DSL dual GEMM is switched off (below).

    python3 tests/e2e/gpu/metrics_0523.py stage   # a call per part (carry .e2e/v523/pK): /var/tmp/v523/pK
    python3 tests/e2e/gpu/metrics_0523.py run     # (carry .e2e/tiny-llama4.tgz) install, start, capture

Calls in quick succession: what `stage` leaves under /var/tmp lasts only while the machine is warm.
"""

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CARRIED = os.path.join(ROOT, ".e2e", "v523")
DEST = "/var/tmp/v523"
SITE = "/var/tmp/site523"
MARK = "# E2E: no cutlass (nvidia-cutlass-dsl not carried)"
MODEL_TGZ = os.path.join(ROOT, ".e2e", "tiny-llama4.tgz")
WORK = "/var/tmp/e2e"
MODEL = WORK + "/tiny-llama4"
OUT = os.environ.get("OUT", "/tmp/out")
PORT = 30000
KEY = "e2e-secret-key"
URL = "http://127.0.0.1:%d" % PORT
# what the planner writes for this server (tests/e2e/gpu/results/2026-12-06-gateway-4, g0.yaml),
# with the whole GPU for it
CONFIG = {"model-path": MODEL, "served-model-name": "tiny-llama4", "host": "127.0.0.1",
          "port": str(PORT), "tp-size": "1", "attention-backend": "triton",
          "chat-template": "llama-4", "context-length": "131072", "mem-fraction-static": "0.8",
          "enable-metrics": True, "api-key": KEY}


def log(text):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), text), flush=True)


def stage():
    """This call's carried part(s), .e2e/v523/pK/, to /var/tmp/v523/pK/ (INSTALL.sh finds every
    piece there by name)."""
    os.makedirs(DEST, exist_ok=True)
    for part in sorted(glob.glob(os.path.join(CARRIED, "p*"))):
        target = os.path.join(DEST, os.path.basename(part))
        os.makedirs(target, exist_ok=True)
        for item in glob.glob(os.path.join(part, "*")):
            if not os.path.exists(os.path.join(target, os.path.basename(item))):
                shutil.copy(item, target)
    log("staged: %s" % sorted(os.listdir(DEST)))


def without_cute_dsl_dual_gemm():
    """SGLang 0.5.23 builds the shared expert's gate/up projection of Llama 4 with its CuTe DSL dual
    GEMM on CUDA, which imports nvidia-cutlass-dsl (not carried: hundreds of MB). Its mode is set
    to none, as SGLang does on a device that is not CUDA: the plain projections run instead."""
    path = os.path.join(SITE, "sglang", "srt", "layers", "dual_gemm.py")
    with open(path) as handle:
        text = handle.read()
    if MARK not in text:
        text = text.replace("        if not is_cuda():\n",
                            "        if not is_cuda() or True:  %s\n" % MARK, 1)
        assert MARK in text, "SGLang's dual_gemm.py changed: " + path
        with open(path, "w") as handle:
            handle.write(text)


def env():
    """The environment env.sh (written by INSTALL.sh) sets, read through a shell."""
    out = subprocess.run(["bash", "-c", "source %s/env.sh && env -0" % DEST], capture_output=True,
                         check=True)
    return dict(item.split("=", 1) for item in out.stdout.decode().split("\0") if "=" in item)


def http(path, body=None, timeout=60):
    req = urllib.request.Request(URL + path, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + KEY,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as answer:
        return answer.status, answer.read().decode("utf-8", "replace")


def save(name, text):
    with open(os.path.join(OUT, name), "w") as handle:
        handle.write(text)


def chat(number):
    body = {"model": "tiny-llama4", "max_tokens": 16, "temperature": 0,
            "messages": [{"role": "user", "content": "Count to %d." % number}]}
    try:
        return http("/v1/chat/completions", body)[0]
    except OSError as exc:
        return str(exc)


def run():
    os.makedirs(OUT, exist_ok=True)
    if not os.path.isdir(MODEL):
        os.makedirs(WORK, exist_ok=True)
        subprocess.run(["tar", "-C", WORK, "-xzf", MODEL_TGZ], check=True)
    install = subprocess.run(["bash", glob.glob(os.path.join(DEST, "p*", "INSTALL.sh"))[0]],
                             capture_output=True, text=True, check=False)
    save("install.log", install.stdout + install.stderr)
    log("install rc %d: %s" % (install.returncode, (install.stdout + install.stderr)[-1500:]))
    if install.returncode:
        return 1
    without_cute_dsl_dual_gemm()
    environ = env()
    versions = subprocess.run(
        [sys.executable, "-c", "import importlib.metadata as m, torch, sglang; "
         "print(sglang.__version__, torch.__version__, torch.version.cuda, "
         "torch.cuda.get_device_name(0)); [print(p, m.version(p)) for p in "
         "('sglang', 'sglang-kernel', 'torch', 'triton', 'flashinfer-python', 'transformers', 'xgrammar')]"],
        env=environ, capture_output=True, text=True, check=False)
    save("versions.txt", versions.stdout + versions.stderr)
    log("versions: %s" % (versions.stdout + versions.stderr)[-1500:])
    with open(os.path.join(WORK, "v523.yaml"), "w") as handle:
        for key, value in CONFIG.items():
            handle.write("%s: %s\n" % (key, json.dumps(value)))
    server_log = open(os.path.join(OUT, "server.log"), "w")
    server = subprocess.Popen([sys.executable, "-m", "sglang.launch_server", "--config",
                               os.path.join(WORK, "v523.yaml")], env=environ, stdout=server_log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    began = time.time()
    try:
        while time.time() - began < 420:
            if server.poll() is not None:
                log("the server exited with %s after %.0f s" % (server.returncode, time.time() - began))
                return 1
            try:
                if http("/health", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(2)
        else:
            log("no /health 200 after 420 s")
            return 1
        log("healthy after %.0f s" % (time.time() - began))
        status, text = http("/metrics")
        save("metrics-idle.txt", text)
        save("server-info.json", http("/server_info")[1])
        results = []
        threads = [threading.Thread(target=lambda n=n: results.append(chat(n))) for n in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        log("32 chat completions: %s" % {s: results.count(s) for s in set(results)})
        time.sleep(6)  # past a metrics interval
        status, text = http("/metrics")
        save("metrics-after-requests.txt", text)
        families = sum(1 for line in text.splitlines() if line.startswith("# TYPE"))
        log("metrics %s, %d lines, %d families" % (status, len(text.splitlines()), families))
        return 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        server_log.close()
        subprocess.run(["tail", "-40", os.path.join(OUT, "server.log")], check=False)


if __name__ == "__main__":
    sys.exit({"stage": lambda: stage() or 0, "run": run}[sys.argv[1]]())
