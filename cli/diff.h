// A unified line diff (as diff -u prints it), optionally coloured for a terminal. Its text passes
// the redactor (common/redact.h): a changed credential shows as a changed line of "***".
#pragma once

#include <string>

namespace hgo::cli {

// "" when the texts are equal. Hunks keep `context` unchanged lines around each change.
std::string UnifiedDiff(const std::string& from, const std::string& to,
                        const std::string& from_name, const std::string& to_name, bool color,
                        int context = 3);

}  // namespace hgo::cli
