#include "aurora/role_routed_client.h"

namespace hgo::aurora {

RoleRoutedAurora::RoleRoutedAurora(std::shared_ptr<AuroraApi> default_client,
                                   std::map<std::string, RoleIdentity> by_role)
    : default_(std::move(default_client)), by_role_(std::move(by_role)) {}

AuroraApi& RoleRoutedAurora::For(const std::string& role) {
  auto it = by_role_.find(role);
  return it == by_role_.end() ? *default_ : *it->second.client;
}

StatusOr<std::vector<JobConfig>> RoleRoutedAurora::GetJobs(const std::string& role) {
  return default_->GetJobs(role);
}
StatusOr<std::vector<JobSummary>> RoleRoutedAurora::GetJobSummary(const std::string& role) {
  return default_->GetJobSummary(role);
}
StatusOr<std::vector<Task>> RoleRoutedAurora::GetTasks(const TaskQuery& query, bool with_configs) {
  return default_->GetTasks(query, with_configs);
}
StatusOr<std::vector<Task>> RoleRoutedAurora::GetTaskStates(const TaskQuery& query) {
  return default_->GetTaskStates(query);
}
Status RoleRoutedAurora::ForEachTaskState(const TaskQuery& query,
                                          const std::function<void(const TaskStateView&)>& each) {
  return default_->ForEachTaskState(query, each);
}
StatusOr<std::vector<UpdateSummary>> RoleRoutedAurora::GetJobUpdateSummaries(const UpdateQuery& q) {
  return default_->GetJobUpdateSummaries(q);
}
StatusOr<std::vector<UpdateDetails>> RoleRoutedAurora::GetJobUpdateDetails(const UpdateQuery& q) {
  return default_->GetJobUpdateDetails(q);
}
StatusOr<UpdateDiff> RoleRoutedAurora::GetJobUpdateDiff(const UpdateRequest& request) {
  auto it = by_role_.find(request.task.job.role);
  if (it == by_role_.end()) return default_->GetJobUpdateDiff(request);
  UpdateRequest owned = request;
  owned.task.owner = it->second.user;  // the diff of what StartJobUpdate would send
  return default_->GetJobUpdateDiff(owned);
}

Status RoleRoutedAurora::CreateJob(const JobConfig& job) {
  auto it = by_role_.find(job.key.role);
  if (it == by_role_.end()) return default_->CreateJob(job);
  JobConfig owned = job;
  owned.owner = owned.task.owner = it->second.user;
  return it->second.client->CreateJob(owned);
}
StatusOr<StartUpdateResult> RoleRoutedAurora::StartJobUpdate(const UpdateRequest& request,
                                                             const std::string& message) {
  auto it = by_role_.find(request.task.job.role);
  if (it == by_role_.end()) return default_->StartJobUpdate(request, message);
  UpdateRequest owned = request;
  owned.task.owner = it->second.user;
  return it->second.client->StartJobUpdate(owned, message);
}
Status RoleRoutedAurora::PauseJobUpdate(const UpdateKey& key, const std::string& message) {
  return For(key.job.role).PauseJobUpdate(key, message);
}
Status RoleRoutedAurora::ResumeJobUpdate(const UpdateKey& key, const std::string& message) {
  return For(key.job.role).ResumeJobUpdate(key, message);
}
Status RoleRoutedAurora::AbortJobUpdate(const UpdateKey& key, const std::string& message) {
  return For(key.job.role).AbortJobUpdate(key, message);
}
Status RoleRoutedAurora::RollbackJobUpdate(const UpdateKey& key, const std::string& message) {
  return For(key.job.role).RollbackJobUpdate(key, message);
}
StatusOr<PulseStatus> RoleRoutedAurora::PulseJobUpdate(const UpdateKey& key) {
  return For(key.job.role).PulseJobUpdate(key);
}
Status RoleRoutedAurora::AddInstances(const JobKey& job, int32_t template_instance, int32_t count) {
  return For(job.role).AddInstances(job, template_instance, count);
}
Status RoleRoutedAurora::KillTasks(const JobKey& job, const std::set<int32_t>& instances,
                                   const std::string& message) {
  return For(job.role).KillTasks(job, instances, message);
}
Status RoleRoutedAurora::KillJob(const JobKey& job, const std::string& message) {
  return For(job.role).KillJob(job, message);
}
Status RoleRoutedAurora::RestartShards(const JobKey& job, const std::set<int32_t>& instances) {
  return For(job.role).RestartShards(job, instances);
}

}  // namespace hgo::aurora
