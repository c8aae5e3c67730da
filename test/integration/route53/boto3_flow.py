# boto3 against a real zonekeeper: waiters, paginators, by-name lookups, tags, limits, exact error codes.
"""usage: boto3_flow.py --zonekeeper BIN

Also checks what lego and certbot rely on: ListHostedZonesByName with the zone's name, the
`?name=<fqdn>&type=TXT` listing before UPSERT/DELETE, names without the trailing dot, and that
GetChange reports INSYNC only once dig already answers the change.
"""
import argparse
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Zonekeeper, check  # noqa: E402

from botocore.exceptions import ClientError  # noqa: E402


def code_of(fn) -> tuple[str, str, int]:
    try:
        fn()
    except ClientError as e:
        return (e.response["Error"]["Code"], e.response["Error"].get("Message", ""),
                e.response["ResponseMetadata"]["HTTPStatusCode"])
    return ("", "", 200)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonekeeper", required=True)
    args = ap.parse_args()
    zk = Zonekeeper(args.zonekeeper, ["--api-workers", "16"])
    try:
        r53 = zk.boto3_client()
        zones = {}
        for name in ["b.boto.test", "a.boto.test", "c.boto.test"]:
            out = r53.create_hosted_zone(Name=name, CallerReference="boto-" + name)
            check(out["ResponseMetadata"]["HTTPStatusCode"] == 201, "CreateHostedZone status")
            check(out["ResponseMetadata"]["RequestId"] != "", "x-amzn-RequestId missing")
            r53.get_waiter("resource_record_sets_changed").wait(Id=out["ChangeInfo"]["Id"])
            zones[name] = out["HostedZone"]["Id"]
        check(r53.get_hosted_zone_count()["HostedZoneCount"] == 3, "zone count")

        # lego: find the zone by name, list ?name=&type=TXT, UPSERT, GetChange, DELETE.
        by = r53.list_hosted_zones_by_name(DNSName="b.boto.test")
        check(by["HostedZones"][0]["Name"] == "b.boto.test." and by["DNSName"] == "b.boto.test.", "by name")
        check(by["HostedZones"][0]["Config"]["PrivateZone"] is False, "Config in by-name listing")
        zid = zones["b.boto.test"]
        fqdn = "_acme-challenge.www.b.boto.test."
        before = r53.list_resource_record_sets(HostedZoneId=zid, StartRecordName=fqdn, StartRecordType="TXT")
        check(not any(r["Name"] == fqdn and r["Type"] == "TXT" for r in before["ResourceRecordSets"]), "listed early")
        ch = r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [{
            "Action": "UPSERT", "ResourceRecordSet": {"Name": fqdn.rstrip("."), "Type": "TXT", "TTL": 10,
                                                      "ResourceRecords": [{"Value": '"lego-token"'}]}}]})
        # Poll GetChange as certbot does; the moment it says INSYNC, dig must answer.
        for _ in range(200):
            st = r53.get_change(Id=ch["ChangeInfo"]["Id"])["ChangeInfo"]["Status"]
            if st == "INSYNC":
                break
        check(st == "INSYNC", "never INSYNC")
        check(zk.dig(fqdn, "TXT") == ['"lego-token"'], "INSYNC before DNS answers")
        after = r53.list_resource_record_sets(HostedZoneId=zid, StartRecordName=fqdn, StartRecordType="TXT")
        rs = after["ResourceRecordSets"][0]
        check(rs["Name"] == fqdn and rs["Type"] == "TXT" and rs["ResourceRecords"] == [{"Value": '"lego-token"'}],
              f"listing for lego: {rs}")
        ch = r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
            {"Action": "DELETE", "ResourceRecordSet": rs}]})
        r53.get_waiter("resource_record_sets_changed").wait(Id=ch["ChangeInfo"]["Id"])
        check(zk.dig(fqdn, "TXT") == [], "TXT still served after DELETE")
        print("PASS lego/certbot sequence: by-name, ?name=&type=TXT, UPSERT, GetChange INSYNC => dig, DELETE",
              flush=True)

        # Paginators over zones and record sets.
        pz = r53.get_paginator("list_hosted_zones")
        listed = [z["Id"] for page in pz.paginate(PaginationConfig={"PageSize": 1}) for z in page["HostedZones"]]
        check(sorted(listed) == sorted(zones.values()) and len(listed) == 3, f"zones paginator {listed}")
        changes = [{"Action": "CREATE", "ResourceRecordSet": {"Name": f"r{i:03d}.a.boto.test", "Type": "A", "TTL": 300,
                                                              "ResourceRecords": [{"Value": f"203.0.113.{i % 250}"}]}}
                   for i in range(120)]
        r53.change_resource_record_sets(HostedZoneId=zones["a.boto.test"], ChangeBatch={"Changes": changes})
        pr = r53.get_paginator("list_resource_record_sets")
        names = [r["Name"] for page in pr.paginate(HostedZoneId=zones["a.boto.test"],
                                                   PaginationConfig={"PageSize": 50}) for r in page["ResourceRecordSets"]]
        check(len(names) == 122 and len(set(zip(names))) >= 121, f"record sets paginator: {len(names)}")
        check(zk.dig("r042.a.boto.test", "A") == ["203.0.113.42"], "batch record not served")
        print("PASS paginators (zones page size 1, 122 record sets page size 50)", flush=True)

        # Tags and limits.
        short = zid.split("/")[-1]
        r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=short,
                                     AddTags=[{"Key": "team", "Value": "dns"}])
        tags = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=short)["ResourceTagSet"]["Tags"]
        check(tags == [{"Key": "team", "Value": "dns"}], f"tags {tags}")
        lim = r53.get_account_limit(Type="MAX_HOSTED_ZONES_BY_OWNER")
        check(lim["Count"] == 3 and lim["Limit"]["Value"] == 500, f"account limit {lim}")
        zl = r53.get_hosted_zone_limit(HostedZoneId=short, Type="MAX_RRSETS_BY_ZONE")
        check(zl["Limit"]["Value"] == 10000 and zl["Count"] == 2, f"zone limit {zl}")
        r53.update_hosted_zone_comment(Id=zid, Comment="updated")
        check(r53.get_hosted_zone(Id=zid)["HostedZone"]["Config"]["Comment"] == "updated", "comment")
        print("PASS tags, GetAccountLimit, GetHostedZoneLimit, UpdateHostedZoneComment", flush=True)

        # Error codes and statuses as botocore parses them.
        code, msg, status = code_of(lambda: r53.get_hosted_zone(Id="ZNOSUCH"))
        check((code, status) == ("NoSuchHostedZone", 404), f"{code} {status}")
        code, msg, status = code_of(lambda: r53.get_change(Id="CNOSUCH"))
        check((code, status) == ("NoSuchChange", 404), f"{code} {status}")
        code, msg, status = code_of(lambda: r53.create_hosted_zone(Name="d.boto.test", CallerReference="boto-a.boto.test"))
        check((code, status) == ("HostedZoneAlreadyExists", 409), f"{code} {status}")
        code, msg, status = code_of(lambda: r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
            {"Action": "DELETE", "ResourceRecordSet": {"Name": "nope.b.boto.test", "Type": "A", "TTL": 1,
                                                       "ResourceRecords": [{"Value": "192.0.2.1"}]}}]}))
        check(code == "InvalidChangeBatch" and status == 400 and "but it was not found" in msg, f"{code} {msg}")
        bad = zk.boto3_client(secret="z" * 40, attempts=1)
        code, msg, status = code_of(lambda: bad.list_hosted_zones())
        check((code, status) == ("SignatureDoesNotMatch", 403), f"{code} {status}")
        bad = zk.boto3_client(key_id="AKIAAAAAAAAAAAAAAAAA", attempts=1)
        code, msg, status = code_of(lambda: bad.list_hosted_zones())
        check((code, status) == ("InvalidClientTokenId", 403), f"{code} {status}")
        print("PASS error codes/statuses via botocore", flush=True)

        # Concurrent writers on one zone: every acknowledged change is served, the DNS equals the listing.
        zc = zones["c.boto.test"]
        client = zk.boto3_client(pool=16)
        errors = []

        def writer(t: int) -> None:
            try:
                for i in range(15):
                    client.change_resource_record_sets(HostedZoneId=zc, ChangeBatch={"Changes": [
                        {"Action": "UPSERT", "ResourceRecordSet": {
                            "Name": f"w{t}-{i}.c.boto.test", "Type": "A", "TTL": 60,
                            "ResourceRecords": [{"Value": f"192.0.2.{t}"}]}},
                        {"Action": "UPSERT", "ResourceRecordSet": {
                            "Name": "shared.c.boto.test", "Type": "TXT", "TTL": 60,
                            "ResourceRecords": [{"Value": f'"{t}-{i}"'}]}}]})
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        check(not errors, f"concurrent writers failed: {errors[:2]}")
        for t in range(8):
            check(zk.dig(f"w{t}-14.c.boto.test", "A") == [f"192.0.2.{t}"], f"writer {t} last change not served")
        listed = r53.list_resource_record_sets(HostedZoneId=zc, StartRecordName="shared.c.boto.test",
                                               StartRecordType="TXT", MaxItems="1")["ResourceRecordSets"][0]
        check(zk.dig("shared.c.boto.test", "TXT") == [v["Value"] for v in listed["ResourceRecords"]],
              "DNS differs from the stored last write")
        print("PASS 8 concurrent writers x 15 batches: DNS equals the store", flush=True)
    finally:
        zk.cleanup()


if __name__ == "__main__":
    main()
