// Deterministic tar.gz archives (libarchive).
//
// Why deterministic: a package is addressed by the sha256 of its bytes, so building it twice from
// the same inputs must give the same bytes. The writer sorts entries by path, writes every
// directory a path needs, and fixes everything that would otherwise vary: mtime 0, owner 0:0 with
// no names, mode 0644 (0755 for executables and directories), pax-restricted tar (plain ustar
// headers unless a path needs more), gzip with no timestamp and no file name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hgo::packager {

struct ArchiveEntry {
  std::string path;  // relative, '/'-separated, no "." or ".." parts
  std::string data;
  bool executable = false;
};

// kInvalidArgument for a path that is empty, absolute, has "." or ".." parts, or appears twice.
StatusOr<std::string> WriteTarGz(std::vector<ArchiveEntry> entries);

// The regular files of a tar or tar.gz (directories skipped; a leading "./" dropped). where names
// the archive in errors. kInvalidArgument when the bytes are not an archive, an entry is not a
// regular file or directory (links are refused: a package has no use for them), a path escapes,
// or the files hold more than max_bytes in all.
StatusOr<std::vector<ArchiveEntry>> ReadArchive(std::string_view bytes, const std::string& where,
                                                size_t max_bytes);

}  // namespace hgo::packager
