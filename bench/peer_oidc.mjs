// oidc-provider 9.13.3 set up for the token-endpoint grants mcpauth is compared on, beside
// ../shared/peers/oidc/server.mjs (which has client_credentials and introspection only).
// Usage (from its folder, next to node_modules): node peer_oidc.mjs PORT
//
// - client `bench` (client_secret_basic): client_credentials with opaque access tokens, and
//   introspection (as in the shared peer);
// - client `bench-public` (public, PKCE): authorization_code and refresh_token with rotation (the
//   provider's default for public clients, forced on here), ES256 JWT access tokens for the MCP
//   resource, like ours.
// Grants, codes and refresh tokens are created through the provider's own models (Grant,
// AuthorizationCode, RefreshToken), the objects its /auth endpoint would save, because its
// interactive login has no scriptable form here:
// - POST /bench/refresh-tokens?n=N answers N refresh tokens, each on its own grant (one chain
//   per wrk connection);
// - GET /bench/code answers 302 to the redirect URI with a fresh code (PKCE S256 challenge of
//   the query's `code_challenge`), the way an /authorize with consent on record answers: the
//   code-flow wrk script (bench/wrk/code_flow.lua) drives ours and this one alike.
// Storage is the provider's default in-memory adapter (LRU of 1,000 entries).
import crypto from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 18301);
const issuer = `http://127.0.0.1:${port}`;
const RESOURCE = 'http://127.0.0.1:18080/mcp';
const REDIRECT = 'http://127.0.0.1:9/callback';

function jwk(type, opts, alg) {
  const { privateKey } = crypto.generateKeyPairSync(type, opts);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: alg.toLowerCase() };
}

const provider = new Provider(issuer, {
  jwks: { keys: [jwk('ec', { namedCurve: 'P-256' }, 'ES256'), jwk('rsa', { modulusLength: 2048 }, 'RS256')] },
  clients: [{
    client_id: 'bench',
    client_secret: 'benchsecret-0123456789abcdef0123456789abcdef',
    grant_types: ['client_credentials'], redirect_uris: [], response_types: [],
    token_endpoint_auth_method: 'client_secret_basic', scope: 'mcp',
  }, {
    client_id: 'bench-public',
    grant_types: ['authorization_code', 'refresh_token'], redirect_uris: [REDIRECT],
    response_types: ['code'], token_endpoint_auth_method: 'none', scope: 'offline_access mcp',
  }],
  scopes: ['offline_access', 'mcp'],
  ttl: { AuthorizationCode: 600, RefreshToken: 86400, AccessToken: 3600, ClientCredentials: 3600 },
  rotateRefreshToken: true,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource, client) => ({
        scope: 'mcp', audience: RESOURCE, accessTokenTTL: 3600,
        // client_credentials: opaque (introspectable); the public client: ES256 JWTs.
        ...(client.clientId === 'bench'
          ? { accessTokenFormat: 'opaque' }
          : { accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
      }),
    },
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

async function newGrant() {
  const grant = new provider.Grant({ accountId: 'bench-user', clientId: 'bench-public' });
  grant.addOIDCScope('offline_access');
  grant.addResourceScope(RESOURCE, 'mcp');
  return grant.save();
}

const client = await provider.Client.find('bench-public');
const callback = provider.callback();
http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname === '/bench/refresh-tokens') {
      const n = Number(url.searchParams.get('n') || 1);
      const tokens = [];
      for (let i = 0; i < n; i++) {
        const grantId = await newGrant();
        tokens.push(await new provider.RefreshToken({
          accountId: 'bench-user', client, grantId, gty: 'authorization_code',
          scope: 'offline_access mcp', resource: RESOURCE, iiat: Math.floor(Date.now() / 1000),
          rotations: 0,
        }).save());
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(tokens));
      return;
    }
    if (url.pathname === '/bench/code') {
      const code = await new provider.AuthorizationCode({
        accountId: 'bench-user', client, grantId: await newGrant(), redirectUri: REDIRECT,
        scope: 'offline_access mcp', resource: RESOURCE,
        codeChallenge: url.searchParams.get('code_challenge'), codeChallengeMethod: 'S256',
        authTime: Math.floor(Date.now() / 1000),
      }).save();
      res.writeHead(302, { location: `${REDIRECT}?code=${code}&iss=${encodeURIComponent(issuer)}` }).end();
      return;
    }
  } catch (e) {
    console.error(e);
    res.writeHead(500).end();
    return;
  }
  callback(req, res);
}).listen(port, '127.0.0.1', () => console.log(`oidc-provider peer on ${issuer}`));
