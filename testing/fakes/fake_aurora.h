// FakeAurora: an Aurora scheduler in memory, for unit tests of the loop. Time stands still until
// the test calls Advance(), which makes every pending transition at once: PENDING tasks run,
// KILLING ones end, an update rolling forward (or back) finishes. Semantics follow Aurora's
// (SchedulerThriftInterface, JobUpdateControllerImpl) as aurora-local models them; what the
// controller relies on is checked against both by testing/contract/aurora_contract.h.
//
// Simplifications, all on purpose: one Advance() finishes an update whatever its batch size and
// minimum wait; a coordinated update (blockIfNoPulsesAfterMs) starts awaiting a pulse and never
// times out; an update of a revision the test marked crashing (CrashTasksIf) is rolled
// back by Aurora on the next Advance(), as rollbackOnFailure does after the first failure.
// getJobUpdateDetails and getJobUpdateDiff are not modelled (kUnimplemented): the controller
// does not call them. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "aurora/aurora_api.h"
#include "common/clock.h"

namespace hgo::testing {

class FakeAurora final : public aurora::AuroraApi {
 public:
  explicit FakeAurora(const Clock& clock) : clock_(clock) {}

  StatusOr<std::vector<aurora::JobConfig>> GetJobs(const std::string& role) override;
  StatusOr<std::vector<aurora::JobSummary>> GetJobSummary(const std::string& role) override;
  StatusOr<std::vector<aurora::Task>> GetTasks(const aurora::TaskQuery& query,
                                               bool with_configs) override;
  StatusOr<std::vector<aurora::UpdateSummary>> GetJobUpdateSummaries(
      const aurora::UpdateQuery& q) override;
  StatusOr<std::vector<aurora::UpdateDetails>> GetJobUpdateDetails(
      const aurora::UpdateQuery& q) override;
  StatusOr<aurora::UpdateDiff> GetJobUpdateDiff(const aurora::UpdateRequest& request) override;
  Status CreateJob(const aurora::JobConfig& job) override;
  StatusOr<aurora::StartUpdateResult> StartJobUpdate(const aurora::UpdateRequest& request,
                                                     const std::string& message) override;
  Status PauseJobUpdate(const aurora::UpdateKey& key, const std::string& message) override;
  Status ResumeJobUpdate(const aurora::UpdateKey& key, const std::string& message) override;
  Status AbortJobUpdate(const aurora::UpdateKey& key, const std::string& message) override;
  Status RollbackJobUpdate(const aurora::UpdateKey& key, const std::string& message) override;
  StatusOr<aurora::PulseStatus> PulseJobUpdate(const aurora::UpdateKey& key) override;
  Status AddInstances(const aurora::JobKey& job, int32_t template_instance, int32_t count) override;
  Status KillTasks(const aurora::JobKey& job, const std::set<int32_t>& instances,
                   const std::string& message) override;
  Status KillJob(const aurora::JobKey& job, const std::string& message) override;
  Status RestartShards(const aurora::JobKey& job, const std::set<int32_t>& instances) override;

  // --- the test's side ---
  // Makes every pending transition (see above).
  void Advance();
  // Tasks whose config `crashes` crash once they start: an update to them is rolled back, a
  // job created with them keeps failing (FAILED, then PENDING again).
  void CrashTasksIf(std::function<bool(const aurora::TaskConfig&)> crashes);
  // Every call fails with status until Heal() (an unreachable scheduler).
  void Break(Status status);
  void Heal();
  // The mutating call named rpc ("createJob", ...) fails with status (counted, nothing done);
  // an ok status lifts it.
  void Refuse(const std::string& rpc, Status status);
  // Runs before every read (getTasks, getJobUpdateSummaries), outside the fake's lock: a test
  // can make something happen in the middle of a pass.
  void OnRead(std::function<void()> hook);
  // Mutating calls made so far, by name ("createJob", "startJobUpdate", "killTasks", ...).
  int Calls(const std::string& rpc) const;
  // The task queries read so far (getTasks*), and the update queries (getJobUpdateSummaries).
  std::vector<aurora::TaskQuery> TaskQueries() const;
  std::vector<aurora::UpdateQuery> UpdateQueries() const;
  // Active tasks of the job by instance.
  std::map<int32_t, aurora::Task> Active(const aurora::JobKey& job) const;

 private:
  struct Update {
    aurora::UpdateSummary summary;
    aurora::UpdateRequest request;
    std::set<int32_t> instances;                    // to change
    std::map<int32_t, aurora::TaskConfig> initial;  // what they ran before
    bool coordinated = false;
  };
  Status Failing() const;  // mu_ held
  // Counts the call and gives its refusal, if any; mu_ held.
  Status Count(const std::string& rpc);
  void BeforeRead();
  int64_t NowMs() const;
  void StartTask(const aurora::TaskConfig& config, int32_t instance);  // mu_ held
  void KillInstance(const aurora::JobKey& job, int32_t instance, const std::string& message);
  bool Crashes(const aurora::TaskConfig& config) const;
  std::map<int32_t, aurora::Task*> ActiveLocked(const aurora::JobKey& job);
  Update* FindUpdate(const aurora::UpdateKey& key);
  Update* ActiveUpdate(const aurora::JobKey& job);
  void SetStatus(Update& u, aurora::UpdateStatus status);

  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<aurora::JobKey, aurora::JobConfig> jobs_;
  std::vector<aurora::Task> tasks_;  // active and ended
  std::vector<Update> updates_;
  std::map<std::string, int> calls_;
  std::vector<aurora::TaskQuery> task_queries_;
  std::vector<aurora::UpdateQuery> update_queries_;
  std::map<std::string, Status> refused_;
  std::function<void()> on_read_;
  std::function<bool(const aurora::TaskConfig&)> crashes_;
  Status broken_;
  int next_id_ = 1;
};

}  // namespace hgo::testing
