// Address policy: is an IP address a public, globally routable unicast destination?
//
// What a server that fetches URLs chosen by others (Client ID Metadata Documents) may connect
// to: the answer is false for every address that reaches this host, its networks, or nothing in
// particular. The HTTP client applies it to each resolved address before connecting when
// ClientOptions::public_addresses_only is set. Refused (IANA special-purpose registries, RFC 6890
// and successors):
//   IPv4  0.0.0.0/8 (this network), 10/8, 172.16/12, 192.168/16 (RFC 1918), 100.64/10 (CGNAT,
//         RFC 6598), 127/8 (loopback), 169.254/16 (link-local), 192.0.0/24 (IETF protocol
//         assignments), 192.0.2/24, 198.51.100/24, 203.0.113/24 (documentation, RFC 5737),
//         198.18/15 (benchmarking), 224/4 (multicast), 240/4 (reserved, with 255.255.255.255).
//   IPv6  everything outside 2000::/3 (global unicast, RFC 4291 §2.4) — so ::, ::1, fc00::/7,
//         fe80::/10, fec0::/10, ff00::/8, 100::/64, 64:ff9b:1::/48 (local-use NAT64, RFC 8215)
//         and the rest of the unassigned space — except the two forms that embed an IPv4
//         address, which are judged by that address: ::ffff:0:0/96 (IPv4-mapped, RFC 4291
//         §2.5.5.2) and 64:ff9b::/96 (well-known NAT64 prefix, RFC 6052). Inside 2000::/3:
//         2001::/23 (IETF protocol assignments, including Teredo 2001::/32), 2001:db8::/32 and
//         3fff::/20 (documentation, RFC 3849 and RFC 9637) are refused, and 2002::/16 (6to4,
//         RFC 3056) is judged by the IPv4 address in bits 16..47.
// Anything that does not parse as an address is not public. Pure functions, no I/O; safe from
// any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace mcpauth::http {

// `ip_literal` is a dotted-quad IPv4 address ("192.0.2.1") or an RFC 4291 §2.2 IPv6 address
// ("2001:db8::1", "::ffff:10.0.0.1") without brackets or zone index. False if it does not parse.
bool IsPublicAddress(std::string_view ip_literal);

// The same judgement on an address in network byte order.
bool IsPublicIpv4(std::span<const uint8_t, 4> address);
bool IsPublicIpv6(std::span<const uint8_t, 16> address);

}  // namespace mcpauth::http
