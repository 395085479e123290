#include "common/duration.h"

#include <cctype>

namespace hgo {

StatusOr<std::chrono::seconds> ParseDurationSeconds(const std::string& v) {
  if (v.empty()) return Status::InvalidArgument("duration is empty");
  size_t digits = 0;
  while (digits < v.size() && std::isdigit(static_cast<unsigned char>(v[digits]))) ++digits;
  if (digits == 0 || digits > 9) return Status::InvalidArgument("bad duration '" + v + "'");
  const int64_t n = std::stoll(v.substr(0, digits));
  const std::string unit = v.substr(digits);
  int64_t seconds = 0;
  if (unit == "s" || unit.empty()) {
    seconds = n;
  } else if (unit == "m") {
    seconds = n * 60;
  } else if (unit == "h") {
    seconds = n * 3600;
  } else {
    return Status::InvalidArgument("bad duration unit in '" + v + "' (s, m or h)");
  }
  if (seconds < 1) return Status::InvalidArgument("duration must be at least 1s");
  return std::chrono::seconds(seconds);
}

}  // namespace hgo
