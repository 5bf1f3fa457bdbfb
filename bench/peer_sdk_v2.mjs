// The TypeScript SDK v2 (@modelcontextprotocol/server 2.4.0, createMcpHandler: 2026-07-28
// stateless, the 2025 revisions session-less on the same endpoint) behind a bearer-token check,
// for bench/mcp_call.py's 2026-07-28 cases. ../shared/peers/ has only the v1 server; v2 has no
// bearer middleware of its own for a plain Node server, so the check is the v1 peer's `map`
// verifier written out: the token looked up in a Map, its scope and expiry checked, 401 with an
// RFC 6750 challenge otherwise.
// Usage: node peer_sdk_v2.mjs PORT   (writes ./tokens.json {"opaque": TOKEN} before listening)
// Tools: `echo`; `progress`, which sends one notifications/progress first (an SSE answer).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createServer } from 'node:http';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import * as z from 'zod/v4';

const port = Number(process.argv[2]);
const METADATA = `http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`;
const opaque = crypto.randomBytes(32).toString('base64url');
const tokens = new Map([[opaque, {
  clientId: 'bench', scopes: ['mcp'], expiresAt: Math.floor(Date.now() / 1000) + 3600,
}]]);
fs.writeFileSync(new URL('./tokens.json', import.meta.url), JSON.stringify({ opaque }));

const handler = toNodeHandler(createMcpHandler(() => {
  const server = new McpServer({ name: 'bench-mcp-v2', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo back the input text',
                               inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text }] }));
  server.registerTool('progress', { description: 'One progress notification, then the answer',
                                   inputSchema: z.object({}) },
    async (_args, ctx) => {
      const token = ctx.mcpReq._meta?.progressToken;
      if (token !== undefined) {
        await ctx.mcpReq.notify({ method: 'notifications/progress',
                                  params: { progressToken: token, progress: 1, total: 1 } });
      }
      return { content: [{ type: 'text', text: 'done' }] };
    });
  return server;
}));

function deny(res, error, description) {
  const params = [error && `error="${error}"`, `error_description="${description}"`,
                  `resource_metadata="${METADATA}"`].filter(Boolean).join(', ');
  res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': `Bearer ${params}` });
  res.end(JSON.stringify(error ? { error, error_description: description }
                               : { error: 'invalid_token', error_description: description }));
}

createServer((req, res) => {
  if (!req.url.startsWith('/mcp')) {
    res.writeHead(404).end();
    return;
  }
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization || '');
  if (!m) return deny(res, null, 'Missing Authorization header');
  const info = tokens.get(m[1]);
  if (!info || info.expiresAt <= Date.now() / 1000) return deny(res, 'invalid_token', 'Invalid token');
  if (!info.scopes.includes('mcp')) return deny(res, 'insufficient_scope', 'Insufficient scope');
  req.auth = { token: m[1], clientId: info.clientId, scopes: info.scopes, expiresAt: info.expiresAt };
  void handler(req, res);
}).listen(port, '127.0.0.1');
