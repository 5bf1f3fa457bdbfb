#!/usr/bin/env python3
"""Scale-out (issue 9): the token endpoint (refresh_token grant with rotation) and authenticated
2026-07-28 tools/call, on one node with SQLite, one node with PostgreSQL, and two nodes sharing
one PostgreSQL, in one run.

PostgreSQL 15 runs in a temporary folder on a unix socket (test/postgres/lib.sh, fsync=off like
the tests: this measures the protocol and the locking, not a disk). Refresh chains come from real
authorization-code flows (bench/oauth_flow.py); every wrk connection rotates its own chain
(bench/wrk/refresh.lua). Two nodes: one wrk per node at the same time, req/s summed. Server CPU
µs per request counts every mcpauth node AND the PostgreSQL server processes. Nothing is pinned:
on a 2-core machine two nodes, PostgreSQL and wrk share the same cores, so the two-node rows
show correctness under load and the cost per request, not a speed-up.

Usage: bench/scale.py build/bin/mcpauth-server [--dur 5 --reps 1 --json out.json]
"""
import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import oauth_flow  # noqa: E402
from harness import (free_port, print_table, stop_all, tree_cpu_s, tree_rss_kb,  # noqa: E402
                     wait_port, wrk)

LIB = os.path.join(ROOT, "test", "postgres", "lib.sh")
REQ_LUA = os.path.join(os.path.dirname(ROOT), "shared", "peers", "wrk", "req.lua")
REFRESH_LUA = os.path.join(HERE, "wrk", "refresh.lua")
CHAINS = 4  # wrk connections (= refresh chains) per node
ACCEPT = "application/json, text/event-stream"
CALL = ('{"jsonrpc":"2.0","id":__ID__,"method":"tools/call","params":{"name":"echo",'
        '"arguments":{"text":"hello"},"_meta":{"io.modelcontextprotocol/protocolVersion":'
        '"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}')


def pg(action, folder):
    out = subprocess.run(["bash", "-c", f'source "{LIB}"; pg_{action} "$1"', "pg", folder],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def postmaster_pid(folder):
    with open(os.path.join(folder, "data", "postmaster.pid")) as f:
        return int(f.readline())


def run_parallel(jobs):
    """Runs wrk jobs (url, dur, kwargs) at once; returns their results."""
    results = [None] * len(jobs)

    def one(i):
        url, dur, kw = jobs[i]
        results[i] = wrk(url, dur, **kw)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def measure(name, pids, jobs, reps):
    runs = []
    for _ in range(reps):
        c0 = sum(tree_cpu_s(p) for p in pids)
        rs = run_parallel([j() for j in jobs])  # each job builds fresh chains
        cpu = sum(tree_cpu_s(p) for p in pids) - c0
        total = sum(r["requests"] for r in rs)
        runs.append({"rps": sum(r["rps"] for r in rs), "p50_us": max(r["p50_us"] for r in rs),
                     "p99_us": max(r["p99_us"] for r in rs), "requests": total,
                     "cpu_us_per_req": cpu * 1e6 / max(total, 1),
                     "rss_mib": sum(tree_rss_kb(p) for p in pids) / 1024,
                     "non2xx": sum(r["non2xx"] for r in rs)})
    med = lambda k: statistics.median(x[k] for x in runs)
    return {"case": name, "rps": med("rps"), "p50_us": med("p50_us"), "p99_us": med("p99_us"),
            "cpu_us_per_req": med("cpu_us_per_req"), "rss_mib": med("rss_mib"),
            "non2xx": sum(x["non2xx"] for x in runs), "runs": runs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("--dur", type=int, default=5)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="mcpauth-scale-")
    os.chmod(tmp, 0o755)  # the server runs as user postgres when we are root
    folder = os.path.join(tmp, "pg")
    procs = []
    try:
        pg("start", folder)
        url = pg("url", folder)
        password = secrets.token_urlsafe(18)
        for store in (["--data-dir", os.path.join(tmp, "sqlite")], ["--store", url]):
            subprocess.run([a.server, "user", "add", "bench", "--password-stdin"] + store,
                           input=password + "\n", text=True, check=True,
                           stdout=subprocess.DEVNULL)

        def node(store, public=None):
            port = free_port()
            public = public or f"http://127.0.0.1:{port}"
            p = subprocess.Popen([a.server, "--listen", f"127.0.0.1:{port}", "--public-url",
                                  public, "--threads", "1", "--log-level", "warn"] + store)
            procs.append(p)
            wait_port(port)
            return p, f"http://127.0.0.1:{port}", public

        sqlite = node(["--data-dir", os.path.join(tmp, "sqlite")])
        pg1 = node(["--store", url, "--data-dir", os.path.join(tmp, "n1")])
        pg2a = node(["--store", url, "--data-dir", os.path.join(tmp, "n2a")])
        pg2b = node(["--store", url, "--data-dir", os.path.join(tmp, "n2b")], public=pg2a[2])
        pgpid = postmaster_pid(folder)

        def token_job(issuer, base):
            def build():
                client_id, toks = oauth_flow.connect(issuer, "bench", password, CHAINS,
                                                     scope="mcp:tools")
                env = {"REFRESH_TOKENS": ",".join(t["refresh_token"] for t in toks),
                       "REFRESH_CLIENT": client_id}
                return (base + "/token", a.dur, {"conns": CHAINS, "threads": CHAINS,
                                                 "script": REFRESH_LUA, "env": env})
            return build

        def call_job(issuer, base):
            token = oauth_flow.connect(issuer, "bench", password, 1)[1][0]["access_token"]
            env = {"WRK_METHOD": "POST", "WRK_PATH": "/mcp", "WRK_BODY": CALL,
                   "WRK_HEADERS": f"Content-Type: application/json|Accept: {ACCEPT}|"
                                  "MCP-Protocol-Version: 2026-07-28|Mcp-Method: tools/call|"
                                  f"Mcp-Name: echo|Authorization: Bearer {token}"}
            return lambda: (base + "/mcp", a.dur, {"conns": 16, "script": REQ_LUA, "env": env})

        rows = []
        setups = [("SQLite, 1 node", [sqlite], []),
                  ("PostgreSQL, 1 node", [pg1], [pgpid]),
                  ("PostgreSQL, 2 nodes", [pg2a, pg2b], [pgpid])]
        for label, nodes, extra in setups:
            pids = [n[0].pid for n in nodes] + extra
            issuer = nodes[0][2]
            rows.append(measure(f"token refresh, {label}", pids,
                                [token_job(issuer, n[1]) for n in nodes], a.reps))
        for label, nodes, extra in setups:
            pids = [n[0].pid for n in nodes] + extra
            issuer = nodes[0][2]
            rows.append(measure(f"tools/call, {label}", pids,
                                [call_job(issuer, n[1]) for n in nodes], a.reps))
        print(f"\nScale-out, {a.reps} x {a.dur} s, medians, unpinned, "
              f"{time.strftime('%Y-%m-%d %H:%M')} (server CPU and RSS include PostgreSQL)\n")
        print_table(rows)
        bad = [r["case"] for r in rows if r["non2xx"]]
        if bad:
            print(f"\nWARNING: non-2xx answers in {bad}")
        if a.json:
            with open(a.json, "w") as f:
                json.dump(rows, f, indent=1)
    finally:
        stop_all(procs)
        try:
            pg("stop", folder)
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
