#!/usr/bin/env python3
"""Soak (`make soak`): our server under load for `--seconds` (default 600), its RSS sampled
every `--interval` seconds (default 10). Flat means no leak.

One server (pinned to CPU 0, wrk on CPU 1), OAuth on. The load changes every interval, in a
cycle: tools/call on one 2025-era session (token cached); 2026-07-28 stateless tools/call with
an ES256 verification per request (a second token each cycle fills the verified-token cache
over time); a new 2025-era session per request (initialize: the session table fills to its
bound, 10,000, and then evicts); the refresh grant with rotation (8 fresh chains, SQLite
writes); introspection. RSS grows while the session table and SQLite's caches fill, so the
verdict compares the peak of the last cycle with the peak of the second cycle: within 10%
is flat.

Usage: bench/soak.py build/bin/mcpauth-server [--seconds 600 --interval 10 --json out.json
       --png out.png]
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import REQ_LUA, Context, Mode, arg_parser, tree_cpu_s, tree_rss_kb, wrk  # noqa: E402
import mcp_call  # noqa: E402
import oauth_flow  # noqa: E402
import token_endpoint  # noqa: E402


def loads(ctx, data):
    password, rs_basic = token_endpoint.prepare_store(ctx, data)
    proc, base = ctx.ours(data, "--token-cache-entries", "4096")
    cases = {c.name: c for c in token_endpoint.our_cases(proc.pid, base, password, rs_basic)}
    token = oauth_flow.connect(base, "bench", password, 1)[1][0]["access_token"]
    h = {"Content-Type": "application/json", "Accept": mcp_call.ACCEPT,
         "Authorization": f"Bearer {token}"}

    def legacy():
        # A new session each time: the initialize load evicts the older ones (LRU, 10,000).
        sid = mcp_call.legacy_session(base + "/mcp", {"Authorization": f"Bearer {token}"})
        return mcp_call.headers_env({**h, "MCP-Protocol-Version": "2025-06-18",
                                     "Mcp-Session-Id": sid}, mcp_call.call_body())

    init = ('{"jsonrpc":"2.0","id":__ID__,"method":"initialize","params":{"protocolVersion":'
            '"2025-06-18","capabilities":{},"clientInfo":{"name":"soak","version":"1"}}}')

    def modern():
        fresh = oauth_flow.connect(base, "bench", password, 1)[1][0]["access_token"]
        return mcp_call.headers_env({**h, "Authorization": f"Bearer {fresh}",
                                     "MCP-Protocol-Version": "2026-07-28",
                                     "Mcp-Method": "tools/call", "Mcp-Name": "echo"},
                                    mcp_call.call_body(meta=True))

    mcp = base + "/mcp"
    refresh = cases["mcpauth refresh_token (rotation, SQLite, ES256 JWT)"]
    intro = cases["mcpauth introspection (ES256 JWT access token)"]
    return proc, [
        ("tools/call, 2025 session", mcp, None, legacy, 32, 1),
        ("tools/call, 2026-07-28, new token", mcp, None, modern, 32, 1),
        ("initialize (a new session each)", mcp, None,
         lambda: mcp_call.headers_env({**h, "MCP-Protocol-Version": "2025-06-18"}, init), 32, 1),
        ("refresh rotation", refresh.url, refresh.script, refresh.run_env, refresh.conns,
         refresh.threads),
        ("introspection", intro.url, intro.script, intro.run_env, 32, 1),
    ]


def chart(samples, path):
    if not shutil.which("gnuplot"):
        return
    dat = path + ".dat"
    with open(dat, "w") as f:
        for s in samples:
            f.write(f"{s['t_s']:.0f} {s['rss_mib']:.2f}\n")
    subprocess.run(["gnuplot"], input=f"""
set terminal pngcairo size 900,400 font ",10" noenhanced
set output "{path}"
set title "mcpauth-server RSS under a mixed load ({time.strftime('%Y-%m-%d')})"
set xlabel "seconds"
set ylabel "RSS MiB"
set yrange [0:*]
set grid
plot "{dat}" using 1:2 with linespoints title "RSS" lc rgb "#1f77b4"
""", text=True, check=True)


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--interval", type=int, default=10)
    ap.add_argument("--json", default="")
    ap.add_argument("--png", default="")
    a = ap.parse_args()
    Mode.pinned = True
    ctx = Context(a.server, a.build)
    samples = []
    try:
        proc, cycle = loads(ctx, os.path.join(ctx.tmp, "soak"))
        t0 = time.time()
        samples.append({"t_s": 0, "load": "idle", "rss_mib": tree_rss_kb(proc.pid) / 1024,
                        "rps": 0, "cpu_us_per_req": 0})
        i = 0
        while time.time() - t0 < a.seconds:
            name, url, script, env, conns, threads = cycle[i % len(cycle)]
            c0 = tree_cpu_s(proc.pid)
            r = wrk(url, a.interval, conns=conns, threads=threads, env=env(),
                    script=script or REQ_LUA)
            s = {"t_s": time.time() - t0, "load": name, "rss_mib": tree_rss_kb(proc.pid) / 1024,
                 "rps": r["rps"], "non2xx": r["non2xx"],
                 "cpu_us_per_req": (tree_cpu_s(proc.pid) - c0) * 1e6 / max(r["requests"], 1)}
            samples.append(s)
            print(f"  {s['t_s']:5.0f} s  RSS {s['rss_mib']:6.1f} MiB  {name}: "
                  f"{s['rps']:,.0f} req/s", flush=True)
            i += 1
    finally:
        ctx.close()
    n = 5  # loads per cycle
    second = [s["rss_mib"] for s in samples[1 + n:1 + 2 * n]]
    last = [s["rss_mib"] for s in samples[-n:]]
    verdict = "too short to judge (fewer than 3 cycles)"
    if len(samples) >= 1 + 3 * n:
        growth = max(last) / max(second) - 1
        verdict = (f"peak of the last cycle {max(last):.1f} MiB against {max(second):.1f} MiB in "
                   f"the second: {growth * 100:+.1f}% ({'flat' if growth <= 0.10 else 'GROWING'})")
    print(f"\nRSS: start {samples[0]['rss_mib']:.1f} MiB, max "
          f"{max(s['rss_mib'] for s in samples):.1f} MiB, end {samples[-1]['rss_mib']:.1f} MiB; "
          f"{verdict}")
    bad = [s["load"] for s in samples if s.get("non2xx")]
    if bad:
        print(f"WARNING: non-2xx answers during {sorted(set(bad))}")
    for path in (a.json, a.png):
        if path:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"samples": samples, "verdict": verdict}, f, indent=1)
    if a.png:
        chart(samples, a.png)


if __name__ == "__main__":
    main()
