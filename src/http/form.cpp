#include "mcpauth/http/form.hpp"

#include <algorithm>
#include <boost/url/encode.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/error.hpp>
#include <boost/url/params_encoded_view.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cstdint>
#include <unordered_set>

namespace mcpauth::http {
namespace {

// Above this many parameters the duplicate check uses a hash set instead of comparing pairs.
constexpr size_t kLinearDuplicateScanLimit = 32;

// RFC 3629 §4: the length of the well-formed UTF-8 sequence at s[i] (a non-ASCII lead byte), or 0.
// Rejects overlong forms, surrogates and code points above U+10FFFF, so one text has exactly one
// byte form.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t len = 0;
  uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07u;
  } else {
    return 0;
  }
  if (s.size() - i < len) {
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    const auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0u) != 0x80u) {
      return 0;
    }
    cp = (cp << 6) | (d & 0x3Fu);
  }
  if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) {
    return 0;
  }
  if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) {
    return 0;
  }
  return len;
}

// Checks a decoded name or value against the options in one pass; kOk when acceptable.
CodecErrc CheckDecoded(std::string_view s, const FormParseOptions& opts) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      ++i;  // printable ASCII: the common case
      continue;
    }
    if (c < 0x80) {
      // C0 control or DEL.
      if (!opts.allow_control_characters) {
        return CodecErrc::kControlCharacter;
      }
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      if (!opts.allow_invalid_utf8) {
        return CodecErrc::kInvalidUtf8;
      }
      ++i;
      continue;
    }
    i += len;
  }
  return CodecErrc::kOk;
}

// The index of the first parameter whose name occurred earlier, or params.size().
size_t FindDuplicate(const std::vector<Form::Param>& params) {
  const size_t n = params.size();
  if (n <= kLinearDuplicateScanLimit) {
    for (size_t i = 1; i < n; ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (params[i].first == params[j].first) {
          return i;
        }
      }
    }
    return n;
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!seen.insert(params[i].first).second) {
      return i;
    }
  }
  return n;
}

Result<Form> Fail(CodecErrc code, std::string parameter, FormParseError* error) {
  if (error != nullptr) {
    error->code = code;
    error->parameter = std::move(parameter);
  }
  return code;
}

}  // namespace

std::optional<std::string_view> Form::Get(std::string_view name) const {
  for (const auto& [n, v] : params_) {
    if (n == name) {
      return std::string_view(v);
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> Form::GetNonEmpty(std::string_view name) const {
  auto value = Get(name);
  if (value && value->empty()) {
    return std::nullopt;  // RFC 6749 §3.1: a parameter without a value is treated as omitted
  }
  return value;
}

std::vector<std::string_view> Form::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : params_) {
    if (n == name) {
      out.emplace_back(v);
    }
  }
  return out;
}

Result<Form> ParseForm(std::string_view body, const FormParseOptions& opts, FormParseError* error) {
  if (error != nullptr) {
    *error = {};
  }
  if (body.size() > opts.max_bytes) {
    return Fail(CodecErrc::kTooLarge, {}, error);
  }
  // Boost.URL splits on '&' and '=' and validates every percent-escape (RFC 3986 §2.1); the
  // query grammar also refuses raw characters that an encoder must have escaped. It gets a
  // NUL-terminated copy: Boost.URL 1.81's parse_query() sizes its result with strlen() of the
  // view's data, so on a view that is not followed by a NUL it reads past the end and parses
  // whatever comes next (a null view crashes it). Found by fuzz/form_fuzz.cpp. The grammar
  // refuses a raw NUL before that point, so on the copy strlen() is the size.
  const std::string text(body);
  auto parsed = boost::urls::parse_query(boost::urls::string_view(text.data(), text.size()));
  if (!parsed) {
    const auto ec = parsed.error();
    if (ec == boost::urls::error::bad_pct_hexdig || ec == boost::urls::error::missing_pct_hexdig ||
        ec == boost::urls::error::incomplete_encoding) {
      return Fail(CodecErrc::kInvalidPercentEncoding, {}, error);
    }
    return Fail(CodecErrc::kMalformed, {}, error);
  }

  // WHATWG URL §5.1 (as RFC 6749 Appendix B uses it): '+' is a space.
  boost::urls::encoding_opts decode_opts;
  decode_opts.space_as_plus = true;

  std::vector<Form::Param> params;
  params.reserve(std::min(parsed->size(), opts.max_parameters));
  for (const auto param : *parsed) {
    if (param.key.empty() && !param.has_value) {
      continue;  // WHATWG URL §5.1 step 3.1: empty sequences between '&' are skipped
    }
    if (params.size() == opts.max_parameters) {
      return Fail(CodecErrc::kTooManyParameters, {}, error);
    }
    std::string name = param.key.decode(decode_opts);
    if (auto code = CheckDecoded(name, opts); code != CodecErrc::kOk) {
      return Fail(code, {}, error);
    }
    std::string value = param.has_value ? param.value.decode(decode_opts) : std::string();
    if (auto code = CheckDecoded(value, opts); code != CodecErrc::kOk) {
      return Fail(code, std::move(name), error);
    }
    params.emplace_back(std::move(name), std::move(value));
  }

  // RFC 6749 §3.1/§3.2: "Request and response parameters MUST NOT be included more than once."
  if (!opts.allow_duplicates) {
    if (size_t i = FindDuplicate(params); i != params.size()) {
      return Fail(CodecErrc::kDuplicateParameter, std::move(params[i].first), error);
    }
  }
  return Form(std::move(params));
}

std::string FormEncode(std::string_view text) {
  // RFC 6749 Appendix B: space as '+', everything outside the unreserved set percent-encoded
  // (so '+' itself becomes %2B and survives the round trip).
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  return boost::urls::encode(boost::urls::string_view(text.data(), text.size()),
                             boost::urls::unreserved_chars, opts);
}

std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) {
      out.push_back('&');
    }
    out += FormEncode(name);
    out.push_back('=');
    out += FormEncode(value);
  }
  return out;
}

}  // namespace mcpauth::http
