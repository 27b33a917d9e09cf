"""ExecStartPost of the SGLang unit: return once URL answers 200, so that `started` means
`answering`. systemd's TimeoutStartSec bounds the wait (model loads take minutes).

systemd does not end ExecStartPost when the main process dies: without a check the unit would
sit in `activating (start-post)` with a dead server until TimeoutStartSec (more than an hour for
big models). systemd passes the main process's PID as $MAINPID; when it is gone this exits 1,
the start fails at once and Restart=on-failure takes over (the smoke role counts the restarts)."""
import os
import sys
import time
import urllib.request


def main_process_alive(pid):
    if not pid:
        return True  # not run by systemd (the real-GPU test runs it by hand): cannot tell
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True


url = sys.argv[1]
main_pid = int(os.environ.get("MAINPID") or 0)
while True:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            if response.status == 200:
                sys.exit(0)
    except Exception:  # a 503 while loading, a refused connection before the port opens
        pass
    if not main_process_alive(main_pid):
        sys.exit("wait-ready: the server (PID %d) exited before %s answered" % (main_pid, url))
    time.sleep(5)
