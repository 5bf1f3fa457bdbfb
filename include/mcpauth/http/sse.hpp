// Server-Sent Events (WHATWG HTML §9.2, text/event-stream): the framing of MCP's Streamable HTTP
// responses and GET streams.
//
// FormatSseEvent() writes one event so that no value can inject a field or end the event early:
// data is split into one "data:" line per line, and CR/LF are removed from event and id (NUL from
// id). SseParser is the incremental reader of §9.2.6 "Interpreting an event stream": bytes go in
// as they arrive, in chunks of any size, split anywhere, and complete events come out through a
// callback. It buffers at most a configured number of bytes and fails, permanently, rather than
// grow past it. No I/O; fuzzed directly.
//
// Thread-safety: FormatSseEvent() is pure; an SseParser is used by one thread at a time.
// Ownership: the parser owns its buffers; events are moved into the callback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mcpauth/core/result.hpp"
#include "mcpauth/http/codec_errc.hpp"

namespace mcpauth::http {

struct SseEvent {
  std::string event;  // the event type; empty means "message" (WHATWG HTML §9.2.6 dispatch)
  // Formatting: sent as "id:" when non-empty. Parsing: the stream's last event ID at dispatch
  // (it persists across events until a new "id" field changes it).
  std::string id;
  std::string data;
  // Formatting: sent as "retry:" when set and not negative. Parsing: the value of a valid
  // "retry" field in this event's own block of lines (since the previous blank line), if any.
  std::optional<int64_t> retry_ms;

  bool operator==(const SseEvent&) const = default;
};

// One event, terminated by a blank line: "event: <event>\n", "id: <id>\n", "retry: <ms>\n", then
// one "data: <line>\n" per line of data (CR LF, CR and LF all split lines, as the reader will),
// then "\n". There is always at least one data line, so the reader always dispatches the event
// (an empty data gives "data:", as in MCP's priming event).
std::string FormatSseEvent(const SseEvent& event);

// A comment line, e.g. a keep-alive (": ping\n\n"); ignored by readers (§9.2.6). Line breaks in
// `text` are replaced by spaces.
std::string FormatSseComment(std::string_view text);

inline constexpr size_t kDefaultMaxSseBufferBytes = 8 * 1024 * 1024;

class SseParser {
 public:
  using EventCallback = std::function<void(SseEvent&&)>;

  // `max_buffered_bytes` bounds the unfinished line plus the data, event type and id being
  // collected for the next event.
  explicit SseParser(size_t max_buffered_bytes = kDefaultMaxSseBufferBytes);

  // Consumes the next bytes of the stream and calls `on_event` for every event they complete,
  // in order, before returning. Returns CodecErrc::kTooLarge once the buffered bytes would exceed
  // the limit; the parser then stays failed (later calls return the same error and do nothing),
  // and the caller should drop the stream. `on_event` must not call Feed() on this parser.
  Status Feed(std::string_view chunk, const EventCallback& on_event);

  // The last event ID string (§9.2.6): updated at every blank line, even one that dispatches
  // nothing; what a reconnecting client sends as Last-Event-ID.
  const std::string& last_event_id() const { return last_event_id_; }
  // The latest valid "retry" value of the stream, in milliseconds.
  std::optional<int64_t> reconnection_time_ms() const { return reconnection_time_ms_; }
  bool failed() const { return failed_; }

 private:
  void ProcessLine(std::string_view line, const EventCallback& on_event);
  void ProcessField(std::string_view field, std::string_view value);
  void Dispatch(const EventCallback& on_event);
  size_t Buffered() const;

  size_t max_buffered_bytes_;
  std::string line_;  // an unfinished line carried over between chunks
  std::string data_;
  std::string event_type_;
  std::string id_buffer_;
  std::string last_event_id_;
  std::optional<int64_t> pending_retry_ms_;
  std::optional<int64_t> reconnection_time_ms_;
  size_t bom_bytes_seen_ = 0;  // of a leading U+FEFF, which may arrive split across chunks
  bool at_stream_start_ = true;
  bool skip_lf_ = false;  // the previous chunk ended in CR: a leading LF completes that CRLF
  bool failed_ = false;
};

}  // namespace mcpauth::http
