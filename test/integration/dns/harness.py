# Shared plumbing for the DNS integration tests: free ports, starting/stopping servers by pid, raw I/O.
"""Harness for the DNS integration tests (run with Debian's /usr/bin/python3 + python3-dnspython).

Servers:
  NsdServer, KnotServer, ZonekeeperServer: each takes {origin: master file text}, writes the zones and
  its config into a private temp dir, binds a free loopback port, starts the daemon in the foreground
  as a child process, waits until it answers an SOA query, and `stop()` kills exactly that pid and
  removes the temp dir. Use them as context managers.
I/O:
  udp_exchange / TcpClient send raw wire bytes and return the raw response (or None on timeout).
"""
from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

import dns.message
import dns.rdatatype

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import zkharness  # noqa: E402
from zkharness import fail, free_port  # noqa: E402,F401  (re-exported for the tests)


def udp_exchange(wire: bytes, port: int, timeout: float = 2.0, host: str = "127.0.0.1",
                 bufsize: int = 65535) -> bytes | None:
    """Send one datagram, return the first reply whose ID matches (or any reply if wire < 2 bytes)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.sendto(wire, (host, port))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            s.settimeout(left)
            try:
                data, _ = s.recvfrom(bufsize)
            except socket.timeout:
                return None
            if len(wire) < 2 or len(data) < 2 or data[:2] == wire[:2]:
                return data
    finally:
        s.close()


def recv_exact(s: socket.socket, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        try:
            chunk = s.recv(n - len(buf))
        except (socket.timeout, ConnectionResetError):
            return None
        if not chunk:
            return None
        buf += chunk
    return buf


class TcpClient:
    """One RFC 7766 connection: 2-byte length prefix, several queries in sequence."""

    def __init__(self, port: int, timeout: float = 3.0, host: str = "127.0.0.1"):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(timeout)

    def exchange(self, wire: bytes) -> bytes | None:
        try:
            self.sock.sendall(struct.pack("!H", len(wire)) + wire)
        except OSError:
            return None
        hdr = recv_exact(self.sock, 2)
        if hdr is None:
            return None
        return recv_exact(self.sock, struct.unpack("!H", hdr)[0])

    def close(self) -> None:
        self.sock.close()


def tcp_exchange(wire: bytes, port: int, timeout: float = 3.0) -> bytes | None:
    c = TcpClient(port, timeout)
    try:
        return c.exchange(wire)
    finally:
        c.close()


def soa_probe(port: int, origin: str, timeout: float = 0.5) -> bool:
    q = dns.message.make_query(origin, dns.rdatatype.SOA)
    r = udp_exchange(q.to_wire(), port, timeout)
    if r is None:
        return False
    try:
        m = dns.message.from_wire(r)
    except Exception:  # noqa: BLE001 - any parse error means "not ready"
        return False
    return m.rcode() == 0 and len(m.answer) > 0


class _Server:
    kind = "server"

    def __init__(self, zones: dict[str, str], keep: bool = False):
        self.zones = zones
        self.keep = keep
        self.dir = tempfile.mkdtemp(prefix=f"zk-dns-{self.kind}-")
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.zone_paths: dict[str, str] = {}
        for origin, text in zones.items():
            path = os.path.join(self.dir, (origin.rstrip(".") or "root") + ".zone")
            with open(path, "w") as f:
                f.write(text)
            self.zone_paths[origin] = path
        self.log_path = os.path.join(self.dir, "server.log")

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self, ready_timeout: float = 30.0) -> "_Server":
        origin = next(iter(self.zones))
        for attempt in range(3):
            # Its own session, so stop() can signal the group (NSD forks server children).
            self.proc = zkharness.spawn(self.command(), self.log_path, new_session=True)
            if zkharness.wait_ready(self.proc, lambda: soa_probe(self.port, origin), ready_timeout, 0.1):
                return self
            # Not ready: port race or a broken server. Show its log, retry on a new port.
            self._kill()
            if attempt < 2 and self.retry_on_new_port():
                continue
            break
        rc = self.proc.returncode if self.proc else None
        msg = (f"{self.kind} did not answer SOA {origin} on port {self.port} "
               f"(exit status {rc})\n"
               f"command: {' '.join(self.command())}\nlog:\n{self.log_tail()}")
        self.stop()
        fail(msg)
        return self

    def retry_on_new_port(self) -> bool:
        self.port = free_port()
        if hasattr(self, "api_port"):
            self.api_port = free_port()
        self.write_config()
        return True

    def write_config(self) -> None:
        pass

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n: int = 40) -> str:
        return zkharness.log_tail(self.log_path, n)

    def _kill(self) -> None:
        # SIGTERM (then SIGKILL) to the daemon's process group only, never by name.
        zkharness.stop(self.proc, group=True)

    def stop(self) -> None:
        self._kill()
        self.proc = None
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "_Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class NsdServer(_Server):
    """NSD 4.x configured to answer like RFC-minimal authoritative servers (see README.md)."""
    kind = "nsd"

    def __init__(self, zones: dict[str, str], keep: bool = False, minimal_responses: bool = True,
                 allow_axfr: bool = False):
        super().__init__(zones, keep)
        self.minimal = minimal_responses
        self.allow_axfr = allow_axfr
        self.write_config()

    def write_config(self) -> None:
        d = self.dir
        xfr = "  provide-xfr: 127.0.0.1 NOKEY\n" if self.allow_axfr else ""
        zone_cfg = "".join(f"zone:\n  name: \"{o}\"\n  zonefile: \"{p}\"\n{xfr}"
                           for o, p in self.zone_paths.items())
        conf = f"""server:
  ip-address: 127.0.0.1@{self.port}
  server-count: 1
  username: ""
  chroot: ""
  database: ""
  zonesdir: "{d}"
  zonelistfile: "{d}/zone.list"
  xfrdfile: "{d}/xfrd.state"
  xfrdir: "{d}"
  pidfile: "{d}/nsd.pid"
  logfile: "{self.log_path}"
  verbosity: 0
  do-ip6: no
  hide-version: yes
  hide-identity: yes
  round-robin: no
  refuse-any: no
  # yes: no NS RRset in the authority section of positive answers (zonekeeper does not add it);
  # additional A/AAAA for MX/NS targets are still added (see README.md, "NSD configuration").
  minimal-responses: {"yes" if self.minimal else "no"}
  # Debian builds NSD with RRL; 0 disables it, otherwise floods of NXDOMAIN get slipped/dropped.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
  tcp-count: 200
  # zonekeeper truncates UDP answers at the client's EDNS size up to 4096 (the issue: "truncated
  # with TC to the client's EDNS size"); NSD's default cap is 1232. Match zonekeeper.
  ipv4-edns-size: 4096
remote-control:
  control-enable: no
{zone_cfg}"""
        with open(os.path.join(d, "nsd.conf"), "w") as f:
            f.write(conf)

    def command(self) -> list[str]:
        return ["nsd", "-d", "-c", os.path.join(self.dir, "nsd.conf")]


class KnotServer(_Server):
    """Knot DNS, used only to prove the comparison logic finds real differences (not in ctest)."""
    kind = "knot"

    def __init__(self, zones: dict[str, str], keep: bool = False):
        super().__init__(zones, keep)
        os.makedirs(os.path.join(self.dir, "db"), exist_ok=True)
        self.write_config()

    def write_config(self) -> None:
        d = self.dir
        zone_cfg = "".join(f"  - domain: \"{o}\"\n    file: \"{p}\"\n"
                           for o, p in self.zone_paths.items())
        conf = f"""server:
    rundir: "{d}"
    pidfile: "{d}/knot.pid"
    listen: 127.0.0.1@{self.port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
    identity: ""
    version: ""
database:
    storage: "{d}/db"
control:
    listen: "{d}/knot.sock"
log:
  - target: stderr
    any: warning
acl:
  - id: local_xfr
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "{d}"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    acl: [local_xfr]
zone:
{zone_cfg}"""
        with open(os.path.join(d, "knot.conf"), "w") as f:
            f.write(conf)

    def command(self) -> list[str]:
        return ["knotd", "-c", os.path.join(self.dir, "knot.conf")]


class ZonekeeperServer(_Server):
    """The zonekeeper binary under test: `serve --zone-file ...` on a loopback port."""
    kind = "zonekeeper"

    def __init__(self, binary: str, zones: dict[str, str], keep: bool = False, workers: int = 2,
                 extra_args: list[str] | None = None):
        super().__init__(zones, keep)
        self.binary = binary
        self.workers = workers
        self.api_port = free_port()
        self.extra = list(extra_args or []) + os.environ.get("ZK_SERVE_EXTRA_ARGS", "").split()
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)

    def command(self) -> list[str]:
        # The API port is bound too: give it a free one so parallel tests don't collide.
        cmd = [self.binary, "serve", "--data-dir", os.path.join(self.dir, "data"),
               "--dns-listen", f"127.0.0.1:{self.port}", "--dns-workers", str(self.workers),
               "--api-listen", f"127.0.0.1:{self.api_port}"]
        for p in self.zone_paths.values():
            cmd += ["--zone-file", p]
        return cmd + self.extra


def make_server(kind: str, zones: dict[str, str], zk_binary: str | None = None,
                keep: bool = False) -> _Server:
    if kind == "nsd":
        return NsdServer(zones, keep, allow_axfr=True)
    if kind == "nsd-full":  # NSD with minimal-responses: no (the differential reference)
        return NsdServer(zones, keep, minimal_responses=False, allow_axfr=True)
    if kind == "knot":
        return KnotServer(zones, keep)
    if kind == "zonekeeper":
        if not zk_binary or not os.access(zk_binary, os.X_OK):
            fail(f"zonekeeper binary not executable: {zk_binary!r}")
        return ZonekeeperServer(zk_binary, zones, keep)
    raise ValueError(kind)


def require_tools(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None and not os.path.exists(f"/usr/sbin/{t}")]
    if missing:
        fail(f"missing tools: {missing} (scripts/install-deps.sh test installs them)")
