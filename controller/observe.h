// From what a pass read (Aurora tasks and updates for the topology's role, Heron's nodes from the
// watched cache) to the planner's Observed for one topology. Pure translation: the reads are
// batched per cluster and role by the loop, not done here.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aurora/types.h"
#include "packager/packing.h"
#include "reconciler/types.h"
#include "statestore/heron_state.h"

namespace hgo::controller {

reconciler::ObservedInstance::State InstanceState(aurora::TaskStatus s);
reconciler::ObservedUpdate::State UpdateState(aurora::UpdateStatus s);

// tasks and updates may hold other jobs' (the role's whole answer): only `job`'s are used.
// Instances come from active tasks; when an instance has two (the old one being killed and its
// replacement), the one that is not being killed counts.
// What ObserveTopology and CurrentPacking parse from Heron's nodes, remembered per topology by
// the snapshot's version: parsing the topology and its plans on every pass was a tenth of a
// no-op pass. Snapshots without a version are parsed every time. Thread-safe.
class HeronMemo {
 public:
  reconciler::ObservedHeron Observe(const std::string& name, const statestore::HeronSnapshot& s);
  std::optional<packager::PackingPlan> Packing(const std::string& name,
                                               const statestore::HeronSnapshot& s);
  void Forget(const std::string& name);

 private:
  struct Entry {
    uint64_t version = 0;
    std::optional<reconciler::ObservedHeron> observed;
    std::optional<std::optional<packager::PackingPlan>> packing;
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

reconciler::Observed ObserveTopology(const aurora::JobKey& job,
                                     const std::vector<aurora::Task>& tasks,
                                     const std::vector<aurora::UpdateSummary>& updates,
                                     const std::optional<statestore::HeronSnapshot>& heron,
                                     int64_t now_ms, HeronMemo* memo = nullptr);

// What the API shows of one Aurora instance: the task ObserveTopology counts for it.
struct InstanceView {
  std::string state;  // Aurora's task status: RUNNING, PENDING, ...
  std::string task_id;
  std::string host;
  std::map<std::string, int32_t> ports;
  int64_t running_since_ms = 0;
  int32_t failures = 0;
  std::string job_hash;  // the revision's job hash it runs
};
std::map<int32_t, InstanceView> ViewInstances(const aurora::JobKey& job,
                                              const std::vector<aurora::Task>& tasks);

// The packing plan in Heron's state, if there is one that parses (new revisions repack from it,
// so that containers keep their instances).
std::optional<packager::PackingPlan> CurrentPacking(
    const std::optional<statestore::HeronSnapshot>& heron, HeronMemo* memo = nullptr,
    const std::string& name = "");

}  // namespace hgo::controller
