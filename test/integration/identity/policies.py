# boto3: IAM policies decide every Route 53 and IAM call (seed policy, conditions, Deny, boundary, simulator).
"""usage: policies.py --zonekeeper BIN

One server, zone x.test made by the administrator, then one IAM user per policy under test:
  cm       cert-manager's seed policy (inline): the whole DNS-01 sequence works, nothing else does; at the
           end the same user loses ChangeResourceRecordSets (UPSERT AccessDenied, zone unchanged), then
           its whole policy, then its key (InvalidClientTokenId)
  nochange the seed policy without route53:ChangeResourceRecordSets (customer managed policy): the UPSERT
           is AccessDenied and the zone is unchanged
  acme     ChangeResourceRecordSets confined by ForAllValues:StringEquals RecordTypes [TXT] and
           ForAllValues:StringLike NormalizedRecordNames [_acme-challenge.*]
  denied   AdministratorAccess plus an explicit Deny of ChangeResourceRecordSets
  bounded  AdministratorAccess under the AmazonRoute53ReadOnlyAccess permissions boundary
plus MalformedPolicyDocument at PutUserPolicy, SimulateCustomPolicy over the same documents and
SimulatePrincipalPolicy for the users. Every denial is checked against AWS's exact wording.
"""
import argparse
import json

from idharness import (SEED_POLICY, Creds, Zonekeeper, admin, allow, check, deny, denied_message, dig_until,
                       doc, error_of, eventually, expect_error, make_user, records, txt_change, wait_insync)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonekeeper", required=True)
    args = ap.parse_args()
    zk = Zonekeeper(args.zonekeeper)
    try:
        run(zk)
    finally:
        zk.cleanup()
    print("PASS: integration_identity_policies")


def run(zk: Zonekeeper) -> None:
    root = admin(zk)
    acct = root("sts").get_caller_identity()["Account"]
    iam = root("iam")
    r53_admin = root("route53")
    zone = r53_admin.create_hosted_zone(Name="x.test", CallerReference="policies-x")
    zid = zone["HostedZone"]["Id"]
    zone_arn = "arn:aws:route53:::hostedzone/" + zid.split("/")[-1]
    wait_insync(r53_admin, zone["ChangeInfo"]["Id"])
    baseline = records(r53_admin, zid)
    seed = json.dumps(SEED_POLICY)

    # ---- 1. the seed policy: exactly cert-manager's sequence ---------------------------------------
    cm = make_user(root, "cm", inline=seed)
    cm_arn = f"arn:aws:iam::{acct}:user/cm"
    check(cm("sts").get_caller_identity()["Arn"] == cm_arn, "GetCallerIdentity of cm")
    r53 = cm("route53")
    by = r53.list_hosted_zones_by_name(DNSName="x.test", MaxItems="1")
    check([z["Id"] for z in by["HostedZones"]] == [zid], f"cm ListHostedZonesByName: {by['HostedZones']}")
    fqdn = "_acme-challenge.x.test"
    listed = r53.list_resource_record_sets(HostedZoneId=zid, StartRecordName=fqdn, StartRecordType="TXT")
    check(not any(r["Name"] == fqdn + "." for r in listed["ResourceRecordSets"]), "TXT present before UPSERT")
    ch = r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch=txt_change("UPSERT", fqdn, '"seed-token"'))
    wait_insync(r53, ch["ChangeInfo"]["Id"])
    dig_until(zk, fqdn, "TXT", ['"seed-token"'])
    print("ok  seed policy: ListHostedZonesByName, ListResourceRecordSets, UPSERT TXT, GetChange INSYNC, dig")
    ch = r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch=txt_change("DELETE", fqdn, '"seed-token"'))
    wait_insync(r53, ch["ChangeInfo"]["Id"])
    dig_until(zk, fqdn, "TXT", [])
    print("ok  seed policy: DELETE, INSYNC, dig answers nothing")

    expect_error("seed policy: CreateHostedZone",
                 lambda: r53.create_hosted_zone(Name="y.test", CallerReference="cm-y"), "AccessDenied", 403,
                 denied_message(cm_arn, "route53:CreateHostedZone", "*"))
    expect_error("seed policy: iam:ListUsers", lambda: cm("iam").list_users(), "AccessDenied", 403,
                 denied_message(cm_arn, "iam:ListUsers", "*"))
    expect_error("seed policy: ListHostedZones (not in the seed)", lambda: r53.list_hosted_zones(),
                 "AccessDenied", 403, denied_message(cm_arn, "route53:ListHostedZones", "*"))
    expect_error("seed policy: DeleteHostedZone", lambda: r53.delete_hosted_zone(Id=zid), "AccessDenied", 403,
                 denied_message(cm_arn, "route53:DeleteHostedZone", zone_arn))
    check(records(r53_admin, zid) == baseline, "zone changed by the seed-policy user's refused calls")

    # ---- 2. seed without ChangeResourceRecordSets (as a customer managed policy) --------------------
    no_change_doc = doc(allow("route53:GetChange", "arn:aws:route53:::change/*"),
                        allow("route53:ListResourceRecordSets", "arn:aws:route53:::hostedzone/*"),
                        allow("route53:ListHostedZonesByName"))
    pol_arn = iam.create_policy(PolicyName="seed-no-change", PolicyDocument=no_change_doc)["Policy"]["Arn"]
    check(pol_arn == f"arn:aws:iam::{acct}:policy/seed-no-change", f"CreatePolicy Arn {pol_arn}")
    nc = make_user(root, "nochange", managed=(pol_arn,))
    nc_arn = f"arn:aws:iam::{acct}:user/nochange"
    check(nc("route53").list_hosted_zones_by_name(DNSName="x.test")["HostedZones"][0]["Id"] == zid,
          "nochange: ListHostedZonesByName")
    expect_error("seed minus ChangeResourceRecordSets: UPSERT",
                 lambda: nc("route53").change_resource_record_sets(
                     HostedZoneId=zid, ChangeBatch=txt_change("UPSERT", fqdn, '"nope"')),
                 "AccessDenied", 403, denied_message(nc_arn, "route53:ChangeResourceRecordSets", zone_arn))
    check(records(r53_admin, zid) == baseline, "the refused UPSERT changed the zone (admin's listing differs)")
    dig_until(zk, fqdn, "TXT", [])
    print("ok  refused UPSERT left nothing: admin's ListResourceRecordSets unchanged, dig answers nothing")

    # ---- 3. ChangeResourceRecordSets confined to TXT at _acme-challenge.* -----------------------------
    acme_doc = doc(
        allow("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/*", Condition={
            "ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]},
            "ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames":
                                        ["_acme-challenge.*"]}}),
        allow("route53:GetChange", "arn:aws:route53:::change/*"))
    acme = make_user(root, "acme", inline=acme_doc)
    acme_arn = f"arn:aws:iam::{acct}:user/acme"
    r53a = acme("route53")
    # the normalized name is lower case without the trailing dot: a mixed-case FQDN still matches
    ch = r53a.change_resource_record_sets(HostedZoneId=zid,
                                          ChangeBatch=txt_change("UPSERT", "_ACME-Challenge.X.test.", '"ok"'))
    wait_insync(r53a, ch["ChangeInfo"]["Id"])
    dig_until(zk, fqdn, "TXT", ['"ok"'])
    print("ok  conditions: TXT at _ACME-Challenge.X.test. allowed (normalized name matches)")
    refused = [("A record at _acme-challenge.x.test", txt_change("UPSERT", fqdn, "192.0.2.1", rtype="A")),
               ("TXT at www.x.test", txt_change("UPSERT", "www.x.test", '"no"')),
               ("batch TXT _acme-challenge + TXT www (ForAllValues: every name must match)",
                {"Changes": txt_change("UPSERT", "_acme-challenge.a.x.test", '"a"')["Changes"]
                 + txt_change("UPSERT", "www.x.test", '"b"')["Changes"]})]
    for what, batch in refused:
        expect_error(f"conditions: {what}",
                     lambda b=batch: r53a.change_resource_record_sets(HostedZoneId=zid, ChangeBatch=b),
                     "AccessDenied", 403, denied_message(acme_arn, "route53:ChangeResourceRecordSets", zone_arn))
    after = records(r53_admin, zid)
    check(sorted(after) == sorted(baseline + [(fqdn + ".", "TXT")]), f"zone after the refused batches: {after}")
    dig_until(zk, "www.x.test", "TXT", [])
    ch = r53a.change_resource_record_sets(HostedZoneId=zid, ChangeBatch=txt_change("DELETE", fqdn, '"ok"'))
    wait_insync(r53a, ch["ChangeInfo"]["Id"])

    # ---- 4. an explicit Deny beats AdministratorAccess ---------------------------------------------
    denied = make_user(root, "denied", inline=doc(deny("route53:ChangeResourceRecordSets")),
                       managed=("arn:aws:iam::aws:policy/AdministratorAccess",))
    den_arn = f"arn:aws:iam::{acct}:user/denied"
    check(denied("route53").get_hosted_zone(Id=zid)["HostedZone"]["Name"] == "x.test.", "denied: GetHostedZone")
    expect_error("explicit Deny over AdministratorAccess",
                 lambda: denied("route53").change_resource_record_sets(
                     HostedZoneId=zid, ChangeBatch=txt_change("UPSERT", fqdn, '"x"')),
                 "AccessDenied", 403,
                 f"User: {den_arn} is not authorized to perform: route53:ChangeResourceRecordSets on resource: "
                 f"{zone_arn} with an explicit deny in an identity-based policy")

    # ---- 5. a permissions boundary narrows AdministratorAccess --------------------------------------
    bounded = make_user(root, "bounded", managed=("arn:aws:iam::aws:policy/AdministratorAccess",),
                        boundary="arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess")
    b_arn = f"arn:aws:iam::{acct}:user/bounded"
    u = iam.get_user(UserName="bounded")["User"]
    check(u.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
          == "arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess", f"GetUser PermissionsBoundary: {u}")
    check(any(z["Id"] == zid for z in bounded("route53").list_hosted_zones()["HostedZones"]),
          "bounded: ListHostedZones (allowed by both)")
    expect_error("boundary: UPSERT (identity allows, boundary does not)",
                 lambda: bounded("route53").change_resource_record_sets(
                     HostedZoneId=zid, ChangeBatch=txt_change("UPSERT", fqdn, '"x"')),
                 "AccessDenied", 403, denied_message(b_arn, "route53:ChangeResourceRecordSets", zone_arn, "boundary"))
    expect_error("boundary: iam:ListUsers", lambda: bounded("iam").list_users(), "AccessDenied", 403,
                 denied_message(b_arn, "iam:ListUsers", "*", "boundary"))
    check(records(r53_admin, zid) == baseline, "zone changed by refused calls")

    # ---- 6. MalformedPolicyDocument at PutUserPolicy ------------------------------------------------
    bad = doc(allow("route53:GetChange", Condition={"StringEqualsMaybe": {"aws:username": "cm"}}))
    expect_error("PutUserPolicy with an unknown condition operator",
                 lambda: iam.put_user_policy(UserName="cm", PolicyName="bad", PolicyDocument=bad),
                 "MalformedPolicyDocument", 400)
    names = iam.list_user_policies(UserName="cm")["PolicyNames"]
    check(names == ["cm-inline"], f"the malformed policy was stored: {names}")
    expect_error("CreatePolicy with Effect Maybe",
                 lambda: iam.create_policy(PolicyName="bad", PolicyDocument=json.dumps(
                     {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]})),
                 "MalformedPolicyDocument", 400)

    # ---- 7. SimulateCustomPolicy over the same documents ---------------------------------------------
    change_arn = "arn:aws:route53:::change/C1"

    def simulate(policies, actions, resource, context=None, boundary=None):
        kw = {"ContextEntries": context} if context else {}
        if boundary:
            kw["PermissionsBoundaryPolicyInputList"] = boundary
        out = iam.simulate_custom_policy(PolicyInputList=policies, ActionNames=actions, ResourceArns=[resource], **kw)
        return {r["EvalActionName"]: r for r in out["EvaluationResults"]}

    res = simulate([seed], ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets",
                            "route53:CreateHostedZone", "iam:ListUsers"], zone_arn)
    want = {"route53:ChangeResourceRecordSets": "allowed", "route53:ListResourceRecordSets": "allowed",
            "route53:CreateHostedZone": "implicitDeny", "iam:ListUsers": "implicitDeny"}
    check({a: r["EvalDecision"] for a, r in res.items()} == want, f"SimulateCustomPolicy seed: {res}")
    check([m["SourcePolicyId"] for m in res["route53:ChangeResourceRecordSets"]["MatchedStatements"]]
          == ["PolicyInputList.1"], f"MatchedStatements for an allow: {res['route53:ChangeResourceRecordSets']}")
    check(res["route53:CreateHostedZone"]["MatchedStatements"] == [], "MatchedStatements for an implicit deny")
    res = simulate([seed], ["route53:GetChange"], change_arn)
    check(res["route53:GetChange"]["EvalDecision"] == "allowed", f"simulate GetChange on change/*: {res}")
    res = simulate([seed], ["route53:GetChange"], zone_arn)
    check(res["route53:GetChange"]["EvalDecision"] == "implicitDeny", f"GetChange is granted on change/* only: {res}")

    admin_doc = json.dumps({"Version": "2012-10-17", "Statement": [allow("*")]})
    deny_doc = doc(deny("route53:ChangeResourceRecordSets"))
    res = simulate([admin_doc, deny_doc], ["route53:ChangeResourceRecordSets", "route53:GetHostedZone"], zone_arn)
    check(res["route53:ChangeResourceRecordSets"]["EvalDecision"] == "explicitDeny", f"simulate Deny: {res}")
    check([m["SourcePolicyId"] for m in res["route53:ChangeResourceRecordSets"]["MatchedStatements"]]
          == ["PolicyInputList.2"], f"the Deny's MatchedStatements: {res['route53:ChangeResourceRecordSets']}")
    check(res["route53:GetHostedZone"]["EvalDecision"] == "allowed", f"simulate admin GetHostedZone: {res}")
    ro = iam.get_policy_version(PolicyArn="arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess",
                                VersionId=iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess")
                                ["Policy"]["DefaultVersionId"])["PolicyVersion"]["Document"]
    ro = ro if isinstance(ro, str) else json.dumps(ro)
    res = simulate([admin_doc], ["route53:ChangeResourceRecordSets", "route53:ListHostedZones"], zone_arn,
                   boundary=[ro])
    check(res["route53:ChangeResourceRecordSets"]["EvalDecision"] == "implicitDeny"
          and res["route53:ListHostedZones"]["EvalDecision"] == "allowed", f"simulate with a boundary: {res}")

    def cond_ctx(types, names):
        return [{"ContextKeyName": "route53:ChangeResourceRecordSetsRecordTypes", "ContextKeyType": "stringList",
                 "ContextKeyValues": types},
                {"ContextKeyName": "route53:ChangeResourceRecordSetsNormalizedRecordNames",
                 "ContextKeyType": "stringList", "ContextKeyValues": names}]
    for types, names, decision in ((["TXT"], ["_acme-challenge.x.test"], "allowed"),
                                   (["A"], ["_acme-challenge.x.test"], "implicitDeny"),
                                   (["TXT"], ["www.x.test"], "implicitDeny")):
        res = simulate([acme_doc], ["route53:ChangeResourceRecordSets"], zone_arn, cond_ctx(types, names))
        got = res["route53:ChangeResourceRecordSets"]["EvalDecision"]
        check(got == decision, f"simulate acme policy {types} {names}: {got}, expected {decision}")
    print("ok  SimulateCustomPolicy: allowed / implicitDeny / explicitDeny, MatchedStatements, boundary, conditions")

    # ---- 8. SimulatePrincipalPolicy for the users -----------------------------------------------------
    def principal(name, action, resource):
        out = iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{acct}:user/{name}",
                                            ActionNames=[action], ResourceArns=[resource])
        return out["EvaluationResults"][0]
    for name, action, resource, decision in (
            ("cm", "route53:ChangeResourceRecordSets", zone_arn, "allowed"),
            ("cm", "route53:GetChange", change_arn, "allowed"),
            ("cm", "route53:CreateHostedZone", "*", "implicitDeny"),
            ("cm", "iam:ListUsers", "*", "implicitDeny"),
            ("nochange", "route53:ChangeResourceRecordSets", zone_arn, "implicitDeny"),
            ("nochange", "route53:ListResourceRecordSets", zone_arn, "allowed"),
            ("denied", "route53:ChangeResourceRecordSets", zone_arn, "explicitDeny"),
            ("denied", "route53:GetHostedZone", zone_arn, "allowed")):
        r = principal(name, action, resource)
        check(r["EvalDecision"] == decision, f"SimulatePrincipalPolicy {name} {action}: {r}")
        if decision != "implicitDeny":
            check(r["MatchedStatements"], f"SimulatePrincipalPolicy {name} {action}: no MatchedStatements: {r}")
    print("ok  SimulatePrincipalPolicy: cm, nochange, denied")

    # the simulator is an IAM action too: the seed-policy user may not call it
    expect_error("seed policy: iam:SimulatePrincipalPolicy",
                 lambda: cm("iam").simulate_principal_policy(PolicySourceArn=cm_arn, ActionNames=["route53:GetChange"]),
                 "AccessDenied", 403)
    # the same user once ChangeResourceRecordSets is taken out of its policy (authorization caches policies
    # for about a second: wait with a probe that changes nothing either way, a DELETE of a missing record,
    # which is InvalidChangeBatch while allowed and AccessDenied once refused)
    iam.put_user_policy(UserName="cm", PolicyName="cm-inline", PolicyDocument=no_change_doc)
    probe = txt_change("DELETE", "_acme-challenge.absent.x.test", '"absent"')
    eventually("cm's ChangeResourceRecordSets is refused after PutUserPolicy without it",
               lambda: (error_of(lambda: r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch=probe))
                        or ("",))[0] == "AccessDenied")
    expect_error("the seed user after ChangeResourceRecordSets was removed from its policy: UPSERT",
                 lambda: r53.change_resource_record_sets(HostedZoneId=zid,
                                                         ChangeBatch=txt_change("UPSERT", fqdn, '"late"')),
                 "AccessDenied", 403, denied_message(cm_arn, "route53:ChangeResourceRecordSets", zone_arn))
    check(records(r53_admin, zid) == baseline, "the refused UPSERT changed the zone (admin's listing differs)")
    dig_until(zk, fqdn, "TXT", [])
    check(r53.list_hosted_zones_by_name(DNSName="x.test")["HostedZones"][0]["Id"] == zid,
          "cm lost ListHostedZonesByName")

    # taking the policy away takes the access away
    iam.delete_user_policy(UserName="cm", PolicyName="cm-inline")
    eventually("cm's ListHostedZonesByName is AccessDenied once its policy is deleted",
               lambda: (error_of(lambda: cm("route53").list_hosted_zones_by_name()) or ("",))[0] == "AccessDenied")
    print("ok  DeleteUserPolicy: the user's calls are AccessDenied afterwards")
    # and no key is usable once deleted (the user's own policies do not matter then)
    iam.delete_access_key(UserName="cm", AccessKeyId=cm.key)
    gone = Creds(zk.endpoint, cm.key, cm.secret)("route53")
    # found keys may be cached for a moment (as AWS is eventually consistent): wait for the refusal
    eventually("a deleted access key is refused with InvalidClientTokenId",
               lambda: (error_of(gone.list_hosted_zones_by_name) or ("",))[0] == "InvalidClientTokenId")
    print("ok  deleted access key: InvalidClientTokenId")


if __name__ == "__main__":
    main()
