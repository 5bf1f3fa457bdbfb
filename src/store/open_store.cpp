#include <string>

#include "mcpauth/store/memory_store.hpp"
#include "mcpauth/store/postgres_store.hpp"
#include "mcpauth/store/sqlite_store.hpp"
#include "mcpauth/store/store.hpp"

namespace mcpauth::store {
namespace {

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), followed by ':'.
// Returns the scheme, lower-cased, or "" if `text` does not start with one.
std::string SchemeOf(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return {};
  }
  std::string scheme;
  for (size_t i = 0; i < colon; ++i) {
    char c = text[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool ok =
        alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) {
      return {};
    }
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    scheme.push_back(c);
  }
  return scheme;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(std::string_view url_or_path) {
  if (url_or_path.empty()) {
    return Errc::kInvalidArgument;
  }
  const std::string scheme = SchemeOf(url_or_path);
  if (scheme.empty()) {
    return OpenSqliteStore(std::filesystem::path(url_or_path));
  }
  const std::string_view rest = url_or_path.substr(scheme.size() + 1);
  if (scheme == "memory") {
    if (!rest.empty()) {
      return Errc::kInvalidArgument;
    }
    return OpenMemoryStore();
  }
  if (scheme == "sqlite") {
    if (rest.empty()) {
      return Errc::kInvalidArgument;
    }
    return OpenSqliteStore(std::filesystem::path(rest));
  }
  if (scheme == "postgres" || scheme == "postgresql") {
    return OpenPostgresStore(url_or_path);  // libpq reads the whole URL
  }
  return Errc::kUnsupported;
}

}  // namespace mcpauth::store
