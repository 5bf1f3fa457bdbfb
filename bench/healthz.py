#!/usr/bin/env python3
"""GET /healthz on mcpauth-server against nginx's static 200, side by side, in one run.

Each server is pinned to CPU 0 with one worker; wrk (one thread, 32 connections) runs on CPU 1.
Each case runs `--reps` times for `--dur` seconds after a warm-up, ours and nginx alternately.
The stable figure on a shared machine is the server's own CPU time per request (utime + stime
from /proc), not req/s. Every load loop is bounded by wrk's -d and a subprocess timeout, and
targets 127.0.0.1 only.

Usage: bench/healthz.py build/bin/mcpauth-server [--reps 3 --dur 10 --warmup 3 --json out.json]
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
NGINX_CONF = """worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path {dir}/body;
  server {{
    listen 127.0.0.1:{port};
    location / {{ default_type text/plain; return 200 "ok\\n"; }}
  }}
}}
"""


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


def tree_cpu_s(pid):
    """utime+stime of a process and its children (nginx's worker)."""
    total = 0.0
    pids = [pid]
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                pids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK
        except OSError:
            pass
    return total


def tree_rss_kb(pid):
    total = 0
    pids = [pid]
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                pids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def wrk(url, dur, conns=32):
    out = subprocess.run(
        ["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{dur}s", "--latency", url],
        capture_output=True, text=True, timeout=dur + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        v, unit = float(m.group(1)), m.group(2)
        return v * {"us": 1, "ms": 1000, "s": 1e6}[unit]
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "requests": total, "p50_us": pct(50), "p99_us": pct(99),
            "errors": errors.group(1) if errors else "", "non2xx": int(non2xx.group(1)) if non2xx else 0}


def measure(name, pid, url, reps, dur):
    runs = []
    for _ in range(reps):
        c0 = tree_cpu_s(pid)
        r = wrk(url, dur)
        r["cpu_us_per_req"] = (tree_cpu_s(pid) - c0) * 1e6 / max(r["requests"], 1)
        r["rss_mib"] = tree_rss_kb(pid) / 1024
        runs.append(r)
    med = lambda k: statistics.median(x[k] for x in runs)
    return {"case": name, "rps": med("rps"), "p50_us": med("p50_us"), "p99_us": med("p99_us"),
            "cpu_us_per_req": med("cpu_us_per_req"), "rss_mib": med("rss_mib"),
            "errors": [x["errors"] for x in runs if x["errors"]],
            "non2xx": sum(x["non2xx"] for x in runs), "runs": runs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dur", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    for tool in ("wrk", "nginx", "taskset"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            sys.exit(f"healthz.py: {tool} is missing (make bench installs it)")

    tmp = tempfile.mkdtemp(prefix="mcpauth-bench-")
    procs = []
    try:
        ours_port, nginx_port = free_port(), free_port()
        ours = subprocess.Popen(
            ["taskset", "-c", "0", a.server, "--listen", f"127.0.0.1:{ours_port}", "--threads", "1",
             "--data-dir", os.path.join(tmp, "var"), "--log-level", "warn"])
        procs.append(ours)
        conf = os.path.join(tmp, "nginx.conf")
        os.makedirs(os.path.join(tmp, "body"), exist_ok=True)
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(dir=tmp, port=nginx_port))
        nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
        ng = subprocess.Popen(["taskset", "-c", "0", nginx_bin, "-c", conf, "-p", tmp],
                              stderr=subprocess.DEVNULL)
        procs.append(ng)
        wait_port(ours_port)
        wait_port(nginx_port)
        cases = [("mcpauth GET /healthz", ours.pid, f"http://127.0.0.1:{ours_port}/healthz"),
                 ("nginx static 200", ng.pid, f"http://127.0.0.1:{nginx_port}/")]
        for _, _, url in cases:
            wrk(url, a.warmup)
        results = {name: [] for name, _, _ in cases}
        # Alternate ours and the peer, one rep at a time, so drift on the machine hits both.
        for _ in range(a.reps):
            for name, pid, url in cases:
                results[name].append(measure(name, pid, url, 1, a.dur)["runs"][0])
        rows = []
        for name, _, _ in cases:
            runs = results[name]
            med = lambda k: statistics.median(x[k] for x in runs)
            rows.append({"case": name, "rps": med("rps"), "p50_us": med("p50_us"),
                         "p99_us": med("p99_us"), "cpu_us_per_req": med("cpu_us_per_req"),
                         "rss_mib": med("rss_mib"), "non2xx": sum(x["non2xx"] for x in runs),
                         "runs": runs})
        ref = rows[1]["cpu_us_per_req"]
        print(f"\n/healthz, pinned (server on CPU 0, 1 thread; wrk -t1 -c32 on CPU 1), "
              f"{a.reps} x {a.dur} s, medians, {time.strftime('%Y-%m-%d')}\n")
        print("| case | req/s | p50 µs | p99 µs | server CPU µs/req | RSS MiB | CPU vs nginx |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r['case']} | {r['rps']:,.0f} | {r['p50_us']:.0f} | {r['p99_us']:.0f} | "
                  f"{r['cpu_us_per_req']:.2f} | {r['rss_mib']:.1f} | "
                  f"{r['cpu_us_per_req'] / ref:.2f}x |")
        bad = [r for r in rows if r["non2xx"]]
        if bad:
            print(f"\nWARNING: non-2xx answers in {[r['case'] for r in bad]}")
        if a.json:
            with open(a.json, "w") as f:
                json.dump(rows, f, indent=1)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
