#include "mcpauth/http/sse.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace mcpauth::http {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";  // U+FEFF in UTF-8

// Finds the CR and LF bytes of one buffer in increasing order. memchr is vectorised by the C
// library, unlike string_view::find_first_of, which tests each byte against the set. The next CR
// and next LF are cached and only searched again once passed, so a whole buffer costs O(n) even
// when it holds only CRs (a fresh two-way search per line would be quadratic).
class LineBreakFinder {
 public:
  explicit LineBreakFinder(std::string_view s) : s_(s), lf_(Find('\n', 0)), cr_(Find('\r', 0)) {}

  // The position of the first CR or LF at or after `from`, or npos.
  size_t Next(size_t from) {
    if (lf_ != std::string_view::npos && lf_ < from) {
      lf_ = Find('\n', from);
    }
    if (cr_ != std::string_view::npos && cr_ < from) {
      cr_ = Find('\r', from);
    }
    return std::min(lf_, cr_);
  }

 private:
  size_t Find(char c, size_t from) const {
    if (from >= s_.size()) {
      return std::string_view::npos;
    }
    const void* hit = std::memchr(s_.data() + from, c, s_.size() - from);
    return hit != nullptr ? static_cast<size_t>(static_cast<const char*>(hit) - s_.data())
                          : std::string_view::npos;
  }

  std::string_view s_;
  size_t lf_;
  size_t cr_;
};

// Appends `name: value\n` with every CR and LF of `value` (and NUL if `drop_nul`) removed, so the
// value cannot end its line and start a field of its own. Nothing if the value ends up empty.
void AppendSingleLineField(std::string& out, std::string_view name, std::string_view value,
                           bool drop_nul) {
  std::string clean;
  clean.reserve(value.size());
  for (char c : value) {
    if (c == '\r' || c == '\n' || (drop_nul && c == '\0')) {
      continue;
    }
    clean.push_back(c);
  }
  if (clean.empty()) {
    return;
  }
  out += name;
  out += ": ";
  out += clean;
  out.push_back('\n');
}

void AppendDataLine(std::string& out, std::string_view line) {
  // One space after the colon, which the reader strips (§9.2.6), so a line that itself starts
  // with a space keeps it.
  out += line.empty() ? "data:" : "data: ";
  out += line;
  out.push_back('\n');
}

// "retry": "If the field value consists of only ASCII digits, then interpret the field value as
// an integer in base ten" (§9.2.6). Values beyond int64 are ignored rather than wrapped.
std::optional<int64_t> ParseRetry(std::string_view value) {
  if (value.empty()) {
    return std::nullopt;
  }
  int64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    const int digit = c - '0';
    if (n > (std::numeric_limits<int64_t>::max() - digit) / 10) {
      return std::nullopt;
    }
    n = n * 10 + digit;
  }
  return n;
}

}  // namespace

std::string FormatSseEvent(const SseEvent& event) {
  std::string out;
  out.reserve(event.data.size() + event.event.size() + event.id.size() + 32);
  AppendSingleLineField(out, "event", event.event, /*drop_nul=*/false);
  // §9.2.6: an id containing NUL is ignored by the reader; we drop the NUL instead.
  AppendSingleLineField(out, "id", event.id, /*drop_nul=*/true);
  if (event.retry_ms && *event.retry_ms >= 0) {
    out += "retry: ";
    out += std::to_string(*event.retry_ms);
    out.push_back('\n');
  }
  // §9.2.5: every line of the data gets its own "data:" field; the reader splits on CR LF, CR
  // and LF alike (§9.2.6), so we do too.
  const std::string_view data = event.data;
  LineBreakFinder breaks(data);
  size_t start = 0;
  while (true) {
    const size_t eol = breaks.Next(start);
    if (eol == std::string_view::npos) {
      AppendDataLine(out, data.substr(start));
      break;
    }
    AppendDataLine(out, data.substr(start, eol - start));
    start =
        (data[eol] == '\r' && eol + 1 < data.size() && data[eol + 1] == '\n') ? eol + 2 : eol + 1;
  }
  out.push_back('\n');  // the blank line dispatches the event
  return out;
}

std::string FormatSseComment(std::string_view text) {
  std::string out = ": ";
  for (char c : text) {
    out.push_back(c == '\r' || c == '\n' ? ' ' : c);
  }
  out += "\n\n";
  return out;
}

SseParser::SseParser(size_t max_buffered_bytes) : max_buffered_bytes_(max_buffered_bytes) {}

size_t SseParser::Buffered() const {
  return line_.size() + data_.size() + event_type_.size() + id_buffer_.size();
}

Status SseParser::Feed(std::string_view chunk, const EventCallback& on_event) {
  if (failed_) {
    return CodecErrc::kTooLarge;
  }
  // §9.2.6: "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present",
  // matched byte by byte because a chunk may end inside it.
  std::string_view pending_bom;  // BOM bytes that turned out not to be a BOM
  while (at_stream_start_ && !chunk.empty()) {
    if (chunk.front() == kBom[bom_bytes_seen_]) {
      chunk.remove_prefix(1);
      if (++bom_bytes_seen_ == kBom.size()) {
        at_stream_start_ = false;
      }
      continue;
    }
    pending_bom = kBom.substr(0, bom_bytes_seen_);
    at_stream_start_ = false;
  }

  for (std::string_view input : {pending_bom, chunk}) {
    LineBreakFinder breaks(input);
    size_t i = 0;
    if (skip_lf_ && !input.empty()) {
      // §9.2.6 end-of-line: CR LF is one line break even when split across chunks.
      skip_lf_ = false;
      if (input.front() == '\n') {
        i = 1;
      }
    }
    while (i < input.size()) {
      const size_t eol = breaks.Next(i);
      if (eol == std::string_view::npos) {
        const size_t rest = input.size() - i;
        if (Buffered() + rest > max_buffered_bytes_) {
          failed_ = true;
          return CodecErrc::kTooLarge;
        }
        line_.append(input.substr(i));
        break;
      }
      const std::string_view piece = input.substr(i, eol - i);
      if (line_.empty()) {
        ProcessLine(piece, on_event);
      } else {
        if (Buffered() + piece.size() > max_buffered_bytes_) {
          failed_ = true;
          return CodecErrc::kTooLarge;
        }
        line_.append(piece);
        std::string line = std::move(line_);
        line_.clear();
        ProcessLine(line, on_event);
      }
      if (failed_) {
        return CodecErrc::kTooLarge;
      }
      i = eol + 1;
      if (input[eol] == '\r') {
        if (i < input.size()) {
          if (input[i] == '\n') {
            ++i;
          }
        } else {
          skip_lf_ = true;
        }
      }
    }
  }
  return {};
}

void SseParser::ProcessLine(std::string_view line, const EventCallback& on_event) {
  if (line.empty()) {
    Dispatch(on_event);  // §9.2.6: a blank line dispatches the event
    return;
  }
  if (line.front() == ':') {
    return;  // a comment
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    ProcessField(line, {});  // the whole line is the field name, the value is empty
    return;
  }
  std::string_view value = line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);  // only one leading space is removed
  }
  ProcessField(line.substr(0, colon), value);
}

void SseParser::ProcessField(std::string_view field, std::string_view value) {
  if (field == "event") {
    if (Buffered() - event_type_.size() + value.size() > max_buffered_bytes_) {
      failed_ = true;
      return;
    }
    event_type_.assign(value);
  } else if (field == "data") {
    if (Buffered() + value.size() + 1 > max_buffered_bytes_) {
      failed_ = true;
      return;
    }
    data_.append(value);
    data_.push_back('\n');
  } else if (field == "id") {
    if (value.find('\0') != std::string_view::npos) {
      return;  // §9.2.6: an id containing NUL is ignored
    }
    if (Buffered() - id_buffer_.size() + value.size() > max_buffered_bytes_) {
      failed_ = true;
      return;
    }
    id_buffer_.assign(value);
  } else if (field == "retry") {
    if (auto ms = ParseRetry(value)) {
      reconnection_time_ms_ = ms;
      pending_retry_ms_ = ms;
    }
  }
  // §9.2.6: any other field is ignored.
}

void SseParser::Dispatch(const EventCallback& on_event) {
  // §9.2.6 dispatch, step 1: the last event ID is updated even if nothing is dispatched.
  last_event_id_ = id_buffer_;
  std::optional<int64_t> retry = pending_retry_ms_;
  pending_retry_ms_.reset();
  // Step 2: no data, no event; the event type buffer is reset too.
  if (data_.empty()) {
    event_type_.clear();
    return;
  }
  // Step 3: data lines were joined with LF; the last LF is not part of the data.
  data_.pop_back();
  SseEvent event{std::move(event_type_), last_event_id_, std::move(data_), retry};
  event_type_.clear();
  data_.clear();
  if (on_event) {
    on_event(std::move(event));
  }
}

}  // namespace mcpauth::http
