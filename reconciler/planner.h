// The planner: a pure function from (desired, observed, memory, settings, now) to a plan.
//
// No I/O and no clock of its own, so it is tested table-driven and `heronctl diff` can print
// exactly what the controller would do. Level-triggered: each call looks at the whole state, so
// a repeated or lost event is harmless, and applying a plan then planning again leaves nothing
// to do once the cluster has caught up.
//
// The rules, per topology (docs/operations.md, "What the controller does"):
// - Unknown observation, or a suspended topology: no action.
// - The target revision is the spec's, unless it failed before (then the last stable one) or a
//   `rollout undo` pinned another; a new spec clears the pin and gets its own chance.
// - No job: write Heron's state, create the job, write the scheduler location.
// - A job of another revision: write Heron's state and start an update (Rolling), or kill the
//   job so that the next pass creates it (Recreate). Instances are compared by job hash, so a
//   revision that only scales (same task, another instance count) restarts no container: the
//   update only adds or removes instances.
// - Topology ids: a revision keeps the applied revision's topology id when their stream graphs
//   are the same (Heron's stream managers die when the topology manager's id is not theirs, so a
//   rolling update must not change it); a revision with another graph, or one whose graph is not
//   known, gets a new id and replaces the job as Recreate does, whatever the strategy.
// - An update in flight: pulse it while it goes towards the target; abort it when the target
//   changed; roll it back and remember the revision as failed when it misses its progress
//   deadline. An update that Aurora rolled back or failed marks its revision failed.
// - Healthy (every instance RUNNING for minWait, the topology manager registered with the
//   revision's topology id, and its physical plan of a revision with this task (the revision or
//   one it scales) with every stream manager):
//   the revision becomes the stable one.
// - A job changed behind the controller's back is repaired (syncPolicy repair) or reported
//   OutOfSync (warn).
// - A live topology the controller did not create (no record, no metadata of the controller on
//   its job: heron-cli's), compared with the spec by the pass (ObservedForeign): adopted as the
//   spec's revision when it matches (spec.adopt IfMatching or Replace: no action, its topology id
//   and task kept, event Adopted), rolled onto the spec when it does not and spec.adopt is
//   Replace, else left alone (OutOfSync, each difference listed). An adopted revision's
//   instances run its live task; a revision with the same built task (a scale) keeps it.
// - No spec (pruning on, after the tombstone delay): kill the job and delete Heron's nodes.
// - A frozen source (a file that does not parse): nothing changes; a rollout in flight is
//   still watched and pulsed.
#pragma once

#include <string>

#include "reconciler/types.h"

namespace hgo::reconciler {

Plan MakePlan(const Desired& desired, const Observed& observed, const Memory& memory,
              const Settings& settings, int64_t now_ms);

// A new topology id, from the job hash of the revision that first needs it: deterministic, so a
// crash between two steps of a create resumes with the same id.
std::string TopologyIdFor(const std::string& name, const std::string& job_hash);

}  // namespace hgo::reconciler
