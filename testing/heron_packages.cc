#include "testing/heron_packages.h"

#include "common/file_util.h"
#include "packager/package.h"
#include "statestore/defn.h"

namespace hgo::testing {

std::string StandinCorePackageUri() {
  return "file://" + std::string(HGO_TESTING_BINARY_DIR) + "/e2e/standin/heron-core-standin.tar.gz";
}

StatusOr<TestPackage> PackageForTest(const std::string& dir, crd::Topology& spec) {
  // What `heronctl package build --from-spec` makes: the stand-in instantiates nothing, so the
  // .defn carries no serialized objects.
  packager::PackageInputs in;
  in.binary_name = spec.metadata.name + ".jar";
  in.binary = "not really a jar";
  in.defn = statestore::DefnFromSpec(spec, spec.metadata.name, 1);
  in.defn_source = "spec";
  HGO_ASSIGN_OR_RETURN(packager::Package package, packager::BuildPackage(in));
  const std::string tarball = dir + "/topology.tar.gz";
  HGO_RETURN_IF_ERROR(WriteFileAtomic(tarball, package.bytes));
  TestPackage p{"file://" + tarball, package.sha256};
  spec.spec.package.uri = p.uri;
  spec.spec.package.sha256 = p.sha256;
  spec.spec.heron.core_package = StandinCorePackageUri();
  return p;
}

}  // namespace hgo::testing
