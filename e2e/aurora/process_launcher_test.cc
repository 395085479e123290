// ProcessLauncher with real processes: Thermos ordering, template variables, per-process logs,
// reruns up to max_failures, SIGTERM then SIGKILL after the finalization wait, and adoption.
#include "aurora_local/process_launcher.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/file_util.h"

namespace hgo::aurora::local {
namespace {

using namespace std::chrono_literals;

std::string Json2(const std::vector<std::pair<std::string, std::string>>& processes,
                  const std::string& order, int finalization_wait = 1, int max_failures = 1) {
  std::string procs;
  for (const auto& [name, cmd] : processes) {
    if (!procs.empty()) procs += ",";
    procs += R"({"name":")" + name + R"(","cmdline":")" + cmd + R"(","max_failures":)" +
             std::to_string(max_failures) + "}";
  }
  return R"({"name":"t","task":{"name":"t","finalization_wait":)" +
         std::to_string(finalization_wait) + R"(,"processes":[)" + procs + R"(],"constraints":[)" +
         order + "]}}";
}

class ProcessLauncherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hgo_launcher_XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    root_ = tmpl;
    launcher_ = std::make_unique<ProcessLauncher>(root_, clock_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  LaunchSpec Spec(const std::string& id, const std::string& data) {
    LaunchSpec s;
    s.task_id = id;
    s.job = JobKey{"www-data", "devel", "job"};
    s.instance = 3;
    s.cluster = "local";
    s.hostname = "host1";
    s.executor_data = data;
    s.ports = {{"http", 31337}};
    return s;
  }
  std::optional<TaskExit> WaitExit(const std::string& id, std::chrono::milliseconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto e = launcher_->Poll(id)) return e;
      std::this_thread::sleep_for(20ms);
    }
    return std::nullopt;
  }
  std::string Read(const std::string& path) {
    auto s = ReadFileLimited(path, 1 << 20);
    return s.ok() ? *s : "";
  }

  RealClock clock_;
  std::string root_;
  std::unique_ptr<ProcessLauncher> launcher_;
};

TEST_F(ProcessLauncherTest, OrderedProcessesWithTemplatesAndLogs) {
  const std::string data =
      Json2({{"second", "echo second:{{mesos.instance}} >> order.txt"},
             {"first",
              "sleep 0.2; echo first:{{thermos.ports[http]}}:{{role}}:{{thermos.task_id}} >> "
              "order.txt; echo to-stderr >&2"}},
            R"({"order":["first","second"]})");
  ASSERT_TRUE(launcher_->Launch(Spec("t1", data)).ok());
  auto exit = WaitExit("t1");
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->kind, TaskExit::Kind::kFinished) << exit->message;
  const std::string sandbox = launcher_->SandboxOf("t1");
  EXPECT_EQ(Read(sandbox + "/order.txt"), "first:31337:www-data:t1\nsecond:3\n");
  EXPECT_EQ(Read(sandbox + "/.logs/first/0/stderr"), "to-stderr\n");
}

TEST_F(ProcessLauncherTest, AFailedProcessRunsAgainUpToMaxFailuresThenTheTaskFails) {
  const std::string data = Json2({{"flaky", "echo run >> runs.txt; exit 7"}}, "", 1, 3);
  ASSERT_TRUE(launcher_->Launch(Spec("t2", data)).ok());
  auto exit = WaitExit("t2");
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->kind, TaskExit::Kind::kFailed);
  EXPECT_EQ(exit->message, "Process flaky exited with status 7");
  EXPECT_EQ(Read(launcher_->SandboxOf("t2") + "/runs.txt"), "run\nrun\nrun\n");
}

TEST_F(ProcessLauncherTest, KillSendsSigtermThenSigkillAfterTheFinalizationWait) {
  const std::string data =
      Json2({{"stubborn", "trap '' TERM; echo started > started; sleep 600 & wait; sleep 600"}}, "",
            /*finalization_wait=*/1);
  ASSERT_TRUE(launcher_->Launch(Spec("t3", data)).ok());
  const std::string started = launcher_->SandboxOf("t3") + "/started";
  for (int i = 0; i < 200 && !std::filesystem::exists(started); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  auto begin = std::chrono::steady_clock::now();
  launcher_->Kill("t3");
  auto exit = WaitExit("t3");
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->kind, TaskExit::Kind::kKilled);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 900ms);  // SIGTERM was ignored
}

TEST_F(ProcessLauncherTest, AdoptsATaskStillRunningAfterARestart) {
  ASSERT_TRUE(launcher_->Launch(Spec("t4", Json2({{"main", "sleep 600"}}, ""))).ok());
  std::this_thread::sleep_for(100ms);
  launcher_ = std::make_unique<ProcessLauncher>(root_, clock_);  // a new aurora-local
  ASSERT_TRUE(launcher_->Adopt("t4"));
  EXPECT_FALSE(launcher_->Poll("t4").has_value());
  EXPECT_FALSE(launcher_->Adopt("never-launched"));
  launcher_->Kill("t4");
  auto exit = WaitExit("t4");
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->kind, TaskExit::Kind::kKilled);
  EXPECT_FALSE(launcher_->Adopt("t4"));  // its processes are gone now
}

TEST_F(ProcessLauncherTest, BadExecutorConfigIsAClearError) {
  EXPECT_EQ(launcher_->Launch(Spec("t5", "not json")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(launcher_->Launch(Spec("t6", R"({"task":{"processes":[]}})")).code(),
            StatusCode::kInvalidArgument);
  auto bad_order =
      launcher_->Launch(Spec("t7", Json2({{"a", "true"}}, R"({"order":["a","missing"]})")));
  EXPECT_NE(bad_order.message().find("unknown process"), std::string::npos);
}

}  // namespace
}  // namespace hgo::aurora::local
