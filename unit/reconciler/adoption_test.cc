// The planner and a live topology it did not create (heron-cli's): adopted with no action when
// it matches, left alone and described when it does not (IfMatching, Never), rolled onto the
// spec under Replace; once adopted, its live task is the revision's and a scale keeps it.
#include <gtest/gtest.h>

#include "crd/parser.h"
#include "reconciler/planner.h"
#include "unit/crd/spec_fixture.h"

namespace hgo::reconciler {
namespace {

using Kind = Action::Kind;
constexpr int64_t kT0 = 1'000'000'000;
constexpr char kSpec[] = "spec-aaaa";    // the spec's revision
constexpr char kBuilt[] = "built-aaaa";  // the job hash the controller builds for it
constexpr char kLive[] = "live-1234";    // the live task's hash
constexpr char kId[] = "wc4f1c2d-uuid";  // heron-cli's topology id: name + uuid
constexpr char kGraph[] = "graph";

crd::Topology Spec(const std::string& extra = "") {
  auto r = crd::ParseTopologies(crd::testing::BaseSpec() + extra, "wc.yaml");
  EXPECT_TRUE(r.ok());
  return r.Topologies().at(0);
}

Desired Want(const std::string& hash = kSpec, const std::string& job_hash = kBuilt,
             int instances = 3, const std::string& extra = "") {
  Desired d;
  d.spec = std::make_shared<const crd::Topology>(Spec(extra));
  d.spec_hash = hash;
  d.job_hash = job_hash;
  d.graph_hash = kGraph;
  d.instances = instances;
  return d;
}

// heron submit's topology: no metadata on its tasks, Heron's nodes without a spec hash, its
// topology manager registered with its id.
Observed HeronCli(int count = 3) {
  Observed o;
  for (int i = 0; i < count; ++i) {
    o.instances[i] = ObservedInstance{ObservedInstance::State::kRunning, kT0 - 3600'000, "", "", 0};
  }
  o.heron = ObservedHeron{true, true, true, true, kId, "", false, kId, true, "", 0, {}};
  return o;
}

Observed Foreign(std::vector<Difference> differences = {}, bool same_graph = true) {
  Observed o = HeronCli();
  ObservedForeign f;
  f.topology_id = kId;
  f.live_task = kLive;
  f.restarts = differences.empty() ? 0 : 3;
  f.differences = std::move(differences);
  f.same_graph = same_graph;
  o.foreign = f;
  return o;
}

std::vector<Kind> Kinds(const Plan& p) {
  std::vector<Kind> out;
  for (const auto& a : p.actions) out.push_back(a.kind);
  return out;
}

bool HasEvent(const Plan& p, const std::string& reason) {
  for (const auto& e : p.events) {
    if (e.reason == reason) return true;
  }
  return false;
}

// The memory a matching adoption leaves.
Memory Adopted() {
  Plan p = MakePlan(Want(), Foreign(), Memory{}, Settings{}, kT0);
  return p.memory;
}

TEST(AdoptionTest, AMatchingTopologyIsAdoptedWithNoActionAndKeepsItsIdAndTask) {
  Plan p = MakePlan(Want(), Foreign(), Memory{}, Settings{}, kT0);
  EXPECT_EQ(Kinds(p), std::vector<Kind>{Kind::kRemember}) << p.message;
  EXPECT_EQ(p.phase, Phase::kRunning) << p.message;
  EXPECT_TRUE(HasEvent(p, "Adopted"));
  EXPECT_EQ(p.instances_restarted, 0);
  EXPECT_EQ(p.memory.applied_hash, kSpec);
  EXPECT_EQ(p.memory.stable_hash, kSpec);
  EXPECT_EQ(p.memory.applied_topology_id, kId);
  EXPECT_EQ(p.memory.job_hash_of.at(kSpec), kLive);
  EXPECT_EQ(p.memory.adoption, (Adoption{kSpec, kLive, kBuilt, kId, kT0}));

  // The next pass (the record written, no comparison any more) has nothing to do.
  Plan next = MakePlan(Want(), HeronCli(), p.memory, Settings{}, kT0 + 1000);
  EXPECT_TRUE(next.actions.empty()) << next.message;
  EXPECT_EQ(next.phase, Phase::kRunning) << next.message;
}

TEST(AdoptionTest, UnderIfMatchingADifferentTopologyIsLeftAloneAndEachDifferenceListed) {
  Plan p = MakePlan(
      Want(),
      Foreign({{"ram per container (MiB)", "2048", "4096"}, {"split parallelism", "2", "3"}}),
      Memory{}, Settings{}, kT0);
  EXPECT_TRUE(p.actions.empty());
  EXPECT_EQ(p.phase, Phase::kOutOfSync);
  EXPECT_NE(p.message.find("ram per container (MiB): live 2048, desired 4096"), std::string::npos)
      << p.message;
  EXPECT_NE(p.message.find("split parallelism: live 2, desired 3"), std::string::npos);
  EXPECT_NE(p.message.find("restart 3 of its 3 containers"), std::string::npos) << p.message;
  EXPECT_EQ(p.memory, Memory{});
}

TEST(AdoptionTest, NeverLeavesEvenAMatchingTopologyAlone) {
  Plan p =
      MakePlan(Want(kSpec, kBuilt, 3, "  adopt: Never\n"), Foreign(), Memory{}, Settings{}, kT0);
  EXPECT_TRUE(p.actions.empty());
  EXPECT_EQ(p.phase, Phase::kOutOfSync);
  EXPECT_NE(p.message.find("Never"), std::string::npos) << p.message;
}

TEST(AdoptionTest, AnUnreadableOrUpdatingTopologyIsLeftAloneAndLookedAtAgain) {
  Observed o = Foreign();
  o.foreign->unreadable = "Heron's topologies/wc is missing";
  Plan p = MakePlan(Want(), o, Memory{}, Settings{}, kT0);
  EXPECT_TRUE(p.actions.empty());
  EXPECT_EQ(p.phase, Phase::kOutOfSync);
  EXPECT_GT(p.requeue_after_ms, 0);
  o = Foreign();
  o.active_update = ObservedUpdate{"someone's", ObservedUpdate::State::kRollingForward, "", kT0};
  p = MakePlan(Want(), o, Memory{}, Settings{}, kT0);
  EXPECT_TRUE(p.actions.empty());
  EXPECT_NE(p.message.find("being updated"), std::string::npos) << p.message;
}

TEST(AdoptionTest, ReplaceRollsADifferentTopologyOntoTheSpecKeepingItsIdWhileTheGraphStays) {
  const std::string replace = "  adopt: Replace\n";
  Plan p = MakePlan(Want(kSpec, kBuilt, 3, replace), Foreign({{"cpus per container", "1", "2"}}),
                    Memory{}, Settings{}, kT0);
  EXPECT_EQ(Kinds(p),
            (std::vector<Kind>{Kind::kWriteHeronState, Kind::kStartUpdate, Kind::kRemember}))
      << p.message;
  EXPECT_EQ(p.actions[1].topology_id, kId);
  EXPECT_EQ(p.actions[1].job_hash, kBuilt);
  EXPECT_TRUE(p.actions[1].instances.empty());  // all of them
  EXPECT_EQ(p.instances_restarted, 3);
  EXPECT_TRUE(HasEvent(p, "Replacing"));
  EXPECT_EQ(p.memory.applied_topology_id, kId);

  // Another stream graph: the job goes and comes back with a new id.
  p = MakePlan(Want(kSpec, kBuilt, 3, replace), Foreign({{"streams", "a", "b"}}, false), Memory{},
               Settings{}, kT0);
  EXPECT_EQ(Kinds(p), (std::vector<Kind>{Kind::kKillJob, Kind::kRemember})) << p.message;
  EXPECT_EQ(p.memory.applied_topology_id, TopologyIdFor("wc", kBuilt));
}

TEST(AdoptionTest, AScaleOfAnAdoptedTopologyKeepsItsLiveTaskAndRestartsNothing) {
  const Memory adopted = Adopted();
  // A parallelism change: another spec, the same built task, the same container count.
  Plan p = MakePlan(Want("spec-bbbb", kBuilt), HeronCli(), adopted, Settings{}, kT0 + 1000);
  EXPECT_EQ(Kinds(p), (std::vector<Kind>{Kind::kWriteHeronState, Kind::kRemember})) << p.message;
  EXPECT_EQ(p.actions[0].job_hash, kLive);
  EXPECT_EQ(p.actions[0].topology_id, kId);
  EXPECT_TRUE(HasEvent(p, "AppliedInPlace"));
  EXPECT_EQ(p.instances_restarted, 0);

  // One more container: an update that adds instance 3 only, with the live task.
  p = MakePlan(Want("spec-cccc", kBuilt, 4), HeronCli(), adopted, Settings{}, kT0 + 1000);
  ASSERT_EQ(Kinds(p),
            (std::vector<Kind>{Kind::kWriteHeronState, Kind::kStartUpdate, Kind::kRemember}))
      << p.message;
  EXPECT_EQ(p.actions[1].job_hash, kLive);
  EXPECT_EQ(p.actions[1].instances, std::vector<int32_t>{3});
  EXPECT_EQ(p.instances_restarted, 0);
}

TEST(AdoptionTest, ATaskChangeAfterAdoptionIsAnOrdinaryRollingUpdateWithTheSameId) {
  Plan p = MakePlan(Want("spec-dddd", "built-dddd"), HeronCli(), Adopted(), Settings{}, kT0 + 1000);
  ASSERT_EQ(Kinds(p),
            (std::vector<Kind>{Kind::kWriteHeronState, Kind::kStartUpdate, Kind::kRemember}))
      << p.message;
  EXPECT_EQ(p.actions[1].job_hash, "built-dddd");
  EXPECT_EQ(p.actions[1].topology_id, kId);
  EXPECT_EQ(p.instances_restarted, 3);
}

TEST(AdoptionTest, SomeoneElsesUpdateAfterAdoptionIsDrift) {
  Observed o = HeronCli();
  o.foreign_changes.push_back({kT0 + 500, "bob", "update 7f3a"});
  Plan p = MakePlan(Want(), o, Adopted(), Settings{}, kT0 + 1000);
  // Repaired onto the task the controller builds (the live one is not known any more).
  EXPECT_EQ(Kinds(p),
            (std::vector<Kind>{Kind::kWriteHeronState, Kind::kStartUpdate, Kind::kRemember}))
      << p.message;
  EXPECT_EQ(p.actions[1].job_hash, kBuilt);
  EXPECT_EQ(p.actions[1].topology_id, kId);
  EXPECT_TRUE(HasEvent(p, "Drift"));
  EXPECT_NE(p.events.back().message.find("bob"), std::string::npos) << p.events.back().message;
}

TEST(AdoptionTest, HeronStateOfAnotherKeyUnderTheNameIsNotOverwritten) {
  // heron-cli's topology of the same name runs under another role: its job is not this key's.
  Observed o = HeronCli();
  o.instances.clear();
  Plan p = MakePlan(Want(), o, Memory{}, Settings{}, kT0);
  EXPECT_TRUE(p.actions.empty()) << p.message;
  EXPECT_EQ(p.phase, Phase::kOutOfSync);
  EXPECT_NE(p.message.find(kId), std::string::npos) << p.message;
  // The controller's own state of this key (a create that stopped after writing it) is resumed.
  o.heron.spec_hash = kSpec;
  p = MakePlan(Want(), o, Memory{}, Settings{}, kT0);
  EXPECT_EQ(p.actions.at(0).kind, Kind::kWriteHeronState) << p.message;
}

}  // namespace
}  // namespace hgo::reconciler
