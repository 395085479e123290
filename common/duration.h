// Durations as people write them in flags: "90", "90s", "5m", "1h".
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"

namespace hgo {

// -> seconds (at least 1).
StatusOr<std::chrono::seconds> ParseDurationSeconds(const std::string& v);

}  // namespace hgo
