#include "mcpauth/core/base64url.hpp"

#include <array>

#include "mcpauth/core/errc.hpp"

namespace mcpauth::core {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) {
    v = -1;
  }
  for (int i = 0; i < 64; ++i) {
    t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return t;
}

constexpr auto kDecode = MakeDecodeTable();

}  // namespace

std::string Base64UrlEncode(std::span<const uint8_t> data) {
  // Sized once and written through a pointer: a push_back per character (a capacity check and a
  // size update each) cost several times the encoding itself on the token path.
  std::string out((data.size() * 4 + 2) / 3, '\0');
  char* o = out.data();
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    o[0] = kAlphabet[(v >> 18) & 63];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
    o[3] = kAlphabet[v & 63];
    o += 4;
  }
  const size_t rest = data.size() - i;
  if (rest == 1) {
    const uint32_t v = uint32_t{data[i]} << 16;
    o[0] = kAlphabet[(v >> 18) & 63];
    o[1] = kAlphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    o[0] = kAlphabet[(v >> 18) & 63];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string Base64UrlEncode(std::string_view data) {
  return Base64UrlEncode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  // RFC 4648 §5 without padding: a length of 1 mod 4 can never be produced by an encoder.
  if (text.size() % 4 == 1) {
    return Errc::kInvalidBase64;
  }
  std::string out(text.size() * 3 / 4, '\0');
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    const int8_t v = kDecode[static_cast<uint8_t>(c)];
    if (v < 0) {
      return Errc::kInvalidBase64;  // '=', '+', '/', whitespace and all else are refused
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // RFC 4648 §3.5: the pad bits must be zero, so that each byte string has one encoding.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return Errc::kInvalidBase64;
  }
  return out;
}

}  // namespace mcpauth::core
