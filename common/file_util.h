// Reading files with a size limit, so a huge or endless file (a FIFO, /dev/zero) cannot exhaust
// memory.
#pragma once

#include <cstddef>
#include <string>

#include "common/status.h"

namespace hgo {

// The whole file, or: kNotFound (missing), kPermissionDenied, kInvalidArgument (a directory or
// not a regular file), kResourceExhausted (larger than max_bytes). Messages name the path.
StatusOr<std::string> ReadFileLimited(const std::string& path, size_t max_bytes);

// Writes data to path through a temporary file and rename(), so readers see the old or the new
// contents, never a half-written file.
Status WriteFileAtomic(const std::string& path, std::string_view data);

}  // namespace hgo
