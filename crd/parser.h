// Parsing Topology specs from YAML: files with one or more documents, each decoded, defaulted and
// validated, with every problem reported at once as a FieldError (file, line, column, path).
//
// Hostile input (huge files, deep nesting, alias bombs, invalid UTF-8, tabs, duplicate keys,
// control characters) gets a clear error in bounded time and memory; nothing here throws.
// Thread-safety: the functions are pure and may run concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crd/field_error.h"
#include "crd/topology.h"

namespace hgo::crd {

struct ParseOptions {
  size_t max_file_bytes = 1 << 20;  // a spec is a few KiB; 1 MiB leaves ample room
  int max_documents = 1000;
  int max_flow_depth = 64;    // [ and { nesting, checked before yaml-cpp sees the text
  int max_depth = 64;         // nesting of maps and lists in a document
  size_t max_nodes = 100000;  // YAML nodes visited per document (alias bombs)
};

struct ParsedDocument {
  int index = 0;  // 0-based among the file's documents, empty ones included
  SourceLocation location;
  // Best effort, set whenever cluster (or spec.placement's cluster names), role, environment
  // and name could be read, even if the document is otherwise invalid: the controller freezes
  // those topologies instead of pruning them.
  std::vector<TopologyKey> keys;
  // Set only when errors is empty: the document's topology, or one per cluster of its
  // spec.placement (crd/placement.h).
  std::vector<Topology> topologies;
  std::vector<FieldError> errors;
};

struct ParseResult {
  std::string file;
  // Problems with the file as a whole (unreadable, too large, invalid UTF-8, YAML syntax). When
  // present, documents may be incomplete.
  std::vector<FieldError> file_errors;
  std::vector<ParsedDocument> documents;

  bool ok() const;
  std::vector<FieldError> AllErrors() const;  // sorted
  std::vector<Topology> Topologies() const;   // those of the valid documents
};

ParseResult ParseTopologies(std::string_view content, const std::string& file,
                            const ParseOptions& options = {});

// Reads path (at most options.max_file_bytes) and parses it; read failures are file_errors.
ParseResult ParseTopologyFile(const std::string& path, const ParseOptions& options = {});

// One error per topology whose key appears more than once (across files or within one), or
// whose name another key already has in the same cluster (Heron keeps one topology of a name
// per cluster), naming the first place it was defined.
std::vector<FieldError> CheckUniqueKeys(const std::vector<Topology>& topologies);

}  // namespace hgo::crd
