"""Tokens for the benchmarks, obtained the way a real client gets them: dynamic registration, an
authorization-code flow with PKCE through the real sign-in and consent forms
(test/tools/form_browser.py), and the code exchange."""
import base64
import contextlib
import hashlib
import http.cookiejar
import io
import json
import os
import secrets
import sys
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "tools"))
import form_browser  # noqa: E402

REDIRECT = "http://127.0.0.1:9/callback"


def post(url, body, headers):
    req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.read().decode()


def authorize_url(issuer, client_id, challenge, scope):
    return issuer + "/authorize?" + urllib.parse.urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
        "code_challenge": challenge, "code_challenge_method": "S256",
        "scope": scope, "resource": issuer + "/mcp"})


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def connect(issuer, user, password, n, scope="mcp:read mcp:tools", jar=None):
    """Registers a public client and runs n code flows; returns (client_id, [token responses]).
    `jar` keeps the browser's cookies (the sign-in session) for the caller."""
    _, body = post(issuer + "/register", json.dumps({
        "client_name": "bench", "redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"]}),
        {"Content-Type": "application/json"})
    client_id = json.loads(body)["client_id"]
    jar = http.cookiejar.CookieJar() if jar is None else jar
    tokens = []
    for _ in range(n):
        verifier, challenge = pkce_pair()
        url = authorize_url(issuer, client_id, challenge, scope)
        with contextlib.redirect_stdout(io.StringIO()):  # its "CALLBACK <url>" line
            callback = form_browser.authorize(url, user, password, follow_callback=False, jar=jar)
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(callback).query)["code"][0]
        _, body = post(issuer + "/token", urllib.parse.urlencode({
            "grant_type": "authorization_code", "client_id": client_id, "code": code,
            "code_verifier": verifier, "redirect_uri": REDIRECT}),
            {"Content-Type": "application/x-www-form-urlencoded"})
        tokens.append(json.loads(body))
    return client_id, tokens
