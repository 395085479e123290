// Heron's state against a real ZooKeeper: layout, writes, and the watch-fed cache.
#include "statestore/heron_state.h"

#include <gtest/gtest.h>

#include "common/failpoint.h"
#include "testing/zk_test_server.h"

namespace hgo::statestore {
namespace {

using namespace std::chrono_literals;

class HeronStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = hgo::testing::ZkTestServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    writer_ = Connect(4000ms);
    state_ = std::make_unique<HeronState>(*writer_, HeronLayout{"/heron", false});
    ASSERT_TRUE(state_->EnsureTree().ok());
  }
  std::unique_ptr<ZkClient> Connect(std::chrono::milliseconds session) {
    ZkOptions options;
    options.servers = server_->connect_string();
    options.session_timeout = session;
    auto zk = ZkClient::Connect(options);
    EXPECT_TRUE(zk.ok()) << zk.status();
    return std::move(*zk);
  }
  // Polls until pred holds (the cache updates asynchronously, on the dispatcher thread).
  template <typename Pred>
  bool Eventually(Pred pred, std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return pred();
  }
  std::unique_ptr<hgo::testing::ZkTestServer> server_;
  std::unique_ptr<ZkClient> writer_;
  std::unique_ptr<HeronState> state_;
};

TEST_F(HeronStateTest, TreeHasAllNineDirectoriesAsPersistentNodes) {
  auto children = writer_->GetChildren("/heron");
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, (std::vector<std::string>{
                           "executionstate", "locks", "metricscaches", "packingplans", "pplans",
                           "schedulers", "statefulcheckpoints", "tmanagers", "topologies"}));
  for (const auto& c : *children) {
    EXPECT_EQ(writer_->Exists("/heron/" + c)->value().ephemeral_owner, 0) << c;
  }
}

// Asked before every submission: with the tree there it makes no transaction of the ensemble,
// and a directory removed since is made again.
TEST_F(HeronStateTest, EnsureTreeWritesOnlyWhatIsMissing) {
  ASSERT_TRUE(writer_->Create("/before", "", CreateMode::kPersistent).ok());
  ASSERT_TRUE(state_->EnsureTree().ok());
  ASSERT_TRUE(writer_->Create("/after", "", CreateMode::kPersistent).ok());
  EXPECT_EQ(writer_->Exists("/after")->value().czxid - writer_->Exists("/before")->value().czxid,
            1);
  ASSERT_TRUE(writer_->Delete("/heron/schedulers", -1).ok());
  ASSERT_TRUE(state_->EnsureTree().ok());
  EXPECT_TRUE(writer_->Exists("/heron/schedulers")->has_value());
}

TEST_F(HeronStateTest, OldReleasesUseTMasterNames) {
  EXPECT_TRUE(UsesTMasterNames("0.20.2-incubating"));
  EXPECT_TRUE(UsesTMasterNames("0.17.0"));
  EXPECT_FALSE(UsesTMasterNames("0.20.3"));
  EXPECT_FALSE(UsesTMasterNames("0.20.5-incubating"));
  EXPECT_FALSE(UsesTMasterNames(""));
  HeronLayout old{"/h", true};
  EXPECT_EQ(old.NodePath(HeronDir::kTManagers, "wc"), "/h/tmasters/wc");
  HeronState s(*writer_, old);
  ASSERT_TRUE(s.EnsureTree().ok());
  EXPECT_TRUE(writer_->Exists("/h/tmasters")->has_value());
}

TEST_F(HeronStateTest, WriteCreatesThenReplacesAndRemoveIsIdempotent) {
  EXPECT_FALSE(state_->Read(HeronDir::kPackingPlans, "wc")->has_value());
  ASSERT_TRUE(state_->Write(HeronDir::kPackingPlans, "wc", "v1").ok());
  ASSERT_TRUE(state_->Write(HeronDir::kPackingPlans, "wc", "v2").ok());
  EXPECT_EQ(state_->Read(HeronDir::kPackingPlans, "wc")->value(), "v2");
  EXPECT_EQ(writer_->Get("/heron/packingplans/wc")->stat.version, 1);  // replaced in place
  EXPECT_EQ(*state_->List(HeronDir::kPackingPlans), std::vector<std::string>{"wc"});
  ASSERT_TRUE(state_->Remove(HeronDir::kPackingPlans, "wc").ok());
  ASSERT_TRUE(state_->Remove(HeronDir::kPackingPlans, "wc").ok());
  EXPECT_FALSE(state_->Read(HeronDir::kPackingPlans, "wc")->has_value());
}

TEST_F(HeronStateTest, CacheFollowsCreatesChangesAndDeletesWithoutPolling) {
  ASSERT_TRUE(state_->Write(HeronDir::kTopologies, "before", "t0").ok());
  auto reader = Connect(4000ms);
  std::mutex mu;
  std::vector<std::string> changed;
  HeronStateCache cache(*reader, HeronLayout{"/heron", false}, [&](const std::string& name) {
    std::lock_guard<std::mutex> lock(mu);
    changed.push_back(name);
  });
  ASSERT_TRUE(cache.Start().ok());
  ASSERT_NE(cache.Get("before"), nullptr);
  EXPECT_EQ(*cache.Get("before")->Get(HeronDir::kTopologies), "t0");

  ASSERT_TRUE(state_->Write(HeronDir::kExecutionState, "wc", "es").ok());
  ASSERT_TRUE(state_->Write(HeronDir::kTopologies, "wc", "topo").ok());
  ASSERT_TRUE(Eventually([&] {
    auto s = cache.Get("wc");
    return s && s->Has(HeronDir::kTopologies) && s->Has(HeronDir::kExecutionState);
  }));
  const std::shared_ptr<const HeronSnapshot> held = cache.Get("wc");
  const uint64_t v1 = held->version;
  EXPECT_GT(v1, 0u);
  ASSERT_TRUE(state_->Write(HeronDir::kTopologies, "wc", "topo2").ok());
  ASSERT_TRUE(Eventually([&] { return *cache.Get("wc")->Get(HeronDir::kTopologies) == "topo2"; }));
  const uint64_t v2 = cache.Get("wc")->version;
  EXPECT_GT(v2, v1) << "a changed node gives the snapshot a new version";
  // A snapshot a pass holds is never changed under it: the cache replaces, not edits.
  EXPECT_EQ(*held->Get(HeronDir::kTopologies), "topo");
  EXPECT_EQ(held->version, v1);

  // At rest the cache reads nothing, and the version stays.
  uint64_t reads = cache.reads();
  std::this_thread::sleep_for(300ms);
  for (int i = 0; i < 100; ++i) (void)cache.Get("wc");
  EXPECT_EQ(cache.reads(), reads);
  EXPECT_EQ(cache.Get("wc")->version, v2);

  ASSERT_TRUE(state_->Remove(HeronDir::kTopologies, "wc").ok());
  ASSERT_TRUE(Eventually([&] { return !cache.Get("wc")->Has(HeronDir::kTopologies); }));
  EXPECT_GT(cache.Get("wc")->version, v2) << "so does a removed one";
  ASSERT_TRUE(state_->Remove(HeronDir::kExecutionState, "wc").ok());
  ASSERT_TRUE(Eventually([&] { return cache.Get("wc") == nullptr; }));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_GE(std::count(changed.begin(), changed.end(), "wc"), 4);
}

TEST_F(HeronStateTest, CacheKeepsWhatItsFilterLeaves) {
  auto reader = Connect(4000ms);
  HeronStateCache cache(
      *reader, HeronLayout{"/heron", false}, nullptr,
      [](HeronDir d, std::string bytes) { return d == HeronDir::kSchedulers ? "" : bytes; });
  ASSERT_TRUE(cache.Start().ok());
  ASSERT_TRUE(state_->Write(HeronDir::kSchedulers, "f", "location").ok());
  ASSERT_TRUE(state_->Write(HeronDir::kPackingPlans, "f", "plan").ok());
  ASSERT_TRUE(Eventually([&] {
    auto s = cache.Get("f");
    return s && s->Has(HeronDir::kSchedulers) && s->Has(HeronDir::kPackingPlans);
  }));
  EXPECT_EQ(*cache.Get("f")->Get(HeronDir::kSchedulers), "") << "filtered, still present";
  EXPECT_EQ(*cache.Get("f")->Get(HeronDir::kPackingPlans), "plan");
}

TEST_F(HeronStateTest, DeleteAndRecreateIsNotLost) {
  auto reader = Connect(4000ms);
  HeronStateCache cache(*reader, HeronLayout{"/heron", false}, nullptr);
  ASSERT_TRUE(cache.Start().ok());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(state_->Write(HeronDir::kPackingPlans, "flap", "v" + std::to_string(i)).ok());
    ASSERT_TRUE(state_->Remove(HeronDir::kPackingPlans, "flap").ok());
  }
  ASSERT_TRUE(state_->Write(HeronDir::kPackingPlans, "flap", "final").ok());
  EXPECT_TRUE(Eventually([&] {
    auto s = cache.Get("flap");
    return s && s->Has(HeronDir::kPackingPlans) && *s->Get(HeronDir::kPackingPlans) == "final";
  }));
}

TEST_F(HeronStateTest, CacheReloadsAfterItsSessionExpires) {
  auto reader = Connect(2000ms);
  HeronStateCache cache(*reader, HeronLayout{"/heron", false}, nullptr);
  ASSERT_TRUE(cache.Start().ok());
  ASSERT_TRUE(state_->Write(HeronDir::kTopologies, "a", "1").ok());
  ASSERT_TRUE(Eventually([&] { return cache.Get("a") != nullptr; }));

  {
    auto [id, password] = reader->SessionCredentialsForTest();
    ASSERT_TRUE(
        hgo::testing::ZkTestServer::ExpireSession(server_->connect_string(), id, password).ok());
  }
  // Changes while the cache's session is gone, and after: all are seen once it reloads.
  ASSERT_TRUE(state_->Remove(HeronDir::kTopologies, "a").ok());
  ASSERT_TRUE(state_->Write(HeronDir::kTopologies, "b", "2").ok());
  ASSERT_TRUE(Eventually([&] { return !cache.Get("a") && cache.Get("b") != nullptr; }, 15s));
  ASSERT_TRUE(state_->Write(HeronDir::kTopologies, "b", "3").ok());
  EXPECT_TRUE(Eventually([&] { return *cache.Get("b")->Get(HeronDir::kTopologies) == "3"; }));
}

// While the reload on a new session fails (here by its failpoint), the cache keeps serving the
// last snapshots and says they may be stale; nothing is lost, and the reload that succeeds
// brings in what changed meanwhile. Before, the cache emptied itself first: a reader saw every
// topology missing.
TEST_F(HeronStateTest, CacheServesItsLastSnapshotsMarkedStaleWhileAReloadFails) {
  failpoint::Register({HeronStateCache::kReloadFailpoint});
  auto reader = Connect(2000ms);
  HeronStateCache cache(*reader, HeronLayout{"/heron", false}, nullptr);
  ASSERT_TRUE(cache.Start().ok());
  EXPECT_TRUE(cache.fresh());
  ASSERT_TRUE(state_->Write(HeronDir::kTopologies, "a", "t").ok());
  ASSERT_TRUE(state_->Write(HeronDir::kPackingPlans, "a", "p").ok());
  ASSERT_TRUE(Eventually([&] {
    auto s = cache.Get("a");
    return s && s->Has(HeronDir::kTopologies) && s->Has(HeronDir::kPackingPlans);
  }));
  ASSERT_TRUE(failpoint::Arm(HeronStateCache::kReloadFailpoint, "error").ok());
  {
    auto [id, password] = reader->SessionCredentialsForTest();
    ASSERT_TRUE(
        hgo::testing::ZkTestServer::ExpireSession(server_->connect_string(), id, password).ok());
  }
  ASSERT_TRUE(Eventually([&] { return !cache.fresh(); }));
  ASSERT_TRUE(state_->Write(HeronDir::kTopologies, "b", "t2").ok());
  ASSERT_TRUE(state_->Remove(HeronDir::kPackingPlans, "a").ok());
  // Reloads are failing now (retried with backoff): the view is the one before the expiry.
  for (int i = 0; i < 20; ++i) {
    auto s = cache.Get("a");
    ASSERT_TRUE(s && s->Has(HeronDir::kTopologies) && s->Has(HeronDir::kPackingPlans));
    EXPECT_FALSE(cache.fresh());
    std::this_thread::sleep_for(50ms);
  }
  failpoint::DisarmAll();
  ASSERT_TRUE(Eventually([&] { return cache.fresh(); }, 15s));
  auto a = cache.Get("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(*a->Get(HeronDir::kTopologies), "t");
  EXPECT_FALSE(a->Has(HeronDir::kPackingPlans));  // removed while the session was gone
  ASSERT_TRUE(cache.Get("b"));
}

TEST_F(HeronStateTest, CacheKeepsFollowingAcrossAZooKeeperRestart) {
  auto reader = Connect(8000ms);
  HeronStateCache cache(*reader, HeronLayout{"/heron", false}, nullptr);
  ASSERT_TRUE(cache.Start().ok());
  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(Eventually([&] { return reader->connected() && writer_->connected(); }, 15s));
  ASSERT_TRUE(state_->Write(HeronDir::kPhysicalPlans, "c", "pplan").ok());
  EXPECT_TRUE(Eventually([&] { return cache.Get("c") != nullptr; }));
}

}  // namespace
}  // namespace hgo::statestore
