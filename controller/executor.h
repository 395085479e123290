// The executor: carries out a plan's actions against Aurora and Heron's state in ZooKeeper. The
// only part of a pass that writes to servers; the controller's own record (kRemember, kForget)
// is written by the caller, after the actions succeeded.
//
// A revision's shape (packing plan, Aurora job inputs, job hash, topology id) is computed the
// same way for planning (ShapeOf, which gives the planner its instance count and job hash) and
// for executing, so what is planned is what is done.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aurora/aurora_api.h"
#include "aurora/job_builder.h"
#include "common/clock.h"
#include "common/status.h"
#include "crd/topology.h"
#include "packager/blob_store.h"
#include "packager/packing.h"
#include "reconciler/types.h"
#include "statestore/heron_store.h"

namespace hgo::controller {

// One revision: its spec and where it came from.
struct RevisionSource {
  crd::TopologyPtr spec;  // never null
  std::string spec_hash;
  std::string source_revision;
};

struct Shape {
  packager::PackingPlan packing;  // its id is the topology id, once an action sets it
  aurora::JobInputs inputs;       // topology id (idem), containers, resources, RAM map, hashes
  int32_t instances = 0;          // Aurora instances: containers + 1
};

// aurora::JobHash per topology, remembered with the inputs it was computed from: building a job
// and its Thermos JSON only to hash them was the largest cost of a no-op pass. One per cluster
// (the cluster's config is part of the hash and fixed for the memo's life). Thread-safe.
class JobHashMemo {
 public:
  StatusOr<std::string> Get(const crd::Topology& t, const aurora::ClusterConfig& cluster,
                            const aurora::JobInputs& in);
  void Forget(const crd::TopologyKey& key);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<crd::TopologyKey, std::pair<std::string, std::string>> hashes_;  // inputs, hash
};

// Packs the spec (repacking from the current plan when there is one, so placements stay) and
// derives the job inputs (the RAM map from the plan, the binary and its type from the package)
// and the job hash (through memo when given). The topology id is left empty: the planner picks
// it (it depends on the revision that runs), and the executor takes it from the action.
StatusOr<Shape> ShapeOf(const RevisionSource& revision, const aurora::ClusterConfig& cluster,
                        const std::optional<packager::PackingPlan>& current,
                        const packager::PackageFacts& package, JobHashMemo* memo = nullptr);

struct ExecutorOptions {
  // Every update is started with blockIfNoPulsesAfterMs: a controller that stops pulsing (dead,
  // partitioned, no longer leader) stops its own rollouts.
  int32_t block_if_no_pulses_after_ms = 120000;
  // activate/deactivate calls to Heron's topology manager.
  std::chrono::milliseconds topology_manager_timeout{5000};
  // How long a pass that changes Heron's state or the job waits for Heron's update lock
  // (statestore/heron_lock.h) before it fails and is retried; `heron update` tries for 5 s.
  std::chrono::milliseconds update_lock_timeout{2000};
  // Where revisions' packages are read: before Heron's state is written the package's sha256 is
  // checked against the spec and its .defn against spec.topology (statestore/defn.h).
  std::shared_ptr<packager::PackageReader> packages =
      std::make_shared<packager::FetchingPackageReader>();
  // GETs a URL of a topology manager (activate, deactivate, runtime_config/update) and gives
  // the HTTP status; null: over HTTP within topology_manager_timeout. Tests answer in process.
  std::function<StatusOr<int>(const std::string& url)> topology_manager;
};

class Executor {
 public:
  Executor(aurora::AuroraApi& aurora, statestore::HeronStore& heron, aurora::ClusterConfig cluster,
           const Clock& clock, ExecutorOptions options = {});

  // Carries out the actions in order and stops at the first error. revisions must hold every
  // revision an action names; current_packing is the plan in Heron's state, if any.
  Status Execute(const reconciler::Plan& plan, const aurora::JobKey& job,
                 const std::map<std::string, RevisionSource>& revisions,
                 const std::optional<packager::PackingPlan>& current_packing);

 private:
  // shapes: computed once per revision and pass (packing is not free), shared by the actions.
  Status Do(const reconciler::Action& a, const aurora::JobKey& job,
            const std::map<std::string, RevisionSource>& revisions,
            const std::optional<packager::PackingPlan>& current_packing,
            std::map<std::string, Shape>& shapes);
  // GET url on a topology manager; what names the call in errors.
  Status CallTopologyManager(const std::string& url, const std::string& what) const;

  aurora::AuroraApi& aurora_;
  statestore::HeronStore& heron_;
  const aurora::ClusterConfig cluster_;
  const Clock& clock_;
  const ExecutorOptions options_;
};

}  // namespace hgo::controller
