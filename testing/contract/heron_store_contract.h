// One behaviour suite for every HeronStore (statestore/heron_store.h): instantiate it with a
// factory type that has
//   static std::unique_ptr<HeronWorld> Make(std::function<void(const std::string&)> on_change);
// (each call a fresh, empty state under its own root) via
//   INSTANTIATE_TYPED_TEST_SUITE_P(Name, HeronStoreContract, FactoryType).
// It runs against the in-memory fake in the unit tier and ZkHeronStore on a real ZooKeeper in
// the e2e tier.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

#include "statestore/heron_store.h"

namespace hgo::testing::contract {

class HeronWorld {
 public:
  virtual ~HeronWorld() = default;
  virtual statestore::HeronStore& store() = 0;
  virtual std::string root() const = 0;
  // Lets watches fire (a real ZooKeeper needs a moment; the fake none).
  virtual void Settle() = 0;
};

template <typename Factory>
class HeronStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = Factory::Make([this](const std::string& name) {
      std::lock_guard<std::mutex> lock(mu_);
      changed_.insert(name);
    });
    ASSERT_TRUE(world_);
    layout_ = statestore::HeronLayout{world_->root(), false};
  }
  statestore::HeronStore& store() { return world_->store(); }
  bool Eventually(const std::function<bool()>& pred) {
    for (int i = 0; i < 500; ++i) {
      if (pred()) return true;
      world_->Settle();
    }
    return pred();
  }
  bool Changed(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    return changed_.count(name) > 0;
  }
  std::string ViewOf(const std::string& name, statestore::HeronDir d) {
    auto s = store().Get(name);
    const std::string* bytes = s ? s->Get(d) : nullptr;
    return bytes ? *bytes : "(none)";
  }
  std::unique_ptr<HeronWorld> world_;
  statestore::HeronLayout layout_;
  std::mutex mu_;
  std::set<std::string> changed_;
};

TYPED_TEST_SUITE_P(HeronStoreContract);

using statestore::HeronDir;

TYPED_TEST_P(HeronStoreContract, AWriteShowsInTheViewAndIsAnnounced) {
  // The view's directories exist once the store is open (the watches need them); the others
  // only after EnsureTree, and a node needs its parent.
  EXPECT_EQ(this->store().Write(this->layout_, HeronDir::kMetricsCaches, "wc", "m").code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(this->store().EnsureTree(this->layout_).ok());
  EXPECT_TRUE(this->store().Write(this->layout_, HeronDir::kMetricsCaches, "wc", "m").ok());
  EXPECT_TRUE(this->store().connected());
  EXPECT_TRUE(this->store().view_current());  // a store opens with its view read
  EXPECT_EQ(this->store().Get("wc"), nullptr);
  ASSERT_TRUE(this->store().Write(this->layout_, HeronDir::kTopologies, "wc", "t1").ok());
  auto read = this->store().Read(this->layout_, HeronDir::kTopologies, "wc");
  ASSERT_TRUE(read.ok() && *read);
  EXPECT_EQ(**read, "t1");
  EXPECT_TRUE(this->Eventually([&] { return this->ViewOf("wc", HeronDir::kTopologies) == "t1"; }));
  EXPECT_EQ(this->store().Names(), std::vector<std::string>{"wc"});
  EXPECT_TRUE(this->Eventually([&] { return this->Changed("wc"); }));
  auto missing = this->store().Read(this->layout_, HeronDir::kPackingPlans, "wc");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
}

TYPED_TEST_P(HeronStoreContract, AWriteReplacesAndTheViewsVersionMoves) {
  ASSERT_TRUE(this->store().EnsureTree(this->layout_).ok());
  ASSERT_TRUE(this->store().Write(this->layout_, HeronDir::kPackingPlans, "wc", "p1").ok());
  ASSERT_TRUE(
      this->Eventually([&] { return this->ViewOf("wc", HeronDir::kPackingPlans) == "p1"; }));
  const uint64_t before = this->store().Get("wc")->version;
  ASSERT_TRUE(this->store().Write(this->layout_, HeronDir::kPackingPlans, "wc", "p2").ok());
  ASSERT_TRUE(
      this->Eventually([&] { return this->ViewOf("wc", HeronDir::kPackingPlans) == "p2"; }));
  EXPECT_NE(this->store().Get("wc")->version, before);
}

// A submission's nodes (none exist), an update's (all exist), and a mix (one exists).
TYPED_TEST_P(HeronStoreContract, WriteAllCreatesReplacesAndMixes) {
  ASSERT_TRUE(this->store().EnsureTree(this->layout_).ok());
  auto write_all = [&](const std::string& name, const std::string& v) {
    return this->store().WriteAll(this->layout_, name,
                                  {{HeronDir::kExecutionState, "e" + v},
                                   {HeronDir::kPackingPlans, "p" + v},
                                   {HeronDir::kTopologies, "t" + v}});
  };
  auto read = [&](HeronDir d, const std::string& name) {
    auto r = this->store().Read(this->layout_, d, name);
    return r.ok() && *r ? **r : std::string("(none)");
  };
  ASSERT_TRUE(write_all("wc", "1").ok());
  EXPECT_EQ(read(HeronDir::kExecutionState, "wc"), "e1");
  EXPECT_EQ(read(HeronDir::kPackingPlans, "wc"), "p1");
  EXPECT_EQ(read(HeronDir::kTopologies, "wc"), "t1");
  ASSERT_TRUE(write_all("wc", "2").ok());
  EXPECT_EQ(read(HeronDir::kExecutionState, "wc"), "e2");
  EXPECT_EQ(read(HeronDir::kTopologies, "wc"), "t2");
  ASSERT_TRUE(this->store().Write(this->layout_, HeronDir::kPackingPlans, "mix", "p0").ok());
  ASSERT_TRUE(write_all("mix", "3").ok());
  EXPECT_EQ(read(HeronDir::kExecutionState, "mix"), "e3");
  EXPECT_EQ(read(HeronDir::kPackingPlans, "mix"), "p3");
  EXPECT_EQ(read(HeronDir::kTopologies, "mix"), "t3");
  EXPECT_TRUE(this->Eventually([&] { return this->ViewOf("mix", HeronDir::kTopologies) == "t3"; }));
}

TYPED_TEST_P(HeronStoreContract, AnOldReleasesLayoutWritesUnderTMasters) {
  const statestore::HeronLayout old{this->world_->root(), true};
  ASSERT_TRUE(this->store().EnsureTree(old).ok());
  ASSERT_TRUE(this->store().EnsureTree(this->layout_).ok());
  ASSERT_TRUE(this->store().Write(old, HeronDir::kTManagers, "wc", "loc").ok());
  ASSERT_TRUE(this->Eventually([&] { return this->ViewOf("wc", HeronDir::kTMasters) == "loc"; }));
  EXPECT_EQ(this->ViewOf("wc", HeronDir::kTManagers), "(none)");
}

TYPED_TEST_P(HeronStoreContract, RemovedNodesLeaveTheViewAndMissingOnesAreFine) {
  ASSERT_TRUE(this->store().EnsureTree(this->layout_).ok());
  ASSERT_TRUE(this->store().Write(this->layout_, HeronDir::kTopologies, "wc", "t").ok());
  ASSERT_TRUE(this->store().Write(this->layout_, HeronDir::kSchedulers, "wc", "s").ok());
  ASSERT_TRUE(this->Eventually([&] { return this->ViewOf("wc", HeronDir::kSchedulers) == "s"; }));
  ASSERT_TRUE(this->store().Remove(this->layout_, HeronDir::kSchedulers, "wc").ok());
  ASSERT_TRUE(this->store().Remove(this->layout_, HeronDir::kTopologies, "wc").ok());
  EXPECT_TRUE(this->Eventually([&] { return this->store().Get("wc") == nullptr; }));
  EXPECT_TRUE(this->store().Names().empty());
  EXPECT_TRUE(this->store().Remove(this->layout_, HeronDir::kTopologies, "wc").ok());
  EXPECT_TRUE(this->store().RemoveTree(this->layout_, HeronDir::kLocks, "none").ok());
}

TYPED_TEST_P(HeronStoreContract, TheUpdateLockHasOneHolderAndRemoveTreeFreesIt) {
  ASSERT_TRUE(this->store().EnsureTree(this->layout_).ok());
  const std::string root = this->world_->root();
  auto first = this->store().LockForUpdate(root, "wc", std::chrono::milliseconds(100));
  ASSERT_TRUE(first.ok()) << first.status();
  // Also from the same store (one controller: two keys of one name share Heron's lock).
  auto second = this->store().LockForUpdate(root, "wc", std::chrono::milliseconds(100));
  EXPECT_EQ(second.status().code(), StatusCode::kConflict);
  auto other = this->store().LockForUpdate(root, "other", std::chrono::milliseconds(100));
  EXPECT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE((*first)->Release().ok());
  auto third = this->store().LockForUpdate(root, "wc", std::chrono::milliseconds(100));
  ASSERT_TRUE(third.ok()) << third.status();
  // Deleting the topology's lock node (`heron kill` does) frees it; releasing after is fine.
  ASSERT_TRUE(this->store().RemoveTree(this->layout_, HeronDir::kLocks, "wc__updateTopology").ok());
  EXPECT_TRUE((*third)->Release().ok());
  auto fourth = this->store().LockForUpdate(root, "wc", std::chrono::milliseconds(100));
  EXPECT_TRUE(fourth.ok()) << fourth.status();
}

REGISTER_TYPED_TEST_SUITE_P(HeronStoreContract, AWriteShowsInTheViewAndIsAnnounced,
                            AWriteReplacesAndTheViewsVersionMoves, WriteAllCreatesReplacesAndMixes,
                            AnOldReleasesLayoutWritesUnderTMasters,
                            RemovedNodesLeaveTheViewAndMissingOnesAreFine,
                            TheUpdateLockHasOneHolderAndRemoveTreeFreesIt);

}  // namespace hgo::testing::contract
