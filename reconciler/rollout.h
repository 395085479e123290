// The wave planner: where the rollout of one spec across its placement's clusters stands, and
// what each cluster's gate is (types.h, Gate). Pure: derived each time from what every
// cluster's record and last pass say, so nothing of a rollout is stored apart from the records
// (a restart resumes it, a cluster moved to another wave mid-rollout is simply where it now is).
//
// The rules (docs/operations.md, "Progressive rollout"):
// - A wave is done when every cluster of it is reachable, stable on its revision of the spec
//   and has been for the placement's soak time (or an operator promoted past the soak).
// - The current wave is the first one not done. Clusters of waves up to it may start the
//   spec's revision; clusters of later waves hold (run what they run).
// - A revision that failed in a cluster halts the rollout at that cluster's wave: later waves
//   fail it without running it (it is remembered as failed there too), the wave's own clusters
//   fail it as well (onFailure RollbackWave, the default) or keep it (KeepWave).
// - An operator's halt holds every wave after the last one that has started (a cluster of it
//   applied the revision) until a promote or a new spec.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crd/topology.h"
#include "reconciler/types.h"

namespace hgo::reconciler {

// What the controller knows of one cluster of a placement.
struct ClusterRollout {
  std::string cluster;
  std::string revision;   // this cluster's revision of the spec; "" when the sources hold none
  bool reachable = true;  // its last pass could observe Aurora and Heron
  std::string applied;    // the record's applied revision
  std::string stable;     // the record's last stable revision
  int64_t stable_since_ms = 0;  // when that one became stable
  bool failed = false;          // revision is among the record's failed revisions
  bool soak_waived = false;     // `heronctl rollout promote` for this revision
  bool halted = false;          // `heronctl rollout halt` for this revision
};

struct WaveState {
  enum class Stage { kDone, kSoaking, kRolling, kWaiting, kHalted };
  Stage stage = Stage::kWaiting;
  std::vector<std::string> clusters;
  std::string detail;     // what the wave waits for, or why it halted
  int64_t soaked_ms = 0;  // kSoaking: when the soak ends
};
const char* WaveStageName(WaveState::Stage s);

struct RolloutState {
  std::vector<WaveState> waves;
  int current = 0;  // the first wave not done; waves.size() when the rollout is complete
  bool halted = false;
  int halted_wave = -1;
  bool failed = false;  // halted by a failed revision (not by an operator)
  std::string halt_reason;
  int64_t recheck_ms = 0;  // the earliest soak end, 0: none
};

// clusters: one entry per cluster of the placement (any order; missing ones count as not
// stable and unreachable).
RolloutState PlanRollout(const crd::Placement& placement,
                         const std::vector<ClusterRollout>& clusters, int64_t now_ms);

// The gate of one cluster of the rollout.
Gate GateOf(const RolloutState& rollout, const crd::Placement& placement,
            const std::string& cluster);

}  // namespace hgo::reconciler
