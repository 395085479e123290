// Topology packages: what heron-cli ships as topology.tar.gz, plus our manifest.
//
// Layout (heron-cli's submit.py): the topology binary under its base name, <name>.defn (the
// serialized Topology), heron-conf/ (the cluster's config files, when given), and
// heron-gitops-manifest.json, which lists every other file with its size and sha256, the
// topology's name, the binary's type and where the .defn came from. The bytes are the same for
// the same inputs (packager/archive.h), so a package's sha256 names its content.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "packager/archive.h"

namespace hgo::packager {

inline constexpr char kManifestName[] = "heron-gitops-manifest.json";
inline constexpr size_t kMaxPackageBytes = size_t{1} << 30;

// jar, tar, pex, so, dylib (heron-cli's rule, by extension); kInvalidArgument otherwise.
StatusOr<std::string> BinaryType(const std::string& file_name);

// The heron-conf/ files Heron's executor opens before it starts anything
// (heron/executor/src/python/heron_executor.py: the internals file for its log directory, the
// override and state-manager files for its packing-plan watch, the metrics sinks for the
// metrics manager), each with the top-level key it reads ("" when it only opens the file).
// heron-cli always ships the cluster's conf directory plus override.yaml in the package.
struct ConfRequirement {
  const char* path;  // under heron-conf/
  const char* key;
};
const std::vector<ConfRequirement>& RequiredConfFiles();

struct PackageInputs {
  std::string binary_name;  // base name, e.g. word-count.jar
  std::string binary;
  bool binary_executable = false;
  std::string defn;         // a serialized heron.proto.api.Topology
  std::string defn_source;  // how it was made: given, main-class, eco, spec
  // heron-conf/<relative path> -> contents.
  std::map<std::string, std::string> conf_files;
};

struct Package {
  std::string bytes;  // the tar.gz
  std::string sha256;
  Json manifest;
};

// kInvalidArgument when the binary's type is unknown or the .defn is not a Topology.
StatusOr<Package> BuildPackage(const PackageInputs& in);

// Reads conf_dir's regular files (recursively) as heron-conf/ entries.
StatusOr<std::map<std::string, std::string>> ReadConfDir(const std::string& conf_dir);

struct PackageContents {
  std::string topology_name;  // from the .defn
  std::string defn_name;      // <name>.defn
  std::string defn;
  std::string binary_name;  // "" when the package has no recognised binary
  std::string binary_type;  // jar, tar, pex, so, dylib; "" with no binary
  Json manifest;            // null for a package heron-cli made (no manifest)
  std::vector<ArchiveEntry> files;
};

// Opens a package (ours or heron-cli's): exactly one .defn at the top level. where names the
// package in errors. When a manifest is present every file must match its listed sha256.
StatusOr<PackageContents> OpenPackage(std::string_view bytes, const std::string& where);

// Whether Heron's executor could run the package: one topology binary (named by the manifest
// for packages heronctl built, else the only top-level file of a known type), and every file of
// RequiredConfFiles() with its key. kFailedPrecondition naming what is missing.
Status CheckDeployable(const PackageContents& p, const std::string& where);

// The value of `key:` at the top level of a YAML text (a line starting with the key, quoted or
// not), unquoted, without a trailing comment; nullopt when no line has it. Heron's conf files
// are flat maps of dotted keys with scalar values, so no YAML parser is needed for one.
std::optional<std::string> TopLevelValue(std::string_view yaml, std::string_view key);

// Where Heron's executor roots its state manager: heron.statemgr.root.path of
// heron-conf/statemgr.yaml, overridden by heron-conf/override.yaml (statemgrs' configloader).
// "" when neither says.
std::string StateManagerRoot(const PackageContents& p);

// Human-readable summary: sha256, size, files, the topology's components and streams.
std::string DescribePackage(const PackageContents& p, const std::string& sha256, size_t size);
// The same as JSON.
Json PackageJson(const PackageContents& p, const std::string& sha256, size_t size);

}  // namespace hgo::packager
