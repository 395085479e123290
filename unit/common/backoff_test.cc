#include "common/backoff.h"

#include <gtest/gtest.h>

namespace hgo {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesUpToTheCapWithoutJitter) {
  Backoff b(BackoffOptions{milliseconds(100), milliseconds(1000), 2.0, 0.0}, [] { return 0.5; });
  EXPECT_EQ(b.NextDelay(), milliseconds(100));
  EXPECT_EQ(b.NextDelay(), milliseconds(200));
  EXPECT_EQ(b.NextDelay(), milliseconds(400));
  EXPECT_EQ(b.NextDelay(), milliseconds(800));
  EXPECT_EQ(b.NextDelay(), milliseconds(1000));
  EXPECT_EQ(b.NextDelay(), milliseconds(1000));
  EXPECT_EQ(b.attempts(), 6);
  b.Reset();
  EXPECT_EQ(b.NextDelay(), milliseconds(100));
}

TEST(BackoffTest, JitterSpansTheConfiguredBand) {
  double u = 0.0;
  Backoff low(BackoffOptions{milliseconds(1000), milliseconds(60000), 2.0, 0.2}, [&] { return u; });
  EXPECT_EQ(low.NextDelay(), milliseconds(800));  // 1000 * (1 - 0.2)
  u = 0.999999;
  Backoff high(BackoffOptions{milliseconds(1000), milliseconds(60000), 2.0, 0.2},
               [&] { return u; });
  EXPECT_EQ(high.NextDelay(), milliseconds(1200));  // 1000 * (1 + 0.2), rounded
}

TEST(BackoffTest, JitterNeverExceedsTheCap) {
  Backoff b(BackoffOptions{milliseconds(1000), milliseconds(1500), 2.0, 0.5}, [] { return 0.99; });
  for (int i = 0; i < 10; ++i) EXPECT_LE(b.NextDelay(), milliseconds(1500));
}

TEST(BackoffTest, ManyAttemptsDoNotOverflow) {
  Backoff b(BackoffOptions{milliseconds(1), milliseconds(5000), 10.0, 0.0}, [] { return 0.0; });
  for (int i = 0; i < 500; ++i) b.NextDelay();
  EXPECT_EQ(b.NextDelay(), milliseconds(5000));
}

TEST(BackoffTest, SeededBackoffsAreReproducible) {
  Backoff a(BackoffOptions{}, 42), b(BackoffOptions{}, 42);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a.NextDelay(), b.NextDelay());
}

}  // namespace
}  // namespace hgo
