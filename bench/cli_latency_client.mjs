// A one-shot TypeScript SDK client (@modelcontextprotocol/sdk 1.32.2) doing what
// `mcpauth call URL whoami` does with a stored valid token: connect with the bearer token in the
// Authorization header, call the tool, print its text, exit. bench/cli_latency.py times it from
// process start to exit, beside ours.
// Usage: node cli_latency_client.mjs MCP_URL   (token in $BENCH_TOKEN; run from build/interop/sdk-v1)
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const transport = new StreamableHTTPClientTransport(new URL(process.argv[2]), {
  requestInit: { headers: { Authorization: `Bearer ${process.env.BENCH_TOKEN}` } },
});
const client = new Client({ name: 'bench-one-shot', version: '1.0.0' });
await client.connect(transport);
const result = await client.callTool({ name: 'whoami', arguments: {} });
console.log(result.content.map(c => c.text ?? '').join('\n'));
await client.close();
process.exit(result.isError ? 1 : 0);
