#include "mcpauth/http/www_authenticate.hpp"

#include "mcpauth/http/message.hpp"

namespace mcpauth::http {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 9110 §11.2 token68 and RFC 6750 §2.1 b64token share this alphabet (before the '=' tail).
bool IsToken68Char(char c) {
  return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' ||
         c == '/';
}

bool IsOws(char c) { return c == ' ' || c == '\t'; }  // RFC 9110 §5.6.3

// RFC 9110 §5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
bool IsQdtext(unsigned char c) {
  return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) ||
         (c >= 0x5D && c <= 0x7E) || c >= 0x80;
}

// RFC 9110 §5.6.4: quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
bool IsQuotedPairChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7F); }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::string KeepTchars(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (IsTokenChar(c)) {
      out.push_back(c);
    }
  }
  return out;
}

// A cursor over one field value. Every method advances at least one byte or fails, so parsing
// is linear in the input.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  bool AtEnd() const { return pos_ == s_.size(); }
  char Peek() const { return s_[pos_]; }
  size_t pos() const { return pos_; }
  void Advance() { ++pos_; }
  void Seek(size_t pos) { pos_ = pos; }

  void SkipOws() {
    while (!AtEnd() && IsOws(s_[pos_])) {
      ++pos_;
    }
  }

  std::string_view ReadToken() {
    const size_t start = pos_;
    while (!AtEnd() && IsTokenChar(s_[pos_])) {
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }

  // token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  std::string_view ReadToken68() {
    const size_t start = pos_;
    while (!AtEnd() && IsToken68Char(s_[pos_])) {
      ++pos_;
    }
    if (pos_ == start) {
      return {};
    }
    while (!AtEnd() && s_[pos_] == '=') {
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }

  // RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE. Expects the
  // opening quote at the cursor; stores the unescaped content.
  bool ReadQuotedString(std::string& out) {
    ++pos_;  // opening DQUOTE
    while (!AtEnd()) {
      const auto c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') {
        return true;
      }
      if (c == '\\') {
        if (AtEnd() || !IsQuotedPairChar(static_cast<unsigned char>(s_[pos_]))) {
          return false;
        }
        out.push_back(s_[pos_++]);
        continue;
      }
      if (!IsQdtext(c)) {
        return false;  // CR, LF, NUL and other controls cannot appear in a quoted-string
      }
      out.push_back(static_cast<char>(c));
    }
    return false;  // unterminated
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// auth-param = token BWS "=" BWS ( token / quoted-string ), with the cursor on the name.
CodecErrc ReadAuthParam(Lexer& lex, Challenge& challenge) {
  const std::string_view name = lex.ReadToken();
  if (name.empty()) {
    return CodecErrc::kMalformed;
  }
  lex.SkipOws();
  if (lex.AtEnd() || lex.Peek() != '=') {
    return CodecErrc::kMalformed;
  }
  lex.Advance();
  lex.SkipOws();
  std::string value;
  if (!lex.AtEnd() && lex.Peek() == '"') {
    if (!lex.ReadQuotedString(value)) {
      return CodecErrc::kMalformed;
    }
  } else {
    const std::string_view token = lex.ReadToken();
    if (token.empty()) {
      return CodecErrc::kMalformed;
    }
    value.assign(token);
  }
  std::string lower = ToLower(name);
  for (const auto& [n, v] : challenge.params) {
    if (n == lower) {
      return CodecErrc::kDuplicateParameter;  // RFC 9110 §11.2: "MUST only occur once"
    }
  }
  if (challenge.params.size() == kMaxChallengeParams) {
    return CodecErrc::kTooManyParameters;
  }
  challenge.params.emplace_back(std::move(lower), std::move(value));
  return CodecErrc::kOk;
}

// The state carried from one field line to the next: RFC 9110 §5.3 makes several lines equal to
// one comma-joined value, so an auth-param may continue the previous line's challenge.
struct ListState {
  std::vector<Challenge> challenges;
  // Index of the challenge that auth-params attach to; none before the first challenge and
  // after a token68 (RFC 9110 §11.2: a token68 challenge has no auth-params).
  std::optional<size_t> current;
};

// Appends the challenges of one field value; kOk on success.
CodecErrc ParseInto(std::string_view value, ListState& state) {
  std::vector<Challenge>& out = state.challenges;
  Lexer lex(value);
  bool expect_separator = false;
  while (true) {
    lex.SkipOws();
    if (lex.AtEnd()) {
      return CodecErrc::kOk;
    }
    if (lex.Peek() == ',') {
      lex.Advance();
      expect_separator = false;
      continue;
    }
    if (expect_separator) {
      return CodecErrc::kMalformed;  // two elements without a comma between them
    }
    expect_separator = true;

    const size_t element_start = lex.pos();
    const std::string_view word = lex.ReadToken();
    if (word.empty()) {
      return CodecErrc::kMalformed;
    }
    const size_t after_word = lex.pos();
    lex.SkipOws();

    if (!lex.AtEnd() && lex.Peek() == '=') {
      // "name = value": an auth-param continuing the current challenge.
      if (!state.current) {
        return CodecErrc::kMalformed;
      }
      lex.Seek(element_start);
      if (auto code = ReadAuthParam(lex, out[*state.current]); code != CodecErrc::kOk) {
        return code;
      }
      continue;
    }

    // Any other token starts a challenge.
    if (out.size() == kMaxChallenges) {
      return CodecErrc::kTooManyParameters;
    }
    out.push_back(Challenge{std::string(word), {}, {}});
    state.current = out.size() - 1;
    if (lex.AtEnd() || lex.Peek() == ',') {
      continue;  // a scheme without parameters
    }
    if (lex.pos() == after_word) {
      return CodecErrc::kMalformed;  // RFC 9110 §11.2: the scheme is followed by 1*SP
    }

    // token68 or the first auth-param. A token68 is followed only by OWS and then ',' or the end;
    // anything else ('"', a token after '=') makes it an auth-param.
    const size_t after_space = lex.pos();
    const std::string_view token68 = lex.ReadToken68();
    lex.SkipOws();
    if (!token68.empty() && (lex.AtEnd() || lex.Peek() == ',')) {
      out.back().token68.assign(token68);
      state.current.reset();
      continue;
    }
    lex.Seek(after_space);
    if (auto code = ReadAuthParam(lex, out.back()); code != CodecErrc::kOk) {
      return code;
    }
  }
}

}  // namespace

std::optional<std::string_view> Challenge::Param(std::string_view name) const {
  for (const auto& [n, v] : params) {
    if (EqualsIgnoreCase(n, name)) {
      return std::string_view(v);
    }
  }
  return std::nullopt;
}

std::string FormatChallenge(const Challenge& challenge) {
  std::string out = KeepTchars(challenge.scheme);
  if (!challenge.token68.empty()) {
    std::string token68;
    for (char c : challenge.token68) {
      if (IsToken68Char(c) || c == '=') {
        token68.push_back(c);
      }
    }
    if (!token68.empty()) {
      out.push_back(' ');
      out += token68;
    }
    return out;
  }
  bool first = true;
  for (const auto& [raw_name, value] : challenge.params) {
    const std::string name = KeepTchars(raw_name);
    if (name.empty()) {
      continue;
    }
    out += first ? " " : ", ";
    first = false;
    out += name;
    out += "=\"";
    for (char ch : value) {
      const auto c = static_cast<unsigned char>(ch);
      // Never header injection: CR, LF and every other control, DEL and non-ASCII are dropped;
      // what remains is VCHAR / SP, with '"' and '\' as quoted-pairs (RFC 9110 §5.6.4).
      if (c < 0x20 || c > 0x7E) {
        continue;
      }
      if (c == '"' || c == '\\') {
        out.push_back('\\');
      }
      out.push_back(ch);
    }
    out.push_back('"');
  }
  return out;
}

std::string FormatChallenges(std::span<const Challenge> challenges) {
  std::string out;
  for (const auto& challenge : challenges) {
    if (!out.empty()) {
      out += ", ";
    }
    out += FormatChallenge(challenge);
  }
  return out;
}

Result<std::vector<Challenge>> ParseWwwAuthenticate(std::string_view header_value) {
  return ParseWwwAuthenticate(std::span<const std::string_view>(&header_value, 1));
}

Result<std::vector<Challenge>> ParseWwwAuthenticate(
    std::span<const std::string_view> field_values) {
  size_t total = 0;
  for (std::string_view value : field_values) {
    total += value.size();
  }
  if (total > kMaxWwwAuthenticateBytes) {
    return CodecErrc::kTooLarge;
  }
  ListState state;
  for (std::string_view value : field_values) {
    if (auto code = ParseInto(value, state); code != CodecErrc::kOk) {
      return code;
    }
  }
  return std::move(state.challenges);
}

const Challenge* FindChallenge(std::span<const Challenge> challenges, std::string_view scheme) {
  for (const auto& challenge : challenges) {
    if (EqualsIgnoreCase(challenge.scheme, scheme)) {
      return &challenge;
    }
  }
  return nullptr;
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  while (!authorization.empty() && IsOws(authorization.front())) {
    authorization.remove_prefix(1);
  }
  while (!authorization.empty() && IsOws(authorization.back())) {
    authorization.remove_suffix(1);
  }
  // RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive
  // (RFC 9110 §11.1).
  constexpr std::string_view kScheme = "Bearer";
  if (authorization.size() <= kScheme.size() ||
      !EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme) ||
      authorization[kScheme.size()] != ' ') {
    return std::nullopt;
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') {
    token.remove_prefix(1);
  }
  // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  size_t i = 0;
  while (i < token.size() && IsToken68Char(token[i])) {
    ++i;
  }
  if (i == 0) {
    return std::nullopt;
  }
  while (i < token.size() && token[i] == '=') {
    ++i;
  }
  if (i != token.size()) {
    return std::nullopt;  // a second word, a comma, a quote, a control character...
  }
  return token;
}

}  // namespace mcpauth::http
