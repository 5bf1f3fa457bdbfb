// StdioBridge: MCP's stdio transport on one side, Streamable HTTP on the other — what
// `mcpauth proxy URL` runs, so a host that only launches stdio servers (a `command` entry in
// Claude Desktop's or Cursor's configuration) can use a remote server.
//
// From the host (stdin, newline-delimited JSON-RPC, bridge_codec.hpp framing):
//   - a request is POSTed to the URL; its answer — a JSON body or an SSE stream of related
//     notifications, (2025) server requests, then the response — is written to stdout, one
//     message a line, as it arrives. Requests run concurrently (at most max_in_flight; beyond
//     that the request is answered with an error at once, never queued behind a blocked one);
//   - a notification or a response (the host answering a 2025 server request) is POSTed in the
//     order it came, and is expected to get 202;
//   - `notifications/cancelled` (2026-07-28 transports: cancelling = closing the request's
//     stream; stdio: the notification) stops forwarding the request's messages and drops its
//     stream at the next event; a 2025 message is POSTed to the server as well.
// Eras (2026-07-28 basic/versioning): the host negotiates, the bridge follows. A message with the
// modern `_meta` version is sent with that version and the standard headers (ForwardHeaders);
// a legacy `initialize` is a barrier (nothing else is sent until it is answered), its response
// head gives the Mcp-Session-Id and its result the negotiated version, which every later legacy
// message carries; after a successful `notifications/initialized` the bridge opens the
// session's GET stream (a 405 or 404 means the server offers none) and forwards what arrives on
// it. At the end of input: the queued messages are sent, requests in flight get
// `shutdown_grace` to finish, a 2025 session is DELETEd.
//
// Errors never end the bridge: a request that cannot be answered (server unreachable, an HTTP
// status without a JSON-RPC body, authorization that failed, a stream that ended before the
// response) gets a JSON-RPC error for its id (bridge_codec.hpp UpstreamError) whose message
// says what happened; an error the server sent with a null id gets the request's id. An
// unparseable line is answered with -32700, a batch with -32600.
//
// Authorization is a hook (mcp knows nothing of OAuth): add_headers adds credentials to every
// HTTP request; run_authorized wraps each exchange (refresh, step-up, login); describe_failure
// turns its failures into the sentence the host sees. A bearer token seen in add_headers's
// `Authorization` is redacted from any line before it is written.
//
// Thread-safety: Run() is called once, from one thread; it starts and joins its own threads.
// Ownership: the http::Client must outlive the bridge.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "mcpauth/core/result.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/http/message.hpp"
#include "mcpauth/mcp/client.hpp"

namespace mcpauth::mcp {

struct BridgeOptions {
  // Bounds the wait for an answer's head and each gap between the events of a stream.
  std::chrono::milliseconds request_timeout{300'000};
  // The 2025 GET stream: an idle gap this long ends it (it is then opened again).
  std::chrono::milliseconds listen_timeout{600'000};
  size_t max_in_flight = 64;
  size_t max_line_bytes = 4 * 1024 * 1024;
  bool listen = true;  // open the 2025 GET stream when the server offers one
  // How long requests still in flight at the end of input may take to finish.
  std::chrono::milliseconds shutdown_grace{10'000};

  // Called on the headers of every HTTP request: where OAuth adds `Authorization`.
  std::function<void(http::Headers&)> add_headers;
  // Runs attempt() (one HTTP exchange) with authorization; attempt() returns
  // ClientErrc::kUnauthorized / kForbidden for a 401 / 403 and fills the refusal. Null: attempt()
  // runs once as it is.
  std::function<Status(const std::function<Status(ClientError& refusal)>& attempt)> run_authorized;
  // The sentence for a failure returned by run_authorized that did not come from attempt().
  std::function<std::string(const ErrorCode&)> describe_failure;
  // A line for the person (stderr): what the bridge is doing, what failed on a notification.
  std::function<void(std::string_view message)> notify;
};

// How Run() ended.
struct BridgeExit {
  // Every thread was joined. False when a stream or request outlived its grace: the caller then
  // leaves the process without destroying the bridge (its threads still refer to it).
  bool clean = true;
};

class StdioBridge {
 public:
  // `write_line` writes one message line (without its newline) to the host: it is called with a
  // lock held, one line at a time.
  StdioBridge(http::Client& http, std::string url, BridgeOptions options,
              std::function<void(std::string_view line)> write_line);
  ~StdioBridge();
  StdioBridge(const StdioBridge&) = delete;
  StdioBridge& operator=(const StdioBridge&) = delete;

  // Reads the host's messages from `fd` until end of input (or a read error), forwarding them as
  // above, then shuts down.
  BridgeExit Run(int fd);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcpauth::mcp
