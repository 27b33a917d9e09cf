# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The watchdog of one SGLang server, run every minute by sglang-watchdog@<server>.timer:

    sglang_watchdog.py /etc/sglang/watchdog/<server>.json

A one-token completion with a timeout. /health can answer 200 while no token comes out (SGLang
issues #6624, #22779), so the probe asks for a token. A probe that fails while the server's own
token counter (/metrics, sglang:realtime_tokens_total) went up since the last run is a busy
server, not a stalled one: not counted. After `failures` counted failures in a row of one run of
the unit (its InvocationID: a restart starts the count again): the server leaves every gateway
it is given (smg drains it), the unit restarts if it still runs (systemctl waits for it to answer
/health again), the server rejoins them, and the reason is logged. A unit that is not active (stopped,
starting, restarting) is not probed. Standard library only."""

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


def state_path(config):
    return os.path.join(STATE_DIR, config["unit"] + ".json")


def read_state(config, invocation):
    """{failures, tokens} of this run of the unit; a new run starts from nothing."""
    try:
        with open(state_path(config)) as handle:
            state = json.load(handle)
    except (OSError, ValueError):
        state = {}
    if not isinstance(state, dict) or state.get("invocation") != invocation:
        return {"invocation": invocation, "failures": 0, "tokens": None}
    return state


def write_state(config, state):
    with open(state_path(config), "w") as handle:
        json.dump(state, handle)


def tokens_so_far(config):
    """The server's own count of tokens processed (every rank and mode), or None."""
    req = urllib.request.Request(config["url"] + "/metrics")
    try:
        with urllib.request.urlopen(req, timeout=5) as answer:
            text = answer.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return None
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
              if line.startswith("sglang:realtime_tokens_total{")]
    return sum(values) if values else None


def registered(gateway, worker_url, key):
    """A gateway's entry for this server, or (None, why not)."""
    status, answer, error = request(gateway + "/workers", key)
    workers = answer.get("workers") if status == 200 and isinstance(answer, dict) else None
    for worker in workers if isinstance(workers, list) else []:
        if isinstance(worker, dict) and worker.get("url") == worker_url:
            return worker, None
    return None, error or "not registered"


def gateways_of(config):
    """(gateway URLs, this server's URL there). A config written by a release before several
    gateways ({"gateway": {"url", "worker_url"}}) still works until the role rewrites it."""
    if "gateways" in config:
        return list(config.get("gateways") or []), config.get("worker_url")
    old = config.get("gateway") or {}
    return ([old["url"]] if old.get("url") else []), old.get("worker_url")


def leave_gateways(config):
    """Out of every gateway (smg drains it: nothing new is sent, what runs finishes); the
    gateways it left."""
    key = config.get("api_key")
    gateways, worker_url = gateways_of(config)
    left = []
    for gateway in gateways:
        worker, why = registered(gateway, worker_url, key)
        if worker is None:
            log("%s: not taken out of the gateway at %s: %s" % (config["unit"], gateway, why))
            continue
        status, _answer, error = request("%s/workers/%s" % (gateway, worker.get("id")), key,
                                         method="DELETE")
        log("%s: out of the gateway at %s (DELETE answered %s)"
            % (config["unit"], gateway, error or status))
        if status in (200, 202, 204):
            left.append(gateway)
    return left


def join_gateways(config, gateways, seconds=120):
    """POST the worker again at the gateways it left; smg answers 409 while it still drains the
    old one (its requests end with the restart), so retry for a while at each."""
    key = config.get("api_key")
    _all, worker_url = gateways_of(config)
    body = {"url": worker_url}
    if key:
        body["api_key"] = key
    for gateway in gateways:
        deadline = time.time() + seconds
        while True:
            status, _answer, error = request(gateway + "/workers", key, body, method="POST")
            if status in (200, 201, 202):
                break
            if status == 409:  # still draining, or there again already?
                worker, _why = registered(gateway, worker_url, key)
                if worker and worker.get("status") != "draining":
                    status = 200
                    break
            if time.time() > deadline:
                break
            time.sleep(2)
        log("%s: %s the gateway at %s (POST answered %s)" % (
            config["unit"], "back in" if status in (200, 201, 202) else "NOT back in", gateway,
            error or status))


def main(path):
    with open(path) as handle:
        config = json.load(handle)
    unit = config["unit"]
    if not is_active(config):
        return 0
    invocation = systemctl(config, "show", "-p", "InvocationID", "--value", unit).stdout.strip()
    state = read_state(config, invocation)
    why = probe(config)
    tokens, before = tokens_so_far(config), state.get("tokens")
    state["tokens"] = tokens
    if why is None or (tokens is not None and before is not None and tokens > before):
        if why is not None:
            log("%s: probe failed (%s) while the server processed %d tokens since the last: busy, "
                "not stalled" % (unit, why, tokens - before))
        state["failures"] = 0
        write_state(config, state)
        return 0
    state["failures"] += 1
    write_state(config, state)
    if state["failures"] < config["failures"]:
        log("%s: probe %d of %d failed: %s" % (unit, state["failures"], config["failures"], why))
        return 0
    return restart(config, state, why)


def is_active(config):
    return systemctl(config, "is-active", config["unit"]).stdout.strip() == "active"


def restart(config, state, why):
    unit = config["unit"]
    # a deploy or rollout may have stopped it meanwhile: left to them (try-restart, below, also
    # leaves a unit stopped in between stopped)
    if not is_active(config):
        log("%s: %d probes in a row failed, but it stopped meanwhile (a deploy or rollout): left to "
            "it" % (unit, state["failures"]))
        return 0
    log("%s: restarting: %d probes in a row failed, the last: %s (a one-token completion, %s s)"
        % (unit, state["failures"], why, config["timeout"]))
    left = leave_gateways(config)
    restarted = systemctl(config, "try-restart", unit)
    if restarted.returncode != 0:
        log("%s: restart failed (%d): %s" % (unit, restarted.returncode,
                                             restarted.stderr.strip()[-300:]))
    else:
        log("%s: restarted; it answers /health again" % unit)
    # back in the gateways it left either way: a failed start that systemd retries comes back by
    # itself (one it was not in, a rollout's drain say, is not joined)
    join_gateways(config, left)
    return 0 if restarted.returncode == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: sglang_watchdog.py CONFIG.json\n")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
