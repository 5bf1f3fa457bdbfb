#!/usr/bin/env python3
"""The token endpoint: mcpauth's refresh_token grant with rotation, durable on SQLite, against
oidc-provider 9.13.3's /token (client_credentials, ES256 JWT access tokens: its fastest grant that
mints a JWT; it keeps everything in memory).

Ours: every wrk thread has one connection and its own refresh-token chain (bench/wrk/refresh.lua),
so each request rotates: one SQLite transaction (mark the old token used, store the successor,
touch the grant), one ES256 signature, one audit row. The starting tokens come from real
authorization-code flows through the login and consent forms (test/tools/form_browser.py).
Both servers pinned to CPU 0 (ours with one network thread), wrk on CPU 1, alternating,
`--reps` x `--dur` s after a warm-up; server CPU µs per request is the stable figure.

Usage: bench/token_refresh.py build/bin/mcpauth-server [--reps 3 --dur 10 --warmup 3 --json out]
"""
import argparse
import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import setup_node_peer, free_port, median_row, measure, print_table, stop_all, wait_port, wrk  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS = os.path.join(os.path.dirname(ROOT), "shared", "peers")
import oauth_flow  # noqa: E402
from oauth_flow import post  # noqa: E402

THREADS = 8  # wrk threads = connections = refresh chains


def refresh_tokens(issuer, user, password, n):
    client_id, tokens = oauth_flow.connect(issuer, user, password, n, scope="mcp:tools")
    return client_id, [t["refresh_token"] for t in tokens]


def setup_oidc(build):
    return setup_node_peer(build, "oidc", "oidc-provider", ["oidc-provider@9.13.3"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dur", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    node, oidc_dir = setup_oidc(a.build)
    lua_refresh = os.path.join(HERE, "wrk/refresh.lua")
    lua_req = os.path.join(PEERS, "wrk/req.lua")
    tmp = tempfile.mkdtemp(prefix="mcpauth-bench-")
    procs = []
    try:
        data = os.path.join(tmp, "var")
        password = secrets.token_urlsafe(24)
        subprocess.run([a.server, "user", "add", "bench", "--password-stdin", "--data-dir", data],
                       input=password + "\n", text=True, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        ours = subprocess.Popen(
            ["taskset", "-c", "0", a.server, "--listen", f"127.0.0.1:{port}", "--threads", "1",
             "--data-dir", data, "--log-level", "warn"])
        procs.append(ours)
        wait_port(port)
        issuer = f"http://127.0.0.1:{port}"
        oport = 18300
        oidc = subprocess.Popen(["taskset", "-c", "0", node, "server.mjs", str(oport), "jwt"],
                                cwd=oidc_dir, stdout=subprocess.DEVNULL)
        procs.append(oidc)
        wait_port(oport)
        basic = base64.b64encode(b"bench:benchsecret-0123456789abcdef0123456789abcdef").decode()
        oidc_env = {"WRK_METHOD": "POST", "WRK_PATH": "/token",
                    "WRK_BODY": "grant_type=client_credentials&scope=mcp",
                    "WRK_HEADERS": "Content-Type: application/x-www-form-urlencoded|"
                                   f"Authorization: Basic {basic}"}
        st, body = post(f"http://127.0.0.1:{oport}/token", oidc_env["WRK_BODY"],
                        {"Content-Type": "application/x-www-form-urlencoded",
                         "Authorization": f"Basic {basic}"})
        if st != 200 or "access_token" not in body:
            sys.exit(f"oidc-provider answered {st}: {body[:200]}")

        def ours_env():
            # Fresh chains for every run: a chain's last token is only known to its wrk thread.
            client_id, toks = refresh_tokens(issuer, "bench", password, THREADS)
            return {"REFRESH_TOKENS": ",".join(toks), "REFRESH_CLIENT": client_id}

        wrk(issuer + "/token", a.warmup, conns=THREADS, threads=THREADS, script=lua_refresh,
            env=ours_env())
        wrk(f"http://127.0.0.1:{oport}/token", a.warmup, script=lua_req, env=oidc_env)
        ours_name = "mcpauth refresh_token (rotation, SQLite, ES256 JWT)"
        peer_name = "oidc-provider 9.13.3 client_credentials (memory, ES256 JWT)"
        results = {ours_name: [], peer_name: []}
        for _ in range(a.reps):
            results[ours_name] += measure(ours_name, ours.pid, issuer + "/token", 1, a.dur,
                                          script=lua_refresh, env=ours_env(), conns=THREADS,
                                          threads=THREADS)["runs"]
            results[peer_name] += measure(peer_name, oidc.pid, f"http://127.0.0.1:{oport}/token",
                                          1, a.dur, script=lua_req, env=oidc_env)["runs"]
        rows = [median_row(ours_name, results[ours_name]), median_row(peer_name, results[peer_name])]
        print(f"\nToken endpoint, pinned (server on CPU 0; wrk on CPU 1: ours -t{THREADS} "
              f"-c{THREADS}, one chain per connection; peer -t1 -c32), {a.reps} x {a.dur} s, "
              f"medians, {time.strftime('%Y-%m-%d')}\n")
        print_table(rows, ref_case=peer_name)
        ratio = rows[0]["rps"] / rows[1]["rps"]
        print(f"\nreq/s ratio mcpauth / oidc-provider: {ratio:.1f}x")
        bad = [r["case"] for r in rows if r["non2xx"]]
        if bad:
            print(f"\nWARNING: non-2xx answers in {bad}")
        if a.json:
            with open(a.json, "w") as f:
                json.dump(rows, f, indent=1)
    finally:
        stop_all(procs)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
