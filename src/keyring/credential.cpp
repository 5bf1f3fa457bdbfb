#include "mcpauth/keyring/credential.hpp"

#include <cstdint>

namespace mcpauth::keyring {
namespace {

// RFC 3629 §4: well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
// NUL is refused too: keys are joined by NUL, and C APIs (libsecret) end strings there.
bool IsCleanUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c == 0) {
      return false;
    }
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t min = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      min = 0x80;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min = 0x800;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min = 0x10000;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) {
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

KeyringStatus CheckField(std::string_view name, std::string_view value) {
  if (value.size() > kMaxKeyFieldBytes) {
    return MakeError(Errc::kInvalidArgument, "credential key field '" + std::string(name) +
                                                 "' is longer than " +
                                                 std::to_string(kMaxKeyFieldBytes) + " bytes");
  }
  if (!IsCleanUtf8(value)) {
    return MakeError(Errc::kInvalidArgument, "credential key field '" + std::string(name) +
                                                 "' is not UTF-8 text without NUL");
  }
  return {};
}

}  // namespace

std::string_view KindName(CredentialKind kind) {
  switch (kind) {
    case CredentialKind::kRegistration:
      return "registration";
    case CredentialKind::kTokens:
      return "tokens";
  }
  return "unknown";
}

std::optional<CredentialKind> ParseKind(std::string_view name) {
  if (name == "registration") {
    return CredentialKind::kRegistration;
  }
  if (name == "tokens") {
    return CredentialKind::kTokens;
  }
  return std::nullopt;
}

CredentialKey CredentialKey::Registration(std::string issuer) {
  return CredentialKey{CredentialKind::kRegistration, std::move(issuer), {}, {}};
}

CredentialKey CredentialKey::Tokens(std::string issuer, std::string resource,
                                    std::string client_id) {
  return CredentialKey{CredentialKind::kTokens, std::move(issuer), std::move(resource),
                       std::move(client_id)};
}

std::string CredentialKey::Canonical() const {
  std::string out(KindName(kind));
  for (const std::string* field : {&issuer, &resource, &client_id}) {
    out.push_back('\0');
    out += *field;
  }
  return out;
}

std::string CredentialKey::Describe() const {
  if (kind == CredentialKind::kRegistration) {
    std::string out = "client registration at " + issuer;
    if (!client_id.empty()) {
      out += " (client " + client_id + ")";
    }
    return out;
  }
  std::string out = "tokens for " + (resource.empty() ? std::string("(no resource)") : resource);
  out += " from " + issuer;
  if (!client_id.empty()) {
    out += " (client " + client_id + ")";
  }
  return out;
}

KeyringStatus ValidateKey(const CredentialKey& key) {
  if (key.kind != CredentialKind::kRegistration && key.kind != CredentialKind::kTokens) {
    return MakeError(Errc::kInvalidArgument, "unknown credential kind");
  }
  if (key.issuer.empty()) {
    return MakeError(Errc::kInvalidArgument, "a credential key needs an issuer");
  }
  for (auto [name, value] : {std::pair<std::string_view, std::string_view>{"issuer", key.issuer},
                             {"resource", key.resource},
                             {"client_id", key.client_id}}) {
    if (auto s = CheckField(name, value); !s) {
      return s;
    }
  }
  return {};
}

KeyringStatus ValidateCredential(const Credential& credential) {
  if (auto s = ValidateKey(credential.key); !s) {
    return s;
  }
  const auto payload = credential.payload.Reveal();
  if (payload.size() > kMaxPayloadBytes) {
    return MakeError(Errc::kInvalidArgument, "credential payload is larger than " +
                                                 std::to_string(kMaxPayloadBytes) + " bytes");
  }
  if (!IsCleanUtf8(payload)) {
    return MakeError(Errc::kInvalidArgument, "credential payload is not UTF-8 text without NUL");
  }
  return {};
}

bool CredentialFilter::Matches(const CredentialKey& key) const {
  return (!kind || *kind == key.kind) && (!issuer || *issuer == key.issuer) &&
         (!resource || *resource == key.resource) && (!client_id || *client_id == key.client_id);
}

}  // namespace mcpauth::keyring
