// Logging set-up: spdlog to stderr, as human-readable lines or as one JSON object per line
// (for log shippers). Code logs with spdlog::info(...) etc. after InitLogging().
//
// Never log credentials: specs hold none, tokens and passwords are read from files into values
// that are not logged, and every line passes the redactor (common/redact.h) before it is
// written, whatever its format.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace hgo {

enum class LogFormat { kHuman, kJson };
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };

StatusOr<LogFormat> ParseLogFormat(std::string_view s);  // "human" | "json"
StatusOr<LogLevel> ParseLogLevel(std::string_view s);    // trace|debug|info|warn|error|off

// Replaces spdlog's default logger with one writing to stderr in the given format.
void InitLogging(LogFormat format, LogLevel level);

// One JSON log line (without the newline):
// {"level":"info","logger":"controller","msg":"...","ts":"2026-01-01T00:00:00.000Z"}
std::string FormatJsonLogLine(std::chrono::system_clock::time_point t, LogLevel level,
                              std::string_view logger, std::string_view msg);

// RFC 3339 UTC with milliseconds: 2026-01-01T00:00:00.000Z.
std::string FormatTimestamp(std::chrono::system_clock::time_point t);

}  // namespace hgo
