// The stdio bridge's pure rules (bridge_codec.hpp): line framing, era, forwarded headers, id keys
// and the errors the bridge answers with.
#include "mcpauth/mcp/bridge_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

namespace mcpauth::mcp {
namespace {
namespace json = boost::json;

struct Collected {
  std::vector<std::string> lines;
  int too_long = 0;
};

void FeedAll(LineSplitter& splitter, const std::vector<std::string>& chunks, Collected& out) {
  for (const auto& chunk : chunks) {
    splitter.Feed(
        chunk, [&](std::string&& line) { out.lines.push_back(std::move(line)); },
        [&] { ++out.too_long; });
  }
}

TEST(LineSplitterTest, SplitsAtNewlinesAcrossChunksAndDropsCrAndEmptyLines) {
  LineSplitter splitter(1024);
  Collected out;
  FeedAll(splitter, {"{\"a\":1}\n{\"b\"", ":2}\r\n\n\n{\"c\":3}", "\n"}, out);
  EXPECT_EQ(out.lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
  EXPECT_EQ(out.too_long, 0);
  EXPECT_EQ(splitter.Finish(), std::nullopt);
}

TEST(LineSplitterTest, ALastLineWithoutNewlineCountsAtTheEnd) {
  LineSplitter splitter(1024);
  Collected out;
  FeedAll(splitter, {"{\"a\":1}\n{\"b\":2}\r"}, out);
  ASSERT_EQ(out.lines.size(), 1u);
  EXPECT_EQ(splitter.Finish(), "{\"b\":2}");
}

TEST(LineSplitterTest, ALineOverTheLimitIsReportedOnceAndSkippedToItsEnd) {
  LineSplitter splitter(8);
  Collected out;
  // The long line arrives in three chunks; the next line is intact.
  FeedAll(splitter, {"0123456", "789abcdef", "ghij\nshort\n12345678\r\n"}, out);
  EXPECT_EQ(out.too_long, 1);
  EXPECT_EQ(out.lines, (std::vector<std::string>{"short", "12345678"}));
  FeedAll(splitter, {"0123456789"}, out);
  EXPECT_EQ(out.too_long, 2);
  EXPECT_EQ(splitter.Finish(), std::nullopt);
}

TEST(LineSplitterTest, SerializedMessagesNeverContainARawNewline) {
  // The writing half of the framing: control characters inside strings are escaped.
  const json::object m{{"text", "two\nlines\r\u2028"}};
  EXPECT_EQ(json::serialize(m).find('\n'), std::string::npos);
  EXPECT_EQ(json::serialize(m).find('\r'), std::string::npos);
}

json::object Parse(std::string_view text) { return json::parse(text).as_object(); }

TEST(BridgeCodecTest, ModernVersionComesFromTheMeta) {
  EXPECT_EQ(ModernVersionOf(Parse(R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{
      "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})")),
            "2026-07-28");
  EXPECT_EQ(ModernVersionOf(Parse(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})")), "");
  EXPECT_EQ(ModernVersionOf(Parse(R"({"jsonrpc":"2.0","id":1,"method":"x","params":{
      "_meta":{"io.modelcontextprotocol/protocolVersion":7}}})")),
            "");
}

TEST(BridgeCodecTest, IdKeysKeepStringsAndNumbersApart) {
  EXPECT_EQ(IdKey(json::value(7)), "n:7");
  EXPECT_EQ(IdKey(json::value(7u)), "n:7");
  EXPECT_EQ(IdKey(json::value("7")), "s:7");
  EXPECT_NE(IdKey(json::value(7)), IdKey(json::value("7")));
  EXPECT_EQ(IdKey(json::value("n:7")), "s:n:7");
}

TEST(BridgeCodecTest, ModernRequestsCarryTheirVersionAndStandardHeadersButNoSession) {
  const json::object call = Parse(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{
      "name":"echo","arguments":{"region":"eu-west","n":2},
      "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})");
  const HeaderParams mirrored = {{{"region"}, "Region"}};
  const http::Headers h = ForwardHeaders(call, {"sess-1", "2025-11-25"}, &mirrored);
  EXPECT_EQ(h.Get("MCP-Protocol-Version"), "2026-07-28");
  EXPECT_EQ(h.Get("Mcp-Method"), "tools/call");
  EXPECT_EQ(h.Get("Mcp-Name"), "echo");
  EXPECT_EQ(h.Get("Mcp-Param-Region"), "eu-west");
  EXPECT_FALSE(h.Has("Mcp-Session-Id"));
  EXPECT_EQ(h.Get("Accept"), "application/json, text/event-stream");
  EXPECT_EQ(h.Get("Content-Type"), "application/json");
}

TEST(BridgeCodecTest, LegacyMessagesCarryTheSessionExceptInitialize) {
  const LegacySession session{"sess-1", "2025-06-18"};
  const http::Headers init = ForwardHeaders(
      Parse(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{}})"), session, nullptr);
  EXPECT_FALSE(init.Has("Mcp-Session-Id"));
  EXPECT_FALSE(init.Has("MCP-Protocol-Version"));
  for (const char* text : {R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})",
                           R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                           R"({"jsonrpc":"2.0","id":0,"result":{}})"}) {
    const http::Headers h = ForwardHeaders(Parse(text), session, nullptr);
    EXPECT_EQ(h.Get("Mcp-Session-Id"), "sess-1") << text;
    EXPECT_EQ(h.Get("MCP-Protocol-Version"), "2025-06-18") << text;
    EXPECT_FALSE(h.Has("Mcp-Method")) << text;
  }
  // A server without sessions: no header at all.
  const http::Headers none =
      ForwardHeaders(Parse(R"({"jsonrpc":"2.0","id":1,"method":"ping"})"), {}, nullptr);
  EXPECT_FALSE(none.Has("Mcp-Session-Id"));
  EXPECT_FALSE(none.Has("MCP-Protocol-Version"));
}

TEST(BridgeCodecTest, UpstreamErrorsAnswerTheRequestId) {
  const json::object e = UpstreamError("req-9", "cannot reach it", 502);
  EXPECT_EQ(e.at("id"), json::value("req-9"));
  EXPECT_EQ(e.at("error").at("code"), json::value(kBridgeUpstreamError));
  EXPECT_EQ(e.at("error").at("data").at("httpStatus"), json::value(502));
  EXPECT_FALSE(UpstreamError(1, "x").at("error").as_object().contains("data"));
}

TEST(BridgeCodecTest, ANullIdErrorGetsTheRequestIdAndOtherIdsAreRecognised) {
  json::object refused =
      Parse(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"No session"}})");
  EXPECT_TRUE(AdoptRequestId(refused, json::value(5)));
  EXPECT_EQ(refused.at("id"), json::value(5));
  json::object mine = Parse(R"({"jsonrpc":"2.0","id":5,"result":{}})");
  EXPECT_TRUE(AdoptRequestId(mine, json::value(5)));
  json::object other = Parse(R"({"jsonrpc":"2.0","id":"5","result":{}})");
  EXPECT_FALSE(AdoptRequestId(other, json::value(5)));
  json::object anonymous_result = Parse(R"({"jsonrpc":"2.0","result":{}})");
  EXPECT_FALSE(AdoptRequestId(anonymous_result, json::value(5)));
}

TEST(BridgeCodecTest, RedactRemovesEveryCopyOfASecret) {
  std::string line = R"({"error":{"message":"bad token eyJabc.def and eyJabc.def"}})";
  EXPECT_EQ(Redact(line, "eyJabc.def"), 2);
  EXPECT_EQ(line.find("eyJabc"), std::string::npos);
  EXPECT_NO_THROW((void)json::parse(line));
  EXPECT_EQ(Redact(line, ""), 0);
}

}  // namespace
}  // namespace mcpauth::mcp
