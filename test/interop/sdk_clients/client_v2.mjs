// v2 TypeScript SDK (@modelcontextprotocol/client 2.4.0) against our server.
// Usage: node client_v2.mjs URL pin|auto|legacy      (run from a directory under build/interop/sdk-v2)
//   pin    versionNegotiation { pin: '2026-07-28' }: server/discover, then the stateless 2026 wire
//   auto   probe with server/discover; our server offers 2026-07-28, so the era must be modern
//   legacy the plain 2025 initialize handshake; our server issues a session
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { makeReporter, step, exerciseTools, recordingFetch, summarizeLog, describeError } from './common.mjs';

const url = new URL(process.argv[2] ?? 'http://127.0.0.1:8080/mcp');
const modeName = process.argv[3] ?? 'pin';
const mode = { pin: { pin: '2026-07-28' }, auto: 'auto', legacy: 'legacy' }[modeName];
const { check, finish } = makeReporter(`v2 ${modeName}`);
if (mode === undefined) {
  check(`known mode ${modeName}`, false);
  finish();
}
const modern = modeName !== 'legacy';
const log = [];
const errors = [];

const client = new Client({ name: `mcpauth-interop-v2-${modeName}`, version: '1.0.0' },
  { versionNegotiation: { mode } });
client.onerror = err => errors.push(err);
const transport = new StreamableHTTPClientTransport(url, { fetch: recordingFetch(log) });

const connected = await step(check, 'connect', () => client.connect(transport));
if (!connected.ok) {
  console.log(`  ${summarizeLog(log)}`);
  finish();
}
const era = client.getProtocolEra();
check(`era is ${modern ? 'modern' : 'legacy'}`, era === (modern ? 'modern' : 'legacy'), `era=${era}`);
check('server info is mcpauth', client.getServerVersion()?.name === 'mcpauth', JSON.stringify(client.getServerVersion()));
const discover = client.getDiscoverResult();
const sentMethods = log.flatMap(e => e.rpc.map(m => m.method));
let sessionId;
if (modern) {
  check('getDiscoverResult().supportedVersions contains 2026-07-28',
    Array.isArray(discover?.supportedVersions) && discover.supportedVersions.includes('2026-07-28'),
    JSON.stringify(discover?.supportedVersions));
  check('connected with server/discover and no initialize',
    sentMethods[0] === 'server/discover' && !sentMethods.includes('initialize'), sentMethods.join(','));
} else {
  check('no server/discover probe in legacy mode', !sentMethods.includes('server/discover'), sentMethods.join(','));
  check('getDiscoverResult() is undefined', discover === undefined);
  sessionId = transport.sessionId;
  check('initialize issued a session id', typeof sessionId === 'string' && sessionId.length > 0,
    `sessionId=${sessionId}`);
  check('negotiated protocol version 2025-11-25', transport.protocolVersion === '2025-11-25',
    `protocolVersion=${transport.protocolVersion}`);
}

await exerciseTools({ check, client, log, callTool: (params, options) => client.callTool(params, options) });

const posts = log.filter(e => e.httpMethod === 'POST');
if (modern) {
  check('no session id was used (none sent, none issued, transport has none)',
    log.every(e => !e.sessionId && !e.responseSessionId) && transport.sessionId === undefined,
    `transport.sessionId=${transport.sessionId}`);
  check('every POST carried MCP-Protocol-Version 2026-07-28 and Mcp-Method',
    posts.length > 0 && posts.every(e => e.protocolVersion === '2026-07-28' && e.mcpMethod === e.rpc[0]?.method),
    posts.filter(e => e.protocolVersion !== '2026-07-28' || e.mcpMethod !== e.rpc[0]?.method)
      .map(e => `${e.rpc[0]?.method}: pv=${e.protocolVersion} mcp-method=${e.mcpMethod}`).join('; '));
  check('only POSTs (no GET stream, no DELETE)', log.every(e => e.httpMethod === 'POST'),
    [...new Set(log.map(e => e.httpMethod))].join(','));
  await step(check, 'close client', () => client.close());
} else {
  const afterInit = posts.filter(e => !e.rpc.some(m => m.method === 'initialize'));
  check('every POST after initialize carried the session id and version header',
    afterInit.length > 0 && afterInit.every(e => e.sessionId === sessionId && e.protocolVersion === '2025-11-25'),
    `${afterInit.length} POSTs`);
  check('no 2026 headers on the legacy wire', log.every(e => !e.mcpMethod));
  const terminated = await step(check, 'terminateSession (DELETE)', () => transport.terminateSession());
  if (terminated.ok) {
    const del = log.find(e => e.httpMethod === 'DELETE');
    check('DELETE answered 2xx', del && del.status >= 200 && del.status < 300, `status=${del?.status}`);
  }
  await step(check, 'close client', () => client.close());

  const stale = new Client({ name: 'mcpauth-interop-v2-stale', version: '1.0.0' },
    { versionNegotiation: { mode: 'legacy' } });
  const staleLog = [];
  const staleTransport = new StreamableHTTPClientTransport(url, {
    fetch: recordingFetch(staleLog), sessionId, protocolVersion: '2025-11-25' });
  const reconnected = await step(check, 'connect with the terminated session id', () => stale.connect(staleTransport));
  if (reconnected.ok) {
    let thrown;
    try {
      // ping: the stale client skipped initialize, so it knows no capabilities and the SDK
      // would answer listTools() locally with an empty list.
      await stale.ping({ timeout: 5000 });
    } catch (err) {
      thrown = err;
    }
    const post = staleLog.find(e => e.httpMethod === 'POST');
    check('request on the terminated session: SDK throws', thrown !== undefined,
      thrown ? describeError(thrown) : 'no error');
    check('request on the terminated session: HTTP 404', post?.status === 404 && post?.sessionId === sessionId,
      `status=${post?.status} sid=${post?.sessionId} pv=${post?.protocolVersion}`);
    await step(check, 'close stale client', () => stale.close());
  }
}

if (process.env.SDK_VERBOSE) console.log(`  ${summarizeLog(log)}`);
if (errors.length) console.log(`note v2 ${modeName}: client onerror: ${errors.map(describeError).join(' | ')}`);
finish();
