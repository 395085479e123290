// heronctl package build | push | inspect: topology packages, offline (no controller needed).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hgo::cli {

struct PackageBuildOptions {
  std::string binary;  // the topology's jar, tar(.gz) or pex
  // Where the .defn comes from: exactly one of these.
  std::string defn;        // a ready .defn
  std::string main_class;  // run it (with heron_home) the way heron-cli does
  std::string eco;         // an ECO file, run through Heron's ECO main class (with heron_home)
  std::string from_spec;   // a spec file: a .defn without serialized objects (the e2e stand-in)
  std::string name;        // which topology of from_spec, when it holds several
  std::string heron_home, java;
  std::vector<std::string> args;  // the main class's arguments (after --)
  std::string cluster, role, environment;
  std::string conf_dir;  // copied under heron-conf/
  std::string out = "topology.tar.gz";
  std::string output = "text";  // text or json
};
int RunPackageBuild(const PackageBuildOptions& o, std::ostream& out, std::ostream& err);

struct PackagePushOptions {
  std::string file;
  std::string to;         // file:///DIR or http(s)://BASE
  std::string auth_file;  // user:password for an HTTP store (Basic)
  std::string output = "text";
};
int RunPackagePush(const PackagePushOptions& o, std::ostream& out, std::ostream& err);

// file: a path, or a file:// or http(s):// URI.
int RunPackageInspect(const std::string& file, const std::string& output, std::ostream& out,
                      std::ostream& err);

}  // namespace hgo::cli
