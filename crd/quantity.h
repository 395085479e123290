// Resource quantities as written in specs: bytes with Kubernetes-style units, CPU as decimal
// cores. Parsed into integers so equal amounts compare and hash equal ("4Gi" == "4096Mi").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace hgo::crd {

// "4Gi", "512Mi", "1.5Gi", "2G", "1000k", "1048576" (plain bytes). Binary suffixes Ki Mi Gi Ti
// Pi, decimal suffixes k M G T P. The result must be a whole number of bytes, at most 2^62.
// Errors (kInvalidArgument) say what was expected.
StatusOr<int64_t> ParseByteQuantity(std::string_view text);

// ECO's ByteAmount ("512MB", "1GB", "100B": binary units, whole numbers) or, failing that,
// ParseByteQuantity ("512Mi").
StatusOr<int64_t> ParseEcoBytes(const std::string& text);

// "2", "0.5", "1.25", "500m" (millicores). At most three decimal places; the result is in
// millicores, at most 10^9.
StatusOr<int64_t> ParseCpuMillis(std::string_view text);

// The shortest exact form with a binary suffix: 4294967296 -> "4Gi", 1536 -> "1536" (no
// fraction of a unit is written).
std::string FormatBytes(int64_t bytes);

// 2000 -> "2", 500 -> "0.5", 1250 -> "1.25".
std::string FormatCpuMillis(int64_t millis);

}  // namespace hgo::crd
