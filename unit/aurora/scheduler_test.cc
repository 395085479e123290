// aurora-local's scheduler with a fake launcher and a fake clock: Aurora's task state machine,
// rescheduling, kills, added instances, updates with rollback, and durable state.
#include "aurora_local/scheduler.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>

#include "aurora/codec.h"

namespace hgo::aurora::local {
namespace {

using namespace std::chrono_literals;
using api::JobUpdateStatus;
using api::ResponseCode;
using api::ScheduleStatus;

// Tasks "run" until the test ends them; Kill ends them at the next Poll.
class FakeLauncher : public TaskLauncher {
 public:
  Status Launch(const LaunchSpec& spec) override {
    launched.push_back(spec);
    running.insert(spec.task_id);
    return Status::Ok();
  }
  void Kill(const std::string& id) override {
    if (running.count(id)) exits[id] = TaskExit{TaskExit::Kind::kKilled, "killed"};
  }
  std::optional<TaskExit> Poll(const std::string& id) override {
    ++polls;
    auto it = exits.find(id);
    if (it == exits.end()) return std::nullopt;
    TaskExit e = it->second;
    exits.erase(it);
    running.erase(id);
    return e;
  }
  bool Adopt(const std::string& id) override {
    if (!survivors.count(id)) return false;
    running.insert(id);
    return true;
  }
  void Crash(const std::string& id) { exits[id] = TaskExit{TaskExit::Kind::kFailed, "exit 1"}; }
  bool EndsOnlyWhenKilled() const override { return ends_only_when_killed; }

  bool ends_only_when_killed = false;
  int polls = 0;

  std::vector<LaunchSpec> launched;
  std::set<std::string> running;
  std::map<std::string, TaskExit> exits;
  std::set<std::string> survivors;
};

api::JobKey Key(const std::string& name = "wc") {
  api::JobKey k;
  k.role = "www-data";
  k.environment = "devel";
  k.name = name;
  return k;
}

api::TaskConfig Config(const std::string& data = "v1", const api::JobKey& key = Key()) {
  TaskConfig t;
  t.job = FromThrift(key);
  t.owner = "heron";
  t.cpus = 1;
  t.ram_mb = 128;
  t.disk_mb = 128;
  t.named_ports = {"http"};
  t.executor_data = data;
  return ToThrift(t);
}

api::JobConfiguration Job(int instances, const std::string& data = "v1") {
  api::JobConfiguration j;
  j.key = Key();
  j.owner.user = "heron";
  j.taskConfig = Config(data);
  j.instanceCount = instances;
  return j;
}

api::JobUpdateRequest UpdateTo(int instances, const std::string& data, int min_wait_ms = 1000) {
  api::JobUpdateRequest r;
  r.taskConfig = Config(data);
  r.instanceCount = instances;
  UpdateSettings s;
  s.group_size = 1;
  s.min_wait_in_running_ms = min_wait_ms;
  s.max_per_instance_failures = 0;
  s.max_failed_instances = 0;
  s.rollback_on_failure = true;
  r.settings = ToThrift(s);
  return r;
}

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() { Reset(); }
  void Reset() {
    SchedulerOptions o;
    o.cluster = "local";
    o.hostname = "host1";
    sched_ = std::make_unique<Scheduler>(o, clock_, launcher_, [this] { return next_port_++; });
  }
  std::vector<api::ScheduledTask> Tasks(bool active_only = false) {
    api::TaskQuery q;
    q.__set_jobKeys({Key()});
    auto r = sched_->GetTasks(q, false);
    std::vector<api::ScheduledTask> out;
    for (const auto& t : r.result.scheduleStatusResult.tasks) {
      if (!active_only || IsActive(static_cast<TaskStatus>(t.status))) out.push_back(t);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.assignedTask.instanceId < b.assignedTask.instanceId;
    });
    return out;
  }
  std::map<int32_t, std::string> ActiveIds() {
    std::map<int32_t, std::string> out;
    for (const auto& t : Tasks(true)) out[t.assignedTask.instanceId] = t.assignedTask.taskId;
    return out;
  }
  // Ticks with the clock moving step at a time until pred holds (at most n ticks).
  template <typename Pred>
  bool TickUntil(Pred pred, int n = 200, std::chrono::milliseconds step = 100ms) {
    for (int i = 0; i < n; ++i) {
      if (pred()) return true;
      clock_.Advance(step);
      sched_->Tick();
    }
    return pred();
  }
  bool AllRunning(size_t count) {
    auto active = Tasks(true);
    if (active.size() != count) return false;
    for (const auto& t : active) {
      if (t.status != ScheduleStatus::RUNNING) return false;
    }
    return true;
  }
  JobUpdateStatus::type UpdateStatusOf(const api::JobUpdateKey& key) {
    api::JobUpdateQuery q;
    q.__set_key(key);
    auto r = sched_->GetJobUpdateSummaries(q);
    return r.result.getJobUpdateSummariesResult.updateSummaries.at(0).state.status;
  }
  api::JobUpdateKey Start(const api::JobUpdateRequest& request) {
    auto r = sched_->StartJobUpdate(request, "test", "tester");
    EXPECT_EQ(r.responseCode, ResponseCode::OK);
    EXPECT_TRUE(r.result.__isset.startJobUpdateResult);
    return r.result.startJobUpdateResult.key;
  }

  FakeClock clock_;
  FakeLauncher launcher_;
  int32_t next_port_ = 31000;
  std::unique_ptr<Scheduler> sched_;
};

TEST_F(SchedulerTest, CreateJobRunsEveryInstanceThroughAurorasStates) {
  auto r = sched_->CreateJob(Job(3), "tester");
  ASSERT_EQ(r.responseCode, ResponseCode::OK);
  EXPECT_EQ(r.serverInfo.clusterName, "local");
  auto pending = Tasks();
  ASSERT_EQ(pending.size(), 3u);
  for (const auto& t : pending) {
    EXPECT_EQ(t.status, ScheduleStatus::PENDING);
    ASSERT_EQ(t.taskEvents.size(), 1u);  // every task carries events from the start
    EXPECT_EQ(t.assignedTask.taskId.rfind(
                  "www-data-devel-wc-" + std::to_string(t.assignedTask.instanceId) + "-", 0),
              0u);
  }
  sched_->Tick();
  auto running = Tasks();
  for (const auto& t : running) {
    EXPECT_EQ(t.status, ScheduleStatus::RUNNING);
    std::vector<ScheduleStatus::type> seen;
    for (const auto& e : t.taskEvents) seen.push_back(e.status);
    EXPECT_EQ(seen, (std::vector<ScheduleStatus::type>{
                        ScheduleStatus::PENDING, ScheduleStatus::ASSIGNED, ScheduleStatus::STARTING,
                        ScheduleStatus::RUNNING}));
    EXPECT_EQ(t.assignedTask.slaveHost, "host1");
    EXPECT_EQ(t.assignedTask.assignedPorts.count("http"), 1u);
    EXPECT_TRUE(t.assignedTask.task.executorConfig.data.empty());   // without configs
    EXPECT_FALSE(t.assignedTask.task.executorConfig.__isset.data);  // so not on the wire
    EXPECT_EQ(t.assignedTask.task.tier, "preemptible");             // populated
  }
  EXPECT_EQ(launcher_.launched.size(), 3u);
}

TEST_F(SchedulerTest, CreateJobValidatesLikeAurora) {
  auto bad_env = Job(1);
  bad_env.key.environment = "qa";
  bad_env.taskConfig.job.environment = "qa";
  EXPECT_EQ(sched_->CreateJob(bad_env, "u").responseCode, ResponseCode::INVALID_REQUEST);
  auto bad_name = Job(1);
  bad_name.key.name = "word count";
  bad_name.taskConfig.job.name = "word count";
  EXPECT_EQ(sched_->CreateJob(bad_name, "u").responseCode, ResponseCode::INVALID_REQUEST);
  auto cron = Job(1);
  cron.__set_cronSchedule("* * * * *");
  EXPECT_EQ(sched_->CreateJob(cron, "u").responseCode, ResponseCode::INVALID_REQUEST);
  auto no_owner = Job(1);
  no_owner.owner.user = "";
  auto r = sched_->CreateJob(no_owner, "u");
  EXPECT_EQ(r.responseCode, ResponseCode::INVALID_REQUEST);
  EXPECT_NE(r.details.at(0).message.find("user contains illegal characters"), std::string::npos);
  auto executor = Job(1);
  executor.taskConfig.executorConfig.name = "Other";
  EXPECT_NE(sched_->CreateJob(executor, "u")
                .details.at(0)
                .message.find("Configuration for executor 'Other' doesn't exist."),
            std::string::npos);
  ASSERT_EQ(sched_->CreateJob(Job(1), "u").responseCode, ResponseCode::OK);
  auto again = sched_->CreateJob(Job(1), "u");
  EXPECT_EQ(again.responseCode, ResponseCode::INVALID_REQUEST);
  EXPECT_EQ(again.details.at(0).message, "Job www-data/devel/wc already exists");
}

TEST_F(SchedulerTest, ACrashingServiceTaskIsRescheduledWithItsAncestor) {
  ASSERT_EQ(sched_->CreateJob(Job(1), "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  const std::string first = ActiveIds().at(0);
  launcher_.Crash(first);
  sched_->Tick();
  auto all = Tasks();
  ASSERT_EQ(all.size(), 2u);
  const api::ScheduledTask* old_task = nullptr;
  const api::ScheduledTask* new_task = nullptr;
  for (const auto& t : all) (t.assignedTask.taskId == first ? old_task : new_task) = &t;
  ASSERT_TRUE(old_task && new_task);
  EXPECT_EQ(old_task->status, ScheduleStatus::FAILED);
  EXPECT_EQ(new_task->ancestorId, first);
  EXPECT_EQ(new_task->failureCount, 1);
  EXPECT_EQ(new_task->status, ScheduleStatus::THROTTLED);  // it ran for no time: flapping
  EXPECT_TRUE(TickUntil([&] { return AllRunning(1); }));
  EXPECT_NE(ActiveIds().at(0), first);
}

TEST_F(SchedulerTest, NonServiceTasksObeyMaxTaskFailures) {
  auto job = Job(1);
  job.taskConfig.isService = false;
  job.taskConfig.maxTaskFailures = 2;
  ASSERT_EQ(sched_->CreateJob(job, "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  const std::string first = ActiveIds().at(0);
  launcher_.Crash(first);
  sched_->Tick();
  EXPECT_TRUE(TickUntil([&] { return AllRunning(1); }));  // retried once
  EXPECT_NE(ActiveIds().at(0), first);
  launcher_.Crash(ActiveIds().at(0));
  sched_->Tick();
  EXPECT_TRUE(ActiveIds().empty());  // the second failure is final
  EXPECT_EQ(Tasks().size(), 2u);
}

TEST_F(SchedulerTest, KillsAreFinalAndAnEmptySetMeansTheWholeJob) {
  ASSERT_EQ(sched_->CreateJob(Job(3), "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  ASSERT_EQ(sched_->KillTasks(Key(), {1}, "scale down", "alice").responseCode, ResponseCode::OK);
  auto tasks = Tasks();
  EXPECT_EQ(tasks[1].status, ScheduleStatus::KILLING);
  EXPECT_EQ(tasks[1].taskEvents.back().message, "Killed by alice.\nscale down");
  sched_->Tick();
  EXPECT_EQ(Tasks()[1].status, ScheduleStatus::KILLED);
  EXPECT_EQ(ActiveIds().size(), 2u);  // not replaced
  ASSERT_EQ(sched_->KillTasks(Key(), {}, "", "alice").responseCode, ResponseCode::OK);
  sched_->Tick();
  EXPECT_TRUE(ActiveIds().empty());
  auto none = sched_->KillTasks(Key(), {}, "", "alice");
  EXPECT_EQ(none.details.at(0).message, "No tasks to kill.");
  // All terminal: the job can be created again.
  EXPECT_EQ(sched_->CreateJob(Job(1), "u").responseCode, ResponseCode::OK);
}

// With a launcher whose tasks only end when killed (--simulate-tasks), a tick looks only at
// the tasks on their way somewhere: an estate of RUNNING tasks costs nothing per tick.
TEST_F(SchedulerTest, RunningTasksOfALauncherThatOnlyEndsThemOnAKillAreNotPolled) {
  launcher_.ends_only_when_killed = true;
  ASSERT_EQ(sched_->CreateJob(Job(3), "u").responseCode, ResponseCode::OK);
  ASSERT_TRUE(TickUntil([&] { return AllRunning(3); }));
  sched_->Tick();  // the tick that finds them RUNNING forgets them
  const int polls = launcher_.polls;
  for (int i = 0; i < 20; ++i) sched_->Tick();
  EXPECT_EQ(launcher_.polls, polls);
  // A kill still ends them, and a rescheduled instance is looked after again.
  ASSERT_EQ(sched_->KillTasks(Key(), {0}, "", "alice").responseCode, ResponseCode::OK);
  ASSERT_TRUE(TickUntil([&] { return Tasks()[0].status == ScheduleStatus::KILLED; }));
  ASSERT_EQ(sched_->RestartShards(Key(), {1}).responseCode, ResponseCode::OK);
  ASSERT_TRUE(TickUntil([&] {
    auto ids = ActiveIds();
    return ids.size() == 2 && AllRunning(2) && Tasks().size() == 4;
  }));
  // Without that promise every live task is polled on every tick.
  launcher_.ends_only_when_killed = false;
  const int before = launcher_.polls;
  sched_->Tick();
  EXPECT_EQ(launcher_.polls, before + 2);
}

// Launches wait until the test opens the gate, as a slow fork or sandbox write would.
class GatedLauncher : public FakeLauncher {
 public:
  Status Launch(const LaunchSpec& spec) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++waiting_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return open_; });
    }
    return FakeLauncher::Launch(spec);
  }
  void AwaitLaunches(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return waiting_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

// A job of 2 instances whose first Tick hangs in the first launch until the launcher opens.
class SchedulerLaunchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sched.CreateJob(Job(2), "u").responseCode, ResponseCode::OK);
    tick = std::async(std::launch::async, [&] { sched.Tick(); });
    launcher.AwaitLaunches(1);
  }
  void TearDown() override {
    launcher.Open();
    if (tick.valid()) tick.get();
  }

  FakeClock clock;
  GatedLauncher launcher;
  int32_t port = 31000;
  Scheduler sched{{}, clock, launcher, [this] { return port++; }};
  std::future<void> tick;
};

TEST_F(SchedulerLaunchTest, CallsAreAnsweredWhileTasksLaunchAndAKillThenStopsTheTask) {
  // The first launch hangs; the scheduler answers meanwhile, its tasks ASSIGNED.
  api::TaskQuery q;
  q.__set_jobKeys({Key()});
  auto answer = std::async(std::launch::async, [&] { return sched.GetTasks(q, false); });
  const bool answered = answer.wait_for(5s) == std::future_status::ready;
  if (!answered) launcher.Open();  // lets the test end
  ASSERT_TRUE(answered) << "getTasks waited for a task launch";
  auto during = answer.get().result.scheduleStatusResult.tasks;
  ASSERT_EQ(during.size(), 2u);
  for (const auto& t : during) EXPECT_EQ(t.status, ScheduleStatus::ASSIGNED);
  ASSERT_EQ(sched.KillTasks(Key(), {0}, "", "alice").responseCode, ResponseCode::OK);
  launcher.Open();
  tick.get();
  std::map<int32_t, ScheduleStatus::type> after;
  for (const auto& t : sched.GetTasks(q, false).result.scheduleStatusResult.tasks) {
    after[t.assignedTask.instanceId] = t.status;
  }
  EXPECT_EQ(after[0], ScheduleStatus::KILLING);  // the kill reached the launched processes
  EXPECT_EQ(after[1], ScheduleStatus::RUNNING);
  clock.Advance(100ms);
  sched.Tick();
  for (const auto& t : sched.GetTasks(q, false).result.scheduleStatusResult.tasks) {
    after[t.assignedTask.instanceId] = t.status;
  }
  EXPECT_EQ(after[0], ScheduleStatus::KILLED);
  EXPECT_EQ(launcher.running.size(), 1u);
}

TEST_F(SchedulerLaunchTest, ASnapshotSavedDuringALaunchRestoresTheTaskRunningOrLost) {
  const std::string snapshot = sched.Snapshot();  // both tasks ASSIGNED in it
  launcher.Open();
  tick.get();
  api::TaskQuery q;
  q.__set_jobKeys({Key()});
  std::map<int32_t, std::string> ids;
  for (const auto& t : sched.GetTasks(q, false).result.scheduleStatusResult.tasks) {
    ids[t.assignedTask.instanceId] = t.assignedTask.taskId;
  }
  // A new scheduler process: instance 0's processes were started and survived; instance 1's
  // launch never got through.
  FakeLauncher next;
  next.survivors = {ids.at(0)};
  Scheduler restored({}, clock, next, [&] { return port++; });
  ASSERT_TRUE(restored.Restore(snapshot).ok());
  std::map<std::string, ScheduleStatus::type> status;
  for (const auto& t : restored.GetTasks(q, false).result.scheduleStatusResult.tasks) {
    status[t.assignedTask.taskId] = t.status;
  }
  EXPECT_EQ(status.at(ids.at(0)), ScheduleStatus::RUNNING);
  EXPECT_EQ(status.at(ids.at(1)), ScheduleStatus::LOST);
}

TEST_F(SchedulerTest, AddInstancesGoAfterTheHighestActiveId) {
  ASSERT_EQ(sched_->CreateJob(Job(2), "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  api::InstanceKey key;
  key.jobKey = Key();
  key.instanceId = 7;
  EXPECT_EQ(sched_->AddInstances(key, 1).details.at(0).message,
            "No active task found for a given instance ID.");
  key.instanceId = 0;
  EXPECT_EQ(sched_->AddInstances(key, 0).responseCode, ResponseCode::INVALID_REQUEST);
  ASSERT_EQ(sched_->AddInstances(key, 2).responseCode, ResponseCode::OK);
  auto ids = ActiveIds();
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_TRUE(ids.count(2) && ids.count(3));
}

TEST_F(SchedulerTest, RollingUpdateReplacesOneAtATimeAfterTheMinimumWait) {
  ASSERT_EQ(sched_->CreateJob(Job(3, "v1"), "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  auto key = Start(UpdateTo(3, "v2", 1000));
  EXPECT_EQ(UpdateStatusOf(key), JobUpdateStatus::ROLLING_FORWARD);
  // While an update runs, kills and creates of the job are refused.
  EXPECT_EQ(sched_->KillTasks(Key(), {0}, "", "u").responseCode, ResponseCode::JOB_UPDATING_ERROR);
  ASSERT_TRUE(TickUntil([&] { return UpdateStatusOf(key) == JobUpdateStatus::ROLLED_FORWARD; }));
  api::TaskQuery q;
  q.__set_jobKeys({Key()});
  auto r = sched_->GetTasks(q, true);
  int v2_running = 0;
  for (const auto& t : r.result.scheduleStatusResult.tasks) {
    if (t.status == ScheduleStatus::RUNNING) {
      EXPECT_EQ(t.assignedTask.task.executorConfig.data, "v2");
      ++v2_running;
    }
  }
  EXPECT_EQ(v2_running, 3);
  api::JobUpdateQuery dq;
  dq.__set_key(key);
  auto details = sched_->GetJobUpdateDetails(dq).result.getJobUpdateDetailsResult.detailsList;
  ASSERT_EQ(details.size(), 1u);
  int updated = 0;
  for (const auto& e : details[0].instanceEvents) {
    updated += e.action == api::JobUpdateAction::INSTANCE_UPDATED;
  }
  EXPECT_EQ(updated, 3);
  EXPECT_EQ(details[0].updateEvents.front().status, JobUpdateStatus::ROLLING_FORWARD);
  EXPECT_EQ(details[0].updateEvents.back().status, JobUpdateStatus::ROLLED_FORWARD);
  EXPECT_EQ(details[0].update.instructions.initialState.size(), 1u);
}

TEST_F(SchedulerTest, AFailingUpdateRollsBackToTheOldConfig) {
  ASSERT_EQ(sched_->CreateJob(Job(2, "v1"), "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  auto key = Start(UpdateTo(2, "bad", 5000));
  // Every task of the new config crashes as soon as it runs.
  ASSERT_TRUE(TickUntil([&] {
    for (const auto& spec : launcher_.launched) {
      if (spec.executor_data == "bad" && launcher_.running.count(spec.task_id)) {
        launcher_.Crash(spec.task_id);
      }
    }
    auto s = UpdateStatusOf(key);
    return s == JobUpdateStatus::ROLLED_BACK || s == JobUpdateStatus::FAILED;
  }));
  EXPECT_EQ(UpdateStatusOf(key), JobUpdateStatus::ROLLED_BACK);
  EXPECT_TRUE(TickUntil([&] { return AllRunning(2); }));
  api::TaskQuery q;
  q.__set_jobKeys({Key()});
  q.__set_statuses({ScheduleStatus::RUNNING});
  for (const auto& t : sched_->GetTasks(q, true).result.scheduleStatusResult.tasks) {
    EXPECT_EQ(t.assignedTask.task.executorConfig.data, "v1");
  }
}

TEST_F(SchedulerTest, ScalingKeepsUntouchedInstances) {
  ASSERT_EQ(sched_->CreateJob(Job(3, "v1"), "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  auto before = ActiveIds();
  auto up = Start(UpdateTo(5, "v1", 0));
  ASSERT_TRUE(TickUntil([&] { return UpdateStatusOf(up) == JobUpdateStatus::ROLLED_FORWARD; }));
  auto after_up = ActiveIds();
  ASSERT_EQ(after_up.size(), 5u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(after_up[i], before[i]);
  auto down = Start(UpdateTo(2, "v1", 0));
  ASSERT_TRUE(TickUntil([&] { return UpdateStatusOf(down) == JobUpdateStatus::ROLLED_FORWARD; }));
  auto after_down = ActiveIds();
  ASSERT_EQ(after_down.size(), 2u);
  EXPECT_EQ(after_down[0], before[0]);
  EXPECT_EQ(after_down[1], before[1]);
}

TEST_F(SchedulerTest, UnchangedBusyAndIllegalUpdates) {
  ASSERT_EQ(sched_->CreateJob(Job(2, "v1"), "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  auto same = sched_->StartJobUpdate(UpdateTo(2, "v1"), "", "u");
  EXPECT_EQ(same.responseCode, ResponseCode::OK);
  EXPECT_FALSE(same.__isset.result);
  EXPECT_EQ(same.details.at(0).message, "Job is unchanged by proposed update.");

  auto key = Start(UpdateTo(2, "v2", 60000));
  auto busy = sched_->StartJobUpdate(UpdateTo(2, "v3"), "", "u");
  EXPECT_EQ(busy.responseCode, ResponseCode::INVALID_REQUEST);
  EXPECT_EQ(busy.result.startJobUpdateResult.key, key);

  EXPECT_EQ(sched_->PauseJobUpdate(key, "", "u").responseCode, ResponseCode::OK);
  EXPECT_EQ(UpdateStatusOf(key), JobUpdateStatus::ROLL_FORWARD_PAUSED);
  EXPECT_EQ(sched_->PauseJobUpdate(key, "", "u").responseCode, ResponseCode::OK);  // no-op
  EXPECT_EQ(sched_->ResumeJobUpdate(key, "", "u").responseCode, ResponseCode::OK);
  EXPECT_EQ(UpdateStatusOf(key), JobUpdateStatus::ROLLING_FORWARD);
  EXPECT_EQ(sched_->AbortJobUpdate(key, "", "u").responseCode, ResponseCode::OK);
  EXPECT_EQ(UpdateStatusOf(key), JobUpdateStatus::ABORTED);
  // Aurora's changeUpdateStatus returns at once when the status would not change.
  EXPECT_EQ(sched_->AbortJobUpdate(key, "", "u").responseCode, ResponseCode::OK);
  EXPECT_EQ(UpdateStatusOf(key), JobUpdateStatus::ABORTED);
  auto illegal = sched_->RollbackJobUpdate(key, "", "u");
  EXPECT_EQ(illegal.responseCode, ResponseCode::INVALID_REQUEST);
  EXPECT_EQ(illegal.details.at(0).message, "Cannot transition update from ABORTED to ROLLING_BACK");
  api::JobUpdateKey unknown = key;
  unknown.id = "nope";
  EXPECT_EQ(sched_->RollbackJobUpdate(unknown, "", "u").responseCode,
            ResponseCode::INVALID_REQUEST);
  // A pulse for a finished or unknown update answers FINISHED.
  EXPECT_EQ(sched_->PulseJobUpdate(unknown).result.pulseJobUpdateResult.status,
            api::JobUpdatePulseStatus::FINISHED);
}

TEST_F(SchedulerTest, CoordinatedUpdatesWaitForPulses) {
  ASSERT_EQ(sched_->CreateJob(Job(1, "v1"), "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  auto request = UpdateTo(1, "v2", 0);
  request.settings.__set_blockIfNoPulsesAfterMs(1000);
  auto key = Start(request);
  EXPECT_EQ(UpdateStatusOf(key), JobUpdateStatus::ROLL_FORWARD_AWAITING_PULSE);
  EXPECT_EQ(sched_->PulseJobUpdate(key).result.pulseJobUpdateResult.status,
            api::JobUpdatePulseStatus::OK);
  EXPECT_TRUE(
      TickUntil([&] { return UpdateStatusOf(key) == JobUpdateStatus::ROLLED_FORWARD; }, 5, 100ms));
}

TEST_F(SchedulerTest, SnapshotRestoresJobsAndUpdatesAndAdoptsSurvivors) {
  ASSERT_EQ(sched_->CreateJob(Job(3, "v1"), "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  auto ids = ActiveIds();
  auto key = Start(UpdateTo(3, "v2", 60000));
  const std::string snapshot = sched_->Snapshot();
  EXPECT_LT(snapshot.size(), 20000u);

  // A new scheduler process: instance 0's processes survived, the others did not.
  launcher_.running.clear();
  launcher_.survivors = {ids[0], ids[1]};
  Reset();
  ASSERT_TRUE(sched_->Restore(snapshot).ok());
  EXPECT_EQ(UpdateStatusOf(key), JobUpdateStatus::ROLLING_FORWARD);
  auto all = Tasks();
  int lost = 0;
  for (const auto& t : all) lost += t.status == ScheduleStatus::LOST;
  EXPECT_GE(lost, 1);
  EXPECT_TRUE(launcher_.running.count(ids[0]));
  ASSERT_TRUE(
      TickUntil([&] { return UpdateStatusOf(key) == JobUpdateStatus::ROLLED_FORWARD; }, 2000));
  EXPECT_TRUE(AllRunning(3));
  EXPECT_FALSE(sched_->Restore("{}").ok());
  EXPECT_FALSE(sched_->Restore("not json").ok());
}

// A corrupt or hand-edited snapshot is refused with the field named, never a crash (std::stoi
// threw out of the loader before).
TEST_F(SchedulerTest, ACorruptSnapshotIsRefusedNamingTheField) {
  ASSERT_EQ(sched_->CreateJob(Job(2, "v1"), "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  auto key = Start(UpdateTo(2, "v2", 60000));
  const std::string snapshot = sched_->Snapshot();
  const std::string good = "\"state\":{\"0\":";
  ASSERT_NE(snapshot.find(good), std::string::npos) << snapshot;
  struct Case {
    std::string replacement, message;
  };
  for (const Case& c : {Case{"\"state\":{\"x\":", "state: key 'x' is not an instance id"},
                        Case{"\"state\":{\"-1\":", "state: key '-1' is not an instance id"},
                        Case{"\"state\":{\"0\":\"a\",\"7\":", "state.0 is not an integer"}}) {
    std::string corrupt = snapshot;
    corrupt.replace(corrupt.find(good), good.size(), c.replacement);
    Reset();
    Status s = sched_->Restore(corrupt);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.replacement;
    EXPECT_NE(s.message().find("update " + key.id + ": " + c.message), std::string::npos) << s;
  }
}

TEST_F(SchedulerTest, AnUpdateOfAMissingJobCreatesIt) {
  auto key = Start(UpdateTo(2, "v1", 0));
  ASSERT_TRUE(TickUntil([&] { return UpdateStatusOf(key) == JobUpdateStatus::ROLLED_FORWARD; }));
  EXPECT_TRUE(AllRunning(2));
}

TEST_F(SchedulerTest, RestartShardsReplacesTasksWithTheSameConfig) {
  ASSERT_EQ(sched_->CreateJob(Job(2), "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  auto before = ActiveIds();
  EXPECT_EQ(sched_->RestartShards(Key(), {5}).details.at(0).message,
            "Not all requested shards are active.");
  ASSERT_EQ(sched_->RestartShards(Key(), {1}).responseCode, ResponseCode::OK);
  ASSERT_TRUE(TickUntil([&] { return AllRunning(2) && ActiveIds()[1] != before[1]; }));
  auto after = ActiveIds();
  EXPECT_EQ(after[0], before[0]);
  api::TaskQuery q;
  q.__set_taskIds({after[1]});
  auto restarted = sched_->GetTasks(q, false).result.scheduleStatusResult.tasks.at(0);
  EXPECT_EQ(restarted.ancestorId, before[1]);
  EXPECT_NE(restarted.taskEvents.front().status, ScheduleStatus::THROTTLED);  // not flapping
}

TEST_F(SchedulerTest, DeltasCarryOnlyChangesAndReplayOnTopOfASnapshot) {
  ASSERT_EQ(sched_->CreateJob(Job(20, "v1"), "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  const Json snapshot = sched_->SnapshotJson();
  EXPECT_FALSE(sched_->TakeDelta().has_value());  // nothing changed since the snapshot

  ASSERT_EQ(sched_->KillTasks(Key(), {19}, "", "u").responseCode, ResponseCode::OK);
  sched_->Tick();
  auto first = sched_->TakeDelta();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->Find("tasks")->as_array().size(), 1u);  // one task changed, not twenty
  auto request = UpdateTo(19, "v2", 0);
  request.settings.updateGroupSize = 19;
  request.settings.updateStrategy.queueStrategy.groupSize = 19;
  auto key = Start(request);
  ASSERT_TRUE(TickUntil([&] { return UpdateStatusOf(key) == JobUpdateStatus::ROLLED_FORWARD; }));
  auto second = sched_->TakeDelta();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->Find("updates")->as_array().size(), 1u);
  EXPECT_EQ(second->Find("configs")->as_object().size(), 1u);  // the new config, once

  auto expected = ActiveIds();
  for (const auto& [i, id] : expected) launcher_.survivors.insert(id);
  Reset();
  ASSERT_TRUE(sched_->Restore(snapshot, {*first, *second}).ok());
  EXPECT_EQ(ActiveIds(), expected);
  EXPECT_EQ(UpdateStatusOf(key), JobUpdateStatus::ROLLED_FORWARD);
  EXPECT_TRUE(AllRunning(19));
}

}  // namespace
}  // namespace hgo::aurora::local
