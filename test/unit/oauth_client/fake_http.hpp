// FakeHttp: a scripted HttpSend for the OAuth client's unit tests. Answers by exact URL (first
// match of method + URL), records every request, 404 for anything unscripted. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "mcpauth/http/client.hpp"
#include "mcpauth/oauth/client/discovery.hpp"

namespace mcpauth::oauth::client::testing {

class FakeHttp {
 public:
  using Handler = std::function<Result<http::Response>(const http::ClientRequest&)>;

  void On(std::string method, std::string url, Handler handler) {
    std::lock_guard lock(mu_);
    routes_[{std::move(method), std::move(url)}] = std::move(handler);
  }
  void Json(std::string url, int status, std::string body, std::string method = "GET") {
    On(std::move(method), std::move(url), [status, body](const http::ClientRequest&) {
      return Result<http::Response>(http::Response::Json(status, body));
    });
  }
  void Fail(std::string url, http::ClientErrc error, std::string method = "GET") {
    On(std::move(method), std::move(url),
       [error](const http::ClientRequest&) { return Result<http::Response>(error); });
  }

  HttpSend Send() {
    return [this](const http::ClientRequest& request) -> Result<http::Response> {
      Handler handler;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(request);
        auto it = routes_.find({request.method, request.url});
        if (it != routes_.end()) {
          handler = it->second;
        }
      }
      if (!handler) {
        return http::Response::Json(404, R"({"error":"not_found"})");
      }
      return handler(request);
    };
  }

  std::vector<http::ClientRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::vector<std::string> urls() const {
    std::vector<std::string> out;
    for (const auto& r : requests()) {
      out.push_back(r.url);
    }
    return out;
  }
  int Count(const std::string& url) const {
    int n = 0;
    for (const auto& r : requests()) {
      n += r.url == url ? 1 : 0;
    }
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Handler> routes_;
  std::vector<http::ClientRequest> requests_;
};

}  // namespace mcpauth::oauth::client::testing
