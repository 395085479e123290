// The wave planner, table-driven: where a rollout stands and each cluster's gate, from what the
// clusters' records and last passes say.
#include "reconciler/rollout.h"

#include <gtest/gtest.h>

namespace hgo::reconciler {
namespace {

constexpr int64_t kNow = 2'000'000'000'000;
constexpr int64_t kSoakS = 60;

crd::Placement Waves(std::vector<std::vector<std::string>> waves,
                     crd::WaveFailure on_failure = crd::WaveFailure::kRollbackWave) {
  crd::Placement p;
  for (const auto& w : waves) {
    for (const auto& c : w) p.clusters.push_back({c, {}});
  }
  p.waves = std::move(waves);
  p.soak_seconds = kSoakS;
  p.on_failure = on_failure;
  return p;
}

// A cluster whose revision of the spec is "new": on the old one, rolling, stable for `age` ms,
// failed, unreachable.
ClusterRollout Old(const std::string& name) { return {name, "new", true, "old", "old", 1, false}; }
ClusterRollout Rolling(const std::string& name) {
  return {name, "new", true, "new", "old", 1, false};
}
ClusterRollout Stable(const std::string& name, int64_t age_ms) {
  return {name, "new", true, "new", "new", kNow - age_ms, false};
}
ClusterRollout Failed(const std::string& name) {
  ClusterRollout c = Rolling(name);
  c.failed = true;
  c.applied = "old";
  return c;
}
ClusterRollout Unreachable(ClusterRollout c) {
  c.reachable = false;
  return c;
}

using K = Gate::Kind;
using S = WaveState::Stage;

struct Case {
  const char* name;
  crd::Placement placement;
  std::vector<ClusterRollout> clusters;
  int current;
  std::vector<S> stages;
  std::map<std::string, K> gates;
  bool halted = false;
};

TEST(Rollout, Table) {
  const int64_t soaked = kSoakS * 1000 + 1, soaking = 10'000;
  const std::vector<Case> cases = {
      {"a new revision starts in wave 1 only",
       Waves({{"canary"}, {"east", "west"}}),
       {Old("canary"), Old("east"), Old("west")},
       0,
       {S::kRolling, S::kWaiting},
       {{"canary", K::kOpen}, {"east", K::kHold}, {"west", K::kHold}}},
      {"stable but still soaking: wave 2 waits",
       Waves({{"canary"}, {"east", "west"}}),
       {Stable("canary", soaking), Old("east"), Old("west")},
       0,
       {S::kSoaking, S::kWaiting},
       {{"canary", K::kOpen}, {"east", K::kHold}}},
      {"stable and soaked: wave 2 starts",
       Waves({{"canary"}, {"east", "west"}}),
       {Stable("canary", soaked), Old("east"), Old("west")},
       1,
       {S::kDone, S::kRolling},
       {{"canary", K::kOpen}, {"east", K::kOpen}, {"west", K::kOpen}}},
      {"a promote waives the soak",
       Waves({{"canary"}, {"east"}}),
       {[] {
          ClusterRollout c = Stable("canary", 5);
          c.soak_waived = true;
          return c;
        }(),
        Old("east")},
       1,
       {S::kDone, S::kRolling},
       {{"east", K::kOpen}}},
      {"every wave done: complete",
       Waves({{"canary"}, {"east", "west"}}),
       {Stable("canary", soaked * 3), Stable("east", soaked), Stable("west", soaked)},
       2,
       {S::kDone, S::kDone},
       {{"west", K::kOpen}}},
      {"a failure in wave 1 halts: the rest of it returns, later waves fail it unrun",
       Waves({{"canary", "canary2"}, {"east"}}),
       {Failed("canary"), Rolling("canary2"), Old("east")},
       0,
       {S::kHalted, S::kHalted},
       {{"canary", K::kFail}, {"canary2", K::kFail}, {"east", K::kFail}},
       true},
      {"KeepWave: the failing wave's other clusters keep the revision",
       Waves({{"canary", "canary2"}, {"east"}}, crd::WaveFailure::kKeepWave),
       {Failed("canary"), Rolling("canary2"), Old("east")},
       0,
       {S::kHalted, S::kHalted},
       {{"canary", K::kOpen}, {"canary2", K::kOpen}, {"east", K::kFail}},
       true},
      {"a failure in wave 2 leaves wave 1 on the revision",
       Waves({{"canary"}, {"east"}, {"west"}}),
       {Stable("canary", soaked), Failed("east"), Old("west")},
       1,
       {S::kDone, S::kHalted, S::kHalted},
       {{"canary", K::kOpen}, {"east", K::kFail}, {"west", K::kFail}},
       true},
      {"an unreachable cluster holds its wave even when its record says stable",
       Waves({{"canary"}, {"east"}}),
       {Unreachable(Stable("canary", soaked)), Old("east")},
       0,
       {S::kRolling, S::kWaiting},
       {{"east", K::kHold}}},
      {"an operator's halt holds the later waves, not the current one",
       Waves({{"canary"}, {"east"}, {"west"}}),
       {Stable("canary", soaked),
        [] {
          ClusterRollout c = Rolling("east");
          c.halted = true;
          return c;
        }(),
        Old("west")},
       1,
       {S::kDone, S::kRolling, S::kHalted},
       {{"east", K::kOpen}, {"west", K::kHold}},
       true},
      {"a halt during wave 1 still holds wave 2 once wave 1 is done",
       Waves({{"canary"}, {"east"}}),
       {[] {
          ClusterRollout c = Stable("canary", 3 * kSoakS * 1000);
          c.halted = true;
          return c;
        }(),
        Old("east")},
       1,
       {S::kDone, S::kHalted},
       {{"canary", K::kOpen}, {"east", K::kHold}},
       true},
      {"a cluster without a spec (a broken file) never counts as stable",
       Waves({{"canary"}, {"east"}}),
       {{"canary", "", true, "old", "old", 1, false}, Old("east")},
       0,
       {S::kRolling, S::kWaiting},
       {{"east", K::kHold}}},
      // The same clusters after the file moved east into wave 1 mid-rollout: east starts at
      // once and wave 2 (west) now waits for it too.
      {"a wave's cluster list changed mid-rollout",
       Waves({{"canary", "east"}, {"west"}}),
       {Stable("canary", soaked), Old("east"), Old("west")},
       0,
       {S::kRolling, S::kWaiting},
       {{"canary", K::kOpen}, {"east", K::kOpen}, {"west", K::kHold}}},
      {"a cluster moved to a later wave after it took the revision holds: it runs it on",
       Waves({{"canary"}, {"east"}}),
       {Rolling("canary"), Stable("east", soaked)},
       0,
       {S::kRolling, S::kWaiting},
       {{"east", K::kHold}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const RolloutState r = PlanRollout(c.placement, c.clusters, kNow);
    EXPECT_EQ(r.current, c.current);
    EXPECT_EQ(r.halted, c.halted);
    ASSERT_EQ(r.waves.size(), c.stages.size());
    for (size_t w = 0; w < c.stages.size(); ++w) {
      EXPECT_EQ(WaveStageName(r.waves[w].stage), WaveStageName(c.stages[w])) << "wave " << w + 1;
    }
    for (const auto& [cluster, kind] : c.gates) {
      const Gate g = GateOf(r, c.placement, cluster);
      EXPECT_EQ(static_cast<int>(g.kind), static_cast<int>(kind)) << cluster << ": " << g.reason;
      if (kind != K::kOpen) {
        EXPECT_FALSE(g.reason.empty()) << cluster;
      }
    }
  }
}

TEST(Rollout, SoakingGateSaysUntilWhenAndRechecksThen) {
  const crd::Placement p = Waves({{"canary"}, {"east"}});
  const RolloutState r = PlanRollout(p, {Stable("canary", 10'000), Old("east")}, kNow);
  const Gate g = GateOf(r, p, "east");
  EXPECT_EQ(g.kind, K::kHold);
  EXPECT_EQ(g.recheck_ms, kNow - 10'000 + kSoakS * 1000);
  EXPECT_NE(g.reason.find("wave 2 waits for wave 1 (canary)"), std::string::npos) << g.reason;
  EXPECT_NE(g.reason.find("soaking for 50 s more"), std::string::npos) << g.reason;
  EXPECT_EQ(r.recheck_ms, g.recheck_ms);
}

TEST(Rollout, UnreachableSaysSoAndALaterWaveSaysWhy) {
  const crd::Placement p = Waves({{"canary"}, {"east"}});
  const RolloutState r =
      PlanRollout(p, {Unreachable(Stable("canary", 100'000)), Old("east")}, kNow);
  EXPECT_NE(r.waves[0].detail.find("canary unreachable"), std::string::npos) << r.waves[0].detail;
  const Gate g = GateOf(r, p, "east");
  EXPECT_NE(g.reason.find("unreachable"), std::string::npos) << g.reason;
}

TEST(Rollout, OpenGateOfALaterWaveSaysWhyItStarted) {
  const crd::Placement p = Waves({{"canary"}, {"east"}});
  const RolloutState r = PlanRollout(p, {Stable("canary", 100'000), Old("east")}, kNow);
  EXPECT_EQ(GateOf(r, p, "east").opened_because, "wave 1 (canary) is stable and soaked");
  EXPECT_EQ(GateOf(r, p, "canary").opened_because, "");
}

}  // namespace
}  // namespace hgo::reconciler
