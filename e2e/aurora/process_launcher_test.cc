// ProcessLauncher with real processes: Thermos ordering, template variables, per-process logs,
// reruns up to max_failures, SIGTERM then SIGKILL after the finalization wait, and adoption.
#include "aurora_local/process_launcher.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

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

// Thermos's usual task: a fetch that finishes, then the long-running process. A restart once the
// fetch has finished must neither run it again nor count the task as lost (the fault trials saw
// every task of a restarted aurora-local go LOST with "Process fetch ... exit status unknown").
TEST_F(ProcessLauncherTest, AdoptionNeitherRunsFinishedProcessesAgainNorLosesTheTask) {
  const std::string count = root_ + "/fetches";
  const std::string data =
      Json2({{"fetch", "echo fetched >> " + count}, {"main", "echo up > up; sleep 600"}},
            R"({"order":["fetch","main"]})");
  ASSERT_TRUE(launcher_->Launch(Spec("t7", data)).ok());
  const std::string up = launcher_->SandboxOf("t7") + "/up";
  for (int i = 0; i < 500 && !std::filesystem::exists(up); ++i) {
    EXPECT_FALSE(launcher_->Poll("t7").has_value());
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(std::filesystem::exists(up));
  launcher_ = std::make_unique<ProcessLauncher>(root_, clock_);  // a new aurora-local
  ASSERT_TRUE(launcher_->Adopt("t7"));
  for (int i = 0; i < 30; ++i) {
    auto exit = launcher_->Poll("t7");
    ASSERT_FALSE(exit.has_value()) << exit->message;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(Read(count), "fetched\n");  // once, before the restart
  EXPECT_FALSE(std::filesystem::exists(launcher_->SandboxOf("t7") + "/.logs/fetch/1"));
  launcher_->Kill("t7");
  auto exit = WaitExit("t7");
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->kind, TaskExit::Kind::kKilled) << exit->message;
}

// A process that died while no aurora-local watched it: its exit status is unknown, so the task
// is LOST (as a task on a lost Mesos agent), and its other processes are stopped.
TEST_F(ProcessLauncherTest, AProcessThatDiedDuringTheRestartMakesTheTaskLost) {
  const std::string data = Json2({{"main", "sleep 600"}, {"sidecar", "sleep 600"}}, "");
  ASSERT_TRUE(launcher_->Launch(Spec("t8", data)).ok());
  std::this_thread::sleep_for(100ms);
  launcher_.reset();
  std::ifstream pids(root_ + "/t8/.aurora-local/pids");
  std::string name, state;
  pid_t pid = -1, sidecar = -1;
  int runs = 0;
  while (pids >> name >> pid >> runs >> state) {
    if (name == "sidecar") sidecar = pid;
  }
  ASSERT_GT(sidecar, 0);
  ASSERT_EQ(::kill(-sidecar, SIGKILL), 0);
  ::waitpid(sidecar, nullptr, 0);  // this test's process was the old launcher: reap it
  launcher_ = std::make_unique<ProcessLauncher>(root_, clock_);
  ASSERT_TRUE(launcher_->Adopt("t8"));
  auto exit = WaitExit("t8");
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->kind, TaskExit::Kind::kLost);
  EXPECT_NE(exit->message.find("sidecar ended while aurora-local was down"), std::string::npos)
      << exit->message;
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
