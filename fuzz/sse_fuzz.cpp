// Fuzz target: the Server-Sent Events reader and writer (src/http/sse.cpp).
//
// Invariants beyond "no crash":
//   - the events, last event ID and reconnection time do not depend on how the stream is split
//     into chunks (split points taken from the input's first bytes, one byte at a time too);
//   - every event read, written again with FormatSseEvent(), reads back as exactly itself;
//   - with a small buffer limit the parser fails instead of growing: no event carries more data
//     than the limit, and a failed parser stays failed.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "mcpauth/http/sse.hpp"

namespace {

using mcpauth::http::SseEvent;
using mcpauth::http::SseParser;

struct Run {
  std::vector<SseEvent> events;
  std::string last_event_id;
  std::optional<int64_t> retry;
  bool ok = true;
};

Run Feed(std::string_view stream, const std::vector<size_t>& cuts, size_t limit) {
  Run run;
  SseParser parser(limit);
  const auto collect = [&run](SseEvent&& e) { run.events.push_back(std::move(e)); };
  size_t pos = 0;
  for (size_t cut : cuts) {
    if (cut <= pos || cut > stream.size()) {
      continue;
    }
    if (!parser.Feed(stream.substr(pos, cut - pos), collect)) {
      run.ok = false;
      FUZZ_CHECK(parser.failed());
      FUZZ_CHECK(!parser.Feed("data: more\n\n", collect));  // stays failed, emits nothing
      return run;
    }
    pos = cut;
  }
  if (!parser.Feed(stream.substr(pos), collect)) {
    run.ok = false;
    FUZZ_CHECK(parser.failed());
  }
  run.last_event_id = parser.last_event_id();
  run.retry = parser.reconnection_time_ms();
  return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mcpauth::fuzz::Input in(data, size);
  // The first byte says how many split points follow (each one byte, scaled by the next).
  const size_t ncuts = in.Byte() % 8;
  const size_t scale = 1 + in.Byte() % 16;
  std::vector<size_t> cuts;
  size_t at = 0;
  for (size_t i = 0; i < ncuts; ++i) {
    at += in.Byte() * scale;
    cuts.push_back(at);
  }
  const std::string_view stream = in.rest();

  const Run whole = Feed(stream, {}, mcpauth::http::kDefaultMaxSseBufferBytes);
  FUZZ_CHECK(whole.ok);
  const Run split = Feed(stream, cuts, mcpauth::http::kDefaultMaxSseBufferBytes);
  FUZZ_CHECK(split.ok);
  FUZZ_CHECK(split.events == whole.events);
  FUZZ_CHECK(split.last_event_id == whole.last_event_id);
  FUZZ_CHECK(split.retry == whole.retry);
  if (stream.size() <= 512) {
    std::vector<size_t> every;
    for (size_t i = 1; i < stream.size(); ++i) {
      every.push_back(i);
    }
    const Run bytes = Feed(stream, every, mcpauth::http::kDefaultMaxSseBufferBytes);
    FUZZ_CHECK(bytes.events == whole.events);
    FUZZ_CHECK(bytes.last_event_id == whole.last_event_id);
  }

  for (const SseEvent& e : whole.events) {
    FUZZ_CHECK(e.id.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
    SseParser reader;
    std::vector<SseEvent> back;
    FUZZ_CHECK(reader.Feed(mcpauth::http::FormatSseEvent(e),
                           [&back](SseEvent&& b) { back.push_back(std::move(b)); }));
    FUZZ_CHECK(back.size() == 1);
    FUZZ_CHECK(back[0] == e);
  }

  const size_t limit = 64;
  const Run small = Feed(stream, cuts, limit);
  for (const SseEvent& e : small.events) {
    FUZZ_CHECK(e.data.size() + e.event.size() + e.id.size() <= limit);
  }
  if (small.ok) {
    FUZZ_CHECK(small.events == whole.events);
  }
  return 0;
}
