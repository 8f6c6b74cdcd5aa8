#!/usr/bin/env python3
"""End-to-end check of a local PyKMIP test server and the test PKI (a dev tool, not a test).

Uses PyKMIP's own client (kmip.pie.client.ProxyKmipClient) over mutual TLS to register a 256-bit
AES key (usage mask Encrypt|Decrypt), activate it, get it, read its State, revoke and destroy it,
and check that a Get afterwards fails with Item Not Found. Run it with the venv's python:

    .venv/bin/python scripts/kmip-smoke.py [--port 15696] [--pki DIR] [--client FILE]
        [--key FILE] [--password-file FILE] [--kmip-version 1.0|1.1|1.2|1.3|1.4|2.0|all]

--client is a PEM file holding the certificate chain (and the key, when --key is not given);
default: PKI/client.pem. The server certificate is verified against PKI/ca.pem, with host name
checking on --host (default 127.0.0.1). Prints one line per KMIP version ("PASS 1.2 ..." or
"FAIL 1.2 ...") and exits 0 only when every version asked for passed.
"""

import argparse
import logging
import os
import ssl
import sys

from kmip.core import enums
from kmip.pie import client as pie_client
from kmip.pie import exceptions as pie_exceptions
from kmip.pie import objects

VERSIONS = {
    "1.0": enums.KMIPVersion.KMIP_1_0,
    "1.1": enums.KMIPVersion.KMIP_1_1,
    "1.2": enums.KMIPVersion.KMIP_1_2,
    "1.3": enums.KMIPVersion.KMIP_1_3,
    "1.4": enums.KMIPVersion.KMIP_1_4,
    "2.0": enums.KMIPVersion.KMIP_2_0,
}


def make_socket_factory(proxy, args):
    """Replaces KMIPProxy._create_socket: same job, plus key passwords and host name checking."""

    def create_socket(sock):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_verify_locations(args.ca)
        password = None
        if args.password_file:
            with open(args.password_file, "rb") as f:
                password = f.read().rstrip(b"\r\n")
        context.load_cert_chain(args.client, args.key, password=password)
        proxy.socket = context.wrap_socket(
            sock, server_side=False, server_hostname=args.host, do_handshake_on_connect=True
        )
        proxy.socket.settimeout(10)

    return create_socket


def run_once(args, version_name):
    client = pie_client.ProxyKmipClient(
        hostname=args.host,
        port=args.port,
        cert=args.client,
        key=args.key,
        ca=args.ca,
        kmip_version=VERSIONS[version_name],
    )
    client.proxy._create_socket = make_socket_factory(client.proxy, args)
    steps = []
    with client:
        key = objects.SymmetricKey(
            enums.CryptographicAlgorithm.AES,
            256,
            os.urandom(32),
            masks=[enums.CryptographicUsageMask.ENCRYPT, enums.CryptographicUsageMask.DECRYPT],
            name="kmip-smoke",
        )
        uid = client.register(key)
        steps.append("register uid=%s" % uid)
        client.activate(uid)
        steps.append("activate")
        got = client.get(uid)
        if got.value != key.value:
            raise AssertionError("Get returned different key bytes")
        steps.append("get %d-bit %s" % (got.cryptographic_length, got.cryptographic_algorithm.name))
        _, attrs = client.get_attributes(uid, ["State"])
        states = [a.attribute_value.value for a in attrs if a.attribute_name.value == "State"]
        if states != [enums.State.ACTIVE]:
            raise AssertionError("State after Activate is %r, expected ACTIVE" % (states,))
        steps.append("state=ACTIVE")
        client.revoke(enums.RevocationReasonCode.CESSATION_OF_OPERATION, uid)
        steps.append("revoke")
        client.destroy(uid)
        steps.append("destroy")
        try:
            client.get(uid)
        except pie_exceptions.KmipOperationFailure as e:
            if e.reason != enums.ResultReason.ITEM_NOT_FOUND:
                raise AssertionError("Get after Destroy: %s, expected ITEM_NOT_FOUND" % e.reason)
            steps.append("get-after-destroy=ITEM_NOT_FOUND")
        else:
            raise AssertionError("Get after Destroy succeeded")
    return steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=15696)
    here = os.path.dirname(os.path.abspath(__file__))
    default_pki = os.path.join(
        os.environ.get("KMIP_SERVER_DIR", os.path.join(here, "..", ".kmip-server")), "pki"
    )
    parser.add_argument("--pki", default=default_pki)
    parser.add_argument("--client", help="chain (+ key) PEM file; default PKI/client.pem")
    parser.add_argument("--key", help="key PEM file when not in --client")
    parser.add_argument("--ca", help="CA to verify the server with; default PKI/ca.pem")
    parser.add_argument("--password-file", help="password of an encrypted key")
    parser.add_argument("--kmip-version", default="1.2", choices=sorted(VERSIONS) + ["all"])
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    args.client = args.client or os.path.join(args.pki, "client.pem")
    args.ca = args.ca or os.path.join(args.pki, "ca.pem")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.CRITICAL)
    if not args.verbose:  # PyKMIP warns about its missing client config file on every client
        logging.getLogger("kmip.core.config_helper").setLevel(logging.CRITICAL)

    names = sorted(VERSIONS) if args.kmip_version == "all" else [args.kmip_version]
    failed = 0
    for name in names:
        try:
            steps = run_once(args, name)
        except Exception as e:  # one line per failure: exception type and text
            failed += 1
            print("FAIL %s %s: %s" % (name, type(e).__name__, e))
        else:
            print("PASS %s %s" % (name, ", ".join(steps)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
