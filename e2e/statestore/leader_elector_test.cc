// Leader election between real ZooKeeper sessions.
#include "statestore/leader_elector.h"

#include <gtest/gtest.h>

#include <atomic>

#include "statestore/zk_client.h"
#include "testing/zk_test_server.h"

namespace hgo::statestore {
namespace {

using namespace std::chrono_literals;

struct Candidate {
  std::unique_ptr<ZkClient> zk;
  std::unique_ptr<ZkLeaderElector> elector;
  std::atomic<int> elected{0};
  std::atomic<int> lost{0};
};

class LeaderElectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = hgo::testing::ZkTestServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  std::unique_ptr<Candidate> Join(const std::string& identity, std::chrono::milliseconds session) {
    auto c = std::make_unique<Candidate>();
    ZkOptions options;
    options.servers = server_->connect_string();
    options.session_timeout = session;
    auto zk = ZkClient::Connect(options);
    EXPECT_TRUE(zk.ok()) << zk.status();
    c->zk = std::move(*zk);
    c->elector = std::make_unique<ZkLeaderElector>(*c->zk, "/controller", identity);
    Candidate* raw = c.get();
    Status s = c->elector->Start([raw] { ++raw->elected; }, [raw] { ++raw->lost; });
    EXPECT_TRUE(s.ok()) << s;
    return c;
  }
  // Waits until exactly one of them leads; returns it.
  Candidate* WaitForSingleLeader(std::vector<Candidate*> all, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int leaders = 0;
      Candidate* leader = nullptr;
      for (auto* c : all) {
        if (c->elector->IsLeader()) {
          ++leaders;
          leader = c;
        }
      }
      if (leaders == 1) return leader;
      std::this_thread::sleep_for(20ms);
    }
    return nullptr;
  }
  std::unique_ptr<hgo::testing::ZkTestServer> server_;
};

TEST_F(LeaderElectorTest, ExactlyOneLeaderAndItsIdentityIsVisible) {
  auto a = Join("a:8089", 4000ms);
  auto b = Join("b:8089", 4000ms);
  auto c = Join("c:8089", 4000ms);
  Candidate* leader = WaitForSingleLeader({a.get(), b.get(), c.get()}, 10s);
  ASSERT_EQ(leader, a.get());  // the first to join holds the lowest sequence number
  EXPECT_EQ(*b->elector->CurrentLeader(), "a:8089");
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(b->elector->IsLeader());
  EXPECT_FALSE(c->elector->IsLeader());
}

TEST_F(LeaderElectorTest, FailoverWhenTheLeaderGoesAway) {
  auto a = Join("a", 4000ms);
  auto b = Join("b", 4000ms);
  ASSERT_TRUE(a->elector->WaitUntilLeader(10s));
  auto start = std::chrono::steady_clock::now();
  a->elector.reset();  // a clean shutdown deletes the candidate node at once
  a->zk.reset();
  ASSERT_TRUE(b->elector->WaitUntilLeader(10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(*b->elector->CurrentLeader(), "b");
}

TEST_F(LeaderElectorTest, ExpiredLeaderStopsAtOnceAndAnotherTakesOverWithinTheTimeout) {
  auto a = Join("a", 2000ms);
  auto b = Join("b", 2000ms);
  ASSERT_TRUE(a->elector->WaitUntilLeader(10s));
  auto [id, password] = a->zk->SessionCredentialsForTest();
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      hgo::testing::ZkTestServer::ExpireSession(server_->connect_string(), id, password).ok());
  ASSERT_TRUE(b->elector->WaitUntilLeader(10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2000ms + 2s);  // within the session timeout
  // The old leader was told, and rejoined as a follower in its new session.
  for (int i = 0; i < 100 && a->lost.load() == 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_GE(a->lost.load(), 1);
  // Rejoining takes a new session; allow for a slow machine (sanitizers) before checking.
  for (int i = 0; i < 250; ++i) {
    auto children = a->zk->GetChildren("/controller/leader");
    if (children.ok() && children->size() == 2u) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_FALSE(a->elector->IsLeader());
  EXPECT_TRUE(b->elector->IsLeader());
  EXPECT_EQ(a->zk->GetChildren("/controller/leader")->size(), 2u);
}

TEST_F(LeaderElectorTest, LosingZooKeeperStopsTheLeaderAndOneLeadsAfterItReturns) {
  auto a = Join("a", 6000ms);
  auto b = Join("b", 6000ms);
  ASSERT_TRUE(a->elector->WaitUntilLeader(10s));
  ASSERT_TRUE(server_->Stop().ok());
  for (int i = 0; i < 250 && a->elector->IsLeader(); ++i) std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(a->elector->IsLeader());  // no leader while ZooKeeper is unreachable
  EXPECT_FALSE(b->elector->IsLeader());
  ASSERT_TRUE(server_->Restart().ok());
  EXPECT_NE(WaitForSingleLeader({a.get(), b.get()}, 20s), nullptr);
}

TEST_F(LeaderElectorTest, ResignHandsOver) {
  auto a = Join("a", 4000ms);
  auto b = Join("b", 4000ms);
  ASSERT_TRUE(a->elector->WaitUntilLeader(10s));
  a->elector->Resign();
  EXPECT_FALSE(a->elector->IsLeader());
  EXPECT_EQ(a->lost.load(), 1);
  EXPECT_TRUE(b->elector->WaitUntilLeader(10s));
}

TEST(StandaloneLeaderElectorTest, AlwaysLeadsUntilResigned) {
  StandaloneLeaderElector e("solo");
  int lost = 0;
  ASSERT_TRUE(e.Start(nullptr, [&] { ++lost; }).ok());
  EXPECT_TRUE(e.IsLeader());
  EXPECT_EQ(*e.CurrentLeader(), "solo");
  e.Resign();
  EXPECT_FALSE(e.IsLeader());
  EXPECT_EQ(lost, 1);
}

}  // namespace
}  // namespace hgo::statestore
