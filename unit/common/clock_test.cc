#include "common/clock.h"

#include <gtest/gtest.h>

#include <thread>

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

TEST(RealClockTest, FollowsRealTime) {
  RealClock clock;
  const auto a = clock.Now();
  const auto wall = clock.WallNow();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto b = clock.Now();
  EXPECT_GE(b - a, std::chrono::milliseconds(20)) << "steady time moves as real time does";
  EXPECT_LT(b - a, std::chrono::seconds(10));
  const auto drift = std::chrono::system_clock::now() - wall;
  EXPECT_GE(drift, std::chrono::milliseconds(20));
  EXPECT_LT(drift, std::chrono::seconds(10)) << "wall time is the system's";
}

}  // namespace
}  // namespace hgo
