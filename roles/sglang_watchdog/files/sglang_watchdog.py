# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The watchdog of one SGLang server, run every minute by sglang-watchdog@<server>.timer:

    sglang_watchdog.py /etc/sglang/watchdog/<server>.json

A one-token completion with a timeout. /health can answer 200 while no token comes out (SGLang
issues #6624, #22779), so the probe asks for a token. After `failures` failed probes in a row:
the server leaves the gateway (smg drains it), the unit restarts (systemctl waits for it to answer
/health again), the server rejoins the gateway, and the reason is logged. A unit that is not active
(stopped, starting, restarting) is not probed and its count starts again. Standard library only."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

STATE_DIR = os.environ.get("STATE_DIRECTORY", "/var/lib/sglang-watchdog")


def log(text):
    print(text, flush=True)  # the journal of sglang-watchdog@<server>.service


def request(url, key, data=None, method=None, timeout=10):
    """(status, parsed JSON or None, error text or None)."""
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = "Bearer " + key
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            text = answer.read()
            status = answer.status
    except urllib.error.HTTPError as err:
        return err.code, None, "HTTP %d" % err.code
    except (OSError, ValueError) as err:
        return None, None, "no answer (%s)" % (type(err).__name__ if "timed out" not in str(err)
                                               else "timed out after %s s" % timeout)
    try:
        return status, json.loads(text or b"null"), None
    except ValueError:
        return status, None, "not JSON"


def probe(config):
    """None when a one-token completion came back in time, else why not."""
    status, answer, error = request(
        config["url"] + "/v1/completions", config.get("api_key"),
        {"model": config["model"], "prompt": "Hi", "max_tokens": 1, "temperature": 0},
        timeout=config["timeout"])
    if error:
        return error
    if status != 200 or not isinstance(answer, dict) or not answer.get("choices"):
        return "HTTP %s without a completion" % status
    return None


def systemctl(config, *args):
    return subprocess.run([config.get("systemctl", "/bin/systemctl"), *args], capture_output=True,
                          text=True, check=False)


def count_path(config):
    return os.path.join(STATE_DIR, config["unit"] + ".failures")


def read_count(config):
    try:
        with open(count_path(config)) as handle:
            return int(handle.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def write_count(config, value):
    with open(count_path(config), "w") as handle:
        handle.write("%d\n" % value)


def gateway_worker_id(gateway, key):
    status, answer, error = request(gateway["url"] + "/workers", key)
    for worker in (answer or {}).get("workers", []) if status == 200 else []:
        if worker.get("url") == gateway["worker_url"]:
            return worker.get("id"), None
    return None, error or "not registered"


def leave_gateway(config):
    gateway, key = config.get("gateway"), config.get("api_key")
    if not gateway:
        return
    worker, why = gateway_worker_id(gateway, key)
    if worker is None:
        log("%s: not taken out of the gateway at %s: %s" % (config["unit"], gateway["url"], why))
        return
    status, _answer, error = request("%s/workers/%s" % (gateway["url"], worker), key,
                                     method="DELETE")
    log("%s: out of the gateway at %s (DELETE answered %s)"
        % (config["unit"], gateway["url"], error or status))


def join_gateway(config, seconds=120):
    """POST the worker again; smg answers 409 while it still drains the old one (its requests
    end with the restart), so retry for a while."""
    gateway, key = config.get("gateway"), config.get("api_key")
    if not gateway:
        return
    body = {"url": gateway["worker_url"]}
    if key:
        body["api_key"] = key
    deadline = time.time() + seconds
    while True:
        status, _answer, error = request(gateway["url"] + "/workers", key, body, method="POST")
        if status in (200, 201, 202) or time.time() > deadline:
            break
        time.sleep(2)
    log("%s: %s the gateway at %s (POST answered %s)" % (
        config["unit"], "back in" if status in (200, 201, 202) else "NOT back in", gateway["url"],
        error or status))


def main(path):
    with open(path) as handle:
        config = json.load(handle)
    unit = config["unit"]
    state = systemctl(config, "is-active", unit).stdout.strip()
    if state != "active":
        write_count(config, 0)
        return 0
    why = probe(config)
    if why is None:
        write_count(config, 0)
        return 0
    failures = read_count(config) + 1
    if failures < config["failures"]:
        write_count(config, failures)
        log("%s: probe %d of %d failed: %s" % (unit, failures, config["failures"], why))
        return 0
    log("%s: restarting: %d probes in a row failed, the last: %s (a one-token completion, %s s)"
        % (unit, failures, why, config["timeout"]))
    write_count(config, 0)
    leave_gateway(config)
    restart = systemctl(config, "restart", unit)
    if restart.returncode != 0:
        log("%s: restart failed (%d): %s" % (unit, restart.returncode, restart.stderr.strip()[-300:]))
        return 1
    log("%s: restarted; it answers /health again" % unit)
    join_gateway(config)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: sglang_watchdog.py CONFIG.json\n")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
