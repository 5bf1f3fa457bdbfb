// Micro-benchmarks of the I/O-free HTTP codecs: what one token request, one 401 and one SSE
// event cost before any socket work.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "mcpauth/http/form.hpp"
#include "mcpauth/http/sse.hpp"
#include "mcpauth/http/www_authenticate.hpp"

namespace mcpauth::http {
namespace {

// An authorization_code exchange as MCP clients send it (RFC 6749 §4.1.3, RFC 7636 §4.5,
// RFC 8707 §2): ~400 bytes, six parameters, several escapes.
constexpr std::string_view kTokenRequest =
    "grant_type=authorization_code"
    "&code=0v4fQ1k2xq8Yw3LmZr7N9sTu5Hj6Gd1Bc2Ae3Fp4Io"
    "&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2Foauth%2Fcallback"
    "&client_id=mcp-client-5f3c2a1b-9d8e-4f7a-b6c5-d4e3f2a1b0c9"
    "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk.~abcdefghijklmnop"
    "&resource=https%3A%2F%2Fmcp.example.com%2Fmcp";

void BM_ParseFormTokenRequest(benchmark::State& state) {
  for (auto _ : state) {
    auto form = ParseForm(kTokenRequest);
    benchmark::DoNotOptimize(form);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(kTokenRequest.size()));
}
BENCHMARK(BM_ParseFormTokenRequest);

void BM_FormatChallenge(benchmark::State& state) {
  // The 401 of an MCP resource server (RFC 6750 §3, RFC 9728 §5.1).
  const Challenge challenge{
      "Bearer",
      "",
      {{"error", "invalid_token"},
       {"error_description", "The access token expired"},
       {"resource_metadata", "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"}}};
  for (auto _ : state) {
    std::string header = FormatChallenge(challenge);
    benchmark::DoNotOptimize(header);
  }
}
BENCHMARK(BM_FormatChallenge);

void BM_ParseWwwAuthenticate(benchmark::State& state) {
  // What the client parses: a Bearer challenge with escapes, and a second challenge after it.
  constexpr std::string_view kHeader =
      "Bearer realm=\"mcp\", error=\"insufficient_scope\", scope=\"files:read files:write\", "
      "error_description=\"needs \\\"files:write\\\"\", "
      "resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\", "
      "Basic realm=\"legacy\"";
  for (auto _ : state) {
    auto challenges = ParseWwwAuthenticate(kHeader);
    benchmark::DoNotOptimize(challenges);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(kHeader.size()));
}
BENCHMARK(BM_ParseWwwAuthenticate);

void BM_SseFormat(benchmark::State& state) {
  // One JSON-RPC response on a Streamable HTTP stream; the Arg is the payload size in bytes.
  SseEvent event;
  event.event = "message";
  event.id = "session-1:42";
  event.data = R"({"jsonrpc":"2.0","id":42,"result":{"content":[{"type":"text","text":")" +
               std::string(static_cast<size_t>(state.range(0)), 'x') + R"("}]}})";
  for (auto _ : state) {
    std::string out = FormatSseEvent(event);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(event.data.size()));
}
BENCHMARK(BM_SseFormat)->Arg(256)->Arg(16 * 1024);

}  // namespace
}  // namespace mcpauth::http
