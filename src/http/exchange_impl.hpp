// The server's side of an Exchange: state shared between a handler (any thread) and the
// connection's coroutine (its network thread). Beast-free, so it is unit-testable.
//
// Thread-safety: a mutex guards the state; the connection is woken through a Notifier, which the
// session implements by posting to its own executor.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mcpauth/http/exchange.hpp"

namespace mcpauth::http::detail {

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Wakes the connection; safe from any thread.
  virtual void Notify() = 0;
};

class ExchangeImpl final : public Exchange, public std::enable_shared_from_this<ExchangeImpl> {
 public:
  enum class State { kPending, kResponded, kStreaming };

  // A streamed response's queue above this is a reader that cannot keep up: it is cut off rather
  // than let it hold unbounded memory.
  static constexpr size_t kMaxQueuedBytes = 16 * 1024 * 1024;

  ExchangeImpl(Request request, std::shared_ptr<Notifier> notifier);

  const Request& request() const override { return request_; }
  void Respond(Response response) override;
  std::shared_ptr<EventStream> StartStream(Response head) override;
  void OnDisconnect(std::function<void()> callback) override;
  bool disconnected() const override;

  // --- the connection's side ---
  // Marks the handler call as in progress on this thread: completions made inside it need no
  // wake-up, since the connection checks the state right after the call returns.
  void BeginDispatch();
  void EndDispatch();
  State state() const;
  // The response (kResponded) or the stream's head (kStreaming); once.
  Response TakeResponse();
  // Moves out the queued stream bytes; `closed` tells whether the handler closed the stream.
  std::string TakeQueued(bool& closed);
  // The client went away (or the server is closing): runs the OnDisconnect callbacks once.
  void MarkDisconnected();

  // EventStream calls.
  bool Enqueue(std::string bytes);
  void CloseStream();
  bool stream_closed() const;

 private:
  void Wake();

  Request request_;
  std::shared_ptr<Notifier> notifier_;
  mutable std::mutex mu_;
  State state_ = State::kPending;
  std::optional<Response> response_;
  std::string queued_;
  bool stream_closed_ = false;
  bool disconnected_ = false;
  std::vector<std::function<void()>> on_disconnect_;
  bool dispatching_ = false;
  std::thread::id dispatch_thread_;
};

}  // namespace mcpauth::http::detail
