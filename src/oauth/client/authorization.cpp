#include "mcpauth/oauth/client/authorization.hpp"

#include <array>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/http/form.hpp"
#include "mcpauth/oauth/client/errc.hpp"
#include "mcpauth/oauth/client/policy.hpp"
#include "oauth/client/json_util.hpp"
#include "oauth/client/url_util.hpp"

namespace mcpauth::oauth::client {

namespace {

Secret RandomString(SecureRandom& random) {
  std::array<uint8_t, 32> bytes{};
  random.Fill(bytes);
  return Secret(core::Base64UrlEncode(bytes));
}

}  // namespace

Pkce GeneratePkce(SecureRandom& random) {
  Pkce pkce;
  pkce.verifier = RandomString(random);  // 43 characters of [A-Za-z0-9-_]: RFC 7636 §4.1
  pkce.challenge = S256Challenge(pkce.verifier.Reveal());
  return pkce;
}

std::string S256Challenge(std::string_view verifier) {
  return core::Base64UrlEncode(core::Sha256(verifier));
}

Secret GenerateState(SecureRandom& random) { return RandomString(random); }

std::string BuildAuthorizationUrl(const AuthorizationRequest& r) {
  std::vector<std::pair<std::string, std::string>> params = {
      {"response_type", "code"},         {"client_id", r.client_id},
      {"redirect_uri", r.redirect_uri},  {"code_challenge", r.code_challenge},
      {"code_challenge_method", "S256"}, {"state", r.state},
  };
  if (!r.scopes.empty()) {
    params.emplace_back("scope", JoinScopes(r.scopes));
  }
  if (!r.resource.empty()) {
    params.emplace_back("resource", r.resource);
  }
  return detail::AppendQuery(r.authorization_endpoint, http::EncodeForm(params));
}

Result<Secret> ValidateAuthorizationResponse(std::string_view query,
                                             const CallbackExpectation& expected,
                                             std::string& detail) {
  // 1. RFC 6749 §3.1: no parameter twice (two `state`s or `code`s is an injection attempt).
  http::FormParseError parse_error;
  auto form = http::ParseForm(query, {}, &parse_error);
  if (!form) {
    detail = "the authorization response is malformed" +
             (parse_error.parameter.empty()
                  ? std::string()
                  : " (parameter " + detail::Printable(parse_error.parameter, 40) + ")");
    return Errc::kInvalidCallback;
  }
  // 2. OAuth 2.1 §7.9: the state binds the response to this flow. Constant time: it is a
  // secret of the flow.
  const auto state = form->Get("state");
  if (!state || !core::ConstantTimeEquals(*state, expected.state)) {
    detail = state ? "the authorization response carries another flow's state; ignored"
                   : "the authorization response has no state; ignored";
    return Errc::kStateMismatch;
  }
  // 3. RFC 9207 §2.4: compare `iss` with the issuer this flow started at (mix-up defence).
  const auto iss = form->Get("iss");
  if (iss && *iss != expected.issuer) {
    detail = "the authorization response comes from issuer '" + detail::Printable(*iss, 200) +
             "', not '" + expected.issuer + "' (RFC 9207)";
    return Errc::kIssuerMismatch;
  }
  if (!iss && expected.iss_required) {
    detail = "the authorization server advertises RFC 9207 but its response has no iss";
    return Errc::kIssuerMismatch;
  }
  // 4. An error ends the flow.
  if (const auto error = form->Get("error")) {
    detail = "the authorization server answered " + detail::Printable(*error, 60);
    if (auto description = form->GetNonEmpty("error_description")) {
      detail += ": " + detail::Printable(*description, 300);
    }
    return Errc::kAuthorizationDenied;
  }
  // 5.
  const auto code = form->GetNonEmpty("code");
  if (!code) {
    detail = "the authorization response has no code";
    return Errc::kInvalidCallback;
  }
  return Secret(std::string(*code));
}

}  // namespace mcpauth::oauth::client
