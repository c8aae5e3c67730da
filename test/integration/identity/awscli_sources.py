# aws CLI credential sources against zonekeeper: env keys, session token, credentials file, role_arn profiles.
"""usage: awscli_sources.py --zonekeeper BIN --aws AWS_CLI [--aws-v2 /usr/bin/aws]

Drives each CLI (the configured `aws`, `python3 -m awscli` of this interpreter, and Debian's aws CLI v2
when --aws-v2 names it) as a subprocess with an environment holding nothing but what each case sets:
  env       AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN from GetSessionToken)
  file      AWS_SHARED_CREDENTIALS_FILE, profile chosen by AWS_PROFILE and by --profile
  role      AWS_CONFIG_FILE with [profile dns] role_arn + source_profile: the CLI calls sts:AssumeRole
            itself. Its STS endpoint is set three ways, each tried: AWS_ENDPOINT_URL_STS,
            endpoint_url in the role profile, and a `services` section (sts = endpoint_url = ...).
Each case checks `sts get-caller-identity` (the user's ARN, or arn:aws:sts::ACCT:assumed-role/ROLE/
SESSION) and `route53 list-hosted-zones`; the role case also UPSERTs a record seen by dig. The first CLI
runs every case and refusal (a temporary key without its token, a bogus key, a read-only source user's
UPSERT, a source user without sts:AssumeRole); the others run the positive cases.

Debian's aws CLI v2.9 ignores AWS_ENDPOINT_URL* and endpoint_url (they arrived in 2.13), so its
assume-role provider can only call the real STS: it runs the env and file cases, not the role case.
"""
import argparse
import json
import os
import re
import sys

from idharness import (Zonekeeper, admin, allow, check, clean_env, doc, fail, make_user, run, trust,
                       wait_insync, dig_until)


class Cli:
    def __init__(self, name: str, argv: list[str], endpoint_config: bool):
        self.name, self.argv, self.endpoint_config = name, argv, endpoint_config

    def call(self, env: dict, *args: str, endpoint: str | None = None, expect_ok: bool = True):
        cmd = list(self.argv) + (["--endpoint-url", endpoint] if endpoint else []) + \
            ["--output", "json", "--cli-connect-timeout", "5", "--cli-read-timeout", "20", *args]
        p = run(cmd, env, timeout=90)
        if not expect_ok:
            return p
        if p.returncode != 0:
            fail(f"[{self.name}] aws {' '.join(args)} exited {p.returncode}:\n{p.stderr.strip()[-2000:]}")
        return json.loads(p.stdout) if p.stdout.strip() else {}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonekeeper", required=True)
    ap.add_argument("--aws", required=True, help="the aws CLI under test (ZK_AWS_CLI)")
    ap.add_argument("--aws-v2", help="also run the env/file cases with this aws CLI v2 (e.g. /usr/bin/aws)")
    args = ap.parse_args()
    check(os.access(args.aws, os.X_OK), f"aws CLI {args.aws} is not executable")
    clis = [Cli(f"aws ({args.aws})", [args.aws], True),
            Cli(f"{os.path.basename(sys.executable)} -m awscli", [sys.executable, "-m", "awscli"], True)]
    if args.aws_v2 and os.path.realpath(args.aws_v2) != os.path.realpath(args.aws):
        check(os.access(args.aws_v2, os.X_OK), f"aws CLI v2 {args.aws_v2} is not executable")
        clis.append(Cli(f"aws v2 ({args.aws_v2})", [args.aws_v2], False))
    zk = Zonekeeper(args.zonekeeper)
    try:
        for cli in clis:
            p = run(cli.argv + ["--version"], clean_env())
            check(p.returncode == 0, f"{cli.name} --version exited {p.returncode}: {p.stderr}")
            version = (p.stdout + p.stderr).strip()
            # endpoint settings for STS: CLI v1 with botocore >= 1.31, CLI v2 >= 2.13
            m = re.search(r"aws-cli/(\d+)\.(\d+)", version)
            b = re.search(r"botocore/(\d+)\.(\d+)", version)
            if m and int(m.group(1)) == 2 and int(m.group(2)) < 13:
                cli.endpoint_config = False
            if m and int(m.group(1)) == 1 and b and (int(b.group(1)), int(b.group(2))) < (1, 31):
                cli.endpoint_config = False
            print(f"--- {cli.name}: {version}", flush=True)
        ran_role = scenario(zk, clis)
        check(ran_role > 0, "no CLI here can point its assume-role provider at zonekeeper (needs aws CLI v1 with "
              "botocore >= 1.31 or v2 >= 2.13): the role_arn profile case did not run")
    finally:
        zk.cleanup()
    print("PASS: integration_identity_awscli_sources")


def scenario(zk: Zonekeeper, clis: list[Cli]) -> int:
    """Runs every case with every CLI; returns how many CLIs ran the role_arn case."""
    root = admin(zk)
    acct = root("sts").get_caller_identity()["Account"]
    iam = root("iam")
    r53 = root("route53")
    zid = r53.create_hosted_zone(Name="cli.test", CallerReference="cli")["HostedZone"]["Id"]
    role_arn = f"arn:aws:iam::{acct}:role/cli-dns"
    iam.create_role(RoleName="cli-dns", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{acct}:root"}),
                    MaxSessionDuration=7200)
    iam.attach_role_policy(RoleName="cli-dns", PolicyArn="arn:aws:iam::aws:policy/AmazonRoute53FullAccess")
    user = make_user(root, "cliuser", inline=doc(allow("sts:AssumeRole", role_arn)),
                     managed=("arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess",))
    user_arn = f"arn:aws:iam::{acct}:user/cliuser"
    # same account, trust names the account: the caller also needs sts:AssumeRole in its own policies
    noassume = make_user(root, "noassume", managed=("arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess",))
    session = user("sts").get_session_token(DurationSeconds=900)["Credentials"]

    tmp = zk.dir
    cred_file = os.path.join(tmp, "aws-credentials")
    with open(cred_file, "w") as f:
        f.write(f"[default]\naws_access_key_id = AKIAINVALIDINVALID00\naws_secret_access_key = nope\n\n"
                f"[cliuser]\naws_access_key_id = {user.key}\naws_secret_access_key = {user.secret}\n\n"
                f"[noassume]\naws_access_key_id = {noassume.key}\naws_secret_access_key = {noassume.secret}\n")
    os.chmod(cred_file, 0o600)
    ep = zk.endpoint

    def zones_listed(cli, env, endpoint=ep):
        out = cli.call(env, "route53", "list-hosted-zones", endpoint=endpoint)
        check(any(z["Id"] == zid for z in out.get("HostedZones", [])), f"[{cli.name}] list-hosted-zones: {out}")

    def arn_of(cli, env, endpoint=ep):
        return cli.call(env, "sts", "get-caller-identity", endpoint=endpoint)["Arn"]

    ran_role = 0
    for n, cli in enumerate(clis):
        # the first CLI runs every case; the others the positive ones (the refusals are the server's, not
        # the client's), which keeps the test well under two minutes on a loaded machine
        full = n == 0
        # -- env keys
        env = clean_env(AWS_ACCESS_KEY_ID=user.key, AWS_SECRET_ACCESS_KEY=user.secret)
        check(arn_of(cli, env) == user_arn, f"[{cli.name}] env keys: caller is not {user_arn}")
        zones_listed(cli, env)
        print(f"ok  [{cli.name}] env keys: get-caller-identity {user_arn}, list-hosted-zones", flush=True)
        # -- env keys + session token (GetSessionToken keeps the user's identity)
        env = clean_env(AWS_ACCESS_KEY_ID=session["AccessKeyId"], AWS_SECRET_ACCESS_KEY=session["SecretAccessKey"],
                        AWS_SESSION_TOKEN=session["SessionToken"])
        check(arn_of(cli, env) == user_arn, f"[{cli.name}] session token: caller is not {user_arn}")
        if full:
            zones_listed(cli, env)
            p = cli.call(clean_env(AWS_ACCESS_KEY_ID=session["AccessKeyId"],
                                   AWS_SECRET_ACCESS_KEY=session["SecretAccessKey"]),
                         "sts", "get-caller-identity", endpoint=ep, expect_ok=False)
            check(p.returncode != 0 and "InvalidClientTokenId" in p.stderr,
                  f"[{cli.name}] a temporary key without its session token was not refused: {p.returncode} {p.stderr}")
        print(f"ok  [{cli.name}] AWS_SESSION_TOKEN: get-caller-identity {user_arn}"
              + ("; list-hosted-zones; without the token: InvalidClientTokenId" if full else ""), flush=True)
        # -- credentials file
        env = clean_env(AWS_SHARED_CREDENTIALS_FILE=cred_file, AWS_PROFILE="cliuser")
        check(arn_of(cli, env) == user_arn, f"[{cli.name}] credentials file via AWS_PROFILE")
        env = clean_env(AWS_SHARED_CREDENTIALS_FILE=cred_file)
        check(cli.call(env, "--profile", "cliuser", "sts", "get-caller-identity", endpoint=ep)["Arn"] == user_arn,
              f"[{cli.name}] credentials file via --profile")
        if full:
            zones_listed(cli, clean_env(AWS_SHARED_CREDENTIALS_FILE=cred_file, AWS_PROFILE="cliuser"))
            p = cli.call(env, "sts", "get-caller-identity", endpoint=ep, expect_ok=False)
            check(p.returncode != 0 and "InvalidClientTokenId" in p.stderr,
                  f"[{cli.name}] the file's bogus [default] key was not refused: {p.returncode} {p.stderr}")
        print(f"ok  [{cli.name}] AWS_SHARED_CREDENTIALS_FILE: AWS_PROFILE and --profile"
              + ("; list-hosted-zones; bogus [default] refused" if full else ""), flush=True)

        # -- role_arn + source_profile: the CLI's own AssumeRole
        if not cli.endpoint_config:
            print(f"--  [{cli.name}] role_arn profile not run: this CLI has no STS endpoint setting "
                  "(AWS_ENDPOINT_URL_STS / endpoint_url need aws CLI v2 >= 2.13)", flush=True)
            continue
        full = ran_role == 0  # the first CLI able to run the role case runs all of it
        session_name = f"cli-session-{n}"
        base = (f"[profile dns]\nrole_arn = {role_arn}\nsource_profile = cliuser\n"
                f"role_session_name = {session_name}\nregion = us-east-1\n")
        variants = [
            ("AWS_ENDPOINT_URL_STS", base, {"AWS_ENDPOINT_URL_STS": ep}, ep),
            ("endpoint_url in the role profile", base + f"endpoint_url = {ep}\n", {}, None),
            ("services section", base + "services = zk\n\n[services zk]\nsts =\n  endpoint_url = " + ep + "\n",
             {}, ep),
        ]
        want_arn = f"arn:aws:sts::{acct}:assumed-role/cli-dns/{session_name}"
        for i, (how, cfg, extra, r53_endpoint) in enumerate(variants if full else variants[:1]):
            cfg_file = os.path.join(tmp, f"aws-config-{n}-{i}")
            with open(cfg_file, "w") as f:
                f.write(cfg)
            env = clean_env(AWS_CONFIG_FILE=cfg_file, AWS_SHARED_CREDENTIALS_FILE=cred_file, AWS_PROFILE="dns",
                            **extra)
            # get-caller-identity without --endpoint-url: its STS endpoint comes from the same setting
            got = arn_of(cli, env, endpoint=None)
            check(got == want_arn, f"[{cli.name}] role profile ({how}): caller {got}, expected {want_arn}")
            zones_listed(cli, env, endpoint=r53_endpoint)
            print(f"ok  [{cli.name}] role_arn profile, STS endpoint by {how}: {got}, list-hosted-zones", flush=True)
        # the role (AmazonRoute53FullAccess) may change records; the source user (read only) may not
        name = f"role{n}.cli.test"
        batch = json.dumps({"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": name, "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": f"192.0.2.{10 + n}"}]}}]})
        out = cli.call(env, "route53", "change-resource-record-sets", "--hosted-zone-id", zid,
                       "--change-batch", batch, endpoint=ep)
        wait_insync(r53, out["ChangeInfo"]["Id"])
        dig_until(zk, name, "A", [f"192.0.2.{10 + n}"])
        print(f"ok  [{cli.name}] the role session UPSERTs {name} (dig answers)", flush=True)
        ran_role += 1
        if not full:
            continue
        p = cli.call(clean_env(AWS_SHARED_CREDENTIALS_FILE=cred_file, AWS_PROFILE="cliuser"), "route53",
                     "change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch", batch,
                     endpoint=ep, expect_ok=False)
        check(p.returncode != 0 and "AccessDenied" in p.stderr, f"[{cli.name}] read-only user changed a record: "
              f"{p.returncode} {p.stderr}")
        print(f"ok  [{cli.name}] the read-only source user's UPSERT is AccessDenied", flush=True)
        # a source profile without sts:AssumeRole: the CLI reports the AccessDenied of AssumeRole
        cfg_file = os.path.join(tmp, f"aws-config-{n}-noassume")
        with open(cfg_file, "w") as f:
            f.write(f"[profile dns]\nrole_arn = {role_arn}\nsource_profile = noassume\nregion = us-east-1\n")
        env = clean_env(AWS_CONFIG_FILE=cfg_file, AWS_SHARED_CREDENTIALS_FILE=cred_file, AWS_PROFILE="dns",
                        AWS_ENDPOINT_URL_STS=ep)
        p = cli.call(env, "sts", "get-caller-identity", expect_ok=False)
        want = (f"User: arn:aws:iam::{acct}:user/noassume is not authorized to perform: sts:AssumeRole on "
                f"resource: {role_arn}")
        check(p.returncode != 0 and "AccessDenied" in p.stderr and want in p.stderr,
              f"[{cli.name}] source profile without sts:AssumeRole: {p.returncode} {p.stderr}")
        print(f"ok  [{cli.name}] source profile without sts:AssumeRole: AccessDenied from AssumeRole", flush=True)
    return ran_role


if __name__ == "__main__":
    main()
