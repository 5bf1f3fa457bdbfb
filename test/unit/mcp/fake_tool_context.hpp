// FakeToolContext: a ToolContext for unit tests of tools and prompts.
//
// It records what a tool does through its context (progress, log messages, list-changed
// notifications, server-to-client requests) and lets the test set what the tool sees: the era and
// protocol version, the client's capabilities, the principal, a retry's inputResponses and
// requestState, and canned answers to server-to-client requests. SignState/VerifyState use a real
// HMAC-SHA256 with a fixed test key, bound to `tool_name` and the principal, like the server's.
// Thread-safety: none; one test, one thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/mcp/tools.hpp"

namespace mcpauth::mcp::testing {

class FakeToolContext final : public ToolContext {
 public:
  struct ProgressCall {
    double progress = 0;
    std::optional<double> total;
    std::string message;
  };
  struct LogCall {
    std::string level;
    boost::json::value data;
  };
  struct ClientRequest {
    std::string method;
    boost::json::value params;
    std::chrono::milliseconds timeout{0};
  };

  // A modern-era (2026-07-28) context with the capabilities the conformance harness declares.
  FakeToolContext() = default;

  // ---- builders ----
  FakeToolContext& Legacy(std::string version = "2025-11-25") {
    version_ = std::move(version);
    modern_ = false;
    return *this;
  }
  FakeToolContext& Capabilities(std::string_view json) {
    capabilities_ = boost::json::parse(json).as_object();
    return *this;
  }
  FakeToolContext& InputResponses(std::string_view json) {
    input_responses_ = boost::json::parse(json);
    return *this;
  }
  FakeToolContext& RequestState(std::string state) {
    request_state_ = std::move(state);
    return *this;
  }
  // A retry: the responses and (when non-empty) the state of the previous round.
  FakeToolContext& Retry(std::string_view responses_json, std::string state = "") {
    InputResponses(responses_json);
    request_state_.reset();
    if (!state.empty()) {
      request_state_ = std::move(state);
    }
    return *this;
  }
  FakeToolContext& Caller(Principal principal) {
    principal_ = std::move(principal);
    return *this;
  }
  FakeToolContext& Tool(std::string name) {
    tool_name_ = std::move(name);
    return *this;
  }
  // The next RequestClient answers this (a result, or {"error": {...}}); nullopt: no answer.
  FakeToolContext& AnswerClient(std::optional<boost::json::value> answer) {
    answers_.push_back(std::move(answer));
    return *this;
  }
  FakeToolContext& Cancel() {
    cancelled_ = true;
    return *this;
  }

  // ---- what the tool did ----
  const std::vector<ProgressCall>& progress() const { return progress_; }
  const std::vector<LogCall>& logs() const { return logs_; }
  const std::vector<std::string>& list_changes() const { return list_changes_; }
  const std::vector<ClientRequest>& client_requests() const { return client_requests_; }

  // ---- ToolContext ----
  void Progress(double progress, std::optional<double> total, std::string_view message) override {
    progress_.push_back({progress, total, std::string(message)});
  }
  void Log(std::string_view level, boost::json::value data) override {
    logs_.push_back({std::string(level), std::move(data)});
  }
  bool cancelled() const override { return cancelled_; }
  const Principal& principal() const override { return principal_; }
  std::string_view protocol_version() const override { return version_; }
  bool modern() const override { return modern_; }
  const boost::json::object& client_capabilities() const override { return capabilities_; }
  const boost::json::value* input_responses() const override {
    return input_responses_ ? &*input_responses_ : nullptr;
  }
  const std::string* request_state() const override {
    return request_state_ ? &*request_state_ : nullptr;
  }

  std::string SignState(std::string_view payload) const override {
    return core::Base64UrlEncode(payload) + "." + core::Base64UrlEncode(key_.Mac(Bound(payload)));
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
    const auto expected = key_.Mac(Bound(*payload));
    const std::string_view expected_view(reinterpret_cast<const char*>(expected.data()),
                                         expected.size());
    if (!core::ConstantTimeEquals(expected_view, *mac)) {
      return std::nullopt;
    }
    return *payload;
  }

  std::optional<boost::json::value> RequestClient(std::string_view method,
                                                  boost::json::value params,
                                                  std::chrono::milliseconds timeout) override {
    client_requests_.push_back({std::string(method), std::move(params), timeout});
    if (modern_ || answers_.empty()) {
      return std::nullopt;
    }
    auto answer = std::move(answers_.front());
    answers_.pop_front();
    return answer;
  }

  void NotifyListChanged(std::string_view which) override { list_changes_.emplace_back(which); }

 private:
  std::string Bound(std::string_view payload) const {
    return tool_name_ + "\n" + principal_.subject + "\n" + principal_.client_id + "\n" +
           std::string(payload);
  }

  core::HmacSha256 key_{std::string_view("fake-tool-context-test-key-0123456789")};
  std::string tool_name_ = "tool";
  bool modern_ = true;
  std::string version_ = "2026-07-28";
  boost::json::object capabilities_ =
      boost::json::parse(R"({"sampling":{},"elicitation":{},"roots":{"listChanged":true}})")
          .as_object();
  Principal principal_;
  std::optional<boost::json::value> input_responses_;
  std::optional<std::string> request_state_;
  std::deque<std::optional<boost::json::value>> answers_;
  bool cancelled_ = false;

  std::vector<ProgressCall> progress_;
  std::vector<LogCall> logs_;
  std::vector<std::string> list_changes_;
  std::vector<ClientRequest> client_requests_;
};

}  // namespace mcpauth::mcp::testing
