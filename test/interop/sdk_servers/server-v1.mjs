// The TypeScript SDK v1 (@modelcontextprotocol/sdk 1.32.2) example server: 2025 revisions only,
// stateful sessions (Mcp-Session-Id, 404 for an unknown one, DELETE ends one). Tools: `echo`, and
// `progress`, which sends notifications/progress (so its answer is an SSE stream).
// Listens on 127.0.0.1 at a port the OS picks and prints "listening on PORT".
// Run from build/interop/sdk-v1 (copied there) so Node resolves the SDK.
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

function makeServer() {
  const server = new McpServer({ name: 'v1-example', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo text back', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }));
  server.registerTool('progress', { description: 'Reports progress, then answers',
                                    inputSchema: { steps: z.number().int().optional() } },
    async ({ steps }, extra) => {
      const n = steps ?? 3;
      const token = extra._meta?.progressToken;
      for (let i = 1; i <= n; i++) {
        if (token !== undefined) {
          await extra.sendNotification({ method: 'notifications/progress',
            params: { progressToken: token, progress: i, total: n, message: `step ${i}` } });
        }
      }
      return { content: [{ type: 'text', text: `done after ${n} steps` }] };
    });
  return server;
}

const app = createMcpExpressApp();
const transports = {};
app.post('/mcp', async (req, res) => {
  const sid = req.headers['mcp-session-id'];
  let t = sid ? transports[sid] : undefined;
  if (!t) {
    if (sid || !isInitializeRequest(req.body)) {
      return res.status(sid ? 404 : 400).json({ jsonrpc: '2.0',
        error: { code: sid ? -32001 : -32000, message: sid ? 'Session not found' : 'No session' },
        id: null });
    }
    t = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(),
                                            onsessioninitialized: id => { transports[id] = t; } });
    t.onclose = () => { if (t.sessionId) delete transports[t.sessionId]; };
    await makeServer().connect(t);
  }
  await t.handleRequest(req, res, req.body);
});
const bySession = async (req, res) => {
  const t = transports[req.headers['mcp-session-id']];
  if (!t) return res.status(400).send('Invalid or missing session ID');
  await t.handleRequest(req, res);
};
app.get('/mcp', bySession);
app.delete('/mcp', bySession);
const listener = app.listen(0, '127.0.0.1', () => {
  console.log(`listening on ${listener.address().port}`);
});
