#include "aurora/types.h"

namespace hgo::aurora {

std::string_view TaskStatusName(TaskStatus s) {
  switch (s) {
    case TaskStatus::kPending:
      return "PENDING";
    case TaskStatus::kStarting:
      return "STARTING";
    case TaskStatus::kRunning:
      return "RUNNING";
    case TaskStatus::kFinished:
      return "FINISHED";
    case TaskStatus::kFailed:
      return "FAILED";
    case TaskStatus::kKilled:
      return "KILLED";
    case TaskStatus::kKilling:
      return "KILLING";
    case TaskStatus::kLost:
      return "LOST";
    case TaskStatus::kAssigned:
      return "ASSIGNED";
    case TaskStatus::kInit:
      return "INIT";
    case TaskStatus::kRestarting:
      return "RESTARTING";
    case TaskStatus::kPreempting:
      return "PREEMPTING";
    case TaskStatus::kThrottled:
      return "THROTTLED";
    case TaskStatus::kDraining:
      return "DRAINING";
    case TaskStatus::kPartitioned:
      return "PARTITIONED";
  }
  return "UNKNOWN";
}

bool IsActive(TaskStatus s) {
  switch (s) {
    case TaskStatus::kAssigned:
    case TaskStatus::kDraining:
    case TaskStatus::kKilling:
    case TaskStatus::kPending:
    case TaskStatus::kPreempting:
    case TaskStatus::kRestarting:
    case TaskStatus::kRunning:
    case TaskStatus::kStarting:
    case TaskStatus::kPartitioned:
    case TaskStatus::kThrottled:
      return true;
    default:
      return false;
  }
}

bool IsTerminal(TaskStatus s) {
  return s == TaskStatus::kFailed || s == TaskStatus::kFinished || s == TaskStatus::kKilled ||
         s == TaskStatus::kLost;
}

std::string_view UpdateStatusName(UpdateStatus s) {
  switch (s) {
    case UpdateStatus::kRollingForward:
      return "ROLLING_FORWARD";
    case UpdateStatus::kRollingBack:
      return "ROLLING_BACK";
    case UpdateStatus::kRollForwardPaused:
      return "ROLL_FORWARD_PAUSED";
    case UpdateStatus::kRollBackPaused:
      return "ROLL_BACK_PAUSED";
    case UpdateStatus::kRolledForward:
      return "ROLLED_FORWARD";
    case UpdateStatus::kRolledBack:
      return "ROLLED_BACK";
    case UpdateStatus::kAborted:
      return "ABORTED";
    case UpdateStatus::kError:
      return "ERROR";
    case UpdateStatus::kFailed:
      return "FAILED";
    case UpdateStatus::kRollForwardAwaitingPulse:
      return "ROLL_FORWARD_AWAITING_PULSE";
    case UpdateStatus::kRollBackAwaitingPulse:
      return "ROLL_BACK_AWAITING_PULSE";
  }
  return "UNKNOWN";
}

bool IsActiveUpdate(UpdateStatus s) {
  switch (s) {
    case UpdateStatus::kRollingForward:
    case UpdateStatus::kRollingBack:
    case UpdateStatus::kRollForwardPaused:
    case UpdateStatus::kRollBackPaused:
    case UpdateStatus::kRollForwardAwaitingPulse:
    case UpdateStatus::kRollBackAwaitingPulse:
      return true;
    default:
      return false;
  }
}

std::string_view InstanceActionName(InstanceAction a) {
  switch (a) {
    case InstanceAction::kUpdated:
      return "INSTANCE_UPDATED";
    case InstanceAction::kRolledBack:
      return "INSTANCE_ROLLED_BACK";
    case InstanceAction::kUpdating:
      return "INSTANCE_UPDATING";
    case InstanceAction::kRollingBack:
      return "INSTANCE_ROLLING_BACK";
    case InstanceAction::kUpdateFailed:
      return "INSTANCE_UPDATE_FAILED";
    case InstanceAction::kRollbackFailed:
      return "INSTANCE_ROLLBACK_FAILED";
  }
  return "UNKNOWN";
}

std::vector<Range> ToRanges(const std::set<int32_t>& ids) {
  std::vector<Range> out;
  for (int32_t id : ids) {
    if (!out.empty() && out.back().last + 1 == id) {
      out.back().last = id;
    } else {
      out.push_back(Range{id, id});
    }
  }
  return out;
}

std::set<int32_t> FromRanges(const std::vector<Range>& ranges) {
  std::set<int32_t> out;
  for (const auto& r : ranges) {
    // A job has at most 4000 instances; a larger range is bad input, not a reason to hang.
    if (r.first < 0 || r.last < r.first || r.last - r.first > 100000) continue;
    for (int32_t i = r.first; i <= r.last; ++i) out.insert(i);
  }
  return out;
}

TaskStateView ViewOf(const Task& t, std::vector<std::pair<std::string, int32_t>>& ports,
                     std::vector<std::pair<std::string, std::string>>& metadata) {
  ports.assign(t.ports.begin(), t.ports.end());
  metadata.assign(t.config.metadata.begin(), t.config.metadata.end());
  TaskStateView v;
  v.job = &t.config.job;
  v.task_id = t.task_id;
  v.host = t.slave_host;
  v.instance_id = t.instance_id;
  v.status = t.status;
  v.failure_count = t.failure_count;
  v.ports = ports;
  v.metadata = metadata;
  v.events = t.events;
  return v;
}

Task TaskOf(const TaskStateView& v) {
  Task t;
  t.task_id = v.task_id;
  t.instance_id = v.instance_id;
  t.status = v.status;
  t.slave_host = v.host;
  t.ports.insert(v.ports.begin(), v.ports.end());
  t.failure_count = v.failure_count;
  if (v.job) t.config.job = *v.job;
  for (const auto& [key, value] : v.metadata) {
    auto [it, added] = t.config.metadata.emplace(key, value);
    if (!added && value > it->second) it->second = value;
  }
  t.events.assign(v.events.begin(), v.events.end());
  return t;
}

}  // namespace hgo::aurora
