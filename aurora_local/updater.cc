// Job updates with Aurora's semantics (Aurora's JobUpdateControllerImpl,
// JobUpdateStateMachine, InstanceUpdater): the diff, the per-instance
// updater, batches, failure limits, rollback, pause/resume/abort and pulses.
#include <algorithm>

#include "aurora/codec.h"
#include "aurora_local/scheduler_internal.h"

namespace hgo::aurora::local {

using api::JobUpdateAction;
using api::JobUpdateStatus;
using api::ResponseCode;
using api::ScheduleStatus;
using Instance = Scheduler::Update::Instance;

namespace {

bool Active(ScheduleStatus::type s) { return IsActive(static_cast<TaskStatus>(s)); }
bool Terminal(ScheduleStatus::type s) { return IsTerminal(static_cast<TaskStatus>(s)); }

std::string Name(JobUpdateStatus::type s) { return api::to_string(s); }

bool Forward(JobUpdateStatus::type s) {
  return s == JobUpdateStatus::ROLLING_FORWARD || s == JobUpdateStatus::ROLL_FORWARD_PAUSED ||
         s == JobUpdateStatus::ROLL_FORWARD_AWAITING_PULSE;
}

int32_t GroupSize(const api::JobUpdateSettings& s, bool* batch) {
  *batch = false;
  if (s.__isset.updateStrategy) {
    const auto& st = s.updateStrategy;
    if (st.__isset.queueStrategy) return st.queueStrategy.groupSize;
    *batch = true;
    if (st.__isset.batchStrategy) return st.batchStrategy.groupSize;
    if (st.__isset.varBatchStrategy && !st.varBatchStrategy.groupSizes.empty()) {
      return st.varBatchStrategy.groupSizes.front();
    }
  }
  *batch = s.waitForBatchCompletion;
  return s.updateGroupSize;
}

// Groups instances by identical config, as Aurora's ConfigGroups.
std::set<api::ConfigGroup> Groups(
    const std::map<int32_t, std::shared_ptr<const api::TaskConfig>>& by_instance) {
  std::vector<std::pair<std::shared_ptr<const api::TaskConfig>, std::set<int32_t>>> groups;
  for (const auto& [id, config] : by_instance) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return *g.first == *config; });
    if (it == groups.end()) {
      groups.push_back({config, {id}});
    } else {
      it->second.insert(id);
    }
  }
  std::set<api::ConfigGroup> out;
  for (const auto& [config, ids] : groups) {
    api::ConfigGroup g;
    g.config = *config;
    for (const auto& r : ToThrift(ToRanges(ids))) g.instances.insert(r);
    out.insert(g);
  }
  return out;
}

}  // namespace

// The diff of a request against the job's active tasks: which instances are added, removed,
// updated (config differs) or unchanged. Full TaskConfig equality decides.
struct JobDiff {
  std::map<int32_t, std::shared_ptr<const api::TaskConfig>> add, remove, update, unchanged;
};

static JobDiff Diff(const std::map<int32_t, Scheduler::Task*>& active,
                    const std::shared_ptr<const api::TaskConfig>& desired, int32_t count,
                    const std::set<int32_t>& only) {
  JobDiff d;
  auto in_scope = [&](int32_t id) { return only.empty() || only.count(id); };
  for (int32_t i = 0; i < count; ++i) {
    if (!in_scope(i)) continue;
    auto it = active.find(i);
    if (it == active.end()) {
      d.add[i] = desired;
    } else if (*it->second->config == *desired) {
      d.unchanged[i] = desired;
    } else {
      d.update[i] = it->second->config;
    }
  }
  for (const auto& [id, t] : active) {
    if (id >= count && in_scope(id)) d.remove[id] = t->config;
  }
  return d;
}

api::Response Scheduler::GetJobUpdateDiff(const api::JobUpdateRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = ValidateTaskConfig(request.taskConfig); !s.ok()) {
    return Error(ResponseCode::INVALID_REQUEST, s.message());
  }
  auto desired = std::make_shared<const api::TaskConfig>(Populate(request.taskConfig));
  JobDiff d = Diff(ActiveByInstance(request.taskConfig.job), desired, request.instanceCount,
                   FromRanges(FromThrift(request.settings.updateOnlyTheseInstances)));
  api::Response r = Ok();
  auto& out = r.result.getJobUpdateDiffResult;
  out.add = Groups(d.add);
  out.remove = Groups(d.remove);
  out.update = Groups(d.update);
  out.unchanged = Groups(d.unchanged);
  r.result.__isset.getJobUpdateDiffResult = true;
  r.__isset.result = true;
  return r;
}

api::Response Scheduler::StartJobUpdate(const api::JobUpdateRequest& request,
                                        const std::string& message, const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_["thrift_workload_startJobUpdate"];
  const api::JobKey& job = request.taskConfig.job;
  if (Status s = ValidateTaskConfig(request.taskConfig); !s.ok()) {
    return Error(ResponseCode::INVALID_REQUEST, s.message());
  }
  if (!request.taskConfig.isService) {
    return Error(ResponseCode::INVALID_REQUEST, "Updates are not supported for non-service tasks.");
  }
  const auto& st = request.settings;
  bool batch = false;
  const int32_t group = GroupSize(st, &batch);
  if (group <= 0)
    return Error(ResponseCode::INVALID_REQUEST, "Update group size must be positive.");
  if (st.maxPerInstanceFailures < 0 || st.maxFailedInstances < 0 ||
      st.minWaitInInstanceRunningMs < 0 ||
      (st.__isset.blockIfNoPulsesAfterMs && st.blockIfNoPulsesAfterMs < 0)) {
    return Error(ResponseCode::INVALID_REQUEST, "Update settings must not be negative.");
  }
  // As Aurora's startJobUpdate: an SLA-aware update needs the task's SLA policy to ask
  // (reference/aurora-api.md, "startJobUpdate validation").
  if (st.__isset.slaAware && st.slaAware && !request.taskConfig.__isset.slaPolicy) {
    return Error(ResponseCode::INVALID_REQUEST,
                 "slaAware is set but the task config has no slaPolicy.");
  }
  if (request.instanceCount < 1 || request.instanceCount > options_.max_tasks_per_job) {
    return Error(ResponseCode::INVALID_REQUEST, "Instance count must be between 1 and " +
                                                    std::to_string(options_.max_tasks_per_job));
  }
  for (const auto& u : updates_) {
    if (u->key().job == job && IsActiveUpdate(static_cast<UpdateStatus>(u->status()))) {
      api::Response r = Error(ResponseCode::INVALID_REQUEST,
                              "An active update already exists for this job, please terminate it "
                              "before starting another. Active updates are those in states " +
                                  std::string("ROLLING_FORWARD, ROLLING_BACK, ROLL_FORWARD_PAUSED, "
                                              "ROLL_BACK_PAUSED, ROLL_FORWARD_AWAITING_PULSE, "
                                              "ROLL_BACK_AWAITING_PULSE"));
      r.result.startJobUpdateResult.key = u->key();
      r.result.startJobUpdateResult.__set_updateSummary(u->details.update.summary);
      r.result.__isset.startJobUpdateResult = true;
      r.__isset.result = true;
      return r;
    }
  }
  auto desired = std::make_shared<const api::TaskConfig>(Populate(request.taskConfig));
  auto active = ActiveByInstance(job);
  const std::set<int32_t> only = FromRanges(FromThrift(st.updateOnlyTheseInstances));
  for (int32_t id : only) {
    if (!active.count(id) && id >= request.instanceCount) {
      return Error(ResponseCode::INVALID_REQUEST,
                   "Instance " + std::to_string(id) + " is neither current nor desired.");
    }
  }
  JobDiff d = Diff(active, desired, request.instanceCount, only);
  if (d.add.empty() && d.update.empty() && d.remove.empty()) {
    api::Response r = Ok();
    api::ResponseDetail detail;
    detail.message = "Job is unchanged by proposed update.";
    r.details.push_back(detail);
    return r;
  }

  auto u = std::make_unique<Update>();
  const int64_t now = NowMs();
  auto& summary = u->details.update.summary;
  summary.key.job = job;
  summary.key.id = NewUuid();
  summary.user = user;
  summary.state.createdTimestampMs = now;
  summary.state.lastModifiedTimestampMs = now;
  summary.state.status = JobUpdateStatus::ROLLING_FORWARD;
  if (request.__isset.metadata) summary.__set_metadata(request.metadata);
  auto& ins = u->details.update.instructions;
  ins.settings = st;
  u->desired = desired;
  for (const auto& [id, c] : d.update) u->initial[id] = c;
  for (const auto& [id, c] : d.remove) u->initial[id] = c;
  for (const auto& [id, c] : d.add) u->desired_ids.insert(id);
  for (const auto& [id, c] : d.update) u->desired_ids.insert(id);
  for (const auto& g : Groups(u->initial)) {
    api::InstanceTaskConfig itc;
    itc.task = g.config;
    itc.instances = g.instances;
    ins.initialState.insert(itc);
  }
  if (!u->desired_ids.empty()) {
    api::InstanceTaskConfig itc;
    itc.task = *desired;
    for (const auto& r : ToThrift(ToRanges(u->desired_ids))) itc.instances.insert(r);
    ins.__set_desiredState(itc);
  }
  for (const auto& [id, c] : d.add) u->order.push_back(id);
  for (const auto& [id, c] : d.update) u->order.push_back(id);
  for (const auto& [id, c] : d.remove) u->order.push_back(id);
  for (int32_t id : u->order) u->state[id] = Instance::kPending;
  u->last_pulse_ms = now;
  Update& ref = *u;
  updates_.push_back(std::move(u));
  const bool coordinated = st.__isset.blockIfNoPulsesAfterMs && st.blockIfNoPulsesAfterMs > 0;
  // The first event records the start; a coordinated update waits for its first pulse.
  summary.state.status = JobUpdateStatus::ROLLING_FORWARD;
  api::JobUpdateEvent first;
  first.status =
      coordinated ? JobUpdateStatus::ROLL_FORWARD_AWAITING_PULSE : JobUpdateStatus::ROLLING_FORWARD;
  first.timestampMs = now;
  first.__set_user(user);
  if (!message.empty()) first.__set_message(message);
  ref.details.updateEvents.push_back(first);
  ref.details.update.summary.state.status = first.status;
  ++generation_;
  dirty_updates_.insert(ref.key().id);
  AdvanceUpdate(ref);

  api::Response r = Ok();
  r.result.startJobUpdateResult.key = ref.key();
  r.result.startJobUpdateResult.__set_updateSummary(ref.details.update.summary);
  r.result.__isset.startJobUpdateResult = true;
  r.__isset.result = true;
  return r;
}

void Scheduler::SetUpdateStatus(Update& u, JobUpdateStatus::type status, const std::string& user,
                                const std::string& message) {
  auto& state = u.details.update.summary.state;
  if (state.status == status) return;
  state.status = status;
  state.lastModifiedTimestampMs = NowMs();
  api::JobUpdateEvent e;
  e.status = status;
  e.timestampMs = state.lastModifiedTimestampMs;
  if (!user.empty()) e.__set_user(user);
  if (!message.empty()) e.__set_message(message);
  u.details.updateEvents.push_back(e);
  ++generation_;
  dirty_updates_.insert(u.key().id);
}

namespace {

void InstanceEvent(Scheduler::Update& u, int32_t id, JobUpdateAction::type action, int64_t now) {
  for (const auto& e : u.details.instanceEvents) {
    if (e.instanceId == id && e.action == action) return;  // each action once per instance
  }
  api::JobInstanceUpdateEvent e;
  e.instanceId = id;
  e.timestampMs = now;
  e.action = action;
  u.details.instanceEvents.push_back(e);
}

}  // namespace

void Scheduler::AdvanceUpdate(Update& u) {
  const uint64_t before = generation_;
  AdvanceUpdateSteps(u);
  if (generation_ != before) dirty_updates_.insert(u.key().id);
}

void Scheduler::AdvanceUpdateSteps(Update& u) {
  const JobUpdateStatus::type status = u.status();
  if (status != JobUpdateStatus::ROLLING_FORWARD && status != JobUpdateStatus::ROLLING_BACK) {
    return;  // paused, awaiting a pulse, or over
  }
  const auto& st = u.settings();
  const int64_t now = NowMs();
  if (st.__isset.blockIfNoPulsesAfterMs && st.blockIfNoPulsesAfterMs > 0 &&
      now - u.last_pulse_ms > st.blockIfNoPulsesAfterMs) {
    SetUpdateStatus(u,
                    u.rolling_back ? JobUpdateStatus::ROLL_BACK_AWAITING_PULSE
                                   : JobUpdateStatus::ROLL_FORWARD_AWAITING_PULSE,
                    "", "Pulses from external service have timed out.");
    return;
  }
  const std::string& update_id = u.key().id;
  auto target = [&](int32_t id) -> std::shared_ptr<const api::TaskConfig> {
    if (u.rolling_back) {
      auto it = u.initial.find(id);
      return it == u.initial.end() ? nullptr : it->second;
    }
    return u.desired_ids.count(id) ? u.desired : nullptr;
  };
  // One instance towards its target: kill what differs, create what is missing, wait for
  // RUNNING for minWaitInInstanceRunningMs, count failures of its new tasks.
  auto evaluate = [&](int32_t id) -> Instance {
    auto want = target(id);
    const api::JobKey& job = u.key().job;
    // The job's tasks only (one range of tasks_): with thousands of updates in flight, a scan
    // of every task for every instance of every update was most of a tick.
    const std::vector<Task*> of_job = TasksOfJob(job);
    Task* active = nullptr;
    for (Task* t : of_job) {
      if (t->instance() == id && Active(t->st.status)) active = t;
    }
    if (want) {
      for (Task* t : of_job) {
        if (t->instance() != id || !Terminal(t->st.status)) continue;
        if (!(*t->config == *want) || t->started_ms < u.working_since_ms[id]) continue;
        if (t->st.status == ScheduleStatus::KILLED && !t->reschedule_on_end) continue;
        if (u.counted[id].insert(t->id()).second) ++u.failures[id];
      }
      if (u.failures[id] > st.maxPerInstanceFailures) return Instance::kFailed;
    }
    if (!want) {
      if (!active) return Instance::kSucceeded;
      RequestKill(*active, "Killed for job update " + update_id, /*reschedule=*/false);
      return Instance::kWorking;
    }
    if (active && !(*active->config == *want)) {
      RequestKill(*active, "Killed for job update " + update_id, /*reschedule=*/false);
      return Instance::kWorking;
    }
    if (!active) {
      // The old task is gone: its replacement starts now.
      Task& t = InsertTask(job, id, want, "", 0, {});
      t.update_id = update_id;
      return Instance::kWorking;
    }
    if (active->st.status == ScheduleStatus::RUNNING &&
        now - active->running_since_ms >= st.minWaitInInstanceRunningMs) {
      return Instance::kSucceeded;
    }
    return Instance::kWorking;
  };

  int failed = 0, working = 0, pending = 0;
  int32_t last_failed = -1;
  for (auto& [id, s] : u.state) {
    if (s == Instance::kWorking) {
      s = evaluate(id);
      if (s == Instance::kSucceeded) {
        InstanceEvent(u, id,
                      u.rolling_back ? JobUpdateAction::INSTANCE_ROLLED_BACK
                                     : JobUpdateAction::INSTANCE_UPDATED,
                      now);
        ++generation_;
      } else if (s == Instance::kFailed) {
        InstanceEvent(u, id,
                      u.rolling_back ? JobUpdateAction::INSTANCE_ROLLBACK_FAILED
                                     : JobUpdateAction::INSTANCE_UPDATE_FAILED,
                      now);
        ++generation_;
      }
    }
    failed += s == Instance::kFailed;
    if (s == Instance::kFailed) last_failed = id;
    working += s == Instance::kWorking;
    pending += s == Instance::kPending;
  }
  if (failed > st.maxFailedInstances) {
    const std::string why = "Latest failure: instance " + std::to_string(last_failed) + " exited.";
    if (!u.rolling_back && st.rollbackOnFailure) {
      u.rolling_back = true;
      u.failures.clear();
      u.counted.clear();
      for (auto& [id, s] : u.state) s = Instance::kPending;
      std::reverse(u.order.begin(), u.order.end());
      SetUpdateStatus(u, JobUpdateStatus::ROLLING_BACK, "", why);
      return;
    }
    SetUpdateStatus(u, JobUpdateStatus::FAILED, "", why);
    return;
  }
  bool batch = false;
  const int32_t group = GroupSize(st, &batch);
  if (!batch || working == 0) {
    for (int32_t id : u.order) {
      if (working >= group) break;
      auto& s = u.state[id];
      if (s != Instance::kPending) continue;
      s = Instance::kWorking;
      u.working_since_ms[id] = now;
      InstanceEvent(u, id,
                    u.rolling_back ? JobUpdateAction::INSTANCE_ROLLING_BACK
                                   : JobUpdateAction::INSTANCE_UPDATING,
                    now);
      ++generation_;
      ++working;
      --pending;
      s = evaluate(id);  // kill the old task or create the new one right away
      if (s == Instance::kSucceeded) {
        InstanceEvent(u, id,
                      u.rolling_back ? JobUpdateAction::INSTANCE_ROLLED_BACK
                                     : JobUpdateAction::INSTANCE_UPDATED,
                      now);
        --working;
      }
    }
  }
  if (working == 0 && pending == 0) {
    SetUpdateStatus(
        u, u.rolling_back ? JobUpdateStatus::ROLLED_BACK : JobUpdateStatus::ROLLED_FORWARD, "", "");
  }
}

Scheduler::Update* Scheduler::FindUpdate(const api::JobUpdateKey& key) {
  for (auto& u : updates_) {
    if (u->key() == key) return u.get();
  }
  return nullptr;
}

api::Response Scheduler::ChangeUpdate(const api::JobUpdateKey& key, const std::string& message,
                                      const std::string& user, const std::string& rpc) {
  Update* u = FindUpdate(key);
  if (!u) {
    return Error(ResponseCode::INVALID_REQUEST, "Update does not exist: " + key.job.role + "/" +
                                                    key.job.environment + "/" + key.job.name + "/" +
                                                    key.id);
  }
  const JobUpdateStatus::type from = u->status();
  const bool coordinated =
      u->settings().__isset.blockIfNoPulsesAfterMs && u->settings().blockIfNoPulsesAfterMs > 0;
  JobUpdateStatus::type to = from;
  bool legal = false;
  if (rpc == "pause") {
    if (from == JobUpdateStatus::ROLLING_FORWARD ||
        from == JobUpdateStatus::ROLL_FORWARD_AWAITING_PULSE ||
        from == JobUpdateStatus::ROLL_FORWARD_PAUSED) {
      to = JobUpdateStatus::ROLL_FORWARD_PAUSED;
      legal = true;
    } else if (from == JobUpdateStatus::ROLLING_BACK ||
               from == JobUpdateStatus::ROLL_BACK_AWAITING_PULSE ||
               from == JobUpdateStatus::ROLL_BACK_PAUSED) {
      to = JobUpdateStatus::ROLL_BACK_PAUSED;
      legal = true;
    }
  } else if (rpc == "resume") {
    const bool expired =
        coordinated && NowMs() - u->last_pulse_ms > u->settings().blockIfNoPulsesAfterMs;
    if (from == JobUpdateStatus::ROLL_FORWARD_PAUSED || from == JobUpdateStatus::ROLLING_FORWARD) {
      to =
          expired ? JobUpdateStatus::ROLL_FORWARD_AWAITING_PULSE : JobUpdateStatus::ROLLING_FORWARD;
      legal = true;
    } else if (from == JobUpdateStatus::ROLL_BACK_PAUSED || from == JobUpdateStatus::ROLLING_BACK) {
      to = expired ? JobUpdateStatus::ROLL_BACK_AWAITING_PULSE : JobUpdateStatus::ROLLING_BACK;
      legal = true;
    }
  } else if (rpc == "abort") {
    to = JobUpdateStatus::ABORTED;
    legal = IsActiveUpdate(static_cast<UpdateStatus>(from));
  } else if (rpc == "rollback") {
    to = JobUpdateStatus::ROLLING_BACK;
    legal = Forward(from);
  }
  // Asking for the status an update already has is a no-op, not an error: Aurora's
  // JobUpdateControllerImpl.changeUpdateStatus returns before checking the transition (so an
  // abort of an aborted update answers OK). Pause and resume have a target only from the
  // states JobUpdateStateMachine maps (a finished update has none: an error).
  const bool fixed_target = rpc == "abort" || rpc == "rollback";
  if (to == from && (legal || fixed_target)) return Ok();
  if (!legal) {
    return Error(ResponseCode::INVALID_REQUEST,
                 "Cannot transition update from " + Name(from) + " to " + Name(to));
  }
  if (rpc == "rollback" && !u->rolling_back) {
    u->rolling_back = true;
    u->failures.clear();
    u->counted.clear();
    for (auto& [id, s] : u->state) s = Instance::kPending;
    std::reverse(u->order.begin(), u->order.end());
    dirty_updates_.insert(u->key().id);
  }
  SetUpdateStatus(*u, to, user, message);
  AdvanceUpdate(*u);
  return Ok();
}

api::Response Scheduler::PauseJobUpdate(const api::JobUpdateKey& key, const std::string& message,
                                        const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  return ChangeUpdate(key, message, user, "pause");
}

api::Response Scheduler::ResumeJobUpdate(const api::JobUpdateKey& key, const std::string& message,
                                         const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  return ChangeUpdate(key, message, user, "resume");
}

api::Response Scheduler::AbortJobUpdate(const api::JobUpdateKey& key, const std::string& message,
                                        const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  return ChangeUpdate(key, message, user, "abort");
}

api::Response Scheduler::RollbackJobUpdate(const api::JobUpdateKey& key, const std::string& message,
                                           const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  return ChangeUpdate(key, message, user, "rollback");
}

api::Response Scheduler::PulseJobUpdate(const api::JobUpdateKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  api::Response r = Ok();
  r.result.__isset.pulseJobUpdateResult = true;
  r.__isset.result = true;
  r.result.pulseJobUpdateResult.status = api::JobUpdatePulseStatus::FINISHED;
  Update* u = FindUpdate(key);
  const bool coordinated =
      u && u->settings().__isset.blockIfNoPulsesAfterMs && u->settings().blockIfNoPulsesAfterMs > 0;
  if (!u || !coordinated || !IsActiveUpdate(static_cast<UpdateStatus>(u->status()))) return r;
  u->last_pulse_ms = NowMs();
  dirty_updates_.insert(u->key().id);
  ++generation_;
  if (u->status() == JobUpdateStatus::ROLL_FORWARD_AWAITING_PULSE) {
    SetUpdateStatus(*u, JobUpdateStatus::ROLLING_FORWARD, "", "");
  } else if (u->status() == JobUpdateStatus::ROLL_BACK_AWAITING_PULSE) {
    SetUpdateStatus(*u, JobUpdateStatus::ROLLING_BACK, "", "");
  }
  AdvanceUpdate(*u);
  r.result.pulseJobUpdateResult.status = api::JobUpdatePulseStatus::OK;
  return r;
}

api::Response Scheduler::GetJobUpdateSummaries(const api::JobUpdateQuery& q) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<const Update*> matches;
  for (const auto& u : updates_) {
    const auto& s = u->details.update.summary;
    if (q.__isset.role && s.key.job.role != q.role) continue;
    if (q.__isset.key && !(s.key == q.key)) continue;
    if (q.__isset.jobKey && !(s.key.job == q.jobKey)) continue;
    if (q.__isset.user && s.user != q.user) continue;
    if (q.__isset.updateStatuses && !q.updateStatuses.empty() &&
        !q.updateStatuses.count(s.state.status)) {
      continue;
    }
    matches.push_back(u.get());
  }
  std::stable_sort(matches.begin(), matches.end(), [](const Update* a, const Update* b) {
    return a->details.update.summary.state.lastModifiedTimestampMs >
           b->details.update.summary.state.lastModifiedTimestampMs;
  });
  const size_t offset = q.__isset.offset && q.offset > 0 ? q.offset : 0;
  api::Response r = Ok();
  auto& out = r.result.getJobUpdateSummariesResult.updateSummaries;
  for (size_t i = offset; i < matches.size(); ++i) {
    if (q.__isset.limit && q.limit > 0 && out.size() >= static_cast<size_t>(q.limit)) break;
    out.push_back(matches[i]->details.update.summary);
  }
  r.result.__isset.getJobUpdateSummariesResult = true;
  r.__isset.result = true;
  return r;
}

api::Response Scheduler::GetJobUpdateDetails(const api::JobUpdateQuery& query) {
  api::Response summaries = GetJobUpdateSummaries(query);
  std::lock_guard<std::mutex> lock(mu_);
  api::Response r = Ok();
  for (const auto& s : summaries.result.getJobUpdateSummariesResult.updateSummaries) {
    if (Update* u = FindUpdate(s.key))
      r.result.getJobUpdateDetailsResult.detailsList.push_back(u->details);
  }
  r.result.__isset.getJobUpdateDetailsResult = true;
  r.__isset.result = true;
  return r;
}

}  // namespace hgo::aurora::local
