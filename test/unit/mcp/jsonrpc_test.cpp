#include "mcpauth/mcp/jsonrpc.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>

namespace mcpauth::mcp {
namespace {

ParsedItem One(std::string_view body, ParseLimits limits = {}) {
  ParsedBody b = ParseBody(body, limits);
  EXPECT_EQ(b.items.size(), 1u);
  return b.items.at(0);
}

int ErrorCode(std::string_view body, ParseLimits limits = {}) {
  auto item = One(body, limits);
  return item.error ? item.error->code : 0;
}

TEST(JsonRpcTest, ParsesRequestWithIntegerAndStringIds) {
  auto a = One(R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"cursor":"x"}})");
  ASSERT_TRUE(a.message.has_value());
  EXPECT_TRUE(a.message->is_request());
  EXPECT_EQ(a.message->id.as_int64(), 7);
  EXPECT_EQ(a.message->method, "tools/list");
  ASSERT_NE(a.message->params_object(), nullptr);
  auto b = One(R"({"jsonrpc":"2.0","id":"abc","method":"ping"})");
  ASSERT_TRUE(b.message.has_value());
  EXPECT_EQ(b.message->id.as_string(), "abc");
  EXPECT_EQ(b.message->params_object(), nullptr);
}

TEST(JsonRpcTest, NotificationHasNoId) {
  auto n = One(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  ASSERT_TRUE(n.message.has_value());
  EXPECT_TRUE(n.message->is_notification());
}

TEST(JsonRpcTest, ParsesResponsesAndErrors) {
  auto r = One(R"({"jsonrpc":"2.0","id":1,"result":{}})");
  ASSERT_TRUE(r.message.has_value());
  EXPECT_EQ(r.message->kind, Message::Kind::kResponse);
  auto e = One(R"({"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"nope"}})");
  ASSERT_TRUE(e.message.has_value());
  EXPECT_EQ(e.message->kind, Message::Kind::kErrorResponse);
  EXPECT_EQ(e.message->error.code, -32601);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1}})"),
            kInvalidRequest);
}

TEST(JsonRpcTest, MalformedJsonIsParseError) {
  EXPECT_EQ(ErrorCode("{"), kParseError);
  EXPECT_EQ(ErrorCode(""), kParseError);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":"x"} trailing)"), kParseError);
}

TEST(JsonRpcTest, InvalidUtf8IsParseError) {
  EXPECT_EQ(ErrorCode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\"}"), kParseError);
}

// Found by fuzz/jsonrpc_fuzz.cpp: Boost.JSON 1.81 reads 1e400 as infinity and writes it back as
// `Infinity`, which no JSON parser reads; echoed params would have made our reply unreadable.
TEST(JsonRpcTest, NumbersBeyondDoubleRangeAreParseErrors) {
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"a":[1e400]}})"),
            kParseError);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"a":-1e400}})"),
            kParseError);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"result":{"a":218446744073709551615.5e300}})"),
            kParseError);
  // The largest finite doubles, and tiny ones that round to zero, are fine.
  const ParsedBody ok = ParseBody(
      R"({"jsonrpc":"2.0","id":1,"method":"x","params":[1.7976931348623157e308,1e-400]})");
  ASSERT_EQ(ok.items.size(), 1u);
  EXPECT_TRUE(ok.items[0].message.has_value());
}

TEST(JsonRpcTest, DeepNestingIsRefusedNotRecursed) {
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"a":)";
  deep += std::string(10000, '[') + std::string(10000, ']') + "}}";
  EXPECT_EQ(ErrorCode(deep), kParseError);
}

TEST(JsonRpcTest, WrongVersionOrShapeIsInvalidRequest) {
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"1.0","id":1,"method":"x"})"), kInvalidRequest);
  EXPECT_EQ(ErrorCode(R"({"id":1,"method":"x"})"), kInvalidRequest);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":5})"), kInvalidRequest);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":""})"), kInvalidRequest);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":"x","params":3})"), kInvalidRequest);
  EXPECT_EQ(ErrorCode(R"("just a string")"), kInvalidRequest);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0"})"), kInvalidRequest);
}

TEST(JsonRpcTest, NullFloatAndHugeIdsAreInvalid) {
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":null,"method":"x"})"), kInvalidRequest);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1.5,"method":"x"})"), kInvalidRequest);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":{"a":1},"method":"x"})"), kInvalidRequest);
  // Beyond 64 bits Boost.JSON yields a double: not an integer id.
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"x"})"),
            kInvalidRequest);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":")" + std::string(5000, 'a') + R"(","method":"x"})"),
            kInvalidRequest);
}

TEST(JsonRpcTest, InvalidRequestKeepsReadableIdForTheErrorReply) {
  auto item = One(R"({"jsonrpc":"2.0","id":42,"method":7})");
  ASSERT_TRUE(item.error.has_value());
  EXPECT_EQ(item.id.as_int64(), 42);
}

TEST(JsonRpcTest, BatchesOnlyWhereAllowed) {
  const std::string batch =
      R"([{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","method":"b"},7])";
  EXPECT_EQ(ErrorCode(batch), kInvalidRequest);
  ParsedBody b = ParseBody(batch, ParseLimits{.allow_batch = true});
  EXPECT_TRUE(b.batch);
  ASSERT_EQ(b.items.size(), 3u);
  EXPECT_TRUE(b.items[0].message->is_request());
  EXPECT_TRUE(b.items[1].message->is_notification());
  EXPECT_TRUE(b.items[2].error.has_value());
  EXPECT_EQ(ErrorCode("[]", ParseLimits{.allow_batch = true}), kInvalidRequest);
}

TEST(JsonRpcTest, OversizedBodyIsRefusedBeforeParsing) {
  EXPECT_EQ(ErrorCode(std::string(100, ' '), ParseLimits{.max_bytes = 10}), kInvalidRequest);
}

TEST(JsonRpcTest, SerializesResultsErrorsAndNotifications) {
  EXPECT_EQ(boost::json::serialize(MakeResult(3, boost::json::object{{"ok", true}})),
            R"({"jsonrpc":"2.0","id":3,"result":{"ok":true}})");
  EXPECT_EQ(boost::json::serialize(MakeError(nullptr, RpcError{kParseError, "bad", {}})),
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}})");
  EXPECT_EQ(boost::json::serialize(MakeNotification("notifications/progress", nullptr)),
            R"({"jsonrpc":"2.0","method":"notifications/progress"})");
  EXPECT_EQ(boost::json::serialize(MakeRequest("r1", "ping", nullptr)),
            R"({"jsonrpc":"2.0","method":"ping","id":"r1"})");
}

}  // namespace
}  // namespace mcpauth::mcp
