// application/x-www-form-urlencoded bodies, as OAuth uses them (RFC 6749 Appendix B, WHATWG URL
// §5): the token, revocation, introspection and consent-form requests.
//
// ParseForm() is strict where leniency would hide an attack or a broken client: a '%' must start a
// valid escape, decoded names and values must be UTF-8 without control characters, the body and
// the number of parameters are capped, and a parameter that occurs twice is an error naming it
// (RFC 6749 §3.1/§3.2: "Request and response parameters MUST NOT be included more than once").
// It performs no I/O, so it is fuzzed directly.
//
// Thread-safety: free functions are pure; a Form is a plain value type. Ownership: a Form owns
// its decoded strings; the views it returns live as long as the Form.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mcpauth/core/result.hpp"
#include "mcpauth/http/codec_errc.hpp"

namespace mcpauth::http {

// Decoded name/value pairs in the order received. Names are case-sensitive (RFC 6749 §3.1 names
// its parameters exactly; "Client_Id" is not "client_id").
class Form {
 public:
  using Param = std::pair<std::string, std::string>;
  using const_iterator = std::vector<Param>::const_iterator;

  Form() = default;
  explicit Form(std::vector<Param> params) : params_(std::move(params)) {}

  // The first value of `name`; a parameter sent as "name=" or "name" is present with value "".
  std::optional<std::string_view> Get(std::string_view name) const;
  // As Get(), but an empty value counts as absent: RFC 6749 §3.1 "Parameters sent without a
  // value MUST be treated as if they were omitted from the request." Use this for OAuth.
  std::optional<std::string_view> GetNonEmpty(std::string_view name) const;
  // Every value of `name` in order (only useful when duplicates were allowed).
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  void Add(std::string name, std::string value) {
    params_.emplace_back(std::move(name), std::move(value));
  }

  const std::vector<Param>& params() const { return params_; }
  size_t size() const { return params_.size(); }
  bool empty() const { return params_.empty(); }
  const_iterator begin() const { return params_.begin(); }
  const_iterator end() const { return params_.end(); }

 private:
  std::vector<Param> params_;
};

inline constexpr size_t kDefaultMaxFormBytes = 64 * 1024;
inline constexpr size_t kDefaultMaxFormParameters = 64;

struct FormParseOptions {
  size_t max_bytes = kDefaultMaxFormBytes;            // larger bodies: CodecErrc::kTooLarge
  size_t max_parameters = kDefaultMaxFormParameters;  // more pairs: kTooManyParameters
  // Accept C0 controls (including NUL) and DEL in decoded names and values. Off for OAuth: no
  // OAuth parameter carries them, and a NUL or CR LF smuggled into a value is an injection
  // attempt against whatever later stores, logs or echoes it.
  bool allow_control_characters = false;
  // Accept decoded bytes that are not UTF-8. The WHATWG parser replaces them with U+FFFD; we
  // refuse instead, so a value is never silently changed.
  bool allow_invalid_utf8 = false;
  // Keep repeated names instead of failing (e.g. several checkboxes with one name on the consent
  // page). Never for OAuth protocol endpoints: Get() would silently pick the first value.
  bool allow_duplicates = false;
};

// Details of a parse failure, for an `invalid_request` error_description.
struct FormParseError {
  CodecErrc code = CodecErrc::kOk;
  // The decoded name of the offending parameter: the duplicated one for kDuplicateParameter, the
  // one whose value is bad for kControlCharacter/kInvalidUtf8. Empty when the name itself is bad
  // or the error concerns the whole body (kMalformed, kInvalidPercentEncoding, kTooLarge,
  // kTooManyParameters). It is client input: it may be long, and holds control characters or
  // invalid UTF-8 only if the options allowed them; truncate and escape it before echoing it.
  std::string parameter;
};

// Parses a form body. On failure returns the CodecErrc and, if `error` is not null, fills it (it
// is reset on success). Empty segments ("a=1&&b=2", a trailing '&') are skipped (WHATWG URL §5.1
// step 3.1); a segment without '=' is a name with an empty value. '+' decodes to a space. Raw
// characters outside the RFC 3986 query set (space, '"', '#', non-ASCII bytes...) are kMalformed:
// every conforming encoder percent-encodes them.
Result<Form> ParseForm(std::string_view body, const FormParseOptions& opts = {},
                       FormParseError* error = nullptr);

// Encodes one name or value: RFC 3986 unreserved characters (ALPHA DIGIT "-" "." "_" "~") are
// kept, a space becomes '+', every other byte becomes %XX with upper-case hex (RFC 6749
// Appendix B). The result decodes back to `text` with ParseForm().
std::string FormEncode(std::string_view text);

// "name=value&name=value" with each part FormEncode()d, in the given order.
std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace mcpauth::http
