// A real MCP host over stdio: the official TypeScript SDK's Client and StdioClientTransport
// launching `mcpauth proxy` (through a wrapper script that records its stdout and exit status).
// Usage (from a directory under build/interop/sdk-v1 or sdk-v2, so the SDK resolves; with
// test/interop/sdk_clients/common.mjs beside it):
//   node proxy_client.mjs v1|v2-pin|v2-legacy COMMAND            initialize, tools, whoami
//   node proxy_client.mjs v1|v2-pin|v2-legacy COMMAND revoked    expects a JSON-RPC error
// Prints PASS/FAIL lines; exit status 0 only when every check passed.
import { makeReporter, step as stepOf, withTimeout, describeError } from './common.mjs';

const [flavour, command, expect = 'ok'] = process.argv.slice(2);
const { check, finish } = makeReporter(`proxy ${flavour}${expect === 'revoked' ? ' (revoked)' : ''}`);
const STEP_MS = 20000;
// A step that passes is a PASS line too.
const step = async (what, fn) => {
  const r = await stepOf(check, what, fn, STEP_MS);
  if (r.ok) check(what, true);
  return r;
};

let Client, StdioClientTransport, options = {};
if (flavour === 'v1') {
  ({ Client } = await import('@modelcontextprotocol/sdk/client/index.js'));
  ({ StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js'));
} else {
  ({ Client } = await import('@modelcontextprotocol/client'));
  ({ StdioClientTransport } = await import('@modelcontextprotocol/client/stdio'));
  options = { versionNegotiation: { mode: flavour === 'v2-pin' ? { pin: '2026-07-28' } : 'legacy' } };
}
const client = new Client({ name: `mcpauth-proxy-test-${flavour}`, version: '1.0.0' }, options);
const transport = new StdioClientTransport({ command, args: [], env: { ...process.env }, stderr: 'inherit' });

if (expect === 'revoked') {
  // The first request (server/discover or initialize) is refused: the host must get an answer
  // that says what to do, promptly, not a hang and not a dead process.
  let message = '';
  try {
    await withTimeout('connect', client.connect(transport), STEP_MS);
    const r = await withTimeout('tools/call whoami', client.callTool({ name: 'whoami', arguments: {} }), STEP_MS);
    message = JSON.stringify(r);
  } catch (e) {
    message = describeError(e);
  }
  check('the refused request got a JSON-RPC error', !/timed out/.test(message) && message.length > 0, message);
  // The v2 client in pin mode reports only that server/discover failed; the shell script reads
  // the proxy's stdout for the message in every case.
  if (flavour !== 'v2-pin') {
    check('the error says the access was revoked', /revoked/.test(message), message);
    check('the error says how to sign in again', /mcpauth login http/.test(message), message);
  }
  await transport.close().catch(() => {});
  finish();
}

const connected = await step('connect (initialize or server/discover) through the proxy', () => client.connect(transport));
if (!connected.ok) finish();
if (flavour !== 'v1') {
  const era = client.getProtocolEra?.();
  const want = flavour === 'v2-pin' ? 'modern' : 'legacy';
  check(`era is ${want}`, era === want, `era=${era}`);
}
check('server is mcpauth', client.getServerVersion()?.name === 'mcpauth', JSON.stringify(client.getServerVersion()));
const listed = await step('tools/list', () => client.listTools());
if (listed.ok) {
  const names = listed.value.tools.map(t => t.name);
  check('whoami is listed', names.includes('whoami'), names.join(','));
}
// Pipelined: two calls in flight at once, answered by id.
const calls = await step('two tools/call whoami in flight at once', () => Promise.all([
  client.callTool({ name: 'whoami', arguments: {} }),
  client.callTool({ name: 'echo', arguments: { text: 'through the proxy' } }),
]));
if (calls.ok) {
  const [who, echo] = calls.value;
  const text = who.content?.map(c => c.text ?? '').join(' ') ?? '';
  check('whoami answers alice', /alice/.test(text) && !who.isError, text);
  const echoed = echo.content?.map(c => c.text ?? '').join(' ') ?? '';
  check('echo answers its text', /through the proxy/.test(echoed), echoed);
}
await step('close (end of input)', () => client.close());
finish();
