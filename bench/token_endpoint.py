#!/usr/bin/env python3
"""The token endpoint: mcpauth (durable, SQLite) against oidc-provider 9.13.3 (in memory),
grant for grant, through bench/peer_oidc.mjs (the provider set up for these grants).

- refresh_token with rotation, ES256 JWT access tokens: every wrk thread has one connection and
  its own refresh-token chain (bench/wrk/refresh.lua), fresh chains for every run. Ours: one
  SQLite transaction per request (the old token used, the successor stored, the grant touched,
  the audit row) and one ES256 signature. Our starting tokens come from real code flows through
  the sign-in and consent forms; the provider's from its RefreshToken model.
- the authorization-code exchange. A code lives 60 s and is single-use, so a 10 s run needs tens
  of thousands: too many for the form flow in Python. The fast path still goes through
  /authorize and /token: bench/wrk/code_flow.lua sends, on each connection, GET /authorize (the
  user signed in by its session cookie, consent on record, so it answers 302 with a fresh code,
  PKCE S256 with a fixed challenge), then POST /token with that code and the verifier. A second
  load sends only the GET /authorize. The exchange's CPU per request is the pair's CPU minus
  the /authorize's (both measured in the same round); its rate is the pairs per second. The
  provider's /auth needs an interactive login, so its codes come from GET /bench/code (its
  AuthorizationCode model, answered the same way) and its mint cost is subtracted alike.
- introspection (RFC 7662) with client_secret_basic. Ours: an access token (an ES256 JWT: the
  signature is verified, then its grant is read) and a refresh token (a hash lookup), asked by a
  confidential resource-server client; the provider's: an opaque access token (its memory).

Usage: bench/token_endpoint.py build/bin/mcpauth-server [--reps 3 --dur 10 --warmup 3 --mode
       pinned|unpinned|both --json out.json]   (bench/suite.py runs it with every other case)
"""
import base64
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Case, HERE, free_port, run_standalone, setup_node_peer  # noqa: E402
import oauth_flow  # noqa: E402
from oauth_flow import post  # noqa: E402

CHAINS = 8  # wrk threads = connections = refresh chains
GROUP = "token endpoint"
REFRESH_LUA = os.path.join(HERE, "wrk/refresh.lua")
CODE_LUA = os.path.join(HERE, "wrk/code_flow.lua")
PEER_BASIC = base64.b64encode(b"bench:benchsecret-0123456789abcdef0123456789abcdef").decode()
OIDC = "oidc-provider 9.13.3"


def setup_oidc(build):
    return setup_node_peer(build, "oidc", "oidc-provider", ["oidc-provider@9.13.3"],
                           source=os.path.join(HERE, "peer_oidc.mjs"))


def form_env(path, body, basic):
    return {"WRK_METHOD": "POST", "WRK_PATH": path, "WRK_BODY": body,
            "WRK_HEADERS": "Content-Type: application/x-www-form-urlencoded|"
                           f"Authorization: Basic {basic}"}


def derive_exchange(authorize_case):
    """The pair row becomes the exchange's: CPU per pair minus CPU per authorize; pairs/s."""
    def derive(row, by_name):
        a = by_name[authorize_case]
        row["pair_cpu_us"] = 2 * row["cpu_us_per_req"]
        row["cpu_us_per_req"] = max(row["pair_cpu_us"] - a["cpu_us_per_req"], 0.0)
        row["rps"] = row["rps"] / 2
        row["note"] = "derived: (authorize + token) pair minus authorize; p50/p99 of the pair run"
    return derive


def code_cases(name, pid, base, authorize, cookie, token_body, peer=None, ours=True):
    auth_name = f"{name} {'GET /authorize' if ours else 'GET /bench/code (model mint)'} alone"
    common = {"CODE_AUTHORIZE": authorize, "CODE_COOKIE": cookie, "CODE_TOKEN_BODY": token_body}
    return [Case(auth_name, pid, base + "/token", env={**common, "CODE_MODE": "authorize"},
                 script=CODE_LUA, group=GROUP, expect="302", ours=ours),
            Case(f"{name} authorization_code exchange", pid, base + "/token",
                 env={**common, "CODE_MODE": "pair"}, script=CODE_LUA, group=GROUP, peer=peer,
                 derive=derive_exchange(auth_name), ours=ours)]


def check_pair(base, authorize, cookie, token_body, what):
    req = urllib.request.Request(base + authorize, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(oauth_flow.form_browser.NoRedirect)
    try:
        opener.open(req, timeout=10)
        sys.exit(f"token_endpoint.py: {what} /authorize did not redirect")
    except urllib.error.HTTPError as e:
        location = e.headers.get("Location", "")
    m = re.search(r"[?&]code=([^&]+)", location)
    if not m:
        sys.exit(f"token_endpoint.py: {what} /authorize gave no code: {location[:200]}")
    st, body = post(base + "/token", token_body + "&code=" + m.group(1),
                    {"Content-Type": "application/x-www-form-urlencoded"})
    if st != 200 or "access_token" not in body:
        sys.exit(f"token_endpoint.py: {what} exchange answered {st}: {body[:200]}")


PEER_REFRESH = f"{OIDC} refresh_token (rotation, memory, ES256 JWT)"
PEER_EXCHANGE = f"{OIDC} authorization_code exchange"
PEER_INTRO = f"{OIDC} introspection (opaque access token, memory)"


def check_refresh(base, env):
    st, body = post(base + "/token", urllib.parse.urlencode({
        "grant_type": "refresh_token", "client_id": env["REFRESH_CLIENT"],
        "refresh_token": env["REFRESH_TOKENS"].split(",")[0]}),
        {"Content-Type": "application/x-www-form-urlencoded"})
    if st != 200 or "refresh_token" not in body:
        sys.exit(f"token_endpoint.py: refresh at {base} answered {st}: {body[:200]}")


def check_introspection(name, url, token, basic):
    st, body = post(url, "token=" + token, {"Authorization": f"Basic {basic}",
                                            "Content-Type": "application/x-www-form-urlencoded"})
    if st != 200 or '"active":true' not in body.replace(" ", ""):
        sys.exit(f"token_endpoint.py: {name} answered {st}: {body[:200]}")


def prepare_store(ctx, data):
    """A user and a confidential resource-server client (for introspection) in the store under
    `data`; returns (password, Basic credentials of the client)."""
    password = ctx.user(data)
    out = subprocess.run([ctx.server, "client", "add", "bench-rs", "--resource-server",
                          "--data-dir", data], capture_output=True, text=True, check=True).stdout
    rs_id = re.search(r"client_id: (\S+)", out).group(1)
    rs_secret = re.search(r"client_secret: (\S+)", out).group(1)
    return password, base64.b64encode(f"{rs_id}:{rs_secret}".encode()).decode()


def our_cases(pid, issuer, password, rs_basic, label="mcpauth"):
    """Refresh rotation, the code exchange (and /authorize alone), introspection, on our server
    at `issuer` whose store holds user "bench" with `password`."""
    def chains():
        # Fresh chains for every run: a chain's last token is only known to its wrk thread.
        client_id, toks = oauth_flow.connect(issuer, "bench", password, CHAINS, scope="mcp:tools")
        return {"REFRESH_TOKENS": ",".join(t["refresh_token"] for t in toks),
                "REFRESH_CLIENT": client_id}

    check_refresh(issuer, chains())
    cases = [Case(f"{label} refresh_token (rotation, SQLite, ES256 JWT)", pid, issuer + "/token",
                  env=chains, script=REFRESH_LUA, conns=CHAINS, threads=CHAINS, group=GROUP,
                  peer=PEER_REFRESH)]
    # The code flow's fast path: consent on record and a signed-in session (cookie).
    jar = http.cookiejar.CookieJar()
    client_id, toks = oauth_flow.connect(issuer, "bench", password, 1, scope="mcp:tools", jar=jar)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    verifier, challenge = oauth_flow.pkce_pair()
    authorize = oauth_flow.authorize_url(issuer, client_id, challenge, "mcp:tools")[len(issuer):]
    body = urllib.parse.urlencode({"grant_type": "authorization_code", "client_id": client_id,
                                   "code_verifier": verifier,
                                   "redirect_uri": oauth_flow.REDIRECT})
    check_pair(issuer, authorize, cookie, body, label)
    cases += code_cases(label, pid, issuer, authorize, cookie, body, peer=PEER_EXCHANGE)
    for what, token in (("ES256 JWT access token", toks[0]["access_token"]),
                        ("refresh token, SQLite", toks[0]["refresh_token"])):
        name = f"{label} introspection ({what})"
        check_introspection(name, issuer + "/introspect", token, rs_basic)
        cases.append(Case(name, pid, issuer + "/introspect",
                          env=form_env("/introspect", "token=" + token, rs_basic), group=GROUP,
                          peer=PEER_INTRO))
    return cases


def peer_cases(ctx):
    """The same grants on oidc-provider (bench/peer_oidc.mjs)."""
    node, oidc_dir = setup_oidc(ctx.build)
    oport = free_port()
    oidc = ctx.spawn([node, "peer_oidc.mjs", str(oport)], oport, cwd=oidc_dir)
    obase = f"http://127.0.0.1:{oport}"

    def chains():
        _, body = post(f"{obase}/bench/refresh-tokens?n={CHAINS}", "", {})
        return {"REFRESH_TOKENS": ",".join(json.loads(body)), "REFRESH_CLIENT": "bench-public"}

    check_refresh(obase, chains())
    cases = [Case(PEER_REFRESH, oidc.pid, obase + "/token", env=chains, script=REFRESH_LUA,
                  conns=CHAINS, threads=CHAINS, group=GROUP, ours=False)]
    verifier, challenge = oauth_flow.pkce_pair()
    body = urllib.parse.urlencode({"grant_type": "authorization_code",
                                   "client_id": "bench-public", "code_verifier": verifier,
                                   "redirect_uri": oauth_flow.REDIRECT})
    mint = "/bench/code?code_challenge=" + challenge
    check_pair(obase, mint, "", body, OIDC)
    cases += code_cases(OIDC, oidc.pid, obase, mint, "", body, ours=False)
    _, b = post(obase + "/token", "grant_type=client_credentials&scope=mcp",
                {"Authorization": f"Basic {PEER_BASIC}",
                 "Content-Type": "application/x-www-form-urlencoded"})
    token, url = json.loads(b)["access_token"], obase + "/token/introspection"
    check_introspection(PEER_INTRO, url, token, PEER_BASIC)
    cases.append(Case(PEER_INTRO, oidc.pid, url,
                      env=form_env("/token/introspection", "token=" + token, PEER_BASIC),
                      group=GROUP, ours=False))
    return cases


def setup(ctx):
    data = os.path.join(ctx.tmp, "token")
    password, rs_basic = prepare_store(ctx, data)
    ours, issuer = ctx.ours(data)
    return our_cases(ours.pid, issuer, password, rs_basic) + peer_cases(ctx)


if __name__ == "__main__":
    run_standalone(__doc__, setup)
