// Fuzz target: client metadata validation, for RFC 7591 registration requests and Client ID
// Metadata Documents (src/oauth/server/client_registration.cpp), and the `scope` grammar it uses
// (src/oauth/server/scopes.cpp).
//
// The input is "<metadata document URL>\n<JSON body>"; the body alone is also a DCR request, and
// the whole input a scope string.
// Invariants beyond "no crash":
//   - a result is a client or an error with a known code and an ASCII sentence;
//   - an accepted client has 1..20 unique registrable redirect URIs, allowed grant types,
//     method and application type, a short non-empty name without controls, a metadata_json
//     object; a metadata-document client is public, with client_id = URL;
//   - normalisation is idempotent: the stored metadata_json, validated again, gives the same
//     client (a registration that changed meaning on re-reading would be a bug);
//   - IsMetadataDocumentUrl() implies https, no fragment, no userinfo, a path other than "/",
//     no "." or ".." segment even percent-encoded (checked by an independent splitter);
//   - ParseScope() returns valid, unique tokens that join back to the input when it had none
//     repeated.
#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "mcpauth/oauth/client_registration.hpp"
#include "mcpauth/oauth/redirect_uri.hpp"
#include "mcpauth/oauth/scopes.hpp"

namespace {

namespace json = boost::json;
using mcpauth::fuzz::HasControl;
using mcpauth::oauth::RegistrationResult;

bool IsAsciiSentence(std::string_view s) {
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b >= 0x7F) {
      return false;
    }
  }
  return !s.empty();
}

int Hex(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// True if a '/'-separated segment of `path` decodes to "." or ".." (RFC 3986 §2.1, §3.3).
bool HasDotSegment(std::string_view path) {
  size_t start = 0;
  while (true) {
    const size_t end = std::min(path.find('/', start), path.size());
    std::string decoded;
    for (size_t i = start; i < end; ++i) {
      if (path[i] == '%' && i + 2 < end && Hex(path[i + 1]) >= 0 && Hex(path[i + 2]) >= 0) {
        decoded.push_back(static_cast<char>(Hex(path[i + 1]) * 16 + Hex(path[i + 2])));
        i += 2;
      } else {
        decoded.push_back(path[i]);
      }
    }
    if (decoded == "." || decoded == "..") {
      return true;
    }
    if (end == path.size()) {
      return false;
    }
    start = end + 1;
  }
}

void CheckClient(const RegistrationResult& r, bool cimd) {
  FUZZ_CHECK(r.client.has_value() == r.error.error.empty());
  if (!r.client) {
    if (cimd) {
      FUZZ_CHECK(r.error.error == "invalid_client");
    } else {
      FUZZ_CHECK(r.error.error == "invalid_redirect_uri" ||
                 r.error.error == "invalid_client_metadata");
    }
    FUZZ_CHECK(IsAsciiSentence(r.error.description));
    return;
  }
  const auto& c = r.client->client;
  FUZZ_CHECK(!c.redirect_uris.empty() && c.redirect_uris.size() <= 20);
  for (size_t i = 0; i < c.redirect_uris.size(); ++i) {
    FUZZ_CHECK(mcpauth::oauth::RedirectUriProblem(c.redirect_uris[i]).empty());
    for (size_t j = 0; j < i; ++j) {
      FUZZ_CHECK(c.redirect_uris[i] != c.redirect_uris[j]);
    }
  }
  FUZZ_CHECK(!c.grant_types.empty());
  for (const auto& g : c.grant_types) {
    FUZZ_CHECK(g == "authorization_code" || g == "refresh_token");
  }
  const auto& m = c.token_endpoint_auth_method;
  FUZZ_CHECK(m == "none" || m == "client_secret_basic" || m == "client_secret_post");
  FUZZ_CHECK(r.client->confidential == (m != "none"));
  FUZZ_CHECK(c.application_type == "native" || c.application_type == "web");
  FUZZ_CHECK(!c.name.empty() && c.name.size() <= 200 && !HasControl(c.name));
  for (const auto& s : r.client->scopes) {
    FUZZ_CHECK(mcpauth::oauth::IsScopeToken(s));
  }
  boost::system::error_code ec;
  const json::value metadata = json::parse(c.metadata_json, ec);
  FUZZ_CHECK(!ec && metadata.is_object());
  if (cimd) {
    FUZZ_CHECK(c.source == mcpauth::store::RegistrationSource::kCimd);
    FUZZ_CHECK(!r.client->confidential && !c.secret_hash);
  } else {
    FUZZ_CHECK(c.source == mcpauth::store::RegistrationSource::kDcr);
    const std::string response = mcpauth::oauth::RegistrationResponseJson(c, "secret", 0);
    const json::value body = json::parse(response, ec);
    FUZZ_CHECK(!ec && body.is_object());
    FUZZ_CHECK(body.get_object().at("client_secret") == "secret");
    for (const auto& member : metadata.get_object()) {
      FUZZ_CHECK(body.get_object().at(member.key()) == member.value());
    }
  }
}

void CheckUrl(std::string_view url) {
  if (!mcpauth::oauth::IsMetadataDocumentUrl(url)) {
    return;
  }
  FUZZ_CHECK(url.size() <= 2048);
  FUZZ_CHECK(url.substr(0, 8) == "https://");
  auto parsed = boost::urls::parse_uri(boost::urls::string_view(url.data(), url.size()));
  FUZZ_CHECK(parsed);
  FUZZ_CHECK(!parsed->has_fragment() && !parsed->has_userinfo());
  FUZZ_CHECK(!parsed->encoded_host().empty());
  const std::string_view path(parsed->encoded_path().data(), parsed->encoded_path().size());
  FUZZ_CHECK(!path.empty() && path != "/" && path.front() == '/');
  FUZZ_CHECK(!HasDotSegment(path));
}

void CheckScope(std::string_view s) {
  const auto scopes = mcpauth::oauth::ParseScope(s);
  if (!scopes) {
    return;
  }
  FUZZ_CHECK(scopes->size() <= 64);
  for (size_t i = 0; i < scopes->size(); ++i) {
    FUZZ_CHECK(mcpauth::oauth::IsScopeToken((*scopes)[i]));
    for (size_t j = 0; j < i; ++j) {
      FUZZ_CHECK((*scopes)[i] != (*scopes)[j]);
    }
  }
  // Without repeated tokens, joining gives the input back.
  size_t tokens = s.empty() ? 0 : 1;
  for (char c : s) {
    tokens += c == ' ' ? 1 : 0;
  }
  if (tokens == scopes->size()) {
    FUZZ_CHECK(mcpauth::oauth::JoinScopes(*scopes) == s);
  }
  const auto again = mcpauth::oauth::ParseScope(mcpauth::oauth::JoinScopes(*scopes));
  FUZZ_CHECK(again && *again == *scopes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mcpauth::fuzz::Input in(data, size);
  const std::string_view url = in.Until('\n');
  const std::string_view body = in.rest();

  // RFC 7591 dynamic registration.
  const RegistrationResult dcr = mcpauth::oauth::ValidateRegistrationRequest(body);
  CheckClient(dcr, false);
  if (dcr.client) {
    const RegistrationResult again =
        mcpauth::oauth::ValidateRegistrationRequest(dcr.client->client.metadata_json);
    FUZZ_CHECK(again.client);
    FUZZ_CHECK(again.client->client == dcr.client->client);
    FUZZ_CHECK(again.client->scopes == dcr.client->scopes);
  }

  // Client ID Metadata Document.
  CheckUrl(url);
  const RegistrationResult cimd = mcpauth::oauth::ValidateMetadataDocument(url, body);
  CheckClient(cimd, true);
  if (cimd.client) {
    FUZZ_CHECK(mcpauth::oauth::IsMetadataDocumentUrl(url));
    FUZZ_CHECK(cimd.client->client.client_id == url);
    json::object doc = json::parse(cimd.client->client.metadata_json).as_object();
    doc["client_id"] = url;
    const RegistrationResult again =
        mcpauth::oauth::ValidateMetadataDocument(url, json::serialize(doc));
    FUZZ_CHECK(again.client);
    FUZZ_CHECK(again.client->client == cimd.client->client);
  }

  CheckScope(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
