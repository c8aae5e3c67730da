# A test OIDC issuer over HTTPS (CA and certificate from the openssl CLI) and RS256 JWTs signed by the test.
"""Pieces for web_identity.py (standard library + the openssl CLI; `cryptography` when importable).

  make_ca(dir, name)            a CA (openssl req -x509) and a leaf for IP:127.0.0.1 / DNS:localhost
  RsaKey(dir, kid)              an RSA-2048 key: .jwk() (public JWK), .sign(data) (RS256 = PKCS#1 v1.5 SHA-256)
  jwt(header, claims, key)      a compact JWS; key=None leaves the signature empty (alg none)
  Issuer(ca, path)              https://127.0.0.1:PORT/PATH serving /.well-known/openid-configuration and a JWKS
                                from a thread of this process (no child process to stop)

Signing uses the `cryptography` module when importable and the openssl CLI (`openssl dgst -sha256
-sign`) otherwise; ZK_JWT_SIGNER=openssl forces the CLI.
"""
from __future__ import annotations

import base64
import http.server
import json
import os
import ssl
import subprocess
import sys
import threading

try:
    if os.environ.get("ZK_JWT_SIGNER") == "openssl":
        raise ImportError("forced")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    HAVE_CRYPTOGRAPHY = True
except ImportError:
    HAVE_CRYPTOGRAPHY = False


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def openssl(*args: str, data: bytes | None = None) -> bytes:
    p = subprocess.run(["openssl", *args], input=data, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
    return p.stdout


class Ca:
    def __init__(self, pem: str, leaf_cert: str, leaf_key: str):
        self.pem, self.leaf_cert, self.leaf_key = pem, leaf_cert, leaf_key


def make_ca(directory: str, name: str) -> Ca:
    """A self-signed CA and one server certificate it signed (SAN IP:127.0.0.1, DNS:localhost)."""
    d = os.path.join(directory, name)
    os.makedirs(d, exist_ok=True)
    ca_key, ca_pem = os.path.join(d, "ca.key"), os.path.join(d, "ca.pem")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN=zonekeeper test {name}",
            "-keyout", ca_key, "-out", ca_pem, "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    key, csr, crt, ext = (os.path.join(d, f) for f in ("leaf.key", "leaf.csr", "leaf.pem", "leaf.ext"))
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", csr)
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
            "-extfile", ext, "-out", crt)
    return Ca(ca_pem, crt, key)


class RsaKey:
    def __init__(self, directory: str, kid: str):
        self.kid = kid
        n = 0
        while os.path.exists(os.path.join(directory, f"jwt-{kid}-{n}.key")):
            n += 1  # two keys may share a kid (a forged-signature case): never overwrite a file
        self.path = os.path.join(directory, f"jwt-{kid}-{n}.key")
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", self.path)
        if HAVE_CRYPTOGRAPHY:
            with open(self.path, "rb") as f:
                self._key = serialization.load_pem_private_key(f.read(), password=None)
            nums = self._key.public_key().public_numbers()
            self.n, self.e = nums.n, nums.e
        else:
            out = openssl("rsa", "-in", self.path, "-noout", "-modulus").decode().strip()
            self.n, self.e = int(out.split("=", 1)[1], 16), 65537
            text = openssl("rsa", "-in", self.path, "-noout", "-text").decode()
            if "publicExponent: 65537" not in text:
                raise RuntimeError("unexpected RSA public exponent")

    def jwk(self) -> dict:
        n = self.n.to_bytes((self.n.bit_length() + 7) // 8, "big")
        e = self.e.to_bytes((self.e.bit_length() + 7) // 8, "big")
        return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "n": b64url(n), "e": b64url(e)}

    def public_pem(self) -> bytes:
        return openssl("pkey", "-in", self.path, "-pubout")

    def sign(self, data: bytes) -> bytes:
        if HAVE_CRYPTOGRAPHY:
            return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return openssl("dgst", "-sha256", "-sign", self.path, data=data)


def jwt(header: dict, claims: dict, key: RsaKey | None, raw_signature: bytes | None = None) -> str:
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64url(json.dumps(claims, separators=(",", ":")).encode()))
    if raw_signature is not None:
        sig = raw_signature
    else:
        sig = key.sign(signing_input.encode()) if key else b""
    return signing_input + "." + b64url(sig)


class Issuer:
    """An OIDC issuer at https://127.0.0.1:PORT/PATH on a daemon thread; .keys is the JWKS it serves."""

    def __init__(self, ca: Ca, port: int, path: str = ""):
        self.port = port
        self.path = path.strip("/")
        self.url = f"https://127.0.0.1:{port}" + (f"/{self.path}" if self.path else "")
        self.keys: list[dict] = []
        self.hits: list[str] = []
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                issuer.hits.append(self.path)
                prefix = f"/{issuer.path}" if issuer.path else ""
                if self.path == prefix + "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/keys",
                            "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"]}
                elif self.path == prefix + "/keys":
                    body = {"keys": list(issuer.keys)}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):  # a refused TLS handshake: counted, not printed
                issuer.errors.append(str(sys.exc_info()[1]))

        self.errors: list[str] = []
        self.server = Server(("127.0.0.1", port), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ca.leaf_cert, ca.leaf_key)
        # the handshake happens on the handler thread's first read, so a stuck client cannot block accept()
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True, do_handshake_on_connect=False)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def host_path(self) -> str:
        """The issuer without https:// — IAM's provider URL, and the prefix of its condition keys."""
        return self.url[len("https://"):]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
