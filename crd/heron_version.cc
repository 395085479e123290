#include "crd/heron_version.h"

#include <cstdio>
#include <tuple>

namespace hgo::crd {

bool UsesTMasterNames(const std::string& heron_version) {
  if (heron_version.empty()) return false;
  int major = 0, minor = 0, patch = 0;
  if (std::sscanf(heron_version.c_str(), "%d.%d.%d", &major, &minor, &patch) < 3) return false;
  return std::make_tuple(major, minor, patch) < std::make_tuple(0, 20, 3);
}

}  // namespace hgo::crd
