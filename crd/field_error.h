// FieldError: one problem in a spec file, located precisely enough to fix it without searching.
#pragma once

#include <string>
#include <vector>

#include "crd/topology.h"

namespace hgo::crd {

struct FieldError {
  std::string file;  // as given to the parser; may be "<stdin>" or a git path
  SourceLocation location;
  std::string path;     // "spec.topology.bolts[1].parallelism"; empty for file-level errors
  std::string message;  // what is wrong and, where it helps, what would be right

  // "dir/wc.yaml:12:20: spec.topology.bolts[1].parallelism: must be at least 1, got 0"
  std::string ToString() const;
  friend bool operator==(const FieldError&, const FieldError&) = default;
};

// Sorted by file, line, column, then path, so reports are stable.
void SortErrors(std::vector<FieldError>& errors);

}  // namespace hgo::crd
