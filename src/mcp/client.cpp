#include "mcpauth/mcp/client.hpp"

#include <algorithm>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "mcpauth/core/log.hpp"
#include "mcpauth/mcp/request_headers.hpp"

namespace mcpauth::mcp {
namespace json = boost::json;

namespace {

constexpr std::string_view kJsonAndSse = "application/json, text/event-stream";
// The reserved _meta keys of MCP 2026-07-28 (basic/index, RequestMetaObject).
constexpr std::string_view kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
constexpr std::string_view kMetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
constexpr std::string_view kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
constexpr std::string_view kMetaLogLevel = "io.modelcontextprotocol/logLevel";
constexpr std::string_view kMetaServerInfo = "io.modelcontextprotocol/serverInfo";
// A 2025 stream that ends before its response is resumed at most this often, waiting at most
// this long before each attempt (the server's `retry:` hint, capped).
constexpr int kMaxResumptions = 3;
constexpr std::chrono::milliseconds kMaxRetryWait{10'000};
constexpr size_t kMaxListPages = 10'000;
constexpr int kMaxInputRounds = 8;
constexpr std::chrono::milliseconds kListenOpenWait{2'000};
constexpr std::chrono::milliseconds kListenPause{200};
constexpr int kMaxListenFailures = 5;
constexpr size_t kMaxDescribedMessage = 200;

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mcpauth.mcp.client"; }
  std::string message(int ev) const override {
    switch (static_cast<ClientErrc>(ev)) {
      case ClientErrc::kOk:
        return "ok";
      case ClientErrc::kNotConnected:
        return "not connected";
      case ClientErrc::kUnauthorized:
        return "the server requires authorization";
      case ClientErrc::kForbidden:
        return "the server refused the request";
      case ClientErrc::kHttpStatus:
        return "unexpected HTTP status";
      case ClientErrc::kRpcError:
        return "the server answered with an error";
      case ClientErrc::kBadResponse:
        return "the server's answer is not a valid MCP response";
      case ClientErrc::kNoCommonVersion:
        return "the server speaks no protocol version this client supports";
      case ClientErrc::kSessionExpired:
        return "the MCP session expired and could not be renewed";
      case ClientErrc::kStreamEnded:
        return "the response stream ended without a response";
      case ClientErrc::kInputRequired:
        return "the server asked for client input (not supported)";
    }
    return "unknown MCP client error";
  }
};

bool IsLegacyVersion(std::string_view v) {
  return std::find(std::begin(kLegacyVersions), std::end(kLegacyVersions), v) !=
         std::end(kLegacyVersions);
}

// Whether a `supported` list (of -32022 data, or of discover's supportedVersions) names the
// modern revision, and whether it names a 2025 one.
struct Offered {
  bool modern = false;
  bool legacy = false;
};
Offered ReadOffered(const json::value* list) {
  Offered out;
  if (list == nullptr || !list->is_array()) {
    return out;
  }
  for (const auto& v : list->get_array()) {
    if (v.is_string()) {
      out.modern = out.modern || v.get_string() == kModernVersion;
      out.legacy = out.legacy || IsLegacyVersion(v.get_string());
    }
  }
  return out;
}

// A 400 UnsupportedProtocolVersion (-32022) whose data.supported lists 2026-07-28: the version we
// sent is one the server supports after all, so a retry may succeed (2026-07-28 basic/versioning:
// the client retries with a supported version).
bool RejectedSupportedVersion(int status, const std::optional<Message>& response) {
  if (status != 400 || !response || response->kind != Message::Kind::kErrorResponse ||
      response->error.code != kUnsupportedProtocolVersion) {
    return false;
  }
  const auto& data = response->error.data;
  const json::object* d = data && data->is_object() ? &data->get_object() : nullptr;
  return ReadOffered(d ? d->if_contains("supported") : nullptr).modern;
}

std::optional<int64_t> IntegerId(const json::value& v) {
  if (v.is_int64()) {
    return v.get_int64();
  }
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v.get_uint64());
  }
  return std::nullopt;
}

bool SameId(const json::value& a, const json::value& b) {
  if (a.is_string() || b.is_string()) {
    return a.is_string() && b.is_string() && a.get_string() == b.get_string();
  }
  const auto x = IntegerId(a);
  const auto y = IntegerId(b);
  return x && y && *x == *y;
}

std::optional<double> Number(const json::value* v) {
  if (v == nullptr || !v->is_number()) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const double d = v->to_number<double>(ec);
  return ec ? std::nullopt : std::optional<double>(d);
}

std::string_view StringOr(const json::object& o, std::string_view key, std::string_view fallback) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : fallback;
}

// A server's error message, made safe for one line of a terminal: bounded, no control bytes.
std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxDescribedMessage)) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
  }
  if (text.size() > kMaxDescribedMessage) {
    out += "...";
  }
  return out;
}

}  // namespace

const boost::system::error_category& ClientCategory() noexcept {
  static const Category category;
  return category;
}

std::string ClientError::Describe() const {
  std::string out = code ? code.message() : "ok";
  if (http_status != 0) {
    out += " (HTTP " + std::to_string(http_status) + ")";
  }
  if (rpc) {
    out += ": JSON-RPC " + std::to_string(rpc->code) + " " + Printable(rpc->message);
  }
  return out;
}

std::string ToolCallResult::Text() const {
  std::string out;
  const auto* content = raw.if_contains("content");
  if (content == nullptr || !content->is_array()) {
    return out;
  }
  for (const auto& item : content->get_array()) {
    if (!out.empty()) {
      out += '\n';
    }
    const auto* o = item.if_object();
    if (o == nullptr) {
      continue;
    }
    const std::string_view type = StringOr(*o, "type", "");
    if (type == "text") {
      out += StringOr(*o, "text", "");
    } else {
      out += "[" + std::string(type) + "]";
    }
  }
  return out;
}

// What one POST (or resumption GET) produced.
struct McpClient::Reply {
  int status = 0;
  http::Headers headers;
  bool event_stream = false;
  std::optional<Message> response;  // the JSON-RPC response to our request
  bool unparseable = false;         // a body or event that is not JSON-RPC
  std::string last_event_id;        // 2025 resumability
  std::optional<int64_t> retry_ms;
};

McpClient::McpClient(http::Client& http, std::string url, McpClientOptions options)
    : http_(http), url_(std::move(url)), options_(std::move(options)) {}

struct McpClient::Listener {
  std::atomic<bool> stop{false};
  std::thread thread;
  std::mutex mu;
  std::condition_variable changed;
  bool settled = false;  // the first GET was answered (stream open, refused or failed)
  void Settle() {
    std::lock_guard lock(mu);
    settled = true;
    changed.notify_all();
  }
};

McpClient::~McpClient() { StopListener(); }

void McpClient::StartListener() {
  StopListener();
  listener_ = std::make_unique<Listener>();
  listener_->thread = std::thread([this] { Listen(); });
  // Requests made from now on may lead the server to send on that stream (a server drops what
  // it sends while no stream is open): wait until it is open, or known not to be, briefly.
  std::unique_lock lock(listener_->mu);
  listener_->changed.wait_for(lock, kListenOpenWait, [this] { return listener_->settled; });
}

void McpClient::StopListener(bool join) {
  if (!listener_) {
    return;
  }
  listener_->stop = true;
  if (join) {
    if (listener_->thread.joinable()) {
      listener_->thread.join();
    }
    listener_.reset();
  }
}

void McpClient::Listen() {
  // Runs on the listener thread. Reads only what does not change while it runs: the connection
  // state is changed by Connect/ConnectLegacy/Close, which stop (and join) this thread first.
  Listener& self = *listener_;
  int failures = 0;  // in a row, without a stream opened
  while (!self.stop && failures < kMaxListenFailures) {
    http::ClientRequest req{
        .method = "GET", .url = url_, .headers = BaseHeaders("text/event-stream")};
    // Never closed by us while idle: a server drops what it sends while no stream is open.
    req.timeout = options_.request_timeout;
    if (options_.add_headers) {
      options_.add_headers(req.headers);
    }
    bool opened = false;
    auto head = http_.Stream(
        req,
        [&](const http::SseEvent& event) {
          if (self.stop) {
            return false;
          }
          ParsedBody body = event.data.empty() ? ParsedBody{} : ParseBody(event.data);
          if (body.items.size() == 1 && body.items[0].message &&
              body.items[0].message->is_request()) {
            AnswerServerRequest(*body.items[0].message);
          }
          return !self.stop.load();
        },
        [&](const http::Response&) {
          opened = true;
          self.Settle();
        });
    self.Settle();
    if (self.stop) {
      return;
    }
    if (head && head->status != 409 && (head->status / 100 != 2 || !opened)) {
      // 405: the server offers no stream; 404: the session is gone; a 2xx that is not an event
      // stream: nothing to listen to.
      log::Debug("mcp client: no standalone stream (HTTP {})", head->status);
      return;
    }
    // Ended by the server, dropped, or 409 (the previous stream of this session is not torn
    // down yet: one GET stream per session): open it again, after a pause.
    failures = opened ? 0 : failures + 1;
    std::this_thread::sleep_for(kListenPause);
  }
}

ErrorCode McpClient::Fail(ErrorCode code, int http_status, std::optional<RpcError> rpc) {
  last_error_ = ClientError{code, http_status, std::move(rpc), {}};
  return code;
}

http::Headers McpClient::BaseHeaders(std::string_view accept) const {
  http::Headers h;
  h.Set("Accept", accept);
  if (era_ == Era::kModern) {
    h.Set("MCP-Protocol-Version", kModernVersion);
  } else if (era_ == Era::kLegacy) {
    // 2025-11-25 transports: after initialization the client MUST send the negotiated version
    // and the session id on every request (initialize itself carries neither).
    if (!protocol_version_.empty()) {
      h.Set("MCP-Protocol-Version", protocol_version_);
    }
    if (!session_id_.empty()) {
      h.Set("Mcp-Session-Id", session_id_);
    }
  }
  return h;
}

void McpClient::AddModernHeaders(http::Headers& headers, std::string_view method,
                                 const json::object& params) const {
  const HeaderParams* mirrored = nullptr;
  if (const auto* name = params.if_contains("name");
      method == "tools/call" && name && name->is_string()) {
    const auto it = header_params_.find(std::string_view(name->get_string()));
    mirrored = it == header_params_.end() ? nullptr : &it->second;
  }
  SetStandardHeaders(headers, method, params, mirrored);
}

bool McpClient::OnStreamMessage(const std::string& data, const json::value& id,
                                const ProgressFn* on_progress, const json::value& progress_token,
                                Reply& reply) {
  if (data.empty()) {
    return true;  // a priming event (2025-11-25: an event id and empty data)
  }
  ParsedBody body = ParseBody(data);
  if (body.items.size() != 1 || !body.items[0].message) {
    reply.unparseable = true;
    return true;
  }
  Message& m = *body.items[0].message;
  if (m.is_response()) {
    // A response that could not name our id (id null) still ends this request's stream.
    if (SameId(m.id, id) || m.id.is_null()) {
      reply.response = std::move(m);
    }
    return true;
  }
  const json::object* params = m.params_object();
  if (m.is_notification() && params != nullptr) {
    if (m.method == "notifications/progress" && on_progress != nullptr && *on_progress) {
      // MCP utilities/progress: only the notifications carrying our token are ours.
      const auto* token = params->if_contains("progressToken");
      if (token != nullptr && SameId(*token, progress_token)) {
        Progress p;
        p.progress = Number(params->if_contains("progress")).value_or(0);
        p.total = Number(params->if_contains("total"));
        p.message = StringOr(*params, "message", "");
        (*on_progress)(p);
      }
    } else if (m.method == "notifications/message" && options_.on_log) {
      const auto* data_v = params->if_contains("data");
      options_.on_log(StringOr(*params, "level", "info"), StringOr(*params, "logger", ""),
                      data_v != nullptr ? *data_v : json::value());
    }
    return true;
  }
  if (m.is_request()) {
    if (era_ == Era::kLegacy) {
      AnswerServerRequest(m);
    } else {
      // 2026-07-28 transports: the server MUST NOT send requests on a response stream.
      log::Debug("mcp client: ignored a server request ({}) on a 2026-07-28 stream", m.method);
    }
  }
  return true;
}

void McpClient::AnswerServerRequest(const Message& request) {
  // 2025 transports: the client answers a server-to-client request by POSTing its response.
  // ping (basic/utilities/ping: either side MUST answer promptly) gets {}; elicitation, sampling,
  // roots... go to on_input_request, and get -32601 when it is unset or declines.
  std::optional<json::object> result;
  if (request.method == "ping") {
    result.emplace();
  } else if (options_.on_input_request) {
    const json::object* params = request.params_object();
    result = options_.on_input_request(request.method, params ? *params : json::object{});
  }
  const json::object answer =
      result ? MakeResult(request.id, std::move(*result))
             : MakeError(request.id, RpcError{kMethodNotFound, "not supported", std::nullopt});
  http::ClientRequest req{.method = "POST", .url = url_, .headers = BaseHeaders(kJsonAndSse)};
  req.headers.Set("Content-Type", "application/json");
  req.body = json::serialize(answer);
  req.timeout = options_.request_timeout;
  if (options_.add_headers) {
    options_.add_headers(req.headers);
  }
  auto r = http_.Send(req);
  if (!r || r->status / 100 != 2) {
    log::Debug("mcp client: answering the server's {} failed", request.method);
  }
}

Result<McpClient::Reply> McpClient::Post(const json::object& message, const ProgressFn* on_progress,
                                         const json::value& progress_token) {
  const json::value& id = message.at("id");
  const std::string_view method = message.at("method").get_string();
  const auto* params = message.if_contains("params");
  http::ClientRequest req{.method = "POST", .url = url_, .headers = BaseHeaders(kJsonAndSse)};
  req.headers.Set("Content-Type", "application/json");
  if (era_ == Era::kModern) {
    AddModernHeaders(
        req.headers, method,
        params != nullptr && params->is_object() ? params->get_object() : json::object{});
  }
  req.body = json::serialize(message);
  req.timeout = options_.request_timeout;
  if (options_.add_headers) {
    options_.add_headers(req.headers);
  }
  // The response ends our interest in the stream. Stopping there drops the connection (the head
  // is then not returned), so initialize, whose head carries the session id, reads to the end.
  const bool stop_at_response = method != "initialize";
  Reply reply;
  auto head = http_.Stream(req, [&](const http::SseEvent& event) {
    reply.event_stream = true;
    if (!event.id.empty()) {
      reply.last_event_id = event.id;
    }
    if (event.retry_ms) {
      reply.retry_ms = event.retry_ms;
    }
    OnStreamMessage(event.data, id, on_progress, progress_token, reply);
    return !(stop_at_response && reply.response);
  });
  if (!head) {
    if (head.error() == http::ClientErrc::kCancelled && reply.response) {
      reply.status = 200;  // a stream is only ever read from a 2xx head
      return reply;
    }
    return Fail(head.error());
  }
  reply.status = head->status;
  reply.headers = std::move(head->headers);
  if (!reply.event_stream && !head->body.empty()) {
    ParsedBody body = ParseBody(head->body);
    const auto& item = body.items[0];
    if (body.items.size() == 1 && item.message && item.message->is_response() &&
        (SameId(item.message->id, id) || item.message->id.is_null())) {
      reply.response = std::move(*body.items[0].message);
    } else {
      reply.unparseable = true;
    }
  }
  return reply;
}

bool McpClient::Resume(Reply& reply, const json::value& id, const ProgressFn* on_progress,
                       const json::value& progress_token) {
  // 2025-11-25 transports (resumability): a server may close a POST stream before the response;
  // the client reconnects with GET and Last-Event-ID, after the `retry` delay, for the rest.
  for (int attempt = 0; attempt < kMaxResumptions && !reply.response; ++attempt) {
    if (reply.last_event_id.empty()) {
      return false;
    }
    const auto wait = std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(std::max<int64_t>(reply.retry_ms.value_or(0), 0)), kMaxRetryWait);
    std::this_thread::sleep_for(wait);
    http::ClientRequest req{
        .method = "GET", .url = url_, .headers = BaseHeaders("text/event-stream")};
    req.headers.Set("Last-Event-ID", reply.last_event_id);
    req.timeout = options_.request_timeout;
    if (options_.add_headers) {
      options_.add_headers(req.headers);
    }
    auto head = http_.Stream(req, [&](const http::SseEvent& event) {
      if (!event.id.empty()) {
        reply.last_event_id = event.id;
      }
      if (event.retry_ms) {
        reply.retry_ms = event.retry_ms;
      }
      OnStreamMessage(event.data, id, on_progress, progress_token, reply);
      return !reply.response;
    });
    if (!head && !(head.error() == http::ClientErrc::kCancelled && reply.response)) {
      return false;
    }
    if (head && head->status / 100 != 2) {
      return false;
    }
  }
  return reply.response.has_value();
}

Result<json::object> McpClient::Interpret(Reply& reply) {
  if (reply.status == 401 || reply.status == 403) {
    // RFC 6750 §3 / MCP authorization: the challenge tells the OAuth layer what to do next.
    std::optional<RpcError> rpc;
    if (reply.response && reply.response->kind == Message::Kind::kErrorResponse) {
      rpc = reply.response->error;
    }
    Fail(reply.status == 401 ? ClientErrc::kUnauthorized : ClientErrc::kForbidden, reply.status,
         std::move(rpc));
    last_error_.www_authenticate = reply.headers.Get("WWW-Authenticate").value_or("");
    return last_error_.code;
  }
  if (reply.response) {
    if (reply.response->kind == Message::Kind::kErrorResponse) {
      return Fail(ClientErrc::kRpcError, reply.status, reply.response->error);
    }
    if (reply.status != 200) {
      return Fail(ClientErrc::kHttpStatus, reply.status);
    }
    if (!reply.response->result.is_object()) {
      return Fail(ClientErrc::kBadResponse, reply.status);
    }
    json::object result = std::move(reply.response->result.get_object());
    if (era_ == Era::kModern) {
      // 2026-07-28 basic/index (resultType): an unrecognised value MUST be considered invalid.
      // An absent one is read as "complete" (some servers omit it on SSE results).
      const std::string_view type = StringOr(result, "resultType", "complete");
      if (type == "input_required") {
        pending_input_ = std::move(result);
        return Fail(ClientErrc::kInputRequired, reply.status);
      }
      if (type != "complete") {
        return Fail(ClientErrc::kBadResponse, reply.status);
      }
    }
    return result;
  }
  if (reply.status / 100 != 2) {
    return Fail(ClientErrc::kHttpStatus, reply.status);
  }
  if (reply.event_stream && !reply.unparseable) {
    return Fail(ClientErrc::kStreamEnded, reply.status);
  }
  return Fail(ClientErrc::kBadResponse, reply.status);
}

Result<json::object> McpClient::RequestOnce(std::string_view method, json::object params,
                                            const ProgressFn* on_progress, Reply& reply) {
  const json::value id = NextId();
  json::value progress_token;
  json::object meta;
  if (const auto* m = params.if_contains("_meta"); m && m->is_object()) {
    meta = m->get_object();
  }
  if (era_ == Era::kModern) {
    // 2026-07-28 basic/index: every request carries its version and capabilities ({} = none).
    meta[kMetaProtocolVersion] = kModernVersion;
    meta[kMetaClientCapabilities] = options_.capabilities;
    meta[kMetaClientInfo] =
        json::object{{"name", options_.client_name}, {"version", options_.client_version}};
    if (!options_.log_level.empty()) {
      meta[kMetaLogLevel] = options_.log_level;
    }
  }
  if (on_progress != nullptr && *on_progress) {
    // MCP utilities/progress: a token unique among this client's active requests.
    progress_token = "mcpauth-progress-" + std::to_string(id.get_int64());
    meta["progressToken"] = progress_token;
  }
  if (!meta.empty()) {
    params["_meta"] = std::move(meta);
  }
  const json::object message = MakeRequest(id, method, std::move(params));
  auto posted = Post(message, on_progress, progress_token);
  if (!posted) {
    return posted.error();
  }
  reply = std::move(*posted);
  if (era_ == Era::kLegacy && !reply.response && reply.event_stream && reply.status == 200) {
    Resume(reply, id, on_progress, progress_token);
  }
  return Interpret(reply);
}

Result<json::object> McpClient::Request(std::string_view method, json::object params,
                                        const ProgressFn& on_progress) {
  if (!era_) {
    return Fail(ClientErrc::kNotConnected);
  }
  Reply reply;
  auto result = RequestOnce(method, params, &on_progress, reply);
  if (!result && era_ == Era::kModern && RejectedSupportedVersion(reply.status, reply.response)) {
    result = RequestOnce(method, params, &on_progress, reply);
  }
  // 2025-11-25 transports (session management): a 404 to a request with a session id means the
  // session is gone; the client MUST start a new one with a fresh initialize. Once.
  if (!result && era_ == Era::kLegacy && reply.status == 404 && !session_id_.empty()) {
    log::Debug("mcp client: session expired; initializing again");
    if (Status st = ConnectLegacy(); !st) {
      return st.error();
    }
    result = RequestOnce(method, params, &on_progress, reply);
    if (!result && reply.status == 404) {
      return Fail(ClientErrc::kSessionExpired, 404);
    }
  }
  // 2026-07-28 basic/patterns/mrtr: the server needs input (elicitation, sampling, roots) before
  // it can answer; each retry is a new request built from the ORIGINAL params, so input and
  // state never leak into another request.
  for (int round = 0;
       !result && result.error() == ClientErrc::kInputRequired && round < kMaxInputRounds;
       ++round) {
    auto retry = InputRetryParams(params);
    if (!retry) {
      return result;
    }
    result = RequestOnce(method, std::move(*retry), &on_progress, reply);
  }
  return result;
}

std::optional<json::object> McpClient::InputRetryParams(const json::object& original) {
  if (!options_.on_input_request) {
    return std::nullopt;
  }
  const json::object pending = std::move(pending_input_);
  pending_input_.clear();
  json::object retry = original;
  retry.erase("inputResponses");
  retry.erase("requestState");
  if (const auto* requests = pending.if_contains("inputRequests"); requests != nullptr) {
    if (!requests->is_object()) {
      return std::nullopt;
    }
    json::object responses;
    for (const auto& [key, request] : requests->get_object()) {
      const auto* r = request.if_object();
      const auto* p = r != nullptr ? r->if_contains("params") : nullptr;
      if (r == nullptr || (p != nullptr && !p->is_object())) {
        return std::nullopt;
      }
      auto answer = options_.on_input_request(StringOr(*r, "method", ""),
                                              p != nullptr ? p->get_object() : json::object{});
      if (!answer) {
        return std::nullopt;  // declined: the request stays unanswered (kInputRequired)
      }
      responses[key] = std::move(*answer);
    }
    retry["inputResponses"] = std::move(responses);
  }
  // "the client MUST echo back the exact value"; without one it MUST NOT send any.
  if (const auto* state = pending.if_contains("requestState"); state != nullptr) {
    retry["requestState"] = *state;
  }
  return retry;
}

Status McpClient::PostNotification(std::string_view method, json::object params) {
  http::ClientRequest req{.method = "POST", .url = url_, .headers = BaseHeaders(kJsonAndSse)};
  req.headers.Set("Content-Type", "application/json");
  req.body = json::serialize(MakeNotification(method, std::move(params)));
  req.timeout = options_.request_timeout;
  if (options_.add_headers) {
    options_.add_headers(req.headers);
  }
  auto r = http_.Send(req);
  if (!r) {
    return Fail(r.error());
  }
  // 2025 transports: an accepted notification gets 202 Accepted (no body).
  if (r->status / 100 != 2) {
    return Fail(r->status == 401   ? ClientErrc::kUnauthorized
                : r->status == 403 ? ClientErrc::kForbidden
                                   : ClientErrc::kHttpStatus,
                r->status);
  }
  return {};
}

Status McpClient::ConnectModern(bool& fall_back) {
  fall_back = false;
  era_ = Era::kModern;
  protocol_version_ = std::string(kModernVersion);
  Reply reply;
  auto result = RequestOnce("server/discover", json::object{}, nullptr, reply);
  if (!result && RejectedSupportedVersion(reply.status, reply.response)) {
    result = RequestOnce("server/discover", json::object{}, nullptr, reply);
  }
  if (result) {
    // 2026-07-28 server/discover: the versions the server speaks.
    const Offered offered = ReadOffered(result->if_contains("supportedVersions"));
    if (offered.modern) {
      if (const auto* c = result->if_contains("capabilities"); c && c->is_object()) {
        server_capabilities_ = c->get_object();
      }
      if (const auto* m = result->if_contains("_meta"); m && m->is_object()) {
        if (const auto* s = m->get_object().if_contains(kMetaServerInfo); s && s->is_object()) {
          server_info_ = s->get_object();
        }
      }
      return {};
    }
    fall_back = offered.legacy;
    return Fail(result->contains("supportedVersions") ? ClientErrc::kNoCommonVersion
                                                      : ClientErrc::kBadResponse,
                reply.status);
  }
  if (reply.status == 0 || reply.status == 401 || reply.status == 403 || reply.status >= 500) {
    return result.error();  // no answer, an authorization challenge, or an outage
  }
  const bool rpc_error = reply.response && reply.response->kind == Message::Kind::kErrorResponse;
  const int code = rpc_error ? reply.response->error.code : 0;
  if (rpc_error && code == kUnsupportedProtocolVersion) {
    // 2026-07-28 basic/versioning: the error names the versions the server supports.
    const auto& data = reply.response->error.data;
    const json::object* d = data && data->is_object() ? &data->get_object() : nullptr;
    const Offered offered = ReadOffered(d ? d->if_contains("supported") : nullptr);
    fall_back = offered.legacy && !offered.modern;
    if (!offered.modern) {
      return Fail(ClientErrc::kNoCommonVersion, reply.status, reply.response->error);
    }
    return result.error();
  }
  // MCP 2026-07-28 basic/index "Error codes": -32020..-32022 are the 2026 specification's own;
  // only a server implementing that revision answers with one of them.
  if (rpc_error && (code == kHeaderMismatch || code == kMissingRequiredClientCapability)) {
    return result.error();  // a modern server refusing this request: not a legacy server
  }
  // 2026-07-28 basic/versioning: anything else on a 400 (and the 404/405 of servers that route
  // only their own methods, or that serve sessions only) identifies a legacy server; so does a
  // session-less legacy server's -32601 for the unknown method.
  fall_back = reply.status == 400 || reply.status == 404 || reply.status == 405 ||
              (rpc_error && code == kMethodNotFound);
  return result.error();
}

Status McpClient::ConnectLegacy() {
  StopListener();
  era_ = Era::kLegacy;
  protocol_version_.clear();
  session_id_.clear();
  Reply reply;
  // 2025-11-25 basic/lifecycle: initialize with the version we want, our capabilities (none)
  // and identity; no MCP-Protocol-Version header and no session yet.
  json::object params{{"protocolVersion", options_.legacy_version},
                      {"capabilities", options_.capabilities},
                      {"clientInfo", json::object{{"name", options_.client_name},
                                                  {"version", options_.client_version}}}};
  auto result = RequestOnce("initialize", std::move(params), nullptr, reply);
  if (!result) {
    era_.reset();
    return result.error();
  }
  // The server answers with the requested version or another it supports; a client that does
  // not support the answer disconnects.
  const std::string_view version = StringOr(*result, "protocolVersion", "");
  if (!IsLegacyVersion(version)) {
    era_.reset();
    return Fail(ClientErrc::kNoCommonVersion, reply.status);
  }
  protocol_version_ = std::string(version);
  // 2025-11-25 transports: the session id, if any, comes on the InitializeResult's response.
  session_id_ = std::string(reply.headers.Get("Mcp-Session-Id").value_or(""));
  if (const auto* c = result->if_contains("capabilities"); c && c->is_object()) {
    server_capabilities_ = c->get_object();
  }
  if (const auto* s = result->if_contains("serverInfo"); s && s->is_object()) {
    server_info_ = s->get_object();
  }
  if (Status st = PostNotification("notifications/initialized", {}); !st) {
    era_.reset();
    return st;
  }
  if (!options_.log_level.empty() && server_capabilities_.contains("logging")) {
    Reply set_level;
    if (auto st = RequestOnce("logging/setLevel", json::object{{"level", options_.log_level}},
                              nullptr, set_level);
        !st) {
      log::Debug("mcp client: logging/setLevel refused: {}", st.error().message());
    }
  }
  if (options_.listen_for_server_requests) {
    StartListener();
  }
  return {};
}

Status McpClient::Connect() {
  StopListener();
  era_.reset();
  protocol_version_.clear();
  session_id_.clear();
  server_info_.clear();
  server_capabilities_.clear();
  header_params_.clear();
  tools_listed_ = false;
  if (options_.era != EraPreference::kLegacy) {
    bool fall_back = false;
    Status st = ConnectModern(fall_back);
    if (st) {
      log::Debug("mcp client: connected, protocol {}", protocol_version_);
      return st;
    }
    era_.reset();
    protocol_version_.clear();
    if (!fall_back) {
      return st;
    }
    if (options_.era == EraPreference::kModern) {
      // Pinned: "that revision or nothing" (no downgrade).
      return Fail(ClientErrc::kNoCommonVersion, last_error_.http_status, last_error_.rpc);
    }
    log::Debug("mcp client: not a 2026-07-28 server (HTTP {}); trying initialize",
               last_error_.http_status);
  }
  Status st = ConnectLegacy();
  if (st) {
    log::Debug("mcp client: connected, protocol {}{}", protocol_version_,
               session_id_.empty() ? " (no session)" : " (session)");
  }
  return st;
}

std::optional<std::string> McpClient::RememberHeaderParams(const ToolInfo& tool) {
  header_params_.erase(tool.name);
  const auto* schema = tool.raw.if_contains("inputSchema");
  if (era_ != Era::kModern || schema == nullptr || !schema->is_object()) {
    return std::nullopt;  // x-mcp-header is a 2026-07-28 (Streamable HTTP) rule
  }
  HeaderParams found;
  if (auto bad = CollectHeaderParams(schema->get_object(), found)) {
    return bad;
  }
  if (!found.empty()) {
    header_params_[tool.name] = std::move(found);
  }
  return std::nullopt;
}

Result<std::vector<ToolInfo>> McpClient::ListTools() {
  std::vector<ToolInfo> tools;
  std::string cursor;
  for (size_t page = 0; page < kMaxListPages; ++page) {
    json::object params;
    if (!cursor.empty()) {
      params["cursor"] = cursor;
    }
    auto result = Request("tools/list", std::move(params));
    if (!result) {
      return result.error();
    }
    const auto* list = result->if_contains("tools");
    if (list == nullptr || !list->is_array()) {
      return Fail(ClientErrc::kBadResponse, 200);
    }
    for (const auto& t : list->get_array()) {
      const auto* o = t.if_object();
      if (o == nullptr || !o->contains("name") || !o->at("name").is_string()) {
        return Fail(ClientErrc::kBadResponse, 200);
      }
      ToolInfo info{.name = std::string(o->at("name").get_string()),
                    .title = std::string(StringOr(*o, "title", "")),
                    .description = std::string(StringOr(*o, "description", "")),
                    .raw = *o};
      // 2026-07-28 transports/streamable-http "Custom Headers from Tool Parameters": a tool
      // whose x-mcp-header annotations break the rules MUST be left out of the result (with a
      // warning), so one malformed definition does not take the other tools down with it.
      if (auto bad = RememberHeaderParams(info)) {
        log::Warn("mcp client: tool '{}' left out: {}", Printable(info.name), Printable(*bad));
        continue;
      }
      tools.push_back(std::move(info));
    }
    // MCP server/utilities/pagination: an absent nextCursor ends the listing; a cursor that
    // repeats would never end it.
    const std::string_view next = StringOr(*result, "nextCursor", "");
    if (next.empty()) {
      tools_listed_ = true;
      return tools;
    }
    if (next == cursor) {
      return Fail(ClientErrc::kBadResponse, 200);
    }
    cursor = std::string(next);
  }
  return Fail(ClientErrc::kBadResponse, 200);
}

Result<ToolCallResult> McpClient::CallTool(std::string_view name, json::object arguments,
                                           const ProgressFn& on_progress) {
  json::object params{{"name", name}, {"arguments", arguments}};
  auto result = Request("tools/call", params, on_progress);
  // 2026-07-28: arguments annotated x-mcp-header must be mirrored in Mcp-Param-* headers, which
  // needs the tool's schema. A server refusing a call to a tool not yet listed for a header
  // mismatch (-32020) gets the listing and one retry.
  if (!result && era_ == Era::kModern && !tools_listed_ && last_error_.rpc &&
      last_error_.rpc->code == kHeaderMismatch) {
    if (auto listed = ListTools(); listed) {
      result = Request("tools/call", std::move(params), on_progress);
    }
  }
  if (!result) {
    return result.error();
  }
  ToolCallResult out;
  const auto* content = result->if_contains("content");
  if (content == nullptr || !content->is_array()) {
    return Fail(ClientErrc::kBadResponse, 200);
  }
  if (const auto* e = result->if_contains("isError"); e && e->is_bool()) {
    out.is_error = e->get_bool();
  }
  out.raw = std::move(*result);
  return out;
}

Status McpClient::Close() {
  // Stop listening first (without waiting): the DELETE below ends the session, and with it the
  // server's GET stream, so the listener thread returns at once.
  StopListener(/*join=*/false);
  Status out;
  if (era_ == Era::kLegacy && !session_id_.empty()) {
    // 2025-11-25 transports (session management): the client SHOULD end the session with
    // DELETE; 405 means the server does not allow it, 404 that it is already gone.
    http::ClientRequest req{.method = "DELETE", .url = url_, .headers = BaseHeaders(kJsonAndSse)};
    req.timeout = options_.request_timeout;
    if (options_.add_headers) {
      options_.add_headers(req.headers);
    }
    auto r = http_.Send(req);
    if (!r) {
      out = Fail(r.error());
    } else if (r->status / 100 != 2 && r->status != 404 && r->status != 405) {
      out = Fail(ClientErrc::kHttpStatus, r->status);
    }
  }
  StopListener();
  era_.reset();
  protocol_version_.clear();
  session_id_.clear();
  return out;
}

}  // namespace mcpauth::mcp
