// HTTP request and response values of our own, used by handlers, the router and the client.
//
// Beast stays inside src/http/: these types are what the rest of mcpauth sees. Header names are
// compared case-insensitively (RFC 9110 §5.1). Thread-safety: plain value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcpauth::http {

// Header fields in arrival order; names keep their case, lookups ignore it.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // The first value of `name`, if present.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Every value of `name`, in order (a field may legally repeat, e.g. Set-Cookie).
  std::vector<std::string_view> GetAll(std::string_view name) const;
  size_t Count(std::string_view name) const;
  bool Has(std::string_view name) const { return Count(name) > 0; }
  // Replaces every field named `name` with one.
  void Set(std::string_view name, std::string_view value);
  // Appends a field, keeping existing ones.
  void Add(std::string_view name, std::string_view value);
  void Remove(std::string_view name);

  const std::vector<Field>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" /
// "_" / "`" / "|" / "~" / DIGIT / ALPHA; token = 1*tchar (methods, field names, auth schemes,
// cookie names).
bool IsTokenChar(char c);
bool IsToken(std::string_view s);

struct Request {
  std::string method;  // "GET", "POST", ... as received (case-sensitive, RFC 9110 §9.1)
  std::string target;  // the request-target as received, e.g. "/authorize?client_id=x"
  std::string path;    // target's path, percent-decoding NOT applied
  std::string query;   // target's query without '?', raw
  Headers headers;
  std::string body;
  bool secure = false;         // arrived over TLS
  std::string remote_address;  // peer IP, for rate limits and audit
  int version = 11;            // 10 or 11
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // A response with Content-Type and body set.
  static Response Text(int status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");
  static Response Json(int status, std::string body);
  static Response Html(int status, std::string body);
};

// The reason phrase of a status code ("Not Found"), or "" if unknown.
std::string_view ReasonPhrase(int status);

}  // namespace mcpauth::http
