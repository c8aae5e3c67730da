# Plumbing shared by every integration test: failing loudly, free loopback ports, child servers by pid.
"""Shared harness for test/integration/* (plain python3, standard library only).

The folder's harnesses (dns/harness.py, route53/harness.py) import this module; dns01_flows.sh runs it
as a script for free ports:

  python3 zkharness.py free-port [--udp]     a 127.0.0.1 port free over TCP (and UDP with --udp)
  python3 zkharness.py free-ip [--port 443]  an address in 127.42/16 whose port is free over TCP

Processes are started as children and stopped by their own pid (or, with group=True, by the process
group of a child started in its own session), never by name.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import time
from typing import Callable


def fail(msg: str) -> None:
    print(f"FAIL: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def check(cond: bool, msg: str) -> None:
    if not cond:
        fail(msg)


def free_port(udp: bool = True) -> int:
    """A 127.0.0.1 port that is free over TCP (and, with udp, over UDP too) right now."""
    for _ in range(200):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        if udp:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                u.bind(("127.0.0.1", port))
            except OSError:
                t.close()
                continue
            finally:
                u.close()
        t.close()
        return port
    raise RuntimeError("no free port")


def free_loopback_ip(port: int = 443, prefix: str = "127.42") -> str:
    """An address in prefix/16 whose TCP `port` is free (for a front on a fixed port such as 443)."""
    for _ in range(200):
        ip = "%s.%d.%d" % (prefix, random.randint(1, 254), random.randint(1, 254))
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip, port))
        except OSError:
            continue
        finally:
            s.close()
        return ip
    raise RuntimeError(f"no free {prefix}.x.y:{port}")


def tcp_open(port: int, host: str = "127.0.0.1", timeout: float = 0.2) -> bool:
    """True when something accepts a TCP connection on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def spawn(cmd: list[str], log_path: str, new_session: bool = False) -> subprocess.Popen:
    """Starts cmd with stdout and stderr appended to log_path (stdin closed)."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=new_session)


def wait_ready(proc: subprocess.Popen, ready: Callable[[], bool], timeout: float = 30.0,
               interval: float = 0.05) -> bool:
    """Polls ready() until it is true (True), or proc exits or timeout seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            return True
        time.sleep(interval)
    return False


def _signal(proc: subprocess.Popen, sig: int, group: bool) -> None:
    try:
        if group:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill(proc: subprocess.Popen | None, group: bool = False) -> None:
    """SIGKILL to exactly this child (or its process group), then reap it."""
    if proc is None:
        return
    if proc.poll() is None:
        _signal(proc, signal.SIGKILL, group)
        proc.wait()
    if group:  # members of the group may outlive the leader for a moment
        _signal(proc, signal.SIGKILL, group)


def stop(proc: subprocess.Popen | None, group: bool = False, timeout: float = 5.0) -> None:
    """SIGTERM to exactly this child (or its process group); SIGKILL after timeout seconds."""
    if proc is None:
        return
    if proc.poll() is None:
        _signal(proc, signal.SIGTERM, group)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    kill(proc, group)


def log_tail(path: str, lines: int = 40) -> str:
    """The last `lines` lines of a log file (for failure messages)."""
    try:
        with open(path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
    except OSError:
        return "(no log)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("free-port")
    p.add_argument("--udp", action="store_true", help="also free over UDP")
    p = sub.add_parser("free-ip")
    p.add_argument("--port", type=int, default=443)
    p.add_argument("--prefix", default="127.42")
    args = ap.parse_args()
    print(free_port(args.udp) if args.cmd == "free-port" else free_loopback_ip(args.port, args.prefix))


if __name__ == "__main__":
    main()
