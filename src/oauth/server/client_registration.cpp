#include "mcpauth/oauth/client_registration.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/decode_view.hpp>
#include <boost/url/host_type.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/url_view.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "mcpauth/http/message.hpp"
#include "mcpauth/oauth/redirect_uri.hpp"
#include "mcpauth/oauth/scopes.hpp"
#include "oauth/server/uri_parse.hpp"

namespace mcpauth::oauth {
namespace {

namespace json = boost::json;

constexpr size_t kMaxRedirectUris = 20;
constexpr size_t kMaxClientNameBytes = 200;
constexpr size_t kMaxMetadataUrlBytes = 2048;

constexpr std::string_view kInvalidRedirectUri = "invalid_redirect_uri";
constexpr std::string_view kInvalidClientMetadata = "invalid_client_metadata";
constexpr std::string_view kInvalidClient = "invalid_client";

constexpr std::string_view kAuthorizationCode = "authorization_code";
constexpr std::string_view kRefreshToken = "refresh_token";
constexpr std::string_view kCode = "code";
constexpr std::string_view kNone = "none";

// Where the metadata came from decides the defaults and the error codes.
enum class Source {
  kDcr,   // RFC 7591 §3.2.2 codes
  kCimd,  // every problem is invalid_client (CIMD §5.1, RFC 6749 §5.2): the document is bad
};

RegistrationResult Fail(std::string_view error, std::string description) {
  RegistrationResult result;
  result.error = RegistrationError{std::string(error), std::move(description)};
  return result;
}

using detail::View;
std::string_view View(const json::string& s) { return {s.data(), s.size()}; }

// Characters that must not reach a consent page inside a client's name. Boost.JSON has already
// refused invalid UTF-8 (RFC 8259 §8.1), so multi-byte sequences can be matched as bytes:
//   - C0 controls, DEL and C1 controls (U+0080..U+009F: C2 80..C2 9F): Unicode category Cc;
//   - U+2028 / U+2029 line and paragraph separators (E2 80 A8/A9);
//   - bidirectional formatting characters (Unicode UAX #9): U+061C (D8 9C), U+200E/U+200F
//     (E2 80 8E/8F), U+202A..U+202E (E2 80 AA..AE), U+2066..U+2069 (E2 81 A6..A9). An RLO
//     turns "moc.elgoog" into "google.com" on screen (CVE-2021-42574 "Trojan Source").
bool HasControlOrBidiCharacter(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    const auto next = [&](size_t k) -> unsigned char {
      return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
    };
    if (b < 0x20 || b == 0x7F) {
      return true;
    }
    if (b == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F) {
      return true;
    }
    if (b == 0xD8 && next(1) == 0x9C) {
      return true;
    }
    if (b == 0xE2 && next(1) == 0x80) {
      const unsigned char c = next(2);
      if (c == 0x8E || c == 0x8F || c == 0xA8 || c == 0xA9 || (c >= 0xAA && c <= 0xAE)) {
        return true;
      }
    }
    if (b == 0xE2 && next(1) == 0x81 && next(2) >= 0xA6 && next(2) <= 0xA9) {
      return true;
    }
  }
  return false;
}

// RFC 7591 §2: client_uri, logo_uri, tos_uri and policy_uri are URLs of web pages the
// authorization server may show or link to. Only http(s) with a host and without userinfo
// ("https://trusted.example@evil.example/" reads as the wrong site), parsed by Boost.URL.
bool IsWebUrl(std::string_view s) {
  const auto parsed = detail::ParseUri(s);
  if (!parsed) {
    return false;
  }
  const std::string_view scheme = View(parsed->scheme());
  if (!http::EqualsIgnoreCase(scheme, "https") && !http::EqualsIgnoreCase(scheme, "http")) {
    return false;
  }
  return parsed->has_authority() && !parsed->encoded_host().empty() && !parsed->has_userinfo();
}

// A JSON array of strings, duplicates dropped (first occurrence kept); nullopt if it is not one.
// Linear in the array, whatever its length: duplicates are found with a set of views into it.
std::optional<std::vector<std::string>> StringArray(const json::value& value) {
  if (!value.is_array()) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  std::unordered_set<std::string_view> seen;
  for (const auto& item : value.get_array()) {
    if (!item.is_string()) {
      return std::nullopt;
    }
    const std::string_view s = View(item.get_string());
    if (seen.insert(s).second) {
      out.emplace_back(s);
    }
  }
  return out;
}

// RFC 3986 §3.3: the segments of a path are what lies between its '/'s. Compared decoded, so
// "%2e%2E" (the same segment, RFC 3986 §2.3, §6.2.2.2) counts as "..". The path is split here
// rather than with Boost.URL's segment views because those hide a leading "." segment by design
// ("/./client" iterates as "client"), which is exactly what must be seen.
bool HasDotSegment(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    const auto segment = boost::urls::make_pct_string_view(
        boost::urls::string_view(path.data() + start, end - start));
    // The parser has validated the escapes; a failure here is treated as unsafe.
    if (!segment) {
      return true;
    }
    const boost::urls::decode_view decoded = **segment;
    if (decoded == "." || decoded == "..") {
      return true;
    }
    start = end + 1;
  }
  return false;
}

json::array ToJsonArray(const std::vector<std::string>& items) {
  json::array out;
  out.reserve(items.size());
  for (const auto& s : items) {
    out.emplace_back(s);
  }
  return out;
}

bool Contains(const std::vector<std::string>& items, std::string_view s) {
  return std::find(items.begin(), items.end(), s) != items.end();
}

// The checks DCR requests and metadata documents share (RFC 7591 §2). `obj` has been parsed;
// for a document, client_id and the secret rules have been checked by the caller.
RegistrationResult ValidateMetadata(const json::object& obj, Source source) {
  const bool dcr = source == Source::kDcr;
  const std::string_view redirect_error = dcr ? kInvalidRedirectUri : kInvalidClient;
  const std::string_view metadata_error = dcr ? kInvalidClientMetadata : kInvalidClient;
  store::Client client;
  json::object registered;

  // redirect_uris: required here (RFC 7591 §2 makes it required for redirect-based flows, the
  // only ones we support; CIMD §4 lists it as required).
  const json::value* redirect_uris = obj.if_contains("redirect_uris");
  if (redirect_uris == nullptr) {
    return Fail(redirect_error, "redirect_uris is required.");
  }
  auto uris = StringArray(*redirect_uris);
  if (!uris) {
    return Fail(redirect_error, "redirect_uris must be an array of strings.");
  }
  if (uris->empty() || uris->size() > kMaxRedirectUris) {
    return Fail(redirect_error, "redirect_uris must hold between 1 and 20 URIs.");
  }
  for (const auto& uri : *uris) {
    // The sentence says why without quoting the URI (RedirectUriProblem guarantees it).
    if (std::string problem = RedirectUriProblem(uri); !problem.empty()) {
      return Fail(redirect_error, std::move(problem));
    }
  }

  // token_endpoint_auth_method (RFC 7591 §2, default client_secret_basic). A document may not
  // use a shared secret (CIMD §4): its caller has refused anything but "none".
  std::string auth_method = dcr ? "client_secret_basic" : std::string(kNone);
  if (const json::value* v = obj.if_contains("token_endpoint_auth_method")) {
    if (!v->is_string()) {
      return Fail(metadata_error, "token_endpoint_auth_method must be a string.");
    }
    auth_method = std::string(View(v->get_string()));
    if (auth_method != kNone && auth_method != "client_secret_basic" &&
        auth_method != "client_secret_post") {
      return Fail(metadata_error,
                  "token_endpoint_auth_method must be none, client_secret_basic or "
                  "client_secret_post.");
    }
  }

  // grant_types and response_types (RFC 7591 §2, defaults §2; OAuth 2.1 has no implicit or
  // password grant, and this server no other grant for clients).
  std::vector<std::string> grant_types = {std::string(kAuthorizationCode)};
  if (const json::value* v = obj.if_contains("grant_types")) {
    auto parsed = StringArray(*v);
    if (!parsed || parsed->empty()) {
      return Fail(metadata_error, "grant_types must be a non-empty array of strings.");
    }
    for (const auto& g : *parsed) {
      if (g != kAuthorizationCode && g != kRefreshToken) {
        return Fail(metadata_error,
                    "grant_types may only contain authorization_code and refresh_token.");
      }
    }
    grant_types = std::move(*parsed);
  }
  std::vector<std::string> response_types = {std::string(kCode)};
  if (const json::value* v = obj.if_contains("response_types")) {
    auto parsed = StringArray(*v);
    if (!parsed || parsed->empty()) {
      return Fail(metadata_error, "response_types must be a non-empty array of strings.");
    }
    for (const auto& r : *parsed) {
      if (r != kCode) {
        return Fail(metadata_error, "response_types may only contain code.");
      }
    }
    response_types = std::move(*parsed);
  }
  // RFC 7591 §2.1: the authorization_code grant goes with the code response type, both ways.
  if (Contains(grant_types, kAuthorizationCode) != Contains(response_types, kCode)) {
    return Fail(metadata_error,
                "grant_types and response_types are inconsistent: authorization_code requires "
                "the code response type and the reverse (RFC 7591 section 2.1).");
  }

  // application_type (OpenID Connect Registration §2).
  std::string application_type;
  if (const json::value* v = obj.if_contains("application_type")) {
    if (!v->is_string() || (v->get_string() != "native" && v->get_string() != "web")) {
      return Fail(metadata_error, "application_type must be native or web.");
    }
    application_type = std::string(View(v->get_string()));
  } else {
    // MCP clients are native apps that often omit it: a client that only redirects to loopback
    // or to its own private-use scheme (RFC 8252 §7.1, §7.3) is native.
    const bool native = std::all_of(uris->begin(), uris->end(), [](const std::string& uri) {
      if (IsLoopbackRedirectUri(uri)) {
        return true;
      }
      const auto parsed = detail::ParseUri(uri);
      return parsed && !http::EqualsIgnoreCase(View(parsed->scheme()), "https") &&
             !http::EqualsIgnoreCase(View(parsed->scheme()), "http");
    });
    application_type = native ? "native" : "web";
  }

  // client_name (RFC 7591 §2): shown on the consent page, so short and free of characters that
  // could disguise it. CIMD §4 requires it; DCR defaults it to the redirect host.
  std::string name;
  if (const json::value* v = obj.if_contains("client_name")) {
    if (!v->is_string()) {
      return Fail(metadata_error, "client_name must be a string.");
    }
    name = std::string(View(v->get_string()));
    if (name.size() > kMaxClientNameBytes) {
      return Fail(metadata_error, "client_name must be at most 200 bytes.");
    }
    if (HasControlOrBidiCharacter(name)) {
      return Fail(metadata_error,
                  "client_name must not contain control or bidirectional formatting characters.");
    }
  }
  if (name.empty()) {
    if (!dcr) {
      return Fail(metadata_error, "The metadata document must have a non-empty client_name.");
    }
    // The redirect host (or private-use scheme) stands in for the name. It is ASCII, and cut to
    // the bytes a client_name may have: a 300-byte scheme made a 300-byte name on the consent
    // page (found by fuzz/client_metadata_fuzz.cpp).
    name = RedirectUriDisplayHost(uris->front()).substr(0, kMaxClientNameBytes);
  }

  registered["redirect_uris"] = ToJsonArray(*uris);
  registered["token_endpoint_auth_method"] = auth_method;
  registered["grant_types"] = ToJsonArray(grant_types);
  registered["response_types"] = ToJsonArray(response_types);
  registered["application_type"] = application_type;
  registered["client_name"] = name;

  for (std::string_view member : {"client_uri", "logo_uri", "tos_uri", "policy_uri"}) {
    if (const json::value* v = obj.if_contains(member)) {
      if (!v->is_string() || !IsWebUrl(View(v->get_string()))) {
        return Fail(metadata_error, std::string(member) + " must be an http or https URL.");
      }
      registered[member] = v->get_string();
    }
  }

  std::vector<std::string> scopes;
  if (const json::value* v = obj.if_contains("scope")) {
    std::optional<std::vector<std::string>> parsed;
    if (v->is_string()) {
      parsed = ParseScope(View(v->get_string()));
    }
    if (!parsed) {
      return Fail(metadata_error,
                  "scope must be a string of space-separated scope tokens (RFC 6749 section "
                  "3.3).");
    }
    scopes = std::move(*parsed);
    registered["scope"] = JoinScopes(scopes);
  }

  for (std::string_view member : {"software_id", "software_version"}) {
    if (const json::value* v = obj.if_contains(member)) {
      if (!v->is_string()) {
        return Fail(metadata_error, std::string(member) + " must be a string.");
      }
      registered[member] = v->get_string();
    }
  }
  if (const json::value* v = obj.if_contains("contacts")) {
    auto contacts = StringArray(*v);
    if (!contacts) {
      return Fail(metadata_error, "contacts must be an array of strings.");
    }
    registered["contacts"] = ToJsonArray(*contacts);
  }
  // Every other member is ignored and not stored or echoed (RFC 7591 §2: "The authorization
  // server MUST ignore any client metadata sent by the client that it does not understand").

  client.name = std::move(name);
  client.redirect_uris = std::move(*uris);
  client.grant_types = std::move(grant_types);
  client.token_endpoint_auth_method = auth_method;
  client.application_type = std::move(application_type);
  client.metadata_json = json::serialize(registered);
  client.source = dcr ? store::RegistrationSource::kDcr : store::RegistrationSource::kCimd;

  RegistrationResult result;
  result.client = ValidatedClient{
      .client = std::move(client),
      .scopes = std::move(scopes),
      .confidential = auth_method != kNone,
  };
  return result;
}

// Parses `body` as one JSON object; nullopt otherwise. Never throws on input: Boost.JSON
// reports syntax errors, invalid UTF-8 and nesting deeper than its limit (32) as an error code.
std::optional<json::object> ParseObject(std::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec || !value.is_object()) {
    return std::nullopt;
  }
  return std::move(value.get_object());
}

}  // namespace

RegistrationResult ValidateRegistrationRequest(std::string_view json_body) {
  const auto obj = ParseObject(json_body);
  if (!obj) {
    // RFC 7591 §3.2.2: the request is not valid client metadata.
    return Fail(kInvalidClientMetadata, "The request body must be a JSON object.");
  }
  // A client_id or client_secret sent by the client is ignored: the server assigns both.
  return ValidateMetadata(*obj, Source::kDcr);
}

std::string RegistrationResponseJson(const store::Client& client,
                                     std::optional<std::string_view> client_secret,
                                     int64_t secret_expires_at) {
  // RFC 7591 §3.2.1: client_id, client_id_issued_at, the secret and its (REQUIRED) expiry if one
  // was issued, then every registered member.
  json::object out;
  out["client_id"] = client.client_id;
  out["client_id_issued_at"] =
      std::chrono::duration_cast<std::chrono::seconds>(client.created_at.time_since_epoch())
          .count();
  if (client_secret) {
    out["client_secret"] = *client_secret;
    out["client_secret_expires_at"] = secret_expires_at;
  }
  if (auto metadata = ParseObject(client.metadata_json)) {
    for (const auto& member : *metadata) {
      // The members above are the server's to say; a stored copy never overrides them.
      const std::string_view key = member.key();
      if (key == "client_id" || key == "client_id_issued_at" || key == "client_secret" ||
          key == "client_secret_expires_at") {
        continue;
      }
      out[key] = member.value();
    }
  }
  return json::serialize(out);
}

bool IsMetadataDocumentUrl(std::string_view client_id) {
  // CIMD §3: bounded so a hostile client_id costs little before anything is fetched.
  if (client_id.empty() || client_id.size() > kMaxMetadataUrlBytes) {
    return false;
  }
  const auto parsed = detail::ParseUri(client_id);
  if (!parsed) {
    return false;
  }
  const boost::urls::url_view& url = *parsed;
  // CIMD §3: "MUST have an https scheme" (compared as written: the client_id is an exact
  // string), "MUST NOT contain a fragment component", "MUST NOT contain a username or password".
  if (url.scheme() != "https" || url.has_fragment() || url.has_userinfo()) {
    return false;
  }
  if (!url.has_authority() || url.encoded_host().empty() ||
      View(url.encoded_host()).find('%') != std::string_view::npos ||
      url.host_type() == boost::urls::host_type::ipvfuture) {
    return false;
  }
  // CIMD §3: "MUST contain a path component"; a bare "/" names the site, not a document.
  const std::string_view path = View(url.encoded_path());
  if (path.empty() || path == "/") {
    return false;
  }
  // CIMD §3: "MUST NOT contain single-dot or double-dot path segments".
  return !HasDotSegment(path);
}

RegistrationResult ValidateMetadataDocument(std::string_view url, std::string_view json_body) {
  if (!IsMetadataDocumentUrl(url)) {
    return Fail(kInvalidClient, "The client_id is not a valid metadata document URL.");
  }
  const auto obj = ParseObject(json_body);
  if (!obj) {
    return Fail(kInvalidClient, "The client metadata document is not a JSON object.");
  }
  // CIMD §4 (and §8.1): the document's client_id MUST equal the URL it was fetched from, by
  // simple string comparison, so a document cannot speak for another client_id.
  const json::value* id = obj->if_contains("client_id");
  if (id == nullptr || !id->is_string() || View(id->get_string()) != url) {
    return Fail(kInvalidClient, "The client metadata document's client_id does not equal its URL.");
  }
  // CIMD §4: a published document cannot hold a shared secret, nor use a method based on one.
  if (obj->contains("client_secret")) {
    return Fail(kInvalidClient, "A client metadata document must not contain a client_secret.");
  }
  if (const json::value* v = obj->if_contains("token_endpoint_auth_method")) {
    if (!v->is_string() || v->get_string() != kNone) {
      return Fail(kInvalidClient,
                  "A client metadata document's token_endpoint_auth_method must be none.");
    }
  }
  RegistrationResult result = ValidateMetadata(*obj, Source::kCimd);
  if (result.client) {
    result.client->client.client_id = std::string(url);
    result.client->client.secret_hash.reset();
  }
  return result;
}

}  // namespace mcpauth::oauth
