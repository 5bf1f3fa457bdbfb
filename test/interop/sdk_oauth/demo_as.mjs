// The TypeScript SDK's demo authorization server (examples/server/demoInMemoryOAuthProvider.js,
// the one its simpleStreamableHttp example runs with --oauth): DCR, PKCE, an authorization step
// that approves at once, opaque tokens, and /introspect. Used as "someone else's authorization
// server" in front of which mcpauth-server runs as a resource server.
// Usage: node demo_as.mjs AS_PORT MCP_URL      (run from a directory under build/interop/sdk-v1)
import { setupAuthServer } from '@modelcontextprotocol/sdk/examples/server/demoInMemoryOAuthProvider.js';

const port = process.argv[2];
const mcpServerUrl = new URL(process.argv[3]);
setupAuthServer({ authServerUrl: new URL(`http://127.0.0.1:${port}`), mcpServerUrl, strictResource: true });
