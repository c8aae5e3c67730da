# kill -9 durability: every acknowledged change batch survives SIGKILL and is served after restart.
"""usage: kill9_durability.py --zonekeeper BIN [--rounds 3]

Several boto3 threads send change batches (two record sets each, so a partial batch would show) while
the server is SIGKILLed at a random moment. After each restart on the same data folder: every batch
that got a 200 must be listed AND answered by dig; no batch may be half there.
"""
import argparse
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Zonekeeper, check  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonekeeper", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    zk = Zonekeeper(args.zonekeeper)
    rng = random.Random(int(os.environ.get("ZK_SEED", "0")) or None)
    try:
        r53 = zk.boto3_client()
        zid = r53.create_hosted_zone(Name="durable.test", CallerReference="kill9")["HostedZone"]["Id"]
        acked: list[str] = []
        lock = threading.Lock()
        seq = [0]
        for rnd in range(args.rounds):
            stop = threading.Event()
            client = zk.boto3_client(attempts=1, pool=8)

            def writer() -> None:
                while not stop.is_set():
                    with lock:
                        seq[0] += 1
                        n = seq[0]
                    try:
                        client.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
                            {"Action": "CREATE", "ResourceRecordSet": {
                                "Name": f"b{n}.durable.test", "Type": "A", "TTL": 60,
                                "ResourceRecords": [{"Value": "192.0.2.1"}]}},
                            {"Action": "CREATE", "ResourceRecordSet": {
                                "Name": f"b{n}.durable.test", "Type": "TXT", "TTL": 60,
                                "ResourceRecords": [{"Value": f'"batch {n}"'}]}}]})
                    except Exception:  # noqa: BLE001 - the server died under us: not acknowledged
                        return
                    with lock:
                        acked.append(f"b{n}")

            threads = [threading.Thread(target=writer) for _ in range(6)]
            for th in threads:
                th.start()
            time.sleep(0.3 + rng.random() * 0.7)
            zk.kill()  # SIGKILL mid-flood
            stop.set()
            for th in threads:
                th.join()
            before = len(acked)
            zk.start()  # same data folder and ports
            r53 = zk.boto3_client()
            stored = {}
            for page in r53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zid):
                for rs in page["ResourceRecordSets"]:
                    stored.setdefault(rs["Name"].split(".")[0], set()).add(rs["Type"])
            missing = [b for b in acked if stored.get(b) != {"A", "TXT"}]
            check(not missing, f"round {rnd}: acknowledged batches lost: {missing[:5]}")
            partial = [b for b, types in stored.items() if b.startswith("b") and types != {"A", "TXT"}]
            check(not partial, f"round {rnd}: partial batches: {partial[:5]}")
            # Served by DNS after the restart (sample plus the last acknowledged).
            sample = rng.sample(acked, min(10, len(acked))) + acked[-1:]
            for b in sample:
                check(zk.dig(f"{b}.durable.test", "TXT") == [f'"batch {b[1:]}"'], f"{b} not served after restart")
            print(f"PASS round {rnd}: {before} acknowledged batches all stored and served after SIGKILL "
                  f"({len(stored) - 1} batches stored)", flush=True)
        check(len(acked) > 20, f"too few batches acknowledged to mean anything: {len(acked)}")
    finally:
        zk.cleanup()


if __name__ == "__main__":
    main()
