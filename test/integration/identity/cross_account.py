# boto3 across three accounts: trust policies, role chaining X -> Y, a record in Y's zone seen by dig.
"""usage: cross_account.py --zonekeeper BIN

Accounts: X (the bootstrap account of DATA/credentials), Y and Z (`zonekeeper account create` while
the server runs). Y owns zone y.test and role `dns` (trust: Principal AWS = X's role `hop`; inline
policy: record changes in y.test only). X has role `hop` (trust: X's account; sts:AssumeRole on Y's
role, AmazonRoute53FullAccess in X) and user `deployer` (sts:AssumeRole on hop).
Proves: deployer -> hop -> (chained) Y:dns changes y.test (dig answers); hop's own session cannot
touch Y's zone; Z's user with sts:AssumeRole on * is AccessDenied; X's user is AccessDenied on Y's
role (the trust names hop only); across accounts the caller's own policy must allow sts:AssumeRole
too; sts:ExternalId in a trust condition; chained DurationSeconds 7200 -> ValidationError (1 h cap).
"""
import argparse
from datetime import datetime, timedelta, timezone

from idharness import (Creds, Zonekeeper, account_create, admin, allow, check, dig_until, doc, error_of,
                       expect_error, make_user, records, trust, txt_change, wait_insync)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonekeeper", required=True)
    args = ap.parse_args()
    zk = Zonekeeper(args.zonekeeper)
    try:
        run(zk)
    finally:
        zk.cleanup()
    print("PASS: integration_identity_cross_account")


def assumed(creds: Creds, role_arn: str, session: str, **kw) -> tuple[dict, Creds]:
    out = creds("sts").assume_role(RoleArn=role_arn, RoleSessionName=session, **kw)
    return out, Creds.from_sts(creds.endpoint, out["Credentials"])


def run(zk: Zonekeeper) -> None:
    x = admin(zk)
    X = x("sts").get_caller_identity()["Account"]
    y_info, y = account_create(zk)
    z_info, z = account_create(zk)
    Y, Z = y_info["AccountId"], z_info["AccountId"]
    check(len({X, Y, Z}) == 3 and all(len(a) == 12 and a.isdigit() for a in (X, Y, Z)), f"account ids {X} {Y} {Z}")
    check(y("sts").get_caller_identity()["Arn"] == y_info["UserArn"], "Y's admin key from account create")
    print(f"ok  accounts X={X} Y={Y} Z={Z}")

    # ---- Y: the zone and the role X's role may assume -------------------------------------------------
    r53y = y("route53")
    zy = r53y.create_hosted_zone(Name="y.test", CallerReference="y")["HostedZone"]["Id"]
    zy2 = r53y.create_hosted_zone(Name="other-y.test", CallerReference="y2")["HostedZone"]["Id"]
    zy_arn = "arn:aws:route53:::hostedzone/" + zy.split("/")[-1]
    hop_arn = f"arn:aws:iam::{X}:role/hop"
    dns_arn = f"arn:aws:iam::{Y}:role/dns"
    y("iam").create_role(RoleName="dns", AssumeRolePolicyDocument=trust({"AWS": hop_arn}))
    y("iam").put_role_policy(RoleName="dns", PolicyName="y-zone", PolicyDocument=doc(
        allow(["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:GetHostedZone"], zy_arn),
        allow("route53:GetChange", "arn:aws:route53:::change/*"),
        allow(["route53:ListHostedZones", "route53:ListHostedZonesByName"])))
    # a role trusting X's whole account, and one that also wants an external id
    acct_arn = f"arn:aws:iam::{Y}:role/x-account"
    y("iam").create_role(RoleName="x-account", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{X}:root"}))
    ext_arn = f"arn:aws:iam::{Y}:role/x-external"
    y("iam").create_role(RoleName="x-external", AssumeRolePolicyDocument=trust(
        {"AWS": f"arn:aws:iam::{X}:root"}, condition={"StringEquals": {"sts:ExternalId": "zk-ext-42"}}))

    # ---- X: hop and deployer ---------------------------------------------------------------------
    x("iam").create_role(RoleName="hop", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{X}:root"}))
    x("iam").put_role_policy(RoleName="hop", PolicyName="to-y", PolicyDocument=doc(allow("sts:AssumeRole", dns_arn)))
    x("iam").attach_role_policy(RoleName="hop", PolicyArn="arn:aws:iam::aws:policy/AmazonRoute53FullAccess")
    deployer = make_user(x, "deployer", inline=doc(allow("sts:AssumeRole", [hop_arn, acct_arn, ext_arn, dns_arn])))
    bystander = make_user(x, "bystander", managed=("arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess",))

    # ---- the chain: deployer -> hop -> Y:dns ---------------------------------------------------------
    out, hop = assumed(deployer, hop_arn, "deploy-1")
    check(out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{X}:assumed-role/hop/deploy-1", f"hop: {out['AssumedRoleUser']}")
    check(out["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")
          and out["AssumedRoleUser"]["AssumedRoleId"].endswith(":deploy-1"), f"AssumedRoleId {out['AssumedRoleUser']}")
    check(out["Credentials"]["AccessKeyId"].startswith("ASIA"), "temporary key id does not start with ASIA")
    ident = hop("sts").get_caller_identity()
    check(ident["Arn"] == f"arn:aws:sts::{X}:assumed-role/hop/deploy-1" and ident["Account"] == X,
          f"hop GetCallerIdentity: {ident}")
    print(f"ok  deployer -> {ident['Arn']}")

    expect_error("chained AssumeRole with DurationSeconds 7200",
                 lambda: hop("sts").assume_role(RoleArn=dns_arn, RoleSessionName="chain", DurationSeconds=7200),
                 "ValidationError", 400,
                 "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
    out, dns = assumed(hop, dns_arn, "chain")
    check(out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{Y}:assumed-role/dns/chain", f"dns: {out['AssumedRoleUser']}")
    left = out["Credentials"]["Expiration"] - datetime.now(timezone.utc)
    check(left <= timedelta(hours=1, minutes=1), f"chained session lasts {left} (more than 1 h)")
    ident = dns("sts").get_caller_identity()
    check(ident["Arn"] == f"arn:aws:sts::{Y}:assumed-role/dns/chain" and ident["Account"] == Y, f"dns: {ident}")
    print(f"ok  chained -> {ident['Arn']} (expires in {left})")

    r53 = dns("route53")
    check(any(zz["Id"] == zy for zz in r53.list_hosted_zones()["HostedZones"]), "Y's role does not list y.test")
    batch = {"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
        "Name": "app.y.test", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.44"}]}}]}
    ch = r53.change_resource_record_sets(HostedZoneId=zy, ChangeBatch=batch)
    wait_insync(r53, ch["ChangeInfo"]["Id"])
    dig_until(zk, "app.y.test", "A", ["192.0.2.44"])
    print("ok  Y's role session UPSERTed app.y.test A 192.0.2.44; dig @zonekeeper answers it")
    expect_error("Y's role on Y's other zone (policy names y.test only)",
                 lambda: r53.change_resource_record_sets(HostedZoneId=zy2, ChangeBatch=txt_change(
                     "UPSERT", "a.other-y.test", '"x"')), "AccessDenied", 403)

    # ---- X's own role session cannot touch Y's zone ------------------------------------------------
    before = records(r53y, zy)
    for what, fn in (("GetHostedZone", lambda: hop("route53").get_hosted_zone(Id=zy)),
                     ("ChangeResourceRecordSets", lambda: hop("route53").change_resource_record_sets(
                         HostedZoneId=zy, ChangeBatch=txt_change("UPSERT", "evil.y.test", '"x"')))):
        got = error_of(fn)
        check(got is not None and got[0] in ("NoSuchHostedZone", "AccessDenied"),
              f"X's role session {what} on Y's zone: {got}")
        print(f"ok  X's role session {what} on Y's zone: {got[0]} (HTTP {got[2]}) {got[1]}")
    check(records(r53y, zy) == before, "Y's zone changed by X's session")
    check(not any(zz["Id"] == zy for zz in hop("route53").list_hosted_zones()["HostedZones"]),
          "X's ListHostedZones shows Y's zone")
    dig_until(zk, "evil.y.test", "TXT", [])

    # ---- refusals ------------------------------------------------------------------------------
    zuser = make_user(z, "intruder", inline=doc(allow("sts:AssumeRole")))
    z_arn = f"arn:aws:iam::{Z}:user/intruder"
    for role in (dns_arn, hop_arn, acct_arn):
        expect_error(f"Z's user (sts:AssumeRole on *) assumes {role}",
                     lambda r=role: zuser("sts").assume_role(RoleArn=r, RoleSessionName="intrude"),
                     "AccessDenied", 403,
                     f"User: {z_arn} is not authorized to perform: sts:AssumeRole on resource: {role} "
                     "because no resource-based policy allows the sts:AssumeRole action")
    expect_error("X's user on Y's role that trusts only X's role hop",
                 lambda: deployer("sts").assume_role(RoleArn=dns_arn, RoleSessionName="direct"), "AccessDenied", 403)
    # the trust names X's account: X's identity policies must allow sts:AssumeRole as well
    out, _ = assumed(deployer, acct_arn, "via-account")
    check(out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{Y}:assumed-role/x-account/via-account", "x-account")
    expect_error("X's user without sts:AssumeRole on a role trusting X's account",
                 lambda: bystander("sts").assume_role(RoleArn=acct_arn, RoleSessionName="nope"), "AccessDenied", 403,
                 f"User: arn:aws:iam::{X}:user/bystander is not authorized to perform: sts:AssumeRole on resource: "
                 f"{acct_arn} because no identity-based policy allows the sts:AssumeRole action")
    print("ok  trust on X's account: deployer (sts:AssumeRole allowed) in, bystander (no such policy) out")
    expect_error("trust with sts:ExternalId, none given",
                 lambda: deployer("sts").assume_role(RoleArn=ext_arn, RoleSessionName="ext"), "AccessDenied", 403)
    expect_error("trust with sts:ExternalId, wrong one",
                 lambda: deployer("sts").assume_role(RoleArn=ext_arn, RoleSessionName="ext", ExternalId="zk-ext-41"),
                 "AccessDenied", 403)
    out, _ = assumed(deployer, ext_arn, "ext", ExternalId="zk-ext-42")
    check(out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{Y}:assumed-role/x-external/ext", "x-external")
    print("ok  sts:ExternalId condition: only the right external id gets in")
    expect_error("AssumeRole of a role that does not exist",
                 lambda: deployer("sts").assume_role(RoleArn=f"arn:aws:iam::{Y}:role/ghost", RoleSessionName="ghost"),
                 "AccessDenied", 403)
    # a chained session cannot be extended by chaining again
    expect_error("chain again from Y:dns (its policy has no sts:AssumeRole)",
                 lambda: dns("sts").assume_role(RoleArn=hop_arn, RoleSessionName="back"), "AccessDenied", 403)


if __name__ == "__main__":
    main()
