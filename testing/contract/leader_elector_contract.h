// One behaviour suite for every LeaderElector: instantiate it with a factory type that has
//   static std::unique_ptr<ElectionWorld> Make();   // a fresh election
// via INSTANTIATE_TYPED_TEST_SUITE_P(Name, LeaderElectorContract, FactoryType). It runs against
// testing/fakes/fake_election.h in the unit tier and ZkLeaderElector on a real ZooKeeper in the
// e2e tier.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>

#include "statestore/leader_elector.h"

namespace hgo::testing::contract {

class ElectionWorld {
 public:
  virtual ~ElectionWorld() = default;
  // A candidate of this election (its own session, for a real one).
  virtual std::unique_ptr<statestore::LeaderElector> Elector(const std::string& identity) = 0;
  virtual void Settle() = 0;  // lets watches fire
};

template <typename Factory>
class LeaderElectorContract : public ::testing::Test {
 protected:
  struct Candidate {
    std::unique_ptr<statestore::LeaderElector> elector;
    std::atomic<int> elected{0}, lost{0};
  };
  void SetUp() override {
    world_ = Factory::Make();
    ASSERT_TRUE(world_);
  }
  void TearDown() override {
    for (auto& c : candidates_) c->elector.reset();
  }
  Candidate& Join(const std::string& identity) {
    candidates_.push_back(std::make_unique<Candidate>());
    Candidate& c = *candidates_.back();
    c.elector = world_->Elector(identity);
    Status s = c.elector->Start([&c] { ++c.elected; }, [&c] { ++c.lost; });
    EXPECT_TRUE(s.ok()) << s;
    return c;
  }
  bool Eventually(const std::function<bool()>& pred) {
    for (int i = 0; i < 500; ++i) {
      if (pred()) return true;
      world_->Settle();
    }
    return pred();
  }
  std::unique_ptr<ElectionWorld> world_;
  std::vector<std::unique_ptr<Candidate>> candidates_;
};

TYPED_TEST_SUITE_P(LeaderElectorContract);

TYPED_TEST_P(LeaderElectorContract, TheFirstCandidateLeadsAndEveryoneKnowsWho) {
  auto& a = this->Join("a");
  ASSERT_TRUE(this->Eventually([&] { return a.elector->IsLeader(); }));
  EXPECT_EQ(a.elected.load(), 1);
  auto& b = this->Join("b");
  for (int i = 0; i < 20; ++i) this->world_->Settle();
  EXPECT_FALSE(b.elector->IsLeader());
  EXPECT_EQ(b.elected.load(), 0);
  ASSERT_TRUE(this->Eventually([&] {
    auto leader = b.elector->CurrentLeader();
    return leader.ok() && *leader == "a";
  }));
}

TYPED_TEST_P(LeaderElectorContract, EachLeaderHoldsALargerTermThanTheOneBefore) {
  auto& a = this->Join("a");
  ASSERT_TRUE(this->Eventually([&] { return a.elector->IsLeader(); }));
  const int64_t first = a.elector->term();
  EXPECT_GT(first, 0);
  auto& b = this->Join("b");
  for (int i = 0; i < 20; ++i) this->world_->Settle();
  EXPECT_EQ(b.elector->term(), 0) << "a candidate that does not lead holds no term";
  a.elector->Resign();
  ASSERT_TRUE(this->Eventually([&] { return b.elector->IsLeader(); }));
  EXPECT_EQ(a.elector->term(), 0);
  const int64_t second = b.elector->term();
  EXPECT_GT(second, first);
  auto& c = this->Join("c");
  b.elector->Resign();
  ASSERT_TRUE(this->Eventually([&] { return c.elector->IsLeader(); }));
  EXPECT_GT(c.elector->term(), second);
}

TYPED_TEST_P(LeaderElectorContract, AResigningLeaderIsToldAndTheNextOneLeads) {
  auto& a = this->Join("a");
  ASSERT_TRUE(this->Eventually([&] { return a.elector->IsLeader(); }));
  auto& b = this->Join("b");
  a.elector->Resign();
  EXPECT_FALSE(a.elector->IsLeader());
  EXPECT_EQ(a.lost.load(), 1);
  ASSERT_TRUE(this->Eventually([&] { return b.elector->IsLeader(); }));
  EXPECT_EQ(b.elected.load(), 1);
  EXPECT_EQ(b.lost.load(), 0);
  ASSERT_TRUE(this->Eventually([&] {
    auto leader = a.elector->CurrentLeader();
    return leader.ok() && *leader == "b";
  }));
}

TYPED_TEST_P(LeaderElectorContract, AFollowerThatResignsIsNotToldItLost) {
  auto& a = this->Join("a");
  ASSERT_TRUE(this->Eventually([&] { return a.elector->IsLeader(); }));
  auto& b = this->Join("b");
  b.elector->Resign();
  for (int i = 0; i < 20; ++i) this->world_->Settle();
  EXPECT_EQ(b.lost.load(), 0);
  EXPECT_TRUE(a.elector->IsLeader());
  a.elector->Resign();
  EXPECT_TRUE(this->Eventually(
      [&] { return a.elector->CurrentLeader().status().code() == StatusCode::kNotFound; }));
}

REGISTER_TYPED_TEST_SUITE_P(LeaderElectorContract, EachLeaderHoldsALargerTermThanTheOneBefore,
                            TheFirstCandidateLeadsAndEveryoneKnowsWho,
                            AResigningLeaderIsToldAndTheNextOneLeads,
                            AFollowerThatResignsIsNotToldItLost);

}  // namespace hgo::testing::contract
