#include "exchange_impl.hpp"

namespace mcpauth::http::detail {
namespace {

class StreamImpl final : public EventStream {
 public:
  explicit StreamImpl(std::shared_ptr<ExchangeImpl> exchange) : exchange_(std::move(exchange)) {}
  ~StreamImpl() override { exchange_->CloseStream(); }  // a dropped stream ends the response
  bool Send(const SseEvent& event) override { return exchange_->Enqueue(FormatSseEvent(event)); }
  bool SendRaw(std::string bytes) override { return exchange_->Enqueue(std::move(bytes)); }
  void Close() override { exchange_->CloseStream(); }
  bool closed() const override { return exchange_->stream_closed(); }

 private:
  std::shared_ptr<ExchangeImpl> exchange_;
};

// What a second StartStream() gets: a stream that accepts nothing.
class DeadStream final : public EventStream {
 public:
  bool Send(const SseEvent&) override { return false; }
  bool SendRaw(std::string) override { return false; }
  void Close() override {}
  bool closed() const override { return true; }
};

}  // namespace

ExchangeImpl::ExchangeImpl(Request request, std::shared_ptr<Notifier> notifier)
    : request_(std::move(request)), notifier_(std::move(notifier)) {}

void ExchangeImpl::Wake() {
  // Called with mu_ held. Inside the handler call on the connection's own thread, the connection
  // looks at the state as soon as the call returns: no wake-up needed (the fast path).
  if (dispatching_ && dispatch_thread_ == std::this_thread::get_id()) {
    return;
  }
  notifier_->Notify();
}

void ExchangeImpl::Respond(Response response) {
  std::lock_guard lock(mu_);
  if (state_ != State::kPending || disconnected_) {
    return;
  }
  response_ = std::move(response);
  state_ = State::kResponded;
  Wake();
}

std::shared_ptr<EventStream> ExchangeImpl::StartStream(Response head) {
  std::lock_guard lock(mu_);
  if (state_ != State::kPending || disconnected_) {
    return std::make_shared<DeadStream>();
  }
  if (!head.headers.Has("Content-Type")) {
    head.headers.Set("Content-Type", "text/event-stream");
  }
  head.headers.Set("Cache-Control", "no-store");
  response_ = std::move(head);
  state_ = State::kStreaming;
  Wake();
  return std::make_shared<StreamImpl>(shared_from_this());
}

void ExchangeImpl::OnDisconnect(std::function<void()> callback) {
  {
    std::lock_guard lock(mu_);
    if (!disconnected_) {
      on_disconnect_.push_back(std::move(callback));
      return;
    }
  }
  callback();
}

bool ExchangeImpl::disconnected() const {
  std::lock_guard lock(mu_);
  return disconnected_;
}

void ExchangeImpl::BeginDispatch() {
  std::lock_guard lock(mu_);
  dispatching_ = true;
  dispatch_thread_ = std::this_thread::get_id();
}

void ExchangeImpl::EndDispatch() {
  std::lock_guard lock(mu_);
  dispatching_ = false;
}

ExchangeImpl::State ExchangeImpl::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

Response ExchangeImpl::TakeResponse() {
  std::lock_guard lock(mu_);
  Response r = std::move(*response_);
  response_.reset();
  return r;
}

std::string ExchangeImpl::TakeQueued(bool& closed) {
  std::lock_guard lock(mu_);
  closed = stream_closed_;
  std::string out;
  out.swap(queued_);
  return out;
}

void ExchangeImpl::MarkDisconnected() {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mu_);
    if (disconnected_) {
      return;
    }
    disconnected_ = true;
    callbacks.swap(on_disconnect_);
  }
  for (auto& cb : callbacks) {
    cb();
  }
}

bool ExchangeImpl::Enqueue(std::string bytes) {
  std::lock_guard lock(mu_);
  if (stream_closed_ || disconnected_) {
    return false;
  }
  if (queued_.size() + bytes.size() > kMaxQueuedBytes) {
    stream_closed_ = true;  // the connection sees it and cuts the slow reader off
    Wake();
    return false;
  }
  queued_ += bytes;
  Wake();
  return true;
}

void ExchangeImpl::CloseStream() {
  std::lock_guard lock(mu_);
  if (stream_closed_) {
    return;
  }
  stream_closed_ = true;
  Wake();
}

bool ExchangeImpl::stream_closed() const {
  std::lock_guard lock(mu_);
  return stream_closed_ || disconnected_;
}

}  // namespace mcpauth::http::detail
