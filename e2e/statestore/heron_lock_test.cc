// Heron's update lock against a real ZooKeeper, with leases laid out as Curator's
// InterProcessSemaphoreMutex (what `heron update` takes) lays them out.
#include "statestore/heron_lock.h"

#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "testing/zk_test_server.h"

namespace hgo::statestore {
namespace {

using namespace std::chrono_literals;

constexpr char kLock[] = "/heron/locks/wc__updateTopology";

class HeronLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = hgo::testing::ZkTestServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    a_ = Connect();
    b_ = Connect();
  }
  std::unique_ptr<ZkClient> Connect() {
    ZkOptions options;
    options.servers = server_->connect_string();
    options.session_timeout = 4000ms;
    auto zk = ZkClient::Connect(options);
    EXPECT_TRUE(zk.ok()) << zk.status();
    return zk.ok() ? std::move(*zk) : nullptr;
  }
  std::vector<std::string> Children(const std::string& path) {
    auto children = a_->GetChildren(path);
    return children.ok() ? *children : std::vector<std::string>{};
  }
  std::unique_ptr<hgo::testing::ZkTestServer> server_;
  std::unique_ptr<ZkClient> a_, b_;
};

TEST(HeronLockPathTest, IsHeronsLocksNode) {
  EXPECT_EQ(UpdateLockPath("/heron", "wc"), kLock);
  EXPECT_EQ(UpdateLockPath("/heron2", "wc"), "/heron2/locks/wc__updateTopology");
}

TEST_F(HeronLockTest, OneHolderAtATimeInCuratorsLayoutAndAFailedTryLeavesNothing) {
  auto held = HeronUpdateLock::Acquire(*a_, kLock, 1000ms);
  ASSERT_TRUE(held.ok()) << held.status();
  // One lease, named as Curator's protected-mode sequential nodes are; the mutex given back.
  const std::vector<std::string> leases = Children(std::string(kLock) + "/leases");
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_TRUE(std::regex_match(
      leases[0], std::regex("_c_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                            "[0-9a-f]{12}-lease-[0-9]{10}")))
      << leases[0];
  EXPECT_NE(a_->Exists(std::string(kLock) + "/leases/" + leases[0])->value().ephemeral_owner, 0);
  EXPECT_TRUE(Children(std::string(kLock) + "/locks").empty());

  auto other = HeronUpdateLock::Acquire(*b_, kLock, 300ms);
  EXPECT_EQ(other.status().code(), StatusCode::kConflict) << other.status();
  EXPECT_EQ(Children(std::string(kLock) + "/leases"), leases) << "the failed try left a lease";
  EXPECT_TRUE(Children(std::string(kLock) + "/locks").empty());

  ASSERT_TRUE((*held)->Release().ok());
  EXPECT_TRUE(Children(std::string(kLock) + "/leases").empty());
  auto now_free = HeronUpdateLock::Acquire(*b_, kLock, 300ms);
  EXPECT_TRUE(now_free.ok()) << now_free.status();
}

TEST_F(HeronLockTest, AWaiterGetsTheLockWhenTheHolderReleasesInTime) {
  auto held = HeronUpdateLock::Acquire(*a_, kLock, 1000ms);
  ASSERT_TRUE(held.ok()) << held.status();
  std::thread release([&] {
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE((*held)->Release().ok());
  });
  auto waited = HeronUpdateLock::Acquire(*b_, kLock, 5000ms);
  release.join();
  EXPECT_TRUE(waited.ok()) << waited.status();
}

// `heron update` holding the lock: a lease its Curator client made keeps the controller out, and
// its session ending (the CLI exits or dies) frees the lock.
TEST_F(HeronLockTest, ALeaseOfHeronsToolsKeepsTheControllerOutUntilItsSessionEnds) {
  auto heron_cli = Connect();
  ASSERT_TRUE(heron_cli);
  ASSERT_TRUE(heron_cli->EnsurePath(std::string(kLock) + "/leases").ok());
  auto lease = heron_cli->Create(
      std::string(kLock) + "/leases/_c_0b6e0c7d-8f8e-4c2a-9d35-1f3f6b7a2c11-lease-", "",
      CreateMode::kEphemeralSequential);
  ASSERT_TRUE(lease.ok()) << lease.status();

  EXPECT_EQ(HeronUpdateLock::Acquire(*a_, kLock, 300ms).status().code(), StatusCode::kConflict);
  heron_cli.reset();  // closes its session: ZooKeeper removes its lease
  auto held = HeronUpdateLock::Acquire(*a_, kLock, 3000ms);
  EXPECT_TRUE(held.ok()) << held.status();
}

// A create whose answer was lost leaves a lease of this session behind: it must not keep this
// session out (it would until the session ends), but it does keep other clients out.
TEST_F(HeronLockTest, ALeaseThisSessionLostTrackOfIsNotAnotherHolder) {
  ASSERT_TRUE(a_->EnsurePath(std::string(kLock) + "/leases").ok());
  auto lost =
      a_->Create(std::string(kLock) + "/leases/_c_7f3e0c7d-8f8e-4c2a-9d35-1f3f6b7a2c11-lease-", "",
                 CreateMode::kEphemeralSequential);
  ASSERT_TRUE(lost.ok()) << lost.status();
  EXPECT_EQ(HeronUpdateLock::Acquire(*b_, kLock, 300ms).status().code(), StatusCode::kConflict);
  auto held = HeronUpdateLock::Acquire(*a_, kLock, 300ms);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(Children(std::string(kLock) + "/leases").size(), 1u) << "the lost lease is gone";
}

TEST_F(HeronLockTest, ReleasingAfterTheLockNodeWasDeletedIsFine) {
  auto held = HeronUpdateLock::Acquire(*a_, kLock, 1000ms);
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_TRUE(a_->Delete((*held)->lease(), -1).ok());  // what a delete's RemoveTree does
  EXPECT_TRUE((*held)->Release().ok());
}

}  // namespace
}  // namespace hgo::statestore
