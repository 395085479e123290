#include "controller/lease.h"

#include <gtest/gtest.h>

namespace hgo::controller {
namespace {

struct LeaseWorld {
  FakeClock clock;
  bool leading = true;
  Status confirm = Status::Ok();
  int confirmations = 0;
  LeaderLease lease{clock, std::chrono::seconds(5), [this] { return leading; },
                    [this] {
                      ++confirmations;
                      return confirm;
                    }};
};

TEST(LeaderLeaseTest, OneConfirmationCoversTheLeaseThenItIsConfirmedAgain) {
  LeaseWorld w;
  EXPECT_TRUE(w.lease.Check().ok());
  EXPECT_EQ(w.confirmations, 1);
  w.clock.Advance(std::chrono::milliseconds(4999));
  EXPECT_TRUE(w.lease.Check().ok());
  EXPECT_EQ(w.confirmations, 1);
  w.clock.Advance(std::chrono::milliseconds(1));
  EXPECT_TRUE(w.lease.Check().ok());
  EXPECT_EQ(w.confirmations, 2);
}

TEST(LeaderLeaseTest, AFailedConfirmationRefusesAndIsTriedAgainAtTheNextCheck) {
  LeaseWorld w;
  w.confirm = Status::FailedPrecondition("fenced: a newer leader (term 7) holds /x/fence");
  Status s = w.lease.Check();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("term 7"), std::string::npos) << s;
  EXPECT_EQ(w.lease.Check().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(w.confirmations, 2) << "a refused confirmation grants no lease";
  w.confirm = Status::Ok();
  EXPECT_TRUE(w.lease.Check().ok());
}

TEST(LeaderLeaseTest, LosingTheElectionEndsARunningLeaseAtOnce) {
  LeaseWorld w;
  ASSERT_TRUE(w.lease.Check().ok());
  w.leading = false;
  Status s = w.lease.Check();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("not the leader"), std::string::npos) << s;
  EXPECT_EQ(w.confirmations, 1) << "nothing to confirm for a controller that does not lead";
}

TEST(LeaderLeaseTest, WithoutAConfirmationTheElectorDecides) {
  FakeClock clock;
  bool leading = true;
  LeaderLease lease(
      clock, std::chrono::seconds(5), [&] { return leading; }, nullptr);
  EXPECT_TRUE(lease.Check().ok());
  leading = false;
  EXPECT_FALSE(lease.Check().ok());
}

}  // namespace
}  // namespace hgo::controller
