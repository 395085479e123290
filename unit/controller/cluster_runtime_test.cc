// ClusterRuntime's observation: what it asks Aurora for. A resync's first pass of a role reads
// the role; passes after a write, or after the shared answer aged, read only their jobs, in
// batches of the jobs asked for while a fetch was in flight.
#include "controller/cluster/cluster_runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "testing/fakes/fake_cluster.h"

namespace hgo::controller {
namespace {

using namespace std::chrono_literals;

class ClusterRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = &connector_.Add("c1");
    for (const auto& name : {"a", "b", "c", "d"}) {
      aurora::JobConfig j;
      j.key = Job(name);
      j.task.job = j.key;
      j.instance_count = 2;
      ASSERT_TRUE(fake_->aurora().CreateJob(j).ok());
    }
    runtime_ = std::make_unique<ClusterRuntime>(testing::FakeClusterSpec("c1"), connector_,
                                                /*workers=*/4, clock_, ExecutorOptions{},
                                                [](const std::string&) {});
    ASSERT_TRUE(runtime_->Ensure().ok());
  }
  static aurora::JobKey Job(const std::string& name) { return {"www", "prod", name}; }
  int64_t NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               clock_.WallNow().time_since_epoch())
        .count();
  }
  // Observes job as a pass does (2 s of sharing); the number of its tasks in the answer.
  size_t Observe(const std::string& name, int64_t min_fetched_at_ms = 0, int worker = 0) {
    auto view = runtime_->ObserveJob(Job(name), worker, min_fetched_at_ms, 2000);
    EXPECT_TRUE(view.ok()) << view.status().ToString();
    return view.ok() ? (*view)->TasksOf(Job(name))->size() : 0;
  }
  std::vector<aurora::TaskQuery> Queries() const { return fake_->aurora().TaskQueries(); }

  FakeClock clock_;
  testing::FakeConnector connector_{clock_};
  testing::FakeCluster* fake_ = nullptr;
  std::unique_ptr<ClusterRuntime> runtime_;
};

TEST_F(ClusterRuntimeTest, TheFirstPassOfARoleReadsTheRoleAndItsOtherPassesShareIt) {
  EXPECT_EQ(Observe("a"), 2u);
  EXPECT_EQ(Observe("b"), 2u);
  EXPECT_EQ(Observe("c"), 2u);
  auto q = Queries();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].role, "www");
  EXPECT_TRUE(q[0].job_keys.empty());
  ASSERT_EQ(fake_->aurora().UpdateQueries().size(), 1u);
  EXPECT_EQ(fake_->aurora().UpdateQueries()[0].role, "www");
  EXPECT_EQ(runtime_->role_reads(), 1u);
  EXPECT_EQ(runtime_->observe_calls(), 2u);
}

TEST_F(ClusterRuntimeTest, APassAfterAWriteReadsOnlyItsJob) {
  Observe("a");
  clock_.Advance(10ms);
  const int64_t wrote_at = NowMs();
  clock_.Advance(1ms);
  EXPECT_EQ(Observe("a", wrote_at + 1), 2u);
  EXPECT_EQ(Observe("b"), 2u) << "b still shares the role's answer";
  auto q = Queries();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_FALSE(q[1].role.has_value());
  EXPECT_EQ(q[1].job_keys, std::set<aurora::JobKey>{Job("a")});
  auto u = fake_->aurora().UpdateQueries();
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[1].job_key, Job("a"));
  EXPECT_FALSE(u[1].role.has_value());
  // The batch's answer is now a's freshest; asking again shares it.
  EXPECT_EQ(Observe("a", wrote_at + 1), 2u);
  EXPECT_EQ(Queries().size(), 2u);
  EXPECT_EQ(runtime_->role_reads(), 1u);
}

TEST_F(ClusterRuntimeTest, AnAgedAnswerIsReplacedByTheJobsReadAndAResyncReadsTheRoleAgain) {
  Observe("a");
  clock_.Advance(3s);  // past the 2 s of sharing
  EXPECT_EQ(Observe("b"), 2u);
  ASSERT_EQ(Queries().size(), 2u);
  EXPECT_EQ(Queries()[1].job_keys, std::set<aurora::JobKey>{Job("b")});
  runtime_->MarkResync();
  EXPECT_EQ(Observe("b"), 2u) << "b's fresh answer predates the resync";
  EXPECT_EQ(Observe("c"), 2u);
  auto q = Queries();
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[2].role, "www");
  EXPECT_EQ(runtime_->role_reads(), 2u);
}

TEST_F(ClusterRuntimeTest, JobsAskedForWhileAFetchIsInFlightAreReadInOneBatch) {
  Observe("a");
  clock_.Advance(3s);
  // While a's fetch is in flight, three other workers ask for b, c and d.
  std::atomic<int> reads{0};
  std::vector<std::thread> others;
  std::atomic<int> asked{0};
  fake_->aurora().OnRead([&] {
    if (reads++ != 1) return;  // the first read of a's fetch (the role's was read 0)
    for (int w = 1; w <= 3; ++w) {
      others.emplace_back([&, w] {
        ++asked;
        EXPECT_EQ(Observe(std::string(1, static_cast<char>('a' + w)), 0, w), 2u);
      });
    }
    while (asked < 3) std::this_thread::yield();
    std::this_thread::sleep_for(50ms);  // they are waiting for this fetch now
  });
  reads = 1;
  EXPECT_EQ(Observe("a"), 2u);
  for (auto& t : others) t.join();
  fake_->aurora().OnRead({});
  auto q = Queries();
  ASSERT_EQ(q.size(), 3u) << "the role, a, then b c d together";
  EXPECT_EQ(q[1].job_keys, std::set<aurora::JobKey>{Job("a")});
  EXPECT_EQ(q[2].job_keys, (std::set<aurora::JobKey>{Job("b"), Job("c"), Job("d")}));
  EXPECT_EQ(fake_->aurora().UpdateQueries().size(), 1u + 1u + 3u);
}

TEST_F(ClusterRuntimeTest, AFailedReadIsReportedAndTheNextPassAsksAgain) {
  Observe("a");
  clock_.Advance(3s);
  fake_->aurora().Break(Status::Unavailable("down"));
  auto view = runtime_->ObserveJob(Job("a"), 0, 0, 2000);
  EXPECT_EQ(view.status().code(), StatusCode::kUnavailable);
  fake_->aurora().Heal();
  clock_.Advance(1ms);
  EXPECT_EQ(Observe("a"), 2u) << "a later pass asks again";
}

}  // namespace
}  // namespace hgo::controller
