// The fence against a real ZooKeeper: a deposed leader's writes, through any session, are
// refused on the server once a newer leader has claimed the ensemble, and change nothing.
#include "statestore/fence.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "statestore/heron_state.h"
#include "statestore/state_store.h"
#include "testing/zk_test_server.h"

namespace hgo::statestore {
namespace {

class FenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = hgo::testing::ZkTestServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    static std::atomic<int> n{0};
    root_ = "/fence-test/" + std::to_string(n++);
    old_zk_ = Connect();
    new_zk_ = Connect();
    ASSERT_TRUE(old_zk_->EnsurePath(root_).ok());
    old_fence_ = std::make_unique<ZkFence>(*old_zk_, FencePath(root_), [this] { return 5; });
    new_fence_ = std::make_unique<ZkFence>(*new_zk_, FencePath(root_), [this] { return 6; });
  }
  static std::unique_ptr<ZkClient> Connect() {
    ZkOptions options;
    options.servers = server_->connect_string();
    auto zk = ZkClient::Connect(options);
    EXPECT_TRUE(zk.ok()) << zk.status();
    return zk.ok() ? std::move(*zk) : nullptr;
  }
  static bool IsFenced(const Status& s) {
    return s.code() == StatusCode::kFailedPrecondition &&
           s.message().find("fenced") != std::string::npos;
  }
  std::string Data(const std::string& path) {
    auto node = new_zk_->Get(path);
    return node.ok() ? node->data : "<" + node.status().ToString() + ">";
  }

  static hgo::testing::ZkTestServer* server_;
  std::string root_;
  std::unique_ptr<ZkClient> old_zk_, new_zk_;
  std::unique_ptr<ZkFence> old_fence_, new_fence_;
};

hgo::testing::ZkTestServer* FenceTest::server_ = nullptr;

TEST_F(FenceTest, ADeposedLeadersHeronWritesAreRefusedAndChangeNothing) {
  const HeronLayout layout{root_ + "/heron", false};
  HeronState old_leader(*old_zk_, layout, old_fence_.get());
  ASSERT_TRUE(old_leader.EnsureTree().ok());
  ASSERT_TRUE(old_leader.Write(HeronDir::kTopologies, "wc", "revision 1").ok());
  ASSERT_TRUE(old_leader.Write(HeronDir::kSchedulers, "wc", "scheduler 1").ok());
  EXPECT_EQ(Data(FencePath(root_)), "5");

  ASSERT_TRUE(new_fence_->Claim().ok());  // the new leader's first pass on this ensemble
  EXPECT_EQ(Data(FencePath(root_)), "6");
  const std::string topology_before = Data(layout.NodePath(HeronDir::kTopologies, "wc"));
  const std::string scheduler_before = Data(layout.NodePath(HeronDir::kSchedulers, "wc"));

  // The old leader resumes: an update, a create, a delete, a recursive delete.
  Status s = old_leader.Write(HeronDir::kTopologies, "wc", "revision 2 from the past");
  EXPECT_TRUE(IsFenced(s)) << s;
  EXPECT_NE(s.message().find("term 6"), std::string::npos) << s;
  s = old_leader.Write(HeronDir::kPackingPlans, "other", "plan");
  EXPECT_TRUE(IsFenced(s)) << s;
  s = old_leader.Remove(HeronDir::kSchedulers, "wc");
  EXPECT_TRUE(IsFenced(s)) << s;
  s = old_leader.RemoveTree(HeronDir::kTopologies, "wc");
  EXPECT_TRUE(IsFenced(s)) << s;

  EXPECT_EQ(Data(layout.NodePath(HeronDir::kTopologies, "wc")), topology_before);
  EXPECT_EQ(Data(layout.NodePath(HeronDir::kSchedulers, "wc")), scheduler_before);
  EXPECT_FALSE(new_zk_->Exists(layout.NodePath(HeronDir::kPackingPlans, "other"))->has_value());
  EXPECT_EQ(Data(FencePath(root_)), "6") << "a refused leader never lowers the fence";

  // The new leader writes as usual.
  HeronState new_leader(*new_zk_, layout, new_fence_.get());
  EXPECT_TRUE(new_leader.Write(HeronDir::kTopologies, "wc", "revision 3").ok());
  EXPECT_EQ(Data(layout.NodePath(HeronDir::kTopologies, "wc")), "revision 3");
}

TEST_F(FenceTest, ADeposedLeadersRecordWritesAreRefusedThroughANewSessionToo) {
  auto old_store = ZkStateStore::Create(*old_zk_, root_, old_fence_.get());
  ASSERT_TRUE(old_store.ok()) << old_store.status();
  TopologyRecord r;
  r.key = crd::TopologyKey{"devcluster", "team", "prod", "wc"};
  r.phase = "Running";
  auto v = (*old_store)->PutRecord(r, kMustNotExist);
  ASSERT_TRUE(v.ok()) << v.status();

  ASSERT_TRUE(new_fence_->Claim().ok());
  const auto before = (*old_store)->GetRecord(r.key);
  ASSERT_TRUE(before.ok() && *before);

  // Its session expires while it is paused; ZkClient opens a new one, which is as refused.
  const int64_t expired = old_zk_->session_id();
  ASSERT_TRUE(hgo::testing::ZkTestServer::ExpireSession(server_->connect_string(), expired,
                                                        old_zk_->SessionCredentialsForTest().second)
                  .ok());
  for (int i = 0; i < 1000 && !(old_zk_->connected() && old_zk_->session_id() != expired); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_NE(old_zk_->session_id(), expired);
  r.phase = "Updating";
  auto put = (*old_store)->PutRecord(r, (*before)->version);
  EXPECT_TRUE(IsFenced(put.status())) << put.status();
  EXPECT_TRUE(IsFenced((*old_store)->DeleteRecord(r.key, (*before)->version)));
  const auto after = (*old_store)->GetRecord(r.key);
  ASSERT_TRUE(after.ok() && *after);
  EXPECT_EQ((*after)->version, (*before)->version);
  EXPECT_EQ((*after)->record.phase, "Running");
}

TEST_F(FenceTest, AnOlderTermCannotClaimOrConfirmAndANewerOneTakesOver) {
  ASSERT_TRUE(old_fence_->Claim().ok());
  EXPECT_TRUE(old_fence_->Confirm().ok());
  ASSERT_TRUE(new_fence_->Claim().ok());
  // The old leader learns it at its next write or confirmation, not from its cached claim.
  EXPECT_TRUE(IsFenced(old_fence_->Confirm()));
  ZkFence old_term_again(*old_zk_, FencePath(root_), [] { return 5; });
  EXPECT_TRUE(IsFenced(old_term_again.Claim()));
  EXPECT_TRUE(new_fence_->Confirm().ok());
  // A third leader, on the old leader's own connection.
  ZkFence newest(*old_zk_, FencePath(root_), [] { return 7; });
  EXPECT_TRUE(newest.Confirm().ok()) << "confirming an unclaimed term claims it";
  EXPECT_EQ(Data(FencePath(root_)), "7");
  EXPECT_TRUE(IsFenced(new_fence_->Set(FencePath(root_) + "-x", "y", -1).status()));
}

TEST_F(FenceTest, AControllerThatDoesNotLeadWritesNothing) {
  ZkFence follower(*old_zk_, FencePath(root_), [] { return 0; });
  auto created = follower.Create(root_ + "/x", "y", CreateMode::kPersistent);
  EXPECT_EQ(created.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(created.status().message().find("not the leader"), std::string::npos);
  EXPECT_FALSE(new_zk_->Exists(root_ + "/x")->has_value());
  EXPECT_FALSE(new_zk_->Exists(FencePath(root_))->has_value()) << "nor claims the fence";
}

TEST_F(FenceTest, AFencedWriteKeepsItsOwnErrors) {
  // Heron's write falls back from set to create on kNotFound, and records rely on kConflict.
  EXPECT_EQ(new_fence_->Set(root_ + "/missing", "x", -1).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(new_fence_->Create(root_ + "/node", "a", CreateMode::kPersistent).ok());
  EXPECT_EQ(new_fence_->Create(root_ + "/node", "b", CreateMode::kPersistent).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(new_fence_->Set(root_ + "/node", "b", 7).status().code(), StatusCode::kConflict);
  auto set = new_fence_->Set(root_ + "/node", "b", 0);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->version, 1);
  auto seq = new_fence_->Create(root_ + "/seq-", "", CreateMode::kPersistentSequential);
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(seq->size(), (root_ + "/seq-").size() + 10) << *seq;
  EXPECT_TRUE(new_fence_->Delete(root_ + "/node", 1).ok());
  EXPECT_EQ(new_fence_->Delete(root_ + "/node", -1).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace hgo::statestore
