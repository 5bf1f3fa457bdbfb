// Micro-benchmarks of the jose module: raw ES256 sign/verify, and a full JWT encode and verify
// (what the authorization server pays per access token, and the resource server per uncached
// request). Run with --benchmark_min_time=0.5 (Benchmark 1.7 takes seconds as a bare number).
#include <benchmark/benchmark.h>

#include <boost/json/object.hpp>
#include <cstdlib>
#include <memory>
#include <string>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/jose/jwk.hpp"
#include "mcpauth/jose/jwks.hpp"
#include "mcpauth/jose/jws.hpp"
#include "mcpauth/jose/jwt.hpp"

namespace {

using mcpauth::jose::EcKey;

constexpr int64_t kNow = 1'700'000'000;
constexpr char kIssuer[] = "https://as.example";
constexpr char kAudience[] = "https://rs.example/mcp";

class FixedClock final : public mcpauth::Clock {
 public:
  TimePoint Now() const override { return TimePoint(std::chrono::seconds(kNow)); }
};

template <class T>
T OrDie(mcpauth::Result<T> r) {
  if (!r) {
    std::abort();  // a benchmark with a broken fixture measures nothing
  }
  return std::move(*r);
}

const EcKey& Key() {
  static const EcKey key = OrDie(EcKey::Generate());
  return key;
}

// A typical RFC 9068 access token's claims (~350 bytes of JSON).
boost::json::object Claims() {
  return {{"iss", kIssuer},
          {"sub", "user-4f1c2a"},
          {"aud", kAudience},
          {"client_id", "https://client.example/metadata.json"},
          {"scope", "mcp:tools mcp:resources"},
          {"iat", kNow - 10},
          {"exp", kNow + 3600},
          {"jti", "0b8f2c7e9d4a4e1f8c3b5a6d7e8f9a0b"},
          {"grant_id", "g-1f2e3d4c5b6a"}};
}

void BM_Es256Sign(benchmark::State& state) {
  const std::string input(300, 'a');
  for (auto _ : state) {
    benchmark::DoNotOptimize(mcpauth::jose::SignEs256(Key(), input));
  }
}
BENCHMARK(BM_Es256Sign);

void BM_Es256Verify(benchmark::State& state) {
  const std::string input(300, 'a');
  const std::string signature = OrDie(mcpauth::jose::SignEs256(Key(), input));
  const EcKey public_key = OrDie(Key().PublicOnly());
  for (auto _ : state) {
    benchmark::DoNotOptimize(mcpauth::jose::VerifyEs256(public_key, input, signature));
  }
}
BENCHMARK(BM_Es256Verify);

void BM_JwtEncode(benchmark::State& state) {
  const boost::json::object claims = Claims();
  for (auto _ : state) {
    benchmark::DoNotOptimize(mcpauth::jose::EncodeJwt(Key(), "k1", "at+jwt", claims));
  }
}
BENCHMARK(BM_JwtEncode);

// Every step of JwtVerifier::Verify: decoding, header policy, kid lookup, signature, claims.
void BM_JwtVerify(benchmark::State& state) {
  auto jwks = std::make_shared<mcpauth::jose::Jwks>();
  if (!jwks->Add("k1", OrDie(Key().PublicOnly()))) {
    std::abort();
  }
  const FixedClock clock;
  mcpauth::jose::JwtVerifier verifier(clock, mcpauth::jose::JwksResolver(jwks));
  verifier.RequireIssuer(kIssuer).RequireAudience(kAudience).RequireType("at+jwt");
  const std::string token = OrDie(mcpauth::jose::EncodeJwt(Key(), "k1", "at+jwt", Claims()));
  if (!verifier.Verify(token)) {
    std::abort();
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(verifier.Verify(token));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * token.size()));
}
BENCHMARK(BM_JwtVerify);

}  // namespace
