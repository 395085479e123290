#include "controller/change_feed.h"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <thread>

#include "controller/metrics.h"
#include "controller/status_board.h"

namespace hgo::controller {
namespace {

using namespace std::chrono_literals;
using Key = crd::TopologyKey;

Key K(const std::string& name) { return Key{"c", "r", "e", name}; }

// A watcher whose answer lands in *out (and counts in *calls).
Watcher Waiting(ChangeFeed& feed, int64_t since, std::optional<WatchAnswer>* out,
                int* calls = nullptr, std::vector<Key> keys = {}) {
  Watcher w;
  w.since = since;
  w.keys = std::move(keys);
  w.deadline_ms = feed.MonotonicMs() + 30000;
  w.answer = [out, calls](WatchAnswer a) {
    *out = std::move(a);
    if (calls) ++*calls;
  };
  return w;
}

TEST(ChangeFeedTest, AChangeWakesAWaitingWatcher) {
  FakeClock clock;
  ChangeFeed feed(clock);
  std::optional<WatchAnswer> got;
  feed.Watch(Waiting(feed, feed.version(), &got));
  feed.AnswerDue();
  EXPECT_FALSE(got) << "nothing changed yet";
  EXPECT_EQ(feed.watchers(), 1u);

  feed.Note(K("a"));
  feed.Note(K("b"));
  feed.Note(K("a"));
  EXPECT_FALSE(got) << "a pass's note answers nobody on the pass's thread";
  feed.AnswerDue();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->version, 3);
  EXPECT_FALSE(got->reset);
  EXPECT_EQ(got->changed, (std::vector<Key>{K("a"), K("b")})) << "each key once";
  EXPECT_EQ(feed.watchers(), 0u);
}

TEST(ChangeFeedTest, AWatcherBehindTheFeedIsAnsweredAtOnce) {
  FakeClock clock;
  ChangeFeed feed(clock);
  const int64_t held = feed.version();
  feed.Note(K("a"));
  std::optional<WatchAnswer> got;
  feed.Watch(Waiting(feed, held, &got));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->changed, std::vector<Key>{K("a")});
}

TEST(ChangeFeedTest, AnIdleWatcherTimesOutCleanlyAtItsDeadline) {
  FakeClock clock;
  ChangeFeed feed(clock);
  std::optional<WatchAnswer> got;
  int calls = 0;
  feed.Watch(Waiting(feed, 0, &got, &calls));
  clock.Advance(29s);
  feed.AnswerDue();
  EXPECT_FALSE(got);
  clock.Advance(1s);
  feed.AnswerDue();
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->changed.empty());
  EXPECT_FALSE(got->reset);
  EXPECT_EQ(got->version, 0);
  EXPECT_EQ(feed.watchers(), 0u) << "nothing is kept of a watcher once answered";
  feed.Note(K("a"));
  feed.AnswerDue();
  EXPECT_EQ(calls, 1) << "answered exactly once";
}

TEST(ChangeFeedTest, AWatcherOfOneTopologyWakesOnlyForIt) {
  FakeClock clock;
  ChangeFeed feed(clock);
  std::optional<WatchAnswer> got;
  feed.Watch(Waiting(feed, 0, &got, nullptr, {K("a")}));
  feed.Note(K("b"));
  feed.AnswerDue();
  EXPECT_FALSE(got);
  feed.Note(K("a"));
  feed.AnswerDue();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->changed, std::vector<Key>{K("a")});
  EXPECT_EQ(got->version, 2);
}

// A placed topology's page watches each cluster's key: any of them wakes it, others do not.
TEST(ChangeFeedTest, AWatcherOfSeveralTopologiesWakesForAnyOfThem) {
  FakeClock clock;
  ChangeFeed feed(clock);
  std::optional<WatchAnswer> got;
  feed.Watch(Waiting(feed, 0, &got, nullptr, {K("a"), K("c")}));
  feed.Note(K("b"));
  feed.AnswerDue();
  EXPECT_FALSE(got);
  feed.Note(K("c"));
  feed.Note(K("d"));
  feed.AnswerDue();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->changed, std::vector<Key>{K("c")});
  EXPECT_EQ(got->version, 3);
}

TEST(ChangeFeedTest, AVersionTheRingNoLongerReachesOrNeverHadIsToldToListAgain) {
  FakeClock clock;
  ChangeFeed feed(clock);
  for (size_t i = 0; i < ChangeFeed::kRing; ++i) feed.Note(K("a"));
  std::optional<WatchAnswer> old, ahead, recent;
  feed.Watch(Waiting(feed, 0, &old));
  ASSERT_TRUE(old);
  EXPECT_TRUE(old->reset) << "kRing changes after version 0: version 0 is forgotten";
  // A version ahead of the feed: the client's controller restarted (versions start again).
  feed.Watch(Waiting(feed, feed.version() + 5, &ahead));
  ASSERT_TRUE(ahead);
  EXPECT_TRUE(ahead->reset);
  feed.Watch(Waiting(feed, 1, &recent));
  ASSERT_TRUE(recent);
  EXPECT_FALSE(recent->reset) << "version 1 is still within the ring";
}

TEST(ChangeFeedTest, StopAnswersEveryWatcherAndLaterOnesAtOnce) {
  FakeClock clock;
  ChangeFeed feed(clock);
  std::optional<WatchAnswer> a, b;
  feed.Watch(Waiting(feed, 0, &a));
  feed.Stop();
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->changed.empty());
  feed.Watch(Waiting(feed, 0, &b));
  EXPECT_TRUE(b) << "a stopped feed keeps no watcher";
  EXPECT_EQ(feed.watchers(), 0u);
}

// Many watchers cost a pass nothing: a note answers none of them on the noting thread; the
// feed's own thread answers them all.
TEST(ChangeFeedTest, ManyWatchersAreAnsweredOnTheFeedsThreadNotThePasss) {
  RealClock clock;
  ChangeFeed feed(clock, 10ms);
  feed.Start();
  constexpr int kWatchers = 2000;
  std::mutex mu;
  std::map<std::thread::id, int> threads;
  std::promise<void> all;
  int answered = 0;
  for (int i = 0; i < kWatchers; ++i) {
    Watcher w;
    w.since = 0;
    w.deadline_ms = feed.MonotonicMs() + 60000;
    w.answer = [&](WatchAnswer a) {
      std::lock_guard<std::mutex> lock(mu);
      ++threads[std::this_thread::get_id()];
      if (++answered == kWatchers) all.set_value();
    };
    feed.Watch(std::move(w));
  }
  EXPECT_EQ(feed.watchers(), static_cast<size_t>(kWatchers));
  feed.Note(K("a"));
  ASSERT_EQ(all.get_future().wait_for(30s), std::future_status::ready);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
  EXPECT_EQ(threads.size(), 1u);
  feed.Stop();
}

// The board notes a pass only when it changes what the API shows: a resync of 10,000 unchanged
// topologies wakes no watcher.
TEST(ChangeFeedTest, TheBoardNotesAPassOnlyWhenItChangesTheStatus) {
  FakeClock clock;
  ChangeFeed feed(clock);
  Metrics metrics;
  StatusBoard board(metrics, feed);
  auto report = [&](reconciler::Phase phase, std::shared_ptr<const JobTasks> tasks) {
    PassReport r;
    r.phase = phase;
    r.message = "converged";
    r.observed = true;
    r.now_ms = 1000;
    r.tasks = std::move(tasks);
    board.Report(K("a"), std::move(r));
  };
  auto tasks = [](aurora::TaskStatus status) {
    auto t = std::make_shared<JobTasks>(1);
    (*t)[0].task_id = "task-0";
    (*t)[0].status = status;
    return std::shared_ptr<const JobTasks>(t);
  };
  report(reconciler::Phase::kRunning, tasks(aurora::TaskStatus::kRunning));
  const int64_t first = feed.version();
  EXPECT_EQ(first, 1);
  // The same status again, with a new copy of the same tasks (as each role answer is).
  report(reconciler::Phase::kRunning, tasks(aurora::TaskStatus::kRunning));
  EXPECT_EQ(feed.version(), first);
  report(reconciler::Phase::kRunning, tasks(aurora::TaskStatus::kFailed));
  EXPECT_EQ(feed.version(), first + 1) << "a task's state changed";
  report(reconciler::Phase::kUpdating, tasks(aurora::TaskStatus::kFailed));
  EXPECT_EQ(feed.version(), first + 2) << "the phase changed";
  board.BumpGeneration(K("a"));
  EXPECT_EQ(feed.version(), first + 3) << "an API mutation";
  // The packing: each pass's shape is a new object; only a different plan is a change.
  auto pack = [&](int containers) {
    packing::PackingPlan plan;
    for (int i = 1; i <= containers; ++i) plan.containers.push_back({i, {}, {}, std::nullopt});
    PassReport r;
    r.phase = reconciler::Phase::kUpdating;
    r.message = "converged";
    r.observed = true;
    r.now_ms = 1000;
    r.tasks = tasks(aurora::TaskStatus::kFailed);
    r.packing = &plan;
    board.Report(K("a"), std::move(r));
  };
  pack(2);
  EXPECT_EQ(feed.version(), first + 4) << "the packing is news";
  pack(2);
  EXPECT_EQ(feed.version(), first + 4) << "the same packing again";
  pack(3);
  EXPECT_EQ(feed.version(), first + 5) << "a scale's packing";
  EXPECT_EQ(board.StatusOf(K("a")).first->packing->containers.size(), 3u);
  board.Erase(K("a"));
  EXPECT_EQ(feed.version(), first + 6) << "gone";
}

}  // namespace
}  // namespace hgo::controller
