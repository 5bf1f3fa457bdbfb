#include "mcpauth/http/router.hpp"

#include <algorithm>

namespace mcpauth::http {

Handler MakeHandler(SyncHandler handler) {
  return [h = std::move(handler)](std::shared_ptr<Exchange> exchange) {
    exchange->Respond(h(exchange->request()));
  };
}

void Router::Add(std::string_view method, std::string_view path, Handler handler,
                 RouteOptions options) {
  max_body_limit_ = std::max(max_body_limit_, options.body_limit);
  auto it = exact_.find(path);
  if (it == exact_.end()) {
    it = exact_.emplace(std::string(path), MethodMap{}).first;
  }
  it->second.insert_or_assign(std::string(method), Route{std::move(handler), options});
}

void Router::Add(std::string_view method, std::string_view path, SyncHandler handler,
                 RouteOptions options) {
  Add(method, path, MakeHandler(std::move(handler)), options);
}

void Router::AddPrefix(std::string_view method, std::string_view prefix, Handler handler,
                       RouteOptions options) {
  max_body_limit_ = std::max(max_body_limit_, options.body_limit);
  auto it = std::find_if(prefixes_.begin(), prefixes_.end(),
                         [&](const auto& p) { return p.first == prefix; });
  if (it == prefixes_.end()) {
    prefixes_.emplace_back(std::string(prefix), MethodMap{});
    // Longest prefix first, so the most specific route is found first.
    std::stable_sort(prefixes_.begin(), prefixes_.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    it = std::find_if(prefixes_.begin(), prefixes_.end(),
                      [&](const auto& p) { return p.first == prefix; });
  }
  it->second.insert_or_assign(std::string(method), Route{std::move(handler), options});
}

void Router::AddPrefix(std::string_view method, std::string_view prefix, SyncHandler handler,
                       RouteOptions options) {
  AddPrefix(method, prefix, MakeHandler(std::move(handler)), options);
}

const Router::MethodMap* Router::FindPath(std::string_view path) const {
  if (auto it = exact_.find(path); it != exact_.end()) {
    return &it->second;
  }
  for (const auto& [prefix, methods] : prefixes_) {
    if (path.starts_with(prefix)) {
      return &methods;
    }
  }
  return nullptr;
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  const MethodMap* methods = FindPath(path);
  if (methods == nullptr) {
    return match;  // 404
  }
  auto it = methods->find(method);
  // RFC 9110 §9.3.2: HEAD is GET without the body; the server strips the body.
  if (it == methods->end() && method == "HEAD") {
    it = methods->find(std::string_view("GET"));
  }
  if (it != methods->end()) {
    match.route = &it->second;
    match.status = 200;
    return match;
  }
  // RFC 9110 §15.5.6: 405 must carry Allow with the methods the target supports.
  match.status = 405;
  for (const auto& [m, route] : *methods) {
    if (!match.allow.empty()) {
      match.allow += ", ";
    }
    match.allow += m;
    if (m == "GET" && !methods->contains(std::string_view("HEAD"))) {
      match.allow += ", HEAD";
    }
  }
  return match;
}

}  // namespace mcpauth::http
