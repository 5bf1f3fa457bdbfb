#!/usr/bin/env python3
"""Where a case's server time goes: `perf record` on our server while wrk drives one case of
the suite (pinned), then the top of `perf report` by shared object and by symbol.

Usage: bench/profile.py build/bin/mcpauth-server "401" [--dur 8 --top 40 --callgraph]
  the second argument picks the first case of ours whose name contains it (see bench/suite.py);
  perf is Debian's linux-perf. On a VM without hardware counters perf samples cpu-clock.
"""
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Context, Mode, arg_parser, wrk  # noqa: E402
import healthz  # noqa: E402
import mcp_call  # noqa: E402
import token_endpoint  # noqa: E402


def ours_only(ctx):
    """The suite's cases of ours, without starting any peer."""
    data = os.path.join(ctx.tmp, "token")
    password, rs_basic = token_endpoint.prepare_store(ctx, data)
    proc, issuer = ctx.ours(data)
    cases = token_endpoint.our_cases(proc.pid, issuer, password, rs_basic)
    return cases, proc


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("case")
    ap.add_argument("--dur", type=int, default=8)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--callgraph", action="store_true", help="perf record --call-graph dwarf")
    ap.add_argument("--out", default="/tmp/mcpauth-perf.data")
    a = ap.parse_args()
    Mode.pinned = True
    ctx = Context(a.server, a.build)
    try:
        if any(w in a.case for w in ("refresh", "authorize", "exchange", "introspection")):
            cases, _ = ours_only(ctx)
        elif "healthz" in a.case:
            cases = healthz.setup(ctx)
        else:
            cases = mcp_call.setup(ctx)
        case = next(c for c in cases if c.ours and a.case in c.name)
        print(f"profiling: {case.name}", flush=True)
        wrk(case.url, 2, conns=case.conns, script=case.script, env=case.run_env(),
            threads=case.threads)
        env = case.run_env()
        load = threading.Thread(target=wrk, args=(case.url, a.dur + 2), kwargs=dict(
            conns=case.conns, script=case.script, env=env, threads=case.threads))
        load.start()
        cmd = ["perf", "record", "-q", "-F", "4000", "-o", a.out, "-p", str(case.pid)]
        if a.callgraph:
            cmd += ["--call-graph", "dwarf,16384"]
        subprocess.run(cmd + ["--", "sleep", str(a.dur)], check=True)
        load.join()
    finally:
        ctx.close()
    for sort in ("dso", "dso,sym"):
        out = subprocess.run(["perf", "report", "-i", a.out, "--no-children", "--stdio",
                              "--sort", sort, "--percent-limit", "0.7"],
                             capture_output=True, text=True).stdout
        lines = [x for x in out.splitlines() if x.strip() and not x.startswith("#")]
        print("\n".join(lines[:a.top]) + "\n")


if __name__ == "__main__":
    main()
