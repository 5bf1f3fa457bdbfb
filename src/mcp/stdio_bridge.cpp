#include "mcpauth/mcp/stdio_bridge.hpp"

#include <unistd.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "mcpauth/core/log.hpp"
#include "mcpauth/mcp/bridge_codec.hpp"
#include "mcpauth/mcp/jsonrpc.hpp"

namespace mcpauth::mcp {
namespace json = boost::json;

namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kRememberedSecrets = 4;
constexpr int kMaxListenFailures = 3;
constexpr std::chrono::milliseconds kListenRetry{1'000};
constexpr std::chrono::milliseconds kListenerStopWait{1'000};

std::string_view StringOf(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

bool IsResponse(const json::object& o) {
  return !o.contains("method") && (o.contains("result") || o.contains("error"));
}

std::optional<json::value> ParseJson(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  json::value v = json::parse(text, ec, {}, options);
  if (ec) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

struct StdioBridge::Impl {
  // One request from the host, while it is in flight.
  struct Call {
    json::value id;
    std::string method;
    std::atomic<bool> cancelled{false};
    std::string negotiated_version;  // legacy initialize: the result's protocolVersion
    bool silent = false;             // the bridge's own request: nothing reaches the host
  };

  // What one HTTP exchange produced.
  struct Answer {
    int status = 0;
    http::Headers headers;
    std::string body;
    bool stream = false;
    bool answered = false;   // the response to the call was forwarded
    std::string session_id;  // the 2025 session the request was sent in, if any
  };

  Impl(http::Client& h, std::string u, BridgeOptions o, std::function<void(std::string_view)> w)
      : http(h), url(std::move(u)), options(std::move(o)), write_line(std::move(w)) {}

  // ---- output ----------------------------------------------------------------------------

  void Emit(const json::object& message) {
    std::string line = json::serialize(message);
    std::lock_guard lock(out_mu);
    for (const auto& secret : secrets) {
      if (Redact(line, secret) > 0) {
        log::Warn("proxy: the server sent back a credential; it was redacted");
      }
    }
    write_line(line);
  }

  void Notify(std::string_view message) const {
    if (options.notify) {
      options.notify(message);
    }
  }

  void AddAuth(http::Headers& headers) {
    if (!options.add_headers) {
      return;
    }
    options.add_headers(headers);
    const auto auth = headers.Get("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (!auth || auth->size() <= kBearer.size() ||
        !http::EqualsIgnoreCase(auth->substr(0, kBearer.size()), kBearer)) {
      return;
    }
    std::string token(auth->substr(kBearer.size()));
    std::lock_guard lock(out_mu);
    for (const auto& s : secrets) {
      if (s == token) {
        return;
      }
    }
    secrets.push_back(std::move(token));
    if (secrets.size() > kRememberedSecrets) {
      secrets.erase(secrets.begin());
    }
  }

  // ---- one exchange ------------------------------------------------------------------------

  Status RunAuthorized(const std::function<Status(ClientError&)>& attempt) {
    if (options.run_authorized) {
      return options.run_authorized(attempt);
    }
    ClientError ignored;
    return attempt(ignored);
  }

  // What the server said about a call, as it passes: the tools' mirrored arguments, the version
  // a legacy initialize negotiated.
  void Observe(const json::object& response, Call& call) {
    const auto* result = response.if_contains("result");
    if (result == nullptr || !result->is_object()) {
      return;
    }
    const json::object& r = result->get_object();
    if (call.method == "initialize") {
      call.negotiated_version = std::string(StringOf(r, "protocolVersion"));
    } else if (call.method == "tools/list") {
      const auto* tools = r.if_contains("tools");
      if (tools == nullptr || !tools->is_array()) {
        return;
      }
      std::lock_guard lock(mu);
      for (const auto& t : tools->get_array()) {
        if (const auto* o = t.if_object(); o != nullptr && !StringOf(*o, "name").empty()) {
          tool_params[std::string(StringOf(*o, "name"))] = ToolHeaderParams(*o);
        }
      }
    }
  }

  // One message of an answer (a JSON body or an SSE event's data).
  void OnMessage(std::string_view data, Call* call, Answer& answer) {
    if (data.empty()) {
      return;  // a priming event (2025-11-25: an event id and empty data)
    }
    std::optional<json::value> v = ParseJson(data);
    if (!v || !v->is_object()) {
      log::Debug("proxy: ignored a message from the server that is not a JSON-RPC object");
      return;
    }
    json::object& message = v->get_object();
    if (call != nullptr && call->cancelled) {
      return;  // cancelled: nothing more about this request reaches the host
    }
    if (call != nullptr && IsResponse(message)) {
      if (AdoptRequestId(message, call->id)) {
        answer.answered = true;
        Observe(message, *call);
      }
    }
    if (call == nullptr || !call->silent) {
      Emit(message);
    }
  }

  Status Post(const json::object& message, Call* call, Answer& answer, bool read_to_end) {
    return RunAuthorized([&](ClientError& refusal) -> Status {
      answer = Answer{};
      http::ClientRequest req{.method = "POST", .url = url};
      {
        std::lock_guard lock(mu);
        const HeaderParams* mirrored = nullptr;
        if (call != nullptr && call->method == "tools/call") {
          const auto* params = message.if_contains("params");
          const std::string_view tool =
              params && params->is_object() ? StringOf(params->get_object(), "name") : "";
          const auto it = tool_params.find(std::string(tool));
          mirrored = it == tool_params.end() ? nullptr : &it->second;
        }
        req.headers = ForwardHeaders(message, session, mirrored);
        answer.session_id = session.session_id;
      }
      req.body = json::serialize(message);
      req.timeout = options.request_timeout;
      AddAuth(req.headers);
      auto head = http.Stream(req, [&](const http::SseEvent& event) {
        answer.stream = true;
        OnMessage(event.data, call, answer);
        if (call != nullptr && call->cancelled) {
          return false;  // 2026-07-28: closing the stream cancels the request
        }
        return read_to_end || !answer.answered;
      });
      if (!head) {
        if (head.error() == http::ClientErrc::kCancelled) {
          answer.status = 200;  // a stream is only read from a 2xx head
          return {};
        }
        return head.error();
      }
      answer.status = head->status;
      answer.headers = std::move(head->headers);
      answer.body = std::move(head->body);
      if (answer.status == 401 || answer.status == 403) {
        refusal = ClientError{};
        refusal.code = answer.status == 401 ? ClientErrc::kUnauthorized : ClientErrc::kForbidden;
        refusal.http_status = answer.status;
        refusal.www_authenticate = answer.headers.Get("WWW-Authenticate").value_or("");
        return refusal.code;
      }
      return {};
    });
  }

  std::string Describe(const ErrorCode& ec) const {
    if (ec.category() == http::ClientCategory()) {
      return "cannot reach " + url + ": " + ec.message();
    }
    if (ec == ClientErrc::kUnauthorized || ec == ClientErrc::kForbidden) {
      return "the server refused the request (" + ec.message() + ")";
    }
    if (options.describe_failure) {
      return options.describe_failure(ec);
    }
    return ec.message();
  }

  // Forwards a request and makes sure the host gets exactly one answer for it.
  // A 404 to a message sent in a 2025 session: the session is gone (2025 transports, session
  // management: the client MUST start a new one with a fresh initialize).
  static bool SessionGone(const Status& st, const Answer& answer) {
    return st && answer.status == 404 && !answer.session_id.empty();
  }

  // Starts a new 2025 session in place of `gone`, with the host's own initialize parameters,
  // unseen by the host; once for all the requests that found it gone. True when one is ready.
  bool RenewSession(const std::string& gone) {
    std::lock_guard renewing(renew_mu);
    json::object params;
    {
      std::lock_guard lock(mu);
      if (session.session_id != gone) {
        return !session.session_id.empty();  // renewed meanwhile by another request
      }
      if (!host_initialize) {
        return false;
      }
      params = *host_initialize;
    }
    Notify("the server ended the MCP session; starting a new one");
    Call init;
    init.id = "mcpauth-proxy-renew-" + std::to_string(++renewals);
    init.method = "initialize";
    init.silent = true;
    Answer answer;
    if (!Initialize(MakeRequest(init.id, "initialize", std::move(params)), init, answer) ||
        !answer.answered || answer.status / 100 != 2) {
      return false;
    }
    if (!ForwardOneWay(MakeNotification("notifications/initialized", json::object{}), false)) {
      return false;
    }
    StartListening();
    return true;
  }

  // A legacy initialize: reads its stream to the end (the head, with the session id, comes
  // last) and, when it succeeded, records the session it opened.
  Status Initialize(const json::object& message, Call& call, Answer& answer) {
    Status st = Post(message, &call, answer, /*read_to_end=*/true);
    if (st && !answer.answered && !answer.stream && !answer.body.empty()) {
      OnMessage(answer.body, &call, answer);
    }
    if (st && answer.answered && answer.status / 100 == 2) {
      std::lock_guard lock(mu);
      // 2025 transports: the session id comes with the InitializeResult's HTTP response.
      session.session_id = std::string(answer.headers.Get("Mcp-Session-Id").value_or(""));
      session.protocol_version = call.negotiated_version;
    }
    return st;
  }

  // Posts a request and forwards its answer; a gone session is renewed and the request sent
  // again, once.
  Status Send(const json::object& message, Call& call, Answer& answer) {
    Status st = Post(message, &call, answer, /*read_to_end=*/false);
    if (SessionGone(st, answer) && !call.cancelled && RenewSession(answer.session_id)) {
      st = Post(message, &call, answer, /*read_to_end=*/false);
    }
    if (st && !answer.answered && !answer.stream && !answer.body.empty()) {
      OnMessage(answer.body, &call, answer);
    }
    return st;
  }

  void ForwardRequest(const json::object& message, Call& call) {
    Answer answer;
    Status st;
    if (call.method == "initialize" && ModernVersionOf(message).empty()) {
      {
        std::lock_guard lock(mu);
        const auto* params = message.if_contains("params");
        host_initialize = params && params->is_object() ? params->get_object() : json::object{};
      }
      st = Initialize(message, call, answer);
    } else {
      st = Send(message, call, answer);
    }
    if (call.cancelled || answer.answered) {
      return;  // exactly one answer per request, even if the stream broke after it
    }
    std::string why;
    if (!st) {
      why = Describe(st.error());
    } else if (answer.status / 100 == 2) {
      why = answer.stream ? "the server's stream ended before the response"
                          : "the server's answer is not a JSON-RPC response";
    } else if (answer.status == 404 && !ModernVersionOf(message).empty()) {
      why = "the server does not know this method or endpoint";
    } else if (answer.status == 404) {
      std::lock_guard lock(mu);
      why = session.session_id.empty() ? "not found at " + url
                                       : "the MCP session has ended on the server";
    } else {
      why = "the server answered with HTTP status " + std::to_string(answer.status);
    }
    Emit(UpstreamError(call.id, why, st ? answer.status : 0));
  }

  // A notification, or the host's response to a server request: POSTed, 202 expected.
  bool ForwardOneWay(const json::object& message, bool may_renew = true) {
    Answer answer;
    Status st = Post(message, nullptr, answer, /*read_to_end=*/false);
    if (may_renew && SessionGone(st, answer) && RenewSession(answer.session_id)) {
      st = Post(message, nullptr, answer, /*read_to_end=*/false);
    }
    const std::string what(message.contains("method") ? StringOf(message, "method")
                                                      : std::string_view("a response"));
    if (!st) {
      Notify("could not deliver " + what + ": " + Describe(st.error()));
      return false;
    }
    if (answer.status / 100 != 2) {
      Notify("the server refused " + what + " (HTTP " + std::to_string(answer.status) + ")");
      return false;
    }
    return true;
  }

  // ---- the 2025 GET stream -----------------------------------------------------------------

  bool WaitStopping(std::chrono::milliseconds d) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, d, [&] { return stopping.load(); });
  }

  void Listen() {
    std::string last_event_id;
    int failures = 0;
    while (!stopping) {
      bool got_event = false;
      Answer answer;
      Status st = RunAuthorized([&](ClientError& refusal) -> Status {
        http::ClientRequest req{.method = "GET", .url = url};
        {
          std::lock_guard lock(mu);
          req.headers = ForwardHeaders(json::object{}, session, nullptr);
        }
        req.headers.Remove("Content-Type");
        req.headers.Set("Accept", "text/event-stream");
        if (!last_event_id.empty()) {
          req.headers.Set("Last-Event-ID", last_event_id);  // 2025 transports, resumability
        }
        req.timeout = options.listen_timeout;
        AddAuth(req.headers);
        log::Debug("proxy: opening the session's GET stream");
        auto head = http.Stream(req, [&](const http::SseEvent& event) {
          if (!got_event) {
            log::Debug("proxy: reading the session's GET stream");
          }
          got_event = true;
          if (!event.id.empty()) {
            last_event_id = event.id;
          }
          OnMessage(event.data, nullptr, answer);
          return !stopping.load();
        });
        if (!head) {
          return head.error();
        }
        answer.status = head->status;
        if (answer.status == 401 || answer.status == 403) {
          refusal = ClientError{};
          refusal.code = answer.status == 401 ? ClientErrc::kUnauthorized : ClientErrc::kForbidden;
          refusal.http_status = answer.status;
          refusal.www_authenticate = head->headers.Get("WWW-Authenticate").value_or("");
          return refusal.code;
        }
        return {};
      });
      log::Debug("proxy: the GET stream ended: {}",
                 st ? "HTTP " + std::to_string(answer.status) : st.error().message());
      if (stopping) {
        break;
      }
      if (st && (answer.status == 404 || answer.status == 405)) {
        log::Debug("proxy: the server offers no GET stream (HTTP {})", answer.status);
        break;
      }
      const bool idle = !st && st.error() == http::ClientErrc::kTimeout;
      if (got_event || idle) {
        failures = 0;
      } else if (++failures >= kMaxListenFailures) {
        Notify("the server's notification stream failed: " +
               (st ? "HTTP " + std::to_string(answer.status) : Describe(st.error())));
        break;
      }
      if (!idle && WaitStopping(kListenRetry)) {
        break;
      }
    }
    std::lock_guard lock(mu);
    listening = false;
    cv.notify_all();
  }

  void StartListening() {
    std::unique_lock lock(mu);
    if (!options.listen || listening || stopping) {
      return;
    }
    if (listener.joinable()) {  // the stream of an earlier session, finished
      std::thread old = std::move(listener);
      lock.unlock();
      old.join();
      lock.lock();
      if (listening || stopping) {
        return;
      }
    }
    listening = true;
    listener = std::thread([this] { Listen(); });
  }

  // ---- dispatch ----------------------------------------------------------------------------

  void StartRequest(const json::object& message, std::shared_ptr<Call> call) {
    const std::string key = IdKey(call->id);
    {
      std::lock_guard lock(mu);
      if (running >= options.max_in_flight) {
        Emit(UpstreamError(call->id, "too many requests in flight"));
        return;
      }
      ++running;
      inflight[key] = call;
    }
    std::thread([this, message, call, key] {
      ForwardRequest(message, *call);
      std::lock_guard lock(mu);
      if (auto it = inflight.find(key); it != inflight.end() && it->second == call) {
        inflight.erase(it);
      }
      --running;
      cv.notify_all();
    }).detach();
  }

  void Cancel(const json::object& message) {
    const auto* params = message.if_contains("params");
    const auto* id =
        params && params->is_object() ? params->get_object().if_contains("requestId") : nullptr;
    if (id == nullptr) {
      return;
    }
    std::lock_guard lock(mu);
    if (auto it = inflight.find(IdKey(*id)); it != inflight.end()) {
      it->second->cancelled = true;
    }
  }

  void Dispatch(json::value v) {
    if (v.is_array()) {
      Emit(MakeError(nullptr, RpcError{kInvalidRequest, "batches are not supported", {}}));
      return;
    }
    ParsedItem item = ParseMessage(v);
    if (!item.message) {
      Emit(MakeError(item.id,
                     item.error.value_or(RpcError{kInvalidRequest, "Invalid Request", {}})));
      return;
    }
    const json::object& message = v.get_object();
    const Message& m = *item.message;
    const bool modern = !ModernVersionOf(message).empty();
    if (m.is_request()) {
      auto call = std::make_shared<Call>();
      call->id = m.id;
      call->method = m.method;
      if (m.method == "initialize" && !modern) {
        ForwardRequest(message, *call);  // a barrier: later messages need its session
      } else {
        StartRequest(message, std::move(call));
      }
      return;
    }
    if (m.is_notification() && m.method == "notifications/cancelled") {
      Cancel(message);
      if (modern) {
        return;  // 2026-07-28 HTTP: the dropped stream is the cancellation
      }
    }
    const bool delivered = ForwardOneWay(message);
    if (delivered && !modern && m.method == "notifications/initialized") {
      StartListening();
    }
  }

  void DispatchLoop() {
    for (;;) {
      json::value v;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !queue.empty() || eof; });
        if (queue.empty()) {
          return;
        }
        v = std::move(queue.front());
        queue.pop_front();
      }
      Dispatch(std::move(v));
    }
  }

  void OnLine(std::string_view line) {
    std::optional<json::value> v = ParseJson(line);
    if (!v) {
      Emit(MakeError(nullptr, RpcError{kParseError, "Parse error", {}}));
      return;
    }
    std::lock_guard lock(mu);
    queue.push_back(std::move(*v));
    cv.notify_all();
  }

  void EndSession() {
    std::string session_id;
    {
      std::lock_guard lock(mu);
      session_id = session.session_id;
    }
    if (session_id.empty()) {
      return;
    }
    // 2025 transports (session management): the client SHOULD DELETE the session it is done
    // with. No login at exit: only the credentials at hand.
    http::ClientRequest req{.method = "DELETE", .url = url};
    {
      std::lock_guard lock(mu);
      req.headers = ForwardHeaders(json::object{}, session, nullptr);
    }
    req.headers.Remove("Content-Type");
    req.timeout = std::chrono::milliseconds(5'000);
    AddAuth(req.headers);
    auto r = http.Send(req);
    if (!r) {
      log::Debug("proxy: DELETE of the session failed: {}", r.error().message());
    } else {
      log::Debug("proxy: session ended (HTTP {})", r->status);
    }
  }

  BridgeExit Run(int fd) {
    std::thread dispatcher([this] { DispatchLoop(); });
    LineSplitter splitter(options.max_line_bytes);
    const auto on_line = [this](std::string&& line) { OnLine(line); };
    const auto on_too_long = [this] {
      Emit(MakeError(nullptr, RpcError{kParseError, "message too large", {}}));
    };
    std::vector<char> buffer(kReadChunk);
    for (;;) {
      const ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        break;  // end of input (the host's shutdown signal) or a read error
      }
      splitter.Feed(std::string_view(buffer.data(), static_cast<size_t>(n)), on_line, on_too_long);
    }
    if (auto last = splitter.Finish()) {
      OnLine(*last);
    }
    {
      std::lock_guard lock(mu);
      eof = true;
      cv.notify_all();
    }
    dispatcher.join();
    BridgeExit exit;
    {
      std::unique_lock lock(mu);
      if (!cv.wait_for(lock, options.shutdown_grace, [&] { return running == 0; })) {
        log::Warn("proxy: {} request(s) still in flight at the end of input", running);
        for (auto& [key, call] : inflight) {
          call->cancelled = true;
        }
        exit.clean = false;
      }
      stopping = true;
      cv.notify_all();
    }
    EndSession();
    std::unique_lock lock(mu);
    cv.wait_for(lock, kListenerStopWait, [&] { return !listening; });
    if (listener.joinable()) {
      if (listening) {
        exit.clean = false;
        listener.detach();
      } else {
        lock.unlock();
        listener.join();
      }
    }
    return exit;
  }

  http::Client& http;
  const std::string url;
  const BridgeOptions options;
  const std::function<void(std::string_view)> write_line;

  std::mutex out_mu;  // one line at a time; guards secrets
  std::vector<std::string> secrets;

  std::mutex mu;  // guards everything below
  std::condition_variable cv;
  std::deque<json::value> queue;
  bool eof = false;
  std::atomic<bool> stopping{false};
  LegacySession session;
  std::map<std::string, HeaderParams, std::less<>> tool_params;
  std::map<std::string, std::shared_ptr<Call>> inflight;
  std::optional<json::object> host_initialize;  // the params of the host's legacy initialize
  std::mutex renew_mu;                          // one session renewal at a time
  std::atomic<int> renewals{0};
  size_t running = 0;
  bool listening = false;
  std::thread listener;
};

StdioBridge::StdioBridge(http::Client& http, std::string url, BridgeOptions options,
                         std::function<void(std::string_view line)> write_line)
    : impl_(std::make_unique<Impl>(http, std::move(url), std::move(options),
                                   std::move(write_line))) {}

StdioBridge::~StdioBridge() = default;

BridgeExit StdioBridge::Run(int fd) { return impl_->Run(fd); }

}  // namespace mcpauth::mcp
