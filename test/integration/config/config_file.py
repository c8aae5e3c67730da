# `zonekeeper serve --config FILE` end to end: the file sets the listeners, the command line wins, bad files fail.
"""usage: config_file.py --zonekeeper BIN

1. A config file sets --dns-listen, --dns-workers, --data-dir, --log-level and --zone-file; the command line
   gives --api-listen and overrides the file's --api-listen. The server must answer DNS on the file's port
   (SOA of the file's zone) and accept TCP on the command line's API port, not on the file's.
2. The running server carries GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (main.cc re-executes itself once).
3. An unknown key, a value of the wrong type and an unknown log level each make `serve` exit non-zero at once,
   naming the key.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import zkharness  # noqa: E402
from zkharness import check, fail  # noqa: E402

ZONE = "$TTL 300\n@ SOA ns1 hostmaster 2024010101 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2.1\n"


def soa_answers(port: int, origin: str) -> bool:
    """True when a UDP SOA query for origin gets a NOERROR answer with one record or more."""
    qname = b"".join(bytes([len(label)]) + label.encode() for label in origin.strip(".").split(".")) + b"\0"
    query = struct.pack("!HHHHHH", 0x5a5a, 0, 1, 0, 0, 0) + qname + struct.pack("!HH", 6, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    try:
        s.sendto(query, ("127.0.0.1", port))
        data, _ = s.recvfrom(4096)
    except OSError:
        return False
    finally:
        s.close()
    if len(data) < 12:
        return False
    rid, flags, _, ancount = struct.unpack("!HHHH", data[:8])
    return rid == 0x5a5a and flags & 0x8000 and flags & 0xF == 0 and ancount >= 1


def run_serve_expecting_failure(binary: str, config: dict, key: str, tmp: str) -> None:
    path = os.path.join(tmp, f"bad-{key}.json")
    with open(path, "w") as f:
        json.dump(config, f)
    p = subprocess.run([binary, "serve", "--config", path, "--data-dir", os.path.join(tmp, "unused")],
                       capture_output=True, text=True, timeout=30)
    check(p.returncode != 0, f"serve accepted {config}: exit 0")
    check(f'"{key}"' in p.stderr, f"error for {config} does not name {key!r}: {p.stderr!r}")
    print(f"ok: {json.dumps(config)} -> exit {p.returncode}: {p.stderr.strip()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonekeeper", required=True)
    args = ap.parse_args()
    if not os.access(args.zonekeeper, os.X_OK):
        fail(f"zonekeeper binary not executable: {args.zonekeeper!r}")

    tmp = tempfile.mkdtemp(prefix="zk-config-it-")
    proc = None
    try:
        zone_path = os.path.join(tmp, "cfg.test.zone")
        with open(zone_path, "w") as f:
            f.write("$ORIGIN cfg.test.\n" + ZONE)
        dns_port, file_api_port, cli_api_port = (zkharness.free_port() for _ in range(3))
        config = {"dns-listen": f"127.0.0.1:{dns_port}", "dns-workers": 1,
                  "data-dir": os.path.join(tmp, "data"), "log-level": "warn", "zone-file": [zone_path],
                  "api-listen": f"127.0.0.1:{file_api_port}", "api-workers": 2, "api-io-threads": 1}
        config_path = os.path.join(tmp, "zonekeeper.json")
        with open(config_path, "w") as f:
            json.dump(config, f)
        log_path = os.path.join(tmp, "server.log")
        proc = zkharness.spawn([args.zonekeeper, "serve", "--config", config_path,
                                "--api-listen", f"127.0.0.1:{cli_api_port}"], log_path)
        up = zkharness.wait_ready(proc, lambda: soa_answers(dns_port, "cfg.test.")
                                  and zkharness.tcp_open(cli_api_port), 30)
        check(up, f"server with {config} did not answer SOA cfg.test. on the file's DNS port {dns_port} and "
                  f"accept on the command line's API port {cli_api_port} (exit {proc.poll()})\n"
                  f"{zkharness.log_tail(log_path)}")
        check(not zkharness.tcp_open(file_api_port),
              f"the file's api-listen port {file_api_port} is open although the command line overrode it")
        check(os.path.isdir(os.path.join(tmp, "data")), "the file's data-dir was not used")
        print(f"ok: config file sets DNS on {dns_port}; command-line --api-listen {cli_api_port} wins")
        # main.cc re-executes itself once with glibc's huge-page malloc tunable (same pid).
        with open(f"/proc/{proc.pid}/environ", "rb") as f:
            env = dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
        check(b"glibc.malloc.hugetlb=1" in env.get(b"GLIBC_TUNABLES", b""),
              f"serve runs without the malloc tunable: GLIBC_TUNABLES={env.get(b'GLIBC_TUNABLES')!r}")
        with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
            check(b"--config" in f.read(), "the re-executed server lost its arguments")
        print("ok: serve runs with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 under its own pid")
        zkharness.stop(proc, timeout=20)
        check(proc.returncode == 0, f"serve exited with {proc.returncode} on SIGTERM")
        proc = None

        run_serve_expecting_failure(args.zonekeeper, {"dns-listen": "127.0.0.1:0", "dns-wrokers": 2},
                                    "dns-wrokers", tmp)
        run_serve_expecting_failure(args.zonekeeper, {"api-workers": "2"}, "api-workers", tmp)
        run_serve_expecting_failure(args.zonekeeper, {"name-server": 5}, "name-server", tmp)
        run_serve_expecting_failure(args.zonekeeper, {"log-level": "verbose"}, "log-level", tmp)
        print("PASS")
    finally:
        zkharness.stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
