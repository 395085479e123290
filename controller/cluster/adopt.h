// Live topologies the controller did not create (submitted with heron-cli), read whole and
// compared with a spec (shape/adoption.h): their active Aurora tasks with configs (one
// getTasksStatus; the batched observation reads no configs) and Heron's topologies and
// packingplans nodes (the watched view keeps only what observing needs). A pass does this only
// for a key whose job carries none of the controller's metadata and that the controller applied
// nothing to, so it costs nothing once a topology is the controller's.
//
// Import: the topologies in Heron's state that no spec and no record names, and for one of them
// the spec that would adopt it, checked by the same comparison before it is handed out.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "controller/cluster/cluster_runtime.h"
#include "crd/topology.h"
#include "reconciler/types.h"
#include "shape/adoption.h"
#include "shape/shape.h"

namespace hgo::controller {

// True when the observed job is there and none of its instances carries the controller's
// metadata.
bool ForeignJob(const reconciler::Observed& observed);

// The job's active tasks with configs and Heron's topologies and packingplans nodes, under the
// layout of heron_version's release.
StatusOr<shape::LiveTopology> ReadLive(ClusterRuntime& c, const crd::TopologyKey& key, int worker,
                                       const std::string& heron_version);

// The comparison of live with the spec's shaped revision; what could not be read or built is
// in `unreadable` (the planner then leaves the topology alone and looks again).
reconciler::ObservedForeign CompareWith(ClusterRuntime& c, const shape::RevisionSource& revision,
                                        const shape::LiveTopology& live);
reconciler::ObservedForeign CompareForeign(ClusterRuntime& c, const crd::TopologyKey& key,
                                           int worker, const shape::RevisionSource& revision);

// A topology in Heron's state of a cluster, from its execution state.
struct UnmanagedTopology {
  crd::TopologyKey key;
  std::string topology_id;
  std::string submission_user;
  int64_t submission_time_s = 0;
  int32_t containers = 0;  // of its packing plan
};
// Those whose name known() does not claim (a spec or a record of the cluster has it).
StatusOr<std::vector<UnmanagedTopology>> Unmanaged(
    ClusterRuntime& c, const std::function<bool(const std::string& name)>& known);

// The spec that adopts key's live topology, with what still differs (empty: committing it
// adopts the topology with no restart) and what could not be carried over.
struct Imported {
  crd::Topology spec;
  std::vector<reconciler::Difference> differences;
  std::vector<std::string> notes;
};
StatusOr<Imported> Import(ClusterRuntime& c, const crd::TopologyKey& key, int worker);

}  // namespace hgo::controller
