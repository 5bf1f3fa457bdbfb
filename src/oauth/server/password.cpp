// Argon2id through libargon2 (the reference implementation of RFC 9106).
#include "mcpauth/oauth/password.hpp"

#include <argon2.h>

#include <charconv>
#include <utility>
#include <vector>

#include "mcpauth/core/errc.hpp"

namespace mcpauth::oauth {
namespace {

// What VerifyDummy() hashes. Its value does not matter: nobody can log in with it, because the
// dummy hash belongs to no user.
constexpr std::string_view kDummyPassword = "mcpauth dummy password for unknown users";

bool AcceptablePassword(const Secret& password) {
  return !password.empty() && password.Reveal().size() <= kMaxPasswordBytes;
}

// Unpadded standard base64 length of n bytes, as the PHC format writes salt and hash.
size_t Base64Length(size_t n) { return (4 * n + 2) / 3; }

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

// Parses "name=<decimal>" exactly; false on anything else.
bool ParseParam(std::string_view field, std::string_view name, uint32_t& out) {
  if (field.size() <= name.size() + 1 || field.substr(0, name.size()) != name ||
      field[name.size()] != '=') {
    return false;
  }
  const std::string_view digits = field.substr(name.size() + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return ec == std::errc() && end == digits.data() + digits.size();
}

}  // namespace

PasswordHasher::Params PasswordHasher::Params::ForTests() {
  Params p;
  p.memory_kib = 64;
  p.iterations = 1;
  p.parallelism = 1;
  return p;
}

PasswordHasher::PasswordHasher(SecureRandom& random) : PasswordHasher(random, Params{}) {}

PasswordHasher::PasswordHasher(SecureRandom& random, Params params)
    : random_(random), params_(params) {}

Result<std::string> PasswordHasher::Hash(const Secret& password) {
  if (!AcceptablePassword(password)) {
    return core::Errc::kInvalidArgument;
  }
  std::vector<uint8_t> salt(params_.salt_bytes);
  random_.Fill(salt);
  return HashWithSalt(password, salt.data());
}

Result<std::string> PasswordHasher::HashWithSalt(const Secret& password,
                                                 const uint8_t* salt) const {
  const size_t encoded_len =
      argon2_encodedlen(params_.iterations, params_.memory_kib, params_.parallelism,
                        params_.salt_bytes, params_.hash_bytes, Argon2_id);
  std::string encoded(encoded_len, '\0');
  const std::string_view pwd = password.Reveal();
  const int rc = argon2id_hash_encoded(params_.iterations, params_.memory_kib, params_.parallelism,
                                       pwd.data(), pwd.size(), salt, params_.salt_bytes,
                                       params_.hash_bytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    // Invalid parameters are a configuration bug; at run time this is out of memory.
    return core::Errc::kCryptoFailure;
  }
  encoded.resize(encoded.find('\0'));  // argon2_encodedlen() counts the terminator
  return encoded;
}

bool PasswordHasher::Verify(std::string_view encoded, const Secret& password) const {
  // A too long password is refused before any work: the cap bounds what a request can cost.
  if (!AcceptablePassword(password) || !encoded.starts_with("$argon2id$")) {
    return false;
  }
  const std::string encoded_z(encoded);  // libargon2 wants a NUL-terminated string
  const std::string_view pwd = password.Reveal();
  verifications_.fetch_add(1, std::memory_order_relaxed);
  // libargon2 recomputes the tag with the encoded parameters and compares it in constant time
  // (argon2_compare in its core.c).
  return argon2id_verify(encoded_z.c_str(), pwd.data(), pwd.size()) == ARGON2_OK;
}

void PasswordHasher::VerifyDummy(const Secret& password) const {
  std::call_once(dummy_once_, [this] {
    std::vector<uint8_t> salt(params_.salt_bytes);
    random_.Fill(salt);
    auto encoded = HashWithSalt(Secret(std::string(kDummyPassword)), salt.data());
    if (encoded) {
      dummy_encoded_ = std::move(*encoded);
    }
  });
  // Same work as a real Verify() (same parameters, same password); the result is meaningless.
  // An unacceptable password returns early here exactly as it does in Verify().
  static_cast<void>(Verify(dummy_encoded_, password));
}

bool PasswordHasher::NeedsRehash(std::string_view encoded) const {
  // "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" (PHC string format).
  const auto parts = Split(encoded, '$');
  if (parts.size() != 6 || !parts[0].empty() || parts[1] != "argon2id" ||
      parts[2] != "v=" + std::to_string(ARGON2_VERSION_NUMBER)) {
    return true;
  }
  const auto costs = Split(parts[3], ',');
  uint32_t m = 0;
  uint32_t t = 0;
  uint32_t p = 0;
  if (costs.size() != 3 || !ParseParam(costs[0], "m", m) || !ParseParam(costs[1], "t", t) ||
      !ParseParam(costs[2], "p", p)) {
    return true;
  }
  return m != params_.memory_kib || t != params_.iterations || p != params_.parallelism ||
         parts[4].size() != Base64Length(params_.salt_bytes) ||
         parts[5].size() != Base64Length(params_.hash_bytes);
}

bool PasswordHasher::HashAsync(core::WorkerPool& pool, Secret password,
                               std::function<void(Result<std::string>)> done) {
  return pool.Post(
      [this, password = std::move(password), done = std::move(done)] { done(Hash(password)); });
}

bool PasswordHasher::VerifyAsync(core::WorkerPool& pool, std::string encoded, Secret password,
                                 std::function<void(bool)> done) const {
  return pool.Post([this, encoded = std::move(encoded), password = std::move(password),
                    done = std::move(done)] { done(Verify(encoded, password)); });
}

bool PasswordHasher::VerifyDummyAsync(core::WorkerPool& pool, Secret password,
                                      std::function<void()> done) const {
  return pool.Post([this, password = std::move(password), done = std::move(done)] {
    VerifyDummy(password);
    done();
  });
}

}  // namespace mcpauth::oauth
