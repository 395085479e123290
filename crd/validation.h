// Semantic rules for a decoded Topology (docs/spec.md lists them for users). Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crd/field_error.h"
#include "crd/topology.h"

namespace hgo::crd {

inline constexpr int64_t kMaxParallelism = 10000;  // per component
inline constexpr int64_t kMaxInstances = 4000;     // Aurora's default -max_tasks_per_job

// Aurora's identifier rule (role, environment, job name, constraint names): [A-Za-z0-9_.-]+,
// at most 255 characters.
bool IsAuroraIdentifier(std::string_view s);
// Aurora's default -allowed_job_environments: prod, devel, test, staging<N>.
bool IsAuroraEnvironment(std::string_view s);

// Appends an error for every rule t breaks. eco_name is spec.topology.name as written (may be
// empty). Fields the decoder already reported as missing or mistyped are not reported again.
void ValidateTopology(const Topology& t, const std::string& eco_name,
                      std::vector<FieldError>& errors);

// The location recorded for path, or for its nearest recorded parent, or the document's.
SourceLocation LocateField(const Topology& t, const std::string& path);

}  // namespace hgo::crd
