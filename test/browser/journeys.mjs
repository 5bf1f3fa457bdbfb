// The person's journeys, in order, in Debian's Chromium (run by journeys.sh, which starts the
// server and sets the environment lib.mjs names). Each asserts what the person sees (the page's
// words, where the browser ends up, the CLI's messages) and what the system does (the CLI's exit,
// its credentials, the server's audit log). Later journeys build on earlier ones: one signed-in
// browser profile for alice, one credentials file for the CLI.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import {
  accessibilityProblems, auditEvents, cli, env, finishes, launchChromium, newContext,
  nextOpenedUrl, openedUrls, screenshots, startCli, stopRunningClis, tabTo,
} from './lib.mjs';

const ISSUER = env('ISSUER');
const MCP_URL = env('MCP_URL');
const SERVER_NAME = env('SERVER_NAME');
const ALICE_PASSWORD = env('ALICE_PASSWORD');
const CAROL_PASSWORD = env('CAROL_PASSWORD');
const CLIENT_NAME = 'mcpauth'; // the name the CLI registers under
const WRONG = 'Wrong user name or password.';
const TOO_MANY = 'Too many sign-in attempts. Wait a few minutes and try again.';

let browser;
let alice; // alice's browser profile: signed in by journey 1, kept
let page; // her tab
let lastPageHeaders; // of the page loginOpening() opened

before(async () => {
  browser = await launchChromium();
  alice = await newContext(browser);
  page = await alice.newPage();
});
after(async () => {
  stopRunningClis();
  await browser?.close();
});

// A journey: skipped once an earlier one failed (each builds on the state the ones before left).
let failed = false;
function journey(name, fn) {
  test(name, async (t) => {
    if (failed) {
      t.skip('an earlier journey failed');
      return;
    }
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      throw e;
    }
  });
}

// The page's heading reads `text` (waited for up to 10 s: a navigation may still be under way).
async function expectH1(p, text, message) {
  await p.waitForFunction((t) => document.querySelector('h1')?.innerText === t, text,
    { timeout: 10000 }).catch(() => {});
  assert.equal(await p.locator('h1').innerText(), text, message);
}
const alertText = (p) => p.getByRole('alert').innerText();

async function signIn(p, username, password) {
  await p.getByLabel('User name').fill(username);
  await p.getByLabel('Password').fill(password);
  // The answer to the POST, and the document that replaced the form (an error shows in a new one).
  const [response] = await Promise.all([
    p.waitForResponse((r) => r.url() === `${ISSUER}/login` && r.request().method() === 'POST'),
    p.waitForEvent('framenavigated', (f) => f === p.mainFrame()),
    p.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await p.waitForLoadState();
  return response.status();
}

// Starts `mcpauth login` (extra args after the URL) and opens the URL it hands its $BROWSER in
// `p`; returns the running CLI.
async function loginOpening(p, ...args) {
  const count = openedUrls().length;
  const run = startCli(['login', MCP_URL, ...args], { browser: true });
  const url = await nextOpenedUrl(count);
  assert.ok(url.startsWith(`${ISSUER}/authorize?`), `the CLI opened ${url}`);
  lastPageHeaders = (await p.goto(url)).headers();
  return run;
}

// The consent page as the person reads it: who asks, for what, where it returns.
async function assertConsentPage(p, plainScopes) {
  await expectH1(p, CLIENT_NAME);
  const text = await p.locator('main').innerText();
  assert.match(text, new RegExp(`wants to access\\s+${SERVER_NAME} MCP server`));
  assert.match(text, /on your account\s+alice/);
  assert.match(text, /You will be sent back to\s+127\.0\.0\.1/);
  assert.match(text, /This app runs on your computer/);
  for (const words of plainScopes) assert.ok(text.includes(words), `consent lists "${words}"`);
  assert.ok(await p.getByRole('button', { name: 'Approve' }).isVisible());
  assert.ok(await p.getByRole('button', { name: 'Deny' }).isVisible());
}

// The loopback page the CLI answers the browser with, and the CLI's own end.
async function assertSignedIn(p, run) {
  await expectH1(p, `Signed in to ${SERVER_NAME}`);
  assert.match(await p.locator('body').innerText(), /You can close this tab/);
  const out = await finishes(run);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, new RegExp(`signed in to ${MCP_URL}`));
  return out;
}

const READ = 'Read resources and prompts';
const TOOLS = "Call the server's tools";
const OFFLINE = 'Stay connected when you are away';

journey('1. mcpauth login: the browser opens, sign in, approve; the CLI finishes; whoami', async (t) => {
  const run = await loginOpening(page);
  // The sign-in page names the server and the app.
  await expectH1(page, `Sign in to ${SERVER_NAME}`);
  assert.match(await page.locator('main').innerText(), new RegExp(`to continue to ${CLIENT_NAME}`));
  assert.equal(await page.title(), `Sign in · ${SERVER_NAME}`);
  await screenshots(page, 'login');
  assert.equal(await signIn(page, 'alice', ALICE_PASSWORD), 303);
  await assertConsentPage(page, [READ, TOOLS, OFFLINE]);
  await screenshots(page, 'consent');
  await page.getByRole('button', { name: 'Approve' }).click();
  await expectH1(page, `Signed in to ${SERVER_NAME}`);
  await screenshots(page, 'signed-in');
  await assertSignedIn(page, run);
  // The tool sees alice and what she granted.
  const whoami = await cli('call', MCP_URL, 'whoami');
  assert.equal(whoami.code, 0, whoami.stderr);
  assert.match(whoami.stdout, /^alice \(subject /);
  assert.match(whoami.stdout, /scopes: .*mcp:read/);
  assert.match(whoami.stdout, /mcp:tools/);
  t.diagnostic(`mcpauth call whoami: ${whoami.stdout.trim()}`);
  assert.equal(auditEvents('grant.created').length, 1);
  assert.equal(openedUrls().length, 1);
});

journey('2. Connected apps lists the CLI; Disconnect; the next call is refused, refresh too', async (t) => {
  await page.goto(`${ISSUER}/apps`);
  await expectH1(page, 'Connected apps');
  const app = page.locator('li.app');
  assert.equal(await app.count(), 1);
  assert.equal(await app.locator('h2').innerText(), CLIENT_NAME);
  const row = await app.innerText();
  assert.ok(row.includes(READ) && row.includes(TOOLS), row);
  assert.doesNotMatch(row, /Last used never/); // the call above used it
  await screenshots(page, 'apps');
  await page.getByRole('button', { name: `Disconnect ${CLIENT_NAME}` }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByRole('status').innerText(),
    `Disconnected ${CLIENT_NAME}. It can no longer access your account.`);
  assert.equal(await app.count(), 0);
  assert.match(await page.locator('main').innerText(), /No connected apps/);
  assert.equal(auditEvents('grant.revoked').length, 1);
  // The CLI's next call: refused, and it says why and what to do.
  const call = await cli('--debug', 'call', MCP_URL, 'whoami');
  assert.notEqual(call.code, 0, call.stdout);
  assert.match(call.stderr, /refresh failed: .*invalid_grant/); // the refresh token is dead too
  assert.match(call.stderr, /access .*was revoked/i);
  assert.ok(call.stderr.includes(`mcpauth login ${MCP_URL}`), call.stderr);
  for (const line of call.stderr.split('\n').filter((l) => l.startsWith('mcpauth:'))) {
    t.diagnostic(line);
  }
  assert.equal(openedUrls().length, 1, 'a call never opens a browser');
});

journey('3. wrong password: one message for every account; lockout after the limit', async () => {
  const ctx = await newContext(browser);
  const p = await ctx.newPage();
  await p.goto(`${ISSUER}/apps`); // not signed in: the sign-in page, back to the apps after
  await expectH1(p, `Sign in to ${SERVER_NAME}`);
  assert.equal(await signIn(p, 'alice', 'not-her-password'), 200);
  assert.equal(await alertText(p), WRONG);
  assert.equal(await p.getByLabel('User name').inputValue(), 'alice'); // kept for the retry
  assert.equal(await p.getByLabel('Password').inputValue(), '');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'password');
  // No account enumeration: a name that does not exist gets the same page.
  assert.equal(await signIn(p, 'nobody', 'not-a-password'), 200);
  assert.equal(await alertText(p), WRONG);
  // Lockout: five failures for one name, known or not; then even the right password is refused.
  const fifth = {};
  for (const user of ['carol', 'ghost']) {
    for (let i = 1; i <= 5; i++) {
      await signIn(p, user, `wrong-${i}`);
      fifth[user] = await alertText(p);
      if (i < 5) assert.equal(fifth[user], WRONG);
    }
  }
  assert.equal(fifth.carol, TOO_MANY);
  assert.equal(fifth.ghost, fifth.carol, 'a locked real account reads like an unknown one');
  assert.equal(await signIn(p, 'carol', CAROL_PASSWORD), 429);
  assert.equal(await alertText(p), TOO_MANY);
  await p.goto(`${ISSUER}/apps`);
  await expectH1(p, `Sign in to ${SERVER_NAME}`, 'carol is not signed in');
  assert.equal(auditEvents('login.locked').length, 1, 'the store locked carol');
  assert.equal(auditEvents('login.succeeded').length, 1); // alice's, in journey 1
  assert.ok(auditEvents('login.throttled').length >= 1);
  await ctx.close();
});

journey('4. Deny on the consent page: access_denied once, no second tab', async (t) => {
  const run = await loginOpening(page); // alice is still signed in: straight to consent
  await assertConsentPage(page, [READ, TOOLS]);
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForLoadState();
  await expectH1(page, 'Sign-in failed');
  assert.match(await page.locator('body').innerText(), /access_denied/);
  const out = await finishes(run);
  assert.equal(out.code, 1);
  assert.equal(out.stderr.match(/access_denied/g)?.length, 1, out.stderr);
  t.diagnostic(out.stderr.split('\n').filter((l) => l.startsWith('mcpauth:')).join('\n'));
  assert.equal(openedUrls().length, 2, 'one browser tab for this login, no retry');
  assert.equal(alice.pages().length, 1);
  assert.equal(auditEvents('consent.denied').length, 1);
  const status = await cli('status');
  assert.ok(!status.stdout.includes(MCP_URL), 'no credentials were stored');
});

journey('5. remembered consent skips the page; a wider scope asks again', async () => {
  // Narrower first: only mcp:read (and offline_access, which the client adds).
  let run = await loginOpening(page, '--scope', 'mcp:read');
  await assertConsentPage(page, [READ, OFFLINE]);
  assert.ok(!(await page.locator('main').innerText()).includes(TOOLS));
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForLoadState();
  await assertSignedIn(page, run);
  // The same again: no page to read, the browser goes straight back to the CLI.
  const consentPages = [];
  const onResponse = (r) => {
    if (r.url().startsWith(`${ISSUER}/authorize`) && r.status() === 200) consentPages.push(r.url());
  };
  page.on('response', onResponse);
  run = await loginOpening(page, '--scope', 'mcp:read');
  await assertSignedIn(page, run);
  page.off('response', onResponse);
  assert.deepEqual(consentPages, []);
  // Wider (the server's scopes: + mcp:tools): the consent page again, with the new scope.
  run = await loginOpening(page);
  await assertConsentPage(page, [READ, TOOLS, OFFLINE]);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForLoadState();
  await assertSignedIn(page, run);
  const whoami = await cli('call', MCP_URL, 'whoami');
  assert.equal(whoami.code, 0, whoami.stderr);
  assert.match(whoami.stdout, /mcp:tools/);
});

journey('6. forms without their CSRF token are refused; the pages refuse to be framed', async () => {
  await page.goto(`${ISSUER}/apps`);
  const clientId = await page.locator('li.app input[name="client_id"]').inputValue();
  // Posted from elsewhere with alice's cookies but without the token: Disconnect, Sign out.
  for (const [path, form] of [['/apps/disconnect', { client_id: clientId }], ['/logout', {}]]) {
    const r = await page.request.post(`${ISSUER}${path}`, { form, maxRedirects: 0 });
    assert.equal(r.status(), 403, path);
    assert.match(await r.text(), /This form has expired/);
  }
  await page.reload();
  assert.equal(await page.locator('li.app').count(), 1, 'still connected, still signed in');
  // The sign-in form without its token: refused, no session.
  const stranger = await newContext(browser);
  const sp = await stranger.newPage();
  await sp.goto(`${ISSUER}/login`);
  const r = await sp.request.post(`${ISSUER}/login`, { maxRedirects: 0,
    form: { username: 'alice', password: ALICE_PASSWORD, return_to: '/apps' } });
  assert.equal(r.status(), 403);
  await sp.goto(`${ISSUER}/apps`);
  await expectH1(sp, `Sign in to ${SERVER_NAME}`);
  await stranger.close();

  // The consent form with its token taken out, in the page: the error page, nothing granted;
  // back, and the real form still works.
  await page.getByRole('button', { name: `Disconnect ${CLIENT_NAME}` }).click();
  await page.waitForLoadState();
  const grants = auditEvents('grant.created').length;
  const run = await loginOpening(page);
  await page.locator('form.actions input[name="csrf_token"]').evaluate((el) => el.remove());
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForLoadState();
  await expectH1(page, 'This form has expired');
  assert.match(await page.locator('main').innerText(), /the approval was not recorded/);
  assert.equal(auditEvents('grant.created').length, grants);
  await screenshots(page, 'error');
  await page.goBack();
  await assertConsentPage(page, [READ, TOOLS]);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForLoadState();
  await assertSignedIn(page, run);

  // Framing: the headers, and a page of another origin that tries (with alice's cookies).
  const consentHeaders = lastPageHeaders; // the consent page of this journey's login
  const headers = [['consent', consentHeaders],
    ['apps', (await page.request.get(`${ISSUER}/apps`)).headers()],
    ['login', Object.fromEntries((await fetch(`${ISSUER}/login`)).headers)]];
  for (const [what, h] of headers) {
    assert.equal(h['x-frame-options'], 'DENY', what);
    assert.match(h['content-security-policy'], /frame-ancestors 'none'/, what);
  }
  const framer = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>framer</title><iframe src="${ISSUER}/apps"></iframe>`);
  });
  await new Promise((resolve) => framer.listen(0, '127.0.0.1', resolve));
  try {
    const fp = await alice.newPage();
    const refused = new Promise((resolve) => {
      setTimeout(() => resolve('no console message about frame-ancestors'), 10000);
      fp.on('console', (m) => {
        if (/frame-ancestors/.test(m.text())) resolve(m.text());
      });
    });
    await fp.goto(`http://127.0.0.1:${framer.address().port}/`);
    const frame = fp.frames().find((f) => f !== fp.mainFrame());
    assert.ok(frame, 'the iframe exists');
    assert.match(await refused, /frame-ancestors 'none'.*(blocked|refused)/i);
    // Chromium shows its own error page in the frame instead, nothing of ours.
    assert.ok(!frame.url().startsWith(ISSUER), frame.url());
    const shown = await frame.locator('body').innerText();
    assert.doesNotMatch(shown, /Connected apps|Disconnect|alice/, shown);
    await fp.close();
  } finally {
    framer.close();
  }
});

journey('7. keyboard only: sign in, disconnect, approve, sign out; every input labelled', async () => {
  const ctx = await newContext(browser);
  const p = await ctx.newPage();
  const focused = () => p.evaluate(() => {
    const el = document.activeElement;
    return el.id || el.textContent.trim();
  });
  const problems = async (what) => assert.deepEqual(await accessibilityProblems(p), [], what);

  await p.goto(`${ISSUER}/apps`);
  await problems('sign-in page');
  assert.equal(await focused(), 'username', 'the cursor starts in the user name');
  await p.keyboard.type('alice');
  await p.keyboard.press('Tab');
  assert.equal(await focused(), 'password');
  await p.keyboard.type(ALICE_PASSWORD);
  await p.keyboard.press('Enter');
  await p.waitForURL(`${ISSUER}/apps`);
  await problems('Connected apps');
  const disconnect = p.getByRole('button', { name: `Disconnect ${CLIENT_NAME}` });
  assert.ok(await tabTo(p, disconnect), 'Tab reaches Disconnect');
  const ring = await disconnect.evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(ring, 'none', 'the focused button shows it');
  await p.keyboard.press('Enter');
  await p.getByRole('status').waitFor();
  assert.match(await p.getByRole('status').innerText(), /^Disconnected /);

  const run = await loginOpening(p);
  await assertConsentPage(p, [READ, TOOLS]);
  await problems('consent page');
  const approve = p.getByRole('button', { name: 'Approve' });
  assert.ok(await tabTo(p, approve, 3), 'Approve is among the first stops');
  await p.keyboard.press('Enter');
  await p.waitForLoadState();
  await assertSignedIn(p, run);

  await p.goto(`${ISSUER}/apps`);
  assert.ok(await tabTo(p, p.getByRole('button', { name: 'Sign out' })), 'Tab reaches Sign out');
  await p.keyboard.press('Enter');
  await p.waitForLoadState();
  await expectH1(p, 'Signed out');
  await problems('signed-out page');
  assert.ok(await tabTo(p, p.getByRole('link', { name: 'Sign in again' })));
  await p.keyboard.press('Enter');
  await p.waitForLoadState();
  await expectH1(p, `Sign in to ${SERVER_NAME}`);
  await ctx.close();
});
