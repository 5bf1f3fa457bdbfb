#include "oauth/server/client_auth.hpp"

#include <string>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/core/token.hpp"
#include "mcpauth/http/message.hpp"

namespace mcpauth::oauth {
namespace {

OAuthError InvalidClient(std::string description) {
  return {"invalid_client", std::move(description), 401};
}

struct BasicCredentials {
  std::string id;
  std::string secret;
};

// RFC 7617 §2 credentials, whose user-id and password are each form-urlencoded (RFC 6749 §2.3.1).
std::optional<BasicCredentials> ParseBasic(std::string_view header) {
  constexpr std::string_view kScheme = "basic";
  if (header.size() <= kScheme.size() + 1 ||
      !http::EqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme) ||
      header[kScheme.size()] != ' ') {
    return std::nullopt;
  }
  std::string_view b64 = header.substr(kScheme.size() + 1);
  while (!b64.empty() && b64.front() == ' ') {
    b64.remove_prefix(1);
  }
  while (!b64.empty() && b64.back() == ' ') {
    b64.remove_suffix(1);
  }
  // Standard base64 (RFC 4648 §4) through the strict base64url decoder: map the two characters
  // that differ and drop the padding, which must be canonical.
  std::string text(b64);
  size_t pad = 0;
  while (!text.empty() && text.back() == '=') {
    text.pop_back();
    ++pad;
  }
  if (pad > 2 || (text.size() + pad) % 4 != 0) {
    return std::nullopt;
  }
  for (char& c : text) {
    if (c == '+') {
      c = '-';
    } else if (c == '/') {
      c = '_';
    } else if (c == '-' || c == '_') {
      return std::nullopt;
    }
  }
  auto decoded = core::Base64UrlDecode(text);
  if (!decoded) {
    return std::nullopt;
  }
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  // Each half is application/x-www-form-urlencoded: decode it as a one-parameter form.
  auto id = http::ParseForm("x=" + decoded->substr(0, colon));
  auto secret = http::ParseForm("x=" + decoded->substr(colon + 1));
  if (!id || !secret || id->size() != 1 || secret->size() != 1) {
    return std::nullopt;
  }
  return BasicCredentials{std::string(*id->Get("x")), std::string(*secret->Get("x"))};
}

}  // namespace

ClientAuthResult AuthenticateClient(const http::Request& request, const http::Form& form,
                                    store::ClientStore& clients, Clock::TimePoint now) {
  ClientAuthResult result;
  const auto authorization = request.headers.GetAll("Authorization");
  const auto body_id = form.GetNonEmpty("client_id");
  const auto body_secret = form.GetNonEmpty("client_secret");
  std::string client_id;
  std::optional<std::string> secret;
  if (authorization.size() > 1) {
    result.error = {"invalid_request", "more than one Authorization header", 400};
    return result;
  }
  if (authorization.size() == 1) {
    auto basic = ParseBasic(authorization.front());
    if (!basic || basic->id.empty()) {
      result.error = InvalidClient("malformed Basic credentials");
      return result;
    }
    if (body_secret) {
      result.error = {"invalid_request", "client credentials sent in two ways", 400};
      return result;
    }
    if (body_id && *body_id != basic->id) {
      result.error = {"invalid_request", "client_id differs from the Basic credentials", 400};
      return result;
    }
    client_id = std::move(basic->id);
    secret = std::move(basic->secret);
  } else {
    if (!body_id) {
      result.error = InvalidClient("client authentication required (client_id missing)");
      return result;
    }
    client_id = std::string(*body_id);
    if (body_secret) {
      secret = std::string(*body_secret);
    }
  }

  auto client = clients.GetClient(client_id);
  if (!client) {
    if (client.error() == store::Errc::kNotFound) {
      result.error = InvalidClient("unknown client");
    } else {
      result.error = {"temporarily_unavailable", "the client registry is unavailable", 503};
    }
    return result;
  }
  const bool is_public = !client->secret_hash.has_value();
  if (is_public) {
    if (secret) {
      result.error = InvalidClient("this client is public: it has no secret to send");
      return result;
    }
  } else {
    if (!secret) {
      result.error = InvalidClient("client secret required");
      return result;
    }
    if (!core::ConstantTimeEquals(core::TokenHash(*secret), *client->secret_hash)) {
      result.error = InvalidClient("wrong client secret");
      return result;
    }
    if (client->expires_at && *client->expires_at <= now &&
        client->source != store::RegistrationSource::kCimd) {
      result.error = InvalidClient("the client secret has expired; register again");
      return result;
    }
    result.confidential = true;
  }
  result.client = std::move(*client);
  return result;
}

}  // namespace mcpauth::oauth
