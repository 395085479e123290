#include "testing/heron_packages.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/file_util.h"
#include "common/sha256.h"
#include "statestore/defn.h"

namespace hgo::testing {

std::string StandinCorePackageUri() {
  return "file://" + std::string(HGO_TESTING_BINARY_DIR) + "/e2e/standin/heron-core-standin.tar.gz";
}

StatusOr<TestPackage> PackageForTest(const std::string& dir, crd::Topology& spec) {
  const std::string stage = dir + "/stage";
  std::filesystem::create_directories(stage);
  std::ofstream(stage + "/" + spec.metadata.name + ".jar") << "not really a jar";
  std::ofstream(stage + "/" + spec.metadata.name + ".defn")
      << statestore::DefnFromSpec(spec, "unused", 1);
  const std::string tarball = dir + "/topology.tar.gz";
  if (std::system(("tar czf '" + tarball + "' -C '" + stage + "' .").c_str()) != 0) {
    return Status::Internal("tar failed for " + tarball);
  }
  HGO_ASSIGN_OR_RETURN(std::string bytes, ReadFileLimited(tarball, 64 << 20));
  TestPackage p{"file://" + tarball, Sha256Hex(bytes)};
  spec.spec.package.uri = p.uri;
  spec.spec.package.sha256 = p.sha256;
  spec.spec.heron.core_package = StandinCorePackageUri();
  return p;
}

}  // namespace hgo::testing
