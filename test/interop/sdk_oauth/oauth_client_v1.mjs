// The official TypeScript SDK's OAuth client (@modelcontextprotocol/sdk 1.32.2, its auth() with
// an OAuthClientProvider) against an OAuth-protected MCP server: discovery (401 ->
// Protected Resource Metadata -> authorization-server metadata), dynamic registration, PKCE
// authorization, the code exchange, tools, a refresh, and — against mcpauth's own authorization
// server — Disconnect on the Connected apps page, after which the server refuses the client.
//
// The provider's "browser" is test/tools/form_browser.py: it opens the authorization URL, signs
// in through the real login form and approves on the real consent page (an authorization server
// that approves by itself, like the SDK's demo, just redirects at once).
//
// Usage: node oauth_client_v1.mjs MCP_URL MODE
//   MODE mcpauth   our AS: + refresh, whoami shows the user, Disconnect refuses the client
//   MODE external  any AS (the SDK's demo AS behind our resource server): flow + tools
// Environment: FORM_BROWSER (path of form_browser.py), MCPAUTH_TEST_PASSWORD, ISSUER (mcpauth).
import { execFileSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { makeReporter, step, describeError } from './common.mjs';

const url = new URL(process.argv[2]);
const mode = process.argv[3] ?? 'mcpauth';
const { check, finish } = makeReporter(`oauth-${mode}`);
const REDIRECT = 'http://127.0.0.1:9/callback';  // never contacted: the browser stops at it

class Provider {
  constructor() {
    this.clientInfo = undefined;
    this.savedTokens = undefined;
    this.verifier = undefined;
    this.pendingCode = undefined;
    this.authorizations = 0;
    this.refusedAuthorization = false;
  }
  get redirectUrl() { return REDIRECT; }
  get clientMetadata() {
    return {
      client_name: 'SDK interop client',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() { return this.clientInfo; }
  saveClientInformation(info) { this.clientInfo = info; }
  tokens() { return this.savedTokens; }
  saveTokens(tokens) { this.savedTokens = tokens; }
  saveCodeVerifier(v) { this.verifier = v; }
  codeVerifier() { return this.verifier; }
  redirectToAuthorization(authorizationUrl) {
    this.authorizations++;
    if (this.refuseBrowser) {
      this.refusedAuthorization = true;
      throw new Error('no browser: the user must reconnect');
    }
    const out = execFileSync('python3', [process.env.FORM_BROWSER, authorizationUrl.href,
      '--user', 'alice', '--no-follow-callback'], { encoding: 'utf8', timeout: 30000 });
    const callback = out.split('\n').find(l => l.startsWith('CALLBACK '));
    if (!callback) throw new Error(`the browser reached no callback: ${out}`);
    const back = new URL(callback.slice('CALLBACK '.length));
    this.lastCallback = back;
    this.pendingCode = back.searchParams.get('code');
  }
}

const provider = new Provider();
let transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
let client = new Client({ name: 'mcpauth-oauth-interop', version: '1.0.0' });

// 1. The first connect meets the 401, discovers, registers and sends the user to the browser.
let first;
try {
  await client.connect(transport);
  first = 'connected without authorization';
} catch (err) {
  first = err;
}
check('unauthenticated connect ends in the authorization step', first instanceof UnauthorizedError,
  first instanceof Error ? describeError(first) : String(first));
check('dynamic registration gave a client id', !!provider.clientInfo?.client_id,
  JSON.stringify(provider.clientInfo ?? {}));
check('the browser came back with a code', !!provider.pendingCode, provider.lastCallback?.href);
if (mode === 'mcpauth') {
  check('the redirect carries iss (RFC 9207)', provider.lastCallback?.searchParams.get('iss') === process.env.ISSUER,
    provider.lastCallback?.searchParams.get('iss'));
}

// 2. The code exchange (PKCE verifier, resource) gives tokens.
const finished = await step(check, 'finishAuth (code exchange)', () => transport.finishAuth(provider.pendingCode));
if (!finished.ok) finish();
check('an access token was issued', !!provider.savedTokens?.access_token);
if (mode === 'mcpauth') {
  check('a refresh token was issued', !!provider.savedTokens?.refresh_token);
}

// 3. With the token: initialize, list and call tools.
transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
client = new Client({ name: 'mcpauth-oauth-interop', version: '1.0.0' });
const connected = await step(check, 'connect with the access token', () => client.connect(transport));
if (!connected.ok) finish();
const listed = await step(check, 'tools/list', () => client.listTools());
check('tools listed', (listed.value?.tools?.length ?? 0) > 0, `${listed.value?.tools?.length} tools`);
const added = await step(check, 'tools/call add', () => client.callTool({ name: 'add', arguments: { a: 2, b: 40 } }));
check('add returned 42', JSON.stringify(added.value?.content ?? '').includes('42'), JSON.stringify(added.value?.content));

if (mode === 'mcpauth') {
  const who = await step(check, 'tools/call whoami', () => client.callTool({ name: 'whoami', arguments: {} }));
  const text = JSON.stringify(who.value ?? {});
  check('whoami names the user and the client',
    text.includes('alice') && text.includes(provider.clientInfo.client_id), text.slice(0, 300));

  // 4. Refresh: the access token goes bad; the SDK refreshes with the refresh token, once.
  const oldRefresh = provider.savedTokens.refresh_token;
  provider.savedTokens = { ...provider.savedTokens, access_token: 'expired-or-garbage' };
  const before = provider.authorizations;
  transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  client = new Client({ name: 'mcpauth-oauth-interop', version: '1.0.0' });
  let refreshed;
  try {
    await client.connect(transport);
    refreshed = true;
  } catch (err) {
    // The SDK refreshes inside auth() and reports UnauthorizedError to the caller; reconnecting
    // with the refreshed tokens must then work without the browser.
    refreshed = err instanceof UnauthorizedError;
    transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    client = new Client({ name: 'mcpauth-oauth-interop', version: '1.0.0' });
    await step(check, 'reconnect after the refresh', () => client.connect(transport));
  }
  check('refresh rotated the refresh token', refreshed && provider.savedTokens.refresh_token !== oldRefresh);
  check('no second browser visit for a refresh', provider.authorizations === before);
  const again = await step(check, 'tools/call add after the refresh', () => client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }));
  check('add returned 2', JSON.stringify(again.value?.content ?? '').includes('2'));

  // 5. The person clicks Disconnect on the Connected apps page.
  const out = execFileSync('python3', [process.env.FORM_BROWSER, `${process.env.ISSUER}/apps`,
    '--user', 'alice', '--disconnect', provider.clientInfo.client_id], { encoding: 'utf8', timeout: 30000 });
  check('Disconnect done on the Connected apps page', out.includes('DISCONNECTED'), out.trim().slice(0, 200));

  // 6. The very next request is refused; the refresh token is refused too; the SDK asks for the
  //    browser again (which this provider refuses: the user must reconnect).
  provider.refuseBrowser = true;
  let afterDisconnect;
  try {
    await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    afterDisconnect = 'the call succeeded';
  } catch (err) {
    afterDisconnect = err;
  }
  check('the next call after Disconnect fails', afterDisconnect instanceof Error,
    afterDisconnect instanceof Error ? describeError(afterDisconnect) : afterDisconnect);
  // The SDK tries its refresh token first: refused with invalid_grant (the grant is revoked).
  check('the refresh after Disconnect was refused (invalid_grant) or a new login was asked for',
    describeError(afterDisconnect).includes('InvalidGrant') || provider.refusedAuthorization,
    describeError(afterDisconnect));
}
await client.close().catch(() => {});
finish();
