#!/usr/bin/env python3
"""Records requests exactly as the real botocore signs them, for sigv4_test.cc.

Nothing is sent: a 'before-send' hook captures each prepared request and answers with a canned error.
Run: python3 generate.py [OUT_DIR]   (botocore must be installed; the recorded version is in each file).
Credentials are fake and only valid inside the test.
"""
import os
import sys

import botocore
import botocore.session
from botocore.awsrequest import AWSResponse

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
AKID = "AKIDBOTOCORETEST"
SECRET = "zkTestSecretKey/EXAMPLE+0123456789abcdefghij"
TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN/with+slash=="
ENDPOINT = "http://127.0.0.1:9353"


class Captured(Exception):
    pass


def record(name):
    def handler(request, **kwargs):
        url = request.url
        rest = url.split("://", 1)[1]
        target = rest[rest.index("/"):] if "/" in rest else "/"
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        # urllib3 adds Host (the URL's netloc) when it sends; botocore signed that same value.
        lines = ["%s %s HTTP/1.1" % (request.method, target), "Host: %s" % rest.split("/", 1)[0]]
        for k, v in request.headers.items():
            if isinstance(v, bytes):
                v = v.decode()
            lines.append("%s: %s" % (k, v))
        with open(os.path.join(OUT, name + ".http"), "wb") as f:
            f.write(("\n".join(lines) + "\n\n").encode() + body)
        raw = type("Raw", (), {"stream": lambda self, *a, **k: iter([b""])})()
        return AWSResponse(url, 400, {}, raw)
    return handler


def client(service, token=None):
    s = botocore.session.get_session()
    return s.create_client(service, region_name="us-east-1", endpoint_url=ENDPOINT,
                           aws_access_key_id=AKID, aws_secret_access_key=SECRET, aws_session_token=token)


def run(name, make, call):
    c = make()
    c.meta.events.register("before-send", record(name))
    try:
        call(c)
    except Exception:  # the canned 400 makes botocore raise; the request is already recorded
        pass


CHANGE = {"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
    "Name": "_acme-challenge.www.example.test.", "Type": "TXT", "TTL": 60,
    "ResourceRecords": [{"Value": '"token with spaces"'}]}}]}

run("route53_change_rrsets", lambda: client("route53"),
    lambda c: c.change_resource_record_sets(HostedZoneId="Z0123456789ABC", ChangeBatch=CHANGE))
run("route53_list_rrsets_query", lambda: client("route53"),
    lambda c: c.list_resource_record_sets(HostedZoneId="Z0123456789ABC",
                                          StartRecordName="_acme-challenge.www.example.test.",
                                          StartRecordType="TXT", MaxItems="1"))
run("route53_session_token", lambda: client("route53", TOKEN), lambda c: c.list_hosted_zones())
run("sts_get_caller_identity", lambda: client("sts"), lambda c: c.get_caller_identity())
run("acm_describe_certificate", lambda: client("acm"),
    lambda c: c.describe_certificate(CertificateArn="arn:aws:acm:us-east-1:123456789012:certificate/abc"))

# A presigned URL (query-string auth) for STS GetCallerIdentity, signed for GET as `aws eks get-token` does.
c = client("sts")
url = c.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=900, HttpMethod="GET")
target = url.split("://", 1)[1]
target = target[target.index("/"):]
with open(os.path.join(OUT, "sts_presigned.http"), "wb") as f:
    f.write(("GET %s HTTP/1.1\nHost: 127.0.0.1:9353\n\n" % target).encode())

with open(os.path.join(OUT, "VERSION"), "w") as f:
    f.write("botocore %s\n" % botocore.__version__)
print("recorded with botocore", botocore.__version__)
