# IMDSv2 with --imds-listen/--imds-role: raw HTTP rules, boto3 and aws CLI default chains, the shared flow.
"""usage: imds.py --zonekeeper BIN --aws AWS_CLI --flow .../shared/conformance/flows/imds-credentials.sh

First start learns the account id; the server is restarted on the same data folder with
`--imds-listen 127.0.0.1:P --imds-role arn:aws:iam::ACCT:role/zk-instance` before that role exists,
so IMDS refuses credentials until the administrator creates it and it trusts ec2.amazonaws.com (IMDS
asks STS until a fetch succeeds; then it keeps the credentials until shortly before they expire).
Checks: PUT /latest/api/token (TTL 0 / 21601 / missing -> 400, X-Forwarded-For -> 403, TTL echoed),
GETs without or with a bad or expired token -> 401, the role listing and the credentials JSON
(Code, LastUpdated, Type AWS-HMAC, AccessKeyId, SecretAccessKey, Token, Expiration) whose keys work;
boto3's default chain (method iam-role) and the aws CLI (`configure list` says iam-role) with only
AWS_EC2_METADATA_SERVICE_ENDPOINT; then the shared flow imds-credentials.sh (boto3, awscli v1 and the
AWS SDK for JavaScript v3, npm-installed into CONF_STATE) must print PASS.
"""
import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

from idharness import (SEED_POLICY, Creds, Zonekeeper, admin, check, clean_env, eventually, fail,
                       free_port, run, trust, zkharness)

ROLE = "zk-instance"

CHILD = r"""
import json, sys, boto3
s = boto3.session.Session(region_name="us-east-1")
c = s.get_credentials()
if c is None:
    sys.exit("no credentials resolved")
f = c.get_frozen_credentials()
arn = s.client("sts", endpoint_url=sys.argv[1]).get_caller_identity()["Arn"]
zones = s.client("route53", endpoint_url=sys.argv[1]).list_hosted_zones_by_name()["HostedZones"]
print(json.dumps({"method": c.method, "key": f.access_key, "token": bool(f.token), "arn": arn,
                  "zones": [z["Name"] for z in zones]}))
"""


class Imds:
    def __init__(self, port: int):
        self.port = port

    def req(self, method: str, path: str, headers: dict | None = None) -> tuple[int, dict, str]:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path, headers=headers or {})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode(errors="replace")
        finally:
            c.close()

    def token(self, ttl: int = 60) -> str:
        st, h, body = self.req("PUT", "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": str(ttl)})
        check(st == 200 and body, f"PUT /latest/api/token ttl {ttl}: {st} {body!r}")
        check(h.get("x-aws-ec2-metadata-token-ttl-seconds") == str(ttl), f"token TTL not echoed: {h}")
        return body

    def get(self, path: str, token: str | None) -> tuple[int, dict, str]:
        return self.req("GET", path, {"X-aws-ec2-metadata-token": token} if token is not None else {})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonekeeper", required=True)
    ap.add_argument("--aws", required=True)
    ap.add_argument("--flow", required=True, help="shared/conformance/flows/imds-credentials.sh")
    args = ap.parse_args()
    check(os.path.isfile(args.flow) and os.access(args.flow, os.X_OK),
          f"the shared IMDS flow is missing: {args.flow} (a copy of shared/ must sit beside the clone)")
    check(os.access(args.aws, os.X_OK), f"aws CLI {args.aws} is not executable")
    zk = Zonekeeper(args.zonekeeper)
    try:
        scenario(zk, args)
    finally:
        zk.cleanup()
    print("PASS: integration_identity_imds")


def scenario(zk: Zonekeeper, args) -> None:
    root = admin(zk)
    acct = root("sts").get_caller_identity()["Account"]
    role_arn = f"arn:aws:iam::{acct}:role/{ROLE}"
    imds_port = free_port(udp=False)
    zk.extra += ["--imds-listen", f"127.0.0.1:{imds_port}", "--imds-role", role_arn]
    zk.restart()
    check(zkharness.wait_ready(zk.proc, lambda: zkharness.tcp_open(imds_port), 20),
          f"IMDS did not listen on 127.0.0.1:{imds_port}: {zk.log()}")
    imds = Imds(imds_port)
    creds_path = f"/latest/meta-data/iam/security-credentials/{ROLE}"

    # ---- the role does not exist yet: no credentials ------------------------------------------------
    st, _, body = imds.get(creds_path, imds.token())
    check(st != 200, f"IMDS served credentials for a role that does not exist: {st} {body}")
    print(f"ok  role {ROLE} not created yet: GET credentials -> {st}")
    iam = root("iam")
    # created without trusting ec2.amazonaws.com: still no credentials (IMDS asks STS until one succeeds)
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))
    iam.put_role_policy(RoleName=ROLE, PolicyName="seed", PolicyDocument=json.dumps(SEED_POLICY))
    st, _, body = imds.get(creds_path, imds.token())
    check(st != 200, f"IMDS served credentials for a role that does not trust ec2.amazonaws.com: {st} {body}")
    print(f"ok  role {ROLE} trusting lambda.amazonaws.com only: GET credentials -> {st}")
    iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    root("route53").create_hosted_zone(Name="imds.test", CallerReference="imds")

    # ---- the token endpoint ------------------------------------------------------------------------
    for what, headers, want in (
            ("TTL 0", {"X-aws-ec2-metadata-token-ttl-seconds": "0"}, 400),
            ("TTL 21601", {"X-aws-ec2-metadata-token-ttl-seconds": "21601"}, 400),
            ("TTL not a number", {"X-aws-ec2-metadata-token-ttl-seconds": "ten"}, 400),
            ("no TTL header", {}, 400),
            ("X-Forwarded-For", {"X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "203.0.113.9"},
             403)):
        st, _, body = imds.req("PUT", "/latest/api/token", headers)
        check(st == want, f"PUT /latest/api/token with {what}: {st}, expected {want} ({body[:200]!r})")
        print(f"ok  PUT token with {what}: {st}")
    tok = imds.token(21600)
    imds.token(1)
    print("ok  PUT token TTL 21600 and 1: 200, TTL echoed")

    # ---- GETs: token required ------------------------------------------------------------------------
    listing = "/latest/meta-data/iam/security-credentials/"
    for what, t in (("no token", None), ("a made-up token", "AQAEAbogus=="), ("an empty token", "")):
        st, _, _ = imds.get(listing, t)
        check(st == 401, f"GET {listing} with {what}: {st}, expected 401")
        print(f"ok  GET with {what}: 401")
    short = imds.token(1)
    eventually("a token with TTL 1 expires (GET -> 401)", lambda: imds.get(listing, short)[0] == 401, timeout=10)
    print("ok  token with TTL 1: 401 once expired")
    st, h, body = imds.get(listing, tok)
    check(st == 200 and body.strip() == ROLE, f"GET {listing}: {st} {body!r}")
    st, _, body = imds.get(listing + "not-the-role", tok)
    check(st == 404, f"GET credentials of another role name: {st}, expected 404")

    st, h, body = imds.get(creds_path, tok)
    check(st == 200, f"GET {creds_path}: {st} {body}")
    try:
        cj = json.loads(body)
    except ValueError:
        fail(f"credentials are not JSON: {body!r}")
    for k in ("Code", "LastUpdated", "Type", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"):
        check(k in cj and cj[k], f"credentials JSON lacks {k}: {sorted(cj)}")
    check(cj["Code"] == "Success" and cj["Type"] == "AWS-HMAC", f"Code/Type: {cj['Code']} {cj['Type']}")
    check(cj["AccessKeyId"].startswith("ASIA"), f"AccessKeyId {cj['AccessKeyId']}")
    ts = "%Y-%m-%dT%H:%M:%SZ"
    exp = datetime.strptime(cj["Expiration"], ts).replace(tzinfo=timezone.utc)
    upd = datetime.strptime(cj["LastUpdated"], ts).replace(tzinfo=timezone.utc)
    now = datetime.now(timezone.utc)
    check(abs(now - upd) < timedelta(minutes=5), f"LastUpdated {cj['LastUpdated']} is not now")
    check(exp - now > timedelta(minutes=15), f"Expiration {cj['Expiration']} is too close")
    ident = Creds(zk.endpoint, cj["AccessKeyId"], cj["SecretAccessKey"], cj["Token"])("sts").get_caller_identity()
    check(re.fullmatch(rf"arn:aws:sts::{acct}:assumed-role/{ROLE}/[\w+=,.@-]+", ident["Arn"]) is not None,
          f"IMDS credentials' caller: {ident['Arn']}")
    session_arn = ident["Arn"]
    print(f"ok  credentials JSON (Code Success, Type AWS-HMAC, ASIA key, Expiration {cj['Expiration']}); "
          f"caller {session_arn}")

    # ---- served credentials are kept until shortly before they expire (as EC2 does) -----------------
    st, _, body2 = imds.get(creds_path, imds.token())
    check(st == 200 and json.loads(body2)["AccessKeyId"] == cj["AccessKeyId"],
          "a second fetch did not return the same (cached) credentials")
    print("ok  a second fetch returns the same credentials (renewed only near Expiration)")

    # ---- boto3 and the aws CLI, nothing but the IMDS endpoint -----------------------------------------
    env = clean_env(AWS_EC2_METADATA_SERVICE_ENDPOINT=f"http://127.0.0.1:{imds_port}/",
                    AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE="IPv4", AWS_METADATA_SERVICE_TIMEOUT="5",
                    AWS_METADATA_SERVICE_NUM_ATTEMPTS="2")
    del env["AWS_EC2_METADATA_DISABLED"]
    p = run([sys.executable, "-c", CHILD, zk.endpoint], env)
    check(p.returncode == 0, f"boto3 default chain via IMDS exited {p.returncode}: {p.stderr[-2000:]}")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    check(out["method"] == "iam-role", f"boto3 credential method {out['method']}, expected iam-role")
    check(out["arn"].startswith(f"arn:aws:sts::{acct}:assumed-role/{ROLE}/"), f"boto3 caller {out['arn']}")
    check(out["key"].startswith("ASIA") and out["token"], f"boto3 credentials: {out}")
    check("imds.test." in out["zones"], f"seed policy via IMDS: ListHostedZonesByName {out['zones']}")
    print(f"ok  boto3 default chain: method iam-role, {out['arn']}, ListHostedZonesByName works")

    p = run([args.aws, "--endpoint-url", zk.endpoint, "--output", "json", "sts", "get-caller-identity"], env)
    check(p.returncode == 0, f"aws sts get-caller-identity via IMDS exited {p.returncode}: {p.stderr[-2000:]}")
    arn = json.loads(p.stdout)["Arn"]
    check(arn.startswith(f"arn:aws:sts::{acct}:assumed-role/{ROLE}/"), f"aws CLI caller {arn}")
    p = run([args.aws, "configure", "list"], env)
    check(p.returncode == 0 and "iam-role" in p.stdout, f"aws configure list does not say iam-role:\n{p.stdout}")
    print(f"ok  aws CLI ({args.aws}): get-caller-identity {arn}; configure list: iam-role")

    # ---- the shared flow ------------------------------------------------------------------------------
    state = os.environ.get("ZK_CONF_STATE", os.path.join(os.environ.get("TMPDIR", "/tmp"), "zk-conformance"))
    out_dir = os.path.join(zk.dir, "flow-out")
    fenv = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    fenv.update(root.env(), PYTHON=sys.executable, IMDS_ENDPOINT=f"http://127.0.0.1:{imds_port}",
                CONF_STATE=state, OUT=out_dir)
    # the flow runs `$PYTHON -m awscli`: this interpreter's directory first in PATH for its helpers too
    fenv["PATH"] = os.path.dirname(sys.executable) + os.pathsep + fenv.get("PATH", "")
    t0 = time.monotonic()
    p = subprocess.run(["/bin/bash", args.flow, zk.endpoint, f"127.0.0.1:{zk.dns_port}"], env=fenv,
                       capture_output=True, text=True, timeout=240)
    last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    if p.returncode != 0 or not last.startswith("PASS imds-credentials"):
        logs = ""
        for f in sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []:
            logs += f"\n----- {f}\n" + zkharness.log_tail(os.path.join(out_dir, f), 30)
        fail(f"shared flow {args.flow} exited {p.returncode}, last line {last!r}\n{p.stderr[-3000:]}{logs}")
    print(f"ok  shared flow imds-credentials.sh ({time.monotonic() - t0:.0f} s): {last}")


if __name__ == "__main__":
    main()
