"""Start SGLang exactly as the rendered unit would, where PID 1 is not systemd (the lent GPU
machine): ExecStart with the EnvironmentFile's variables, as a daemon, output to LOG; then
ExecStartPost (the readiness wait) with TimeoutStartSec.

    start_from_unit.py UNIT_FILE LOG
"""

import os
import shlex
import subprocess
import sys
import time


def parse(unit_text):
    lines, current = [], ""
    for raw in unit_text.splitlines():
        if raw.lstrip().startswith("#"):
            continue
        current += raw.rstrip("\\").rstrip() + " " if raw.endswith("\\") else raw
        if not raw.endswith("\\"):
            lines.append(current)
            current = ""
    fields = {}
    for line in lines:
        if "=" in line and not line.startswith("["):
            key, value = line.split("=", 1)
            fields.setdefault(key.strip(), []).append(value.strip())
    return fields


def main():
    unit, log = sys.argv[1], sys.argv[2]
    with open(unit) as handle:
        fields = parse(handle.read())
    env = dict(os.environ)
    for path in fields.get("EnvironmentFile", []):
        with open(path.lstrip("-")) as handle:
            for line in handle:
                line = line.strip()
                if line and not line.startswith("#") and "=" in line:
                    key, value = line.split("=", 1)
                    env[key] = value
    # test-only: the calibration's memory census (tests/e2e/gpu/census) rides on PYTHONPATH
    if os.environ.get("E2E_PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (os.environ["E2E_PYTHONPATH"], env.get("PYTHONPATH")) if p)
    start = shlex.split(fields["ExecStart"][0].replace("%%", "%"))
    post = shlex.split(fields["ExecStartPost"][0].replace("%%", "%"))
    timeout = int(fields.get("TimeoutStartSec", ["900"])[0])
    print("ExecStart:", " ".join(start))
    t0 = time.time()
    with open(log, "ab") as out:
        proc = subprocess.Popen(start, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    with open(log + ".pid", "w") as handle:
        handle.write(str(proc.pid))
    waiter = subprocess.Popen(post, env=env)
    while waiter.poll() is None:
        if proc.poll() is not None:  # the server died while loading: no point waiting
            waiter.kill()
            print("server exited with %d while loading; see %s" % (proc.returncode, log))
            return 1
        if time.time() - t0 > timeout:
            waiter.kill()
            print("not ready after TimeoutStartSec=%d s" % timeout)
            return 1
        time.sleep(2)
    print("ready after %.0f s (pid %d)" % (time.time() - t0, proc.pid))
    return 0 if proc.poll() is None else 1


if __name__ == "__main__":
    sys.exit(main())
