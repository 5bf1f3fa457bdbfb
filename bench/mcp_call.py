#!/usr/bin/env python3
"""Authenticated MCP tools/call (the echo tool) on mcpauth-server against the official TypeScript
SDK server with its requireBearerAuth middleware.

Ours (OAuth on: an ES256 access token from a real code flow through the sign-in and consent
forms, validated on every request): the legacy era on one session (2025-11-25, Mcp-Session-Id)
and the stateless 2026-07-28 era, both with the verified-token cache (the cache-hit path); the
uncached JWT path (a second server with --token-cache-entries 0: an ES256 verification per
request); and the 401 path (no token). The peer: ../shared/peers/mcp/server.mjs (SDK 1.32.2 +
express): stateful (one session) and stateless with an opaque-token map, stateless with jose
ES256 JWT verification, and its 401. JSON replies. Every server pinned to CPU 0 (ours with one
network thread), wrk (-t1 -c32, unique JSON-RPC ids) on CPU 1, alternating, `--reps` x `--dur` s
after a warm-up; server CPU µs per request is the figure to compare.

Usage: bench/mcp_call.py build/bin/mcpauth-server [--reps 3 --dur 10 --warmup 3 --json out.json]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import setup_node_peer, free_port, median_row, measure, print_table, stop_all, wait_port, wrk  # noqa: E402
import oauth_flow  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS = os.path.join(os.path.dirname(ROOT), "shared", "peers")
ACCEPT = "application/json, text/event-stream"
META = ('"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
        '"io.modelcontextprotocol/clientCapabilities":{}}')


def call_body(meta=False):
    extra = "," + META if meta else ""
    return ('{"jsonrpc":"2.0","id":__ID__,"method":"tools/call","params":{"name":"echo",'
            '"arguments":{"text":"hello"}' + extra + '}}')


def post(url, headers, body):
    req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, dict(r.headers), r.read().decode()


def legacy_session(url, extra_headers):
    h = {"Content-Type": "application/json", "Accept": ACCEPT, **extra_headers}
    _, hs, _ = post(url, h, '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{'
                            '"protocolVersion":"2025-06-18","capabilities":{},'
                            '"clientInfo":{"name":"wrk","version":"1"}}}')
    sid = {k.lower(): v for k, v in hs.items()}["mcp-session-id"]
    post(url, {**h, "Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"},
         '{"jsonrpc":"2.0","method":"notifications/initialized"}')
    return sid


def setup_peer(build):
    """The peer MCP server next to its npm packages (SDK 1.32.2, express, jose)."""
    return setup_node_peer(build, "mcp", "jose", ["@modelcontextprotocol/sdk@1.32.2",
                                                  "express@5.3.0", "jose@6.2.18"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dur", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    node, peer_dir = setup_peer(a.build)
    lua = os.path.join(PEERS, "wrk/req.lua")
    tmp = tempfile.mkdtemp(prefix="mcpauth-bench-")
    procs = []
    try:
        data = os.path.join(tmp, "var")
        password = "bench-" + os.urandom(12).hex()
        subprocess.run([a.server, "user", "add", "bench", "--password-stdin", "--data-dir", data],
                       input=password + "\n", text=True, check=True, stdout=subprocess.DEVNULL)
        ours = {}
        for name, extra in (("cached", []), ("uncached", ["--token-cache-entries", "0"])):
            port = free_port()
            p = subprocess.Popen(
                ["taskset", "-c", "0", a.server, "--listen", f"127.0.0.1:{port}", "--threads",
                 "1", "--data-dir", data, "--log-level", "warn"] + extra)
            procs.append(p)
            wait_port(port)
            ours[name] = (p, f"http://127.0.0.1:{port}")
        # One sign-in per server: its issuer is its own URL, so its tokens name it.
        tokens = {name: oauth_flow.connect(base, "bench", password, 1)[1][0]["access_token"]
                  for name, (_, base) in ours.items()}
        cases = []
        pid, base = ours["cached"]
        url = base + "/mcp"
        bearer = f"Authorization: Bearer {tokens['cached']}"
        sid = legacy_session(url, {"Authorization": f"Bearer {tokens['cached']}"})
        cases.append(("mcpauth legacy session tools/call, token cached", pid.pid, url, {
            "WRK_METHOD": "POST", "WRK_PATH": "/mcp", "WRK_BODY": call_body(),
            "WRK_HEADERS": f"Content-Type: application/json|Accept: {ACCEPT}|"
                           f"MCP-Protocol-Version: 2025-06-18|Mcp-Session-Id: {sid}|{bearer}"}))
        modern = (f"Content-Type: application/json|Accept: {ACCEPT}|"
                  "MCP-Protocol-Version: 2026-07-28|Mcp-Method: tools/call|Mcp-Name: echo")
        cases.append(("mcpauth 2026-07-28 stateless tools/call, token cached", pid.pid, url, {
            "WRK_METHOD": "POST", "WRK_PATH": "/mcp", "WRK_BODY": call_body(meta=True),
            "WRK_HEADERS": f"{modern}|{bearer}"}))
        # The 401 path: a fixed body (no per-request id), so wrk's Lua is not the bottleneck.
        cases.append(("mcpauth 401 (no token)", pid.pid, url, {
            "WRK_METHOD": "POST", "WRK_PATH": "/mcp",
            "WRK_BODY": call_body(meta=True).replace("__ID__", "1"),
            "WRK_HEADERS": modern, "EXPECT": "401"}))
        upid, ubase = ours["uncached"]
        cases.append(("mcpauth 2026-07-28 stateless, ES256 verified per request", upid.pid,
                      ubase + "/mcp", {
                          "WRK_METHOD": "POST", "WRK_PATH": "/mcp",
                          "WRK_BODY": call_body(meta=True),
                          "WRK_HEADERS": f"{modern}|Authorization: Bearer {tokens['uncached']}"}))
        for mode, verifier in (("stateful", "map"), ("stateless", "map"), ("stateless", "jwt")):
            port = free_port()
            p = subprocess.Popen(["taskset", "-c", "0", node, "server.mjs", str(port), mode,
                                  verifier, "json"], cwd=peer_dir, stdout=subprocess.DEVNULL)
            procs.append(p)
            wait_port(port)
            url = f"http://127.0.0.1:{port}/mcp"
            token = json.load(open(os.path.join(peer_dir, "tokens.json")))[
                "jwt" if verifier == "jwt" else "opaque"]
            auth = {"Authorization": f"Bearer {token}"}
            headers = (f"Content-Type: application/json|Accept: {ACCEPT}|"
                       f"MCP-Protocol-Version: 2025-06-18|Authorization: Bearer {token}")
            if mode == "stateful":
                headers += f"|Mcp-Session-Id: {legacy_session(url, auth)}"
            label = "ES256 JWT verified per request" if verifier == "jwt" else "token map"
            cases.append((f"TS SDK 1.32.2 {mode} tools/call, {label}", p.pid, url, {
                "WRK_METHOD": "POST", "WRK_PATH": "/mcp",
                "WRK_BODY": call_body() if mode == "stateful" else call_body().replace(
                    "__ID__", "1"),
                "WRK_HEADERS": headers}))
            if mode == "stateless" and verifier == "map":
                cases.append(("TS SDK 1.32.2 401 (no token)", p.pid, url, {
                    "WRK_METHOD": "POST", "WRK_PATH": "/mcp",
                    "WRK_BODY": call_body().replace("__ID__", "1"),
                    "WRK_HEADERS": headers.replace(f"|Authorization: Bearer {token}", ""),
                    "EXPECT": "401"}))
        # One checked call per case before measuring: a benchmark of errors measures nothing.
        for name, _, url, env in cases:
            h = dict(x.split(": ", 1) for x in env["WRK_HEADERS"].split("|"))
            try:
                st, _, body = post(url, h, env["WRK_BODY"].replace("__ID__", "1"))
            except urllib.error.HTTPError as e:
                st, body = e.code, e.read().decode()
            if env.get("EXPECT") == "401":
                if st != 401:
                    sys.exit(f"mcp_call.py: {name} answered {st}, not 401: {body[:200]}")
            elif st != 200 or '"hello"' not in body:
                sys.exit(f"mcp_call.py: {name} answered {st}: {body[:200]}")
        for name, _, url, env in cases:
            wrk(url, a.warmup, script=lua, env=env)
        results = {c[0]: [] for c in cases}
        for _ in range(a.reps):
            for name, pid, url, env in cases:
                results[name] += measure(name, pid, url, 1, a.dur, script=lua, env=env)["runs"]
        rows = [median_row(c[0], results[c[0]]) for c in cases]
        print(f"\nMCP tools/call echo, pinned (server on CPU 0, 1 thread; wrk -t1 -c32 on CPU 1), "
              f"{a.reps} x {a.dur} s, medians, {time.strftime('%Y-%m-%d')}\n")
        print_table(rows, ref_case="TS SDK 1.32.2 stateful tools/call, token map")
        bad = [r["case"] for r in rows if r["non2xx"] and "401" not in r["case"]]
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
