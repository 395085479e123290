// The suites the unit tier runs against the fakes (unit/loop/contracts_test.cc), here against
// the real things: ZkHeronStore and ZkLeaderElector on a ZooKeeper server started for the test.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "statestore/heron_store.h"
#include "statestore/leader_elector.h"
#include "testing/contract/heron_store_contract.h"
#include "testing/contract/leader_elector_contract.h"
#include "testing/zk_test_server.h"

namespace hgo::testing::contract {
namespace {

using namespace std::chrono_literals;

statestore::ZkOptions Options(const ZkTestServer& server) {
  statestore::ZkOptions o;
  o.servers = server.connect_string();
  return o;
}

class ZkHeronWorld final : public HeronWorld {
 public:
  static std::unique_ptr<HeronWorld> Make(std::function<void(const std::string&)> on_change) {
    auto world = std::make_unique<ZkHeronWorld>();
    auto server = ZkTestServer::Start();
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return nullptr;
    world->server_ = std::move(*server);
    auto store =
        statestore::ZkHeronStore::Open(Options(*world->server_), "/contract", std::move(on_change));
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return nullptr;
    world->store_ = std::move(*store);
    return world;
  }
  ~ZkHeronWorld() override { store_.reset(); }
  statestore::HeronStore& store() override { return *store_; }
  std::string root() const override { return "/contract"; }
  void Settle() override { std::this_thread::sleep_for(10ms); }

 private:
  std::unique_ptr<ZkTestServer> server_;
  std::unique_ptr<statestore::ZkHeronStore> store_;
};
INSTANTIATE_TYPED_TEST_SUITE_P(ZooKeeper, HeronStoreContract, ZkHeronWorld);

class ZkElectionWorld final : public ElectionWorld {
 public:
  static std::unique_ptr<ElectionWorld> Make() {
    auto world = std::make_unique<ZkElectionWorld>();
    auto server = ZkTestServer::Start();
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return nullptr;
    world->server_ = std::move(*server);
    return world;
  }
  // Each candidate has its own session, as each controller does.
  std::unique_ptr<statestore::LeaderElector> Elector(const std::string& identity) override {
    auto zk = statestore::ZkClient::Connect(Options(*server_));
    EXPECT_TRUE(zk.ok()) << zk.status();
    sessions_.push_back(std::move(*zk));
    return std::make_unique<statestore::ZkLeaderElector>(*sessions_.back(), "/contract", identity);
  }
  void Settle() override { std::this_thread::sleep_for(10ms); }

 private:
  std::unique_ptr<ZkTestServer> server_;
  std::vector<std::unique_ptr<statestore::ZkClient>> sessions_;
};
INSTANTIATE_TYPED_TEST_SUITE_P(ZooKeeper, LeaderElectorContract, ZkElectionWorld);

}  // namespace
}  // namespace hgo::testing::contract
