#include "mcpauth/core/log.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

namespace mcpauth::log {
namespace {

TEST(JsonLogTest, EachLineIsOneJsonObjectEvenWithHostileText) {
  ASSERT_TRUE(Init(Format::kJson, "info"));
  ::testing::internal::CaptureStderr();
  Info("client {} said \"hi\"\nand {}", "c1", "\x01\\");
  spdlog::default_logger()->flush();
  const std::string out = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.find('\n'), out.size() - 1) << out;  // exactly one line
  boost::system::error_code ec;
  auto v = boost::json::parse(out, ec);
  ASSERT_FALSE(ec) << out;
  EXPECT_EQ(v.at("level").as_string(), "info");
  EXPECT_EQ(v.at("msg").as_string(), "client c1 said \"hi\"\nand \x01\\");
  EXPECT_TRUE(v.at("ts").as_string().ends_with("Z"));
  Init(Format::kHuman, "info");
}

TEST(JsonLogTest, LevelFiltersMessages) {
  ASSERT_TRUE(Init(Format::kJson, "warn"));
  ::testing::internal::CaptureStderr();
  Info("hidden");
  Warn("shown");
  spdlog::default_logger()->flush();
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out.find("hidden"), std::string::npos);
  EXPECT_NE(out.find("shown"), std::string::npos);
  Init(Format::kHuman, "info");
}

}  // namespace
}  // namespace mcpauth::log
