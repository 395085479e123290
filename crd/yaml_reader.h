// Strict, located reading of YAML documents (internal to crd/).
//
// yaml-cpp accepts duplicate keys and resolves no types; this layer adds what a spec parser needs:
// every value is read with its field path and position, unknown and duplicate keys are errors,
// scalars are typed by YAML 1.2's core schema (quoted scalars are always strings), and a budget
// bounds the work an alias bomb can cause. Errors are collected, not thrown, so a file reports
// all of its problems at once.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.h"
#include "crd/field_error.h"

namespace hgo::crd {

struct ReaderLimits {
  size_t max_nodes = 100000;  // YAML nodes visited per document, aliases counted each time
  int max_depth = 64;         // nesting of maps and lists within a document
};

// Checks of the raw bytes before yaml-cpp sees them: valid UTF-8, no NUL or other control
// characters, no tab in indentation, flow nesting ([ and {) at most max_flow_depth deep.
// Returns file-level errors with positions.
std::vector<FieldError> PrescanYamlText(std::string_view text, const std::string& file,
                                        int max_flow_depth);

// Walks the YAML event stream once without building nodes and returns a file-level error when it
// has more than max_documents documents or stops making progress. yaml-cpp 0.7's LoadAll() loops
// forever on some malformed input (fixed upstream after 0.7, yaml-cpp PR 1319), allocating
// until the process dies; this pass finds that case first. Throws YAML::Exception on syntax
// errors, like LoadAll().
std::optional<FieldError> ProbeYamlStream(std::string_view text, const std::string& file,
                                          int max_documents);

SourceLocation LocationOf(const YAML::Node& node);

class ReadContext {
 public:
  ReadContext(std::string file, ReaderLimits limits, std::vector<FieldError>* errors,
              std::map<std::string, SourceLocation>* locations)
      : file_(std::move(file)), limits_(limits), errors_(errors), locations_(locations) {}

  void Error(SourceLocation at, std::string path, std::string message);
  void Error(const YAML::Node& at, std::string path, std::string message) {
    Error(LocationOf(at), std::move(path), std::move(message));
  }
  void Record(const std::string& path, const YAML::Node& node);
  // Counts one visited node; false (after one error) once the budget is spent.
  bool Visit(const YAML::Node& node, const std::string& path);
  bool budget_exhausted() const { return budget_exhausted_; }
  // True the first time it is called.
  bool NoteDepthExceeded() { return !std::exchange(depth_exceeded_, true); }
  const ReaderLimits& limits() const { return limits_; }
  size_t error_count() const { return errors_->size(); }

 private:
  std::string file_;
  ReaderLimits limits_;
  std::vector<FieldError>* errors_;
  std::map<std::string, SourceLocation>* locations_;
  size_t visited_ = 0;
  bool budget_exhausted_ = false;
  bool depth_exceeded_ = false;
};

// "a map", "a list", "a string", "null", ...
std::string DescribeNode(const YAML::Node& node);

// A YAML map at a field path. Construction reports (once) a node that is not a map, duplicate
// keys and non-string keys; CheckKnown() reports keys not in the list.
class MapReader {
 public:
  MapReader(ReadContext& ctx, const YAML::Node& node, std::string path);

  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }
  SourceLocation location() const { return LocationOf(node_); }
  std::string Child(std::string_view key) const;  // path + "." + key

  // Reports each key not in known, with a "did you mean" hint for near misses.
  void CheckKnown(const std::vector<std::string_view>& known);

  // The value of key; an undefined node when absent.
  YAML::Node Get(std::string_view key) const;
  bool Has(std::string_view key) const { return Get(key).IsDefined(); }
  // Where key itself is written (the map's location when absent).
  SourceLocation KeyLocation(std::string_view key) const;
  // All entries in document order (duplicates already reported and dropped).
  const std::vector<std::pair<std::string, YAML::Node>>& entries() const { return entries_; }

  // Typed fields. Each records the value's location, reports a wrong type or a missing
  // required value, and returns nullopt on any problem.
  std::optional<std::string> String(std::string_view key, bool required);
  std::optional<int64_t> Int(std::string_view key, bool required);
  std::optional<bool> Bool(std::string_view key, bool required);
  // A string or a number written as text (for quantities: "4Gi", 2, 0.5).
  std::optional<std::string> ScalarText(std::string_view key, bool required);
  // One of the names in allowed (case-sensitive; a case-insensitive match is suggested).
  std::optional<std::string> Enum(std::string_view key,
                                  const std::vector<std::string_view>& allowed, bool required);
  std::optional<std::vector<std::string>> StringList(std::string_view key, bool required);
  std::optional<std::map<std::string, std::string>> StringMap(std::string_view key, bool required);
  // Any value, typed by the core schema.
  std::optional<Json> Value(std::string_view key, bool required);

 private:
  bool Missing(std::string_view key, bool required);

  ReadContext& ctx_;
  YAML::Node node_;
  std::string path_;
  bool ok_ = false;
  std::vector<std::pair<std::string, YAML::Node>> entries_;
  std::vector<YAML::Node> key_nodes_;
};

// Converts any node to Json by YAML 1.2's core schema (plain scalars become null, bools, ints or
// floats where they look like one; quoted ones stay strings; !!str, !!int, !!float, !!bool,
// !!null tags are honoured). Reports non-finite floats, other tags, duplicate keys, excessive
// depth and budget overruns.
std::optional<Json> ToJson(ReadContext& ctx, const YAML::Node& node, const std::string& path,
                           int depth = 0);

// The field path of list element i: "spec.topology.bolts[1]".
std::string IndexPath(const std::string& path, size_t i);
// The field path of a map entry: "metadata.labels.team" for simple keys, and a quoted form for
// keys with dots or other characters: spec.topology.config["topology.workers"].
std::string KeyPath(const std::string& path, std::string_view key);

}  // namespace hgo::crd
