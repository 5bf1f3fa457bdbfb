#!/usr/bin/env python3
"""GET /healthz on mcpauth-server against nginx's static 200, side by side, in one run.

Each server is pinned to CPU 0 with one worker; wrk (one thread, 32 connections) runs on CPU 1.
Each case runs `--reps` times for `--dur` seconds after a warm-up, ours and nginx alternately.
The stable figure on a shared machine is the server's own CPU time per request (utime + stime
from /proc), not req/s.

Usage: bench/healthz.py build/bin/mcpauth-server [--reps 3 --dur 10 --warmup 3 --json out.json]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import free_port, median_row, measure, print_table, stop_all, wait_port, wrk  # noqa: E402

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dur", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"healthz.py: {tool} is missing (make bench installs it)")
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"

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
                results[name] += measure(name, pid, url, 1, a.dur)["runs"]
        rows = [median_row(name, results[name]) for name, _, _ in cases]
        print(f"\n/healthz, pinned (server on CPU 0, 1 thread; wrk -t1 -c32 on CPU 1), "
              f"{a.reps} x {a.dur} s, medians, {time.strftime('%Y-%m-%d')}\n")
        print_table(rows, ref_case="nginx static 200")
        if a.json:
            with open(a.json, "w") as f:
                json.dump(rows, f, indent=1)
    finally:
        stop_all(procs)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
