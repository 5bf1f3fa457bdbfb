#!/usr/bin/env python3
"""Start-up: from process start (just before exec) to the first answered HTTP request, ours and
the peers', each started `--reps` times (median, min and max), pinned to CPU 0.

The probe is a GET on a keep-alive-less connection, retried every millisecond until the
server answers anything: ours GET /healthz, on an empty data directory (the first start:
database created and migrated, a signing key generated, the first user's password hashed with
Argon2id) and on an existing one; the SDK's server (stateless) GET /mcp; oidc-provider GET
/.well-known/openid-configuration; nginx GET /.

Usage: bench/startup.py build/bin/mcpauth-server [--reps 5 --json out.json]
"""
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Mode, arg_parser, free_port, stop_all  # noqa: E402
import healthz  # noqa: E402
import mcp_call  # noqa: E402
import token_endpoint  # noqa: E402


def first_answer_ms(cmd, port, path, cwd=None, timeout=30):
    t0 = time.monotonic()
    p = subprocess.Popen(Mode.server_prefix() + cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - t0 < timeout:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", path)
                c.getresponse().read()
                c.close()
                return (time.monotonic() - t0) * 1000
            except OSError:
                time.sleep(0.001)
            if p.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited with {p.returncode} before answering")
        raise RuntimeError(f"{cmd} did not answer within {timeout} s")
    finally:
        stop_all([p])


def run(server, build, reps):
    server, build = os.path.abspath(server), os.path.abspath(build)
    tmp = tempfile.mkdtemp(prefix="mcpauth-startup-")
    node, mcp_dir = mcp_call.setup_peer(build)
    _, oidc_dir = token_endpoint.setup_oidc(build)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    rows = []
    try:
        def ours(fresh):
            port = free_port()
            data = os.path.join(tmp, "fresh" if fresh else "kept")
            if fresh:
                shutil.rmtree(data, ignore_errors=True)
            return ([server, "--listen", f"127.0.0.1:{port}", "--threads", "1", "--data-dir", data,
                     "--log-level", "warn"], port, "/healthz", None)

        def sdk():
            port = free_port()
            return [node, "server.mjs", str(port), "stateless", "map", "json"], port, "/mcp", mcp_dir

        def oidc():
            port = free_port()
            return ([node, "peer_oidc.mjs", str(port)], port, "/.well-known/openid-configuration",
                    oidc_dir)

        def ng():
            port = free_port()
            d = os.path.join(tmp, "nginx")
            os.makedirs(os.path.join(d, "body"), exist_ok=True)
            conf = os.path.join(d, "nginx.conf")
            with open(conf, "w") as f:
                f.write(healthz.NGINX_CONF.format(dir=d, port=port, workers=1))
            return [nginx, "-c", conf, "-p", d], port, "/", None

        first_answer_ms(*ours(False)[:3])  # creates the kept data directory
        for name, make in (("mcpauth, empty data directory (first start)", lambda: ours(True)),
                           ("mcpauth, existing data directory", lambda: ours(False)),
                           ("TS SDK 1.32.2 (node 22, express)", sdk),
                           ("oidc-provider 9.13.3 (node 22)", oidc),
                           ("nginx (static 200)", ng)):
            times = []
            for _ in range(reps):
                cmd, port, path, cwd = make()
                times.append(first_answer_ms(cmd, port, path, cwd))
            rows.append({"case": name, "median_ms": statistics.median(times),
                         "min_ms": min(times), "max_ms": max(times), "runs_ms": times})
            print(f"  start-up {name}: {statistics.median(times):.0f} ms", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def table(rows):
    out = ["| server | start to first answer, median ms | min–max ms |", "|---|---:|---:|"]
    for r in rows:
        out.append(f"| {r['case']} | {r['median_ms']:,.0f} | {r['min_ms']:,.0f}–{r['max_ms']:,.0f} |")
    return "\n".join(out)


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    Mode.pinned = True
    rows = run(a.server, a.build, a.reps)
    print(table(rows))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
