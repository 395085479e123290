// Packages for e2e tests that run Heron-shaped jobs: a topology package (binary and .defn, as
// heron-cli ships them) and the heron-core package holding the heron-executor stand-in.
#pragma once

#include <map>
#include <string>

#include "common/status.h"
#include "crd/topology.h"

namespace hgo::testing {

struct TestPackage {
  std::string uri;  // file://...
  std::string sha256;
};

// What a test package holds besides the spec's .defn (by default what the controller deploys
// today: a jar named after the topology and the stand-in conf rooted at /heron).
struct TestPackageOptions {
  std::string binary_name;  // "" = <topology>.jar
  std::string binary = "not really a jar";
  bool binary_executable = false;
  std::string statemgr_root = "/heron";
  bool conf = true;  // false: no heron-conf/ (what the executor refuses); built by hand
};

// Writes <dir>/topology.tar.gz for the spec and points spec.package and spec.heron.corePackage
// at it and at the stand-in's heron-core package.
StatusOr<TestPackage> PackageForTest(const std::string& dir, crd::Topology& spec,
                                     const TestPackageOptions& options = {});

// The heron-conf/ files of manifests/heron-conf with the state manager rooted at root.
std::map<std::string, std::string> StandinConf(const std::string& root = "/heron");

// A tar holding libs/ and <base>.jar, as a tar-packaged Java topology is laid out.
StatusOr<std::string> TopologyTar(const std::string& base);

// file://.../heron-core-standin.tar.gz in the build tree.
std::string StandinCorePackageUri();

}  // namespace hgo::testing
