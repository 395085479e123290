#include "reconciler/rollout.h"

#include <algorithm>
#include <map>

namespace hgo::reconciler {
namespace {

std::string Names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string WaveName(int w) { return "wave " + std::to_string(w + 1); }

}  // namespace

const char* WaveStageName(WaveState::Stage s) {
  switch (s) {
    case WaveState::Stage::kDone:
      return "Done";
    case WaveState::Stage::kSoaking:
      return "Soaking";
    case WaveState::Stage::kRolling:
      return "Rolling";
    case WaveState::Stage::kWaiting:
      return "Waiting";
    case WaveState::Stage::kHalted:
      return "Halted";
  }
  return "Waiting";
}

RolloutState PlanRollout(const crd::Placement& placement,
                         const std::vector<ClusterRollout>& clusters, int64_t now_ms) {
  std::map<std::string, const ClusterRollout*> by_name;
  for (const auto& c : clusters) by_name[c.cluster] = &c;
  const int64_t soak_ms = static_cast<int64_t>(placement.soak_seconds) * 1000;
  RolloutState r;
  r.current = static_cast<int>(placement.waves.size());
  bool operator_halt = false;
  int last_started = 0;  // the last wave where a cluster applied its revision
  for (size_t w = 0; w < placement.waves.size(); ++w) {
    WaveState wave;
    wave.clusters = placement.waves[w];
    std::vector<std::string> unreachable, unstable, failed;
    int64_t soaked_ms = 0;
    for (const auto& name : wave.clusters) {
      auto it = by_name.find(name);
      const ClusterRollout* c = it == by_name.end() ? nullptr : it->second;
      if (!c || c->revision.empty()) {
        unstable.push_back(name);
        continue;
      }
      operator_halt |= c->halted;
      if (c->applied == c->revision) last_started = std::max(last_started, static_cast<int>(w));
      if (c->failed) failed.push_back(name);
      if (!c->reachable) {
        unreachable.push_back(name);
      } else if (c->stable != c->revision) {
        unstable.push_back(name);
      } else if (!c->soak_waived) {
        soaked_ms = std::max(soaked_ms, c->stable_since_ms + soak_ms);
      }
    }
    const bool before_current = static_cast<int>(w) < r.current;
    if (!failed.empty() && !r.halted && before_current) {
      r.halted = r.failed = true;
      r.halted_wave = static_cast<int>(w);
      r.halt_reason = "the revision failed in " + Names(failed);
    }
    if (!before_current) {
      wave.stage = r.halted ? WaveState::Stage::kHalted : WaveState::Stage::kWaiting;
      wave.detail = r.halted ? "halted at " + WaveName(r.halted_wave) + ": " + r.halt_reason
                             : "waiting for " + WaveName(r.current);
    } else if (!failed.empty() || (r.halted && r.halted_wave == static_cast<int>(w))) {
      wave.stage = WaveState::Stage::kHalted;
      wave.detail = r.halt_reason;
      r.current = static_cast<int>(w);
    } else if (!unreachable.empty()) {
      wave.stage = WaveState::Stage::kRolling;
      wave.detail = Names(unreachable) + " unreachable: it cannot count as healthy";
      r.current = static_cast<int>(w);
    } else if (!unstable.empty()) {
      wave.stage = WaveState::Stage::kRolling;
      wave.detail = "waiting for " + Names(unstable) + " to become stable on the revision";
      r.current = static_cast<int>(w);
    } else if (soaked_ms > now_ms) {
      wave.stage = WaveState::Stage::kSoaking;
      wave.soaked_ms = soaked_ms;
      wave.detail =
          "stable; soaking for " + std::to_string((soaked_ms - now_ms + 999) / 1000) + " s more";
      r.current = static_cast<int>(w);
      r.recheck_ms = soaked_ms;
    } else {
      wave.stage = WaveState::Stage::kDone;
    }
    r.waves.push_back(std::move(wave));
  }
  if (operator_halt && !r.halted) {
    // Promotion stops: no wave after those that have started does, even once they are done.
    r.halted = true;
    r.halted_wave = std::min(r.current, last_started);
    r.halt_reason = "halted by an operator";
    for (size_t w = r.halted_wave + 1; w < r.waves.size(); ++w) {
      r.waves[w].stage = WaveState::Stage::kHalted;
      r.waves[w].detail = r.halt_reason;
    }
  }
  return r;
}

Gate GateOf(const RolloutState& r, const crd::Placement& placement, const std::string& cluster) {
  Gate g;
  const int w = placement.WaveOf(cluster);
  if (w < 0) return g;  // not placed: nothing to order it by
  if (r.halted && r.failed) {
    if (w > r.halted_wave ||
        (w == r.halted_wave && placement.on_failure == crd::WaveFailure::kRollbackWave)) {
      g.kind = Gate::Kind::kFail;
      g.reason = "rollout halted at " + WaveName(r.halted_wave) + ": " + r.halt_reason;
    }
    return g;
  }
  if (w <= (r.halted ? r.halted_wave : r.current)) {
    if (w > 0) {
      g.opened_because =
          WaveName(w - 1) + " (" + Names(placement.waves[w - 1]) + ") is stable and soaked";
    }
    return g;
  }
  g.kind = Gate::Kind::kHold;
  if (r.halted) {
    g.reason = "rollout " + r.halt_reason;
    return g;
  }
  const WaveState& current = r.waves[r.current];
  g.reason = WaveName(w) + " waits for " + WaveName(r.current) + " (" + Names(current.clusters) +
             "): " + current.detail;
  g.recheck_ms = current.soaked_ms;
  return g;
}

}  // namespace hgo::reconciler
