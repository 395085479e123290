// Packages for e2e tests that run Heron-shaped jobs: a topology package (binary and .defn, as
// heron-cli ships them) and the heron-core package holding the heron-executor stand-in.
#pragma once

#include <string>

#include "common/status.h"
#include "crd/topology.h"

namespace hgo::testing {

struct TestPackage {
  std::string uri;  // file://...
  std::string sha256;
};

// Writes <dir>/topology.tar.gz for the spec and points spec.package and spec.heron.corePackage
// at it and at the stand-in's heron-core package.
StatusOr<TestPackage> PackageForTest(const std::string& dir, crd::Topology& spec);

// file://.../heron-core-standin.tar.gz in the build tree.
std::string StandinCorePackageUri();

}  // namespace hgo::testing
