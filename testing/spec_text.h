// The example minimal spec's YAML with another topology name, for source and merge tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace hgo::testing {

inline std::string MinimalSpecText(const std::string& name) {
  std::ifstream in(std::string(HGO_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  const std::string from = "name: exclamation";
  s.replace(s.find(from), from.size(), "name: " + name);
  return s;
}

}  // namespace hgo::testing
