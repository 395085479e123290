// heronctl validate: parse and check spec files offline, exactly as the controller will.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <optional>

#include "common/status.h"
#include "crd/field_error.h"
#include "crd/topology.h"

namespace hgo::cli {

struct ValidateOptions {
  std::vector<std::string> paths;  // files, directories (searched for *.yaml and *.yml), or "-"
  std::string output = "text";     // "text" or "json"
};

// The files a path stands for: a file as it is; a directory's *.yaml and *.yml files, recursively,
// in sorted order, skipping hidden entries (.git). kNotFound when the path does not exist.
StatusOr<std::vector<std::string>> ExpandSpecPaths(const std::string& path);

// The error the controller would give a valid spec it cannot pack (spec.resources too small for
// the instances, a container count that cannot be met), located at spec.resources; nullopt when
// it packs.
std::optional<crd::FieldError> PackingError(const crd::Topology& t);

// Prints each error as file:line:col: path: message and a summary. Returns kExitOk when every
// topology is valid and keys are unique, kExitProblem otherwise, kExitUsage for a bad path.
int RunValidate(const ValidateOptions& options, std::istream& in, std::ostream& out,
                std::ostream& err);

}  // namespace hgo::cli
