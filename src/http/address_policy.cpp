#include "mcpauth/http/address_policy.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace mcpauth::http {
namespace {

// A network prefix: the leading `bits` bits of `bytes`.
struct Prefix {
  std::array<uint8_t, 16> bytes;
  int bits;
};

bool InPrefix(std::span<const uint8_t> address, const Prefix& p) {
  const int whole = p.bits / 8;
  if (std::memcmp(address.data(), p.bytes.data(), static_cast<size_t>(whole)) != 0) {
    return false;
  }
  const int rest = p.bits % 8;
  if (rest == 0) {
    return true;
  }
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (address[static_cast<size_t>(whole)] & mask) ==
         (p.bytes[static_cast<size_t>(whole)] & mask);
}

// IANA IPv4 Special-Purpose Address Registry (RFC 6890): every block that is not globally
// reachable unicast, plus the documentation and benchmarking blocks, which no real document
// lives on. 192.0.0.0/24 is refused whole, though two of its /32s are anycast services.
constexpr Prefix kRefusedIpv4[] = {
    {{0}, 8},              // "this network" (RFC 791), including 0.0.0.0
    {{10}, 8},             // private (RFC 1918)
    {{100, 64}, 10},       // shared address space, carrier-grade NAT (RFC 6598)
    {{127}, 8},            // loopback (RFC 1122 §3.2.1.3)
    {{169, 254}, 16},      // link-local (RFC 3927), where cloud metadata services live
    {{172, 16}, 12},       // private (RFC 1918)
    {{192, 0, 0}, 24},     // IETF protocol assignments (RFC 6890 §2.2.2)
    {{192, 0, 2}, 24},     // documentation TEST-NET-1 (RFC 5737)
    {{192, 168}, 16},      // private (RFC 1918)
    {{198, 18}, 15},       // benchmarking (RFC 2544)
    {{198, 51, 100}, 24},  // documentation TEST-NET-2 (RFC 5737)
    {{203, 0, 113}, 24},   // documentation TEST-NET-3 (RFC 5737)
    {{224}, 4},            // multicast (RFC 5771)
    {{240}, 4},            // reserved (RFC 1112 §4), including 255.255.255.255 broadcast
};

// IPv6 forms judged by the IPv4 address in their last 32 bits.
constexpr Prefix kIpv4Mapped = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, 96};  // RFC 4291
constexpr Prefix kNat64WellKnown = {{0x00, 0x64, 0xFF, 0x9B}, 96};                // RFC 6052 §2.1

// RFC 4291 §2.4: global unicast is what is not otherwise reserved; IANA has allocated only
// 2000::/3 for it. Allowing that block (rather than listing what is forbidden) refuses by default
// every future special-purpose block outside it.
constexpr Prefix kGlobalUnicast = {{0x20}, 3};

// Blocks inside 2000::/3 that are not public destinations.
constexpr Prefix kRefusedIpv6[] = {
    // IETF protocol assignments (RFC 2928), including Teredo 2001::/32 (RFC 4380), whose
    // embedded address is obfuscated and reached through a relay nobody here controls.
    {{0x20, 0x01, 0x00, 0x00}, 23},
    {{0x20, 0x01, 0x0D, 0xB8}, 32},  // documentation (RFC 3849)
    {{0x3F, 0xFF}, 20},              // documentation (RFC 9637)
};

constexpr Prefix kSixToFour = {{0x20, 0x02}, 16};  // RFC 3056 §2: 2002:V4ADDR::/48

}  // namespace

bool IsPublicIpv4(std::span<const uint8_t, 4> address) {
  for (const Prefix& p : kRefusedIpv4) {
    if (InPrefix(address, p)) {
      return false;
    }
  }
  return true;
}

bool IsPublicIpv6(std::span<const uint8_t, 16> address) {
  // An IPv4-mapped address is how a dual-stack socket reaches the IPv4 host inside it, and a
  // NAT64 gateway translates 64:ff9b::a.b.c.d to a.b.c.d: either way the IPv4 address is where
  // the connection ends up, so it decides.
  if (InPrefix(address, kIpv4Mapped) || InPrefix(address, kNat64WellKnown)) {
    return IsPublicIpv4(address.subspan<12, 4>());
  }
  if (!InPrefix(address, kGlobalUnicast)) {
    return false;
  }
  for (const Prefix& p : kRefusedIpv6) {
    if (InPrefix(address, p)) {
      return false;
    }
  }
  // A 6to4 relay delivers 2002:V4ADDR:: to V4ADDR, so 2002:7f00:1:: would reach 127.0.0.1's
  // network: the embedded address decides.
  if (InPrefix(address, kSixToFour)) {
    return IsPublicIpv4(address.subspan<2, 4>());
  }
  return true;
}

bool IsPublicAddress(std::string_view ip_literal) {
  // inet_pton needs a NUL-terminated string; the longest IPv6 text form is 45 characters
  // (INET6_ADDRSTRLEN counts the NUL), so anything longer is not an address.
  char text[INET6_ADDRSTRLEN] = {};
  if (ip_literal.empty() || ip_literal.size() >= sizeof text) {
    return false;
  }
  // An embedded NUL would let inet_pton judge only the text before it ("8.8.8.8\0junk").
  if (std::memchr(ip_literal.data(), '\0', ip_literal.size()) != nullptr) {
    return false;
  }
  std::memcpy(text, ip_literal.data(), ip_literal.size());
  // inet_pton accepts only the strict forms: four decimal octets for IPv4 (no "0x7f.1",
  // "2130706433" or "127.1", which inet_aton would take), RFC 4291 text for IPv6 (no zone).
  std::array<uint8_t, 4> v4{};
  if (::inet_pton(AF_INET, text, v4.data()) == 1) {
    return IsPublicIpv4(v4);
  }
  std::array<uint8_t, 16> v6{};
  if (::inet_pton(AF_INET6, text, v6.data()) == 1) {
    return IsPublicIpv6(v6);
  }
  return false;
}

}  // namespace mcpauth::http
