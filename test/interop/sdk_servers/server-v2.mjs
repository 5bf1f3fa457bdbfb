// The TypeScript SDK v2 (@modelcontextprotocol/server 2.4.0, createMcpHandler) example server:
// 2026-07-28 stateless, and the 2025 revisions served session-less on the same endpoint. Tools:
// `echo`, and `progress`, which sends notifications/progress (so its answer is an SSE stream).
// Listens on 127.0.0.1 at a port the OS picks and prints "listening on PORT".
// Run from build/interop/sdk-v2 (copied there) so Node resolves the SDK.
import { createServer } from 'node:http';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { toNodeHandler, localhostHostValidation, localhostOriginValidation } from '@modelcontextprotocol/node';
import * as z from 'zod/v4';

const handler = createMcpHandler(({ era }) => {
  const server = new McpServer({ name: 'v2-example', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo text back', inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text }] }));
  server.registerTool('progress', { description: 'Reports progress, then answers',
                                    inputSchema: z.object({ steps: z.number().int().optional() }) },
    async ({ steps }, ctx) => {
      const n = steps ?? 3;
      const token = ctx.mcpReq._meta?.progressToken;
      for (let i = 1; i <= n; i++) {
        if (token !== undefined) {
          await ctx.mcpReq.notify({ method: 'notifications/progress',
            params: { progressToken: token, progress: i, total: n, message: `step ${i}` } });
        }
      }
      return { content: [{ type: 'text', text: `done after ${n} steps (${era})` }] };
    });
  return server;
});
const nodeHandler = toNodeHandler(handler);
const vHost = localhostHostValidation(), vOrigin = localhostOriginValidation();
const server = createServer((req, res) => {
  if (!vHost(req, res) || !vOrigin(req, res)) return;
  void nodeHandler(req, res);
});
server.listen(0, '127.0.0.1', () => { console.log(`listening on ${server.address().port}`); });
