#include "testing/heron_packages.h"

#include "common/file_util.h"
#include "common/sha256.h"
#include "heron/defn.h"
#include "heron/packing.h"
#include "packager/archive.h"
#include "packager/package.h"

namespace hgo::testing {

std::string StandinCorePackageUri() {
  return "file://" + std::string(HGO_TESTING_BINARY_DIR) + "/e2e/standin/heron-core-standin.tar.gz";
}

std::map<std::string, std::string> StandinConf(const std::string& root) {
  std::map<std::string, std::string> conf;
  for (const char* file :
       {"heron_internals.yaml", "metrics_sinks.yaml", "stateful.yaml", "statemgr.yaml"}) {
    auto text = ReadFileLimited(
        std::string(HGO_TESTING_SOURCE_DIR) + "/manifests/heron-conf/" + file, 1 << 20);
    conf[file] = text.ok() ? *text : "";
  }
  std::string& statemgr = conf["statemgr.yaml"];
  const std::string from = "heron.statemgr.root.path: \"/heron\"";
  if (size_t at = statemgr.find(from); at != std::string::npos) {
    statemgr.replace(at, from.size(), "heron.statemgr.root.path: \"" + root + "\"");
  }
  return conf;
}

StatusOr<std::string> TopologyTar(const std::string& base) {
  return packager::WriteTarGz(
      {{base + ".jar", "not really a jar"}, {"libs/dependency.jar", "not really a dependency"}});
}

StatusOr<TestPackage> PackageForTest(const std::string& dir, crd::Topology& spec,
                                     const TestPackageOptions& options) {
  // What `heronctl package build --from-spec` makes: the stand-in instantiates nothing, so the
  // .defn carries no serialized objects; its stream managers are the plan's containers.
  HGO_ASSIGN_OR_RETURN(packing::PackingPlan plan, packing::Pack(spec, spec.metadata.name));
  packager::PackageInputs in;
  in.binary_name = options.binary_name.empty() ? spec.metadata.name + ".jar" : options.binary_name;
  in.binary = options.binary;
  in.binary_executable = options.binary_executable;
  in.defn =
      heronmsg::DefnFromSpec(spec, spec.metadata.name, static_cast<int>(plan.containers.size()));
  in.defn_source = "spec";
  if (options.conf) in.conf_files = StandinConf(options.statemgr_root);
  std::string bytes;
  if (options.conf) {
    HGO_ASSIGN_OR_RETURN(packager::Package package, packager::BuildPackage(in));
    bytes = std::move(package.bytes);
  } else {
    // As heron-cli would lay it out without a conf: what the controller refuses.
    HGO_ASSIGN_OR_RETURN(bytes, packager::WriteTarGz({{in.binary_name, in.binary},
                                                      {spec.metadata.name + ".defn", in.defn}}));
  }
  const std::string tarball = dir + "/topology.tar.gz";
  HGO_RETURN_IF_ERROR(WriteFileAtomic(tarball, bytes));
  TestPackage p{"file://" + tarball, Sha256Hex(bytes)};
  spec.spec.package.uri = p.uri;
  spec.spec.package.sha256 = p.sha256;
  spec.spec.heron.core_package = StandinCorePackageUri();
  return p;
}

}  // namespace hgo::testing
