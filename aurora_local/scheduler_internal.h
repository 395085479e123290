// The scheduler's records of tasks and updates (private to scheduler*.cc).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "aurora_local/scheduler.h"

namespace hgo::aurora::local {

struct Scheduler::Task {
  // assignedTask.task is left empty here; config holds it (shared by all tasks of a config).
  api::ScheduledTask st;
  std::shared_ptr<const api::TaskConfig> config;
  int64_t not_before_ms = 0;      // PENDING/THROTTLED: not scheduled before this time
  int64_t started_ms = -1;        // when it was launched (for the flapping rule)
  int64_t running_since_ms = -1;  // when it became RUNNING
  bool reschedule_on_end = true;  // false once a user or an update asked for the kill
  std::string update_id;          // the update that created it, if any

  const std::string& id() const { return st.assignedTask.taskId; }
  int32_t instance() const { return st.assignedTask.instanceId; }
  const api::JobKey& job() const { return config->job; }
};

struct Scheduler::Update {
  enum class Instance { kPending, kWorking, kSucceeded, kFailed };

  api::JobUpdateDetails details;                   // summary, instructions, events, instance events
  std::shared_ptr<const api::TaskConfig> desired;  // null: only removes
  std::set<int32_t> desired_ids;                   // replacements
  std::map<int32_t, std::shared_ptr<const api::TaskConfig>> initial;  // replaced: old config
  std::vector<int32_t> order;  // forward order: creates, then updates, then kills
  std::map<int32_t, Instance> state;
  std::map<int32_t, int32_t> failures;
  std::map<int32_t, std::set<std::string>> counted;  // failed task ids already counted
  std::map<int32_t, int64_t> working_since_ms;
  bool rolling_back = false;
  int64_t last_pulse_ms = 0;

  const api::JobUpdateKey& key() const { return details.update.summary.key; }
  api::JobUpdateStatus::type status() const { return details.update.summary.state.status; }
  const api::JobUpdateSettings& settings() const { return details.update.instructions.settings; }
};

}  // namespace hgo::aurora::local
