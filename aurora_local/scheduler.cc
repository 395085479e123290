// Jobs, tasks, read calls and the task state machine. Updates are in updater.cc, durable state
// in snapshot.cc.
#include <algorithm>
#include <cstdio>
#include <utility>

#include "aurora/codec.h"
#include "aurora_local/scheduler_internal.h"

namespace hgo::aurora::local {

using api::ResponseCode;
using api::ScheduleStatus;

namespace {

bool Active(ScheduleStatus::type s) { return IsActive(static_cast<TaskStatus>(s)); }
bool Terminal(ScheduleStatus::type s) { return IsTerminal(static_cast<TaskStatus>(s)); }

std::string KeyString(const api::JobKey& k) { return k.role + "/" + k.environment + "/" + k.name; }

// Task ids: <role>-<env>-<name>-<instance>-<uuid>, characters outside [\w-] replaced by '-'.
std::string Sanitize(std::string s) {
  for (char& c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) c = '-';
  }
  return s;
}

}  // namespace

Scheduler::Scheduler(SchedulerOptions options, const Clock& clock, TaskLauncher& launcher,
                     PortAllocator ports)
    : options_(std::move(options)),
      clock_(clock),
      launcher_(launcher),
      ports_(std::move(ports)),
      identifier_("^[\\w\\-\\.]+$"),
      environment_(options_.allowed_environments),
      rng_(std::random_device{}()) {}

Scheduler::~Scheduler() = default;

int64_t Scheduler::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
      .count();
}

std::string Scheduler::NewUuid() {
  uint64_t a = rng_(), b = rng_();
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0x0fff) | 0x4000,
                static_cast<unsigned>((b >> 48) & 0x3fff) | 0x8000,
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

void Scheduler::EraseTask(std::string id) {  // by value: callers pass the task's own id
  tasks_.erase(id);
  dirty_tasks_.erase(id);
  deleted_tasks_.insert(id);
  ++generation_;
}

std::string Scheduler::NewTaskId(const api::JobKey& job, int32_t instance) {
  return Sanitize(job.role + "-" + job.environment + "-" + job.name + "-" +
                  std::to_string(instance) + "-" + NewUuid());
}

uint64_t Scheduler::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

api::Response Scheduler::Ok() {
  api::Response r;
  r.responseCode = ResponseCode::OK;
  r.serverInfo.clusterName = options_.cluster;
  r.serverInfo.statsUrlPrefix = "";
  return r;
}

api::Response Scheduler::Error(ResponseCode::type code, const std::string& message) {
  api::Response r = Ok();
  r.responseCode = code;
  api::ResponseDetail d;
  d.message = message;
  r.details.push_back(d);
  ++counters_["scheduler_thrift_response_" + std::string(api::to_string(code))];
  return r;
}

Status Scheduler::ValidateJobKey(const api::JobKey& key) const {
  for (const auto& [what, value] : {std::pair<const char*, const std::string*>{"role", &key.role},
                                    {"environment", &key.environment},
                                    {"name", &key.name}}) {
    if (value->empty() || value->size() > 255 || !std::regex_match(*value, identifier_)) {
      return Status::InvalidArgument("Job " + std::string(what) +
                                     " contains illegal characters: " + *value);
    }
  }
  if (!std::regex_match(key.environment, environment_)) {
    return Status::InvalidArgument("Job environment " + key.environment +
                                   " doesn't match: " + options_.allowed_environments);
  }
  return Status::Ok();
}

Status Scheduler::ValidateTaskConfig(const api::TaskConfig& c) const {
  HGO_RETURN_IF_ERROR(ValidateJobKey(c.job));
  if (!std::regex_match(c.owner.user, identifier_)) {
    return Status::InvalidArgument("Job user contains illegal characters: " + c.owner.user);
  }
  if (c.__isset.tier && c.tier != "preemptible" && c.tier != "preferred" && c.tier != "revocable") {
    return Status::InvalidArgument("Tier '" + c.tier + "' does not exist.");
  }
  if (c.container.__isset.docker) {
    return Status::InvalidArgument("The container type DOCKER is not allowed");
  }
  if (!c.__isset.executorConfig) {
    return Status::InvalidArgument("Configuration may not be null");
  }
  if (c.executorConfig.name != "AuroraExecutor") {
    return Status::InvalidArgument("Configuration for executor '" + c.executorConfig.name +
                                   "' doesn't exist.");
  }
  int cpus = 0, ram = 0, disk = 0;
  for (const auto& r : c.resources) {
    if (r.__isset.numCpus) {
      ++cpus;
      if (r.numCpus <= 0) return Status::InvalidArgument("num_cpus must be positive");
    }
    if (r.__isset.ramMb) {
      ++ram;
      if (r.ramMb <= 0) return Status::InvalidArgument("ram_mb must be positive");
    }
    if (r.__isset.diskMb) {
      ++disk;
      if (r.diskMb <= 0) return Status::InvalidArgument("disk_mb must be positive");
    }
    if (r.__isset.numGpus) return Status::InvalidArgument("GPU resource support is disabled");
  }
  if (cpus != 1 || ram != 1 || disk != 1) {
    return Status::InvalidArgument("Only one of each numCpus, ramMb and diskMb is allowed (got " +
                                   std::to_string(cpus) + ", " + std::to_string(ram) + ", " +
                                   std::to_string(disk) + ")");
  }
  return Status::Ok();
}

// What Aurora stores and returns: the default tier filled in, production derived from it,
// taskLinks filled for http/health ports when empty.
api::TaskConfig Scheduler::Populate(const api::TaskConfig& config) const {
  api::TaskConfig c = config;
  if (!c.__isset.tier) c.__set_tier("preemptible");
  c.__set_production(c.tier == "preferred");
  if (!c.__isset.taskLinks || c.taskLinks.empty()) {
    std::map<std::string, std::string> links;
    for (const auto& r : c.resources) {
      if (r.__isset.namedPort && r.namedPort == "http") links["http"] = "http://%host%:%port:http%";
      if (r.__isset.namedPort && r.namedPort == "health") {
        links["health"] = "http://%host%:%port:health%";
      }
    }
    c.__set_taskLinks(links);
  }
  return c;
}

bool Scheduler::HasActiveUpdate(const api::JobKey& job) const {
  for (const auto& u : updates_) {
    if (u->key().job == job && IsActiveUpdate(static_cast<UpdateStatus>(u->status()))) return true;
  }
  return false;
}

// Task ids begin with the job's sanitized key (NewTaskId), so a job's tasks are one range of
// tasks_; other jobs whose key sanitizes to the same prefix are filtered out.
std::vector<Scheduler::Task*> Scheduler::TasksOfJob(const api::JobKey& job) {
  std::vector<Task*> out =
      TasksWithPrefix(Sanitize(job.role + "-" + job.environment + "-" + job.name + "-"));
  out.erase(std::remove_if(out.begin(), out.end(), [&](Task* t) { return !(t->job() == job); }),
            out.end());
  return out;
}

std::vector<Scheduler::Task*> Scheduler::TasksWithPrefix(const std::string& prefix) {
  std::vector<Task*> out;
  for (auto it = tasks_.lower_bound(prefix);
       it != tasks_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    out.push_back(it->second.get());
  }
  return out;
}

// The tasks a query can match, in task id order: its jobs' ranges of tasks_, or its role's, or
// all (the query's filters then decide). A query naming jobs costs what they hold, not the
// cluster.
std::vector<Scheduler::Task*> Scheduler::Candidates(const api::TaskQuery& q) {
  auto blank = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(c); });
  };
  std::vector<Task*> out;
  if (q.__isset.jobKeys && !q.jobKeys.empty()) {
    for (const auto& k : q.jobKeys) {
      for (Task* t : TasksOfJob(k)) out.push_back(t);
    }
    std::sort(out.begin(), out.end(), [](Task* a, Task* b) { return a->id() < b->id(); });
  } else if (q.__isset.role && !blank(q.role)) {
    out = TasksWithPrefix(Sanitize(q.role + "-"));
  } else {
    out.reserve(tasks_.size());
    for (const auto& [id, t] : tasks_) out.push_back(t.get());
  }
  return out;
}

std::map<int32_t, Scheduler::Task*> Scheduler::ActiveByInstance(const api::JobKey& job) {
  std::map<int32_t, Task*> out;
  for (Task* t : TasksOfJob(job)) {
    if (Active(t->st.status)) out[t->instance()] = t;
  }
  return out;
}

Scheduler::Task& Scheduler::InsertTask(const api::JobKey& job, int32_t instance,
                                       std::shared_ptr<const api::TaskConfig> config,
                                       const std::string& ancestor, int32_t failures,
                                       std::optional<int64_t> throttle_ms) {
  auto t = std::make_unique<Task>();
  t->config = std::move(config);
  auto& a = t->st.assignedTask;
  a.taskId = NewTaskId(job, instance);
  a.instanceId = instance;
  t->st.failureCount = failures;
  t->st.ancestorId = ancestor;
  t->st.timesPartitioned = 0;
  Task& ref = *t;
  tasks_[a.taskId] = std::move(t);
  if (throttle_ms) {
    ref.not_before_ms = NowMs() + *throttle_ms;
    Transition(ref, ScheduleStatus::THROTTLED,
               "Rescheduled, penalized for " + std::to_string(*throttle_ms) + " ms for flapping");
  } else {
    Transition(ref, ScheduleStatus::PENDING, ancestor.empty() ? "" : "Rescheduled");
  }
  return ref;
}

void Scheduler::Transition(Task& t, ScheduleStatus::type status, const std::string& message) {
  t.st.status = status;
  api::TaskEvent e;
  e.timestamp = NowMs();
  e.status = status;
  if (!message.empty()) e.__set_message(message);
  e.__set_scheduler(options_.hostname);
  t.st.taskEvents.push_back(e);
  if (status == ScheduleStatus::RUNNING) t.running_since_ms = e.timestamp;
  ++generation_;
  dirty_tasks_.insert(t.id());
  moving_.insert(t.id());  // Tick drops it again once nothing more can happen by itself
  if (Terminal(status)) {
    prune_due_.insert(t.job());
    OnTerminal(t);
  }
}

void Scheduler::RequestKill(Task& t, const std::string& message, bool reschedule) {
  t.reschedule_on_end = reschedule;
  dirty_tasks_.insert(t.id());
  if (t.st.status == ScheduleStatus::PENDING || t.st.status == ScheduleStatus::THROTTLED) {
    EraseTask(t.id());  // Aurora deletes a task that never ran, with no KILLED record
    return;
  }
  if (t.st.status == ScheduleStatus::KILLING) return;
  launcher_.Kill(t.id());
  Transition(t, reschedule ? ScheduleStatus::RESTARTING : ScheduleStatus::KILLING, message);
}

// Aurora's rescheduling rules (Aurora's TaskStateMachine and RescheduleCalculator).
void Scheduler::OnTerminal(Task& t) {
  if (!t.reschedule_on_end) return;
  const api::TaskConfig& c = *t.config;
  bool reschedule = false;
  int32_t failures = t.st.failureCount;
  switch (t.st.status) {
    case ScheduleStatus::FINISHED:
      reschedule = c.isService;
      break;
    case ScheduleStatus::FAILED:
      reschedule = c.isService || c.maxTaskFailures == -1 || failures < c.maxTaskFailures - 1;
      ++failures;
      break;
    case ScheduleStatus::KILLED:
    case ScheduleStatus::LOST:
      reschedule = true;
      break;
    default:
      break;
  }
  if (!reschedule) return;
  std::optional<int64_t> throttle;
  const int64_t ran = t.started_ms < 0 ? 0 : NowMs() - t.started_ms;
  bool interrupted = false;  // restarts are not flapping
  for (const auto& e : t.st.taskEvents) interrupted |= e.status == ScheduleStatus::RESTARTING;
  if (!interrupted && ran < options_.flapping_threshold.count()) {
    // Doubles with each flapping ancestor, up to the maximum.
    int64_t delay = options_.initial_flapping_delay.count();
    for (int i = 0; i < failures && delay < options_.max_flapping_delay.count(); ++i) delay *= 2;
    throttle = std::min<int64_t>(delay, options_.max_flapping_delay.count());
  }
  Task& next = InsertTask(t.job(), t.instance(), t.config, t.id(), failures, throttle);
  next.update_id = t.update_id;
}

api::Response Scheduler::CreateJob(const api::JobConfiguration& job, const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_["thrift_workload_createJob"];
  if (job.__isset.cronSchedule) {
    return Error(ResponseCode::INVALID_REQUEST,
                 "Cron jobs may only be created/updated by calling scheduleCronJob.");
  }
  if (Status s = ValidateJobKey(job.key); !s.ok()) {
    return Error(ResponseCode::INVALID_REQUEST, s.message());
  }
  if (!(job.taskConfig.job == job.key)) {
    return Error(ResponseCode::INVALID_REQUEST, "Job key in the task config does not match.");
  }
  if (!std::regex_match(job.owner.user, identifier_)) {
    return Error(ResponseCode::INVALID_REQUEST,
                 "Job user contains illegal characters: " + job.owner.user);
  }
  if (Status s = ValidateTaskConfig(job.taskConfig); !s.ok()) {
    return Error(ResponseCode::INVALID_REQUEST, s.message());
  }
  if (job.instanceCount < 1 || job.instanceCount > options_.max_tasks_per_job) {
    return Error(ResponseCode::INVALID_REQUEST, "Instance count must be between 1 and " +
                                                    std::to_string(options_.max_tasks_per_job));
  }
  if (HasActiveUpdate(job.key)) {
    return Error(ResponseCode::JOB_UPDATING_ERROR,
                 "Job " + KeyString(job.key) + " is being updated.");
  }
  if (!ActiveByInstance(job.key).empty()) {
    return Error(ResponseCode::INVALID_REQUEST, "Job " + KeyString(job.key) + " already exists");
  }
  auto config = std::make_shared<const api::TaskConfig>(Populate(job.taskConfig));
  for (int32_t i = 0; i < job.instanceCount; ++i) InsertTask(job.key, i, config, "", 0, {});
  (void)user;
  return Ok();
}

api::Response Scheduler::KillTasks(const api::JobKey& job, const std::set<int32_t>& instances,
                                   const std::string& message, const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_["thrift_workload_killTasks"];
  if (Status s = ValidateJobKey(job); !s.ok()) {
    return Error(ResponseCode::INVALID_REQUEST, s.message());
  }
  if (HasActiveUpdate(job)) {
    return Error(ResponseCode::JOB_UPDATING_ERROR, "Job " + KeyString(job) + " is being updated.");
  }
  std::string audit = "Killed by " + user;
  if (!message.empty()) audit += ".\n" + message;
  int killed = 0;
  for (auto [instance, task] : ActiveByInstance(job)) {
    if (!instances.empty() && !instances.count(instance)) continue;  // empty: the whole job
    RequestKill(*task, audit, /*reschedule=*/false);
    ++killed;
  }
  api::Response r = Ok();
  if (killed == 0) {
    api::ResponseDetail d;
    d.message = "No tasks to kill.";
    r.details.push_back(d);
  }
  return r;
}

api::Response Scheduler::AddInstances(const api::InstanceKey& key, int32_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_["thrift_workload_addInstances"];
  if (count <= 0) return Error(ResponseCode::INVALID_REQUEST, "Instance count must be positive.");
  if (Status s = ValidateJobKey(key.jobKey); !s.ok()) {
    return Error(ResponseCode::INVALID_REQUEST, s.message());
  }
  if (HasActiveUpdate(key.jobKey)) {
    return Error(ResponseCode::JOB_UPDATING_ERROR,
                 "Job " + KeyString(key.jobKey) + " is being updated.");
  }
  auto active = ActiveByInstance(key.jobKey);
  auto it = active.find(key.instanceId);
  if (it == active.end()) {
    return Error(ResponseCode::INVALID_REQUEST, "No active task found for a given instance ID.");
  }
  if (static_cast<int64_t>(active.size()) + count > options_.max_tasks_per_job) {
    return Error(ResponseCode::INVALID_REQUEST, "Instance count must be between 1 and " +
                                                    std::to_string(options_.max_tasks_per_job));
  }
  const int32_t highest = active.rbegin()->first;
  auto config = it->second->config;
  for (int32_t i = 1; i <= count; ++i) InsertTask(key.jobKey, highest + i, config, "", 0, {});
  return Ok();
}

api::Response Scheduler::RestartShards(const api::JobKey& job, const std::set<int32_t>& ids) {
  std::lock_guard<std::mutex> lock(mu_);
  if (HasActiveUpdate(job)) {
    return Error(ResponseCode::JOB_UPDATING_ERROR, "Job " + KeyString(job) + " is being updated.");
  }
  auto active = ActiveByInstance(job);
  for (int32_t id : ids) {
    if (!active.count(id)) {
      return Error(ResponseCode::INVALID_REQUEST, "Not all requested shards are active.");
    }
  }
  for (int32_t id : ids) RequestKill(*active[id], "Restarting", /*reschedule=*/true);
  return Ok();
}

// ---- reads

api::Response Scheduler::GetTasks(const api::TaskQuery& q, bool with_configs) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_[with_configs ? "thrift_workload_getTasksStatus"
                           : "thrift_workload_getTasksWithoutConfigs"];
  auto blank = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(c); });
  };
  std::vector<api::ScheduledTask> out;
  std::map<const api::TaskConfig*, api::TaskConfig> stripped;
  for (const Task* t : Candidates(q)) {
    const std::string& id = t->id();
    const api::JobKey& k = t->job();
    if (q.__isset.role && !blank(q.role) && k.role != q.role) continue;
    if (q.__isset.environment && k.environment != q.environment) continue;
    if (q.__isset.jobName && k.name != q.jobName) continue;
    if (q.__isset.jobKeys && !q.jobKeys.empty() && !q.jobKeys.count(k)) continue;
    if (q.__isset.taskIds && !q.taskIds.empty() && !q.taskIds.count(id)) continue;
    if (q.__isset.statuses && !q.statuses.empty() && !q.statuses.count(t->st.status)) continue;
    if (q.__isset.instanceIds && !q.instanceIds.empty() && !q.instanceIds.count(t->instance())) {
      continue;
    }
    if (q.__isset.slaveHosts && !q.slaveHosts.empty() &&
        !q.slaveHosts.count(t->st.assignedTask.slaveHost)) {
      continue;
    }
    api::ScheduledTask st = t->st;
    if (with_configs) {
      st.assignedTask.task = *t->config;
    } else {
      // One copy of each config without its executor data, however many tasks share it.
      // Aurora's ReadOnlySchedulerImpl.getTasksWithoutConfigs unsets the data field (not
      // empties it): a client must not rely on reading it there.
      auto [it, fresh] = stripped.try_emplace(t->config.get());
      if (fresh) {
        it->second = *t->config;
        it->second.executorConfig.data.clear();
        it->second.executorConfig.__isset.data = false;
      }
      st.assignedTask.task = it->second;
    }
    out.push_back(std::move(st));
  }
  const int32_t offset = q.__isset.offset && q.offset > 0 ? q.offset : 0;
  if (offset > 0) out.erase(out.begin(), out.begin() + std::min<size_t>(offset, out.size()));
  if (q.__isset.limit && q.limit > 0 && out.size() > static_cast<size_t>(q.limit)) {
    out.resize(q.limit);
  }
  api::Response r = Ok();
  r.result.scheduleStatusResult.tasks = std::move(out);
  r.result.__isset.scheduleStatusResult = true;
  r.__isset.result = true;
  return r;
}

api::Response Scheduler::GetJobs(const std::string& role) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_["thrift_workload_getJobs"];
  // One JobConfiguration per job, from its most recently changed active task.
  std::map<api::JobKey, std::pair<const Task*, int32_t>> jobs;
  for (const auto& [id, t] : tasks_) {
    if (!Active(t->st.status)) continue;
    if (!role.empty() && t->job().role != role) continue;
    auto& [latest, count] = jobs[t->job()];
    ++count;
    if (!latest || t->st.taskEvents.back().timestamp > latest->st.taskEvents.back().timestamp) {
      latest = t.get();
    }
  }
  api::Response r = Ok();
  for (const auto& [key, entry] : jobs) {
    api::JobConfiguration j;
    j.key = key;
    j.owner = entry.first->config->owner;
    j.cronCollisionPolicy = api::CronCollisionPolicy::KILL_EXISTING;
    j.taskConfig = *entry.first->config;
    j.instanceCount = entry.second;
    r.result.getJobsResult.configs.insert(j);
  }
  r.result.__isset.getJobsResult = true;
  r.__isset.result = true;
  return r;
}

api::Response Scheduler::GetJobSummary(const std::string& role) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<api::JobKey, std::pair<api::JobSummary, const Task*>> jobs;
  for (const auto& [id, t] : tasks_) {
    if (!role.empty() && t->job().role != role) continue;
    auto& [summary, latest] = jobs[t->job()];
    ++summary.job.instanceCount;  // all retained tasks, as Aurora does
    switch (t->st.status) {
      case ScheduleStatus::INIT:
      case ScheduleStatus::PENDING:
      case ScheduleStatus::THROTTLED:
        ++summary.stats.pendingTaskCount;
        break;
      case ScheduleStatus::KILLED:
      case ScheduleStatus::FINISHED:
        ++summary.stats.finishedTaskCount;
        break;
      case ScheduleStatus::FAILED:
      case ScheduleStatus::LOST:
        ++summary.stats.failedTaskCount;
        break;
      default:
        ++summary.stats.activeTaskCount;
    }
    if (!latest || t->st.taskEvents.back().timestamp > latest->st.taskEvents.back().timestamp) {
      latest = t.get();
    }
  }
  api::Response r = Ok();
  for (auto& [key, entry] : jobs) {
    api::JobSummary s = entry.first;
    s.job.key = key;
    s.job.owner = entry.second->config->owner;
    s.job.taskConfig = *entry.second->config;
    r.result.jobSummaryResult.summaries.insert(s);
  }
  r.result.__isset.jobSummaryResult = true;
  r.__isset.result = true;
  return r;
}

api::Response Scheduler::GetConfigSummary(const api::JobKey& job) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::shared_ptr<const api::TaskConfig>, std::set<int32_t>>> groups;
  for (auto [instance, t] : ActiveByInstance(job)) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return *g.first == *t->config; });
    if (it == groups.end()) {
      groups.push_back({t->config, {instance}});
    } else {
      it->second.insert(instance);
    }
  }
  api::Response r = Ok();
  r.result.configSummaryResult.summary.key = job;
  for (const auto& [config, ids] : groups) {
    r.result.configSummaryResult.summary.groups.insert(
        ToThrift(ConfigGroup{FromThrift(*config), ToRanges(ids)}));
  }
  r.result.__isset.configSummaryResult = true;
  r.__isset.result = true;
  return r;
}

api::Response Scheduler::GetQuota(const std::string& role) {
  std::lock_guard<std::mutex> lock(mu_);
  api::Response r = Ok();
  r.result.__isset.getQuotaResult = true;  // no quota: preemptible work needs none
  r.__isset.result = true;
  return r;
}

api::Response Scheduler::GetTierConfigs() {
  std::lock_guard<std::mutex> lock(mu_);
  api::Response r = Ok();
  auto& result = r.result.getTierConfigResult;
  result.defaultTierName = "preemptible";
  for (const auto& [name, preemptible, revocable] :
       {std::tuple<const char*, const char*, const char*>{"preferred", "false", "false"},
        {"preemptible", "true", "false"},
        {"revocable", "true", "true"}}) {
    api::TierConfig t;
    t.name = name;
    t.settings = {{"preemptible", preemptible}, {"revocable", revocable}};
    result.tiers.insert(t);
  }
  r.result.__isset.getTierConfigResult = true;
  r.__isset.result = true;
  return r;
}

// ---- the task state machine

void Scheduler::AdvanceTask(Task& t, std::vector<LaunchSpec>& launches) {
  const int64_t now = NowMs();
  switch (t.st.status) {
    case ScheduleStatus::THROTTLED:
      if (now >= t.not_before_ms) Transition(t, ScheduleStatus::PENDING, "");
      return;
    case ScheduleStatus::PENDING: {
      if (now < t.not_before_ms) return;
      auto& a = t.st.assignedTask;
      a.slaveId = options_.hostname + "-agent";
      a.slaveHost = options_.hostname;
      a.assignedPorts.clear();
      for (const auto& r : t.config->resources) {
        if (r.__isset.namedPort) a.assignedPorts[r.namedPort] = ports_();
      }
      Transition(t, ScheduleStatus::ASSIGNED, "");
      LaunchSpec spec;
      spec.task_id = t.id();
      spec.job = FromThrift(t.job());
      spec.instance = t.instance();
      spec.cluster = options_.cluster;
      spec.hostname = options_.hostname;
      spec.executor_data = t.config->executorConfig.data;
      spec.ports = a.assignedPorts;
      t.started_ms = now;
      launches.push_back(std::move(spec));  // launched by Tick, without the lock
      return;
    }
    case ScheduleStatus::STARTING:
    case ScheduleStatus::RUNNING:
    case ScheduleStatus::KILLING:
    case ScheduleStatus::RESTARTING: {
      auto exit = launcher_.Poll(t.id());
      if (!exit) return;
      const bool killing =
          t.st.status == ScheduleStatus::KILLING || t.st.status == ScheduleStatus::RESTARTING;
      switch (exit->kind) {
        case TaskExit::Kind::kFinished:
          Transition(t, killing ? ScheduleStatus::KILLED : ScheduleStatus::FINISHED, exit->message);
          break;
        case TaskExit::Kind::kFailed:
          Transition(t, killing ? ScheduleStatus::KILLED : ScheduleStatus::FAILED, exit->message);
          break;
        case TaskExit::Kind::kKilled:
          Transition(t, ScheduleStatus::KILLED, exit->message);
          break;
        case TaskExit::Kind::kLost:
          Transition(t, ScheduleStatus::LOST, exit->message);
          break;
      }
      return;
    }
    default:
      return;
  }
}

void Scheduler::Prune(const api::JobKey& job) {
  std::vector<Task*> terminal;
  for (Task* t : TasksOfJob(job)) {
    if (Terminal(t->st.status)) terminal.push_back(t);
  }
  if (terminal.size() <= options_.terminal_tasks_kept_per_job) return;
  std::sort(terminal.begin(), terminal.end(), [](const Task* a, const Task* b) {
    return a->st.taskEvents.back().timestamp < b->st.taskEvents.back().timestamp;
  });
  for (size_t i = 0; i + options_.terminal_tasks_kept_per_job < terminal.size(); ++i) {
    EraseTask(terminal[i]->id());
  }
}

// A RUNNING task changes only when its processes end (which only a launcher that runs real
// processes can see, by polling) or when it is told to; a terminal one never. So a tick looks at
// the tasks that are on their way somewhere, not at the whole estate, unless the launcher must be
// polled for every live task.
std::vector<std::string> Scheduler::TasksToAdvance() {
  std::vector<std::string> ids;
  if (!launcher_.EndsOnlyWhenKilled()) {
    ids.reserve(tasks_.size());
    for (const auto& [id, t] : tasks_) ids.push_back(id);
    return ids;
  }
  for (auto it = moving_.begin(); it != moving_.end();) {
    auto t = tasks_.find(*it);
    if (t == tasks_.end() || t->second->st.status == ScheduleStatus::RUNNING ||
        Terminal(t->second->st.status)) {
      it = moving_.erase(it);
    } else {
      ids.push_back(*it++);
    }
  }
  return ids;
}

void Scheduler::Tick() {
  std::vector<LaunchSpec> launches;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& id : TasksToAdvance()) {
      auto it = tasks_.find(id);
      if (it != tasks_.end()) AdvanceTask(*it->second, launches);
    }
    for (auto& u : updates_) {
      if (IsActiveUpdate(static_cast<UpdateStatus>(u->status()))) AdvanceUpdate(*u);
    }
    for (const auto& job : std::exchange(prune_due_, {})) Prune(job);
  }
  if (launches.empty()) return;
  // Starting a task forks and writes its sandbox: that takes a while (15 tasks took over 5 s
  // on a loaded machine under ASan), and RPCs must not wait on it, as Aurora's scheduler answers
  // while its agents launch. The tasks stay ASSIGNED meanwhile.
  std::vector<std::pair<std::string, Status>> started;
  for (const auto& spec : launches) started.emplace_back(spec.task_id, launcher_.Launch(spec));
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, status] : started) OnLaunched(id, status);
}

void Scheduler::OnLaunched(const std::string& task_id, const Status& launched) {
  auto it = tasks_.find(task_id);
  Task* t = it == tasks_.end() ? nullptr : it->second.get();
  if (!t || t->st.status != ScheduleStatus::ASSIGNED) {
    // Killed while it was being launched: the kill found nothing to stop then.
    if (launched.ok()) launcher_.Kill(task_id);
    if (t && !launched.ok()) Transition(*t, ScheduleStatus::KILLED, "Failed to start");
    return;
  }
  if (!launched.ok()) {
    Transition(*t, ScheduleStatus::FAILED, "Failed to start: " + launched.message());
    return;
  }
  Transition(*t, ScheduleStatus::STARTING, "");
  // No health check is run: RUNNING follows the launch, as for a task without a health port.
  Transition(*t, ScheduleStatus::RUNNING, "");
}

std::map<std::string, int64_t> Scheduler::Vars() {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, int64_t> out = counters_;
  for (const char* s : {"PENDING", "THROTTLED", "ASSIGNED", "STARTING", "RUNNING", "KILLING",
                        "RESTARTING", "FINISHED", "FAILED", "KILLED", "LOST"}) {
    out[std::string("task_store_") + s] = 0;
  }
  for (const auto& [id, t] : tasks_) {
    ++out[std::string("task_store_") + api::to_string(t->st.status)];
  }
  out["jobs_updates_active"] = 0;
  for (const auto& u : updates_) {
    out["jobs_updates_active"] += IsActiveUpdate(static_cast<UpdateStatus>(u->status()));
  }
  return out;
}

}  // namespace hgo::aurora::local
