# Route 53 integration plumbing: start/stop a real `zonekeeper serve` by pid, run the aws CLI, dig, boto3.
"""Harness for the Route 53 end-to-end tests (run with a python3 that has boto3, e.g. pyenv's).

Zonekeeper(binary) starts `zonekeeper serve --data-dir TMP --dns-listen 127.0.0.1:P --api-listen
127.0.0.1:Q` on free loopback ports, waits for the API port, and reads the credentials the server
wrote at first start (DATA_DIR/credentials). kill() sends SIGKILL to exactly that pid; stop() SIGTERM.
restart() starts again on the same data folder and ports.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import zkharness  # noqa: E402
from zkharness import check, fail, free_port  # noqa: E402,F401  (re-exported for the tests)


class Zonekeeper:
    def __init__(self, binary: str, extra_args: list[str] | None = None):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="zk-r53-it-")
        self.data = os.path.join(self.dir, "data")
        self.dns_port = free_port()
        self.api_port = free_port()
        self.extra = extra_args or []
        self.proc: subprocess.Popen | None = None
        self.log_path = os.path.join(self.dir, "server.log")
        self.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self) -> None:
        self.proc = zkharness.spawn(
            [self.binary, "serve", "--data-dir", self.data, "--dns-listen", f"127.0.0.1:{self.dns_port}",
             "--api-listen", f"127.0.0.1:{self.api_port}", "--dns-workers", "2", "--log-level", "warn"]
            + self.extra, self.log_path)
        if not zkharness.wait_ready(self.proc, lambda: zkharness.tcp_open(self.api_port), 30):
            if self.proc.poll() is not None:
                fail(f"zonekeeper exited with {self.proc.returncode}: {self.log()}")
            zkharness.kill(self.proc)
            fail("zonekeeper API did not come up")
        creds = os.path.join(self.data, "credentials")
        check(os.path.exists(creds), "no credentials file written at first start")
        check(os.stat(creds).st_mode & 0o777 == 0o600, "credentials file is not mode 0600")
        self.credentials_file = creds

    def log(self) -> str:
        try:
            return open(self.log_path, encoding="utf-8", errors="replace").read()[-4000:]
        except OSError:
            return ""

    def kill(self) -> None:
        zkharness.kill(self.proc)

    def stop(self) -> None:
        zkharness.stop(self.proc, timeout=20)

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- clients ----

    def env(self, **override: str) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_SHARED_CREDENTIALS_FILE=self.credentials_file, AWS_DEFAULT_REGION="us-east-1",
                   AWS_CONFIG_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
        env.update(override)
        return env

    def aws(self, aws_bin: str, *args: str, env: dict | None = None, expect_ok: bool = True):
        """Runs `aws --endpoint-url ... route53 ARGS`; returns parsed JSON (or (rc, stderr) if expect_ok=False)."""
        cmd = [aws_bin, "--endpoint-url", self.endpoint, "--output", "json", "route53", *args]
        p = subprocess.run(cmd, capture_output=True, text=True, env=env or self.env(), timeout=120)
        if not expect_ok:
            return p.returncode, p.stderr
        if p.returncode != 0:
            fail(f"aws {' '.join(args)} failed ({p.returncode}): {p.stderr}\nserver log: {self.log()}")
        return json.loads(p.stdout) if p.stdout.strip() else {}

    def dig(self, name: str, rtype: str, tcp: bool = False) -> list[str]:
        cmd = ["dig", f"@127.0.0.1", "-p", str(self.dns_port), "+short", "+norec", "+time=2", "+tries=1",
               name, rtype]
        if tcp:
            cmd.insert(1, "+tcp")
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        check(p.returncode == 0, f"dig {name} {rtype} failed: {p.stdout} {p.stderr}")
        return sorted(line for line in p.stdout.splitlines() if line and not line.startswith(";"))

    def boto3_client(self, **kw):
        import boto3
        from botocore.config import Config
        key_id, secret = self.read_credentials()
        return boto3.client("route53", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=kw.get("key_id", key_id),
                            aws_secret_access_key=kw.get("secret", secret),
                            config=Config(retries={"max_attempts": kw.get("attempts", 3), "mode": "standard"},
                                          max_pool_connections=kw.get("pool", 10)))

    def read_credentials(self) -> tuple[str, str]:
        key_id = secret = ""
        for line in open(self.credentials_file):
            if line.startswith("aws_access_key_id"):
                key_id = line.split("=", 1)[1].strip()
            if line.startswith("aws_secret_access_key"):
                secret = line.split("=", 1)[1].strip()
        return key_id, secret
