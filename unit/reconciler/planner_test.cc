// The planner, table-driven, plus the idempotence property: apply each plan to a simulated
// cluster, plan again, and once the cluster has caught up nothing is left to do.
#include "reconciler/planner.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "crd/parser.h"
#include "unit/crd/spec_fixture.h"

namespace hgo::reconciler {
namespace {

using Kind = Action::Kind;
constexpr int64_t kT0 = 1'000'000'000;
constexpr char kA[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kB[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
constexpr char kGraph[] = "one-stream-graph";  // every revision's here unless a test says not

crd::Topology Spec(const std::string& extra = "") {
  auto r = crd::ParseTopologies(crd::testing::BaseSpec() + extra, "wc.yaml");
  EXPECT_TRUE(r.ok());
  return r.Topologies().at(0);
}

// The job hash is the spec hash unless a test says otherwise (a scale keeps the job hash).
Desired Want(const std::string& hash, int instances = 3, crd::Topology spec = Spec(),
             const std::string& job_hash = "") {
  Desired d;
  d.spec = std::make_shared<const crd::Topology>(std::move(spec));
  d.spec_hash = hash;
  d.job_hash = job_hash.empty() ? hash : job_hash;
  d.graph_hash = kGraph;
  d.instances = instances;
  return d;
}

// A job of `count` instances running revision `hash` since `since`, Heron state in place.
// Its topology id is the one revision `hash` got (tid_of, or its own when the first).
Observed Running(const std::string& hash, int count = 3, int64_t since = kT0 - 3600'000,
                 const std::string& tid_of = "") {
  Observed o;
  const std::string tid = TopologyIdFor("wc", tid_of.empty() ? hash : tid_of);
  for (int i = 0; i < count; ++i) {
    o.instances[i] = ObservedInstance{ObservedInstance::State::kRunning, since, hash, tid, 0};
  }
  o.heron = ObservedHeron{true, true, true, true, tid, hash, false, tid, true, hash, 0, {}};
  return o;
}

Memory Stable(const std::string& hash) {
  Memory m;
  m.applied_hash = m.stable_hash = hash;
  m.applied_topology_id = TopologyIdFor("wc", hash);
  m.rollout_started_ms = kT0 - 3600'000;
  m.instances_of[hash] = 3;
  m.job_hash_of[hash] = hash;
  m.graph_of[hash] = kGraph;
  return m;
}

// The base spec with runtime config user.rate=5 and split's user.batch=`batch`.
crd::Topology RuntimeSpec(const std::string& batch, const std::string& extra = "") {
  return Spec(
      "  runtimeConfig:\n"
      "    topology: {user.rate: 5}\n"
      "    components:\n"
      "      split: {user.batch: " +
      batch + "}\n" + extra);
}

// Revision `hash` applied in place over stable revision `of` (the same task), with `runtime`.
Memory AppliedInPlace(const std::string& hash, const std::string& of,
                      std::map<std::string, std::string> runtime) {
  Memory m = Stable(of);
  m.applied_hash = hash;
  m.job_hash_of[hash] = of;
  m.instances_of[hash] = 3;
  m.graph_of[hash] = kGraph;
  m.runtime_of[hash] = std::move(runtime);
  m.rollout_started_ms = kT0 - 1000;
  return m;
}

// Stable revision kB runs in place over kA's task; its user.rate was set to 9 by hand.
Memory StableInPlace() {
  Memory m = AppliedInPlace(kB, kA, {{"user.rate", "5"}, {"split:user.batch", "100"}});
  m.stable_hash = kB;
  return m;
}
Observed RuntimeChangedByHand() {
  Observed o = Running(kA);
  o.heron.spec_hash = kB;
  o.heron.runtime_config = {{"user.rate", "9"}, {"split:user.batch", "100"}};
  return o;
}

std::vector<Kind> Kinds(const Plan& p) {
  std::vector<Kind> out;
  for (const auto& a : p.actions) out.push_back(a.kind);
  return out;
}

struct Case {
  const char* name;
  std::function<Desired()> desired;
  std::function<Observed()> observed;
  std::function<Memory()> memory;
  Settings settings;
  std::vector<Kind> actions;
  Phase phase;
  std::function<void(const Plan&)> check;  // optional extra checks
};

Settings Prune(bool on) {
  Settings s;
  s.prune = on;
  return s;
}

std::vector<Case> Cases() {
  return {
      {"UnknownObservationChangesNothing",
       [] { return Want(kA); },
       [] {
         Observed o;
         o.known = false;
         return o;
       },
       [] { return Memory{}; },
       Settings{},
       {},
       Phase::kUnknown,
       [](const Plan& p) { EXPECT_GT(p.requeue_after_ms, 0); }},
      {"SuspendedChangesNothing",
       [] { return Want(kB); },
       [] { return Running(kA); },
       [] {
         Memory m = Stable(kA);
         m.suspended = true;
         return m;
       },
       Settings{},
       {},
       Phase::kSuspended,
       nullptr},
      {"CreateWritesHeronStateThenTheJob",
       [] { return Want(kA); },
       [] { return Observed{}; },
       [] { return Memory{}; },
       Settings{},
       {Kind::kWriteHeronState, Kind::kCreateJob, Kind::kWriteSchedulerLocation, Kind::kRemember},
       Phase::kDeploying,
       [](const Plan& p) {
         EXPECT_EQ(p.actions[1].topology_id, "wc-aaaaaaaaaaaa");
         EXPECT_EQ(p.memory.applied_hash, kA);
         EXPECT_EQ(p.memory.rollout_started_ms, kT0);
         EXPECT_EQ(p.instances_restarted, 3);
       }},
      {"HealthyAtTargetIsRunningWithNothingToDo",
       [] { return Want(kA); },
       [] { return Running(kA); },
       [] { return Stable(kA); },
       Settings{},
       {},
       Phase::kRunning,
       nullptr},
      {"HealthyForTheFirstTimeBecomesStable",
       [] { return Want(kA); },
       [] { return Running(kA); },
       [] {
         Memory m = Stable(kA);
         m.stable_hash.clear();
         return m;
       },
       Settings{},
       {Kind::kRemember},
       Phase::kRunning,
       [](const Plan& p) { EXPECT_EQ(p.memory.stable_hash, kA); }},
      {"NotHealthyUntilTheTopologyManagerRegisters",
       [] { return Want(kA); },
       [] {
         Observed o = Running(kA);
         o.heron.tmanager_topology_id.clear();
         return o;
       },
       [] {
         Memory m = Stable(kA);
         m.stable_hash.clear();
         m.rollout_started_ms = kT0;
         return m;
       },
       Settings{},
       {},
       Phase::kDeploying,
       nullptr},
      {"NotHealthyWhileAStreamManagerIsAbsent",
       [] { return Want(kA); },
       [] {
         Observed o = Running(kA);
         o.heron.absent_stream_managers = 1;  // not yet in the topology manager's plan
         return o;
       },
       [] {
         Memory m = Stable(kA);
         m.stable_hash.clear();
         m.rollout_started_ms = kT0;
         return m;
       },
       Settings{},
       {},
       Phase::kDeploying,
       nullptr},
      {"ANewSpecStartsAnUpdate",
       [] { return Want(kB); },
       [] { return Running(kA); },
       [] { return Stable(kA); },
       Settings{},
       {Kind::kWriteHeronState, Kind::kStartUpdate, Kind::kRemember},
       Phase::kUpdating,
       [](const Plan& p) {
         EXPECT_EQ(p.actions[1].hash, kB);
         EXPECT_EQ(p.instances_restarted, 3);
         // The same stream graph: the running topology id is kept.
         for (const auto& a : p.actions) {
           if (a.kind != Kind::kRemember) {
             EXPECT_EQ(a.topology_id, TopologyIdFor("wc", kA));
           }
         }
         EXPECT_EQ(p.memory.applied_topology_id, TopologyIdFor("wc", kA));
         EXPECT_EQ(p.memory.graph_of.at(kB), kGraph);
         EXPECT_EQ(p.memory.stable_hash, kA);
       }},
      {"AMissingInstanceIsCreatedAgain",
       [] { return Want(kA); },
       [] {
         Observed o = Running(kA);
         o.instances.erase(1);
         return o;
       },
       [] { return Stable(kA); },
       Settings{},
       {Kind::kWriteHeronState, Kind::kStartUpdate},
       Phase::kUpdating,
       [](const Plan& p) { EXPECT_EQ(p.instances_restarted, 0); }},
      {"AScaleKeepsTheTopologyIdAndRestartsNothing",
       [] { return Want(kB, 5, Spec(), kA); },  // another spec, the same task
       [] { return Running(kA); },
       [] { return Stable(kA); },
       Settings{},
       {Kind::kWriteHeronState, Kind::kStartUpdate, Kind::kRemember},
       Phase::kUpdating,
       [](const Plan& p) {
         EXPECT_EQ(p.instances_restarted, 0);
         EXPECT_EQ(p.actions[1].topology_id, TopologyIdFor("wc", kA));
         EXPECT_EQ(p.memory.instances_of.at(kB), 5);
       }},
      {"AnUpdateInFlightIsPulsed",
       [] { return Want(kB); },
       [] {
         Observed o = Running(kA);
         o.active_update = ObservedUpdate{"u1", ObservedUpdate::State::kRollingForward, kB, kT0};
         return o;
       },
       [] {
         Memory m = Stable(kA);
         m.applied_hash = kB;
         m.graph_of[kB] = kGraph;
         m.rollout_started_ms = kT0 - 1000;
         return m;
       },
       Settings{},
       {Kind::kPulseUpdate},
       Phase::kUpdating,
       [](const Plan& p) { EXPECT_EQ(p.actions[0].update_id, "u1"); }},
      {"AuroraRollingBackGetsTheStableHeronStateBack",
       [] { return Want(kB); },
       [] {
         Observed o = Running(kA);
         o.heron.spec_hash = kB;  // the update wrote revision B's state, with A's id
         o.active_update = ObservedUpdate{"u1", ObservedUpdate::State::kRollingBack, kB, kT0};
         return o;
       },
       [] {
         Memory m = Stable(kA);
         m.applied_hash = kB;
         m.graph_of[kB] = kGraph;
         m.rollout_started_ms = kT0 - 1000;
         return m;
       },
       Settings{},
       {Kind::kWriteHeronState, Kind::kPulseUpdate},
       Phase::kRollingBack,
       [](const Plan& p) {
         EXPECT_EQ(p.actions[0].hash, kA);
         EXPECT_EQ(p.actions[0].topology_id, TopologyIdFor("wc", kA));
       }},
      {"AnUpdateToAnotherRevisionIsAborted",
       [] { return Want(kA); },
       [] {
         Observed o = Running(kA);
         o.active_update = ObservedUpdate{"u1", ObservedUpdate::State::kRollingForward, kB, kT0};
         return o;
       },
       [] { return Stable(kA); },
       Settings{},
       {Kind::kAbortUpdate},
       Phase::kUpdating,
       nullptr},
      {"AMissedDeadlineRollsBackAndRemembersTheFailure",
       [] { return Want(kB); },
       [] {
         Observed o = Running(kA);
         o.active_update = ObservedUpdate{"u1", ObservedUpdate::State::kRollingForward, kB, kT0};
         return o;
       },
       [] {
         Memory m = Stable(kA);
         m.applied_hash = kB;
         m.rollout_started_ms = kT0 - 601'000;  // the default deadline is 600 s
         return m;
       },
       Settings{},
       {Kind::kRollbackUpdate, Kind::kRemember},
       Phase::kRollingBack,
       [](const Plan& p) { EXPECT_TRUE(p.memory.failed_hashes.count(kB)); }},
      {"AnUpdateAuroraRolledBackMarksTheRevisionFailed",
       [] { return Want(kB); },
       [] {
         Observed o = Running(kA);
         o.last_update = ObservedUpdate{"u1", ObservedUpdate::State::kRolledBack, kB, kT0};
         return o;
       },
       [] {
         Memory m = Stable(kA);
         m.applied_hash = kB;
         m.rollout_started_ms = kT0 - 5000;
         return m;
       },
       Settings{},
       {Kind::kRemember},
       Phase::kFailed,
       [](const Plan& p) {
         EXPECT_TRUE(p.memory.failed_hashes.count(kB));
         ASSERT_FALSE(p.events.empty());
         EXPECT_EQ(p.events[0].reason, "RevisionFailed");
       }},
      {"AFailedRevisionIsNotRetried",
       [] { return Want(kB); },
       [] { return Running(kA); },
       [] {
         Memory m = Stable(kA);
         m.failed_hashes = {kB};
         return m;
       },
       Settings{},
       {},
       Phase::kFailed,
       [](const Plan& p) { EXPECT_NE(p.message.find("not retried"), std::string::npos); }},
      {"AFailedRevisionStillRunningGoesBackToStable",
       [] { return Want(kB); },
       [] { return Running(kB, 3, kT0 - 3600'000, kA); },
       [] {
         Memory m = Stable(kA);
         m.applied_hash = kB;
         m.graph_of[kB] = kGraph;
         m.failed_hashes = {kB};
         return m;
       },
       Settings{},
       {Kind::kWriteHeronState, Kind::kStartUpdate, Kind::kRemember},
       Phase::kUpdating,
       [](const Plan& p) { EXPECT_EQ(p.actions[1].hash, kA); }},
      {"APinnedRevisionIsRunInsteadOfTheSpec",
       [] { return Want(kB); },
       [] { return Running(kB); },
       [] {
         Memory m = Stable(kB);
         m.instances_of[kA] = 3;
         m.job_hash_of[kA] = kA;
         m.graph_of[kA] = kGraph;
         m.pinned_hash = kA;
         m.pinned_for_spec_hash = kB;
         return m;
       },
       Settings{},
       {Kind::kWriteHeronState, Kind::kStartUpdate, Kind::kRemember},
       Phase::kUpdating,
       [](const Plan& p) { EXPECT_EQ(p.actions[1].hash, kA); }},
      {"ANewSpecClearsThePin",
       [] { return Want("cc" + std::string(62, 'c')); },
       [] { return Running(kA); },
       [] {
         Memory m = Stable(kA);
         m.pinned_hash = kA;
         m.pinned_for_spec_hash = kB;
         return m;
       },
       Settings{},
       {Kind::kWriteHeronState, Kind::kStartUpdate, Kind::kRemember},
       Phase::kUpdating,
       [](const Plan& p) { EXPECT_TRUE(p.memory.pinned_hash.empty()); }},
      {"ABrokenSourceChangesNothing",
       [] {
         Desired d;
         d.presence = Desired::Presence::kFrozen;
         d.source_error = "wc.yaml:19:22: spec.topology.bolts[0].parallelism: must be at least 1";
         return d;
       },
       [] { return Running(kA); },
       [] { return Stable(kA); },
       Settings{},
       {},
       Phase::kDegraded,
       [](const Plan& p) {
         ASSERT_EQ(p.events.size(), 1u);
         EXPECT_EQ(p.events[0].reason, "SourceError");
         EXPECT_NE(p.message.find("wc.yaml:19:22"), std::string::npos);
       }},
      {"AGoneSpecWithoutPruningIsOnlyReported",
       [] {
         Desired d;
         d.presence = Desired::Presence::kAbsent;
         return d;
       },
       [] { return Running(kA); },
       [] { return Stable(kA); },
       Prune(false),
       {Kind::kRemember},
       Phase::kOutOfSync,
       nullptr},
      {"PruningWaitsForTheTombstoneDelay",
       [] {
         Desired d;
         d.presence = Desired::Presence::kAbsent;
         return d;
       },
       [] { return Running(kA); },
       [] { return Stable(kA); },
       Prune(true),
       {Kind::kRemember},
       Phase::kDeleting,
       [](const Plan& p) { EXPECT_EQ(p.requeue_after_ms, 60000); }},
      {"PruningKillsTheJobThenHeronsState",
       [] {
         Desired d;
         d.presence = Desired::Presence::kAbsent;
         return d;
       },
       [] { return Running(kA); },
       [] {
         Memory m = Stable(kA);
         m.absent_since_ms = kT0 - 61'000;
         return m;
       },
       Prune(true),
       {Kind::kKillJob, Kind::kDeleteHeronState},
       Phase::kDeleting,
       nullptr},
      {"NothingLeftIsForgotten",
       [] {
         Desired d;
         d.presence = Desired::Presence::kAbsent;
         return d;
       },
       [] { return Observed{}; },
       [] {
         Memory m = Stable(kA);
         m.absent_since_ms = kT0 - 61'000;
         return m;
       },
       Prune(true),
       {Kind::kForget},
       Phase::kDeleted,
       nullptr},
      {"DriftIsRepaired",
       [] { return Want(kA); },
       [] {
         Observed o = Running(kA);
         o.instances[1].job_hash = "hand-made";
         return o;
       },
       [] { return Stable(kA); },
       Settings{},
       {Kind::kWriteHeronState, Kind::kStartUpdate},
       Phase::kUpdating,
       [](const Plan& p) {
         EXPECT_EQ(p.instances_restarted, 1);
         EXPECT_EQ(p.events.at(0).reason, "Drift");
       }},
      {"DriftIsOnlyReportedUnderSyncPolicyWarn",
       [] { return Want(kA, 3, Spec("  syncPolicy: warn\n")); },
       [] {
         Observed o = Running(kA);
         o.instances.erase(2);
         return o;
       },
       [] { return Stable(kA); },
       Settings{},
       {},
       Phase::kOutOfSync,
       [](const Plan& p) {
         EXPECT_NE(p.message.find("instance count 2 (want 3)"), std::string::npos) << p.message;
       }},
      {"DriftNamesWhoChangedTheJob",
       [] { return Want(kA, 3, Spec("  syncPolicy: warn\n")); },
       [] {
         Observed o = Running(kA);
         o.instances[1].job_hash = "someone-elses";
         // Older than the rollout: not the cause. The newest one after it is.
         o.foreign_changes = {{kT0 - 7200'000, "mallory", "update old"},
                              {kT0 - 60'000, "bob", "kill of instance 2"},
                              {kT0 - 30'000, "alice", "update 5c1e"}};
         return o;
       },
       [] { return Stable(kA); },
       Settings{},
       {},
       Phase::kOutOfSync,
       [](const Plan& p) {
         EXPECT_NE(p.message.find("task config of instances 1"), std::string::npos) << p.message;
         EXPECT_NE(p.message.find("changed by alice (update 5c1e)"), std::string::npos)
             << p.message;
         EXPECT_EQ(p.message.find("mallory"), std::string::npos) << p.message;
       }},
      {"AJobKilledByHandIsReportedNotRecreatedUnderWarn",
       [] { return Want(kA, 3, Spec("  syncPolicy: warn\n")); },
       [] {
         Observed o = Running(kA);
         o.instances.clear();
         o.foreign_changes = {{kT0 - 1000, "carol", "kill of instance 0"}};
         return o;
       },
       [] { return Stable(kA); },
       Settings{},
       {},
       Phase::kOutOfSync,
       [](const Plan& p) {
         EXPECT_NE(p.message.find("instance count 0 (want 3)"), std::string::npos) << p.message;
         EXPECT_NE(p.message.find("carol"), std::string::npos) << p.message;
       }},
      {"ADeactivationByHandIsReportedUnderWarn",
       [] { return Want(kA, 3, Spec("  syncPolicy: warn\n")); },
       [] {
         Observed o = Running(kA);
         o.heron.paused = true;
         return o;
       },
       [] { return Stable(kA); },
       Settings{},
       {},
       Phase::kOutOfSync,
       [](const Plan& p) {
         EXPECT_NE(p.message.find("activation state PAUSED"), std::string::npos) << p.message;
       }},
      {"RecreateKillsFirst",
       [] { return Want(kB, 3, Spec("  update: {strategy: Recreate}\n")); },
       [] { return Running(kA); },
       [] { return Stable(kA); },
       Settings{},
       {Kind::kKillJob, Kind::kRemember},
       Phase::kUpdating,
       nullptr},
      {"APausedSpecDeactivatesTheTopology",
       [] { return Want(kA, 3, Spec("  state: Paused\n")); },
       [] { return Running(kA); },
       [] { return Stable(kA); },
       Settings{},
       {Kind::kSetTopologyState},
       Phase::kUpdating,
       [](const Plan& p) { EXPECT_TRUE(p.actions[0].pause); }},
      {"ADeactivatedTopologyIsPaused",
       [] { return Want(kA, 3, Spec("  state: Paused\n")); },
       [] {
         Observed o = Running(kA);
         o.heron.paused = true;
         return o;
       },
       [] { return Stable(kA); },
       Settings{},
       {},
       Phase::kPaused,
       nullptr},
      {"AResumedSpecActivatesTheTopology",
       [] { return Want(kA); },
       [] {
         Observed o = Running(kA);
         o.heron.paused = true;
         return o;
       },
       [] { return Stable(kA); },
       Settings{},
       {Kind::kSetTopologyState},
       Phase::kUpdating,
       [](const Plan& p) { EXPECT_FALSE(p.actions[0].pause); }},
      {"NoTopologyManagerYetMeansNoStateCall",
       [] { return Want(kA, 3, Spec("  state: Paused\n")); },
       [] {
         Observed o = Running(kA);
         o.heron.physical_plan = false;
         return o;
       },
       [] { return Stable(kA); },
       Settings{},
       {},
       Phase::kUpdating,
       nullptr},
      {"AnotherStreamGraphReplacesTheJobUnderANewId",
       [] {
         Desired d = Want(kB);
         d.graph_hash = "another-graph";
         return d;
       },
       [] { return Running(kA); },
       [] { return Stable(kA); },
       Settings{},
       {Kind::kKillJob, Kind::kRemember},
       Phase::kUpdating,
       [](const Plan& p) {
         EXPECT_EQ(p.memory.applied_topology_id, TopologyIdFor("wc", kB));
         EXPECT_EQ(p.instances_restarted, 3);
       }},
      {"ARunningRevisionWithoutAKnownGraphLearnsIt",
       [] { return Want(kA); },
       [] { return Running(kA); },
       [] {
         Memory m = Stable(kA);
         m.graph_of.clear();  // a record written before stream graphs were kept
         return m;
       },
       Settings{},
       {Kind::kRemember},
       Phase::kRunning,
       [](const Plan& p) { EXPECT_EQ(p.memory.graph_of.at(kA), kGraph); }},
      {"HealthyNeedsThePhysicalPlanOfTheRevision",
       [] { return Want(kB); },
       [] {
         Observed o = Running(kB, 3, kT0 - 3600'000, kA);
         o.heron.physical_plan_spec_hash = kA;  // the old topology manager is still there
         return o;
       },
       [] {
         Memory m = Stable(kA);
         m.applied_hash = kB;
         m.job_hash_of[kB] = kB;
         m.graph_of[kB] = kGraph;
         m.rollout_started_ms = kT0 - 1000;
         return m;
       },
       Settings{},
       {},
       Phase::kDeploying,
       [](const Plan& p) { EXPECT_EQ(p.memory.stable_hash, kA); }},
      {"AScaleIsHealthyUnderTheTopologyManagerOfTheRevisionItScales",
       [] { return Want(kB, 4, Spec(), kA); },  // kA's task, one more container
       [] {
         Observed o = Running(kA, 4);
         o.heron.spec_hash = kB;  // the scale wrote B's state; the manager kept A's plan
         return o;
       },
       [] {
         Memory m = Stable(kA);
         m.applied_hash = kB;
         m.job_hash_of[kB] = kA;
         m.graph_of[kB] = kGraph;
         m.instances_of[kB] = 4;
         m.rollout_started_ms = kT0 - 1000;
         return m;
       },
       Settings{},
       {Kind::kRemember},
       Phase::kRunning,
       [](const Plan& p) { EXPECT_EQ(p.memory.stable_hash, kB); }},
      {"ARuntimeConfigChangeIsSentToTheTopologyManagerAndRestartsNothing",
       [] { return Want(kB, 3, RuntimeSpec("100"), kA); },  // kA's task, other runtime config
       [] { return Running(kA); },
       [] { return Stable(kA); },
       Settings{},
       {Kind::kWriteHeronState, Kind::kSetRuntimeConfig, Kind::kRemember},
       Phase::kUpdating,
       [](const Plan& p) {
         EXPECT_EQ(p.instances_restarted, 0);
         EXPECT_EQ(p.actions[1].topology_id, TopologyIdFor("wc", kA));  // the same topology
         EXPECT_EQ(p.actions[1].runtime_config,
                   (std::vector<std::string>{"split:user.batch:100", "user.rate:5"}));
         EXPECT_EQ(p.actions[1].reason.rfind("runtime config, 0 restarts", 0), 0u);
         EXPECT_EQ(p.memory.applied_hash, kB);
         EXPECT_EQ(p.memory.runtime_of.at(kB).at("user.rate"), "5");
         EXPECT_EQ(p.memory.stable_hash, kA);  // not before the manager holds it
         EXPECT_EQ(p.events.at(0).reason, "AppliedInPlace");
       }},
      {"OnlyTheRuntimeValuesTheManagerLacksAreSentAndThenTheRevisionIsStable",
       [] { return Want(kB, 3, RuntimeSpec("100"), kA); },
       [] {
         Observed o = Running(kA);
         o.heron.spec_hash = kB;
         o.heron.runtime_config = {{"user.rate", "5"}, {"split:user.batch", "7"}};
         return o;
       },
       [] {
         return AppliedInPlace(kB, kA, {{"user.rate", "5"}, {"split:user.batch", "100"}});
       },
       Settings{},
       {Kind::kSetRuntimeConfig},
       Phase::kUpdating,
       [](const Plan& p) {
         EXPECT_EQ(p.actions[0].runtime_config, std::vector<std::string>{"split:user.batch:100"});
       }},
      {"ARuntimeRevisionIsStableOnceTheManagerHoldsItsValues",
       [] { return Want(kB, 3, RuntimeSpec("100"), kA); },
       [] {
         Observed o = Running(kA);
         o.heron.spec_hash = kB;
         o.heron.runtime_config = {{"user.rate", "5"}, {"split:user.batch", "100"}, {"x", "1"}};
         return o;
       },
       [] {
         return AppliedInPlace(kB, kA, {{"user.rate", "5"}, {"split:user.batch", "100"}});
       },
       Settings{},
       {Kind::kRemember},
       Phase::kRunning,
       [](const Plan& p) { EXPECT_EQ(p.memory.stable_hash, kB); }},
      {"RuntimeConfigWaitsForATopologyManagerOfTheRevision",
       [] { return Want(kB, 3, RuntimeSpec("100"), kA); },
       [] {
         Observed o = Running(kA);
         o.heron.spec_hash = kB;
         o.heron.tmanager_topology_id.clear();  // restarting
         o.heron.physical_plan = false;
         return o;
       },
       [] {
         return AppliedInPlace(kB, kA, {{"user.rate", "5"}, {"split:user.batch", "100"}});
       },
       Settings{},
       {},
       Phase::kDeploying,
       nullptr},
      {"RuntimeConfigChangedByHandIsPutBack",
       [] { return Want(kB, 3, RuntimeSpec("100"), kA); },
       [] { return RuntimeChangedByHand(); },
       [] { return StableInPlace(); },
       Settings{},
       {Kind::kSetRuntimeConfig},
       Phase::kUpdating,
       [](const Plan& p) {
         EXPECT_EQ(p.actions[0].runtime_config, std::vector<std::string>{"user.rate:5"});
         EXPECT_EQ(p.events.at(0).reason, "Drift");
       }},
      {"RuntimeConfigChangedByHandIsOnlyReportedUnderSyncPolicyWarn",
       [] { return Want(kB, 3, RuntimeSpec("100", "  syncPolicy: warn\n"), kA); },
       [] { return RuntimeChangedByHand(); },
       [] { return StableInPlace(); },
       Settings{},
       {},
       Phase::kOutOfSync,
       [](const Plan& p) { EXPECT_NE(p.message.find("runtime config"), std::string::npos); }},
      {"ARollbackToAnOlderRevisionSendsItsRecordedRuntimeConfig",
       [] { return Want(kB, 3, RuntimeSpec("100"), kA); },
       [] {
         Observed o = Running(kA);
         o.heron.spec_hash = kB;  // kB's state was written
         o.heron.runtime_config = {{"user.rate", "5"}, {"split:user.batch", "100"}};
         return o;
       },
       [] {
         // kB failed: back to kA, whose runtime config the record kept.
         Memory m = AppliedInPlace(kB, kA, {{"user.rate", "5"}, {"split:user.batch", "100"}});
         m.runtime_of[kA] = {{"user.rate", "1"}};
         m.failed_hashes.insert(kB);
         return m;
       },
       Settings{},
       {Kind::kWriteHeronState, Kind::kSetRuntimeConfig, Kind::kRemember},
       Phase::kUpdating,
       [](const Plan& p) {
         EXPECT_EQ(p.actions[1].hash, kA);
         EXPECT_EQ(p.actions[1].runtime_config, std::vector<std::string>{"user.rate:1"});
       }},
      {"ARunningJobOfTheSameRevisionIsAdopted",
       [] { return Want(kA); },
       [] { return Running(kA); },
       [] { return Memory{}; },
       Settings{},
       {Kind::kRemember},
       Phase::kRunning,
       [](const Plan& p) {
         EXPECT_EQ(p.memory.applied_hash, kA);
         EXPECT_EQ(p.events.at(0).reason, "Adopted");
       }},
  };
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class PlannerTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(PlannerTableTest, PlansAsTheRulesSay) {
  const Case& c = GetParam();
  Plan p = MakePlan(c.desired(), c.observed(), c.memory(), c.settings, kT0);
  EXPECT_EQ(Kinds(p), c.actions) << "phase " << PhaseName(p.phase) << ": " << p.message;
  EXPECT_EQ(p.phase, c.phase) << PhaseName(p.phase) << ": " << p.message;
  if (c.check) c.check(p);
}

INSTANTIATE_TEST_SUITE_P(Rules, PlannerTableTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// A cluster that does instantly and perfectly what the actions say (Heron included).
struct SimulatedCluster {
  Observed observed;
  Memory memory;
  std::set<std::string> crashing;  // revisions whose instances never run

  void Apply(const Plan& p, int64_t now) {
    for (const auto& a : p.actions) {
      switch (a.kind) {
        case Kind::kWriteHeronState:
          observed.heron.topology = observed.heron.packing_plan = true;
          observed.heron.execution_state = true;
          observed.heron.topology_id = a.topology_id;
          observed.heron.spec_hash = a.hash;
          break;
        case Kind::kWriteSchedulerLocation:
          observed.heron.scheduler_location = true;
          break;
        case Kind::kCreateJob:
        case Kind::kStartUpdate: {
          const int n = p.memory.instances_of.at(a.hash);
          std::map<int32_t, ObservedInstance> next;
          for (int i = 0; i < n; ++i) {
            auto it = observed.instances.find(i);
            const bool same = it != observed.instances.end() && it->second.job_hash == a.job_hash &&
                              it->second.topology_id == a.topology_id;
            const auto state = crashing.count(a.hash) ? ObservedInstance::State::kPending
                                                      : ObservedInstance::State::kRunning;
            next[i] =
                same ? it->second : ObservedInstance{state, now, a.job_hash, a.topology_id, 0};
          }
          // updateOnlyTheseInstances: the others stay exactly as they are.
          if (a.kind == Kind::kStartUpdate && !a.instances.empty()) {
            const std::set<int32_t> touch(a.instances.begin(), a.instances.end());
            for (const auto& [id, inst] : observed.instances) {
              if (!touch.count(id)) next[id] = inst;
            }
            for (int32_t id : touch) {
              if (id >= n) next.erase(id);
            }
          }
          observed.instances = std::move(next);
          break;
        }
        case Kind::kKillJob:
          observed.instances.clear();
          break;
        case Kind::kDeleteHeronState:
          observed.heron = ObservedHeron{};
          break;
        case Kind::kSetTopologyState:
          observed.heron.paused = a.pause;
          break;
        case Kind::kSetRuntimeConfig:
          for (const auto& e : a.runtime_config) {
            const size_t colon = e.rfind(':');
            observed.heron.runtime_config[e.substr(0, colon)] = e.substr(colon + 1);
          }
          break;
        case Kind::kAbortUpdate:
        case Kind::kRollbackUpdate:
          observed.active_update.reset();
          break;
        case Kind::kPulseUpdate:
          break;
        case Kind::kRemember:
          memory = p.memory;
          break;
        case Kind::kForget:
          memory = Memory{};
          break;
      }
    }
    // Heron's topology manager registers for the topology the job runs.
    observed.heron.tmanager_topology_id =
        observed.job_exists() && observed.heron.topology ? observed.heron.topology_id : "";
    observed.heron.physical_plan = !observed.heron.tmanager_topology_id.empty();
    observed.heron.physical_plan_spec_hash =
        observed.heron.physical_plan ? observed.heron.spec_hash : "";
  }
};

TEST(PlannerPropertyTest, ApplyingPlansConvergesAndThenNothingIsLeftToDo) {
  std::mt19937 rng(7);
  const std::vector<std::string> hashes = {kA, kB, std::string(64, 'c')};
  SimulatedCluster cluster;
  int64_t now = kT0;
  Settings settings;
  settings.prune = true;
  for (int step = 0; step < 200; ++step) {
    // A random desired state: one of three revisions with 2-5 instances, paused or not, or gone.
    Desired d;
    const int choice = rng() % 8;
    if (choice == 0) {
      d.presence = Desired::Presence::kAbsent;
    } else {
      // Revisions b and c make the same task (they differ in parallelism only): moving between
      // them is a scale. Revision a has another stream graph: moving to or from it recreates.
      const std::string& h = hashes[rng() % hashes.size()];
      d = Want(h, 2 + rng() % 4, Spec(choice == 1 ? "  state: Paused\n" : ""), h == kA ? kA : kB);
      if (h == kA) d.graph_hash = "graph-of-a";
    }
    bool converged = false;
    std::string trace;
    for (int pass = 0; pass < 12 && !converged; ++pass) {
      Plan p = MakePlan(d, cluster.observed, cluster.memory, settings, now);
      trace += std::string(PhaseName(p.phase)) + ": " + p.message + " [";
      for (const auto& a : p.actions) trace += std::string(ActionName(a.kind)) + " ";
      trace += "] ";
      for (const auto& [id, inst] : cluster.observed.instances) {
        trace +=
            std::to_string(id) + ":" + inst.job_hash.substr(0, 2) + "/" + inst.topology_id + " ";
      }
      trace += "heron:" + cluster.observed.heron.topology_id + "\n";
      cluster.Apply(p, now);
      now += 61'000;  // past minWait and the tombstone delay
      converged = p.actions.empty();
    }
    ASSERT_TRUE(converged) << "step " << step << "\n" << trace;
    // Idempotent: planning again on the converged cluster asks for nothing.
    Plan again = MakePlan(d, cluster.observed, cluster.memory, settings, now);
    EXPECT_TRUE(again.actions.empty()) << "step " << step;
    const bool gone = d.presence == Desired::Presence::kAbsent;
    EXPECT_EQ(again.phase,
              gone ? Phase::kDeleted : (choice == 1 ? Phase::kPaused : Phase::kRunning))
        << PhaseName(again.phase) << " " << again.message;
    if (!gone) {
      EXPECT_EQ(static_cast<int>(cluster.observed.instances.size()), d.instances);
      EXPECT_EQ(cluster.memory.stable_hash, d.spec_hash);
      EXPECT_EQ(cluster.observed.heron.spec_hash, d.spec_hash);
    }
  }
}

// Converges (at most 12 passes, a minute apart) and returns the final, idle plan.
Plan Converge(SimulatedCluster& cluster, const Desired& d, int64_t& now) {
  for (int pass = 0; pass < 12; ++pass) {
    Plan p = MakePlan(d, cluster.observed, cluster.memory, Settings{}, now);
    if (p.actions.empty()) return p;
    cluster.Apply(p, now);
    now += 61'000;
  }
  ADD_FAILURE() << "did not converge";
  return Plan{};
}

TEST(PlannerScenarioTest, ARevisionThatNeverGetsHealthyIsRolledBackAndNotRetried) {
  SimulatedCluster cluster;
  int64_t now = kT0;
  EXPECT_EQ(Converge(cluster, Want(kA), now).phase, Phase::kRunning);

  cluster.crashing = {kB};
  Plan p = MakePlan(Want(kB), cluster.observed, cluster.memory, Settings{}, now);
  ASSERT_EQ(Kinds(p),
            (std::vector<Kind>{Kind::kWriteHeronState, Kind::kStartUpdate, Kind::kRemember}));
  cluster.Apply(p, now);
  // Not healthy: it waits, then past the progress deadline (600 s) gives up on revision B.
  now += 300'000;
  EXPECT_EQ(MakePlan(Want(kB), cluster.observed, cluster.memory, Settings{}, now).phase,
            Phase::kDeploying);
  now += 301'000;
  Plan final_plan = Converge(cluster, Want(kB), now);
  EXPECT_EQ(final_plan.phase, Phase::kFailed) << final_plan.message;
  EXPECT_TRUE(cluster.memory.failed_hashes.count(kB));
  EXPECT_EQ(cluster.memory.stable_hash, kA);
  for (const auto& [id, inst] : cluster.observed.instances) EXPECT_EQ(inst.job_hash, kA);
  // The failed revision is not tried again while the spec stays the same...
  now += 3600'000;
  EXPECT_TRUE(
      MakePlan(Want(kB), cluster.observed, cluster.memory, Settings{}, now).actions.empty());
  // ...and a new spec gets its chance.
  const std::string c(64, 'c');
  EXPECT_EQ(Converge(cluster, Want(c), now).phase, Phase::kRunning);
  EXPECT_EQ(cluster.memory.stable_hash, c);
}

TEST(PlannerScenarioTest, ScalingUpAndDownKeepsEveryUntouchedContainer) {
  SimulatedCluster cluster;
  int64_t now = kT0;
  EXPECT_EQ(Converge(cluster, Want(kA, 3), now).phase, Phase::kRunning);
  const auto before = cluster.observed.instances;
  EXPECT_EQ(Converge(cluster, Want(kB, 5, Spec(), kA), now).phase, Phase::kRunning);
  ASSERT_EQ(cluster.observed.instances.size(), 5u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cluster.observed.instances[i].running_since_ms, before.at(i).running_since_ms);
  }
  EXPECT_EQ(cluster.observed.heron.spec_hash, kB);  // Heron's packing plan was rewritten
  const std::string c(64, 'c');
  EXPECT_EQ(Converge(cluster, Want(c, 2, Spec(), kA), now).phase, Phase::kRunning);
  ASSERT_EQ(cluster.observed.instances.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(cluster.observed.instances[i].running_since_ms, before.at(i).running_since_ms);
  }
}

TEST(PlannerScenarioTest, UpdatesTouchOnlyTheInstancesThatChange) {
  SimulatedCluster cluster;
  int64_t now = kT0;
  ASSERT_EQ(Converge(cluster, Want(kA, 3), now).phase, Phase::kRunning);
  auto update_of = [](const Plan& p) -> const Action* {
    for (const auto& a : p.actions) {
      if (a.kind == Kind::kStartUpdate) return &a;
    }
    return nullptr;
  };
  // Scale up (same task): only the new instances.
  Plan up = MakePlan(Want(kB, 5, Spec(), kA), cluster.observed, cluster.memory, Settings{}, now);
  ASSERT_TRUE(update_of(up));
  EXPECT_EQ(update_of(up)->instances, (std::vector<int32_t>{3, 4}));
  EXPECT_EQ(up.instances_restarted, 0);
  ASSERT_EQ(Converge(cluster, Want(kB, 5, Spec(), kA), now).phase, Phase::kRunning);
  // Scale down: only the removed ones.
  const std::string c(64, 'c');
  Plan down = MakePlan(Want(c, 4, Spec(), kA), cluster.observed, cluster.memory, Settings{}, now);
  ASSERT_TRUE(update_of(down));
  EXPECT_EQ(update_of(down)->instances, (std::vector<int32_t>{4}));
  ASSERT_EQ(Converge(cluster, Want(c, 4, Spec(), kA), now).phase, Phase::kRunning);
  // One instance changed behind our back: only it is repaired.
  cluster.observed.instances[2].job_hash = "someone-else";
  Plan repair = MakePlan(Want(c, 4, Spec(), kA), cluster.observed, cluster.memory, Settings{}, now);
  ASSERT_TRUE(update_of(repair));
  EXPECT_EQ(update_of(repair)->instances, (std::vector<int32_t>{2}));
  // A new task for every container: no restriction (all of them).
  Plan all = MakePlan(Want(std::string(64, 'd'), 4, Spec(), "other-job"), cluster.observed,
                      cluster.memory, Settings{}, now);
  ASSERT_TRUE(update_of(all));
  EXPECT_TRUE(update_of(all)->instances.empty());
  EXPECT_EQ(all.instances_restarted, 4);
}

Desired Gated(const std::string& hash, Gate::Kind kind, const std::string& reason = "wave") {
  Desired d = Want(hash);
  d.gate.kind = kind;
  d.gate.reason = reason;
  return d;
}

bool HasEvent(const Plan& p, const std::string& reason) {
  for (const auto& e : p.events) {
    if (e.reason == reason) return true;
  }
  return false;
}

TEST(PlannerGateTest, AHeldRevisionLeavesTheAppliedOneRunningAndSaysWhy) {
  SimulatedCluster cluster;
  int64_t now = kT0;
  ASSERT_EQ(Converge(cluster, Want(kA), now).phase, Phase::kRunning);
  const Memory before = cluster.memory;
  Desired held = Gated(kB, Gate::Kind::kHold, "wave 2 waits for wave 1 (canary)");
  held.gate.recheck_ms = now + 7'000;
  const Plan p = MakePlan(held, cluster.observed, cluster.memory, Settings{}, now);
  EXPECT_TRUE(p.actions.empty()) << p.message;
  EXPECT_EQ(p.phase, Phase::kRunning);
  EXPECT_NE(p.message.find("waits: wave 2 waits for wave 1 (canary)"), std::string::npos)
      << p.message;
  EXPECT_EQ(p.requeue_after_ms, 7'000);  // looks again when the gate may open
  EXPECT_EQ(p.memory, before);
  // Opened: the revision starts, and says why its wave started.
  Desired open = Want(kB);
  open.gate.opened_because = "wave 1 (canary) is stable and soaked";
  const Plan started = MakePlan(open, cluster.observed, cluster.memory, Settings{}, now);
  EXPECT_EQ(Kinds(started),
            (std::vector<Kind>{Kind::kWriteHeronState, Kind::kStartUpdate, Kind::kRemember}));
  EXPECT_TRUE(HasEvent(started, "WaveStarted"));
}

TEST(PlannerGateTest, AHeldNewTopologyIsNotCreated) {
  const Plan p = MakePlan(Gated(kA, Gate::Kind::kHold, "update window closed"), Observed{},
                          Memory{}, Settings{}, kT0);
  EXPECT_TRUE(p.actions.empty());
  EXPECT_EQ(p.phase, Phase::kPending);
  EXPECT_NE(p.message.find("update window closed"), std::string::npos) << p.message;
  EXPECT_EQ(p.requeue_after_ms, Settings{}.requeue_ms);
}

TEST(PlannerGateTest, AHoldNeverStopsARollbackOrAPause) {
  SimulatedCluster cluster;
  int64_t now = kT0;
  ASSERT_EQ(Converge(cluster, Want(kA), now).phase, Phase::kRunning);
  cluster.crashing = {kB};
  cluster.Apply(MakePlan(Want(kB), cluster.observed, cluster.memory, Settings{}, now), now);
  now += 601'000;  // past B's progress deadline, while a window closes
  const Plan back = Converge(cluster, Gated(kB, Gate::Kind::kHold, "window"), now);
  EXPECT_TRUE(cluster.memory.failed_hashes.count(kB));
  for (const auto& [id, inst] : cluster.observed.instances) EXPECT_EQ(inst.job_hash, kA);
  EXPECT_EQ(back.phase, Phase::kFailed) << back.message;
  // Pausing is the spec's state, not a new task: a held spec that pauses still deactivates.
  SimulatedCluster other;
  now = kT0;
  ASSERT_EQ(Converge(other, Want(kA), now).phase, Phase::kRunning);
  Desired paused = Gated(kB, Gate::Kind::kHold, "window");
  paused.spec = std::make_shared<const crd::Topology>(Spec("  state: Paused\n"));
  const Plan pause = MakePlan(paused, other.observed, other.memory, Settings{}, now);
  EXPECT_EQ(Kinds(pause), (std::vector<Kind>{Kind::kSetTopologyState})) << pause.message;
}

TEST(PlannerGateTest, AFailedGateMarksTheRevisionFailedAndReturnsToTheStableOne) {
  SimulatedCluster cluster;
  int64_t now = kT0;
  ASSERT_EQ(Converge(cluster, Want(kA), now).phase, Phase::kRunning);
  // Never run here (a later wave): remembered as failed, nothing touched.
  const Plan unrun = MakePlan(Gated(kB, Gate::Kind::kFail, "halted at wave 1"), cluster.observed,
                              cluster.memory, Settings{}, now);
  EXPECT_EQ(Kinds(unrun), (std::vector<Kind>{Kind::kRemember}));
  EXPECT_TRUE(unrun.memory.failed_hashes.count(kB));
  EXPECT_TRUE(HasEvent(unrun, "RolloutHalted"));
  // Already applied here (the failing wave): rolled back to the stable revision.
  cluster.Apply(MakePlan(Want(kB), cluster.observed, cluster.memory, Settings{}, now), now);
  ASSERT_EQ(cluster.memory.applied_hash, kB);
  const Plan back = Converge(cluster, Gated(kB, Gate::Kind::kFail, "halted at wave 1"), now);
  EXPECT_EQ(cluster.memory.applied_hash, kA);
  EXPECT_TRUE(cluster.memory.failed_hashes.count(kB));
  for (const auto& [id, inst] : cluster.observed.instances) EXPECT_EQ(inst.job_hash, kA);
}

}  // namespace
}  // namespace hgo::reconciler
