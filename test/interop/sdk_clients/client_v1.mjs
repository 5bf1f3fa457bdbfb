// v1 TypeScript SDK (@modelcontextprotocol/sdk 1.32.2) against our server: the 2025 session wire.
// Usage: node client_v1.mjs URL        (run from a directory under build/interop/sdk-v1)
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { makeReporter, step, exerciseTools, recordingFetch, summarizeLog, describeError } from './common.mjs';

const url = new URL(process.argv[2] ?? 'http://127.0.0.1:8080/mcp');
const { check, finish } = makeReporter('v1');
const log = [];
const errors = [];

const client = new Client({ name: 'mcpauth-interop-v1', version: '1.0.0' });
client.onerror = err => errors.push(err);
const transport = new StreamableHTTPClientTransport(url, { fetch: recordingFetch(log) });

const connected = await step(check, 'connect (initialize)', () => client.connect(transport));
if (!connected.ok) finish();
check('initialize issued a session id', typeof transport.sessionId === 'string' && transport.sessionId.length > 0,
  `sessionId=${transport.sessionId}`);
check('negotiated protocol version 2025-11-25', transport.protocolVersion === '2025-11-25',
  `protocolVersion=${transport.protocolVersion}`);
check('server info is mcpauth', client.getServerVersion()?.name === 'mcpauth', JSON.stringify(client.getServerVersion()));
const sessionId = transport.sessionId;

await exerciseTools({ check, client, log, callTool: (params, options) => client.callTool(params, undefined, options) });

const afterInit = log.filter(e => e.httpMethod === 'POST' && !e.rpc.some(m => m.method === 'initialize'));
check('every POST after initialize carried the session id and version header',
  afterInit.length > 0 && afterInit.every(e => e.sessionId === sessionId && e.protocolVersion === '2025-11-25'),
  `${afterInit.length} POSTs`);

// DELETE ends the session; then the old session id is unknown (404) and the SDK throws.
const terminated = await step(check, 'terminateSession (DELETE)', () => transport.terminateSession());
if (terminated.ok) {
  const del = log.find(e => e.httpMethod === 'DELETE');
  check('DELETE answered 2xx', del && del.status >= 200 && del.status < 300, `status=${del?.status}`);
}
await step(check, 'close client', () => client.close());

const stale = new Client({ name: 'mcpauth-interop-v1-stale', version: '1.0.0' });
const staleLog = [];
const staleTransport = new StreamableHTTPClientTransport(url, {
  fetch: recordingFetch(staleLog), sessionId });
staleTransport.setProtocolVersion('2025-11-25');  // v1 has no protocolVersion constructor option
const reconnected = await step(check, 'connect with the terminated session id', () => stale.connect(staleTransport));
if (reconnected.ok) {
  let thrown;
  try {
    await stale.listTools(undefined, { timeout: 5000 });
  } catch (err) {
    thrown = err;
  }
  const post = staleLog.find(e => e.httpMethod === 'POST');
  check('request on the terminated session: SDK throws', thrown !== undefined,
    thrown ? describeError(thrown) : 'no error');
  check('request on the terminated session: HTTP 404', post?.status === 404 && thrown?.code === 404,
    `status=${post?.status} sid=${post?.sessionId} pv=${post?.protocolVersion}`);
  await step(check, 'close stale client', () => stale.close());
}

if (process.env.SDK_VERBOSE) console.log(`  ${summarizeLog(log)}\n  ${summarizeLog(staleLog)}`);
// Informational: close() aborting the standalone GET stream shows up here as an AbortError.
if (errors.length) console.log(`note v1: transport onerror: ${errors.map(describeError).join(' | ')}`);
finish();
