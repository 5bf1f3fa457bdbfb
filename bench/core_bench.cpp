// Micro-benchmarks of the core primitives every request pays for.
#include <benchmark/benchmark.h>

#include <string>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/core/random.hpp"
#include "mcpauth/core/token.hpp"

namespace {

using namespace mcpauth;

void BM_Base64UrlEncode32(benchmark::State& state) {
  const std::string data(32, '\x5a');
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::Base64UrlEncode(data));
  }
}
BENCHMARK(BM_Base64UrlEncode32);

void BM_Base64UrlDecodeJwtPayload(benchmark::State& state) {
  const std::string encoded = core::Base64UrlEncode(std::string(300, 'p'));
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::Base64UrlDecode(encoded));
  }
}
BENCHMARK(BM_Base64UrlDecodeJwtPayload);

void BM_Sha256(benchmark::State& state) {
  const std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::Sha256(data));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(64)->Arg(1024);

void BM_HmacSha256Reused(benchmark::State& state) {
  const core::HmacSha256 mac(std::string(32, 'k'));
  const std::string data(64, 'x');
  for (auto _ : state) {
    benchmark::DoNotOptimize(mac.Mac(data));
  }
}
BENCHMARK(BM_HmacSha256Reused);

void BM_HmacSha256NewKey(benchmark::State& state) {
  const std::string key(32, 'k');
  const std::string data(64, 'x');
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::HmacSha256(key).Mac(data));
  }
}
BENCHMARK(BM_HmacSha256NewKey);

void BM_ConstantTimeEquals32(benchmark::State& state) {
  const std::string a(32, 'a');
  const std::string b(32, 'a');
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::ConstantTimeEquals(a, b));
  }
}
BENCHMARK(BM_ConstantTimeEquals32);

void BM_GenerateToken(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::GenerateToken(OpenSslRandom::Instance()));
  }
}
BENCHMARK(BM_GenerateToken);

void BM_TokenHash(benchmark::State& state) {
  const std::string token(43, 't');
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::TokenHash(token));
  }
}
BENCHMARK(BM_TokenHash);

}  // namespace
