// IsPublicAddress: every refused block at its first and last address, the addresses just outside
// each block, the IPv6 forms that embed an IPv4 address, and text that is not an address.
#include "mcpauth/http/address_policy.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

namespace mcpauth::http {
namespace {

using namespace std::string_view_literals;

TEST(AddressPolicyTest, RefusesEveryNonPublicIpv4BlockAtBothEnds) {
  for (std::string_view ip : {
           "0.0.0.0",      "0.255.255.255",                       // this network
           "10.0.0.0",     "10.255.255.255",                      // RFC 1918
           "100.64.0.0",   "100.127.255.255",                     // CGNAT
           "127.0.0.0",    "127.0.0.1",       "127.255.255.255",  // loopback
           "169.254.0.0",  "169.254.169.254", "169.254.255.255",  // link-local, metadata
           "172.16.0.0",   "172.31.255.255",                      // RFC 1918
           "192.0.0.0",    "192.0.0.255",                         // IETF protocol assignments
           "192.0.2.0",    "192.0.2.255",                         // TEST-NET-1
           "192.168.0.0",  "192.168.255.255",                     // RFC 1918
           "198.18.0.0",   "198.19.255.255",                      // benchmarking
           "198.51.100.0", "198.51.100.255",                      // TEST-NET-2
           "203.0.113.0",  "203.0.113.255",                       // TEST-NET-3
           "224.0.0.0",    "239.255.255.255",                     // multicast
           "240.0.0.0",    "255.255.255.254", "255.255.255.255",  // reserved, broadcast
       }) {
    EXPECT_FALSE(IsPublicAddress(ip)) << ip;
  }
}

TEST(AddressPolicyTest, AcceptsTheIpv4AddressesJustOutsideEachBlock) {
  for (std::string_view ip : {
           "1.0.0.0",        "9.255.255.255",   "11.0.0.0",        "100.63.255.255",
           "100.128.0.0",    "126.255.255.255", "128.0.0.0",       "169.253.255.255",
           "169.255.0.0",    "172.15.255.255",  "172.32.0.0",      "191.255.255.255",
           "192.0.1.0",      "192.0.3.0",       "192.167.255.255", "192.169.0.0",
           "198.17.255.255", "198.20.0.0",      "198.51.99.255",   "198.51.101.0",
           "203.0.112.255",  "203.0.114.0",     "223.255.255.255", "8.8.8.8",
           "93.184.215.14",
       }) {
    EXPECT_TRUE(IsPublicAddress(ip)) << ip;
  }
}

TEST(AddressPolicyTest, RefusesNonPublicIpv6) {
  for (std::string_view ip : {
           "::",   // unspecified
           "::1",  // loopback
           "fc00::",
           "fd12:3456:789a::1",
           "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",  // ULA
           "fe80::",
           "fe80::1",
           "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",  // link-local
           "fec0::1",                                  // deprecated site-local
           "ff00::",
           "ff02::1",
           "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",  // multicast
           "100::1",                                   // discard-only (RFC 6666)
           "64:ff9b:1::1",
           "64:ff9b:1:ffff::8.8.8.8",  // local-use NAT64 (RFC 8215)
           "::8.8.8.8",
           "::127.0.0.1",                              // deprecated IPv4-compatible
           "::ffff:0:8.8.8.8",                         // IPv4-translated (RFC 2765)
           "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",  // just below 2000::/3
           "4000::",
           "5f00::1",  // above 2000::/3 (unassigned, SRv6)
           "2001::",
           "2001::1",
           "2001:0:4136:e378:8000:63bf:3fff:fdd2",    // Teredo
           "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",  // end of 2001::/23
           "2001:db8::",
           "2001:db8::1",
           "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",  // docs
           "3fff::",
           "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff",  // docs
       }) {
    EXPECT_FALSE(IsPublicAddress(ip)) << ip;
  }
}

TEST(AddressPolicyTest, AcceptsGlobalUnicastIpv6JustOutsideEachBlock) {
  for (std::string_view ip : {
           "2000::",                                  // first of 2000::/3
           "2001:200::",                              // just past 2001::/23
           "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",  // just below 2001:db8::/32
           "2001:db9::",                              // just past it
           "2001:4860:4860::8888", "2606:4700:4700::1111",
           "2003::1",                                  // just past 2002::/16
           "3ffe:ffff::1", "3fff:1000::",              // around 3fff::/20
           "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",  // last of 2000::/3
       }) {
    EXPECT_TRUE(IsPublicAddress(ip)) << ip;
  }
}

TEST(AddressPolicyTest, Ipv4MappedAndNat64AreJudgedByTheEmbeddedAddress) {
  for (std::string_view ip : {
           "::ffff:127.0.0.1",
           "::ffff:7f00:1",
           "::ffff:10.1.2.3",
           "::ffff:169.254.169.254",
           "::ffff:0.0.0.0",
           "::ffff:192.168.1.1",
           "::ffff:255.255.255.255",
           "64:ff9b::127.0.0.1",
           "64:ff9b::a01:203",
           "64:ff9b::c0a8:101",
           "64:ff9b::100.64.0.1",
       }) {
    EXPECT_FALSE(IsPublicAddress(ip)) << ip;
  }
  for (std::string_view ip :
       {"::ffff:8.8.8.8", "::ffff:808:808", "64:ff9b::8.8.8.8", "64:ff9b::5db8:d70e"}) {
    EXPECT_TRUE(IsPublicAddress(ip)) << ip;
  }
}

// RFC 3056: 2002:AABB:CCDD::/48 is the 6to4 site of AA.BB.CC.DD.
TEST(AddressPolicyTest, SixToFourIsJudgedByTheEmbeddedAddress) {
  for (std::string_view ip :
       {"2002::", "2002:7f00:1::1", "2002:a00:1::", "2002:c0a8:101::1",
        "2002:a9fe:a9fe::", "2002:ac10::1", "2002:e000::1", "2002:ffff:ffff::"}) {
    EXPECT_FALSE(IsPublicAddress(ip)) << ip;
  }
  for (std::string_view ip : {"2002:808:808::1", "2002:5db8:d70e:1::1"}) {
    EXPECT_TRUE(IsPublicAddress(ip)) << ip;
  }
}

TEST(AddressPolicyTest, TextThatIsNotAStrictAddressIsNotPublic) {
  for (std::string_view text : {
           ""sv,
           " "sv,
           "localhost"sv,
           "example.com"sv,
           "8.8.8.8 "sv,
           " 8.8.8.8"sv,
           "8.8.8.8."sv,
           "8.8.8"sv,
           "8.8.8.8.8"sv,
           "256.8.8.8"sv,
           "8.8.8.-1"sv,
           "134744072"sv,   // 8.8.8.8 as one number: inet_aton's form, not an address
           "0x08080808"sv,  // likewise in hex
           "010.8.8.8"sv,   // octal-looking octets are ambiguous
           "8.8.8.8/32"sv,
           "8.8.8.8:80"sv,
           "[2001:4860::1]"sv,
           "2001:4860::1%eth0"sv,
           "2001:4860::1%1"sv,
           "2001:4860:::1"sv,
           "2001:4860::g"sv,
           "::ffff:8.8.8.8:80"sv,
           "8.8.8.8\0"sv,
           "8.8.8.8\0junk"sv,
           "\0008.8.8.8"sv,
       }) {
    EXPECT_FALSE(IsPublicAddress(text)) << text;
  }
  EXPECT_FALSE(IsPublicAddress(std::string(45, '1')));
  EXPECT_FALSE(IsPublicAddress(std::string(4096, ':')));
}

TEST(AddressPolicyTest, ByteFormsAgreeWithTheTextForm) {
  EXPECT_TRUE(IsPublicIpv4(std::array<uint8_t, 4>{8, 8, 8, 8}));
  EXPECT_FALSE(IsPublicIpv4(std::array<uint8_t, 4>{127, 0, 0, 1}));
  EXPECT_FALSE(IsPublicIpv4(std::array<uint8_t, 4>{172, 20, 0, 1}));
  std::array<uint8_t, 16> v6{};
  EXPECT_FALSE(IsPublicIpv6(v6));  // ::
  v6[15] = 1;
  EXPECT_FALSE(IsPublicIpv6(v6));  // ::1
  v6 = {0x26, 0x06, 0x47, 0x00, 0x47, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11};
  EXPECT_TRUE(IsPublicIpv6(v6));
  v6 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 0, 0, 1};
  EXPECT_FALSE(IsPublicIpv6(v6));  // ::ffff:10.0.0.1
}

}  // namespace
}  // namespace mcpauth::http
