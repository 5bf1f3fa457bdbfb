#include "mcpauth/mcp/header_values.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace mcpauth::mcp {
namespace {

namespace json = boost::json;

TEST(HeaderValuesTest, SentinelExamplesOf20260728Transports) {
  EXPECT_EQ(EncodeHeaderValue("us-west1"), "us-west1");
  EXPECT_EQ(EncodeHeaderValue("Hello, \xe4\xb8\x96\xe7\x95\x8c"),
            "=?base64?SGVsbG8sIOS4lueVjA==?=");
  EXPECT_EQ(EncodeHeaderValue(" padded "), "=?base64?IHBhZGRlZCA=?=");
  EXPECT_EQ(EncodeHeaderValue("=?base64?literal?="), "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=");
  EXPECT_EQ(DecodeHeaderValue("=?base64?SGVsbG8=?=").value(), "Hello");
  EXPECT_FALSE(DecodeHeaderValue("=?base64?SGVsbG8?=").has_value());               // unpadded
  EXPECT_FALSE(DecodeHeaderValue("=?base64?SGVs!!!bG8=?=").has_value());           // bad characters
  EXPECT_FALSE(DecodeHeaderValue("=?base64?/w==?=").has_value());                  // not UTF-8
  EXPECT_EQ(DecodeHeaderValue("=?base64?SGVsbG8=").value(), "=?base64?SGVsbG8=");  // literal
}

TEST(HeaderValuesTest, ArgumentValuesAsHeaderText) {
  EXPECT_EQ(HeaderParamValue(json::value("x")).value(), "x");
  EXPECT_EQ(HeaderParamValue(json::value(42)).value(), "42");
  EXPECT_EQ(HeaderParamValue(json::value(42.0)).value(), "42");
  EXPECT_EQ(HeaderParamValue(json::value(true)).value(), "true");
  EXPECT_FALSE(HeaderParamValue(json::value(1.5)).has_value());
  EXPECT_FALSE(HeaderParamValue(json::value(nullptr)).has_value());
  EXPECT_FALSE(HeaderParamValue(json::value(json::object{})).has_value());
}

// MCP 2026-07-28 transports/streamable-http "Custom Headers from Tool Parameters": the
// conformance suite's http-invalid-tool-headers definitions, and valid nested ones.
TEST(HeaderValuesTest, XMcpHeaderAnnotationsAreCheckedAgainstTheRules) {
  auto collect = [](std::string_view schema, std::vector<HeaderParam>* out = nullptr) {
    std::vector<HeaderParam> found;
    auto bad = CollectHeaderParams(json::parse(schema).as_object(), found);
    if (out != nullptr) {
      *out = found;
    }
    return !bad.has_value();
  };
  std::vector<HeaderParam> found;
  EXPECT_TRUE(collect(R"({"type":"object","properties":{"region":{"type":"string",)"
                      R"("x-mcp-header":"Region"},"n":{"type":"object","properties":{"p":)"
                      R"({"type":"integer","x-mcp-header":"P"}}},"f":{"type":"number"}}})",
                      &found));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].name, "Region");
  EXPECT_EQ(found[1].path, (std::vector<std::string>{"n", "p"}));
  EXPECT_TRUE(collect(R"({"type":"object","properties":{"x":{"type":"string",)"
                      R"("default":{"x-mcp-header":"data, not an annotation"}}}})"));
  for (const char* bad : {
           R"({"properties":{"v":{"type":"string","x-mcp-header":""}}})",
           R"({"properties":{"v":{"type":"object","x-mcp-header":"D"}}})",
           R"({"properties":{"v":{"type":"array","x-mcp-header":"D"}}})",
           R"({"properties":{"v":{"type":"null","x-mcp-header":"D"}}})",
           R"({"properties":{"v":{"type":"number","x-mcp-header":"D"}}})",
           R"({"properties":{"a":{"type":"string","x-mcp-header":"R"},)"
           R"("b":{"type":"string","x-mcp-header":"r"}}})",
           R"({"properties":{"v":{"type":"string","x-mcp-header":"My Region"}}})",
           R"({"properties":{"v":{"type":"string","x-mcp-header":"Region:Primary"}}})",
           "{\"properties\":{\"v\":{\"type\":\"string\",\"x-mcp-header\":\"R\u00e9gion\"}}}",
           R"({"properties":{"v":{"type":"string","x-mcp-header":"Region\t1"}}})",
           R"({"properties":{"v":{"type":"array","items":{"type":"string","x-mcp-header":"I"}}}})",
           R"({"properties":{"v":{"oneOf":[{"type":"string","x-mcp-header":"O"}]}}})",
           R"({"type":"string","x-mcp-header":"Root"})",
       }) {
    EXPECT_FALSE(collect(bad)) << bad;
  }
}

}  // namespace
}  // namespace mcpauth::mcp
