#include "common/logging.h"

#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <ctime>

#include "common/json.h"
#include "common/redact.h"

namespace hgo {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "info";
}

LogLevel FromSpdlog(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace:
      return LogLevel::kTrace;
    case spdlog::level::debug:
      return LogLevel::kDebug;
    case spdlog::level::info:
      return LogLevel::kInfo;
    case spdlog::level::warn:
      return LogLevel::kWarn;
    case spdlog::level::err:
    case spdlog::level::critical:
      return LogLevel::kError;
    default:
      return LogLevel::kOff;
  }
}

spdlog::level::level_enum ToSpdlog(LogLevel l) {
  switch (l) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line = FormatJsonLogLine(
        std::chrono::time_point_cast<std::chrono::system_clock::duration>(msg.time),
        FromSpdlog(msg.level), std::string_view(msg.logger_name.data(), msg.logger_name.size()),
        std::string_view(msg.payload.data(), msg.payload.size()));
    line.push_back('\n');
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLineFormatter>();
  }
};

// Every line passes the redactor (common/redact.h) once formatted, whatever its format.
class RedactingFormatter final : public spdlog::formatter {
 public:
  explicit RedactingFormatter(std::unique_ptr<spdlog::formatter> inner)
      : inner_(std::move(inner)) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    spdlog::memory_buf_t line;
    inner_->format(msg, line);
    std::string text(line.data(), line.size());
    RedactInPlace(text);
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<RedactingFormatter>(inner_->clone());
  }

 private:
  std::unique_ptr<spdlog::formatter> inner_;
};

}  // namespace

StatusOr<LogFormat> ParseLogFormat(std::string_view s) {
  if (s == "human") return LogFormat::kHuman;
  if (s == "json") return LogFormat::kJson;
  return Status::InvalidArgument("unknown log format '" + std::string(s) +
                                 "' (expected human or json)");
}

StatusOr<LogLevel> ParseLogLevel(std::string_view s) {
  for (LogLevel l : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                     LogLevel::kError, LogLevel::kOff}) {
    if (s == LevelName(l)) return l;
  }
  return Status::InvalidArgument("unknown log level '" + std::string(s) +
                                 "' (expected trace, debug, info, warn, error or off)");
}

void InitLogging(LogFormat format, LogLevel level) {
  // Not registered by name, so InitLogging may be called again (tests, re-configuration).
  auto logger = std::make_shared<spdlog::logger>(
      "hgo", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  std::unique_ptr<spdlog::formatter> inner;
  if (format == LogFormat::kJson) {
    inner = std::make_unique<JsonLineFormatter>();
  } else {
    inner = std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ %v");
  }
  logger->set_formatter(std::make_unique<RedactingFormatter>(std::move(inner)));
  logger->set_level(ToSpdlog(level));
  spdlog::set_default_logger(logger);
}

std::string FormatTimestamp(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string FormatJsonLogLine(std::chrono::system_clock::time_point t, LogLevel level,
                              std::string_view logger, std::string_view msg) {
  Json line = Json::MakeObject();
  line["ts"] = FormatTimestamp(t);
  line["level"] = LevelName(level);
  line["logger"] = logger;
  line["msg"] = msg;
  return Serialize(line);
}

}  // namespace hgo
