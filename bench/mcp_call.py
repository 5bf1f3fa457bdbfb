#!/usr/bin/env python3
"""Authenticated MCP tools/call on mcpauth-server against the official TypeScript SDK server
(1.32.2 + express, requireBearerAuth) of ../shared/peers/mcp/server.mjs.

Ours (OAuth on: an ES256 access token from a real code flow through the sign-in and consent
forms, validated on every request):
- the legacy era on one session (2025-06-18, Mcp-Session-Id) and the stateless 2026-07-28 era,
  with the verified-token cache (the cache-hit path), each with a JSON reply (the `echo` tool)
  and an SSE reply. Our transport answers JSON unless a message must precede the response, so
  the SSE case calls `test_logging_tool` (--tools all) with the log level at info: one
  notifications/message event, then the response event, the tool run on the worker pool. That
  is more work than the SDK's SSE case (its echo's one response event), not less.
- the uncached JWT path: a second server with --token-cache-entries 0 (an ES256 verification
  per request);
- the 401 path (no token).
SDK v1, each case on its own process: stateful (one session) and stateless with an opaque-token
map, JSON and SSE replies; stateless with jose ES256 JWT verification (JSON); its 401. SDK v2
(2.4.0, bench/peer_sdk_v2.mjs: createMcpHandler behind the same token-map check, since the
peers folder has no v2 server with bearer auth): 2026-07-28 JSON, SSE (one progress
notification, then the answer), its 401. Pairs: legacy ↔ v1 stateful, 2026-07-28 ↔ v2 (the era
v1 lacks; v1's stateless rows stay in the table for reference), uncached ↔ v1 + jose, 401 ↔ v1's
401.

Usage: bench/mcp_call.py build/bin/mcpauth-server [--reps 3 --dur 10 --warmup 3 --mode pinned|
       unpinned|both --json out.json]   (bench/suite.py runs it with every other case)
"""
import json
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Case, free_port, run_standalone, setup_node_peer  # noqa: E402
import oauth_flow  # noqa: E402

ACCEPT = "application/json, text/event-stream"
GROUP = "MCP tools/call"


def call_body(meta=False, tool="echo", log_level=False):
    extra = ""
    if meta:
        extra = (',"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
                 '"io.modelcontextprotocol/clientCapabilities":{}' +
                 (',"io.modelcontextprotocol/logLevel":"info"' if log_level else "") + "}")
    args = '{"text":"hello"}' if tool == "echo" else "{}"
    return ('{"jsonrpc":"2.0","id":__ID__,"method":"tools/call","params":{"name":"' + tool +
            '","arguments":' + args + extra + '}}')


def post(url, headers, body):
    req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read().decode()


def legacy_session(url, extra_headers, log_level=None):
    """initialize + notifications/initialized (+ logging/setLevel); returns the session id."""
    h = {"Content-Type": "application/json", "Accept": ACCEPT, **extra_headers}
    _, hs, _ = post(url, h, '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{'
                            '"protocolVersion":"2025-06-18","capabilities":{},'
                            '"clientInfo":{"name":"wrk","version":"1"}}}')
    sid = hs["mcp-session-id"]
    h.update({"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"})
    post(url, h, '{"jsonrpc":"2.0","method":"notifications/initialized"}')
    if log_level:
        post(url, h, '{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"'
             + log_level + '"}}')
    return sid


V2 = "TS SDK v2 2.4.0"


def setup_peer_v2(build):
    """bench/peer_sdk_v2.mjs next to SDK v2's packages (@modelcontextprotocol/server 2.4.0)."""
    return setup_node_peer(build, "mcp-v2", "@modelcontextprotocol/server",
                           ["@modelcontextprotocol/server@2.4.0", "@modelcontextprotocol/node@2.1.2",
                            "zod@4"], source=os.path.join(os.path.dirname(__file__),
                                                          "peer_sdk_v2.mjs"))


def setup_peer(build):
    """The peer MCP server next to its npm packages (SDK 1.32.2, express, jose)."""
    return setup_node_peer(build, "mcp", "jose", ["@modelcontextprotocol/sdk@1.32.2",
                                                  "express@5.3.0", "jose@6.2.18"])


def headers_env(headers, body):
    env = {"WRK_METHOD": "POST", "WRK_PATH": "/mcp", "WRK_BODY": body,
           "WRK_HEADERS": "|".join(f"{k}: {v}" for k, v in headers.items())}
    return env


def check(case, headers, body, want_status, want_text=None, want_sse=False):
    """One call before measuring: a benchmark of errors measures nothing."""
    st, hs, text = post(case.url, headers, body.replace("__ID__", "1"))
    sse = hs.get("content-type", "").startswith("text/event-stream")
    if st != want_status or (want_text and want_text not in text) or sse != want_sse:
        sys.exit(f"mcp_call.py: {case.name} answered {st} ({hs.get('content-type')}): "
                 f"{text[:300]}")


def setup(ctx):
    node, peer_dir = setup_peer(ctx.build)
    data = os.path.join(ctx.tmp, "mcp")
    password = ctx.user(data)
    cached, base = ctx.ours(data, "--tools", "all")
    uncached, ubase = ctx.ours(data, "--token-cache-entries", "0")
    # One sign-in per server: its issuer is its own URL, so its tokens name it.
    token = oauth_flow.connect(base, "bench", password, 1)[1][0]["access_token"]
    utoken = oauth_flow.connect(ubase, "bench", password, 1)[1][0]["access_token"]
    url, uurl = base + "/mcp", ubase + "/mcp"
    bearer = {"Authorization": f"Bearer {token}"}
    plain = {"Content-Type": "application/json", "Accept": ACCEPT}
    # Two sessions, as a client would have: the JSON case's sets no log level (nor does the
    # SDK's session), the SSE case's asks for info so that test_logging_tool's message is sent.
    legacy = {**plain, "MCP-Protocol-Version": "2025-06-18", **bearer}
    legacy_sse = {**legacy, "Mcp-Session-Id": legacy_session(url, bearer, log_level="info")}
    legacy["Mcp-Session-Id"] = legacy_session(url, bearer)
    modern = {**plain, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call"}
    cases = []

    def add(name, pid, u, headers, body, peer=None, status=200, text='"hello"', sse=False,
            ours=True):
        c = Case(name, pid, u, env=headers_env(headers, body), group=GROUP, peer=peer,
                 expect="2xx" if status == 200 else str(status), ours=ours)
        check(c, headers, body, status, text, sse)
        cases.append(c)

    sdk = "TS SDK 1.32.2"
    add("mcpauth tools/call, 2025 session, JSON, token cached", cached.pid, url, legacy,
        call_body(), peer=f"{sdk} stateful tools/call, JSON")
    add("mcpauth tools/call, 2025 session, SSE, token cached", cached.pid, url, legacy_sse,
        call_body(tool="test_logging_tool"), peer=f"{sdk} stateful tools/call, SSE",
        text="Logging evaluated", sse=True)
    add("mcpauth tools/call, 2026-07-28 stateless, JSON, token cached", cached.pid, url,
        {**modern, "Mcp-Name": "echo", **bearer}, call_body(meta=True),
        peer=f"{V2} tools/call, 2026-07-28, JSON")
    add("mcpauth tools/call, 2026-07-28 stateless, SSE, token cached", cached.pid, url,
        {**modern, "Mcp-Name": "test_logging_tool", **bearer},
        call_body(meta=True, tool="test_logging_tool", log_level=True),
        peer=f"{V2} tools/call, 2026-07-28, SSE", text="Logging evaluated", sse=True)
    add("mcpauth tools/call, 2026-07-28, ES256 verified per request (uncached)", uncached.pid,
        uurl, {**modern, "Mcp-Name": "echo", "Authorization": f"Bearer {utoken}"},
        call_body(meta=True), peer=f"{sdk} stateless tools/call, jose ES256 per request")
    # The 401 path: a fixed body (no per-request id), so wrk's Lua is not the bottleneck.
    add("mcpauth 401 (no token)", cached.pid, url, {**modern, "Mcp-Name": "echo"},
        call_body(meta=True).replace("__ID__", "1"), peer=f"{sdk} 401 (no token)", status=401,
        text=None)
    for mode, verifier, reply in (("stateful", "map", "json"), ("stateful", "map", "sse"),
                                  ("stateless", "map", "json"), ("stateless", "map", "sse"),
                                  ("stateless", "jwt", "json")):
        port = free_port()
        p = ctx.spawn([node, "server.mjs", str(port), mode, verifier, reply], port, cwd=peer_dir)
        purl = f"http://127.0.0.1:{port}/mcp"
        with open(os.path.join(peer_dir, "tokens.json")) as f:  # written before it listens
            ptoken = json.load(f)["jwt" if verifier == "jwt" else "opaque"]
        auth = {"Authorization": f"Bearer {ptoken}"}
        h = {**plain, "MCP-Protocol-Version": "2025-06-18", **auth}
        if mode == "stateful":
            h["Mcp-Session-Id"] = legacy_session(purl, auth)
        label = "jose ES256 per request" if verifier == "jwt" else reply.upper()
        # Stateless: a fixed id (each request is a new server); stateful: unique ids.
        body = call_body() if mode == "stateful" else call_body().replace("__ID__", "1")
        add(f"{sdk} {mode} tools/call, {label}", p.pid, purl, h, body, sse=reply == "sse",
            ours=False)
        if (mode, verifier, reply) == ("stateless", "map", "json"):
            del h["Authorization"]
            add(f"{sdk} 401 (no token)", p.pid, purl, h, body, status=401, text=None,
                ours=False)
    # SDK v2: the 2026-07-28 era (stateless by design), JSON and SSE (a progress notification
    # first), its 401; a token map as the v1 peer's `map` verifier.
    v2node, v2dir = setup_peer_v2(ctx.build)
    port = free_port()
    p = ctx.spawn([v2node, "peer_sdk_v2.mjs", str(port)], port, cwd=v2dir)
    purl = f"http://127.0.0.1:{port}/mcp"
    with open(os.path.join(v2dir, "tokens.json")) as f:
        v2auth = {"Authorization": f"Bearer {json.load(f)['opaque']}"}
    body = call_body(meta=True).replace("__ID__", "1")
    add(f"{V2} tools/call, 2026-07-28, JSON", p.pid, purl, {**modern, "Mcp-Name": "echo", **v2auth},
        body, ours=False)
    progress = ('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"progress",'
                '"arguments":{},"_meta":{"progressToken":1,'
                '"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
                '"io.modelcontextprotocol/clientCapabilities":{}}}}')
    add(f"{V2} tools/call, 2026-07-28, SSE", p.pid, purl,
        {**modern, "Mcp-Name": "progress", **v2auth}, progress, text="done", sse=True, ours=False)
    add(f"{V2} 401 (no token)", p.pid, purl, {**modern, "Mcp-Name": "echo"}, body, status=401,
        text=None, ours=False)
    return cases


if __name__ == "__main__":
    run_standalone(__doc__, setup)
