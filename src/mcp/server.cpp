#include "mcpauth/mcp/server.hpp"

#include <boost/json/serialize.hpp>
#include <future>
#include <thread>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/log.hpp"
#include "mcpauth/core/token.hpp"

namespace mcpauth::mcp {
namespace json = boost::json;

namespace {

constexpr std::string_view kServerInfoKey = "io.modelcontextprotocol/serverInfo";
constexpr std::string_view kSubscriptionIdKey = "io.modelcontextprotocol/subscriptionId";

// RFC 5424 severities as MCP names them (utilities/logging), least severe first.
int LogSeverity(std::string_view level) {
  static constexpr std::string_view kLevels[] = {"debug", "info",     "notice", "warning",
                                                 "error", "critical", "alert",  "emergency"};
  for (int i = 0; i < 8; ++i) {
    if (kLevels[i] == level) {
      return i;
    }
  }
  return -1;
}

// A whole number as a JSON integer ("50", not Boost.JSON's "5E1" for a double), so strictly
// typed peers read progress values and sums into integer fields.
json::value JsonNumber(double d) {
  if (d == static_cast<double>(static_cast<int64_t>(d)) && d < 9007199254740992.0 &&
      d > -9007199254740992.0) {
    return static_cast<int64_t>(d);
  }
  return d;
}

std::string_view StringParam(const Message& m, std::string_view key) {
  if (const auto* p = m.params_object()) {
    if (const auto* v = p->if_contains(key); v && v->is_string()) {
      return v->get_string();
    }
  }
  return {};
}

}  // namespace

bool IsSupportedLegacyVersion(std::string_view version) {
  for (auto v : kLegacyVersions) {
    if (v == version) {
      return true;
    }
  }
  return false;
}

json::object ServerIdentity::ToJson() const {
  json::object o{{"name", name}, {"version", version}};
  if (!title.empty()) {
    o["title"] = title;
  }
  return o;
}

// A subscriptions/listen stream (MCP 2026-07-28 basic/patterns/subscriptions).
struct McpServer::Listener {
  std::shared_ptr<Channel> channel;
  json::value subscription_id;  // the listen request's id, with its JSON type
  bool tools = false;
  bool prompts = false;
  bool resources = false;
};

struct McpServer::PendingClientRequest {
  std::string session_id;
  std::mutex mu;
  std::condition_variable cv;
  std::optional<json::value> answer;  // result, or {"error": {...}}
};

// What a running tool or prompt sees: one per request.
class McpServer::Scope final : public ToolContext {
 public:
  Scope(McpServer& server, const RequestInfo& info, const Message& request,
        std::shared_ptr<Channel> channel, std::string_view subject_name)
      : server_(server), info_(info), channel_(std::move(channel)), subject_name_(subject_name) {
    if (const auto* p = request.params_object()) {
      if (const auto* meta = p->if_contains("_meta"); meta && meta->is_object()) {
        if (const auto* token = meta->as_object().if_contains("progressToken")) {
          progress_token_ = *token;  // echoed with its JSON type (string or integer)
        }
      }
      if (const auto* r = p->if_contains("inputResponses")) {
        input_responses_ = *r;
      }
      if (const auto* s = p->if_contains("requestState"); s && s->is_string()) {
        request_state_ = std::string(s->get_string());
      }
    }
  }

  void Progress(double progress, std::optional<double> total, std::string_view message) override {
    if (progress_token_.is_null() || channel_->cancelled()) {
      return;
    }
    json::object params{{"progressToken", progress_token_}, {"progress", JsonNumber(progress)}};
    if (total) {
      params["total"] = JsonNumber(*total);
    }
    if (!message.empty()) {
      params["message"] = message;
    }
    channel_->Send(MakeNotification("notifications/progress", std::move(params)));
  }

  void Log(std::string_view level, json::value data) override {
    // MCP 2026-07-28: no notifications/message for a request without a logLevel; 2025: none
    // until logging/setLevel, then at or above that level.
    const int wanted = LogSeverity(info_.log_level);
    const int severity = LogSeverity(level);
    if (wanted < 0 || severity < wanted || channel_->cancelled()) {
      return;
    }
    channel_->Send(MakeNotification(
        "notifications/message",
        json::object{{"level", level}, {"logger", subject_name_}, {"data", std::move(data)}}));
  }

  bool cancelled() const override { return channel_->cancelled(); }
  const Principal& principal() const override { return info_.principal; }
  std::string_view protocol_version() const override { return info_.protocol_version; }
  bool modern() const override { return info_.era == Era::kModern; }
  const json::object& client_capabilities() const override { return info_.client_capabilities; }
  const json::value* input_responses() const override {
    return input_responses_.is_null() ? nullptr : &input_responses_;
  }
  const std::string* request_state() const override {
    return request_state_ ? &*request_state_ : nullptr;
  }

  // requestState = base64url(payload) "." base64url(HMAC(key, subject "\n" principal "\n"
  // payload)). Bound to the tool (or prompt) and the caller, so a state minted for one cannot be
  // replayed against another (basic/patterns/mrtr: treat requestState as attacker-controlled).
  std::string SignState(std::string_view payload) const override {
    const auto mac = server_.state_key_.Mac(Bound(payload));
    return core::Base64UrlEncode(payload) + "." + core::Base64UrlEncode(mac);
  }

  std::optional<std::string> VerifyState(std::string_view state) const override {
    const size_t dot = state.find('.');
    if (dot == std::string_view::npos) {
      return std::nullopt;
    }
    auto payload = core::Base64UrlDecode(state.substr(0, dot));
    auto mac = core::Base64UrlDecode(state.substr(dot + 1));
    if (!payload || !mac) {
      return std::nullopt;
    }
    const auto expected = server_.state_key_.Mac(Bound(*payload));
    if (!core::ConstantTimeEquals(
            std::string_view(reinterpret_cast<const char*>(expected.data()), expected.size()),
            *mac)) {
      return std::nullopt;
    }
    return *payload;
  }

  std::optional<json::value> RequestClient(std::string_view method, json::value params,
                                           std::chrono::milliseconds timeout) override {
    if (info_.era != Era::kLegacy || !info_.session) {
      return std::nullopt;  // 2026-07-28 has no server-to-client requests: use input_required
    }
    (void)timeout;
    return server_.RequestClient(info_, *channel_, method, std::move(params),
                                 [this] { return channel_->cancelled(); });
  }

  void NotifyListChanged(std::string_view which) override { server_.NotifyListChanged(which); }

 private:
  std::string Bound(std::string_view payload) const {
    std::string s(subject_name_);
    s += '\n';
    s += info_.principal.subject;
    s += '\n';
    s += info_.principal.client_id;
    s += '\n';
    s += payload;
    return s;
  }

  McpServer& server_;
  const RequestInfo& info_;
  std::shared_ptr<Channel> channel_;
  std::string subject_name_;
  json::value progress_token_;
  json::value input_responses_;
  std::optional<std::string> request_state_;
};

McpServer::McpServer(Options options, std::shared_ptr<const ToolRegistry> tools,
                     std::shared_ptr<const ResourceRegistry> resources,
                     std::shared_ptr<const PromptRegistry> prompts, core::WorkerPool& pool,
                     const Clock& /*clock*/, SecureRandom& random)
    : options_(std::move(options)),
      tools_(std::move(tools)),
      resources_(std::move(resources)),
      prompts_(std::move(prompts)),
      pool_(pool),
      random_(random),
      state_key_(core::GenerateToken(random).Reveal()) {}

McpServer::~McpServer() = default;

std::string McpServer::NegotiateLegacyVersion(std::string_view requested) {
  // MCP 2025-11-25 basic/lifecycle: the same version if supported, else the latest we support.
  return IsSupportedLegacyVersion(requested) ? std::string(requested)
                                             : std::string(kLegacyVersions[0]);
}

json::object McpServer::Capabilities(bool modern) const {
  json::object caps;
  caps["tools"] = json::object{{"listChanged", true}};
  if (!resources_->empty()) {
    caps["resources"] = modern ? json::object{{"listChanged", true}}
                               : json::object{{"subscribe", true}, {"listChanged", true}};
  }
  if (!prompts_->empty()) {
    caps["prompts"] = json::object{{"listChanged", true}};
    caps["completions"] = json::object{};
  }
  caps["logging"] = json::object{};
  return caps;
}

json::object McpServer::InitializeResult(std::string_view version) const {
  json::object r{{"protocolVersion", version},
                 {"capabilities", Capabilities(false)},
                 {"serverInfo", options_.identity.ToJson()}};
  if (!options_.identity.instructions.empty()) {
    r["instructions"] = options_.identity.instructions;
  }
  return r;
}

void McpServer::Reply(const RequestInfo& info, const Message& request, Channel& channel,
                      json::object result, bool cacheable, bool input_required,
                      std::string_view cache_scope) {
  if (info.era == Era::kModern) {
    // MCP 2026-07-28: every result has resultType; servers SHOULD identify themselves in each
    // result's _meta; cacheable complete results carry ttlMs and cacheScope (caching.mdx).
    result["resultType"] = input_required ? "input_required" : "complete";
    json::object& meta = result["_meta"].emplace_object();
    meta[kServerInfoKey] = options_.identity.ToJson();
    if (cacheable && !input_required) {
      result["ttlMs"] = static_cast<int64_t>(options_.list_ttl.count());
      result["cacheScope"] = cache_scope;
    }
  }
  channel.Finish(MakeResult(request.id, std::move(result)), 200);
}

void McpServer::Fail(const RequestInfo&, const Message& request, Channel& channel, RpcError error,
                     int http_status) {
  channel.Finish(MakeError(request.id, error), http_status);
}

void McpServer::RunOffThread(bool inline_ok, const RequestInfo& info, const Message& request,
                             const std::shared_ptr<Channel>& channel, std::function<void()> fn) {
  if (inline_ok) {
    fn();
    return;
  }
  if (!pool_.Post(std::move(fn))) {
    Fail(info, request, *channel, RpcError{kInternalError, "server busy; retry later", {}}, 503);
  }
}

void McpServer::Dispatch(RequestInfo info, Message request, std::shared_ptr<Channel> channel) {
  const std::string& m = request.method;
  const bool modern = info.era == Era::kModern;
  if (m == "tools/list") {
    return ListTools(info, request, *channel);
  }
  if (m == "tools/call") {
    return CallTool(std::move(info), std::move(request), std::move(channel));
  }
  if (m == "resources/list" || m == "resources/templates/list") {
    return ListResources(info, request, *channel, m == "resources/templates/list");
  }
  if (m == "resources/read") {
    return ReadResource(std::move(info), std::move(request), std::move(channel));
  }
  if (m == "prompts/list") {
    return ListPrompts(info, request, *channel);
  }
  if (m == "prompts/get") {
    return GetPrompt(std::move(info), std::move(request), std::move(channel));
  }
  if (m == "completion/complete") {
    // No argument completions are offered; an empty list is a valid answer.
    return Reply(
        info, request, *channel,
        json::object{{"completion",
                      json::object{{"values", json::array{}}, {"total", 0}, {"hasMore", false}}}},
        false);
  }
  if (modern) {
    if (m == "server/discover") {
      json::object r{{"supportedVersions", json::array{kModernVersion}},
                     {"capabilities", Capabilities(true)}};
      if (!options_.identity.instructions.empty()) {
        r["instructions"] = options_.identity.instructions;
      }
      return Reply(info, request, *channel, std::move(r), true);
    }
    if (m == "subscriptions/listen") {
      return Listen(std::move(info), std::move(request), std::move(channel));
    }
    // MCP 2026-07-28 transports: an unknown (or removed) method is 404 with -32601.
    return Fail(info, request, *channel, RpcError{kMethodNotFound, "method not found: " + m, {}},
                404);
  }
  // Legacy era.
  if (m == "ping") {
    return Reply(info, request, *channel, json::object{}, false);
  }
  if (m == "logging/setLevel") {
    const std::string_view level = StringParam(request, "level");
    if (LogSeverity(level) < 0) {
      return Fail(info, request, *channel, RpcError{kInvalidParams, "unknown log level", {}});
    }
    if (info.session) {
      std::lock_guard lock(info.session->mu);
      info.session->log_level = std::string(level);
    }
    return Reply(info, request, *channel, json::object{}, false);
  }
  if (m == "resources/subscribe" || m == "resources/unsubscribe") {
    if (StringParam(request, "uri").empty()) {
      return Fail(info, request, *channel, RpcError{kInvalidParams, "uri is required", {}});
    }
    return Reply(info, request, *channel, json::object{}, false);
  }
  Fail(info, request, *channel, RpcError{kMethodNotFound, "method not found: " + m, {}});
}

void McpServer::ListTools(const RequestInfo& info, const Message& request, Channel& channel) {
  const auto page = tools_->List(StringParam(request, "cursor"), options_.page_size);
  if (!page) {
    return Fail(info, request, channel, RpcError{kInvalidParams, "invalid cursor", {}});
  }
  json::array tools;
  for (const auto* t : page->tools) {
    tools.push_back(t->descriptor.ToJson());
  }
  json::object r{{"tools", std::move(tools)}};
  if (!page->next_cursor.empty()) {
    r["nextCursor"] = page->next_cursor;
  }
  Reply(info, request, channel, std::move(r), true);
}

void McpServer::ListResources(const RequestInfo& info, const Message& request, Channel& channel,
                              bool templates) {
  json::array list;
  for (const auto& [d, reader] : templates ? resources_->templates() : resources_->resources()) {
    list.push_back(d.ToJson(templates));
  }
  Reply(info, request, channel,
        json::object{{templates ? "resourceTemplates" : "resources", std::move(list)}}, true);
}

void McpServer::ListPrompts(const RequestInfo& info, const Message& request, Channel& channel) {
  json::array list;
  for (const auto& p : prompts_->prompts()) {
    list.push_back(p.descriptor.ToJson());
  }
  Reply(info, request, channel, json::object{{"prompts", std::move(list)}}, true);
}

void McpServer::ReadResource(RequestInfo info, Message request, std::shared_ptr<Channel> channel) {
  const std::string uri(StringParam(request, "uri"));
  if (uri.empty()) {
    return Fail(info, request, *channel, RpcError{kInvalidParams, "uri is required", {}});
  }
  auto contents = resources_->Read(uri);
  if (!contents) {
    // 2026-07-28 (SEP-2164): -32602 with data.uri; the 2025 revisions used -32002.
    const int code = info.era == Era::kModern ? kInvalidParams : kLegacyResourceNotFound;
    return Fail(info, request, *channel,
                RpcError{code, "Resource not found", json::object{{"uri", uri}}});
  }
  // Contents may be user-specific: cacheable only within the same authorization context.
  Reply(info, request, *channel, json::object{{"contents", std::move(*contents)}}, true, false,
        "private");
}

void McpServer::CallTool(RequestInfo info, Message request, std::shared_ptr<Channel> channel) {
  const std::string name(StringParam(request, "name"));
  const ToolRegistry::Tool* tool = tools_->Find(name);
  if (tool == nullptr) {
    return Fail(info, request, *channel, RpcError{kInvalidParams, "unknown tool: " + name, {}});
  }
  json::object arguments;
  if (const auto* p = request.params_object()) {
    if (const auto* a = p->if_contains("arguments")) {
      if (!a->is_object() && !a->is_null()) {
        return Fail(info, request, *channel,
                    RpcError{kInvalidParams, "arguments must be an object", {}});
      }
      if (a->is_object()) {
        arguments = a->as_object();
      }
    }
  }
  RunOffThread(
      tool->descriptor.runs_inline, info, request, channel,
      [this, tool, info = std::move(info), request = std::move(request), channel,
       arguments = std::move(arguments)]() {
        if (channel->cancelled()) {
          return;  // the client is gone; MCP: no further messages for this request
        }
        Scope scope(*this, info, request, channel, tool->descriptor.name);
        ToolOutcome out;
        try {
          out = tool->fn(scope, arguments);
        } catch (const std::exception& e) {
          log::Error("tool {} threw: {}", tool->descriptor.name, e.what());
          out = ToolOutcome::Error("internal error in tool " + tool->descriptor.name);
        }
        if (out.error) {
          return Fail(info, request, *channel, std::move(*out.error), out.http_status);
        }
        if (channel->cancelled()) {
          // utilities/cancellation: no result for a cancelled request; the HTTP exchange still
          // needs an end, so it gets an error the client has stopped waiting for.
          return Fail(info, request, *channel,
                      RpcError{kRequestCancelled, "request cancelled", {}});
        }
        if (out.input_required && info.era != Era::kModern) {
          out = ToolOutcome::Error("this tool needs client input, which requires 2026-07-28");
        }
        Reply(info, request, *channel, std::move(out.result), false, out.input_required);
      });
}

void McpServer::GetPrompt(RequestInfo info, Message request, std::shared_ptr<Channel> channel) {
  const std::string name(StringParam(request, "name"));
  const PromptRegistry::Prompt* prompt = prompts_->Find(name);
  if (prompt == nullptr) {
    return Fail(info, request, *channel, RpcError{kInvalidParams, "unknown prompt: " + name, {}});
  }
  json::object arguments;
  if (const auto* p = request.params_object()) {
    if (const auto* a = p->if_contains("arguments"); a && a->is_object()) {
      arguments = a->as_object();
    }
  }
  for (const auto& arg : prompt->descriptor.arguments) {
    if (arg.required && !arguments.contains(arg.name)) {
      return Fail(info, request, *channel,
                  RpcError{kInvalidParams, "missing required argument: " + arg.name, {}});
    }
  }
  RunOffThread(
      false, info, request, channel,
      [this, prompt, info = std::move(info), request = std::move(request), channel,
       arguments = std::move(arguments)]() {
        Scope scope(*this, info, request, channel, prompt->descriptor.name);
        ToolOutcome out;
        try {
          out = prompt->fn(scope, arguments);
        } catch (const std::exception& e) {
          log::Error("prompt {} threw: {}", prompt->descriptor.name, e.what());
          return Fail(info, request, *channel, RpcError{kInternalError, "internal error", {}});
        }
        if (out.error) {
          return Fail(info, request, *channel, std::move(*out.error), out.http_status);
        }
        Reply(info, request, *channel, std::move(out.result), false,
              out.input_required && info.era == Era::kModern);
      });
}

void McpServer::Listen(RequestInfo /*info*/, Message request, std::shared_ptr<Channel> channel) {
  auto listener = std::make_shared<Listener>();
  listener->channel = channel;
  listener->subscription_id = request.id;
  json::object honored;
  if (const auto* p = request.params_object()) {
    if (const auto* n = p->if_contains("notifications"); n && n->is_object()) {
      const auto& f = n->as_object();
      auto flag = [&](std::string_view key) {
        const auto* v = f.if_contains(key);
        return v && v->is_bool() && v->get_bool();
      };
      listener->tools = flag("toolsListChanged");
      listener->prompts = flag("promptsListChanged") && !prompts_->empty();
      listener->resources = flag("resourcesListChanged") && !resources_->empty();
      // Only the subset honoured goes in the acknowledgement.
      if (listener->tools) {
        honored["toolsListChanged"] = true;
      }
      if (listener->prompts) {
        honored["promptsListChanged"] = true;
      }
      if (listener->resources) {
        honored["resourcesListChanged"] = true;
      }
    }
  }
  // The first message MUST be the acknowledgement, tagged with the subscription id.
  channel->Send(
      MakeNotification("notifications/subscriptions/acknowledged",
                       json::object{{"_meta", json::object{{kSubscriptionIdKey, request.id}}},
                                    {"notifications", std::move(honored)}}));
  std::lock_guard lock(mu_);
  // Drop listeners whose clients went away.
  listeners_.remove_if([](const auto& l) { return l->channel->cancelled(); });
  listeners_.push_back(std::move(listener));
}

void McpServer::NotifyListChanged(std::string_view which) {
  std::vector<std::shared_ptr<Listener>> targets;
  {
    std::lock_guard lock(mu_);
    listeners_.remove_if([](const auto& l) { return l->channel->cancelled(); });
    for (const auto& l : listeners_) {
      if ((which == "tools" && l->tools) || (which == "prompts" && l->prompts) ||
          (which == "resources" && l->resources)) {
        targets.push_back(l);
      }
    }
  }
  const std::string method = "notifications/" + std::string(which) + "/list_changed";
  std::function<void(const json::object&)> broadcast;
  {
    std::lock_guard lock(mu_);
    broadcast = legacy_broadcast_;
  }
  if (broadcast) {
    broadcast(MakeNotification(method, nullptr));
  }
  for (const auto& l : targets) {
    l->channel->Send(MakeNotification(
        method, json::object{{"_meta", json::object{{kSubscriptionIdKey, l->subscription_id}}}}));
  }
}

void McpServer::SetLegacyBroadcast(std::function<void(const json::object&)> broadcast) {
  std::lock_guard lock(mu_);
  legacy_broadcast_ = std::move(broadcast);
}

void McpServer::KeepAliveListeners() {
  std::vector<std::shared_ptr<Listener>> live;
  {
    std::lock_guard lock(mu_);
    listeners_.remove_if([](const auto& l) { return l->channel->cancelled(); });
    live.assign(listeners_.begin(), listeners_.end());
  }
  for (const auto& l : live) {
    l->channel->KeepAlive();
  }
}

size_t McpServer::listen_streams() const {
  std::lock_guard lock(mu_);
  return listeners_.size();
}

std::optional<json::value> McpServer::RequestClient(const RequestInfo& info, Channel& channel,
                                                    std::string_view method, json::value params,
                                                    const std::function<bool()>& cancelled) {
  auto pending = std::make_shared<PendingClientRequest>();
  pending->session_id = info.session->id;
  // Unguessable, so a client cannot answer a request sent to another session.
  const std::string id = "s-" + core::GenerateId(random_, 16);
  {
    std::lock_guard lock(mu_);
    pending_.emplace(id, pending);
  }
  channel.Send(MakeRequest(json::value(id), method, std::move(params)));
  std::optional<json::value> answer;
  {
    std::unique_lock lock(pending->mu);
    const auto deadline = std::chrono::steady_clock::now() + options_.client_request_timeout;
    while (!pending->answer && !cancelled() && std::chrono::steady_clock::now() < deadline) {
      pending->cv.wait_for(lock, std::chrono::milliseconds(100));
    }
    answer = std::move(pending->answer);
  }
  std::lock_guard lock(mu_);
  pending_.erase(id);
  return answer;
}

bool McpServer::DeliverClientResponse(const Session& session, const Message& response) {
  if (!response.id.is_string()) {
    return false;
  }
  std::shared_ptr<PendingClientRequest> pending;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(std::string_view(response.id.get_string()));
    if (it == pending_.end() || it->second->session_id != session.id) {
      return false;
    }
    pending = it->second;
  }
  std::lock_guard lock(pending->mu);
  if (response.kind == Message::Kind::kResponse) {
    pending->answer = response.result;
  } else {
    json::object e{{"code", response.error.code}, {"message", response.error.message}};
    pending->answer = json::object{{"error", std::move(e)}};
  }
  pending->cv.notify_all();
  return true;
}

}  // namespace mcpauth::mcp
