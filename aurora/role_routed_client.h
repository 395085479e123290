// RoleRoutedAurora: one cluster's scheduler reached under several identities, each role's
// changes sent with that role's credentials so that Aurora's own per-role authorization
// (thrift.AuroraSchedulerManager:<method>:<role>) applies, as when each team submits with
// heron-cli as itself. Reads need no identity in Aurora and go through the default client. A
// role without credentials of its own uses the default client (the cluster's credentials).
//
// The job's owner (Identity.user of the job and of its task config, which Aurora reports as the
// job's owner) is the identity it is created and updated under. It is set here, after the job
// hash was taken (aurora/job_builder.h), so the controller's bookkeeping never sees it. Aurora
// counts the owner as task config: a job created before its role had credentials of its own
// takes the new owner with its next update, which then replaces every instance once.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "aurora/aurora_api.h"

namespace hgo::aurora {

struct RoleIdentity {
  std::string user;  // the job owner under this identity
  std::shared_ptr<AuroraApi> client;
};

class RoleRoutedAurora final : public AuroraApi {
 public:
  RoleRoutedAurora(std::shared_ptr<AuroraApi> default_client,
                   std::map<std::string, RoleIdentity> by_role);

  StatusOr<std::vector<JobConfig>> GetJobs(const std::string& role) override;
  StatusOr<std::vector<JobSummary>> GetJobSummary(const std::string& role) override;
  StatusOr<std::vector<Task>> GetTasks(const TaskQuery& query, bool with_configs) override;
  StatusOr<std::vector<Task>> GetTaskStates(const TaskQuery& query) override;
  Status ForEachTaskState(const TaskQuery& query,
                          const std::function<void(const TaskStateView&)>& each) override;
  StatusOr<std::vector<UpdateSummary>> GetJobUpdateSummaries(const UpdateQuery& q) override;
  StatusOr<std::vector<UpdateDetails>> GetJobUpdateDetails(const UpdateQuery& q) override;
  StatusOr<UpdateDiff> GetJobUpdateDiff(const UpdateRequest& request) override;
  Status CreateJob(const JobConfig& job) override;
  StatusOr<StartUpdateResult> StartJobUpdate(const UpdateRequest& request,
                                             const std::string& message) override;
  Status PauseJobUpdate(const UpdateKey& key, const std::string& message) override;
  Status ResumeJobUpdate(const UpdateKey& key, const std::string& message) override;
  Status AbortJobUpdate(const UpdateKey& key, const std::string& message) override;
  Status RollbackJobUpdate(const UpdateKey& key, const std::string& message) override;
  StatusOr<PulseStatus> PulseJobUpdate(const UpdateKey& key) override;
  Status AddInstances(const JobKey& job, int32_t template_instance, int32_t count) override;
  Status KillTasks(const JobKey& job, const std::set<int32_t>& instances,
                   const std::string& message) override;
  Status KillJob(const JobKey& job, const std::string& message) override;
  Status RestartShards(const JobKey& job, const std::set<int32_t>& instances) override;

 private:
  AuroraApi& For(const std::string& role);
  std::shared_ptr<AuroraApi> default_;
  std::map<std::string, RoleIdentity> by_role_;
};

}  // namespace hgo::aurora
