// Reading a live topology the controller did not create, whole, and comparing it with the
// spec's revision (shape/adoption.h): its active Aurora tasks with their configs (one
// getTasksStatus; the batched observation reads no configs) and Heron's topologies and
// packingplans nodes (the watched view keeps only what observing needs). Runs only for a key
// whose job carries none of the controller's metadata and that the controller applied nothing
// to, so it costs nothing once a topology is the controller's.
#pragma once

#include "controller/cluster/cluster_runtime.h"
#include "crd/topology.h"
#include "reconciler/types.h"
#include "shape/shape.h"

namespace hgo::controller {

// True when the observed job is there and none of its instances carries the controller's
// metadata.
bool ForeignJob(const reconciler::Observed& observed);

// The comparison; what could not be read is in `unreadable` (the planner then leaves the
// topology alone and looks again).
reconciler::ObservedForeign CompareForeign(ClusterRuntime& c, const crd::TopologyKey& key,
                                           int worker, const shape::RevisionSource& revision);

}  // namespace hgo::controller
