// Shared helpers for the SDK client interop scripts (copied next to them at run time).
// Every await goes through withTimeout; results are PASS/FAIL lines; the process exit code is
// 0 only when every check passed.

const STEP_TIMEOUT_MS = Number(process.env.SDK_STEP_TIMEOUT_MS ?? 10000);
const TOTAL_TIMEOUT_MS = Number(process.env.SDK_TOTAL_TIMEOUT_MS ?? 60000);

export function makeReporter(prefix) {
  let failures = 0;
  let passes = 0;
  const watchdog = setTimeout(() => {
    console.log(`FAIL ${prefix}: script did not finish within ${TOTAL_TIMEOUT_MS} ms`);
    process.exit(2);
  }, TOTAL_TIMEOUT_MS);
  watchdog.unref();
  const check = (name, ok, detail = '') => {
    if (ok) passes++; else failures++;
    console.log(`${ok ? 'PASS' : 'FAIL'} ${prefix}: ${name}${detail ? ` (${detail})` : ''}`);
    return ok;
  };
  const finish = () => {
    console.log(`${prefix}: ${passes} passed, ${failures} failed`);
    // Exit explicitly: SDK transports may hold reconnect timers or open streams.
    process.exit(failures === 0 && passes > 0 ? 0 : 1);
  };
  return { check, finish };
}

// Resolves with the promise's value or rejects after ms milliseconds.
export function withTimeout(what, promise, ms = STEP_TIMEOUT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Runs one step; a throw or timeout is a FAIL line, and the step's value (or undefined) is returned.
export async function step(check, what, fn, ms = STEP_TIMEOUT_MS) {
  try {
    return { ok: true, value: await withTimeout(what, Promise.resolve().then(fn), ms) };
  } catch (err) {
    check(what, false, `threw: ${describeError(err)}`);
    return { ok: false, error: err };
  }
}

export function describeError(err) {
  if (!err) return String(err);
  const code = err.code !== undefined ? ` code=${err.code}` : '';
  return `${err.name ?? 'Error'}${code}: ${err.message ?? err}`;
}

// A fetch that records every exchange the SDK transport makes: HTTP method, JSON-RPC method(s),
// tool name, request headers of interest, response status and Content-Type.
export function recordingFetch(log) {
  return async (input, init = {}) => {
    const headers = new Headers(init.headers ?? {});
    let rpc = [];
    if (typeof init.body === 'string') {
      try {
        const body = JSON.parse(init.body);
        rpc = (Array.isArray(body) ? body : [body]).map(m => ({
          method: m.method, id: m.id, tool: m.params?.name,
        }));
      } catch { /* not JSON */ }
    }
    const entry = {
      httpMethod: init.method ?? 'GET',
      rpc,
      sessionId: headers.get('mcp-session-id'),
      protocolVersion: headers.get('mcp-protocol-version'),
      mcpMethod: headers.get('mcp-method'),
      status: undefined,
      contentType: undefined,
      responseSessionId: undefined,
    };
    log.push(entry);
    const response = await fetch(input, init);
    entry.status = response.status;
    entry.contentType = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    entry.responseSessionId = response.headers.get('mcp-session-id');
    return response;
  };
}

// The recorded POST that carried tools/call for the given tool (the last one).
export function findToolCall(log, tool) {
  return [...log].reverse().find(e => e.httpMethod === 'POST' &&
    e.rpc.some(m => m.method === 'tools/call' && m.tool === tool));
}

export function textOf(result) {
  return (result?.content ?? []).filter(c => c.type === 'text').map(c => c.text).join('');
}

export function summarizeLog(log) {
  return log.map(e => `${e.httpMethod} ${e.rpc.map(m => m.method + (m.tool ? `(${m.tool})` : '')).join(',') || '-'}` +
    ` sid=${e.sessionId ?? '-'} pv=${e.protocolVersion ?? '-'} -> ${e.status} ${e.contentType || '-'}` +
    (e.responseSessionId ? ` new-sid=${e.responseSessionId}` : '')).join('\n  ');
}

// The tool checks both SDK generations run: listTools, echo (plain JSON), add, and
// test_tool_with_progress with an onprogress callback (SSE). callTool(params, options) adapts
// the SDK's signature. Returns the kinds of response bodies seen for tools/call.
export async function exerciseTools({ check, client, log, callTool }) {
  const listed = await step(check, 'listTools', () => client.listTools());
  if (listed.ok) {
    const names = (listed.value.tools ?? []).map(t => t.name);
    const want = ['echo', 'add', 'time', 'whoami', 'test_tool_with_progress'];
    const missing = want.filter(n => !names.includes(n));
    check('listTools contains echo, add, time, whoami, test_tool_with_progress', missing.length === 0,
      missing.length ? `missing ${missing.join(', ')}; got ${names.length} tools` : `${names.length} tools`);
  }

  const echo = await step(check, 'callTool echo', () => callTool({ name: 'echo', arguments: { text: 'hi' } }));
  if (echo.ok) {
    check('echo {text:"hi"} returns "hi"', textOf(echo.value) === 'hi' && !echo.value.isError,
      JSON.stringify(echo.value.content));
  }

  const add = await step(check, 'callTool add', () => callTool({ name: 'add', arguments: { a: 2, b: 40 } }));
  if (add.ok) {
    check('add {a:2,b:40} returns "42"', textOf(add.value) === '42' && !add.value.isError,
      JSON.stringify(add.value.content));
    check('add structuredContent.sum is 42', add.value.structuredContent?.sum === 42,
      JSON.stringify(add.value.structuredContent));
  }

  const progress = [];
  const prog = await step(check, 'callTool test_tool_with_progress', () => callTool(
    { name: 'test_tool_with_progress', arguments: {} },
    { onprogress: p => progress.push(p), timeout: 8000 }));
  if (prog.ok) {
    check('test_tool_with_progress result', !prog.value.isError && textOf(prog.value).length > 0,
      JSON.stringify(textOf(prog.value)));
    check('test_tool_with_progress: >= 3 onprogress callbacks', progress.length >= 3,
      `got ${progress.length}: ${progress.map(p => `${p.progress}/${p.total}`).join(', ')}`);
    const increasing = progress.every((p, i) => i === 0 || p.progress > progress[i - 1].progress);
    check('progress values increase', increasing, progress.map(p => p.progress).join(','));
  }

  // JSON vs SSE, as the transport received them.
  const echoPost = findToolCall(log, 'echo');
  const progPost = findToolCall(log, 'test_tool_with_progress');
  const kinds = new Set();
  if (echoPost?.contentType === 'application/json') kinds.add('json');
  if (progPost?.contentType === 'text/event-stream') kinds.add('sse');
  check('echo answered as plain JSON (Content-Type application/json)',
    echoPost?.status === 200 && echoPost?.contentType === 'application/json',
    `${echoPost?.status} ${echoPost?.contentType}`);
  check('test_tool_with_progress answered as SSE (Content-Type text/event-stream)',
    progPost?.status === 200 && progPost?.contentType === 'text/event-stream',
    `${progPost?.status} ${progPost?.contentType}`);
  check('both JSON and SSE responses seen', kinds.has('json') && kinds.has('sse'), [...kinds].join('+'));
  return kinds;
}
