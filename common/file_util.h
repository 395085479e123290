// Reading files with a size limit, so a huge or endless file (a FIFO, /dev/zero) cannot exhaust
// memory.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace hgo {

// The whole file, or: kNotFound (missing), kPermissionDenied, kInvalidArgument (a directory or
// not a regular file), kResourceExhausted (larger than max_bytes). Messages name the path.
StatusOr<std::string> ReadFileLimited(const std::string& path, size_t max_bytes);

// Writes data to path through a temporary file and rename(), so readers see the old or the new
// contents, never a half-written file.
Status WriteFileAtomic(const std::string& path, std::string_view data);

// The same for contents too large to hold whole a second time: produce hands them to its
// writer in pieces (buffered here); an error from produce or from a write abandons the file.
using ChunkWriter = std::function<Status(std::string_view)>;
Status WriteFileAtomicWith(const std::string& path,
                           const std::function<Status(const ChunkWriter&)>& produce);

}  // namespace hgo
