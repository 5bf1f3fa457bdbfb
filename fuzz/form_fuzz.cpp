// Fuzz target: the application/x-www-form-urlencoded codec (src/http/form.cpp).
//
// Invariants beyond "no crash":
//   - what the strict parser (the OAuth default) accepts, the lenient one accepts identically;
//   - a strictly parsed form has no control character, only UTF-8, no repeated name and at most
//     the allowed number of parameters;
//   - EncodeForm(ParseForm(x)) parses back to the same pairs (under either option set);
//   - FormEncode(x) decodes back to exactly x, whatever bytes x holds;
//   - on failure, the error's `parameter` is empty or a name the strict rules accept.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mcpauth/http/form.hpp"

namespace {

using mcpauth::fuzz::HasControl;
using mcpauth::http::EncodeForm;
using mcpauth::http::Form;
using mcpauth::http::FormEncode;
using mcpauth::http::FormParseError;
using mcpauth::http::FormParseOptions;
using mcpauth::http::ParseForm;

FormParseOptions Lenient() {
  FormParseOptions opts;
  opts.max_bytes = std::numeric_limits<size_t>::max();
  opts.max_parameters = std::numeric_limits<size_t>::max();
  opts.allow_control_characters = true;
  opts.allow_invalid_utf8 = true;
  opts.allow_duplicates = true;
  return opts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  FormParseError error;
  const auto strict = ParseForm(body, {}, &error);
  const auto lenient = ParseForm(body, Lenient());

  if (strict) {
    FUZZ_CHECK(error.code == mcpauth::http::CodecErrc::kOk && error.parameter.empty());
    FUZZ_CHECK(lenient);
    FUZZ_CHECK(strict->params() == lenient->params());
    FUZZ_CHECK(strict->size() <= mcpauth::http::kDefaultMaxFormParameters);
    for (size_t i = 0; i < strict->size(); ++i) {
      const auto& [name, value] = strict->params()[i];
      FUZZ_CHECK(!HasControl(name) && !HasControl(value));
      FUZZ_CHECK(strict->Get(name).has_value() && *strict->Get(name) == value);
      for (size_t j = 0; j < i; ++j) {
        FUZZ_CHECK(strict->params()[j].first != name);
      }
    }
    // Re-encoding gives a body the strict parser reads as the same pairs.
    const std::string again = EncodeForm(strict->params());
    const auto reparsed = ParseForm(again, {.max_bytes = again.size()});
    FUZZ_CHECK(reparsed);
    FUZZ_CHECK(reparsed->params() == strict->params());
  } else {
    FUZZ_CHECK(error.code == strict.error());
    FUZZ_CHECK(!HasControl(error.parameter));
  }

  if (lenient) {
    const std::string again = EncodeForm(lenient->params());
    const auto reparsed = ParseForm(again, Lenient());
    FUZZ_CHECK(reparsed);
    FUZZ_CHECK(reparsed->params() == lenient->params());
  }

  // Any bytes survive FormEncode as one value (and as one name).
  const std::string encoded = FormEncode(body);
  for (char c : encoded) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~' || c == '%' || c == '+';
    FUZZ_CHECK(unreserved);
  }
  const auto single = ParseForm("v=" + encoded + "&" + encoded + "=n", Lenient());
  FUZZ_CHECK(single);
  FUZZ_CHECK(single->size() == 2);
  FUZZ_CHECK(single->params()[0].first == "v" && single->params()[0].second == body);
  FUZZ_CHECK(single->params()[1].first == body && single->params()[1].second == "n");
  return 0;
}
