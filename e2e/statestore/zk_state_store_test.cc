// The StateStore contract suite against ZooKeeper.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "statestore/fence.h"
#include "statestore/zk_client.h"
#include "testing/contract/state_store_contract.h"
#include "testing/zk_test_server.h"

namespace hgo::statestore {

// One server and one session for the binary; each store gets its own root, so tests do not see
// each other.
ZkClient* SharedClient() {
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
  return zk.get();
}

std::unique_ptr<StateStore> MakeStore(const std::string& root, ZkFence* fence) {
  ZkClient* zk = SharedClient();
  if (!zk) return nullptr;
  auto store = ZkStateStore::Create(*zk, root, fence);
  if (!store.ok()) {
    ADD_FAILURE() << store.status();
    return nullptr;
  }
  return std::move(*store);
}

struct ZkFactory {
  static std::unique_ptr<StateStore> Make() {
    static std::atomic<int> n{0};
    return MakeStore("/contract/" + std::to_string(n++), nullptr);
  }
};

// The same with every write through a fence (statestore/fence.h), as the controller makes them.
struct FencedZkFactory {
  static std::unique_ptr<StateStore> Make() {
    ZkClient* zk = SharedClient();
    if (!zk) return nullptr;
    static std::atomic<int> n{0};
    const std::string root = "/fenced/" + std::to_string(n++);
    // Stores live as long as the test; their fences as long as the binary.
    static std::vector<std::unique_ptr<ZkFence>> fences;
    fences.push_back(std::make_unique<ZkFence>(*zk, FencePath(root), [] { return 1; }));
    return MakeStore(root, fences.back().get());
  }
};

namespace contract {
// gtest requires the instantiation in the suite's own namespace.
INSTANTIATE_TYPED_TEST_SUITE_P(ZooKeeper, StateStoreContract, ZkFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(FencedZooKeeper, StateStoreContract, FencedZkFactory);
}  // namespace contract
}  // namespace hgo::statestore
