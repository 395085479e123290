// One pass for one topology key: observe (Aurora's tasks and updates for the role, Heron's
// nodes), desire (the spec the sources hold, its package and shape), plan (reconciler/),
// execute (the cluster's executor) and record (the topology's record, the status board), then
// requeue the key as the outcome asks. Level-triggered: a key is all a pass is given.
// Thread-safety: Run may be called from several workers at once, for different keys (the work
// queue never hands one key to two workers).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "controller/cluster/cluster_runtime.h"
#include "controller/metrics.h"
#include "controller/record_fold.h"
#include "controller/status_board.h"
#include "controller/work_queue.h"
#include "reconciler/types.h"
#include "sources/desired_set.h"
#include "statestore/state_store.h"

namespace hgo::controller {

// What the sources say of a key when its pass starts: present (entry), frozen (and why), or
// neither (absent).
struct DesiredOf {
  std::optional<sources::DesiredEntry> entry;
  std::optional<std::string> frozen;
};

struct PassSettings {
  reconciler::Settings planner;
  int prune_budget = 1;
  std::chrono::milliseconds resync{std::chrono::minutes(5)};
  int64_t role_cache_ms = 2000;
};

// What a pass works with; everything outlives it.
struct PassEdges {
  const Clock* clock = nullptr;
  statestore::StateStore* store = nullptr;
  Metrics* metrics = nullptr;
  StatusBoard* board = nullptr;
  WorkQueue* queue = nullptr;
  RecordedSpecs* recorded_specs = nullptr;
  // Whether this controller leads the cluster (controller/leadership.h) and is not stopping.
  std::function<bool(const std::string& cluster)> leads;
  std::function<DesiredOf(const crd::TopologyKey&)> desired;
  // The gate of a present spec's revision (reconciler::Gate); null: always open.
  std::function<reconciler::Gate(const crd::TopologyKey&, const reconciler::Desired&,
                                 const reconciler::Memory&, int64_t now_ms)>
      gate;
  std::function<bool()> take_prune_token;  // one of the resync period's prunes, if any is left
};

class KeyPass {
 public:
  KeyPass(PassSettings settings, PassEdges edges);

  // A pass for key on its cluster (null: not in the clusters file), with worker's connections.
  void Run(const crd::TopologyKey& key, ClusterRuntime* cluster, int worker);

  // Whether an observation reached the cluster's servers (what its Breaker counts).
  enum class Reach { kUnknown, kReached, kUnreachable };

  // The key's observation; heron and tasks (optional) receive the raw views for status, reach
  // (optional) whether the servers answered.
  StatusOr<reconciler::Observed> Observe(ClusterRuntime& c, const crd::TopologyKey& key, int worker,
                                         std::shared_ptr<const statestore::HeronSnapshot>* heron,
                                         std::shared_ptr<const JobTasks>* tasks = nullptr,
                                         Reach* reach = nullptr);
  uint64_t record_reads() const { return record_reads_; }

 private:
  // current: the packing plan in Heron's state (new revisions repack from it); applied: the
  // record's applied revision, whose container size a scale of it keeps.
  StatusOr<reconciler::Desired> DesiredFor(const DesiredOf& of, ClusterRuntime& c,
                                           const std::optional<packing::PackingPlan>& current,
                                           const statestore::Revision* applied,
                                           std::map<std::string, RevisionSource>& revisions,
                                           bool* package_unreachable);
  // Shapes the revisions that lack one (recorded revisions a plan names) from the current
  // packing plan, each in the container size the record says its task had.
  void ShapeRecordedRevisions(ClusterRuntime& c, const std::optional<packing::PackingPlan>& current,
                              const statestore::TopologyRecord& record,
                              std::map<std::string, RevisionSource>& revisions);
  StatusOr<std::optional<SharedRecord>> ReadRecord(const crd::TopologyKey& key, int64_t generation);
  // Claims the cluster's ZooKeeper and observes the key, if the cluster's breaker lets the pass
  // call it; *retry_in is set when it did not (how long until its next probe).
  StatusOr<reconciler::Observed> ObserveThroughBreaker(
      ClusterRuntime& c, const crd::TopologyKey& key, int worker,
      std::shared_ptr<const statestore::HeronSnapshot>* heron,
      std::shared_ptr<const JobTasks>* tasks, std::optional<std::chrono::milliseconds>* retry_in);
  // Holds back a prune when the resync period's budget is spent.
  void ApplyPruneBudget(const reconciler::Desired& desired, const reconciler::Memory& memory,
                        reconciler::Plan& plan);
  // Executes the plan's writes, unless the key is halted; the outcome.
  Status Act(const crd::TopologyKey& key, ClusterRuntime& c, int worker,
             const reconciler::Plan& plan, const std::map<std::string, RevisionSource>& revisions,
             const std::string& spec_hash, const std::optional<Status>& halted);
  // Folds the pass into the record and stores it (or deletes it with the topology); *latest
  // holds the record as stored before and receives it as stored after.
  Status Record(const crd::TopologyKey& key, int64_t generation,
                const std::optional<SharedRecord>& stored, bool forget, int64_t version,
                const PassOutcome& outcome,
                std::shared_ptr<const statestore::TopologyRecord>* latest);
  // Requeues the key as the pass's outcome asks; the result label for the metrics.
  const char* Requeue(const crd::TopologyKey& key, const reconciler::Plan& plan, bool observed,
                      const Status& executed, const Status& recorded, bool halted);
  int64_t NowMs() const;

  const PassSettings settings_;
  const PassEdges edges_;
  std::atomic<uint64_t> record_reads_{0};
};

}  // namespace hgo::controller
