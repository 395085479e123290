#include "common/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "common/json.h"

namespace hgo {
namespace {

TEST(LoggingTest, JsonLinesAreValidJsonWithEscapedMessages) {
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1767225600123));
  std::string line = FormatJsonLogLine(t, LogLevel::kWarn, "controller", "bad \"spec\"\nnext");
  EXPECT_EQ(line, R"({"level":"warn","logger":"controller","msg":"bad \"spec\"\nnext",)"
                  R"("ts":"2026-01-01T00:00:00.123Z"})");
  auto parsed = ParseJson(line);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Find("msg")->as_string(), "bad \"spec\"\nnext");
}

// Whatever the format, a logged credential never reaches the stream.
TEST(LoggingTest, EveryLineIsRedacted) {
  for (LogFormat format : {LogFormat::kHuman, LogFormat::kJson}) {
    InitLogging(format, LogLevel::kInfo);
    ::testing::internal::CaptureStderr();
    spdlog::info("fetching https://bob:hunter2@git.example/x.git with db.password=s3cr3t");
    spdlog::default_logger()->flush();
    const std::string out = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(out.find("fetching https://***@git.example/x.git"), std::string::npos) << out;
    EXPECT_EQ(out.find("hunter2"), std::string::npos) << out;
    EXPECT_EQ(out.find("s3cr3t"), std::string::npos) << out;
    if (format == LogFormat::kJson) EXPECT_TRUE(ParseJson(out.substr(0, out.find('\n'))).ok());
  }
  InitLogging(LogFormat::kHuman, LogLevel::kInfo);
}

TEST(LoggingTest, ParsesFormatsAndLevels) {
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(*ParseLogFormat("human"), LogFormat::kHuman);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  auto bad = ParseLogLevel("loud");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'loud'"), std::string::npos);
}

TEST(LoggingTest, TimestampsAreUtcWithMilliseconds) {
  EXPECT_EQ(FormatTimestamp(std::chrono::system_clock::time_point(std::chrono::milliseconds(5))),
            "1970-01-01T00:00:00.005Z");
}

}  // namespace
}  // namespace hgo
