#include "controller/cluster/breaker.h"

#include <gtest/gtest.h>

namespace hgo::controller {
namespace {

using namespace std::chrono_literals;
using Phase = BreakerState::Phase;

const Status kTimeout =
    Status::DeadlineExceeded("getTasksWithoutConfigs: no answer within 8000 ms");

BreakerOptions Options() {
  BreakerOptions o;
  o.failures_to_open = 2;
  o.open_base = 5s;
  o.open_max = 20s;
  return o;
}

// Lets a pass through and reports what its observation found.
void Pass(Breaker& b, bool reached) {
  Breaker::Admission a = b.Admit();
  ASSERT_TRUE(a.allowed);
  if (reached) {
    b.Reached();
  } else {
    b.Unreachable(kTimeout);
  }
}

TEST(BreakerTest, OpensAfterUnreachableObservationsInARowAndTurnsPassesAway) {
  FakeClock clock;
  Breaker b(clock, Options());
  Pass(b, false);
  EXPECT_EQ(b.State().phase, Phase::kClosed) << "one failure is not enough";
  Pass(b, true);
  Pass(b, false);
  EXPECT_EQ(b.State().phase, Phase::kClosed) << "a success in between resets the count";
  Pass(b, false);
  BreakerState s = b.State();
  EXPECT_EQ(s.phase, Phase::kOpen);
  EXPECT_EQ(s.opens, 1);
  EXPECT_EQ(s.last_error, kTimeout.message());
  EXPECT_EQ(s.retry_at_ms - s.opened_at_ms, 5000);
  clock.Advance(2s);
  Breaker::Admission a = b.Admit();
  EXPECT_FALSE(a.allowed);
  EXPECT_EQ(a.retry_in, 3s);
}

TEST(BreakerTest, AnErrorAnswerIsNotUnreachable) {
  EXPECT_TRUE(Breaker::IsUnreachable(Status::Unavailable("refused")));
  EXPECT_TRUE(Breaker::IsUnreachable(kTimeout));
  EXPECT_FALSE(Breaker::IsUnreachable(Status::Internal("HTTP 500")));
  EXPECT_FALSE(Breaker::IsUnreachable(Status::Unauthenticated("401")));
}

TEST(BreakerTest, HalfOpenLetsOneProbeThroughAndItsSuccessCloses) {
  FakeClock clock;
  int closed = 0;
  Breaker b(clock, Options(), [&] { ++closed; });
  Pass(b, false);
  Pass(b, false);
  clock.Advance(5s);
  Breaker::Admission probe = b.Admit();
  EXPECT_TRUE(probe.allowed);
  EXPECT_TRUE(probe.probe);
  EXPECT_EQ(b.State().phase, Phase::kHalfOpen);
  Breaker::Admission other = b.Admit();
  EXPECT_FALSE(other.allowed) << "one probe at a time";
  EXPECT_EQ(closed, 0);
  b.Reached();
  EXPECT_EQ(b.State().phase, Phase::kClosed);
  EXPECT_EQ(closed, 1) << "the turned-away topologies are looked at again";
  EXPECT_TRUE(b.Admit().allowed);
  EXPECT_EQ(b.State().failures, 0);
}

TEST(BreakerTest, EachFailedProbeDoublesTheOpenPeriodUpToTheMaximum) {
  FakeClock clock;
  Breaker b(clock, Options());
  Pass(b, false);
  Pass(b, false);
  std::vector<int64_t> periods;
  for (int i = 0; i < 4; ++i) {
    BreakerState s = b.State();
    periods.push_back(s.retry_at_ms - s.opened_at_ms);
    clock.Advance(std::chrono::milliseconds(s.retry_at_ms - s.opened_at_ms));
    Pass(b, false);  // the probe fails
  }
  EXPECT_EQ(periods, (std::vector<int64_t>{5000, 10000, 20000, 20000}));
  EXPECT_EQ(b.State().opens, 5);
}

TEST(BreakerTest, AProbeThatLearnsNothingHandsItsTurnToTheNextPass) {
  FakeClock clock;
  Breaker b(clock, Options());
  Pass(b, false);
  Pass(b, false);
  clock.Advance(5s);
  Breaker::Admission probe = b.Admit();
  ASSERT_TRUE(probe.probe);
  EXPECT_FALSE(b.Admit().allowed);
  b.Release(probe.probe);
  Breaker::Admission next = b.Admit();
  EXPECT_TRUE(next.allowed);
  EXPECT_TRUE(next.probe);
  EXPECT_EQ(b.State().phase, Phase::kHalfOpen);
}

TEST(BreakerTest, APassLetThroughBeforeItOpenedNeitherReopensNorExtendsIt) {
  FakeClock clock;
  Breaker b(clock, Options());
  ASSERT_TRUE(b.Admit().allowed);  // three passes in flight when the servers stop answering
  ASSERT_TRUE(b.Admit().allowed);
  ASSERT_TRUE(b.Admit().allowed);
  b.Unreachable(kTimeout);
  b.Unreachable(kTimeout);
  const BreakerState opened = b.State();
  b.Unreachable(kTimeout);  // the third comes back late
  EXPECT_EQ(b.State().opens, opened.opens);
  EXPECT_EQ(b.State().retry_at_ms, opened.retry_at_ms);
}

}  // namespace
}  // namespace hgo::controller
