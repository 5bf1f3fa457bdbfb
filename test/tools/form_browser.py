#!/usr/bin/env python3
"""A scripted "browser" for the authorization server's real pages, over plain HTTP.

Usage: form_browser.py AUTHORIZATION_URL [--user NAME --password-env VAR] [--decision approve|deny]
                       [--expect-consent yes|no|any] [--no-follow-callback]

It does what a person does: opens the URL, fills the sign-in form it finds (inputs named
`username` and `password`, every other input of the form sent as the page set it, CSRF token
included), submits the consent form with the button `decision` = approve or deny, and finally
opens the redirect back to the client (e.g. the conformance suite's or a CLI's loopback
callback). With --disconnect CLIENT_ID it signs in on the Connected apps page and presses that app's
Disconnect button (prints DISCONNECTED). It keeps cookies like a browser and follows redirects
only on the authorization server's own origin; the first redirect elsewhere is printed ("CALLBACK <url>") and, unless
--no-follow-callback, fetched. Exit status 0 when a callback was reached, 1 otherwise (the page's
text is printed). There is no shortcut in the product for it: it posts the same forms as a person.
"""
import argparse
import html.parser
import http.cookiejar
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


class FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []
        self._form = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                          "inputs": [], "buttons": []}
            self.forms.append(self._form)
        elif self._form is not None and tag == "input":
            self._form["inputs"].append((a.get("name"), a.get("value", ""), a.get("type", "text")))
        elif self._form is not None and tag == "button":
            self._form["buttons"].append((a.get("name"), a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def authorize(url, user, password, decision="approve", expect_consent="any",
              follow_callback=True, jar=None):
    """Runs the flow from `url`; returns the callback URL the server redirected to, or None."""
    args = argparse.Namespace(url=url, user=user, decision=decision,
                              expect_consent=expect_consent,
                              no_follow_callback=not follow_callback, disconnect="")
    return _run(args, password, jar if jar is not None else http.cookiejar.CookieJar())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--user", default="alice")
    ap.add_argument("--password-env", default="MCPAUTH_TEST_PASSWORD")
    ap.add_argument("--decision", default="approve")
    ap.add_argument("--expect-consent", default="any", choices=["yes", "no", "any"])
    ap.add_argument("--no-follow-callback", action="store_true")
    ap.add_argument("--disconnect", default="",
                    help="on the Connected apps page, press Disconnect for this client_id")
    args = ap.parse_args()
    callback = _run(args, os.environ.get(args.password_env, ""), http.cookiejar.CookieJar())
    return 0 if callback else 1


def _run(args, password, jar):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    origin = urllib.parse.urlsplit(args.url)[:2]
    url, data, saw_consent = args.url, None, False
    for _ in range(12):
        req = urllib.request.Request(url, data=data)
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            resp = opener.open(req, timeout=30)
            status, headers, body = resp.status, resp.headers, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read().decode("utf-8", "replace")
        if status in (301, 302, 303, 307, 308):
            target = urllib.parse.urljoin(url, headers["Location"])
            if urllib.parse.urlsplit(target)[:2] != origin:
                print("CALLBACK " + target, flush=True)
                if args.expect_consent == "yes" and not saw_consent:
                    print("expected a consent page, got none", file=sys.stderr)
                    return None
                if args.expect_consent == "no" and saw_consent:
                    print("expected no consent page", file=sys.stderr)
                    return None
                if not args.no_follow_callback:
                    try:
                        urllib.request.urlopen(target, timeout=30).read()
                    except Exception as e:  # the callback may close at once; that is fine
                        print("callback answered: %s" % e, file=sys.stderr)
                return target
            url, data = target, None
            continue
        parser = FormParser()
        parser.feed(body)
        if args.disconnect and url.endswith("/apps/disconnect") and data is not None:
            ok = status == 200 and any("Disconnected" in t for t in parser.text)
            print("DISCONNECTED" if ok else "disconnect failed: " + " | ".join(parser.text)[:500],
                  flush=True)
            return url if ok else None
        if args.disconnect:
            target_form = next((f for f in parser.forms
                                if ("client_id", args.disconnect) in
                                [(n, v) for n, v, _ in f["inputs"]]), None)
            if target_form is not None:
                url = urllib.parse.urljoin(url, target_form["action"])
                data = urllib.parse.urlencode(
                    [(n, v) for n, v, _ in target_form["inputs"] if n]).encode()
                continue
        form = next((f for f in parser.forms
                     if any(n == "password" for n, _, _ in f["inputs"])), None)
        fields = []
        if form is not None:
            for name, value, _ in form["inputs"]:
                if name == "username":
                    value = args.user
                elif name == "password":
                    value = password
                if name:
                    fields.append((name, value))
        else:
            form = next((f for f in parser.forms
                         if any(n == "decision" for n, _ in f["buttons"])), None)
            if form is None:
                print("status %d, no form to fill: %s" % (status, " | ".join(parser.text)[:2000]),
                      file=sys.stderr)
                return None
            saw_consent = True
            fields = [(n, v) for n, v, _ in form["inputs"] if n]
            fields.append(("decision", args.decision))
        url = urllib.parse.urljoin(url, form["action"] or url)
        data = urllib.parse.urlencode(fields).encode()
    print("too many steps", file=sys.stderr)
    return None


if __name__ == "__main__":
    sys.exit(main())
