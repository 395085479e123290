#include "controller/work_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace hgo::controller {
namespace {

using namespace std::chrono_literals;
using Key = crd::TopologyKey;

Key K(const std::string& name) { return Key{"c", "r", "e", name}; }

TEST(WorkQueueTest, AKeyIsQueuedOnceHoweverOftenItIsAdded) {
  FakeClock clock;
  WorkQueue q(clock);
  q.Add(K("a"));
  q.Add(K("a"));
  q.Add(K("b"));
  EXPECT_EQ(q.Ready(), 2u);
  EXPECT_EQ(q.TryGet()->name, "a");
  EXPECT_EQ(q.TryGet()->name, "b");
  EXPECT_FALSE(q.TryGet());
}

TEST(WorkQueueTest, AKeyAddedWhileProcessingIsHandedOutOnlyAfterDone) {
  FakeClock clock;
  WorkQueue q(clock);
  q.Add(K("a"));
  auto k = q.TryGet();
  ASSERT_TRUE(k);
  q.Add(K("a"));  // a change arrives during the pass
  EXPECT_FALSE(q.TryGet()) << "never two passes of one key at once";
  q.Done(*k);
  auto again = q.TryGet();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->name, "a");
}

TEST(WorkQueueTest, DelayedKeysWaitForTheirTimeAndTheEarliestWins) {
  FakeClock clock;
  WorkQueue q(clock);
  q.AddAfter(K("a"), 10s);
  q.AddAfter(K("a"), 3s);
  q.AddAfter(K("a"), 20s);  // later than what is queued: ignored
  EXPECT_EQ(q.Delayed(), 1u);
  clock.Advance(2s);
  EXPECT_FALSE(q.TryGet());
  clock.Advance(1s);
  EXPECT_TRUE(q.TryGet());
  EXPECT_EQ(q.Delayed(), 0u);
}

TEST(WorkQueueTest, AnImmediateAddReplacesADelayedOne) {
  FakeClock clock;
  WorkQueue q(clock);
  q.AddAfter(K("a"), 10s);
  q.Add(K("a"));
  EXPECT_EQ(q.Delayed(), 0u);
  auto k = q.TryGet();
  ASSERT_TRUE(k);
  q.Done(*k);
  clock.Advance(11s);
  EXPECT_FALSE(q.TryGet()) << "the delayed copy was dropped";
}

TEST(WorkQueueTest, BackoffDoublesUntilForgotten) {
  FakeClock clock;
  WorkQueue q(clock, 1s, 5s);
  auto cycle = [&](std::chrono::seconds expect) {
    q.AddRateLimited(K("a"));
    clock.Advance(expect - 1ms);
    EXPECT_FALSE(q.TryGet()) << "before " << expect.count() << " s";
    clock.Advance(1ms);
    auto k = q.TryGet();
    ASSERT_TRUE(k) << "at " << expect.count() << " s";
    q.Done(*k);
  };
  cycle(1s);
  cycle(2s);
  cycle(4s);
  cycle(5s);  // capped
  EXPECT_EQ(q.Failures(K("a")), 4);
  q.Forget(K("a"));
  cycle(1s);
}

// The watch of a failing pass's own write must not bring the key back before its backoff; a
// plain Add (a spec change) still does, and a key that is not failing is added as usual.
TEST(WorkQueueTest, AddUnlessBackingOffKeepsAFailingKeysBackoff) {
  FakeClock clock;
  WorkQueue q(clock, 1s, 5s);
  q.Add(K("a"));
  auto k = q.TryGet();
  ASSERT_TRUE(k);
  q.AddUnlessBackingOff(K("a"));  // the pass's write seen by a watch
  q.AddRateLimited(K("a"));       // the pass failed
  q.Done(*k);
  EXPECT_FALSE(q.TryGet()) << "the watch cut the backoff short";
  q.AddUnlessBackingOff(K("a"));
  EXPECT_FALSE(q.TryGet());
  clock.Advance(1s);
  k = q.TryGet();
  ASSERT_TRUE(k);
  q.AddUnlessBackingOff(K("a"));  // this pass succeeds: queued again at Done
  q.Forget(K("a"));
  q.Done(*k);
  EXPECT_TRUE(q.TryGet());

  q.AddRateLimited(K("b"));
  q.Add(K("b"));  // not the controller's own doing: at once
  EXPECT_EQ(q.TryGet()->name, "b");
  q.AddUnlessBackingOff(K("c"));  // never failed
  EXPECT_EQ(q.TryGet()->name, "c");
}

TEST(WorkQueueTest, GetBlocksUntilAKeyArrivesAndShutdownReleasesIt) {
  RealClock clock;
  WorkQueue q(clock);
  std::thread producer([&] {
    std::this_thread::sleep_for(20ms);
    q.Add(K("a"));
  });
  auto k = q.Get();
  producer.join();
  ASSERT_TRUE(k);
  EXPECT_EQ(k->name, "a");
  std::thread stopper([&] {
    std::this_thread::sleep_for(20ms);
    q.Shutdown();
  });
  EXPECT_FALSE(q.Get());
  stopper.join();
}

TEST(WorkQueueTest, AClusterAtItsLimitLetsOtherClustersKeysPass) {
  FakeClock clock;
  WorkQueue q(clock);
  q.SetClusterLimit(2);
  for (const char* name : {"a", "b", "c"}) q.Add(Key{"dead", "r", "e", name});
  q.Add(Key{"good", "r", "e", "x"});
  auto first = q.TryGet();
  auto second = q.TryGet();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->cluster, "dead");
  EXPECT_EQ(second->cluster, "dead");
  auto third = q.TryGet();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->cluster, "good") << "dead's third key waits; good's goes past it";
  EXPECT_FALSE(q.TryGet()) << "dead is at its limit and good has nothing else";
  q.Done(*first);
  auto fourth = q.TryGet();
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->name, "c");
}

TEST(WorkQueueTest, AWaitingWorkerGetsAKeyWhenItsClusterHasRoomAgain) {
  FakeClock clock;
  WorkQueue q(clock);
  q.SetClusterLimit(1);
  q.Add(Key{"dead", "r", "e", "a"});
  q.Add(Key{"dead", "r", "e", "b"});
  auto busy = q.Get();
  ASSERT_TRUE(busy);
  std::optional<Key> got;
  std::thread waiter([&] { got = q.Get(); });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(q.Processing(), 1u) << "b waits while a is processed";
  q.Done(*busy);
  waiter.join();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "b");
}

}  // namespace
}  // namespace hgo::controller
