// Router: maps (method, path) to a handler, with per-route body limits.
//
// Exact paths and path prefixes (a route added with AddPrefix("/.well-known/x/") matches
// "/.well-known/x/anything"); the longest prefix wins, an exact route beats any prefix. A path
// with routes but not for this method gives 405 with `Allow` (RFC 9110 §15.5.6); an unknown path
// 404. HEAD falls back to a GET route. Thread-safety: build it before the server starts, then it is
// read-only and safe to share across threads.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/http/exchange.hpp"
#include "mcpauth/http/message.hpp"

namespace mcpauth::http {

inline constexpr size_t kDefaultBodyLimit = 1024 * 1024;  // 1 MiB
inline constexpr size_t kFormBodyLimit = 64 * 1024;       // OAuth form endpoints

struct RouteOptions {
  size_t body_limit = kDefaultBodyLimit;  // a larger body is answered 413 before it is read
};

// A handler that answers at once, on the network thread. Use it only for work that takes
// microseconds; anything slower (password hashing, upstream calls) takes an Exchange instead.
using SyncHandler = std::function<Response(const Request&)>;

class Router {
 public:
  struct Route {
    Handler handler;
    RouteOptions options;
  };

  // The outcome of a lookup: a route, or the status to answer (404, or 405 with `allow`).
  struct Match {
    const Route* route = nullptr;
    int status = 404;
    std::string allow;  // for 405: the methods this path accepts, comma-separated
  };

  void Add(std::string_view method, std::string_view path, Handler handler,
           RouteOptions options = {});
  void Add(std::string_view method, std::string_view path, SyncHandler handler,
           RouteOptions options = {});
  void AddPrefix(std::string_view method, std::string_view prefix, Handler handler,
                 RouteOptions options = {});
  void AddPrefix(std::string_view method, std::string_view prefix, SyncHandler handler,
                 RouteOptions options = {});

  Match Find(std::string_view method, std::string_view path) const;

  // The largest body any route accepts (what the server may buffer at most).
  size_t max_body_limit() const { return max_body_limit_; }

 private:
  using MethodMap = std::map<std::string, Route, std::less<>>;
  const MethodMap* FindPath(std::string_view path) const;

  std::map<std::string, MethodMap, std::less<>> exact_;
  std::vector<std::pair<std::string, MethodMap>> prefixes_;  // longest first
  size_t max_body_limit_ = 0;
};

// Wraps a SyncHandler as a Handler.
Handler MakeHandler(SyncHandler handler);

}  // namespace mcpauth::http
