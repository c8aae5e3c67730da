# The aws CLI against a real zonekeeper: zones, record changes, the waiter, paging, errors; dig confirms.
"""usage: awscli_flow.py --zonekeeper BIN [--aws AWS_CLI]

Drives `zonekeeper serve` with the machine's aws CLI (v1, botocore) exactly as a user would after
first start: AWS_SHARED_CREDENTIALS_FILE=DATA_DIR/credentials, --endpoint-url. Every change is then
checked with dig against zonekeeper's own DNS port. Exits non-zero on the first failure.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Zonekeeper, check, fail  # noqa: E402


def batch_file(tmp: str, changes: list, comment: str = "") -> str:
    path = os.path.join(tmp, f"batch-{time.monotonic_ns()}.json")
    doc = {"Changes": changes}
    if comment:
        doc["Comment"] = comment
    with open(path, "w") as f:
        json.dump(doc, f)
    return "file://" + path


def rrset(action: str, name: str, rtype: str, values: list, ttl: int = 60) -> dict:
    return {"Action": action, "ResourceRecordSet": {"Name": name, "Type": rtype, "TTL": ttl,
                                                    "ResourceRecords": [{"Value": v} for v in values]}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonekeeper", required=True)
    ap.add_argument("--aws", default=shutil.which("aws") or "aws")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="zk-awscli-")
    zk = Zonekeeper(args.zonekeeper)
    try:
        aws = lambda *a, **kw: zk.aws(args.aws, *a, **kw)  # noqa: E731
        zone = "cli.example.test"

        # --- create the zone (no trailing dot, as users type it) ---
        out = aws("create-hosted-zone", "--name", zone, "--caller-reference", "cli-1")
        zid = out["HostedZone"]["Id"]
        check(zid.startswith("/hostedzone/"), f"zone id {zid}")
        check(out["HostedZone"]["Name"] == zone + ".", "zone name has no trailing dot")
        check(out["HostedZone"]["Config"]["PrivateZone"] is False, "Config.PrivateZone missing")
        check(out["Location"].endswith(zid), "Location header")
        check(len(out["DelegationSet"]["NameServers"]) >= 1, "no delegation set")
        soa = zk.dig(zone, "SOA")
        check(len(soa) == 1 and soa[0].split()[2:] == ["1", "7200", "900", "1209600", "86400"], f"SOA {soa}")
        print("PASS create-hosted-zone; SOA served:", soa[0], flush=True)

        got = aws("get-hosted-zone", "--id", zid)
        check(got["HostedZone"]["ResourceRecordSetCount"] == 2, "two record sets after create")

        # --- UPSERT, the waiter, then dig answers at once ---
        out = aws("change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch",
                  batch_file(tmp, [rrset("UPSERT", "www." + zone, "A", ["192.0.2.10", "192.0.2.11"]),
                                   rrset("UPSERT", "_acme-challenge." + zone, "TXT", ['"token value"'])], "cli"))
        change_id = out["ChangeInfo"]["Id"]
        check(out["ChangeInfo"]["Status"] in ("PENDING", "INSYNC"), "change status")
        aws("wait", "resource-record-sets-changed", "--id", change_id)
        st = aws("get-change", "--id", change_id)
        check(st["ChangeInfo"]["Status"] == "INSYNC", "get-change not INSYNC after the waiter")
        # INSYNC means every DNS worker answers: no retry loop here.
        check(zk.dig("www." + zone, "A") == ["192.0.2.10", "192.0.2.11"], "A not served after INSYNC")
        check(zk.dig("_acme-challenge." + zone, "TXT", tcp=True) == ['"token value"'], "TXT not served over TCP")
        print("PASS upsert + resource-record-sets-changed waiter + dig", flush=True)

        # --- paging: 25 more record sets, listed 7 per page by the CLI's paginator ---
        many = [rrset("CREATE", f"h{i:02d}.{zone}", "A", [f"198.51.100.{i}"]) for i in range(25)]
        aws("change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch", batch_file(tmp, many))
        listed = aws("list-resource-record-sets", "--hosted-zone-id", zid, "--page-size", "7")
        names = [(r["Name"], r["Type"]) for r in listed["ResourceRecordSets"]]
        check(len(names) == 29, f"expected 29 record sets, got {len(names)}")
        expected_order = sorted(names, key=lambda nt: (".".join(reversed(nt[0].rstrip(".").split("."))) + ".", nt[1]))
        check(names == expected_order, f"not in Route 53 order: {names[:6]}")
        check(zk.dig(f"h07.{zone}", "A") == ["198.51.100.7"], "paged record not served")
        zones = aws("list-hosted-zones", "--page-size", "1")
        check(any(z["Id"] == zid for z in zones["HostedZones"]), "zone not listed")
        print("PASS list-resource-record-sets paging (29 sets, page size 7), list-hosted-zones", flush=True)

        # --- errors, with Route 53's messages ---
        rc, err = aws("change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch",
                      batch_file(tmp, [rrset("CREATE", "www." + zone, "A", ["192.0.2.99"])]), expect_ok=False)
        check(rc != 0 and "InvalidChangeBatch" in err and
              f"Tried to create resource record set [name='www.{zone}.', type='A'] but it already exists" in err,
              f"CREATE of an existing set: {err}")
        rc, err = aws("change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch",
                      batch_file(tmp, [rrset("UPSERT", "bad." + zone, "TXT", ["unquoted"])]), expect_ok=False)
        check(rc != 0 and "InvalidCharacterString (Value should be enclosed in quotation marks)" in err, err)
        rc, err = aws("change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch",
                      batch_file(tmp, [rrset("UPSERT", "www." + zone, "CNAME", ["other.example.net"])]),
                      expect_ok=False)
        check(rc != 0 and "conflicts with other records with the same DNS name" in err, err)
        rc, err = aws("delete-hosted-zone", "--id", zid, expect_ok=False)
        check(rc != 0 and "HostedZoneNotEmpty" in err, err)
        rc, err = aws("get-hosted-zone", "--id", "ZNOSUCHZONE00000", expect_ok=False)
        check(rc != 0 and "NoSuchHostedZone" in err, err)
        bad_key = zk.env(AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 40)
        rc, err = aws("list-hosted-zones", env=bad_key, expect_ok=False)
        check(rc != 0 and "InvalidClientTokenId" in err and "The security token included in the request is invalid" in err,
              f"bad key id: {err}")
        key_id, _ = zk.read_credentials()
        bad_secret = zk.env(AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY="y" * 40)
        rc, err = aws("list-hosted-zones", env=bad_secret, expect_ok=False)
        check(rc != 0 and "SignatureDoesNotMatch" in err, f"bad secret: {err}")
        check(zk.dig("bad." + zone, "TXT") == [], "rejected batch left a trace in DNS")
        print("PASS errors: exists, unquoted TXT, CNAME conflict, HostedZoneNotEmpty, NoSuchHostedZone, "
              "InvalidClientTokenId, SignatureDoesNotMatch", flush=True)

        # --- a key made with `zonekeeper credentials create` works at once ---
        p = subprocess.run([args.zonekeeper, "credentials", "create", "--data-dir", zk.data, "--user", "ci"],
                           capture_output=True, text=True, timeout=60)
        check(p.returncode == 0 and "aws_access_key_id" in p.stdout, f"credentials create: {p.stderr}")
        creds = os.path.join(tmp, "creds2")
        with open(creds, "w") as f:
            f.write(p.stdout)
        out = aws("list-hosted-zones", env=zk.env(AWS_SHARED_CREDENTIALS_FILE=creds))
        check(any(z["Id"] == zid for z in out["HostedZones"]), "new key does not see the account's zone")
        print("PASS zonekeeper credentials create", flush=True)

        # --- DELETE, then the zone ---
        deletes = [rrset("DELETE", "www." + zone, "A", ["192.0.2.10", "192.0.2.11"]),
                   rrset("DELETE", "_acme-challenge." + zone, "TXT", ['"token value"'])]
        deletes += [rrset("DELETE", f"h{i:02d}.{zone}", "A", [f"198.51.100.{i}"]) for i in range(25)]
        out = aws("change-resource-record-sets", "--hosted-zone-id", zid, "--change-batch", batch_file(tmp, deletes))
        aws("wait", "resource-record-sets-changed", "--id", out["ChangeInfo"]["Id"])
        check(zk.dig("www." + zone, "A") == [], "deleted A still served")
        aws("delete-hosted-zone", "--id", zid)
        p = subprocess.run(["dig", "@127.0.0.1", "-p", str(zk.dns_port), "+norec", zone, "SOA"],
                           capture_output=True, text=True, timeout=20)
        check("status: REFUSED" in p.stdout, f"deleted zone still answered: {p.stdout}")
        print("PASS delete records + delete-hosted-zone (REFUSED afterwards)", flush=True)
    finally:
        zk.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
