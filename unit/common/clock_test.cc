#include "common/clock.h"

#include <gtest/gtest.h>

namespace hgo {
namespace {

using std::chrono::seconds;

TEST(FakeClockTest, MovesOnlyWhenAdvanced) {
  FakeClock clock;
  auto t0 = clock.Now();
  auto w0 = clock.WallNow();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(seconds(90));
  EXPECT_EQ(clock.Now() - t0, seconds(90));
  EXPECT_EQ(clock.WallNow() - w0, seconds(90));
}

TEST(FakeClockTest, StartsAtAFixedWallTime) {
  FakeClock clock;
  EXPECT_EQ(std::chrono::duration_cast<seconds>(clock.WallNow().time_since_epoch()).count(),
            1767225600);  // 2026-01-01T00:00:00Z
  clock.SetWallNow(std::chrono::system_clock::time_point(seconds(5)));
  EXPECT_EQ(clock.WallNow().time_since_epoch(), seconds(5));
}

TEST(RealClockTest, IsMonotonic) {
  RealClock clock;
  auto a = clock.Now();
  auto b = clock.Now();
  EXPECT_LE(a, b);
}

}  // namespace
}  // namespace hgo
