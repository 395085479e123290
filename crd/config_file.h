// Small configuration files (the controller's clusters file, heronctl's config) read the way
// specs are (crd/yaml_reader.h underneath): bytes checked first, one document, duplicate keys
// refused, scalars typed by YAML 1.2's core schema, and every field's line kept, so an error
// names the file, the line and the field ("clusters.yaml:4: clusters[0].aurora: ..."). The
// one YAML reader of the project: yaml-cpp stays private to crd.
#pragma once

#include <map>
#include <set>
#include <string>

#include "common/json.h"
#include "common/status.h"
#include "crd/topology.h"

namespace hgo::crd {

class ConfigFile {
 public:
  // kInvalidArgument "file:line: message" for text that is not one YAML document.
  static StatusOr<ConfigFile> Parse(const std::string& text, const std::string& file);

  const Json& root() const { return root_; }  // null for an empty file
  const std::string& file() const { return file_; }
  // kInvalidArgument "file:line: path: message", at path's line (or its nearest written
  // parent's, for a missing field).
  Status Error(const std::string& path, const std::string& message) const;
  // The line path is written on, or its nearest written parent's (1 when none is).
  int LineOf(const std::string& path) const;

  // The fields a mapping at path may have: "unknown field" for any other (naming the known
  // ones), "must be a mapping" for a value that is not one.
  Status OnlyKeys(const Json& map, const std::string& path,
                  const std::set<std::string>& known) const;
  // A string field of map ("" when absent and not required).
  StatusOr<std::string> String(const Json& map, const std::string& path, const std::string& key,
                               bool required) const;

 private:
  std::string file_;
  Json root_;
  std::map<std::string, SourceLocation> locations_;  // by field path
  std::map<std::string, std::string> scalars_;       // scalars as written, by field path
};

}  // namespace hgo::crd
