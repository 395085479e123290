// Facts that depend on the Heron release a topology runs on.
#pragma once

#include <string>

namespace hgo::crd {

// Heron releases before 0.20.3 say "tmaster" (ZooKeeper directory, executor flags and
// binaries); from 0.20.3 on "tmanager". An empty version means the current naming.
bool UsesTMasterNames(const std::string& heron_version);

}  // namespace hgo::crd
