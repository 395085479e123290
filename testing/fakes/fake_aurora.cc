#include "testing/fakes/fake_aurora.h"

#include <algorithm>

namespace hgo::testing {

using aurora::JobKey;
using aurora::Task;
using aurora::TaskStatus;
using aurora::UpdateStatus;

namespace {

bool Matches(const aurora::TaskQuery& q, const Task& t) {
  const JobKey& j = t.config.job;
  return (!q.role || *q.role == j.role) && (!q.environment || *q.environment == j.environment) &&
         (!q.job_name || *q.job_name == j.name) && (q.job_keys.empty() || q.job_keys.count(j)) &&
         (q.statuses.empty() || q.statuses.count(t.status)) &&
         (q.instance_ids.empty() || q.instance_ids.count(t.instance_id)) &&
         (q.task_ids.empty() || q.task_ids.count(t.task_id));
}

bool Forward(UpdateStatus s) {
  return s == UpdateStatus::kRollingForward || s == UpdateStatus::kRollForwardPaused ||
         s == UpdateStatus::kRollForwardAwaitingPulse;
}

}  // namespace

int64_t FakeAurora::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
      .count();
}

Status FakeAurora::Failing() const { return broken_; }

Status FakeAurora::Count(const std::string& rpc) {
  ++calls_[rpc];
  auto it = refused_.find(rpc);
  return it == refused_.end() ? Status::Ok() : it->second;
}

void FakeAurora::Refuse(const std::string& rpc, Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  if (status.ok()) {
    refused_.erase(rpc);
  } else {
    refused_[rpc] = std::move(status);
  }
}

void FakeAurora::OnRead(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  on_read_ = std::move(hook);
}

void FakeAurora::BeforeRead() {
  std::function<void()> hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hook = on_read_;
  }
  if (hook) hook();
}

int FakeAurora::Calls(const std::string& rpc) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = calls_.find(rpc);
  return it == calls_.end() ? 0 : it->second;
}

void FakeAurora::Break(Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  broken_ = std::move(status);
}

void FakeAurora::Heal() { Break(Status::Ok()); }

void FakeAurora::CrashTasksIf(std::function<bool(const aurora::TaskConfig&)> crashes) {
  std::lock_guard<std::mutex> lock(mu_);
  crashes_ = std::move(crashes);
}

bool FakeAurora::Crashes(const aurora::TaskConfig& config) const {
  return crashes_ && crashes_(config);
}

void FakeAurora::StartTask(const aurora::TaskConfig& config, int32_t instance) {
  Task t;
  t.task_id = config.job.role + "-" + config.job.environment + "-" + config.job.name + "-" +
              std::to_string(instance) + "-" + std::to_string(next_id_++);
  t.instance_id = instance;
  t.status = TaskStatus::kPending;
  t.slave_host = "fake-agent";
  t.config = config;
  t.events.push_back({NowMs(), TaskStatus::kPending, "", "fake-aurora"});
  tasks_.push_back(std::move(t));
}

std::map<int32_t, Task*> FakeAurora::ActiveLocked(const JobKey& job) {
  std::map<int32_t, Task*> out;
  for (auto& t : tasks_) {
    if (t.config.job == job && aurora::IsActive(t.status) && t.status != TaskStatus::kKilling) {
      out[t.instance_id] = &t;
    }
  }
  return out;
}

std::map<int32_t, Task> FakeAurora::Active(const JobKey& job) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<int32_t, Task> out;
  for (const auto& t : tasks_) {
    if (t.config.job == job && aurora::IsActive(t.status)) out[t.instance_id] = t;
  }
  return out;
}

void FakeAurora::KillInstance(const JobKey& job, int32_t instance, const std::string& message) {
  for (auto& t : tasks_) {
    if (t.config.job == job && t.instance_id == instance && aurora::IsActive(t.status) &&
        t.status != TaskStatus::kKilling) {
      t.status = TaskStatus::kKilling;
      t.events.push_back({NowMs(), TaskStatus::kKilling, message, "fake-aurora"});
    }
  }
}

FakeAurora::Update* FakeAurora::FindUpdate(const aurora::UpdateKey& key) {
  for (auto& u : updates_) {
    if (u.summary.key == key) return &u;
  }
  return nullptr;
}

FakeAurora::Update* FakeAurora::ActiveUpdate(const JobKey& job) {
  for (auto& u : updates_) {
    if (u.summary.key.job == job && aurora::IsActiveUpdate(u.summary.status)) return &u;
  }
  return nullptr;
}

void FakeAurora::SetStatus(Update& u, UpdateStatus status) {
  u.summary.status = status;
  u.summary.last_modified_ms = NowMs();
}

StatusOr<std::vector<aurora::JobConfig>> FakeAurora::GetJobs(const std::string& role) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Failing());
  std::vector<aurora::JobConfig> out;
  for (const auto& [key, job] : jobs_) {
    if (key.role == role && !ActiveLocked(key).empty()) out.push_back(job);
  }
  return out;
}

StatusOr<std::vector<aurora::JobSummary>> FakeAurora::GetJobSummary(const std::string& role) {
  HGO_ASSIGN_OR_RETURN(auto jobs, GetJobs(role));
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<aurora::JobSummary> out;
  for (auto& j : jobs) {
    aurora::JobSummary s;
    s.stats.active = static_cast<int32_t>(ActiveLocked(j.key).size());
    s.job = std::move(j);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<aurora::TaskQuery> FakeAurora::TaskQueries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return task_queries_;
}

std::vector<aurora::UpdateQuery> FakeAurora::UpdateQueries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return update_queries_;
}

StatusOr<std::vector<Task>> FakeAurora::GetTasks(const aurora::TaskQuery& query,
                                                 bool with_configs) {
  BeforeRead();
  std::lock_guard<std::mutex> lock(mu_);
  task_queries_.push_back(query);
  HGO_RETURN_IF_ERROR(Failing());
  std::vector<Task> out;
  for (const auto& t : tasks_) {
    if (!Matches(query, t)) continue;
    out.push_back(t);
    if (!with_configs) out.back().config.executor_data.clear();
  }
  return out;
}

StatusOr<std::vector<aurora::UpdateSummary>> FakeAurora::GetJobUpdateSummaries(
    const aurora::UpdateQuery& q) {
  BeforeRead();
  std::lock_guard<std::mutex> lock(mu_);
  update_queries_.push_back(q);
  HGO_RETURN_IF_ERROR(Failing());
  std::vector<aurora::UpdateSummary> out;
  for (const auto& u : updates_) {
    const aurora::UpdateSummary& s = u.summary;
    if ((q.role && *q.role != s.key.job.role) || (q.key && *q.key != s.key) ||
        (q.job_key && *q.job_key != s.key.job) || (q.user && *q.user != s.user) ||
        (!q.statuses.empty() && !q.statuses.count(s.status))) {
      continue;
    }
    out.push_back(s);
  }
  // Aurora answers newest first.
  std::reverse(out.begin(), out.end());
  return out;
}

StatusOr<std::vector<aurora::UpdateDetails>> FakeAurora::GetJobUpdateDetails(
    const aurora::UpdateQuery&) {
  return Status::Unimplemented("FakeAurora does not model getJobUpdateDetails");
}

StatusOr<aurora::UpdateDiff> FakeAurora::GetJobUpdateDiff(const aurora::UpdateRequest&) {
  return Status::Unimplemented("FakeAurora does not model getJobUpdateDiff");
}

Status FakeAurora::CreateJob(const aurora::JobConfig& job) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Failing());
  HGO_RETURN_IF_ERROR(Count("createJob"));
  if (job.instance_count < 1) {
    return Status::InvalidArgument("Instance count must be between 1 and 4000.");
  }
  if (ActiveUpdate(job.key)) {
    return Status::FailedPrecondition("Job " + job.key.ToString() + " is being updated.");
  }
  if (!ActiveLocked(job.key).empty()) {
    return Status::InvalidArgument("Job " + job.key.ToString() + " already exists");
  }
  jobs_[job.key] = job;
  for (int32_t i = 0; i < job.instance_count; ++i) StartTask(job.task, i);
  return Status::Ok();
}

StatusOr<aurora::StartUpdateResult> FakeAurora::StartJobUpdate(const aurora::UpdateRequest& request,
                                                               const std::string&) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Failing());
  HGO_RETURN_IF_ERROR(Count("startJobUpdate"));
  const JobKey& job = request.task.job;
  aurora::StartUpdateResult result;
  if (Update* busy = ActiveUpdate(job)) {
    result.outcome = aurora::StartUpdateResult::Outcome::kBusy;
    result.key = busy->summary.key;
    result.summary = busy->summary;
    return result;
  }
  Update u;
  u.request = request;
  auto active = ActiveLocked(job);
  std::set<int32_t> only = aurora::FromRanges(request.settings.update_only);
  auto in_scope = [&](int32_t id) { return only.empty() || only.count(id); };
  for (int32_t id = 0; id < request.instance_count; ++id) {
    auto it = active.find(id);
    if (in_scope(id) && (it == active.end() || !(it->second->config == request.task))) {
      u.instances.insert(id);
    }
  }
  for (const auto& [id, t] : active) {
    if (id >= request.instance_count && in_scope(id)) u.instances.insert(id);
    if (u.instances.count(id)) u.initial[id] = t->config;
  }
  if (u.instances.empty()) {
    result.outcome = aurora::StartUpdateResult::Outcome::kUnchanged;
    return result;
  }
  u.coordinated = request.settings.block_if_no_pulses_after_ms.value_or(0) > 0;
  u.summary.key = aurora::UpdateKey{job, "update-" + std::to_string(next_id_++)};
  u.summary.user = "UNSECURE";
  u.summary.created_ms = NowMs();
  u.summary.metadata = request.metadata;
  SetStatus(
      u, u.coordinated ? UpdateStatus::kRollForwardAwaitingPulse : UpdateStatus::kRollingForward);
  result.key = u.summary.key;
  result.summary = u.summary;
  aurora::JobConfig& config = jobs_[job];
  config.key = job;
  config.task = request.task;
  config.instance_count = request.instance_count;
  updates_.push_back(std::move(u));
  return result;
}

Status FakeAurora::PauseJobUpdate(const aurora::UpdateKey& key, const std::string&) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Failing());
  HGO_RETURN_IF_ERROR(Count("pauseJobUpdate"));
  Update* u = FindUpdate(key);
  if (!u) return Status::InvalidArgument("Update does not exist: " + key.id);
  if (!aurora::IsActiveUpdate(u->summary.status)) {
    return Status::InvalidArgument("Cannot pause a finished update");
  }
  SetStatus(*u, Forward(u->summary.status) ? UpdateStatus::kRollForwardPaused
                                           : UpdateStatus::kRollBackPaused);
  return Status::Ok();
}

Status FakeAurora::ResumeJobUpdate(const aurora::UpdateKey& key, const std::string&) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Failing());
  HGO_RETURN_IF_ERROR(Count("resumeJobUpdate"));
  Update* u = FindUpdate(key);
  if (!u) return Status::InvalidArgument("Update does not exist: " + key.id);
  if (!aurora::IsActiveUpdate(u->summary.status)) {
    return Status::InvalidArgument("Cannot resume a finished update");
  }
  SetStatus(
      *u, Forward(u->summary.status) ? UpdateStatus::kRollingForward : UpdateStatus::kRollingBack);
  return Status::Ok();
}

Status FakeAurora::AbortJobUpdate(const aurora::UpdateKey& key, const std::string&) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Failing());
  HGO_RETURN_IF_ERROR(Count("abortJobUpdate"));
  Update* u = FindUpdate(key);
  if (!u) return Status::InvalidArgument("Update does not exist: " + key.id);
  // Aborting an aborted update is a no-op (JobUpdateControllerImpl checks the target first).
  if (aurora::IsActiveUpdate(u->summary.status)) SetStatus(*u, UpdateStatus::kAborted);
  return Status::Ok();
}

Status FakeAurora::RollbackJobUpdate(const aurora::UpdateKey& key, const std::string&) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Failing());
  HGO_RETURN_IF_ERROR(Count("rollbackJobUpdate"));
  Update* u = FindUpdate(key);
  if (!u) return Status::InvalidArgument("Update does not exist: " + key.id);
  if (u->summary.status == UpdateStatus::kRollingBack) return Status::Ok();
  if (!Forward(u->summary.status)) {
    return Status::InvalidArgument("Cannot roll back an update that is not rolling forward");
  }
  SetStatus(*u, UpdateStatus::kRollingBack);
  return Status::Ok();
}

StatusOr<aurora::PulseStatus> FakeAurora::PulseJobUpdate(const aurora::UpdateKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Failing());
  HGO_RETURN_IF_ERROR(Count("pulseJobUpdate"));
  // FINISHED for an update that is unknown, not coordinated or over (JobUpdateControllerImpl).
  Update* u = FindUpdate(key);
  if (!u || !u->coordinated || !aurora::IsActiveUpdate(u->summary.status)) {
    return aurora::PulseStatus::kFinished;
  }
  if (u->summary.status == UpdateStatus::kRollForwardAwaitingPulse) {
    SetStatus(*u, UpdateStatus::kRollingForward);
  } else if (u->summary.status == UpdateStatus::kRollBackAwaitingPulse) {
    SetStatus(*u, UpdateStatus::kRollingBack);
  }
  return aurora::PulseStatus::kOk;
}

Status FakeAurora::AddInstances(const JobKey& job, int32_t template_instance, int32_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Failing());
  HGO_RETURN_IF_ERROR(Count("addInstances"));
  if (count <= 0) return Status::InvalidArgument("Instance count must be positive.");
  if (ActiveUpdate(job)) {
    return Status::FailedPrecondition("Job " + job.ToString() + " is being updated.");
  }
  auto active = ActiveLocked(job);
  auto it = active.find(template_instance);
  if (it == active.end()) {
    return Status::InvalidArgument("No active task found for a given instance ID.");
  }
  const aurora::TaskConfig config = it->second->config;
  const int32_t first = active.rbegin()->first + 1;
  for (int32_t i = 0; i < count; ++i) StartTask(config, first + i);
  return Status::Ok();
}

Status FakeAurora::KillTasks(const JobKey& job, const std::set<int32_t>& instances,
                             const std::string& message) {
  if (instances.empty()) return Status::InvalidArgument("no instances to kill");
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Failing());
  HGO_RETURN_IF_ERROR(Count("killTasks"));
  if (ActiveUpdate(job)) {
    return Status::FailedPrecondition("Job " + job.ToString() + " is being updated.");
  }
  for (int32_t id : instances) KillInstance(job, id, message);
  return Status::Ok();
}

Status FakeAurora::KillJob(const JobKey& job, const std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Failing());
  HGO_RETURN_IF_ERROR(Count("killJob"));
  if (ActiveUpdate(job)) {
    return Status::FailedPrecondition("Job " + job.ToString() + " is being updated.");
  }
  for (const auto& [id, t] : ActiveLocked(job)) KillInstance(job, id, message);
  return Status::Ok();
}

Status FakeAurora::RestartShards(const JobKey& job, const std::set<int32_t>& instances) {
  if (instances.empty()) return Status::InvalidArgument("no instances to restart");
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Failing());
  HGO_RETURN_IF_ERROR(Count("restartShards"));
  if (ActiveUpdate(job)) {
    return Status::FailedPrecondition("Job " + job.ToString() + " is being updated.");
  }
  auto active = ActiveLocked(job);
  for (int32_t id : instances) {
    if (!active.count(id)) return Status::InvalidArgument("Not all requested shards are active.");
  }
  // The configs first: StartTask appends to the task list, which moves every task active
  // points at (the HTTP API fuzzer found the dangling pointer restarting two instances).
  std::map<int32_t, aurora::TaskConfig> configs;
  for (int32_t id : instances) configs[id] = active[id]->config;
  for (const auto& [id, config] : configs) {
    KillInstance(job, id, "Restarting");
    StartTask(config, id);
  }
  return Status::Ok();
}

void FakeAurora::Advance() {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = NowMs();
  // Updates first: their new tasks start in the same step.
  for (auto& u : updates_) {
    const UpdateStatus s = u.summary.status;
    if (s != UpdateStatus::kRollingForward && s != UpdateStatus::kRollingBack) continue;
    const JobKey job = u.summary.key.job;
    const bool back = s == UpdateStatus::kRollingBack || Crashes(u.request.task);
    for (int32_t id : u.instances) {
      KillInstance(job, id, "Killed for job update.");
      if (back) {
        if (auto it = u.initial.find(id); it != u.initial.end()) StartTask(it->second, id);
      } else if (id < u.request.instance_count) {
        StartTask(u.request.task, id);
      }
    }
    if (back && !u.initial.empty()) {
      aurora::JobConfig& config = jobs_[job];
      config.task = u.initial.begin()->second;
      config.instance_count = static_cast<int32_t>(u.initial.size());
    }
    SetStatus(u, back ? UpdateStatus::kRolledBack : UpdateStatus::kRolledForward);
  }
  std::vector<std::pair<aurora::TaskConfig, int32_t>> restart;
  for (auto& t : tasks_) {
    if (t.status == TaskStatus::kKilling) {
      t.status = TaskStatus::kKilled;
      t.events.push_back({now, TaskStatus::kKilled, "Task killed", "fake-aurora"});
    } else if (t.status == TaskStatus::kPending && t.events.back().timestamp_ms <= now) {
      if (Crashes(t.config)) {
        t.status = TaskStatus::kFailed;
        t.events.push_back({now, TaskStatus::kFailed, "crashed", "fake-aurora"});
        restart.emplace_back(t.config, t.instance_id);  // a service task is rescheduled
      } else {
        t.status = TaskStatus::kRunning;
        t.events.push_back({now, TaskStatus::kRunning, "", "fake-aurora"});
      }
    }
  }
  for (const auto& [config, id] : restart) {
    StartTask(config, id);
    tasks_.back().failure_count = 1;
  }
}

}  // namespace hgo::testing
