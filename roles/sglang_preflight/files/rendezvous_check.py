# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rank 0's side of the preflight rendezvous check (roles/sglang_preflight/tasks/rendezvous.yml).

Given to the host's python on its standard input, `python3 - MODE ...` (nothing is copied to the
host); it prints one JSON object, which the tasks turn into the message. Modes:

  listen PORT UNIT SECONDS
      Bind PORT on every address, as torch's TCPStore on rank 0 does. In use: who holds it and
      whether that is this instance's unit UNIT (the replica runs: its SGLang answers the peers),
      {"listening": false, "holders": [...], "ours": bool}. Else a detached child accepts the
      peers' connections until rank 0's stop or SECONDS, and the command returns at once,
      {"listening": true, "pid": n}.
  stop PORT
      End this host's listener: its report, {"accepted": [source addresses], "seconds": n,
      "stopped": true}; {"stopped": false} when none listens (its time ran out).

Standard library only. No file is written; the child is gone on the stop or at its deadline.
"""

import errno
import json
import os
import socket
import sys
import time

STOP = b"llmops-sglang-rendezvous-stop"


def open_listener(port):
    """A socket listening on every address at `port` (IPv6 and IPv4 when the host has both)."""
    if socket.has_ipv6 and socket.has_dualstack_ipv6():
        try:
            return socket.create_server(("::", port), family=socket.AF_INET6, dualstack_ipv6=True)
        except OSError as exc:
            if exc.errno not in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL):
                raise
    return socket.create_server(("0.0.0.0", port))


def _listening_inodes(port, proc):
    inodes = set()
    for name in ("tcp", "tcp6"):
        try:
            with open(os.path.join(proc, "net", name)) as handle:
                lines = handle.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            # local_address is HEXADDR:HEXPORT, st 0A is LISTEN, field 9 the socket's inode
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def _read(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _links(fds):
    """Where a process's descriptors point; those that close while read are left out."""
    try:
        names = os.listdir(fds)
    except OSError:
        return []
    links = []
    for name in names:
        try:
            links.append(os.readlink(os.path.join(fds, name)))
        except OSError:
            continue
    return links


def holders(port, proc="/proc"):
    """The processes listening on TCP `port`: [{"pid", "command", "cgroups"}]; [] when none is
    visible (another user's process without root)."""
    wanted = {"socket:[%s]" % inode for inode in _listening_inodes(port, proc)}
    found = []
    if not wanted:
        return found
    for pid in sorted((p for p in os.listdir(proc) if p.isdigit()), key=int):
        if wanted.intersection(_links(os.path.join(proc, pid, "fd"))):
            # "0::/system.slice/<unit>" (cgroup v2); v1 has a line per hierarchy
            lines = _read(os.path.join(proc, pid, "cgroup")).splitlines()
            found.append({"pid": int(pid), "command": _read(os.path.join(proc, pid, "comm")),
                          "cgroups": sorted({line.split(":", 2)[-1] for line in lines})})
    return found


def held(port, unit, proc="/proc"):
    """Who holds `port`, and whether all of them are this instance's unit (its SGLang runs)."""
    found = holders(port, proc)
    ours = bool(found) and all(any(unit in path.split("/") for path in h["cgroups"]) for h in found)
    return {"listening": False, "holders": found, "ours": ours}


def serve(server, seconds):
    """Accept connections until rank 0's stop (answered with the report) or `seconds` passed.
    Returns the report: {"accepted": [source addresses], "seconds": n, "stopped": bool}."""
    started = time.monotonic()
    accepted = []
    while True:
        left = started + seconds - time.monotonic()
        if left <= 0:
            break
        server.settimeout(left)
        try:
            conn, source = server.accept()
        except TimeoutError:  # socket.timeout (Python 3.10 and later)
            break
        with conn:
            address = source[0][len("::ffff:"):] if source[0].startswith("::ffff:") else source[0]
            # a peer (ansible.builtin.wait_for) connects and closes; the stop comes from this host
            conn.settimeout(2)
            try:
                data = conn.recv(len(STOP))
            except OSError:
                data = b""
            if data == STOP and address in ("127.0.0.1", "::1"):
                report = {"accepted": accepted, "seconds": round(time.monotonic() - started, 1),
                          "stopped": True}
                conn.sendall(json.dumps(report).encode())
                return report
            accepted.append(address)
    return {"accepted": accepted, "seconds": round(time.monotonic() - started, 1), "stopped": False}


def listen(port, unit, seconds):
    """Bind now (a port in use or refused is the answer), then serve in a detached child that
    ends on rank 0's stop or after `seconds`; the command returns at once."""
    try:
        server = open_listener(port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return held(port, unit)
        return {"listening": False, "holders": [], "ours": False, "error": exc.strerror or str(exc)}
    sys.stdout.flush()
    pid = os.fork()
    if pid:
        server.close()
        return {"listening": True, "pid": pid}
    # the child: its own session, no terminal or pipe of the command's, gone by `seconds`
    os.setsid()
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    try:
        with server:
            serve(server, seconds)
    finally:
        os._exit(0)


def stop(port):
    """Stop this host's listener and return its report ({"stopped": false} when none listens)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(STOP)
            chunks = []
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return json.loads(b"".join(chunks).decode())
    except (OSError, ValueError):
        return {"stopped": False}


def main(argv):
    mode = argv[0]
    if mode == "listen":
        return listen(int(argv[1]), argv[2], float(argv[3]))
    if mode == "stop":
        return stop(int(argv[1]))
    raise SystemExit("usage: listen PORT UNIT SECONDS | stop PORT")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
