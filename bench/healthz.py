#!/usr/bin/env python3
"""GET /healthz on mcpauth-server against nginx's static 200, side by side, in one run.

Pinned (default): each server on CPU 0 with one worker, wrk (-t1 -c32) on CPU 1; unpinned: see
harness.py. Each case runs `--reps` times for `--dur` seconds after a warm-up, ours and nginx
alternately. The stable figure on a shared machine is the server's own CPU time per request.

Usage: bench/healthz.py build/bin/mcpauth-server [--reps 3 --dur 10 --warmup 3 --mode pinned|
       unpinned|both --json out.json]   (bench/suite.py runs it with every other case)
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Case, Mode, free_port, run_standalone, wait_port  # noqa: E402

NGINX_CONF = """worker_processes {workers};
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


def setup(ctx):
    """Our /healthz and nginx's static 200 (one worker pinned, one per core unpinned)."""
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    data = os.path.join(ctx.tmp, "healthz")
    ours, base = ctx.ours(data)
    port = free_port()
    d = os.path.join(ctx.tmp, "nginx")
    os.makedirs(os.path.join(d, "body"), exist_ok=True)
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(dir=d, port=port, workers=Mode.server_threads()))
    ng = subprocess.Popen(Mode.server_prefix() + [nginx_bin, "-c", conf, "-p", d],
                          stderr=subprocess.DEVNULL)
    ctx.procs.append(ng)
    wait_port(port)
    return [Case("mcpauth GET /healthz", ours.pid, base + "/healthz", group="HTTP ceiling",
                 peer="nginx static 200"),
            Case("nginx static 200", ng.pid, f"http://127.0.0.1:{port}/", group="HTTP ceiling",
                 ours=False)]


if __name__ == "__main__":
    run_standalone(__doc__, setup)
