#!/usr/bin/env python3
"""The whole comparison in one run (`make bench`): every case of healthz.py, mcp_call.py and
token_endpoint.py pinned and unpinned, ours and the peers alternately; start-up (startup.py);
scale (data_scale.py). Writes OUT/results.json, OUT/results.md (the tables README "Performance"
takes) and OUT/results.png (server CPU µs per request and req/s, ours against each peer,
pinned), and prints the Markdown.

Usage: bench/suite.py build/bin/mcpauth-server [--out build/bench --reps 3 --dur 10 --warmup 3
       --modes pinned,unpinned --only ceiling,mcp,token,startup,scale
       --sizes 10000,100000,1000000 --sessions 10000 --publish]
  --publish: also write the tables between README.md's "bench:begin"/"bench:end" markers
  (section "Performance") and copy the chart to docs/bench/results.png.
"""
import json
import os
import platform
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Context, Mode, ROOT, add_ratios, arg_parser, machine,  # noqa: E402
                     run_cases, table, warn_unexpected)
import healthz  # noqa: E402
import mcp_call  # noqa: E402
import data_scale  # noqa: E402
import startup  # noqa: E402
import token_endpoint  # noqa: E402

GROUPS = {"ceiling": healthz.setup, "mcp": mcp_call.setup, "token": token_endpoint.setup}

# The goals (docs: issue 8), checked against the pinned rows: (label, case, test, text).
GOALS = [
    ("authenticated tools/call, cache hit", "mcpauth tools/call, 2025 session, JSON, token cached",
     lambda r: r["rps"] >= 40000 and r["cpu_us_per_req"] <= 25, "≥ 40,000 req/s, ≤ 25 µs"),
    ("uncached ES256 JWT path",
     "mcpauth tools/call, 2026-07-28, ES256 verified per request (uncached)",
     lambda r: r["rps"] >= 8000, "≥ 8,000 req/s"),
    ("401 path", "mcpauth 401 (no token)", lambda r: r["rps"] >= 100000, "≥ 100,000 req/s"),
    ("refresh grant, durable, rotating", "mcpauth refresh_token (rotation, SQLite, ES256 JWT)",
     lambda r: (r.get("rps_ratio") or 0) >= 5, "≥ 5× oidc-provider"),
    ("introspection", "mcpauth introspection (ES256 JWT access token)",
     lambda r: (r.get("rps_ratio") or 0) >= 10, "≥ 10× oidc-provider"),
]


def goals(rows):
    pinned = {r["case"]: r for r in rows if r["mode"] == "pinned"}
    out = ["| goal | case measured | req/s | CPU µs/req | × peer (req/s) | target | met |",
           "|---|---|---:|---:|---:|---|---|"]
    for label, case, test, target in GOALS:
        r = pinned.get(case)
        if r:
            ratio = f"{r['rps_ratio']:.1f}×" if r.get("rps_ratio") else ""
            out.append(f"| {label} | {case} | {r['rps']:,.0f} | {r['cpu_us_per_req']:,.1f} | "
                       f"{ratio} | {target} | {'yes' if test(r) else 'no'} |")
    ours = [r["rss_mib"] for r in rows if r.get("ours")]
    if ours:
        out.append(f"| RSS under load | every case of ours | | | | ≤ 30 MiB | "
                   f"{'yes' if max(ours) <= 30 else 'no'} (max {max(ours):.0f} MiB) |")
    return "\n".join(out)


def short(name):
    return (name.replace("mcpauth ", "").replace("tools/call, ", "").replace(", token cached", "")
            .replace("2026-07-28 stateless", "2026").replace("2025 session", "2025")
            .replace(" (rotation, SQLite, ES256 JWT)", "").replace("ES256 verified per request ",
                                                                   "").replace(" access token", ""))


def chart(rows, path):
    """Pinned pairs: CPU µs per request (log) and req/s, ours beside the peer, by gnuplot."""
    if not shutil.which("gnuplot"):
        print("suite.py: gnuplot is missing (make bench installs it): no chart")
        return
    by = {(r["mode"], r["case"]): r for r in rows}
    pairs = [(r, by[("pinned", r["peer"])]) for r in rows
             if r["mode"] == "pinned" and r.get("peer") and ("pinned", r["peer"]) in by]
    if not pairs:
        return
    dat = path + ".dat"
    with open(dat, "w") as f:
        for o, p in pairs:
            f.write(f'"{short(o["case"])}" {o["cpu_us_per_req"]:.2f} {p["cpu_us_per_req"]:.2f} '
                    f'{o["rps"]:.0f} {p["rps"]:.0f}\n')
    script = f"""
set terminal pngcairo size 1400,640 font ",10" noenhanced
set output "{path}"
set multiplot layout 1,2 title "mcpauth against its peers, pinned (server on CPU 0, wrk on CPU 1), {time.strftime('%Y-%m-%d')}"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -40 scale 0 font ",8"
set grid ytics
set key top left
set logscale y
set title "server CPU µs per request (lower is better)"
plot "{dat}" using 2:xtic(1) title "mcpauth" lc rgb "#1f77b4", '' using 3 title "peer" lc rgb "#ff7f0e"
set title "req/s (higher is better)"
plot "{dat}" using 4:xtic(1) title "mcpauth" lc rgb "#1f77b4", '' using 5 title "peer" lc rgb "#ff7f0e"
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def markdown(meta, rows, start, sc):
    out = [f"Run {meta['date']} on {meta['machine']}: `{meta['command']}` "
           f"({meta['reps']} × {meta['dur']} s after {meta['warmup']} s warm-up, medians; "
           "server CPU µs per request from /proc; peers in ../shared/peers/).", ""]
    for mode in meta["modes"]:
        mrows = [r for r in rows if r["mode"] == mode]
        if mrows:
            out += [f"### {mode}", "", table(mrows), ""]
    if rows:
        out += ["### Goals (pinned)", "", goals(rows), ""]
    if start:
        out += ["### Start-up", "", startup.table(start), ""]
    if sc and (sc["grants"] or sc["sessions"]):
        out += ["### Scale (pinned)", "",
                data_scale.report(sc["grants"], sc["sessions"], sc["session_cases"]), ""]
    return "\n".join(out)


def publish(md, png):
    """The run's tables into README.md between its markers; the chart to docs/bench/."""
    readme = os.path.join(ROOT, "README.md")
    with open(readme) as f:
        text = f.read()
    begin = text.index("<!-- bench:begin")
    begin = text.index("\n", begin) + 1
    end = text.index("<!-- bench:end -->")
    chart_md = ""
    if os.path.exists(png):
        os.makedirs(os.path.join(ROOT, "docs", "bench"), exist_ok=True)
        shutil.copy(png, os.path.join(ROOT, "docs", "bench", "results.png"))
        chart_md = "![mcpauth against its peers, pinned](docs/bench/results.png)\n\n"
    with open(readme, "w") as f:
        f.write(text[:begin] + chart_md + md.replace("### ", "#### ") + "\n" + text[end:])
    print(f"published: {readme} (section Performance), docs/bench/results.png")


def main():
    ap = arg_parser(__doc__, load=True)
    ap.add_argument("--out", default="")
    ap.add_argument("--modes", default="pinned,unpinned")
    ap.add_argument("--only", default="ceiling,mcp,token,startup,scale")
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--sessions", type=int, default=10000)
    ap.add_argument("--startup-reps", type=int, default=5)
    ap.add_argument("--publish", action="store_true")
    ap.add_argument("--render", default="", metavar="RESULTS_JSON",
                    help="measure nothing: tables and chart (and --publish) from a run's JSON")
    a = ap.parse_args()
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"suite.py: {tool} is missing (make bench installs it)")
    out = a.out or os.path.join(a.build, "bench")
    os.makedirs(out, exist_ok=True)
    only = set(a.only.split(","))
    modes = [m for m in a.modes.split(",") if m]
    meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(),
            "host": platform.node(), "command": " ".join(["bench/suite.py"] + sys.argv[1:]),
            "reps": a.reps, "dur": a.dur, "warmup": a.warmup, "modes": modes}
    if a.render:
        with open(a.render) as f:
            run = json.load(f)
        return write(out, run["meta"], run["rows"], run["startup"], run["scale"], a.publish)
    # Relative paths would break in the peers' own working directories (start-up runs them there).
    a.build = os.path.abspath(a.build)
    rows, start, sc = [], [], None

    def keep():
        """What has been measured so far, so that a late failure loses nothing (--render it)."""
        with open(os.path.join(out, "results.partial.json"), "w") as f:
            json.dump({"meta": meta, "rows": rows, "startup": start, "scale": sc}, f, indent=1)

    for mode in modes:
        Mode.pinned = mode == "pinned"
        ctx = Context(a.server, a.build)
        try:
            cases = [c for g, setup in GROUPS.items() if g in only for c in setup(ctx)]
            if cases:
                print(f"== {mode}: {len(cases)} cases", flush=True)
                rows += run_cases(cases, a.reps, a.dur, a.warmup)
        finally:
            ctx.close()
        keep()
    add_ratios(rows)
    Mode.pinned = True
    if "startup" in only:
        start = startup.run(a.server, a.build, a.startup_reps)
        keep()
    if "scale" in only:
        sc = data_scale.run(a.server, a.build, [int(x) for x in a.sizes.split(",") if x],
                            a.sessions, a.reps, a.dur, a.warmup)
    write(out, meta, rows, start, sc, a.publish)


def write(out, meta, rows, start, sc, publish_readme):
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"meta": meta, "rows": rows, "startup": start, "scale": sc}, f, indent=1)
    md = markdown(meta, rows, start, sc)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(md + "\n")
    chart(rows, os.path.join(out, "results.png"))
    print("\n" + md)
    warn_unexpected(rows)
    print(f"\nwritten: {out}/results.md, results.json, results.png")
    if publish_readme:
        publish(md, os.path.join(out, "results.png"))


if __name__ == "__main__":
    main()
