#include "mcpauth/mcp/header_values.hpp"

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

}  // namespace
}  // namespace mcpauth::mcp
