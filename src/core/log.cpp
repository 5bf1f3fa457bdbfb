#include "mcpauth/core/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <ctime>

namespace mcpauth::log {
namespace {

// One JSON object per line: {"ts":"2026-11-26T07:25:31.123Z","level":"info","msg":"..."}.
// Boost.JSON does the string escaping, so no message can break the line structure.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    const auto since = msg.time.time_since_epoch();
    const std::time_t secs = duration_cast<seconds>(since).count();
    const auto millis = duration_cast<milliseconds>(since).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char ts[40];
    const size_t n = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    const auto level = spdlog::level::to_string_view(msg.level);
    const std::string text = boost::json::serialize(
        boost::json::value(boost::json::string_view(msg.payload.data(), msg.payload.size())));
    fmt::format_to(std::back_inserter(dest), R"({{"ts":"{}.{:03d}Z","level":"{}","msg":{}}})",
                   std::string_view(ts, n), static_cast<int>(millis),
                   std::string_view(level.data(), level.size()), text);
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

bool ParseFormat(std::string_view text, Format& out) {
  if (text == "human") {
    out = Format::kHuman;
    return true;
  }
  if (text == "json") {
    out = Format::kJson;
    return true;
  }
  return false;
}

bool Init(Format format, std::string_view level) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") {
    return false;
  }
  auto logger = std::make_shared<spdlog::logger>("mcpauth",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (format == Format::kJson) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  return true;
}

}  // namespace mcpauth::log
