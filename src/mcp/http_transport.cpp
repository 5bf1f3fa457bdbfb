#include "mcpauth/mcp/http_transport.hpp"

#include "mcpauth/mcp/header_values.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <mutex>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/log.hpp"

namespace mcpauth::mcp {
namespace json = boost::json;

namespace {

constexpr std::string_view kProtocolVersionKey = "io.modelcontextprotocol/protocolVersion";
constexpr std::string_view kCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities";
constexpr std::string_view kLogLevelKey = "io.modelcontextprotocol/logLevel";
// Revisions before 2026-07-28 that a header may name (2024-11-05 had no HTTP header, but a
// client may still send it).
constexpr std::string_view kKnownLegacy[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                             "2024-11-05"};

bool IsKnownLegacy(std::string_view v) {
  for (auto l : kKnownLegacy) {
    if (l == v) {
      return true;
    }
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// A JSON-RPC error as an HTTP response (the body is the JSON-RPC error object).
http::Response RpcErrorResponse(int status, const json::value& id, int code, std::string message,
                                std::optional<json::value> data = std::nullopt) {
  return http::Response::Json(
      status, json::serialize(MakeError(id, RpcError{code, std::move(message), std::move(data)})));
}

// Legacy transport errors use -32000 with id null, as the 2025 SDKs do.
http::Response TransportError(int status, std::string message) {
  return RpcErrorResponse(status, nullptr, -32000, std::move(message));
}

// The shared session store could not be asked (several nodes, database away): RFC 9110 §15.6.4
// 503 with Retry-After (§10.2.3), so that the client retries once it is back.
http::Response SessionStoreUnavailable() {
  http::Response r = TransportError(503, "Service Unavailable: the session store is unavailable");
  r.headers.Set("Retry-After", "1");
  return r;
}

// A session lookup that found nothing: 404, or 503 when the store could not tell.
http::Response SessionNotFound(bool store_unavailable) {
  return store_unavailable ? SessionStoreUnavailable()
                           : RpcErrorResponse(404, nullptr, -32001, "Session not found");
}

// RFC 9110 §12.5.1: does the Accept header admit this media type (by name or wildcard)?
bool Accepts(const http::Request& r, std::string_view type) {
  const auto accept = r.headers.Get("Accept");
  if (!accept) {
    return false;
  }
  const std::string_view major = type.substr(0, type.find('/'));
  std::string_view rest = *accept;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    item = Trim(item.substr(0, item.find(';')));
    if (http::EqualsIgnoreCase(item, type) || item == "*/*" ||
        (item.size() == major.size() + 2 && item.ends_with("/*") &&
         http::EqualsIgnoreCase(item.substr(0, major.size()), major))) {
      return true;
    }
  }
  return false;
}

bool IsLoopbackHost(std::string_view host) {
  return http::EqualsIgnoreCase(host, "localhost") || host == "127.0.0.1" || host == "[::1]" ||
         host == "::1";
}

// One request's channel over an HTTP exchange: a JSON answer, or an SSE stream once a message
// must precede the response (MCP transports: "the server MAY send notifications ... before").
class HttpChannel final : public Channel {
 public:
  HttpChannel(std::shared_ptr<http::Exchange> exchange, http::Headers extra, bool sse_ok)
      : exchange_(std::move(exchange)), extra_(std::move(extra)), sse_ok_(sse_ok) {}

  void Send(const json::object& message) override {
    std::lock_guard lock(mu_);
    if (finished_ || exchange_->disconnected()) {
      return;
    }
    if (!stream_) {
      if (!sse_ok_) {
        return;  // a client that takes only JSON gets the response alone
      }
      http::Response head;
      head.headers = extra_;
      head.headers.Set("Content-Type", "text/event-stream");
      head.headers.Set("X-Accel-Buffering", "no");  // proxies must not buffer the stream
      stream_ = exchange_->StartStream(std::move(head));
    }
    stream_->Send(http::SseEvent{.event = "message", .data = json::serialize(message)});
  }

  void Finish(const json::object& response, int http_status) override {
    std::lock_guard lock(mu_);
    if (finished_) {
      return;
    }
    finished_ = true;
    if (stream_) {
      stream_->Send(http::SseEvent{.event = "message", .data = json::serialize(response)});
      stream_->Close();  // the response ends the stream
      return;
    }
    http::Response r = http::Response::Json(http_status, json::serialize(response));
    for (const auto& [n, v] : extra_.fields()) {
      r.headers.Set(n, v);
    }
    exchange_->Respond(std::move(r));
  }

  bool cancelled() const override {
    if (cancel_requested_.load(std::memory_order_relaxed)) {
      return true;
    }
    std::lock_guard lock(mu_);
    return exchange_->disconnected() || (stream_ && stream_->closed() && !finished_);
  }

  // notifications/cancelled from the client (2025 revisions, utilities/cancellation).
  void Cancel() { cancel_requested_ = true; }

  void KeepAlive() override {
    std::lock_guard lock(mu_);
    if (stream_ && !finished_) {
      stream_->SendRaw(": keep-alive\n\n");
    }
  }

 private:
  std::shared_ptr<http::Exchange> exchange_;
  http::Headers extra_;
  const bool sse_ok_;
  mutable std::mutex mu_;
  bool finished_ = false;
  std::shared_ptr<http::EventStream> stream_;
  std::atomic<bool> cancel_requested_{false};
};

// A 2025-03-26 batch: collects the responses of its requests, answers them as one JSON array.
class BatchCollector : public std::enable_shared_from_this<BatchCollector> {
 public:
  BatchCollector(std::shared_ptr<http::Exchange> exchange, size_t expected, http::Headers extra)
      : exchange_(std::move(exchange)), expected_(expected), extra_(std::move(extra)) {}

  void Add(json::object response) {
    std::lock_guard lock(mu_);
    responses_.push_back(std::move(response));
    if (responses_.size() == expected_) {
      http::Response r = http::Response::Json(200, json::serialize(responses_));
      for (const auto& [n, v] : extra_.fields()) {
        r.headers.Set(n, v);
      }
      exchange_->Respond(std::move(r));
    }
  }
  bool disconnected() const { return exchange_->disconnected(); }

 private:
  std::shared_ptr<http::Exchange> exchange_;
  const size_t expected_;
  http::Headers extra_;
  std::mutex mu_;
  json::array responses_;
};

class BatchItemChannel final : public Channel {
 public:
  explicit BatchItemChannel(std::shared_ptr<BatchCollector> c) : collector_(std::move(c)) {}
  void Send(const json::object&) override {}  // no stream in a JSON batch answer
  void Finish(const json::object& response, int) override {
    if (!done_.exchange(true)) {
      collector_->Add(response);
    }
  }
  bool cancelled() const override { return collector_->disconnected(); }

 private:
  std::shared_ptr<BatchCollector> collector_;
  std::atomic<bool> done_{false};
};

}  // namespace

StreamableHttpTransport::StreamableHttpTransport(McpServer& server, SessionTable& sessions,
                                                 TransportOptions options, Authorizer authorizer)
    : server_(server),
      sessions_(sessions),
      options_(std::move(options)),
      authorizer_(std::move(authorizer)) {
  server_.SetLegacyBroadcast([this](const json::object& notification) {
    const std::string data = json::serialize(notification);
    sessions_.ForEach([&](Session& s) { sessions_.SendOnGetStream(s, data); });
  });
  if (options_.keepalive_interval.count() > 0) {
    keepalive_ = std::thread([this] {
      std::unique_lock lock(keepalive_mu_);
      while (
          !keepalive_cv_.wait_for(lock, options_.keepalive_interval, [&] { return stopping_; })) {
        lock.unlock();
        server_.KeepAliveListeners();
        sessions_.ForEach([](Session& s) {
          std::lock_guard slock(s.mu);
          if (s.get_stream && !s.get_stream->closed()) {
            s.get_stream->SendRaw(": keep-alive\n\n");
          }
        });
        lock.lock();
      }
    });
  }
}

StreamableHttpTransport::~StreamableHttpTransport() {
  {
    std::lock_guard lock(keepalive_mu_);
    stopping_ = true;
  }
  keepalive_cv_.notify_all();
  if (keepalive_.joinable()) {
    keepalive_.join();
  }
  server_.SetLegacyBroadcast(nullptr);
}

namespace {
std::string InFlightKey(std::string_view session_id, const json::value& request_id) {
  // The id's JSON text keeps 1 and "1" apart, as JSON-RPC does.
  return std::string(session_id) + "\n" + json::serialize(request_id);
}
}  // namespace

void StreamableHttpTransport::TrackInFlight(std::string_view session_id,
                                            const json::value& request_id,
                                            const std::shared_ptr<Channel>& channel) {
  std::lock_guard lock(inflight_mu_);
  std::erase_if(inflight_, [](const auto& e) { return e.second.expired(); });
  inflight_[InFlightKey(session_id, request_id)] = channel;
}

void StreamableHttpTransport::CancelInFlight(std::string_view session_id,
                                             const json::value& request_id) {
  std::shared_ptr<Channel> channel;
  {
    std::lock_guard lock(inflight_mu_);
    auto it = inflight_.find(InFlightKey(session_id, request_id));
    if (it != inflight_.end()) {
      channel = it->second.lock();
      inflight_.erase(it);
    }
  }
  if (auto* http_channel = dynamic_cast<HttpChannel*>(channel.get())) {
    http_channel->Cancel();
  }
}

void StreamableHttpTransport::Register(http::Router& router) {
  auto handler = [this](std::shared_ptr<http::Exchange> ex) { Handle(std::move(ex)); };
  const http::RouteOptions route{.body_limit = options_.body_limit};
  router.Add("POST", options_.path, http::Handler(handler), route);
  router.Add("GET", options_.path, http::Handler(handler), route);
  router.Add("DELETE", options_.path, http::Handler(handler), route);
}

bool StreamableHttpTransport::OriginAndHostAllowed(const http::Request& request) const {
  // MCP transports, security warning: validate Origin on every request; 403 when present and
  // invalid. The Host check closes DNS rebinding for a server bound to loopback.
  if (!options_.any_host) {
    const auto host_header = request.headers.Get("Host");
    if (!host_header) {
      return false;
    }
    auto authority = boost::urls::parse_authority(*host_header);
    if (!authority) {
      return false;
    }
    const std::string host = authority->host();
    bool ok = IsLoopbackHost(host);
    for (const auto& h : options_.allowed_hosts) {
      ok = ok || http::EqualsIgnoreCase(h, host);
    }
    if (!ok) {
      return false;
    }
  }
  if (const auto origin = request.headers.Get("Origin")) {
    for (const auto& o : options_.allowed_origins) {
      if (http::EqualsIgnoreCase(o, *origin)) {
        return true;
      }
    }
    // RFC 6454 §6.2: an origin is scheme://host[:port], nothing after. Requiring that also
    // closes a Boost.URL 1.81 quirk: "http://127.0.0.1.evil.example" parses as host 127.0.0.1
    // and path ".evil.example" (boostorg/url#636), which would pass for loopback.
    auto url = boost::urls::parse_uri(*origin);
    if (!url || (url->scheme() != "http" && url->scheme() != "https") ||
        !url->encoded_path().empty() || url->has_query() || url->has_fragment() ||
        url->has_userinfo()) {
      return false;
    }
    return IsLoopbackHost(url->encoded_host());
  }
  return true;
}

std::optional<AuthDecision> StreamableHttpTransport::Authorize(
    const std::shared_ptr<http::Exchange>& exchange, std::string_view method,
    std::string_view name) {
  if (!authorizer_) {
    return AuthDecision{};
  }
  AuthDecision d = authorizer_(AuthQuery{exchange->request(), method, name});
  if (!d.allowed) {
    exchange->Respond(std::move(d.denial));
    return std::nullopt;
  }
  return d;
}

void StreamableHttpTransport::Handle(std::shared_ptr<http::Exchange> exchange) {
  const http::Request& r = exchange->request();
  if (!OriginAndHostAllowed(r)) {
    return exchange->Respond(TransportError(403, "Forbidden: Origin or Host not allowed"));
  }
  if (r.method == "POST") {
    return HandlePost(exchange);
  }
  if (r.method == "GET") {
    return HandleGet(exchange);
  }
  HandleDelete(exchange);
}

void StreamableHttpTransport::HandlePost(const std::shared_ptr<http::Exchange>& exchange) {
  const http::Request& r = exchange->request();
  const auto content_type = r.headers.Get("Content-Type");
  if (!content_type ||
      !http::EqualsIgnoreCase(Trim(content_type->substr(0, content_type->find(';'))),
                              "application/json")) {
    return exchange->Respond(
        TransportError(415, "Unsupported Media Type: Content-Type must be application/json"));
  }
  // MCP transports: the client MUST accept both application/json and text/event-stream.
  if (!Accepts(r, "application/json") || !Accepts(r, "text/event-stream")) {
    return exchange->Respond(TransportError(
        406, "Not Acceptable: Accept must include application/json and text/event-stream"));
  }
  ParsedBody body =
      ParseBody(r.body, ParseLimits{.max_bytes = options_.body_limit, .allow_batch = true});
  if (!body.batch && body.items[0].error) {
    // Not JSON (-32700), or JSON that is not a JSON-RPC message (-32600): answered before any
    // era or session logic, with the id when one could be read.
    const auto& item = body.items[0];
    return exchange->Respond(
        RpcErrorResponse(400, item.id, item.error->code,
                         item.error->code == kParseError ? "Parse error" : item.error->message));
  }
  if (!body.batch && body.items[0].message) {
    const Message& m = *body.items[0].message;
    // Modern if the envelope claims a version, or the header names a post-2025 version.
    const json::object* p = m.params_object();
    const json::value* meta = p ? p->if_contains("_meta") : nullptr;
    const bool claims =
        meta && meta->is_object() && meta->as_object().contains(kProtocolVersionKey);
    const auto header = r.headers.Get("MCP-Protocol-Version");
    const bool modern_header = header && !IsKnownLegacy(Trim(*header));
    if (!m.is_response() && (claims || modern_header)) {
      return HandleModern(exchange, std::move(*body.items[0].message));
    }
  }
  HandleLegacy(exchange, std::move(body));
}

void StreamableHttpTransport::HandleModern(const std::shared_ptr<http::Exchange>& exchange,
                                           Message m) {
  const http::Request& r = exchange->request();
  const json::value& id = m.id;
  const json::object* p = m.params_object();
  const json::value* meta_v = p ? p->if_contains("_meta") : nullptr;
  const json::object* meta = meta_v ? meta_v->if_object() : nullptr;
  // 1. Envelope: protocolVersion and clientCapabilities are required (basic/index, _meta).
  const json::value* version_v = meta ? meta->if_contains(kProtocolVersionKey) : nullptr;
  const json::value* caps_v = meta ? meta->if_contains(kCapabilitiesKey) : nullptr;
  if (!version_v || !version_v->is_string() || !caps_v || !caps_v->is_object()) {
    return exchange->Respond(RpcErrorResponse(
        400, id, kInvalidParams,
        "Invalid params: _meta must carry io.modelcontextprotocol/protocolVersion and "
        "io.modelcontextprotocol/clientCapabilities"));
  }
  const std::string version(version_v->get_string());
  // 2-3. MCP-Protocol-Version header present and equal to the envelope's version.
  const auto header = r.headers.Get("MCP-Protocol-Version");
  if (!header) {
    return exchange->Respond(RpcErrorResponse(400, id, kHeaderMismatch,
                                              "Header mismatch: MCP-Protocol-Version missing"));
  }
  if (Trim(*header) != version) {
    return exchange->Respond(RpcErrorResponse(
        400, id, kHeaderMismatch,
        "Header mismatch: MCP-Protocol-Version header value '" + std::string(Trim(*header)) +
            "' does not match body value '" + version + "'"));
  }
  // 4. Supported version.
  if (version != kModernVersion) {
    return exchange->Respond(RpcErrorResponse(
        400, id, kUnsupportedProtocolVersion, "Unsupported protocol version",
        json::object{{"supported", json::array{kModernVersion}}, {"requested", version}}));
  }
  // 5. Mcp-Method equals the body's method (values are case-sensitive).
  const auto method_header = r.headers.Get("Mcp-Method");
  if (!method_header || Trim(*method_header) != m.method) {
    return exchange->Respond(RpcErrorResponse(
        400, id, kHeaderMismatch,
        method_header
            ? "Header mismatch: Mcp-Method header value '" + std::string(Trim(*method_header)) +
                  "' does not match body value '" + m.method + "'"
            : "Header mismatch: Mcp-Method missing"));
  }
  // 6. Mcp-Name for the methods that name something.
  std::string name;
  if (m.method == "tools/call" || m.method == "prompts/get" || m.method == "resources/read") {
    const char* key = m.method == "resources/read" ? "uri" : "name";
    const json::value* n = p ? p->if_contains(key) : nullptr;
    if (n && n->is_string()) {
      name = std::string(n->get_string());
      const auto name_header = r.headers.Get("Mcp-Name");
      const auto decoded = name_header ? DecodeHeaderValue(Trim(*name_header)) : std::nullopt;
      if (!decoded || *decoded != name) {
        return exchange->Respond(RpcErrorResponse(
            400, id, kHeaderMismatch,
            name_header ? "Header mismatch: Mcp-Name does not match body value '" + name + "'"
                        : "Header mismatch: Mcp-Name missing"));
      }
    }
  }
  // Notifications: none are defined from client to server over HTTP in 2026-07-28; accept.
  if (m.is_notification()) {
    return exchange->Respond(http::Response{.status = 202});
  }
  // 8. Mcp-Param-{Name} for tool arguments marked x-mcp-header.
  if (m.method == "tools/call" && p) {
    // The tool's schema says which arguments are mirrored; look it up through the listing.
    const json::value* args_v = p->if_contains("arguments");
    const json::object* args = args_v ? args_v->if_object() : nullptr;
    if (const auto* tool = server_.tools()->Find(name)) {
      if (const auto* props = tool->descriptor.input_schema.if_contains("properties");
          props && props->is_object()) {
        for (const auto& [prop, schema] : props->as_object()) {
          const json::object* so = schema.if_object();
          const json::value* hname = so ? so->if_contains("x-mcp-header") : nullptr;
          if (!hname || !hname->is_string()) {
            continue;
          }
          const json::value* value = args ? args->if_contains(prop) : nullptr;
          if (value == nullptr || value->is_null()) {
            continue;  // absent or null: the header is not expected
          }
          const std::string header_name = "Mcp-Param-" + std::string(hname->get_string());
          const auto hv = r.headers.Get(header_name);
          const auto expected = HeaderParamValue(*value);
          const auto decoded = hv ? DecodeHeaderValue(Trim(*hv)) : std::nullopt;
          if (!decoded || !expected || *decoded != *expected) {
            return exchange->Respond(RpcErrorResponse(
                400, id, kHeaderMismatch,
                "Header mismatch: " + header_name + " missing, malformed or unequal to the body"));
          }
        }
      }
    }
  }
  RequestInfo info;
  info.era = Era::kModern;
  info.protocol_version = version;
  info.client_capabilities = caps_v->as_object();
  if (const json::value* level = meta->if_contains(kLogLevelKey)) {
    static constexpr std::string_view kLevels[] = {"debug", "info",     "notice", "warning",
                                                   "error", "critical", "alert",  "emergency"};
    bool ok = false;
    for (auto l : kLevels) {
      ok = ok || (level->is_string() && level->get_string() == l);
    }
    if (!ok) {
      return exchange->Respond(RpcErrorResponse(400, id, kInvalidParams, "Invalid log level"));
    }
    info.log_level = std::string(level->get_string());
  }
  auto decision = Authorize(exchange, m.method, name);
  if (!decision) {
    return;
  }
  info.principal = std::move(decision->principal);
  auto channel = std::make_shared<HttpChannel>(exchange, http::Headers{}, true);
  server_.Dispatch(std::move(info), std::move(m), std::move(channel));
}

void StreamableHttpTransport::HandleLegacy(const std::shared_ptr<http::Exchange>& exchange,
                                           ParsedBody body) {
  const http::Request& r = exchange->request();
  const auto header_version = r.headers.Get("MCP-Protocol-Version");
  // 2025-06-18 transports: an invalid or unsupported MCP-Protocol-Version is 400.
  if (header_version && !IsSupportedLegacyVersion(Trim(*header_version))) {
    return exchange->Respond(TransportError(
        400, "Bad Request: Unsupported protocol version: " + std::string(*header_version)));
  }
  // initialize: a new session (never inside a batch: 2025-03-26 lifecycle).
  if (!body.batch && body.items[0].message && body.items[0].message->method == "initialize") {
    Message& m = *body.items[0].message;
    if (!m.is_request()) {
      return exchange->Respond(TransportError(400, "Bad Request: initialize must be a request"));
    }
    const json::object* p = m.params_object();
    const json::value* requested = p ? p->if_contains("protocolVersion") : nullptr;
    if (!requested || !requested->is_string()) {
      return exchange->Respond(
          RpcErrorResponse(400, m.id, kInvalidParams, "initialize needs a protocolVersion"));
    }
    auto decision = Authorize(exchange, m.method, "");
    if (!decision) {
      return;
    }
    const std::string version = McpServer::NegotiateLegacyVersion(requested->get_string());
    json::object caps;
    json::object client_info;
    if (const auto* c = p->if_contains("capabilities"); c && c->is_object()) {
      caps = c->as_object();
    }
    if (const auto* ci = p->if_contains("clientInfo"); ci && ci->is_object()) {
      client_info = ci->as_object();
    }
    auto session =
        sessions_.Create(version, std::move(caps), std::move(client_info),
                         decision->principal.subject + "\n" + decision->principal.client_id);
    if (!session) {
      return exchange->Respond(SessionStoreUnavailable());
    }
    http::Response resp = http::Response::Json(
        200, json::serialize(MakeResult(m.id, server_.InitializeResult(version))));
    resp.headers.Set("Mcp-Session-Id", session->id);
    return exchange->Respond(std::move(resp));
  }
  const auto sid = r.headers.Get("Mcp-Session-Id");
  if (!sid) {
    return exchange->Respond(TransportError(400, "Bad Request: Mcp-Session-Id header is required"));
  }
  // Validate the first message for the authorization hook's view of the request.
  std::string_view first_method;
  std::string first_name;
  if (!body.batch && body.items[0].message) {
    first_method = body.items[0].message->method;
    if (const auto* p = body.items[0].message->params_object()) {
      for (const char* key : {"name", "uri"}) {
        if (const auto* v = p->if_contains(key); v && v->is_string()) {
          first_name = std::string(v->get_string());
          break;
        }
      }
    }
  }
  auto decision = Authorize(exchange, first_method, first_name);
  if (!decision) {
    return;
  }
  const std::string principal_key =
      decision->principal.subject + "\n" + decision->principal.client_id;
  bool store_unavailable = false;
  auto session = sessions_.Find(Trim(*sid), principal_key, &store_unavailable);
  if (!session) {
    return exchange->Respond(SessionNotFound(store_unavailable));
  }
  if (body.batch && session->protocol_version != "2025-03-26") {
    return exchange->Respond(
        RpcErrorResponse(400, nullptr, kInvalidRequest, "batches are not part of this revision"));
  }
  RequestInfo base;
  base.era = Era::kLegacy;
  base.protocol_version = session->protocol_version;
  base.client_capabilities = session->client_capabilities;
  base.principal = decision->principal;
  base.session = session;
  {
    std::lock_guard lock(session->mu);
    base.log_level = session->log_level;
  }

  // Count the requests: notifications and responses only → 202.
  size_t requests = 0;
  for (auto& item : body.items) {
    if (item.message && item.message->is_request()) {
      ++requests;
    } else if (item.error) {
      ++requests;  // answered with its error
    }
  }
  for (auto& item : body.items) {
    if (item.message && item.message->is_notification()) {
      if (item.message->method == "notifications/initialized") {
        std::lock_guard lock(session->mu);
        session->initialized = true;
      } else if (item.message->method == "notifications/cancelled") {
        // utilities/cancellation: stop work on the named request of this session, if any.
        if (const auto* p = item.message->params_object()) {
          if (const auto* rid = p->if_contains("requestId")) {
            CancelInFlight(session->id, *rid);
          }
        }
      }
    } else if (item.message && item.message->is_response()) {
      server_.DeliverClientResponse(*session, *item.message);
    }
  }
  if (requests == 0) {
    return exchange->Respond(http::Response{.status = 202});
  }
  http::Headers extra;
  if (!body.batch) {
    auto& item = body.items[0];
    if (item.error) {
      return exchange->Respond(
          RpcErrorResponse(400, item.id, item.error->code, item.error->message));
    }
    auto channel = std::make_shared<HttpChannel>(exchange, extra, true);
    TrackInFlight(session->id, item.message->id, channel);
    return server_.Dispatch(std::move(base), std::move(*item.message), std::move(channel));
  }
  auto collector = std::make_shared<BatchCollector>(exchange, requests, extra);
  for (auto& item : body.items) {
    if (item.error) {
      collector->Add(MakeError(item.id, *item.error));
    } else if (item.message && item.message->is_request()) {
      if (item.message->method == "initialize") {
        collector->Add(MakeError(item.message->id,
                                 RpcError{kInvalidRequest, "initialize cannot be batched", {}}));
        continue;
      }
      server_.Dispatch(base, std::move(*item.message),
                       std::make_shared<BatchItemChannel>(collector));
    }
  }
}

void StreamableHttpTransport::HandleGet(const std::shared_ptr<http::Exchange>& exchange) {
  const http::Request& r = exchange->request();
  if (!Accepts(r, "text/event-stream")) {
    return exchange->Respond(
        TransportError(406, "Not Acceptable: Accept must include text/event-stream"));
  }
  const auto sid = r.headers.Get("Mcp-Session-Id");
  if (!sid) {
    // 2026-07-28 has no GET stream; a legacy client without a session has nothing to listen to.
    http::Response resp = TransportError(405, "Method Not Allowed: GET needs an Mcp-Session-Id");
    resp.headers.Set("Allow", "POST, DELETE");
    return exchange->Respond(std::move(resp));
  }
  auto decision = Authorize(exchange, "", "");
  if (!decision) {
    return;
  }
  bool store_unavailable = false;
  auto session =
      sessions_.Find(Trim(*sid), decision->principal.subject + "\n" + decision->principal.client_id,
                     &store_unavailable);
  if (!session) {
    return exchange->Respond(SessionNotFound(store_unavailable));
  }
  std::lock_guard lock(session->mu);
  if (session->get_stream && !session->get_stream->closed()) {
    // One standalone stream per session (as the TypeScript SDK answers).
    return exchange->Respond(TransportError(409, "Conflict: a stream is already open"));
  }
  http::Response head;
  head.headers.Set("Content-Type", "text/event-stream");
  head.headers.Set("X-Accel-Buffering", "no");
  session->get_stream = exchange->StartStream(std::move(head));
  // A reconnection delay for the client's EventSource logic (WHATWG HTML §9.2 "retry").
  session->get_stream->SendRaw("retry: 3000\n\n");
  // Resumption (2025 transports): replay what followed Last-Event-ID on this stream.
  if (const auto last = r.headers.Get("Last-Event-ID")) {
    uint64_t last_id = 0;
    try {
      last_id = std::stoull(std::string(*last));
    } catch (const std::exception&) {
      last_id = UINT64_MAX;
    }
    for (const auto& [eid, data] : session->replay) {
      if (eid > last_id) {
        session->get_stream->Send(http::SseEvent{.id = std::to_string(eid), .data = data});
      }
    }
  }
}

void StreamableHttpTransport::HandleDelete(const std::shared_ptr<http::Exchange>& exchange) {
  const auto sid = exchange->request().headers.Get("Mcp-Session-Id");
  if (!sid) {
    return exchange->Respond(TransportError(400, "Bad Request: Mcp-Session-Id header is required"));
  }
  auto decision = Authorize(exchange, "", "");
  if (!decision) {
    return;
  }
  bool store_unavailable = false;
  if (!sessions_.Remove(Trim(*sid),
                        decision->principal.subject + "\n" + decision->principal.client_id,
                        &store_unavailable)) {
    return exchange->Respond(SessionNotFound(store_unavailable));
  }
  exchange->Respond(http::Response{.status = 200});
}

}  // namespace mcpauth::mcp
