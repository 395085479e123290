// The loop under a sharded leadership (controller/leadership.h): it passes and mutates only the
// keys of the clusters it leads, a cluster gained beside others has only its own keys passed,
// and a cluster lost stops its passes before they act. Two fake clusters, driven on the test's
// thread; the leadership is a table the test sets.
#include <map>
#include <mutex>

#include "unit/loop/loop_fixture.h"

namespace hgo::controller {
namespace {

// Leads what the test says; Gain/Lose call the controller back as an election would.
class TableLeadership final : public Leadership {
 public:
  Status Start(ClusterFn on_gained, ClusterFn on_lost) override {
    on_gained_ = std::move(on_gained);
    on_lost_ = std::move(on_lost);
    for (const auto& [c, led] : led_) {
      if (led) on_gained_(c);
    }
    return Status::Ok();
  }
  bool Leads(const std::string& cluster) const override {
    auto it = led_.find(cluster);
    return it != led_.end() && it->second;
  }
  bool LeadsAny() const override {
    for (const auto& [c, led] : led_) {
      if (led) return true;
    }
    return false;
  }
  std::string LeaderOf(const std::string& cluster) override {
    return Leads(cluster) ? "replica-1" : "replica-2";
  }
  void Resign() override {
    for (auto& [c, led] : led_) {
      if (led) Lose(c);
    }
  }
  void Gain(const std::string& c) {
    led_[c] = true;
    if (on_gained_) on_gained_(c);
  }
  void Lose(const std::string& c) {
    led_[c] = false;
    if (on_lost_) on_lost_(c);
  }
  std::map<std::string, bool> led_;

 private:
  ClusterFn on_gained_, on_lost_;
};

class ShardLoopTest : public LoopTest {
 protected:
  void SetUp() override {
    LoopTest::SetUp();
    connector_.Add("east");
    options_.clusters.push_back(testing::FakeClusterSpec("east"));
    shards_.led_ = {{"devcluster", true}, {"east", false}};
  }
  void StartSharded() { StartController(&shards_); }
  int StepBoth() {
    clock_.Advance(std::chrono::seconds(6));
    connector_["devcluster"].Advance();
    connector_["east"].Advance();
    return controller_->RunReady();
  }
  std::string PhaseIn(const std::string& cluster, const std::string& name) {
    auto st = controller_->Get(crd::TopologyKey{cluster, "www-data", "devel", name});
    return st.ok() ? st->phase : "(none)";
  }
  crd::Topology EastSpec(const std::string& name) {
    crd::Topology t = Spec(name);
    t.spec.cluster = "east";
    return t;
  }
  testing::FakeAurora& East() { return connector_["east"].aurora(); }

  TableLeadership shards_;
};

TEST_F(ShardLoopTest, OnlyTheClustersLedArePassedAndAGainedOneHasItsKeysPassed) {
  StartSharded();
  crd::Topology home = Spec("home");
  crd::Topology away = EastSpec("away");
  Commit(home);
  Commit(away);
  for (int i = 0; i < 10 && PhaseIn("devcluster", "home") != "Running"; ++i) StepBoth();
  ASSERT_EQ(PhaseIn("devcluster", "home"), "Running");
  for (int i = 0; i < 5; ++i) StepBoth();
  EXPECT_EQ(East().Calls("createJob"), 0) << "east is led elsewhere";
  EXPECT_EQ(East().Calls("getTasksWithoutConfigs"), 0) << "not even observed";
  EXPECT_EQ(PhaseIn("east", "away"), "Pending") << "known from the sources, not passed";
  const int home_creates = aurora().Calls("createJob");
  const int home_reads = aurora().Calls("getTasksWithoutConfigs");
  auto role_reads = [this](const std::string& cluster) {
    controller_->CollectCounters();
    return metrics_.Value("heron_controller_aurora_role_reads_total", {{"cluster", cluster}});
  };
  const double home_role_reads = role_reads("devcluster");
  const double east_role_reads = role_reads("east");

  shards_.Gain("east");
  // East's key is passed (and again on the watch of its own Heron writes); devcluster's are
  // not: no read of devcluster's Aurora.
  EXPECT_GE(controller_->RunReady(), 1);
  EXPECT_EQ(aurora().Calls("getTasksWithoutConfigs"), home_reads)
      << "devcluster's keys were not passed again";
  EXPECT_EQ(role_reads("devcluster"), home_role_reads) << "devcluster is not resynced";
  EXPECT_EQ(role_reads("east"), east_role_reads + 1) << "east's role is read whole";
  for (int i = 0; i < 10 && PhaseIn("east", "away") != "Running"; ++i) StepBoth();
  EXPECT_EQ(PhaseIn("east", "away"), "Running");
  EXPECT_EQ(East().Calls("createJob"), 1);
  EXPECT_EQ(aurora().Calls("createJob"), home_creates);
}

TEST_F(ShardLoopTest, AMutationOfAClusterLedElsewhereIsRefusedNamingItsLeader) {
  StartSharded();
  crd::Topology away = EastSpec("away");
  Commit(away);
  StepBoth();
  const crd::TopologyKey key{"east", "www-data", "devel", "away"};
  for (Status s : {controller_->Sync(key), controller_->SetSuspended(key, true),
                   controller_->Restart(key, {})}) {
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s;
    EXPECT_NE(s.message().find("replica-2"), std::string::npos) << s;
  }
  EXPECT_TRUE(controller_->Leads("devcluster"));
  EXPECT_FALSE(controller_->Leads("east"));
}

TEST_F(ShardLoopTest, AClusterLostStopsItsPassesWhileTheOthersGoOn) {
  shards_.led_["east"] = true;
  StartSharded();
  crd::Topology home = Spec("home");
  crd::Topology away = EastSpec("away");
  Commit(home);
  Commit(away);
  for (int i = 0; i < 12 && (PhaseIn("devcluster", "home") != "Running" ||
                             PhaseIn("east", "away") != "Running");
       ++i) {
    StepBoth();
  }
  ASSERT_EQ(PhaseIn("east", "away"), "Running");
  ASSERT_EQ(PhaseIn("devcluster", "home"), "Running");

  shards_.Lose("east");
  const int east_calls = East().Calls("startJobUpdate");
  const int home_updates = aurora().Calls("startJobUpdate");
  home.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  away.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  Commit(home);
  Commit(away);
  for (int i = 0; i < 6; ++i) StepBoth();
  EXPECT_EQ(East().Calls("startJobUpdate"), east_calls) << "east is not led any more";
  EXPECT_EQ(aurora().Calls("startJobUpdate"), home_updates + 1) << "devcluster goes on";
}

}  // namespace
}  // namespace hgo::controller
