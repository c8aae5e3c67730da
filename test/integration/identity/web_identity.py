# boto3 + a test OIDC issuer over HTTPS: IRSA-style AssumeRoleWithWebIdentity, positive and every refusal.
"""usage: web_identity.py --zonekeeper BIN

The test makes a CA with the openssl CLI, runs an HTTPS OIDC issuer on 127.0.0.1 (discovery document +
JWKS of an RSA key, see oidc.py) and signs RS256 JWTs itself. zonekeeper runs with
`--tls-trust-file CA.pem`. The administrator registers the issuer as an OIDC provider and creates role
`cert-manager` with EKS's IRSA trust (Federated provider ARN, sts:AssumeRoleWithWebIdentity,
StringEquals "<host:port/path>:sub" = system:serviceaccount:cert-manager:cert-manager and ":aud" =
sts.amazonaws.com) and the seed Route 53 policy.
Positive: boto3's default chain with AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN + AWS_ROLE_SESSION_NAME
(STS endpoint from AWS_ENDPOINT_URL_STS) in a child process: method assume-role-with-web-identity, the
assumed-role ARN, and a DNS-01 TXT UPSERT/DELETE. Then direct unsigned calls for each refusal: wrong
signature, tampered claims, wrong aud, unknown iss, expired, nbf ahead, alg none, HS256 keyed with the
public key, unknown kid, a sub outside the trust condition, a role trusting another provider, an issuer
whose certificate is not trusted, an unreachable issuer, and key rotation (a new kid is fetched).
"""
import argparse
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types

from idharness import (SEED_POLICY, Creds, Zonekeeper, admin, check, clean_env, expect_error, fail, free_port,
                       trust, zkharness)
import oidc

import boto3
from botocore import UNSIGNED
from botocore.config import Config

SA = "system:serviceaccount:cert-manager:cert-manager"
AUD = "sts.amazonaws.com"

# Runs in a child with only the IRSA variables: boto3's own default credential chain does the rest.
CHILD = r"""
import json, os, sys, time
import boto3, botocore, botocore.session
ep = os.environ["AWS_ENDPOINT_URL_STS"]
how = "AWS_ENDPOINT_URL_STS"
if tuple(int(v) for v in botocore.__version__.split(".")[:2]) < (1, 31):
    # botocore < 1.31 has no endpoint settings: give the web-identity provider's STS client the endpoint
    orig = botocore.session.Session.create_client
    def create_client(self, service_name, *a, **kw):
        if service_name == "sts" and not a[3:4] and not kw.get("endpoint_url"):
            kw["endpoint_url"] = ep
        return orig(self, service_name, *a, **kw)
    botocore.session.Session.create_client = create_client
    how = "create_client patched (botocore %s < 1.31)" % botocore.__version__
s = boto3.session.Session(region_name="us-east-1")
c = s.get_credentials()
if c is None:
    sys.exit("no credentials resolved")
frozen = c.get_frozen_credentials()
out = {"method": c.method, "how": how, "key": frozen.access_key, "has_token": bool(frozen.token)}
out["arn"] = s.client("sts", endpoint_url=ep).get_caller_identity()["Arn"]
r53 = s.client("route53", endpoint_url=ep)
zone = r53.list_hosted_zones_by_name(DNSName=sys.argv[1])["HostedZones"][0]["Id"]
name = "_acme-challenge." + sys.argv[1]
def change(action):
    ch = r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": action,
        "ResourceRecordSet": {"Name": name, "Type": "TXT", "TTL": 60, "ResourceRecords": [{"Value": '"irsa"'}]}}]})
    for _ in range(300):
        if r53.get_change(Id=ch["ChangeInfo"]["Id"])["ChangeInfo"]["Status"] == "INSYNC":
            return
        time.sleep(0.1)
    sys.exit("GetChange never INSYNC")
change("UPSERT")
out["listed"] = [r["Name"] for r in r53.list_resource_record_sets(HostedZoneId=zone, StartRecordName=name,
                 StartRecordType="TXT", MaxItems="1")["ResourceRecordSets"]]
change("DELETE")
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonekeeper", required=True)
    args = ap.parse_args()
    check(shutil.which("openssl") is not None, "the openssl CLI is missing")
    tmp = tempfile.mkdtemp(prefix="zk-oidc-it-")
    issuers = []
    zk = None
    try:
        ca = oidc.make_ca(tmp, "trusted-ca")
        rogue = oidc.make_ca(tmp, "untrusted-ca")
        good = oidc.Issuer(ca, free_port(udp=False), "id/CLUSTER1")
        untrusted = oidc.Issuer(rogue, free_port(udp=False), "id/ROGUE")
        rotating = oidc.Issuer(ca, free_port(udp=False), "id/ROTATE")
        issuers += [good, untrusted, rotating]
        check(all(zkharness.tcp_open(i.port) for i in issuers), "test issuers not listening")
        zk = Zonekeeper(args.zonekeeper, ["--tls-trust-file", ca.pem])
        print(f"--- signer: {'cryptography' if oidc.HAVE_CRYPTOGRAPHY else 'openssl CLI'}; issuer {good.url}",
              flush=True)
        run(zk, tmp, good, untrusted, rotating)
    finally:
        if zk:
            zk.cleanup()
        for i in issuers:
            i.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS: integration_identity_web_identity")


def run(zk: Zonekeeper, tmp: str, good: "oidc.Issuer", untrusted: "oidc.Issuer", rotating: "oidc.Issuer") -> None:
    root = admin(zk)
    acct = root("sts").get_caller_identity()["Account"]
    iam = root("iam")
    k1 = oidc.RsaKey(tmp, "key-1")
    other = oidc.RsaKey(tmp, "key-1")  # same kid, different key: a forged signature
    good.keys = [k1.jwk()]
    untrusted.keys = [k1.jwk()]

    def provider(url: str) -> str:
        arn = iam.create_open_id_connect_provider(Url=url, ClientIDList=[AUD],
                                                  ThumbprintList=["0" * 40])["OpenIDConnectProviderArn"]
        check(arn == f"arn:aws:iam::{acct}:oidc-provider/{url[len('https://'):]}", f"provider ARN {arn}")
        return arn
    good_arn = provider(good.url)
    rogue_arn = provider(untrusted.url)
    dead_port = free_port(udp=False)
    dead_url = f"https://127.0.0.1:{dead_port}/id/GONE"
    dead_arn = provider(dead_url)
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=good_arn)
    check(got["Url"] == good.host_path and got["ClientIDList"] == [AUD], f"GetOpenIDConnectProvider: {got}")

    def irsa_trust(prov_arn: str, host_path: str) -> str:
        return trust({"Federated": prov_arn}, "sts:AssumeRoleWithWebIdentity",
                     {"StringEquals": {f"{host_path}:sub": SA, f"{host_path}:aud": AUD}})
    role_arn = iam.create_role(RoleName="cert-manager", AssumeRolePolicyDocument=irsa_trust(good_arn, good.host_path),
                               MaxSessionDuration=3600)["Role"]["Arn"]
    iam.put_role_policy(RoleName="cert-manager", PolicyName="seed", PolicyDocument=json.dumps(SEED_POLICY))
    rogue_role = iam.create_role(RoleName="rogue-issuer", AssumeRolePolicyDocument=irsa_trust(
        rogue_arn, untrusted.host_path))["Role"]["Arn"]
    dead_role = iam.create_role(RoleName="dead-issuer", AssumeRolePolicyDocument=irsa_trust(
        dead_arn, dead_url[len("https://"):]))["Role"]["Arn"]
    root("route53").create_hosted_zone(Name="irsa.test", CallerReference="irsa")
    sts = boto3.client("sts", endpoint_url=zk.endpoint, region_name="us-east-1",
                       config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))

    def assume(tok, role=role_arn, **kw):
        return sts.assume_role_with_web_identity(RoleArn=role, RoleSessionName="probe", WebIdentityToken=tok, **kw)

    now = int(time.time())

    def claims(**over):
        c = {"iss": good.url, "sub": SA, "aud": AUD, "iat": now - 10, "exp": now + 3600,
             "kubernetes.io": {"namespace": "cert-manager"}}
        c.update(over)
        return {k: v for k, v in c.items() if v is not None}

    def token(key=k1, header=None, **over):
        return oidc.jwt(header or {"alg": "RS256", "typ": "JWT", "kid": key.kid}, claims(**over), key)

    # the rotation issuer: first use now (one discovery + JWKS fetch), rotated at the end of the test
    rot = types.SimpleNamespace(issuer=rotating, k1=oidc.RsaKey(tmp, "rot-1"), k2=oidc.RsaKey(tmp, "rot-2"))
    rotating.keys = [rot.k1.jwk()]
    rot_arn = provider(rotating.url)
    rot.role = iam.create_role(RoleName="rotation", AssumeRolePolicyDocument=irsa_trust(
        rot_arn, rotating.host_path))["Role"]["Arn"]
    rot.first_fetch = time.monotonic()
    assume(oidc.jwt({"alg": "RS256", "typ": "JWT", "kid": rot.k1.kid}, claims(iss=rotating.url), rot.k1), role=rot.role)

    # ---- positive: boto3's default chain with the IRSA variables ------------------------------------
    token_file = os.path.join(tmp, "token")
    with open(token_file, "w") as f:
        f.write(token())
    env = clean_env(AWS_WEB_IDENTITY_TOKEN_FILE=token_file, AWS_ROLE_ARN=role_arn,
                    AWS_ROLE_SESSION_NAME="cert-manager-pod", AWS_ENDPOINT_URL_STS=zk.endpoint)
    p = subprocess.run([sys.executable, "-c", CHILD, "irsa.test"], env=env, capture_output=True, text=True, timeout=90)
    if p.returncode != 0:
        fail(f"boto3 default chain with AWS_WEB_IDENTITY_TOKEN_FILE exited {p.returncode}:\n{p.stderr[-3000:]}\n"
             f"server log: {zk.log()}")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    want_arn = f"arn:aws:sts::{acct}:assumed-role/cert-manager/cert-manager-pod"
    check(out["method"] == "assume-role-with-web-identity", f"credential method {out['method']}")
    check(out["arn"] == want_arn, f"GetCallerIdentity {out['arn']}, expected {want_arn}")
    check(out["key"].startswith("ASIA") and out["has_token"], f"temporary credentials expected: {out}")
    check(out["listed"] == ["_acme-challenge.irsa.test."], f"the UPSERTed TXT was not listed: {out}")
    check(any(h.endswith("/.well-known/openid-configuration") for h in good.hits)
          and any(h.endswith("/keys") for h in good.hits), f"zonekeeper did not use OIDC discovery: {good.hits}")
    print(f"ok  boto3 default chain ({out['how']}): method {out['method']}, {out['arn']}, TXT UPSERT/DELETE")

    # ---- direct, unsigned calls -----------------------------------------------------------------------
    r = assume(token())
    check(r["SubjectFromWebIdentityToken"] == SA, f"SubjectFromWebIdentityToken {r.get('SubjectFromWebIdentityToken')}")
    check(r["Audience"] == AUD, f"Audience {r.get('Audience')}")
    check(r["Provider"] in (good_arn, good.host_path, good.url), f"Provider {r.get('Provider')}")
    check(r["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{acct}:assumed-role/cert-manager/probe", "AssumedRoleUser")
    creds = Creds.from_sts(zk.endpoint, r["Credentials"])
    check(creds("sts").get_caller_identity()["Arn"] == f"arn:aws:sts::{acct}:assumed-role/cert-manager/probe",
          "web identity session's caller")
    expect_error("the web identity session outside the seed policy (CreateHostedZone)",
                 lambda: creds("route53").create_hosted_zone(Name="no.test", CallerReference="no"), "AccessDenied", 403)
    r = assume(token(aud=["other-client", AUD]))
    check(r["Audience"] == AUD, f"aud list: Audience {r.get('Audience')}")
    print(f"ok  direct AssumeRoleWithWebIdentity: Subject {SA}, Audience {AUD}, Provider {r['Provider']}")

    signing_input = token().rsplit(".", 1)[0]
    tampered = oidc.jwt({"alg": "RS256", "typ": "JWT", "kid": "key-1"},
                        claims(sub="system:serviceaccount:kube-system:admin"), None,
                        raw_signature=k1.sign(signing_input.encode()))
    hs_header = {"alg": "HS256", "typ": "JWT", "kid": "key-1"}
    hs_input = (oidc.b64url(json.dumps(hs_header, separators=(",", ":")).encode()) + "." +
                oidc.b64url(json.dumps(claims(), separators=(",", ":")).encode()))
    hs_token = hs_input + "." + oidc.b64url(hmac.new(k1.public_pem(), hs_input.encode(), hashlib.sha256).digest())
    cases = [
        ("wrong signature (another key, same kid)", token(key=other), "InvalidIdentityToken"),
        ("claims changed after signing", tampered, "InvalidIdentityToken"),
        ("wrong aud", token(aud="some-other-client"), "InvalidIdentityToken"),
        ("unknown iss (no such OIDC provider)", token(iss=good.url + "-unregistered"), "InvalidIdentityToken"),
        ("iss not https", token(iss=f"http://127.0.0.1:{good.port}/id/CLUSTER1"), "InvalidIdentityToken"),
        ("expired", token(exp=now - 600, iat=now - 4000), "ExpiredTokenException"),
        ("nbf an hour ahead", token(nbf=now + 3600), "InvalidIdentityToken"),
        ("alg none", oidc.jwt({"alg": "none", "typ": "JWT"}, claims(), None), "InvalidIdentityToken"),
        ("alg none with kid", oidc.jwt({"alg": "none", "kid": "key-1"}, claims(), None), "InvalidIdentityToken"),
        ("HS256 keyed with the RSA public key", hs_token, "InvalidIdentityToken"),
        ("unknown kid", token(header={"alg": "RS256", "typ": "JWT", "kid": "key-unknown"}), "InvalidIdentityToken"),
        ("not a JWT", "not-a-jwt", "InvalidIdentityToken"),
        ("no sub", token(sub=None), "InvalidIdentityToken"),
        ("sub outside the trust condition", token(sub="system:serviceaccount:default:default"), "AccessDenied"),
    ]
    for what, tok, code in cases:
        expect_error(f"web identity: {what}", lambda t=tok: assume(t), code)
    with open(token_file, "w") as f:
        f.write(token())
    expect_error("web identity: role trusting another provider",
                 lambda: assume(token(), role=rogue_role), "AccessDenied", 403)
    expect_error("web identity: DurationSeconds above the role's MaxSessionDuration",
                 lambda: assume(token(), DurationSeconds=7200), "ValidationError", 400)

    # issuers zonekeeper cannot talk to: the certificate's CA is not in --tls-trust-file, or nothing listens
    for what, iss, role in (("issuer certificate from an untrusted CA", untrusted.url, rogue_role),
                            ("unreachable issuer", dead_url, dead_role)):
        hits = len(untrusted.hits)
        expect_error(f"web identity: {what}", lambda i=iss, r=role: assume(token(iss=i), role=r),
                     "IDPCommunicationError", 400)
        check(len(untrusted.hits) == hits, f"the untrusted issuer served a request over TLS: {untrusted.hits}")
    check(any("unknown ca" in e.lower() for e in untrusted.errors),
          f"zonekeeper did not reach the untrusted issuer and refuse its certificate: {untrusted.errors}")

    # key rotation: a token signed by a new key (new kid) is accepted once the issuer publishes it.
    # zonekeeper refetches a JWKS for an unknown kid at most once a minute per issuer, so the rotation
    # issuer's first fetch happened at the start (see rotation_start) and this waits out the rest.
    rot.issuer.keys = [rot.k1.jwk(), rot.k2.jwk()]
    rotated = oidc.jwt({"alg": "RS256", "typ": "JWT", "kid": rot.k2.kid}, claims(iss=rot.issuer.url), rot.k2)
    waited = time.monotonic()
    deadline = rot.first_fetch + 90
    while True:
        try:
            r = assume(rotated, role=rot.role)
            break
        except sts.exceptions.ClientError as e:
            if time.monotonic() > deadline:
                fail(f"a token with the newly published kid {rot.k2.kid} is still refused 90 s after the "
                     f"issuer's first fetch: {e}")
            time.sleep(1)
    check(r["SubjectFromWebIdentityToken"] == SA, "rotated key: subject")
    check(sum(h.endswith("/keys") for h in rot.issuer.hits) == 2,
          f"the JWKS was fetched {sum(h.endswith('/keys') for h in rot.issuer.hits)} times, expected 2: "
          f"{rot.issuer.hits}")
    print(f"ok  key rotation: token with new kid {rot.k2.kid} accepted after {time.monotonic() - waited:.0f} s "
          f"more ({time.monotonic() - rot.first_fetch:.0f} s after the first fetch; refetch is rate-limited)")


if __name__ == "__main__":
    main()
