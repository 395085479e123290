// The web UI's files (controller/api/ui/), compiled into the binary by cmake/EmbedFiles.cmake.
#pragma once

#include <cstddef>
#include <vector>

namespace hgo::controller {

struct UiAsset {
  const char* name;  // "app.js", relative to controller/api/ui/
  const unsigned char* bytes;
  size_t size;
};

const std::vector<UiAsset>& UiAssets();

}  // namespace hgo::controller
