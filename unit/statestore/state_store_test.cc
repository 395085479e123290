#include "testing/contract/state_store_contract.h"

namespace hgo::statestore {

struct InMemoryFactory {
  static std::unique_ptr<StateStore> Make() { return std::make_unique<InMemoryStateStore>(); }
};

TEST(InMemoryStateStoreTest, InjectedFaultHitsTheNextCallOnly) {
  InMemoryStateStore store;
  store.FailNext(Status::Unavailable("zk down"));
  EXPECT_EQ(store.ListRecords().status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(store.ListRecords().ok());
}

namespace contract {
// gtest requires the instantiation in the suite's own namespace.
INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, StateStoreContract, InMemoryFactory);
}  // namespace contract
}  // namespace hgo::statestore
