// From what a pass read (Aurora tasks and updates for the topology's role, Heron's nodes from the
// watched cache) to the planner's Observed for one topology. Pure translation: the reads are
// batched per cluster and role by the loop, not done here.
#pragma once

#include <optional>
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
reconciler::Observed ObserveTopology(const aurora::JobKey& job,
                                     const std::vector<aurora::Task>& tasks,
                                     const std::vector<aurora::UpdateSummary>& updates,
                                     const std::optional<statestore::HeronSnapshot>& heron,
                                     int64_t now_ms);

// The packing plan in Heron's state, if there is one that parses (new revisions repack from it,
// so that containers keep their instances).
std::optional<packager::PackingPlan> CurrentPacking(
    const std::optional<statestore::HeronSnapshot>& heron);

}  // namespace hgo::controller
