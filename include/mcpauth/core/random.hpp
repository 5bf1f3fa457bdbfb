// SecureRandom: the only source of randomness for secrets (tokens, codes, ids, salts).
//
// Production uses OpenSSL's CSPRNG (RAND_bytes); tests inject test/fakes' SequenceRandom for
// deterministic output. Thread-safety: OpenSslRandom is safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace mcpauth {

class SecureRandom {
 public:
  virtual ~SecureRandom() = default;
  // Fills `out` with cryptographically secure random bytes. Aborts if the CSPRNG fails: there is
  // no safe way to continue without randomness.
  virtual void Fill(std::span<uint8_t> out) = 0;
};

class OpenSslRandom final : public SecureRandom {
 public:
  void Fill(std::span<uint8_t> out) override;
  static OpenSslRandom& Instance();
};

}  // namespace mcpauth
