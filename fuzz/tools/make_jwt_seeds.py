#!/usr/bin/env python3
# Writes the seed inputs of fuzz/corpus/jwt: mode-0 tokens signed with the RFC 7515 Appendix A.3
# P-256 key (public test material, the key jwt_fuzz.cpp verifies with), and mode-1/2 inputs.
# Needs python3-cryptography. Usage: fuzz/tools/make_jwt_seeds.py fuzz/corpus/jwt
import base64, json, os, sys
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

def b64d(s): return base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))
def b64e(b): return base64.urlsafe_b64encode(b).rstrip(b'=').decode()
d = int.from_bytes(b64d("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"), 'big')
key = ec.derive_private_key(d, ec.SECP256R1())

def sign(header, claims):
    h = b64e(header if isinstance(header, bytes) else json.dumps(header, separators=(',', ':')).encode())
    p = b64e(claims if isinstance(claims, bytes) else json.dumps(claims, separators=(',', ':')).encode())
    si = (h + '.' + p).encode()
    r, s = decode_dss_signature(key.sign(si, ec.ECDSA(hashes.SHA256())))
    return h + '.' + p + '.' + b64e(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))

out = sys.argv[1]
now = 1700000000
good_h = {"alg": "ES256", "typ": "at+jwt", "kid": "k1"}
good_c = {"iss": "https://as.example", "sub": "user-1", "aud": "https://mcp.example/mcp",
          "client_id": "https://client.example/meta.json", "scope": "mcp:tools offline_access",
          "jti": "j1", "iat": now - 10, "exp": now + 3600, "nbf": now - 10}
def w(name, data):
    open(os.path.join(out, name), 'wb').write(data)
w("m0_valid", b"\x00" + sign(good_h, good_c).encode())
w("m0_valid_aud_array", b"\x00" + sign(dict(good_h, typ="application/AT+JWT"), dict(good_c, aud=["x", "https://mcp.example/mcp"], exp=now + 0.5)).encode())
w("m0_expired_leeway", b"\x00" + sign(good_h, dict(good_c, exp=now - 59.999)).encode())
w("m0_wrong_iss", b"\x00" + sign(good_h, dict(good_c, iss="https://as.example/")).encode())
w("m0_alg_none", b"\x00" + (sign({"alg": "none", "kid": "k1", "typ": "at+jwt"}, good_c).rsplit('.', 1)[0] + ".").encode())
w("m0_hs256", b"\x00" + sign({"alg": "HS256", "kid": "k1", "typ": "at+jwt"}, good_c).encode())
w("m0_jwt_typ", b"\x00" + sign(dict(good_h, typ="JWT"), good_c).encode())
w("m0_kid_injection", b"\x00" + sign(dict(good_h, kid="../../../../dev/null"), good_c).encode())
w("m0_padded", b"\x00" + (sign(good_h, good_c) + "==").encode())
w("m0_garbage", b"\x00a.b.c")
w("m1_header_claims", b"\x01" + json.dumps(good_h).encode() + b"\n" + json.dumps(good_c).encode())
w("m1_crit", b"\x01" + b'{"alg":"ES256","kid":"k1","typ":"at+jwt","crit":["exp"]}\n' + json.dumps(good_c).encode())
w("m1_dup_alg", b"\x01" + b'{"alg":"none","kid":"k1","typ":"at+jwt","alg":"ES256"}\n' + json.dumps(good_c).encode())
w("m1_not_json", b"\x01" + b'{"alg":"ES256"}\nnot json')
w("m2_claims", b"\x02" + json.dumps(good_c).encode())
w("m2_types", b"\x02" + b'{"iss":"https://as.example","sub":1,"aud":"https://mcp.example/mcp","client_id":"c","exp":"1800000000"}')
w("m2_big_numbers", b"\x02" + b'{"iss":"https://as.example","sub":"s","aud":"https://mcp.example/mcp","client_id":"c","exp":1e308,"nbf":-9223372036854775808,"iat":18446744073709551615}')
w("m2_nbf_future", b"\x02" + json.dumps(dict(good_c, nbf=now + 61)).encode())
