// The StateStore contract suite against ZooKeeper.
#include <atomic>
#include <vector>

#include "statestore/fence.h"
#include "statestore/zk_client.h"
#include "testing/contract/state_store_contract.h"
#include "testing/zk_test_server.h"

namespace hgo::statestore {

// One server for the binary; each store gets its own root, so tests do not see each other.
struct ZkFactory {
  static std::unique_ptr<StateStore> Make() {
    static auto server = hgo::testing::ZkTestServer::Start();
    if (!server.ok()) {
      ADD_FAILURE() << server.status();
      return nullptr;
    }
    static std::unique_ptr<ZkClient> zk = [] {
      ZkOptions options;
      options.servers = (*server)->connect_string();
      auto c = ZkClient::Connect(options);
      return c.ok() ? std::move(*c) : nullptr;
    }();
    static std::atomic<int> n{0};
    auto store = ZkStateStore::Create(*zk, "/contract/" + std::to_string(n++));
    if (!store.ok()) {
      ADD_FAILURE() << store.status();
      return nullptr;
    }
    return std::move(*store);
  }
};

// The same with every write through a fence (statestore/fence.h), as the controller makes them.
struct FencedZkFactory {
  static std::unique_ptr<StateStore> Make() {
    static auto server = hgo::testing::ZkTestServer::Start();
    if (!server.ok()) {
      ADD_FAILURE() << server.status();
      return nullptr;
    }
    static std::unique_ptr<ZkClient> zk = [] {
      ZkOptions options;
      options.servers = (*server)->connect_string();
      auto c = ZkClient::Connect(options);
      return c.ok() ? std::move(*c) : nullptr;
    }();
    static std::atomic<int> n{0};
    const std::string root = "/fenced/" + std::to_string(n++);
    // Stores live as long as the test; their fences as long as the binary.
    static std::vector<std::unique_ptr<ZkFence>> fences;
    fences.push_back(std::make_unique<ZkFence>(*zk, FencePath(root), [] { return 1; }));
    auto store = ZkStateStore::Create(*zk, root, fences.back().get());
    if (!store.ok()) {
      ADD_FAILURE() << store.status();
      return nullptr;
    }
    return std::move(*store);
  }
};

namespace contract {
// gtest requires the instantiation in the suite's own namespace.
INSTANTIATE_TYPED_TEST_SUITE_P(ZooKeeper, StateStoreContract, ZkFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(FencedZooKeeper, StateStoreContract, FencedZkFactory);
}  // namespace contract
}  // namespace hgo::statestore
