# Identity-test plumbing: clients per credential set, users with policies, new accounts, error checks.
"""Helpers for test/integration/identity/* (a python3 with boto3).

Builds on route53/harness.py (Zonekeeper: a real `zonekeeper serve` on free loopback ports with a temp
data folder, stopped by pid) and lib/zkharness.py. Everything here talks to the server through boto3 or
the `zonekeeper` binary, never through its files (except DATA/credentials, which the server writes for
the operator at first start).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from typing import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "route53"))
import zkharness  # noqa: E402,F401
from harness import Zonekeeper  # noqa: E402,F401  (re-exported)
from zkharness import check, fail, free_port  # noqa: E402,F401  (re-exported)

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

REGION = "us-east-1"

# cert-manager's "minimal IAM policy" for Route 53 DNS-01 (shared/seeds/000_*.txt, verbatim)
SEED_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "route53:GetChange", "Resource": "arn:aws:route53:::change/*"},
        {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
         "Resource": "arn:aws:route53:::hostedzone/*"},
        {"Effect": "Allow", "Action": "route53:ListHostedZonesByName", "Resource": "*"},
    ],
}


def doc(*statements: dict) -> str:
    """A policy document (JSON text) with these statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust(principal: dict, action: str = "sts:AssumeRole", condition: dict | None = None) -> str:
    st = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return doc(st)


class Creds:
    """One set of credentials against one endpoint; creds("route53") is a boto3 client signed with it."""

    def __init__(self, endpoint: str, key: str, secret: str, token: str | None = None):
        self.endpoint, self.key, self.secret, self.token = endpoint, key, secret, token

    @classmethod
    def from_sts(cls, endpoint: str, credentials: dict) -> "Creds":
        return cls(endpoint, credentials["AccessKeyId"], credentials["SecretAccessKey"],
                   credentials["SessionToken"])

    def __call__(self, service: str):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=self.key, aws_secret_access_key=self.secret,
                            aws_session_token=self.token,
                            config=Config(retries={"max_attempts": 1, "mode": "standard"}))

    def env(self) -> dict:
        e = {"AWS_ACCESS_KEY_ID": self.key, "AWS_SECRET_ACCESS_KEY": self.secret}
        if self.token:
            e["AWS_SESSION_TOKEN"] = self.token
        return e


def admin(zk: Zonekeeper) -> Creds:
    """The bootstrap administrator ([default] of DATA/credentials)."""
    key, secret = zk.read_credentials()
    check(key.startswith("AKIA") and secret, f"no administrator key in {zk.credentials_file}")
    return Creds(zk.endpoint, key, secret)


def account_create(zk: Zonekeeper) -> tuple[dict, Creds]:
    """`zonekeeper account create` on the running server's data folder: (its JSON, the new admin's creds)."""
    p = subprocess.run([zk.binary, "account", "create", "--data-dir", zk.data], capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 0, f"zonekeeper account create exited {p.returncode}: {p.stderr}")
    try:
        out = json.loads(p.stdout)
    except ValueError:
        fail(f"zonekeeper account create did not print JSON: {p.stdout!r}")
    for k in ("AccountId", "UserArn", "AccessKeyId", "SecretAccessKey"):
        check(k in out, f"account create output lacks {k}: {out}")
    check(out["UserArn"] == f"arn:aws:iam::{out['AccountId']}:user/admin", f"account create UserArn: {out}")
    return out, Creds(zk.endpoint, out["AccessKeyId"], out["SecretAccessKey"])


def make_user(creds: Creds, name: str, inline: str | None = None, managed: tuple = (),
              boundary: str | None = None) -> Creds:
    """Creates IAM user `name` (inline policy document, managed policy ARNs, boundary ARN) and a key."""
    iam = creds("iam")
    kw = {"PermissionsBoundary": boundary} if boundary else {}
    iam.create_user(UserName=name, **kw)
    if inline:
        iam.put_user_policy(UserName=name, PolicyName=f"{name}-inline", PolicyDocument=inline)
    for arn in managed:
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    ak = iam.create_access_key(UserName=name)["AccessKey"]
    return Creds(creds.endpoint, ak["AccessKeyId"], ak["SecretAccessKey"])


def error_of(fn: Callable) -> tuple[str, str, int] | None:
    """(code, message, HTTP status) of the ClientError fn raises, or None when it succeeds."""
    try:
        fn()
    except ClientError as e:
        return (e.response["Error"].get("Code", ""), e.response["Error"].get("Message", ""),
                e.response["ResponseMetadata"].get("HTTPStatusCode", 0))
    return None


def expect_error(what: str, fn: Callable, code: str, status: int | None = None,
                 message: str | None = None, message_re: str | None = None) -> tuple[str, str, int]:
    """fn must fail with this error code (and exact message / message regex / HTTP status when given)."""
    got = error_of(fn)
    check(got is not None, f"{what}: succeeded, expected {code}")
    c, m, s = got
    check(c == code, f"{what}: error {c} ({m!r}, HTTP {s}), expected {code}")
    if status is not None:
        check(s == status, f"{what}: HTTP {s}, expected {status} ({c}: {m})")
    if message is not None:
        check(m == message, f"{what}: message\n  got      {m!r}\n  expected {message!r}")
    if message_re is not None:
        check(re.fullmatch(message_re, m) is not None, f"{what}: message {m!r} does not match {message_re!r}")
    print(f"ok  {what}: {c} (HTTP {s}) {m}", flush=True)
    return got


def denied_message(principal_arn: str, action: str, resource: str, reason: str = "identity") -> str:
    """AWS's AccessDenied wording for an implicit deny ("because no <kind> allows the <action> action")."""
    kind = {"identity": "identity-based policy", "boundary": "permissions boundary",
            "resource": "resource-based policy", "session": "session policy"}[reason]
    return (f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource} "
            f"because no {kind} allows the {action} action")


def eventually(what: str, fn: Callable[[], bool], timeout: float = 15.0, interval: float = 0.1) -> None:
    """Polls fn() until it returns true; fails after timeout seconds (no fixed sleeps as synchronisation)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if fn():
                return
        except Exception as e:  # noqa: BLE001  (kept for the failure message)
            last = e
        time.sleep(interval)
    fail(f"{what}: not true within {timeout:.0f} s" + (f" (last error: {last})" if last else ""))


def wait_insync(r53, change_id: str, timeout: float = 30.0) -> None:
    """Polls GetChange (as cert-manager, lego and certbot do) until INSYNC."""
    eventually(f"GetChange {change_id} INSYNC",
               lambda: r53.get_change(Id=change_id)["ChangeInfo"]["Status"] == "INSYNC", timeout)


def txt_change(action: str, name: str, value: str, rtype: str = "TXT", ttl: int = 60) -> dict:
    return {"Changes": [{"Action": action, "ResourceRecordSet": {
        "Name": name, "Type": rtype, "TTL": ttl, "ResourceRecords": [{"Value": value}]}}]}


def records(r53, zone_id: str) -> list[tuple[str, str]]:
    """(name, type) of every record set in the zone (all pages)."""
    out = []
    for page in r53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id):
        out += [(r["Name"], r["Type"]) for r in page["ResourceRecordSets"]]
    return out


def clean_env(**extra: str) -> dict:
    """The caller's environment without any AWS_* variable, no config/credentials files, IMDS off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_DEFAULT_REGION=REGION,
               AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="")
    env.update(extra)
    return env


def run(cmd: list[str], env: dict, timeout: float = 90, what: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def dig_until(zk: Zonekeeper, name: str, rtype: str, want: list[str], timeout: float = 10.0) -> None:
    """dig @zonekeeper until the answer is `want` (sorted +short lines; [] = no answer)."""
    eventually(f"dig {name} {rtype} == {want}", lambda: zk.dig(name, rtype) == sorted(want), timeout)
