// One behaviour suite for every AuroraApi the controller can be given: what the loop relies on
// of Aurora's answers. Instantiate it with a factory type that has
//   static std::unique_ptr<AuroraWorld> Make();   // a fresh, empty scheduler
// via INSTANTIATE_TYPED_TEST_SUITE_P(Name, AuroraContract, FactoryType). It runs against
// testing/fakes/fake_aurora.h in the unit tier and aurora-local over HTTP in the e2e tier, so the
// fake the loop's unit tests use cannot drift from the scheduler.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "aurora/aurora_api.h"

namespace hgo::testing::contract {

// A scheduler and a way to let it move.
class AuroraWorld {
 public:
  virtual ~AuroraWorld() = default;
  virtual aurora::AuroraApi& api() = 0;
  // Lets the scheduler make its pending transitions: the fake's Advance(); the real one's
  // driver needs a tick of wall time.
  virtual void Settle() = 0;
};

inline aurora::JobKey ContractJob(const std::string& name = "contract") {
  return aurora::JobKey{"www-data", "devel", name};
}

// A task aurora-local accepts (it checks the Thermos JSON's shape even when it runs nothing).
inline aurora::TaskConfig ContractTask(const std::string& name, const std::string& revision) {
  aurora::TaskConfig t;
  t.job = ContractJob(name);
  t.owner = "heron";
  t.cpus = 0.1;
  t.ram_mb = 64;
  t.disk_mb = 64;
  t.named_ports = {"http"};
  t.executor_data =
      R"({"cluster":"local","environment":"devel","name":")" + name +
      R"(","role":"www-data","service":true,"task":{"constraints":[],"finalization_wait":1,)"
      R"("max_concurrency":0,"max_failures":1,"name":")" +
      name +
      R"(","processes":[{"cmdline":"sleep 600","daemon":false,"ephemeral":false,)"
      R"("final":false,"max_failures":1,"min_duration":5,"name":"main"}],)"
      R"("resources":{"cpu":0.1,"disk":67108864,"gpu":0,"ram":67108864}}})";
  t.metadata = {{"heron-gitops/spec-hash", revision}};
  return t;
}

inline aurora::UpdateRequest ContractUpdate(const std::string& name, const std::string& revision,
                                            int instances, bool coordinated) {
  aurora::UpdateRequest r;
  r.task = ContractTask(name, revision);
  r.instance_count = instances;
  r.settings.group_size = instances;
  r.settings.min_wait_in_running_ms = 0;
  r.settings.rollback_on_failure = true;
  if (coordinated) r.settings.block_if_no_pulses_after_ms = 60000;
  r.metadata = {{"heron-gitops/spec-hash", revision}};
  return r;
}

template <typename Factory>
class AuroraContract : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = Factory::Make();
    ASSERT_TRUE(world_);
  }
  aurora::AuroraApi& api() { return world_->api(); }
  // Settles until pred holds (at most ~20 s of wall time for a real scheduler).
  bool Eventually(const std::function<bool()>& pred) {
    for (int i = 0; i < 400; ++i) {
      if (pred()) return true;
      world_->Settle();
    }
    return pred();
  }
  std::map<int32_t, aurora::Task> Active(const std::string& name = "contract") {
    aurora::TaskQuery q;
    q.job_keys = {ContractJob(name)};
    std::map<int32_t, aurora::Task> out;
    auto tasks = api().GetTaskStates(q);
    if (!tasks.ok()) return out;
    for (auto& t : *tasks) {
      if (aurora::IsActive(t.status) && t.status != aurora::TaskStatus::kKilling) {
        out[t.instance_id] = std::move(t);
      }
    }
    return out;
  }
  bool AllRunning(int n, const std::string& revision, const std::string& name = "contract") {
    auto active = Active(name);
    if (static_cast<int>(active.size()) != n) return false;
    for (const auto& [id, t] : active) {
      if (t.status != aurora::TaskStatus::kRunning ||
          t.config.metadata.at("heron-gitops/spec-hash") != revision) {
        return false;
      }
    }
    return true;
  }
  std::optional<aurora::UpdateSummary> UpdateOf(const aurora::UpdateKey& key) {
    aurora::UpdateQuery q;
    q.key = key;
    auto got = api().GetJobUpdateSummaries(q);
    if (!got.ok() || got->empty()) return std::nullopt;
    return got->front();
  }
  void CreateRunning(int n = 2) {
    ASSERT_TRUE(api().CreateJob({ContractJob(), "heron", ContractTask("contract", "r1"), n}).ok());
    ASSERT_TRUE(Eventually([&] { return AllRunning(n, "r1"); }));
  }
  std::unique_ptr<AuroraWorld> world_;
};

TYPED_TEST_SUITE_P(AuroraContract);

TYPED_TEST_P(AuroraContract, ACreatedJobRunsWithItsMetadataAndNoConfigInTaskStates) {
  this->CreateRunning(2);
  auto tasks = this->Active();
  ASSERT_EQ(tasks.size(), 2u);
  for (const auto& [id, t] : tasks) {
    EXPECT_EQ(t.config.job, ContractJob());
    EXPECT_TRUE(t.config.executor_data.empty());
    EXPECT_FALSE(t.task_id.empty());
  }
  EXPECT_EQ(
      this->api().CreateJob({ContractJob(), "heron", ContractTask("contract", "r1"), 2}).code(),
      StatusCode::kInvalidArgument);
}

TYPED_TEST_P(AuroraContract, AnUpdateThatChangesNothingIsUnchanged) {
  this->CreateRunning(2);
  auto r = this->api().StartJobUpdate(ContractUpdate("contract", "r1", 2, false), "m");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, aurora::StartUpdateResult::Outcome::kUnchanged);
}

TYPED_TEST_P(AuroraContract, ACoordinatedUpdateWaitsForAPulseThenRollsForward) {
  this->CreateRunning(2);
  auto r = this->api().StartJobUpdate(ContractUpdate("contract", "r2", 2, true), "m");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->outcome, aurora::StartUpdateResult::Outcome::kStarted);
  ASSERT_TRUE(r->key);
  auto u = this->UpdateOf(*r->key);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->status, aurora::UpdateStatus::kRollForwardAwaitingPulse);
  EXPECT_EQ(u->metadata.at("heron-gitops/spec-hash"), "r2");
  // Another update while this one is active: busy, naming it.
  auto busy = this->api().StartJobUpdate(ContractUpdate("contract", "r3", 2, true), "m");
  ASSERT_TRUE(busy.ok()) << busy.status();
  EXPECT_EQ(busy->outcome, aurora::StartUpdateResult::Outcome::kBusy);
  ASSERT_TRUE(busy->key);
  EXPECT_EQ(*busy->key, *r->key);
  // Killing or restarting instances is refused while it is active.
  EXPECT_EQ(this->api().KillJob(ContractJob(), "m").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(this->api().RestartShards(ContractJob(), {0}).code(), StatusCode::kFailedPrecondition);
  auto pulse = this->api().PulseJobUpdate(*r->key);
  ASSERT_TRUE(pulse.ok()) << pulse.status();
  EXPECT_EQ(*pulse, aurora::PulseStatus::kOk);
  ASSERT_TRUE(this->Eventually([&] {
    (void)this->api().PulseJobUpdate(*r->key);
    auto s = this->UpdateOf(*r->key);
    return s && s->status == aurora::UpdateStatus::kRolledForward;
  }));
  EXPECT_TRUE(this->Eventually([&] { return this->AllRunning(2, "r2"); }));
  pulse = this->api().PulseJobUpdate(*r->key);
  ASSERT_TRUE(pulse.ok());
  EXPECT_EQ(*pulse, aurora::PulseStatus::kFinished);
}

TYPED_TEST_P(AuroraContract, AnAbortedUpdateIsOverAndAbortingItAgainIsFine) {
  this->CreateRunning(2);
  auto r = this->api().StartJobUpdate(ContractUpdate("contract", "r2", 2, true), "m");
  ASSERT_TRUE(r.ok() && r->key);
  ASSERT_TRUE(this->api().AbortJobUpdate(*r->key, "m").ok());
  auto u = this->UpdateOf(*r->key);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->status, aurora::UpdateStatus::kAborted);
  EXPECT_TRUE(this->api().AbortJobUpdate(*r->key, "m").ok());
  auto pulse = this->api().PulseJobUpdate(*r->key);
  ASSERT_TRUE(pulse.ok());
  EXPECT_EQ(*pulse, aurora::PulseStatus::kFinished);
}

TYPED_TEST_P(AuroraContract, UpdateSummariesByRoleHoldOnlyThatRole) {
  this->CreateRunning(1);
  auto r = this->api().StartJobUpdate(ContractUpdate("contract", "r2", 1, false), "m");
  ASSERT_TRUE(r.ok() && r->key);
  aurora::UpdateQuery mine;
  mine.role = "www-data";
  auto got = this->api().GetJobUpdateSummaries(mine);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().key, *r->key);
  aurora::UpdateQuery other;
  other.role = "nobody";
  got = this->api().GetJobUpdateSummaries(other);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

// What a controller's batched observation asks: tasks of a set of jobs, tasks of a role, and a
// job's update summaries.
TYPED_TEST_P(AuroraContract, QueriesByJobKeysAndByRoleHoldExactlyThoseTasks) {
  this->CreateRunning(2);
  for (const char* name : {"contract-b", "contractx"}) {  // one a prefix of another's name
    ASSERT_TRUE(
        this->api().CreateJob({ContractJob(name), "heron", ContractTask(name, "r1"), 1}).ok());
  }
  ASSERT_TRUE(this->Eventually([&] { return this->AllRunning(1, "r1", "contractx"); }));
  aurora::TaskQuery two;
  two.job_keys = {ContractJob(), ContractJob("contractx")};
  auto got = this->api().GetTaskStates(two);
  ASSERT_TRUE(got.ok());
  std::map<std::string, int> per_job;
  for (const auto& t : *got) ++per_job[t.config.job.name];
  EXPECT_EQ(per_job.count("contract-b"), 0u);
  EXPECT_EQ(per_job["contract"], 2);
  EXPECT_EQ(per_job["contractx"], 1);
  // Streamed one task at a time, the same tasks.
  std::map<std::string, std::pair<std::string, aurora::TaskStatus>> listed, streamed;
  for (const auto& t : *got) listed[t.task_id] = {t.config.job.name, t.status};
  ASSERT_TRUE(this->api()
                  .ForEachTaskState(two,
                                    [&](const aurora::TaskStateView& v) {
                                      streamed[std::string(v.task_id)] = {v.job->name, v.status};
                                    })
                  .ok());
  EXPECT_EQ(streamed, listed);
  aurora::TaskQuery role;
  role.role = "www-data";
  got = this->api().GetTaskStates(role);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), static_cast<size_t>(per_job["contract"] + 2));
  role.role = "www";  // a prefix of the role is another role
  got = this->api().GetTaskStates(role);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  auto r = this->api().StartJobUpdate(ContractUpdate("contract", "r2", 2, false), "m");
  ASSERT_TRUE(r.ok() && r->key);
  aurora::UpdateQuery by_job;
  by_job.job_key = ContractJob();
  auto updates = this->api().GetJobUpdateSummaries(by_job);
  ASSERT_TRUE(updates.ok());
  ASSERT_EQ(updates->size(), 1u);
  EXPECT_EQ(updates->front().key, *r->key);
  by_job.job_key = ContractJob("contractx");
  updates = this->api().GetJobUpdateSummaries(by_job);
  ASSERT_TRUE(updates.ok());
  EXPECT_TRUE(updates->empty());
}

TYPED_TEST_P(AuroraContract, ARestartedShardGetsANewTask) {
  this->CreateRunning(2);
  const std::string before = this->Active().at(1).task_id;
  const std::string other = this->Active().at(0).task_id;
  ASSERT_TRUE(this->api().RestartShards(ContractJob(), {1}).ok());
  ASSERT_TRUE(this->Eventually([&] {
    auto a = this->Active();
    return a.count(1) && a.at(1).task_id != before &&
           a.at(1).status == aurora::TaskStatus::kRunning;
  }));
  EXPECT_EQ(this->Active().at(0).task_id, other);
  EXPECT_EQ(this->api().RestartShards(ContractJob(), {7}).code(), StatusCode::kInvalidArgument);
}

TYPED_TEST_P(AuroraContract, AKilledJobHasNoActiveTasksAndKillingNothingIsFine) {
  this->CreateRunning(2);
  ASSERT_TRUE(this->api().KillJob(ContractJob(), "m").ok());
  EXPECT_TRUE(this->Eventually([&] { return this->Active().empty(); }));
  EXPECT_TRUE(this->api().KillJob(ContractJob("never-created"), "m").ok());
}

REGISTER_TYPED_TEST_SUITE_P(AuroraContract, ACreatedJobRunsWithItsMetadataAndNoConfigInTaskStates,
                            AnUpdateThatChangesNothingIsUnchanged,
                            ACoordinatedUpdateWaitsForAPulseThenRollsForward,
                            AnAbortedUpdateIsOverAndAbortingItAgainIsFine,
                            UpdateSummariesByRoleHoldOnlyThatRole,
                            QueriesByJobKeysAndByRoleHoldExactlyThoseTasks,
                            ARestartedShardGetsANewTask,
                            AKilledJobHasNoActiveTasksAndKillingNothingIsFine);

}  // namespace hgo::testing::contract
