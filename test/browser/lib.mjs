// Helpers of the browser journeys (journeys.mjs): Debian's Chromium through playwright-core, the
// real `mcpauth` CLI as a child process, the URLs it asks its $BROWSER to open, screenshots and a
// read-only look at the server's SQLite audit log.
//
// Environment (set by journeys.sh): MCPAUTH_CLI, MCP_URL, ISSUER, SERVER_NAME, BROWSER_DRIVER,
// BROWSER_QUEUE, CREDS, DB, SCREENSHOTS, MCPAUTH_STORE_KEY.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

export const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`journeys: ${name} is not set (run journeys.sh)`);
  return v;
};

// shared/STACK.md: Debian's Chromium, headless, as root; the background-networking flags keep it
// from calling out of this closed network.
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A fresh browser profile (no cookies), at the desktop width, in the light scheme.
export function newContext(browser) {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light',
    locale: 'en-US', timezoneId: 'UTC' });
}

// ---- the CLI --------------------------------------------------------------------------------

const running = new Set(); // CLI processes not finished yet

// Ends the CLI processes still running (a journey that failed half-way leaves a login waiting).
export function stopRunningClis() {
  for (const child of running) child.kill('SIGTERM');
}

// Starts `mcpauth --store file:CREDS ARGS...`; $BROWSER is the driver that queues the URL for
// us (or `false` when no browser may be opened). `done` resolves to {code, stdout, stderr}.
export function startCli(args, { browser = false } = {}) {
  const child = spawn(env('MCPAUTH_CLI'), ['--store', `file:${env('CREDS')}`, '--timeout', '30',
    ...args], {
    env: { ...process.env, BROWSER: browser ? env('BROWSER_DRIVER') : 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

// The CLI run to its end (for commands that need no browser).
export async function cli(...args) {
  return startCli(args).done;
}

// Waits for a child's exit; fails (and kills it) when it does not finish by itself in time.
export async function finishes(run, ms = 20000, what = 'the CLI') {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGTERM');
      reject(new Error(`${what} did not finish by itself within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([run.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- the $BROWSER driver's queue ------------------------------------------------------------

// Every URL the CLI has asked a browser to open, in order (the driver appends one per line).
export function openedUrls() {
  const queue = env('BROWSER_QUEUE');
  if (!existsSync(queue)) return [];
  return readFileSync(queue, 'utf8').split('\n').filter(Boolean);
}

// The next URL the CLI opens: the (count+1)-th line, waited for.
export async function nextOpenedUrl(count, ms = 20000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    const urls = openedUrls();
    if (urls.length > count) return urls[count];
  }
  throw new Error('the CLI did not open a browser');
}

// ---- what the person sees -------------------------------------------------------------------

const shotSizes = [
  { label: 'desktop', width: 1280, height: 800 },
  { label: 'phone', width: 390, height: 844 },
];

// docs/img/NAME-{desktop,phone}-{light,dark}.png of the page as it is now; the page is left at the
// desktop width in the light scheme.
export async function screenshots(page, name) {
  const dir = env('SCREENSHOTS');
  mkdirSync(dir, { recursive: true });
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const size of shotSizes) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.screenshot({ path: `${dir}/${name}-${size.label}-${scheme}.png`, fullPage: true,
        animations: 'disabled', caret: 'hide' });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
}

// Problems a person using a screen reader or the keyboard would meet on this page: a visible
// form control without a label (an <input> needs a <label for>, a button its text), and content
// wider than the viewport at the phone width.
export async function accessibilityProblems(page) {
  const problems = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, select, textarea, button, a[href]')) {
      if (el.type === 'hidden') continue;
      const name = el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA'
        ? [...(el.labels ?? [])].map((l) => l.textContent.trim()).join(' ')
        : (el.textContent || el.getAttribute('aria-label') || '').trim();
      if (!name) out.push(`${el.outerHTML.slice(0, 80)} has no label`);
    }
    if (!document.documentElement.lang) out.push('<html> has no lang');
    if (!document.title) out.push('no <title>');
    if (document.querySelectorAll('h1').length !== 1) out.push('not exactly one <h1>');
    return out;
  });
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() =>
    document.documentElement.scrollWidth > document.documentElement.clientWidth);
  if (overflow) problems.push('wider than a 390 px phone screen');
  await page.setViewportSize({ width: 1280, height: 800 });
  return problems;
}

// Presses Tab until `locator` has the focus (at most `max` presses); false if it never does.
export async function tabTo(page, locator, max = 15) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await locator.evaluate((el) => el === document.activeElement)) return true;
  }
  return false;
}

// ---- what the system does -------------------------------------------------------------------

// The server's audit events of `type` (read-only; the server keeps writing in WAL mode).
export function auditEvents(type) {
  const db = new DatabaseSync(env('DB'), { readOnly: true });
  try {
    return db.prepare('SELECT type, subject, client_id, ip FROM audit_events WHERE type = ? ' +
      'ORDER BY id').all(type);
  } finally {
    db.close();
  }
}
