#!/usr/bin/env python3
"""Prints the access and refresh tokens held in an mcpauth encrypted credential file, one a line.

Usage: store_tokens.py PATH        (the key is read from MCPAUTH_STORE_KEY: 64 hex digits)

For tests only: they grep what `mcpauth proxy` wrote for these exact values (a token must never
reach an MCP message). The file layout is the one src/keyring/encrypted_file_store.cpp writes:
"MCPAUTHC", version 1, KDF 1 (HKDF-SHA256 over the hex key, info "mcpauth credential file v1"),
16-byte salt, 12-byte nonce, then AES-256-GCM ciphertext and tag, the header as additional data.
"""
import json
import os
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def main():
    data = open(sys.argv[1], "rb").read()
    header_len = 8 + 2 + 16 + 12
    if data[:8] != b"MCPAUTHC" or data[8] != 1 or data[9] != 1:
        sys.exit("not an HKDF-keyed mcpauth credential file")
    salt, nonce = data[10:26], data[26:38]
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
               info=b"mcpauth credential file v1").derive(bytes.fromhex(os.environ["MCPAUTH_STORE_KEY"]))
    plain = AESGCM(key).decrypt(nonce, data[header_len:], data[:header_len])
    for record in json.loads(plain)["credentials"]:
        payload = json.loads(record["payload"])
        for name in ("access_token", "refresh_token"):
            if payload.get(name):
                print(payload[name])


if __name__ == "__main__":
    main()
