#include "mcpauth/http/sse.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace mcpauth::http {

// Outside the anonymous namespace so that GoogleTest finds it by argument-dependent lookup;
// static keeps it local to this file.
static void PrintTo(const SseEvent& e, std::ostream* os) {
  *os << "{event=\"" << e.event << "\" id=\"" << e.id << "\" data=\"" << e.data
      << "\" retry=" << (e.retry_ms ? std::to_string(*e.retry_ms) : "none") << "}";
}

namespace {

SseEvent Ev(std::string data, std::string id = "", std::string event = "",
            std::optional<int64_t> retry = std::nullopt) {
  return SseEvent{std::move(event), std::move(id), std::move(data), retry};
}

// Feeds `chunks` in order into a fresh parser and returns the events.
std::vector<SseEvent> ParseChunks(const std::vector<std::string_view>& chunks,
                                  SseParser* parser_out = nullptr) {
  SseParser parser;
  std::vector<SseEvent> events;
  for (std::string_view chunk : chunks) {
    EXPECT_TRUE(parser.Feed(chunk, [&](SseEvent&& e) { events.push_back(std::move(e)); }));
  }
  if (parser_out != nullptr) {
    *parser_out = std::move(parser);
  }
  return events;
}

std::vector<SseEvent> Parse(std::string_view stream) { return ParseChunks({stream}); }

// ---- FormatSseEvent ----

TEST(SseFormatTest, DataOnly) { EXPECT_EQ(FormatSseEvent(Ev("hello")), "data: hello\n\n"); }

TEST(SseFormatTest, AllFields) {
  EXPECT_EQ(FormatSseEvent(Ev(R"({"jsonrpc":"2.0"})", "42", "message", 3000)),
            "event: message\nid: 42\nretry: 3000\ndata: {\"jsonrpc\":\"2.0\"}\n\n");
}

TEST(SseFormatTest, EachLineOfDataGetsItsOwnFieldWhatwgHtml9_2_5) {
  EXPECT_EQ(FormatSseEvent(Ev("a\nb\r\nc\rd")), "data: a\ndata: b\ndata: c\ndata: d\n\n");
  EXPECT_EQ(FormatSseEvent(Ev("a\n")), "data: a\ndata:\n\n");
  EXPECT_EQ(FormatSseEvent(Ev("\r\n\n")), "data:\ndata:\ndata:\n\n");
}

TEST(SseFormatTest, EmptyDataStillDispatchesLikeMcpPrimingEvent) {
  EXPECT_EQ(FormatSseEvent(Ev("", "stream-1:0")), "id: stream-1:0\ndata:\n\n");
  EXPECT_THAT(Parse(FormatSseEvent(Ev("", "p"))), testing::ElementsAre(Ev("", "p")));
}

TEST(SseFormatTest, LeadingSpaceOfValuesSurvives) {
  EXPECT_EQ(FormatSseEvent(Ev(" x", " 1", " e")), "event:  e\nid:  1\ndata:  x\n\n");
  EXPECT_THAT(Parse(FormatSseEvent(Ev(" x", " 1", " e"))),
              testing::ElementsAre(Ev(" x", " 1", " e")));
}

TEST(SseFormatTest, EventAndIdCannotInjectFields) {
  const std::string out =
      FormatSseEvent(Ev("ok", std::string("1\n\nid: 2\0", 9), "x\r\ndata: evil\r\n\r\n"));
  EXPECT_EQ(out, "event: xdata: evil\nid: 1id: 2\ndata: ok\n\n");
  EXPECT_THAT(Parse(out), testing::ElementsAre(Ev("ok", "1id: 2", "xdata: evil")));
}

TEST(SseFormatTest, ValuesMadeOnlyOfLineBreaksAreOmitted) {
  EXPECT_EQ(FormatSseEvent(Ev("d", "\r\n", "\n")), "data: d\n\n");
}

TEST(SseFormatTest, NegativeRetryIsOmitted) {
  EXPECT_EQ(FormatSseEvent(Ev("d", "", "", -1)), "data: d\n\n");
  EXPECT_EQ(FormatSseEvent(Ev("d", "", "", 0)), "retry: 0\ndata: d\n\n");
}

TEST(SseFormatTest, Comment) {
  EXPECT_EQ(FormatSseComment("ping"), ": ping\n\n");
  EXPECT_EQ(FormatSseComment("a\r\nb"), ": a  b\n\n");
  EXPECT_TRUE(Parse(FormatSseComment("a\nb")).empty());
}

// ---- SseParser: WHATWG HTML §9.2.6 ----

TEST(SseParserTest, SpecExampleMultiLineData) {
  EXPECT_THAT(Parse("data: YHOO\ndata: +2\ndata: 10\n\n"),
              testing::ElementsAre(Ev("YHOO\n+2\n10")));
}

TEST(SseParserTest, SpecExampleIdsAndComments) {
  EXPECT_THAT(
      Parse(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\n"
            "data:  third event\n\n"),
      testing::ElementsAre(Ev("first event", "1"), Ev("second event", ""), Ev(" third event", "")));
}

TEST(SseParserTest, SpecExampleEmptyDataAndUnterminatedBlock) {
  // "The first block fires events with the data set to the empty string [...]. The middle block
  // fires an event with the data set to a single newline character. The last block is discarded
  // because it is not followed by a blank line."
  EXPECT_THAT(Parse("data\n\ndata\ndata\n\ndata:"), testing::ElementsAre(Ev(""), Ev("\n")));
}

TEST(SseParserTest, SpecExampleOneSpaceIsStripped) {
  EXPECT_THAT(Parse("data:test\n\ndata: test\n\n"), testing::ElementsAre(Ev("test"), Ev("test")));
}

TEST(SseParserTest, AllLineEndings) {
  EXPECT_THAT(Parse("data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r"),
              testing::ElementsAre(Ev("a\nb\nc"), Ev("d")));
}

TEST(SseParserTest, EventTypeAppliesToOneEvent) {
  EXPECT_THAT(Parse("event: add\ndata: x\n\ndata: y\n\n"),
              testing::ElementsAre(Ev("x", "", "add"), Ev("y")));
}

TEST(SseParserTest, IdPersistsAcrossEvents) {
  SseParser parser;
  const auto events = ParseChunks({"id: 7\ndata: a\n\ndata: b\n\n"}, &parser);
  EXPECT_THAT(events, testing::ElementsAre(Ev("a", "7"), Ev("b", "7")));
  EXPECT_EQ(parser.last_event_id(), "7");
}

TEST(SseParserTest, IdWithNulIsIgnored) {
  constexpr char kStream[] = "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n";
  EXPECT_THAT(Parse(std::string_view(kStream, sizeof(kStream) - 1)),
              testing::ElementsAre(Ev("a", "1"), Ev("b", "1")));
}

TEST(SseParserTest, NoDispatchWithoutDataButIdAndTypeAreHandled) {
  SseParser parser;
  const auto events = ParseChunks({"event: x\nid: 5\n\ndata: y\n\n"}, &parser);
  // The blank line updated the last event ID and reset the event type (§9.2.6 dispatch steps).
  EXPECT_THAT(events, testing::ElementsAre(Ev("y", "5")));
  SseParser only_id;
  EXPECT_TRUE(ParseChunks({"id: 9\n\n"}, &only_id).empty());
  EXPECT_EQ(only_id.last_event_id(), "9");
}

TEST(SseParserTest, RetryOnlyWhenAllDigits) {
  SseParser parser;
  const auto events = ParseChunks({"retry: 1500\ndata: a\n\n"
                                   "retry: 15a0\ndata: b\n\n"
                                   "retry:\nretry: -1\nretry: 99999999999999999999\ndata: c\n\n"
                                   "retry: 2500\n\n"
                                   "data: d\n\n"},
                                  &parser);
  EXPECT_THAT(events, testing::ElementsAre(Ev("a", "", "", 1500), Ev("b"), Ev("c"), Ev("d")));
  EXPECT_EQ(parser.reconnection_time_ms(), 2500);
}

TEST(SseParserTest, UnknownFieldsAndFieldsWithoutColon) {
  EXPECT_THAT(Parse("foo: bar\nevent\ndata\nDATA: no\n: comment\ndata:x\n\n"),
              testing::ElementsAre(Ev("\nx")));
}

// U+FEFF in UTF-8, kept apart from the text after it ("\xBFd" would be one hex escape).
constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string Cat(std::string_view a, std::string_view b) { return std::string(a).append(b); }

TEST(SseParserTest, LeadingByteOrderMarkIsIgnored) {
  EXPECT_THAT(Parse(Cat(kBom, "data: x\n\n")), testing::ElementsAre(Ev("x")));
  const std::string stream = Cat(kBom, "data: x\n");
  const std::string_view split = stream;
  EXPECT_THAT(ParseChunks({split.substr(0, 1), split.substr(1, 1), split.substr(2), "\n"}),
              testing::ElementsAre(Ev("x")));
  // Only one, and only at the start.
  EXPECT_TRUE(Parse(Cat(Cat(kBom, kBom), "data: x\n\n")).empty());
  EXPECT_THAT(Parse(Cat(Cat("data: x\n\n", kBom), "data: y\n\n")), testing::ElementsAre(Ev("x")));
}

TEST(SseParserTest, PartialByteOrderMarkIsData) {
  // The first two BOM bytes then "data": not a BOM, so those bytes start the first field name,
  // which is then unknown; dropping them would wrongly turn the line into a data field.
  const std::string stream = Cat(kBom.substr(0, 2), "data: x\n\n");
  const std::string_view s = stream;
  EXPECT_TRUE(Parse(s).empty());
  EXPECT_TRUE(ParseChunks({s.substr(0, 1), s.substr(1, 1), s.substr(2)}).empty());
  EXPECT_THAT(ParseChunks({kBom.substr(0, 1), "\n", "data: x\n\n"}), testing::ElementsAre(Ev("x")));
}

// A stream exercising every rule, for the split tests.
const std::string& TortureStream() {
  static const std::string stream =
      "\xEF\xBB\xBF: comment\r\n"
      "retry: 3000\r\n"
      "event: first\r\nid: 1\r\ndata: a\r\ndata:  b\r\n\r\n"
      "data: c\rdata\r\r"
      "id: 2\ndata:{\"x\":\"y\\nz\"}\n\n"
      "event: skipped\n\n"
      "field-without-colon\nretry: 12x\n: another comment\ndata: \xF0\x9F\x98\x80\r\n\n"
      "id\ndata: last\r\n\r\n"
      "data: unterminated";
  return stream;
}

TEST(SseParserTest, TortureStreamEvents) {
  EXPECT_THAT(Parse(TortureStream()),
              testing::ElementsAre(Ev("a\n b", "1", "first", 3000), Ev("c\n", "1"),
                                   Ev("{\"x\":\"y\\nz\"}", "2"), Ev("\xF0\x9F\x98\x80", "2"),
                                   Ev("last", "")));
}

TEST(SseParserTest, SplitAtEveryBytePositionGivesSameEvents) {
  const std::string& stream = TortureStream();
  const auto expected = Parse(stream);
  ASSERT_EQ(expected.size(), 5u);
  for (size_t i = 0; i <= stream.size(); ++i) {
    const std::string_view s = stream;
    EXPECT_EQ(ParseChunks({s.substr(0, i), s.substr(i)}), expected) << "split at " << i;
  }
}

TEST(SseParserTest, SplitAtEveryPairOfPositionsGivesSameEvents) {
  const std::string& stream = TortureStream();
  const auto expected = Parse(stream);
  const std::string_view s = stream;
  for (size_t i = 0; i <= s.size(); ++i) {
    for (size_t j = i; j <= s.size(); ++j) {
      ASSERT_EQ(ParseChunks({s.substr(0, i), s.substr(i, j - i), s.substr(j)}), expected)
          << "split at " << i << " and " << j;
    }
  }
}

TEST(SseParserTest, ByteByByteGivesSameEvents) {
  const std::string& stream = TortureStream();
  std::vector<std::string_view> chunks;
  for (size_t i = 0; i < stream.size(); ++i) {
    chunks.push_back(std::string_view(stream).substr(i, 1));
  }
  EXPECT_EQ(ParseChunks(chunks), Parse(stream));
}

TEST(SseParserTest, FormatThenParseRoundTrips) {
  std::mt19937 rng(99);
  const std::string alphabet = "ab \r\n:{}\"\\\xC3\xA9";
  std::vector<SseEvent> sent;
  std::string stream;
  for (int i = 0; i < 300; ++i) {
    SseEvent e;
    const size_t len = rng() % 30;
    for (size_t k = 0; k < len; ++k) {
      e.data.push_back(alphabet[rng() % alphabet.size()]);
    }
    e.id = std::string("id-").append(std::to_string(i));
    e.event = i % 3 == 0 ? "message" : "";
    if (i % 7 == 0) {
      e.retry_ms = i * 10;
    }
    stream += FormatSseEvent(e);
    // What the reader sees: every line break is LF.
    std::string normalized;
    for (size_t k = 0; k < e.data.size(); ++k) {
      if (e.data[k] == '\r') {
        normalized.push_back('\n');
        if (k + 1 < e.data.size() && e.data[k + 1] == '\n') {
          ++k;
        }
      } else {
        normalized.push_back(e.data[k]);
      }
    }
    e.data = normalized;
    sent.push_back(e);
  }
  EXPECT_EQ(Parse(stream), sent);
}

// ---- SseParser: bounded memory ----

TEST(SseParserTest, UnfinishedLineOverLimitFails) {
  SseParser parser(64);
  std::vector<SseEvent> events;
  auto on_event = [&](SseEvent&& e) { events.push_back(std::move(e)); };
  EXPECT_TRUE(parser.Feed("data: ok\n\n", on_event));
  const auto status = parser.Feed(std::string("data: ").append(100, 'x'), on_event);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), make_error_code(CodecErrc::kTooLarge));
  EXPECT_TRUE(parser.failed());
  // Sticky: nothing more is parsed.
  EXPECT_FALSE(parser.Feed("\n\ndata: more\n\n", on_event));
  EXPECT_THAT(events, testing::ElementsAre(Ev("ok")));
}

TEST(SseParserTest, LineGrowingAcrossChunksFails) {
  SseParser parser(64);
  Status status;
  for (int i = 0; i < 100 && status; ++i) {
    status = parser.Feed("xxxxxxxx", [](SseEvent&&) {});
  }
  EXPECT_FALSE(status);
  EXPECT_TRUE(parser.failed());
}

TEST(SseParserTest, DataAccumulatingOverLimitFailsAfterEarlierEvents) {
  SseParser parser(64);
  std::vector<SseEvent> events;
  std::string stream = "data: first\n\n";
  for (int i = 0; i < 20; ++i) {
    stream += "data: 0123456789\n";  // 11 bytes of data each; never dispatched
  }
  const auto status = parser.Feed(stream, [&](SseEvent&& e) { events.push_back(std::move(e)); });
  EXPECT_FALSE(status);
  EXPECT_THAT(events, testing::ElementsAre(Ev("first")));
}

TEST(SseParserTest, BuffersAreReleasedAfterEachEvent) {
  SseParser parser(64);
  int count = 0;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(parser.Feed("id: 12345\nevent: e\ndata: 0123456789012345678\n\n",
                            [&](SseEvent&&) { ++count; }));
  }
  EXPECT_EQ(count, 1000);
}

TEST(SseParserTest, RandomBytesNeverCrash) {
  std::mt19937 rng(4242);
  const std::string alphabet = std::string("data:idevntry \r\n\xEF\xBB\xBF") + '\0';
  for (int i = 0; i < 2000; ++i) {
    SseParser parser(256);
    std::string stream;
    const size_t len = rng() % 200;
    for (size_t k = 0; k < len; ++k) {
      stream.push_back(alphabet[rng() % alphabet.size()]);
    }
    size_t pos = 0;
    while (pos < stream.size()) {
      const size_t n = 1 + rng() % 16;
      (void)parser.Feed(std::string_view(stream).substr(pos, n),
                        [](SseEvent&& e) { EXPECT_LE(e.data.size(), 256u); });
      pos += n;
    }
  }
}

}  // namespace
}  // namespace mcpauth::http
