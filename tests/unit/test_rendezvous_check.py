"""Rank 0's side of the preflight rendezvous check (roles/sglang_preflight/files/rendezvous_check.py):
a port held by this instance's running SGLang (its unit's cgroup) or by another program is named;
on a free port a detached listener counts the peers' connections, answers rank 0's stop with
them and is gone (at its deadline too), leaving the port free."""

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time

from helpers import ROOT

SCRIPT = os.path.join(ROOT, "roles", "sglang_preflight", "files", "rendezvous_check.py")


def check():
    spec = importlib.util.spec_from_file_location("rendezvous_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*args):
    """As the role runs it: the script on python's standard input."""
    with open(SCRIPT) as handle:
        proc = subprocess.run([sys.executable, "-", *map(str, args)], input=handle.read(),
                              capture_output=True, text=True, timeout=60, check=True)
    return json.loads(proc.stdout)


def gone(pid):
    for _attempt in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_the_listener_returns_at_once_counts_the_peers_and_answers_the_stop():
    port = free_port()
    started = time.monotonic()
    listening = run("listen", port, "sglang-main.service", 60)
    assert listening["listening"] is True and time.monotonic() - started < 10
    for _peer in range(2):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()  # as wait_for does
    report = run("stop", port)
    assert report["accepted"] == ["127.0.0.1", "127.0.0.1"] and report["stopped"] is True
    assert gone(listening["pid"])
    socket.create_server(("0.0.0.0", port)).close()  # the port is free again
    assert run("stop", port) == {"stopped": False}  # nothing listens any more


def test_the_listener_is_gone_at_its_deadline():
    port = free_port()
    listening = run("listen", port, "sglang-main.service", 1)
    time.sleep(1.5)
    assert gone(listening["pid"])
    assert run("stop", port) == {"stopped": False}


def test_serve_counts_peers_until_its_deadline():
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        report = check().serve(server, 1)
    assert report["accepted"] == ["127.0.0.1"] and report["stopped"] is False
    assert 0.9 <= report["seconds"] < 5


def test_a_port_held_by_another_program_names_it():
    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
        result = run("listen", port, "sglang-main.service", 5)
    assert result["listening"] is False and result["ours"] is False
    assert {"pid": os.getpid()}.items() <= result["holders"][0].items()


def fake_proc(tmp_path, port, cgroup):
    """A /proc where pid 4242 listens on `port` from the cgroup `cgroup`."""
    (tmp_path / "net").mkdir(parents=True)
    header = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
              "inode\n")
    (tmp_path / "net" / "tcp").write_text(
        header + "   0: 00000000:%04X 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999 "
        "       0 777 1 0000000000000000 100 0 0 10 0\n" % port)
    (tmp_path / "net" / "tcp6").write_text(header)
    fds = tmp_path / "4242" / "fd"
    fds.mkdir(parents=True)
    os.symlink("socket:[777]", fds / "5")
    os.symlink("/dev/null", fds / "0")
    (tmp_path / "4242" / "comm").write_text("sglang::schedul\n")
    (tmp_path / "4242" / "cgroup").write_text("0::%s\n" % cgroup)
    (tmp_path / "self").mkdir()  # not a pid
    return str(tmp_path)


def test_the_instances_own_sglang_on_the_port_is_the_running_replica(tmp_path):
    mod = check()
    ours = mod.held(5757, "sglang-main.service",
                    proc=fake_proc(tmp_path / "a", 5757, "/system.slice/sglang-main.service"))
    other = mod.held(5757, "sglang-main.service",
                     proc=fake_proc(tmp_path / "b", 5757, "/system.slice/sglang-other.service"))
    assert ours == {"listening": False, "ours": True, "holders": [
        {"pid": 4242, "command": "sglang::schedul", "cgroups": ["/system.slice/sglang-main.service"]}]}
    assert other["ours"] is False and other["holders"][0]["pid"] == 4242
    assert mod.held(5758, "sglang-main.service", proc=str(tmp_path / "a"))["holders"] == []
