#!/usr/bin/env python3
"""How our figures move as the data grows.

1. The token endpoint with 10k, 100k and 1M grants already stored: the cases of
   token_endpoint.our_cases (refresh rotation, code exchange, introspection) on a store seeded
   to each size in turn (the server restarted on it), plus the database's size and the server's
   RSS. Seeding goes straight into the SQLite file while the server is stopped, through our
   schema (the tables the server created and migrated): per grant one `grants` row, one live
   refresh token (the SHA-256 hex of 32 random bytes in base64url, as core::TokenHash stores a
   token minted by core::GenerateToken; the token itself is thrown away) and one audit row.
   Grants are spread over 1,000 users and 10,000 clients (ids that need no row: grants keep no
   foreign key to them), in batches of 50,000 rows per transaction: about 10 s per 100k here.
2. RSS with 10k open MCP sessions (2025 era, the default session table's bound): our server
   and the SDK's stateful server, idle, after 1k and after 10k sessions (each an initialize on
   a keep-alive connection), and ours' tools/call CPU per request with 10k sessions open.

The goal is flat within 20% from 10k to 1M. Usage: bench/data_scale.py build/bin/mcpauth-server
[--sizes 10000,100000,1000000 --sessions 10000 --reps 3 --dur 10 --warmup 3 --json out.json]
"""
import base64
import hashlib
import http.client
import json
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Case, Context, Mode, add_ratios, arg_parser, free_port,  # noqa: E402
                     run_cases, stop_all, table, tree_rss_kb)
import mcp_call  # noqa: E402
import oauth_flow  # noqa: E402
import token_endpoint  # noqa: E402

BATCH = 50_000


def b64(n):
    return base64.urlsafe_b64encode(os.urandom(n)).rstrip(b"=").decode()


def seed(db, start, end):
    """Grants start..end-1, each with a live refresh token and an audit row."""
    con = sqlite3.connect(db, isolation_level=None)
    # A bench file, written while the server is stopped: no rollback journal and no sync (the
    # server puts the file back in WAL mode when it opens it).
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    # Random keys (ids, hashes) land on random index pages: with SQLite's default 2 MiB cache
    # the 1M seed re-reads pages from disk for minutes; 512 MiB keeps the indexes in memory.
    con.execute("PRAGMA cache_size = -524288")
    scope, resource = con.execute("SELECT scope, resource FROM grants LIMIT 1").fetchone()
    now = int(time.time() * 1e6)
    expires = now + 30 * 86400 * 10**6
    for lo in range(start, end, BATCH):
        grants, tokens, audit = [], [], []
        for i in range(lo, min(end, lo + BATCH)):
            gid, user, client = b64(16), f"seed-user-{i % 1000}", f"seed-client-{i % 10000}"
            grants.append((gid, user, client, scope, resource, now, now))
            token_hash = hashlib.sha256(b64(32).encode()).hexdigest()
            tokens.append((token_hash, gid, now, expires))
            audit.append(("token.issued", user, client, gid, "127.0.0.1", now, "{}"))
        con.execute("BEGIN")
        con.executemany("INSERT INTO grants (id, user_id, client_id, scope, resource, "
                        "created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)", grants)
        con.executemany("INSERT INTO refresh_tokens (hash, grant_id, created_at, expires_at) "
                        "VALUES (?, ?, ?, ?)", tokens)
        con.executemany("INSERT INTO audit_events (type, subject, client_id, grant_id, ip, "
                        "time, detail) VALUES (?, ?, ?, ?, ?, ?, ?)", audit)
        con.execute("COMMIT")
    con.close()


def db_mib(data):
    """The database file (not its WAL, which the checkpointer keeps cutting back)."""
    return os.path.getsize(os.path.join(data, "mcpauth.db")) / 2**20


def grants_at_scale(ctx, sizes, reps, dur, warmup):
    data = os.path.join(ctx.tmp, "scale")
    password, rs_basic = token_endpoint.prepare_store(ctx, data)
    rows, stored = [], 0
    for size in sizes:
        # A grant of ours first, so the seed copies a real scope and resource.
        proc, issuer = ctx.ours(data)
        if stored == 0:
            oauth_flow.connect(issuer, "bench", password, 1, scope="mcp:tools")
        stop_all([proc])
        t0 = time.time()
        seed(os.path.join(data, "mcpauth.db"), stored, size)
        print(f"  seeded {size - stored:,} grants in {time.time() - t0:.0f} s", flush=True)
        stored = size
        proc, issuer = ctx.ours(data)
        cases = token_endpoint.our_cases(proc.pid, issuer, password, rs_basic)
        for r in run_cases(cases, reps, dur, warmup):
            r.update(grants=size, db_mib=db_mib(data), group=f"{size:,} grants stored")
            rows.append(r)
        stop_all([proc])
    return rows


def open_sessions(url, headers, n):
    """n initialize requests on one keep-alive connection: n 2025-era sessions."""
    host, port = url.split("/")[2].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    body = ('{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":'
            '"2025-06-18","capabilities":{},"clientInfo":{"name":"scale","version":"1"}}}')
    for _ in range(n):
        conn.request("POST", "/mcp", body, headers)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            sys.exit(f"data_scale.py: initialize at {url} answered {r.status}")
    conn.close()


def sessions_at_scale(ctx, n, reps, dur, warmup):
    """RSS idle, after n/10 and after n sessions, ours and the SDK's; our tools/call with n open."""
    data = os.path.join(ctx.tmp, "sessions")
    password = ctx.user(data)
    ours, base = ctx.ours(data)
    token = oauth_flow.connect(base, "bench", password, 1)[1][0]["access_token"]
    node, peer_dir = mcp_call.setup_peer(ctx.build)
    port = free_port()
    sdk = ctx.spawn([node, "server.mjs", str(port), "stateful", "map", "json"], port, cwd=peer_dir)
    with open(os.path.join(peer_dir, "tokens.json")) as f:
        ptoken = json.load(f)["opaque"]
    h = {"Content-Type": "application/json", "Accept": mcp_call.ACCEPT}
    servers = [("mcpauth", ours, base + "/mcp", {**h, "Authorization": f"Bearer {token}"}),
               ("TS SDK 1.32.2 stateful", sdk, f"http://127.0.0.1:{port}/mcp",
                {**h, "Authorization": f"Bearer {ptoken}"})]
    rows = []
    for name, proc, url, headers in servers:
        row = {"case": f"{name}, 2025-era sessions open", "rss_idle_mib":
               tree_rss_kb(proc.pid) / 1024}
        opened = 0
        for target in (n // 10, n):
            t0 = time.time()
            open_sessions(url, headers, target - opened)
            opened = target
            row[f"rss_{target}_mib"] = tree_rss_kb(proc.pid) / 1024
            row[f"open_{target}_s"] = time.time() - t0
        rows.append(row)
    # Our cached tools/call on a session of its own, with n others open, against none open.
    sid = mcp_call.legacy_session(base + "/mcp", {"Authorization": f"Bearer {token}"})
    legacy = {**h, "MCP-Protocol-Version": "2025-06-18", "Mcp-Session-Id": sid,
              "Authorization": f"Bearer {token}"}
    fresh, fbase = ctx.ours(data)
    ftoken = oauth_flow.connect(fbase, "bench", password, 1)[1][0]["access_token"]
    fsid = mcp_call.legacy_session(fbase + "/mcp", {"Authorization": f"Bearer {ftoken}"})
    flegacy = {**legacy, "Mcp-Session-Id": fsid, "Authorization": f"Bearer {ftoken}"}
    cases = [Case(f"mcpauth tools/call, 2025 session, {n:,} other sessions open", ours.pid,
                  base + "/mcp", env=mcp_call.headers_env(legacy, mcp_call.call_body()),
                  group="sessions", peer="mcpauth tools/call, 2025 session, none other open"),
             Case("mcpauth tools/call, 2025 session, none other open", fresh.pid, fbase + "/mcp",
                  env=mcp_call.headers_env(flegacy, mcp_call.call_body()), group="sessions")]
    return rows, add_ratios(run_cases(cases, reps, dur, warmup))


def moves(rows, key):
    """Each size's figure relative to the smallest size's, per case."""
    first = {}
    out = []
    for r in rows:
        f = first.setdefault(r["case"], r[key])
        out.append(f"{(r[key] / f - 1) * 100:+.0f}%" if f else "")
    return out


def report(grant_rows, session_rows, session_cases):
    lines = ["| grants stored | case | req/s | server CPU µs/req | CPU vs smallest | RSS MiB | "
             "database MiB |", "|---:|---|---:|---:|---:|---:|---:|"]
    for r, mv in zip(grant_rows, moves(grant_rows, "cpu_us_per_req")):
        lines.append(f"| {r['grants']:,} | {r['case']} | {r['rps']:,.0f} | "
                     f"{r['cpu_us_per_req']:,.1f} | {mv} | {r['rss_mib']:.1f} | "
                     f"{r['db_mib']:,.0f} |")
    if session_rows:
        keys = [k for k in session_rows[0] if k.startswith("rss_")]
        def label(key):
            n = key[4:-4]
            return n if n == "idle" else f"{int(n):,} sessions"
        lines += ["", "| server, RSS MiB | " + " | ".join(label(k) for k in keys) + " |",
                  "|---|" + "---:|" * len(keys)]
        for r in session_rows:
            lines.append(f"| {r['case']} | " + " | ".join(f"{r[k]:.1f}" for k in keys) + " |")
        lines += ["", table(session_cases)]
    return "\n".join(lines)


def main():
    ap = arg_parser(__doc__, load=True)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--sessions", type=int, default=10000)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    Mode.pinned = True
    result = run(a.server, a.build, [int(x) for x in a.sizes.split(",") if x], a.sessions,
                 a.reps, a.dur, a.warmup)
    print(report(result["grants"], result["sessions"], result["session_cases"]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)


def run(server, build, sizes, sessions, reps, dur, warmup):
    ctx = Context(server, build)
    try:
        grant_rows = grants_at_scale(ctx, sizes, reps, dur, warmup) if sizes else []
        session_rows, session_cases = (sessions_at_scale(ctx, sessions, reps, dur, warmup)
                                       if sessions else ([], []))
    finally:
        ctx.close()
    return {"grants": grant_rows, "sessions": session_rows, "session_cases": session_cases}


if __name__ == "__main__":
    main()
