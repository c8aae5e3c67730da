# `zone import` signals only the zonekeeper that holds the data folder's lock, never what a stale pid file names.
"""usage: zone_import_signal.py --zonekeeper BIN

1. A stale pid file (the server crashed) naming an unrelated process: `zone import` stores the zone, does not
   signal that process (it stays alive) and says why.
2. A running server: `zone import` signals it, and the imported zone is answered over DNS.
3. A second `serve` on the same data folder exits non-zero at once, naming the folder as in use.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import zkharness  # noqa: E402
from zkharness import check, fail  # noqa: E402


def zone_file(path: str, origin: str, address: str) -> str:
    with open(path, "w") as f:
        f.write(f"$ORIGIN {origin}\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ NS ns1\n"
                f"ns1 A 192.0.2.1\nwww A {address}\n")
    return path


def dig_a(port: int, name: str) -> list[str]:
    p = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+short", "+norec", "+time=1", "+tries=1", name, "A"],
                       capture_output=True, text=True, timeout=10)
    return sorted(line for line in p.stdout.splitlines() if line and not line.startswith(";"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonekeeper", required=True)
    args = ap.parse_args()
    zk = args.zonekeeper
    tmp = tempfile.mkdtemp(prefix="zk-cli-it-")
    data = os.path.join(tmp, "data")
    bystander = server = None
    try:
        # 1. Stale pid file naming an unrelated process (SIGHUP would terminate `sleep`).
        os.makedirs(data)
        bystander = subprocess.Popen(["sleep", "60"])
        with open(os.path.join(data, "zonekeeper.pid"), "w") as f:
            f.write(f"{bystander.pid}\n")
        p = subprocess.run([zk, "zone", "import", zone_file(os.path.join(tmp, "one.zone"), "one.test.", "192.0.2.11"),
                            "--data-dir", data], capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, f"zone import failed ({p.returncode}): {p.stdout} {p.stderr}")
        check("created zone one.test." in p.stdout, f"unexpected output: {p.stdout}")
        check(f"not signalling pid {bystander.pid}" in p.stdout + p.stderr,
              f"no word about the stale pid file: {p.stdout} {p.stderr}")
        check(bystander.poll() is None, f"zone import signalled the unrelated pid {bystander.pid} "
                                        f"(it exited with {bystander.returncode})")

        # 2. A running server holds the lock: import signals it and the zone is served.
        dns_port, api_port = zkharness.free_port(), zkharness.free_port()
        log = os.path.join(tmp, "server.log")
        server = zkharness.spawn([zk, "serve", "--data-dir", data, "--dns-listen", f"127.0.0.1:{dns_port}",
                                  "--api-listen", f"127.0.0.1:{api_port}", "--dns-workers", "1"], log)
        if not zkharness.wait_ready(server, lambda: dig_a(dns_port, "www.one.test.") == ["192.0.2.11"], 30):
            fail(f"server did not serve the stored zone: {zkharness.log_tail(log)}")
        p = subprocess.run([zk, "zone", "import", zone_file(os.path.join(tmp, "two.zone"), "two.test.", "192.0.2.22"),
                            "--data-dir", data], capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, f"zone import failed ({p.returncode}): {p.stdout} {p.stderr}")
        check("not signalling" not in p.stdout + p.stderr, f"did not signal the running server: {p.stdout}")
        if not zkharness.wait_ready(server, lambda: dig_a(dns_port, "www.two.test.") == ["192.0.2.22"], 30):
            fail(f"the running server did not pick up the import: {zkharness.log_tail(log)}")

        # 3. A second server on the same folder refuses to start.
        p = subprocess.run([zk, "serve", "--data-dir", data, "--dns-listen", f"127.0.0.1:{zkharness.free_port()}",
                            "--api-listen", f"127.0.0.1:{zkharness.free_port()}"],
                           capture_output=True, text=True, timeout=60)
        check(p.returncode != 0, "a second serve on the same data folder started")
        check("in use" in p.stderr and str(server.pid) in p.stderr, f"unclear refusal: {p.stderr}")
        check(server.poll() is None, "the first server died")
        print("OK: zone import signals only the lock holder")
    finally:
        zkharness.stop(server)
        if bystander is not None:
            zkharness.kill(bystander)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
