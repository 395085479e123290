// A revision's shape: what one revision becomes on a cluster, computed once per pass in one pure
// step (no transport, no ZooKeeper): its packing plan (repacked from the current one, so
// containers keep their instances), the Aurora job's inputs, the job hash the planner compares
// with what runs, and (when the hash had to be computed) the job built for it. The planner's
// actions name revisions by spec hash; the executor takes each one's shape from the pass and
// only sends it: it packs nothing and builds the wire job from the hashed one by setting the
// topology id the planner chose.
//
// Per pass: one packing per revision (Pack or Repack), and at most one job build per revision
// whose job hash is not memoized (a create or an update); a no-op pass builds none.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aurora/job_builder.h"
#include "common/status.h"
#include "crd/topology.h"
#include "heron/packing.h"
#include "packager/blob_store.h"

namespace hgo::shape {

// What the containers of a running task have: the task's resources and its per-component RAM
// (--component-ram-map).
struct ContainerSize {
  aurora::ContainerResources resources;
  std::map<std::string, int64_t> component_ram;
};

struct Shape {
  packing::PackingPlan packing;  // its id is set by JobFor's caller (the topology id)
  aurora::JobInputs inputs;      // topology id empty (the planner picks it), job hash set
  int32_t instances = 0;         // Aurora instances: containers + 1
  // The job as built to hash it (aurora::HashedJob: placeholder topology id), when this
  // computation built it; JobFor turns it into the wire job without building again.
  std::optional<aurora::JobConfig> hashed_job;
  // Set when the shape kept a running size smaller than what its packing asks for: which
  // container needs what, for the log.
  std::string outgrown;
};

// One revision: its spec, where it came from, and its shape.
struct RevisionSource {
  crd::TopologyPtr spec;  // never null
  std::string spec_hash;
  std::string source_revision;
  std::shared_ptr<const Shape> shape = nullptr;  // set once the pass computed it
};

// aurora::JobHash per topology, remembered with the inputs it was computed from: building a job
// and its Thermos JSON only to hash them was the largest cost of a no-op pass. One per cluster
// (the cluster's config is part of the hash and fixed for the memo's life). Thread-safe.
class JobHashMemo {
 public:
  // The hash; *built receives the job built to compute it when it was not remembered.
  StatusOr<std::string> Get(const crd::Topology& t, const aurora::ClusterConfig& cluster,
                            const aurora::JobInputs& in,
                            std::optional<aurora::JobConfig>* built = nullptr);
  void Forget(const crd::TopologyKey& key);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<crd::TopologyKey, std::pair<std::string, std::string>> hashes_;  // inputs, hash
};

// Packs the spec (repacking from the current plan when there is one, so placements stay) and
// derives the job inputs (the RAM map from the plan, the binary and its type from the package)
// and the job hash (through memo when given). The topology id is left empty: the planner picks
// it (it depends on the revision that runs).
//
// keep: the size of the containers that run a revision with the same task (crd::TaskHash),
// i.e. one this revision only scales. The job then gets that size rather than the packing's,
// as Heron's UpdateTopologyManager resizes no running container on a scale and clones
// instance 0 for new ones: the job's task stays what runs, and no container the scale does not
// touch restarts (with computed container resources the packing's size follows the largest
// container, so it would change on most scales). The packing plan's scheduled resources say
// the kept size; `outgrown` says when a container now needs more.
StatusOr<Shape> ShapeOf(const RevisionSource& revision, const aurora::ClusterConfig& cluster,
                        const std::optional<packing::PackingPlan>& current,
                        const packager::PackageFacts& package, JobHashMemo* memo = nullptr,
                        const ContainerSize* keep = nullptr);

// The wire job and update of a shaped revision with the planner's topology id.
StatusOr<aurora::JobConfig> JobFor(const Shape& shape, const crd::Topology& spec,
                                   const aurora::ClusterConfig& cluster,
                                   const std::string& topology_id);
StatusOr<aurora::UpdateRequest> UpdateFor(const Shape& shape, const crd::Topology& spec,
                                          const aurora::ClusterConfig& cluster,
                                          const std::string& topology_id);

}  // namespace hgo::shape
