#include "mcpauth/oauth/client/token_storage.hpp"

#include <boost/json.hpp>

#include "mcpauth/oauth/client/errc.hpp"
#include "oauth/client/json_util.hpp"

namespace mcpauth::oauth::client {

namespace json = boost::json;

namespace {

constexpr std::string_view kSchema = "mcpauth.oauth.client/1";

int64_t ToSeconds(Clock::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
Clock::TimePoint FromSeconds(int64_t s) { return Clock::TimePoint(std::chrono::seconds(s)); }

json::object RegistrationObject(const ClientRegistration& r) {
  json::object o;
  o["issuer"] = r.issuer;
  o["client_id"] = r.client_id;
  if (!r.client_secret.empty()) {
    o["client_secret"] = r.client_secret.Reveal();
  }
  o["token_endpoint_auth_method"] = r.token_endpoint_auth_method;
  o["kind"] = RegistrationKindName(r.kind);
  if (r.secret_expires_at) {
    o["secret_expires_at"] = ToSeconds(*r.secret_expires_at);
  }
  if (!r.redirect_uri.empty()) {
    o["redirect_uri"] = r.redirect_uri;
  }
  return o;
}

Result<ClientRegistration> RegistrationFrom(const json::object& o) {
  ClientRegistration r;
  auto issuer = detail::StringMember(o, "issuer");
  auto client_id = detail::StringMember(o, "client_id");
  auto kind = detail::StringMember(o, "kind");
  if (!issuer || !client_id || client_id->empty() || !kind) {
    return Errc::kStorageFailed;
  }
  r.issuer = std::move(*issuer);
  r.client_id = std::move(*client_id);
  r.client_secret = Secret(detail::StringMember(o, "client_secret").value_or(""));
  r.token_endpoint_auth_method =
      detail::StringMember(o, "token_endpoint_auth_method").value_or("none");
  if (*kind == "pre_registered") {
    r.kind = RegistrationKind::kPreRegistered;
  } else if (*kind == "metadata_document") {
    r.kind = RegistrationKind::kMetadataDocument;
  } else if (*kind == "dynamic") {
    r.kind = RegistrationKind::kDynamic;
  } else {
    return Errc::kStorageFailed;
  }
  if (auto at = detail::IntMember(o, "secret_expires_at")) {
    r.secret_expires_at = FromSeconds(*at);
  }
  r.redirect_uri = detail::StringMember(o, "redirect_uri").value_or("");
  return r;
}

std::optional<json::object> SchemaObject(std::string_view text) {
  auto o = detail::ParseObject(text);
  if (!o || detail::StringMember(*o, "schema") != kSchema) {
    return std::nullopt;
  }
  return o;
}

}  // namespace

std::string_view RegistrationKindName(RegistrationKind kind) {
  switch (kind) {
    case RegistrationKind::kPreRegistered:
      return "pre_registered";
    case RegistrationKind::kMetadataDocument:
      return "metadata_document";
    case RegistrationKind::kDynamic:
      return "dynamic";
  }
  return "dynamic";
}

Secret SerializeRegistration(const ClientRegistration& registration) {
  json::object o = RegistrationObject(registration);
  o["schema"] = kSchema;
  return Secret(json::serialize(o));
}

Result<ClientRegistration> ParseRegistration(std::string_view text) {
  auto o = SchemaObject(text);
  if (!o) {
    return Errc::kStorageFailed;
  }
  return RegistrationFrom(*o);
}

Secret SerializeCredential(const Credential& c) {
  json::object o;
  o["schema"] = kSchema;
  o["server_url"] = c.server_url;
  o["issuer"] = c.issuer;
  o["resource"] = c.resource;
  o["token_endpoint"] = c.token_endpoint;
  o["revocation_endpoint"] = c.revocation_endpoint;
  o["client"] = RegistrationObject(c.client);
  o["access_token"] = c.access_token.Reveal();
  if (!c.refresh_token.empty()) {
    o["refresh_token"] = c.refresh_token.Reveal();
  }
  if (c.expires_at) {
    o["expires_at"] = ToSeconds(*c.expires_at);
  }
  json::array scopes;
  for (const auto& s : c.scopes) {
    scopes.emplace_back(s);
  }
  o["scopes"] = std::move(scopes);
  o["obtained_at"] = ToSeconds(c.obtained_at);
  return Secret(json::serialize(o));
}

Result<Credential> ParseCredential(std::string_view text) {
  auto o = SchemaObject(text);
  if (!o) {
    return Errc::kStorageFailed;
  }
  Credential c;
  auto server_url = detail::StringMember(*o, "server_url");
  auto issuer = detail::StringMember(*o, "issuer");
  auto token_endpoint = detail::StringMember(*o, "token_endpoint");
  auto access = detail::StringMember(*o, "access_token");
  const auto* client = o->if_contains("client");
  if (!server_url || !issuer || !token_endpoint || !access || client == nullptr ||
      !client->is_object()) {
    return Errc::kStorageFailed;
  }
  auto registration = RegistrationFrom(client->get_object());
  if (!registration) {
    return registration.error();
  }
  c.server_url = std::move(*server_url);
  c.issuer = std::move(*issuer);
  c.resource = detail::StringMember(*o, "resource").value_or("");
  c.token_endpoint = std::move(*token_endpoint);
  c.revocation_endpoint = detail::StringMember(*o, "revocation_endpoint").value_or("");
  c.client = std::move(*registration);
  c.access_token = Secret(std::move(*access));
  c.refresh_token = Secret(detail::StringMember(*o, "refresh_token").value_or(""));
  if (auto at = detail::IntMember(*o, "expires_at")) {
    c.expires_at = FromSeconds(*at);
  }
  c.scopes = detail::StringArrayMember(*o, "scopes");
  c.obtained_at = FromSeconds(detail::IntMember(*o, "obtained_at").value_or(0));
  return c;
}

// ---- MemoryTokenStorage -------------------------------------------------------------------

class MemoryTokenStorage::Lock final : public StorageLock {
 public:
  Lock(MemoryTokenStorage& storage, std::string key) : storage_(storage), key_(std::move(key)) {}
  ~Lock() override { storage_.Release(key_); }

 private:
  MemoryTokenStorage& storage_;
  std::string key_;
};

Result<std::optional<Credential>> MemoryTokenStorage::LoadCredential(std::string_view server_url) {
  std::lock_guard lock(mu_);
  if (failing_) {
    return Errc::kStorageFailed;
  }
  auto it = credentials_.find(server_url);
  if (it == credentials_.end()) {
    return std::optional<Credential>();
  }
  auto parsed = ParseCredential(it->second.Reveal());
  if (!parsed) {
    return parsed.error();
  }
  return std::optional<Credential>(std::move(*parsed));
}

Status MemoryTokenStorage::SaveCredential(const Credential& credential) {
  std::lock_guard lock(mu_);
  if (failing_) {
    return Errc::kStorageFailed;
  }
  credentials_[std::string(credential.server_url)] = SerializeCredential(credential);
  ++credential_saves_;
  return {};
}

Status MemoryTokenStorage::DeleteCredential(std::string_view server_url) {
  std::lock_guard lock(mu_);
  if (failing_) {
    return Errc::kStorageFailed;
  }
  if (auto it = credentials_.find(server_url); it != credentials_.end()) {
    credentials_.erase(it);
  }
  return {};
}

Result<std::optional<ClientRegistration>> MemoryTokenStorage::LoadRegistration(
    std::string_view issuer) {
  std::lock_guard lock(mu_);
  if (failing_) {
    return Errc::kStorageFailed;
  }
  auto it = registrations_.find(issuer);
  if (it == registrations_.end()) {
    return std::optional<ClientRegistration>();
  }
  auto parsed = ParseRegistration(it->second.Reveal());
  if (!parsed) {
    return parsed.error();
  }
  return std::optional<ClientRegistration>(std::move(*parsed));
}

Status MemoryTokenStorage::SaveRegistration(const ClientRegistration& registration) {
  std::lock_guard lock(mu_);
  if (failing_) {
    return Errc::kStorageFailed;
  }
  registrations_[std::string(registration.issuer)] = SerializeRegistration(registration);
  ++registration_saves_;
  return {};
}

Status MemoryTokenStorage::DeleteRegistration(std::string_view issuer) {
  std::lock_guard lock(mu_);
  if (failing_) {
    return Errc::kStorageFailed;
  }
  if (auto it = registrations_.find(issuer); it != registrations_.end()) {
    registrations_.erase(it);
  }
  return {};
}

Result<std::unique_ptr<StorageLock>> MemoryTokenStorage::LockFor(std::string_view key) {
  std::unique_lock lock(mu_);
  if (failing_) {
    return Errc::kStorageFailed;
  }
  released_.wait(lock, [&] { return held_.find(key) == held_.end(); });
  held_.emplace(key);
  return std::unique_ptr<StorageLock>(std::make_unique<Lock>(*this, std::string(key)));
}

void MemoryTokenStorage::Release(const std::string& key) {
  {
    std::lock_guard lock(mu_);
    held_.erase(key);
  }
  released_.notify_all();
}

int MemoryTokenStorage::credential_saves() const {
  std::lock_guard lock(mu_);
  return credential_saves_;
}

int MemoryTokenStorage::registration_saves() const {
  std::lock_guard lock(mu_);
  return registration_saves_;
}

void MemoryTokenStorage::SetFailing(bool failing) {
  std::lock_guard lock(mu_);
  failing_ = failing;
}

}  // namespace mcpauth::oauth::client
