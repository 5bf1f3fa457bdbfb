#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <limits>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/random.hpp"

namespace mcpauth {

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

void OpenSslRandom::Fill(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    const size_t n = std::min<size_t>(out.size() - done, std::numeric_limits<int>::max());
    if (RAND_bytes(out.data() + done, static_cast<int>(n)) != 1) {
      // Without a working CSPRNG no token we issue would be safe: stop rather than continue.
      std::fputs("mcpauth: RAND_bytes failed; aborting\n", stderr);
      std::abort();
    }
    done += n;
  }
}

OpenSslRandom& OpenSslRandom::Instance() {
  static OpenSslRandom random;
  return random;
}

}  // namespace mcpauth
