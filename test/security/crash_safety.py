#!/usr/bin/env python3
"""Crash safety of mcpauth-server's SQLite store (issue 10), run by ctest.

Usage: crash_safety.py BUILD_DIR

Several clients storm the real server with code exchanges and refresh-token rotations; the server
is killed with SIGKILL mid-storm and restarted on the same data directory and port, a few times.
After each restart it proves, with the product's own endpoints:
  - the database passes PRAGMA integrity_check (checked right after the kill, before restarting);
  - every access token a client received (got a 200 for) still works at /mcp;
  - the latest refresh token of every chain a client holds refreshes (a chain whose refresh was in
    flight at the kill holds its last received token: if the server had committed the rotation,
    that token is within the 30 s grace of docs/store.md, so it refreshes too);
and at the end that nothing consumed is accepted again: every exchanged code, and every refresh
token that was rotated (outside the grace), is refused with invalid_grant.

The sign-in and consent are the real forms, filled by test/tools/form_browser.py; the session and
the remembered consent let each later authorization return a code at once.
"""
import base64
import hashlib
import http.client
import http.cookiejar
import json
import os
import random
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import form_browser  # noqa: E402

form_browser.print = lambda *args, **kwargs: None  # its CALLBACK lines, hundreds of them

CLIENTS = 4
ROUNDS = 3
REDIRECT = "http://127.0.0.1:9/callback"
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "crash-safety", "version": "1"}}


class ServerDown(Exception):
    pass


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(url, data=None, headers=None, timeout=15):
    """(status, body) of one request; ServerDown if no HTTP answer came back."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, ConnectionError, OSError, http.client.HTTPException) as e:
        raise ServerDown(str(e))


def post_form(base, path, fields):
    return request(base + path, urllib.parse.urlencode(fields).encode(),
                   {"Content-Type": "application/x-www-form-urlencoded"})


class Server:
    def __init__(self, build, work, port):
        self.binary = os.path.join(build, "bin", "mcpauth-server")
        self.data_dir = os.path.join(work, "var")
        self.log = os.path.join(work, "server.log")
        self.port = port
        self.base = "http://127.0.0.1:%d" % port
        self.proc = None

    def start(self):
        log = open(self.log, "a")
        self.proc = subprocess.Popen([self.binary, "--listen", "127.0.0.1:%d" % self.port,
                                      "--data-dir", self.data_dir, "--threads", "2"],
                                     stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                fail("the server exited at start:\n" + open(self.log).read()[-3000:])
            try:
                status, _ = request(self.base + "/.well-known/oauth-authorization-server",
                                    timeout=2)
                if status == 200:
                    return
            except ServerDown:
                pass
            time.sleep(0.1)
        fail("the server did not start")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Client:
    """One OAuth client: its registration, its browser, its chains of tokens."""

    def __init__(self, server, password):
        self.server = server
        self.password = password
        self.jar = None
        self.client_id = None
        self.chains = []        # {"refresh": latest received, "rotated": [...], "inflight": bool}
        self.access = []        # every access token received
        self.codes = []         # [code, verifier, answered]: every code sent to /token
        self.errors = []
        self.ops = 0

    def register(self):
        status, body = request(self.server.base + "/register", json.dumps({
            "client_name": "crash client", "redirect_uris": [REDIRECT],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"]}).encode(),
            {"Content-Type": "application/json"})
        if status != 201:
            fail("registration: %d %s" % (status, body))
        self.client_id = json.loads(body)["client_id"]
        self.jar = http.cookiejar.CookieJar()

    def code_exchange(self):
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        url = self.server.base + "/authorize?" + urllib.parse.urlencode({
            "response_type": "code", "client_id": self.client_id, "redirect_uri": REDIRECT,
            "code_challenge": challenge, "code_challenge_method": "S256",
            "state": secrets.token_hex(8), "resource": self.server.base + "/mcp"})
        try:
            callback = form_browser.authorize(url, "alice", self.password,
                                              follow_callback=False, jar=self.jar)
        except Exception as e:  # the server died under the browser
            raise ServerDown(str(e))
        if callback is None:
            raise ServerDown("no callback (server gone?)")
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(callback).query).get("code", [""])[0]
        if not code:
            self.errors.append("no code in " + callback)
            return
        entry = [code, verifier, False]
        self.codes.append(entry)
        status, body = post_form(self.server.base, "/token", {
            "grant_type": "authorization_code", "client_id": self.client_id, "code": code,
            "code_verifier": verifier, "redirect_uri": REDIRECT})
        if status != 200:
            self.errors.append("code exchange: %d %s" % (status, body))
            return
        entry[2] = True
        t = json.loads(body)
        self.access.append(t["access_token"])
        self.chains.append({"refresh": t["refresh_token"], "rotated": [], "inflight": False})

    def refresh(self, chain):
        chain["inflight"] = True
        status, body = post_form(self.server.base, "/token", {
            "grant_type": "refresh_token", "client_id": self.client_id,
            "refresh_token": chain["refresh"]})
        chain["inflight"] = False
        if status != 200:
            self.errors.append("refresh: %d %s" % (status, body))
            return False
        t = json.loads(body)
        chain["rotated"].append(chain["refresh"])
        chain["refresh"] = t["refresh_token"]
        self.access.append(t["access_token"])
        return True

    def storm(self, stop, dying):
        rng = random.Random()
        while not stop.is_set():
            try:
                if not self.chains or rng.random() < 0.3:
                    self.code_exchange()
                else:
                    self.refresh(rng.choice(self.chains))
                self.ops += 1
            except ServerDown as e:
                if not dying.is_set():
                    self.errors.append("server unreachable before the kill: %s" % e)
                return


def mcp_works(base, token):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list",
                       "params": {"_meta": META}}).encode()
    status, text = request(base + "/mcp", body, {
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/list",
        "Authorization": "Bearer " + token})
    return status == 200, "%d %s" % (status, text[:200])


def refused(status, body):
    """invalid_grant, or 429 once the failed-request limit per address is reached."""
    if status == 429:
        return True
    return status == 400 and json.loads(body).get("error") == "invalid_grant"


def integrity_check(data_dir):
    db = sqlite3.connect(os.path.join(data_dir, "mcpauth.db"))
    try:
        result = db.execute("PRAGMA integrity_check").fetchall()
    finally:
        db.close()
    if result != [("ok",)]:
        fail("PRAGMA integrity_check: %r" % (result,))


def main():
    build = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="mcpauth-crash-")
    server = Server(build, work, free_port())
    ok = False
    try:
        os.makedirs(server.data_dir)
        password = "crash-%s-password" % secrets.token_hex(8)
        subprocess.run([server.binary, "user", "add", "alice", "--password-stdin",
                        "--data-dir", server.data_dir], input=password + "\n", text=True,
                       check=True, stdout=subprocess.DEVNULL)
        server.start()
        clients = [Client(server, password) for _ in range(CLIENTS)]
        for c in clients:
            c.register()
            c.code_exchange()  # signs in and consents once; later codes come at once
            if c.errors:
                fail("setup: " + "; ".join(c.errors))

        for round_no in range(1, ROUNDS + 1):
            stop, dying = threading.Event(), threading.Event()
            threads = [threading.Thread(target=c.storm, args=(stop, dying)) for c in clients]
            ops_before = sum(c.ops for c in clients)
            for t in threads:
                t.start()
            time.sleep(random.uniform(1.0, 2.5))
            dying.set()
            server.kill()  # mid-storm: requests are in flight
            stop.set()
            for t in threads:
                t.join(timeout=60)
                if t.is_alive():
                    fail("a client thread hung after the kill")
            errors = [e for c in clients for e in c.errors]
            if errors:
                fail("while the server was up: " + "; ".join(errors[:5]))
            inflight = sum(1 for c in clients for ch in c.chains if ch["inflight"])
            integrity_check(server.data_dir)
            server.start()
            # Every access token received still works.
            for c in clients:
                for token in c.access:
                    works, detail = mcp_works(server.base, token)
                    if not works:
                        fail("round %d: a received access token fails at /mcp: %s"
                             % (round_no, detail))
            # The latest refresh token of every chain refreshes.
            for c in clients:
                for chain in c.chains:
                    if not c.refresh(chain):
                        fail("round %d: a received refresh token no longer refreshes: %s"
                             % (round_no, "; ".join(c.errors)))
            print("round %d: killed after %d operations (%d refreshes in flight); integrity ok; "
                  "%d access tokens and %d refresh chains verified"
                  % (round_no, sum(c.ops for c in clients) - ops_before, inflight,
                     sum(len(c.access) for c in clients), sum(len(c.chains) for c in clients)),
                  flush=True)

        # Nothing consumed is accepted again. Two more rotations per chain end the grace of every
        # token but the live one's immediate predecessor, which is left out.
        replays = 0
        for c in clients:
            for chain in c.chains:
                for _ in range(2):
                    if not c.refresh(chain):
                        fail("final rotations: " + "; ".join(c.errors))
        for c in clients:
            for chain in c.chains:
                for old in chain["rotated"][:-1]:
                    status, body = post_form(server.base, "/token", {
                        "grant_type": "refresh_token", "client_id": c.client_id,
                        "refresh_token": old})
                    replays += 1
                    if not refused(status, body):
                        fail("a rotated refresh token was accepted again: %d %s" % (status, body))
            for code, verifier, answered in c.codes:
                # An exchange in flight at a kill may never have happened: that code may be
                # accepted once now, never twice.
                accepted = 0 if not answered else 1
                for _ in range(2):
                    status, body = post_form(server.base, "/token", {
                        "grant_type": "authorization_code", "client_id": c.client_id,
                        "code": code, "code_verifier": verifier, "redirect_uri": REDIRECT})
                    replays += 1
                    accepted += status == 200
                    if accepted > 1 or (status != 200 and not refused(status, body)):
                        fail("a code was accepted twice: %d %s" % (status, body))
        server.stop()
        integrity_check(server.data_dir)
        print("ok: %d rounds, %d operations, %d codes, %d replays refused, integrity ok"
              % (ROUNDS, sum(c.ops for c in clients), sum(len(c.codes) for c in clients), replays))
        ok = True
    finally:
        server.stop()
        if not ok and os.path.exists(server.log):
            print("--- server log (tail)")
            print(open(server.log).read()[-3000:])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
