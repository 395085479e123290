// From what a pass read (Aurora tasks and updates for the topology's role, Heron's nodes from the
// watched cache) to the planner's Observed for one topology. Pure translation: the reads are
// batched per cluster and role by the loop, not done here.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "aurora/types.h"
#include "heron/packing.h"
#include "reconciler/types.h"
#include "statestore/heron_state.h"

namespace hgo::controller {

reconciler::ObservedInstance::State InstanceState(aurora::TaskStatus s);
reconciler::ObservedUpdate::State UpdateState(aurora::UpdateStatus s);

// What passes and the API read of one Aurora task, taken from Aurora's answer as soon as it is
// decoded; the task's config and its events' messages are dropped (at 10,000 topologies whole
// tasks were the largest part of the controller's memory).
struct ObservedTask {
  struct Kill {  // a "Killed by <user>" event the controller did not write
    int64_t at_ms = 0;
    std::string by;
  };
  std::string task_id;
  std::string host;
  // Port names (sorted) are shared by the tasks of one answer that have the same: Heron's
  // containers all have the same ten.
  std::shared_ptr<const std::vector<std::string>> port_names;
  std::vector<int32_t> ports;  // ports[i] is port_names[i]'s
  std::string job_hash;        // from the task config's metadata
  std::string topology_id;
  std::vector<Kill> foreign_kills;
  int64_t running_since_ms = 0;  // its last RUNNING event
  int32_t instance_id = 0;
  int32_t failures = 0;
  aurora::TaskStatus status = aurora::TaskStatus::kPending;
};
// One job's tasks: the active ones and the ended ones that carry a foreign kill (the others
// say nothing a pass reads).
using JobTasks = std::vector<ObservedTask>;
// The distinct port-name lists of one answer. Not thread-safe: one per answer being read.
class PortNames {
 public:
  // The names of ports, sorted, shared with earlier tasks that had the same; their numbers in
  // that order go to numbers.
  std::shared_ptr<const std::vector<std::string>> Intern(
      std::span<const std::pair<std::string, int32_t>> ports, std::vector<int32_t>& numbers);

 private:
  std::map<std::vector<std::string>, std::shared_ptr<const std::vector<std::string>>> lists_;
  std::shared_ptr<const std::vector<std::string>> last_;  // most tasks have the previous' names
  std::vector<size_t> order_;                             // scratch: ports sorted by name
};
// What a pass keeps of a task as Aurora's answer is read, or nothing when the task says nothing a
// pass reads (ended, without a foreign kill); names, if given, shares port names.
std::optional<ObservedTask> ObserveTask(const aurora::TaskStateView& t, PortNames* names = nullptr);
// The same of a whole task, kept or not.
ObservedTask SlimTask(const aurora::Task& t, PortNames* names = nullptr);
// The job's tasks that ObserveTask keeps.
JobTasks TasksOfJob(const aurora::JobKey& job, const std::vector<aurora::Task>& tasks);

// Instances come from active tasks; when an instance has two (the old one being killed and its
// replacement), the one that is not being killed counts.
std::map<int32_t, const ObservedTask*> InstanceTasks(const JobTasks& tasks);

// What ObserveTopology and CurrentPacking parse from Heron's nodes, remembered per topology by
// the snapshot's version: parsing the topology and its plans on every pass was a tenth of a
// no-op pass. Snapshots without a version are parsed every time. Thread-safe.
class HeronMemo {
 public:
  reconciler::ObservedHeron Observe(const std::string& name, const statestore::HeronSnapshot& s);
  // The same, shared (the topology's status holds it between passes).
  std::shared_ptr<const reconciler::ObservedHeron> Shared(const std::string& name,
                                                          const statestore::HeronSnapshot& s);
  std::optional<packing::PackingPlan> Packing(const std::string& name,
                                              const statestore::HeronSnapshot& s);
  void Forget(const std::string& name);

 private:
  struct Entry {
    uint64_t version = 0;
    std::optional<std::shared_ptr<const reconciler::ObservedHeron>> observed;
    std::optional<std::optional<packing::PackingPlan>> packing;
  };
  Entry& EntryFor(const std::string& name, uint64_t version);  // mu_ held
  // The field's value for this version: remembered, or computed and remembered (version 0:
  // computed only).
  template <typename T, typename Compute>
  T Remember(const std::string& name, uint64_t version, std::optional<T> Entry::*field,
             Compute compute);
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

// What of Heron's nodes observing reads, for the watched cache to keep (HeronStateCache's
// filter): a topology's id, name, state and spec hash; of a physical plan, its topology's and
// the runtime config (`key:runtime` kvs) of it and its components; the execution state and
// scheduler location only exist; packing plans and topology-manager locations whole. Bytes that do
// not parse are kept as they are. At 10,000 topologies the nodes held whole were ~2 KiB a topology.
std::string KeepObserved(statestore::HeronDir d, std::string bytes);

// tasks: the job's (TasksOfJob); updates may hold other jobs' (the role's whole answer).
reconciler::Observed ObserveTopology(const aurora::JobKey& job, const JobTasks& tasks,
                                     const std::vector<aurora::UpdateSummary>& updates,
                                     const statestore::HeronSnapshot* heron, int64_t now_ms,
                                     HeronMemo* memo = nullptr);

// The packing plan in Heron's state, if there is one that parses (new revisions repack from it,
// so that containers keep their instances).
std::optional<packing::PackingPlan> CurrentPacking(const statestore::HeronSnapshot* heron,
                                                   HeronMemo* memo = nullptr,
                                                   const std::string& name = "");

}  // namespace hgo::controller
