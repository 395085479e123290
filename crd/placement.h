// spec.placement: one document, several clusters. The parser checks the placement as a whole
// and expands the document into one Topology per cluster, each the spec with the cluster's
// overrides; from there on every cluster's topology is an ordinary single-cluster one (its own
// key, record, Aurora job and Heron state). Pure functions.
#pragma once

#include <vector>

#include "crd/field_error.h"
#include "crd/topology.h"

namespace hgo::crd {

// The rules that need the whole placement: at least one cluster, names valid and unique, each
// cluster in exactly one wave, no empty wave, overridden parallelism only of existing
// components. Missing waves are filled in as one wave of every cluster. base gives the file
// and field locations.
void CheckPlacement(Placement& p, const Topology& base, std::vector<FieldError>& errors);

// base for one cluster: spec.cluster set, the cluster's overrides applied, placement attached.
Topology PlaceInCluster(const Topology& base, const PlacementPtr& placement, size_t cluster);

}  // namespace hgo::crd
