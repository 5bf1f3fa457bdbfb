// Exchange: one request and its (single) response, as a handler sees it.
//
// The server creates an Exchange per request and hands it to the route's Handler. The handler
// completes it exactly once — with Respond(), or with StartStream() for a long-lived response
// (Server-Sent Events) — from any thread, now or later: a handler may hand the exchange to a
// worker pool and return at once. If the client disconnects first, OnDisconnect callbacks run
// (MCP treats a closed stream as cancellation) and later completions are ignored.
// Thread-safety: every member function is safe to call from any thread. Ownership: shared;
// the exchange lives while the server or a handler holds it.
#pragma once

#include <functional>
#include <memory>

#include "mcpauth/http/message.hpp"
#include "mcpauth/http/sse.hpp"

namespace mcpauth::http {

// The writing end of a streamed response. Events are queued and flushed to the socket in order,
// each as soon as the connection can take it.
class EventStream {
 public:
  virtual ~EventStream() = default;
  // Queues one event. Returns false if the stream is closed or the client went away.
  virtual bool Send(const SseEvent& event) = 0;
  // Queues raw bytes (already framed), e.g. a comment line used as a keep-alive.
  virtual bool SendRaw(std::string bytes) = 0;
  // Ends the response after the queued events are written.
  virtual void Close() = 0;
  virtual bool closed() const = 0;
};

class Exchange {
 public:
  virtual ~Exchange() = default;

  virtual const Request& request() const = 0;

  // Completes the exchange with a whole response. Later calls are ignored.
  virtual void Respond(Response response) = 0;

  // Completes the exchange with a streamed response: `head`'s status and headers are sent now
  // (its body, if any, is sent first), then whatever the returned stream is given.
  // `Content-Type: text/event-stream` is set if `head` has no Content-Type.
  virtual std::shared_ptr<EventStream> StartStream(Response head) = 0;

  // Registers a callback run once, on a network thread, if the client disconnects before the
  // response is complete. Runs at once if it already has.
  virtual void OnDisconnect(std::function<void()> callback) = 0;
  virtual bool disconnected() const = 0;
};

using Handler = std::function<void(std::shared_ptr<Exchange>)>;

}  // namespace mcpauth::http
