// Fuzz target: WWW-Authenticate parsing and formatting, and Authorization: Bearer extraction
// (src/http/www_authenticate.cpp).
//
// Invariants beyond "no crash":
//   - a parsed challenge list respects the caps; schemes and parameter names are non-empty
//     tokens, names lower-case and unique per challenge; a token68 challenge has no parameters;
//   - FormatChallenges(parsed) parses back to the same challenges whenever every value is
//     printable ASCII (the formatter drops everything else by design);
//   - whatever FormatChallenge() is given, its output holds no CR, LF, NUL or other control;
//   - the input split on LF into several field lines, when it parses, parses as the lines joined
//     with ", " (RFC 9110 §5.3);
//   - BearerToken() returns only a b64token inside its argument, and whatever it accepts the
//     challenge parser reads as one "Bearer <token68>".
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "mcpauth/http/message.hpp"
#include "mcpauth/http/www_authenticate.hpp"

namespace {

using mcpauth::http::Challenge;
using mcpauth::http::FormatChallenge;
using mcpauth::http::FormatChallenges;
using mcpauth::http::IsToken;
using mcpauth::http::ParseWwwAuthenticate;

bool IsB64TokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7E) {
      return false;
    }
  }
  return true;
}

void CheckParsed(const std::vector<Challenge>& challenges) {
  FUZZ_CHECK(challenges.size() <= mcpauth::http::kMaxChallenges);
  for (const Challenge& c : challenges) {
    FUZZ_CHECK(IsToken(c.scheme));
    FUZZ_CHECK(c.token68.empty() || c.params.empty());
    FUZZ_CHECK(c.params.size() <= mcpauth::http::kMaxChallengeParams);
    for (size_t i = 0; i < c.params.size(); ++i) {
      const std::string& name = c.params[i].first;
      FUZZ_CHECK(IsToken(name));
      for (char ch : name) {
        FUZZ_CHECK(!(ch >= 'A' && ch <= 'Z'));
      }
      for (size_t j = 0; j < i; ++j) {
        FUZZ_CHECK(c.params[j].first != name);
      }
      FUZZ_CHECK(c.Param(name).has_value());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const auto parsed = ParseWwwAuthenticate(input);
  if (parsed) {
    CheckParsed(*parsed);
    bool printable = true;
    for (const Challenge& c : *parsed) {
      for (const auto& [name, value] : c.params) {
        printable = printable && IsPrintableAscii(value);
      }
    }
    const std::string formatted = FormatChallenges(*parsed);
    FUZZ_CHECK(!mcpauth::fuzz::HasControl(formatted));
    if (printable && formatted.size() <= mcpauth::http::kMaxWwwAuthenticateBytes) {
      const auto again = ParseWwwAuthenticate(formatted);
      FUZZ_CHECK(again);
      FUZZ_CHECK(*again == *parsed);
    }
  }

  // Several field lines are one comma-separated list (RFC 9110 §5.3).
  std::vector<std::string_view> lines;
  std::string joined;
  for (size_t start = 0; start <= input.size();) {
    const size_t lf = input.find('\n', start);
    const size_t end = lf == std::string_view::npos ? input.size() : lf;
    if (!lines.empty()) {
      joined += ", ";
    }
    lines.push_back(input.substr(start, end - start));
    joined += lines.back();
    start = end + 1;
  }
  if (lines.size() > 1 && joined.size() <= mcpauth::http::kMaxWwwAuthenticateBytes) {
    const auto split = ParseWwwAuthenticate(std::span<const std::string_view>(lines));
    const auto whole = ParseWwwAuthenticate(joined);
    // Not the converse: a quoted-string cannot span two lines, but joined with ", " an
    // unterminated one on a line can close on the next; the line-wise parser refuses it.
    if (split) {
      FUZZ_CHECK(whole);
      FUZZ_CHECK(*split == *whole);
    }
  }

  // The formatter never lets a byte of a hostile scheme, name or value break the header.
  mcpauth::fuzz::Input in(data, size);
  Challenge made;
  made.scheme = std::string(in.Until('\0'));
  const bool token68 = (in.Byte() & 1) != 0;
  while (!in.empty()) {
    std::string name(in.Until('\0'));
    std::string value(in.Until('\0'));
    made.params.emplace_back(std::move(name), std::move(value));
  }
  if (token68 && !made.params.empty()) {
    made.token68 = made.params.front().second;
  }
  const std::string one = FormatChallenge(made);
  FUZZ_CHECK(!mcpauth::fuzz::HasControl(one));
  for (char c : one) {
    FUZZ_CHECK(static_cast<unsigned char>(c) < 0x80);
  }

  // Authorization: Bearer <b64token> (RFC 6750 §2.1).
  if (const auto token = mcpauth::http::BearerToken(input)) {
    FUZZ_CHECK(!token->empty());
    FUZZ_CHECK(token->data() >= input.data() &&
               token->data() + token->size() <= input.data() + input.size());
    size_t i = 0;
    while (i < token->size() && IsB64TokenChar((*token)[i])) {
      ++i;
    }
    FUZZ_CHECK(i > 0);
    while (i < token->size() && (*token)[i] == '=') {
      ++i;
    }
    FUZZ_CHECK(i == token->size());
    const auto as_challenge = ParseWwwAuthenticate(input);
    FUZZ_CHECK(as_challenge && as_challenge->size() == 1);
    FUZZ_CHECK(mcpauth::http::EqualsIgnoreCase((*as_challenge)[0].scheme, "Bearer"));
    FUZZ_CHECK((*as_challenge)[0].token68 == *token);
  }
  return 0;
}
