// Aurora's API in our own types: what AuroraApi takes and returns. No Thrift type appears
// outside aurora/. Enum numbers equal Aurora's, so a value can be logged or compared by number.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hgo::aurora {

struct JobKey {
  std::string role;
  std::string environment;
  std::string name;
  std::string ToString() const { return role + "/" + environment + "/" + name; }
  auto operator<=>(const JobKey&) const = default;
};

enum class TaskStatus : int32_t {
  kPending = 0,
  kStarting = 1,
  kRunning = 2,
  kFinished = 3,
  kFailed = 4,
  kKilled = 5,
  kKilling = 6,
  kLost = 7,
  kAssigned = 9,
  kInit = 11,
  kRestarting = 12,
  kPreempting = 13,
  kThrottled = 16,
  kDraining = 17,
  kPartitioned = 18,
};
std::string_view TaskStatusName(TaskStatus s);
// Aurora's ACTIVE_STATES and TERMINAL_STATES.
bool IsActive(TaskStatus s);
bool IsTerminal(TaskStatus s);

enum class UpdateStatus : int32_t {
  kRollingForward = 0,
  kRollingBack = 1,
  kRollForwardPaused = 2,
  kRollBackPaused = 3,
  kRolledForward = 4,
  kRolledBack = 5,
  kAborted = 6,
  kError = 7,
  kFailed = 8,
  kRollForwardAwaitingPulse = 9,
  kRollBackAwaitingPulse = 10,
};
std::string_view UpdateStatusName(UpdateStatus s);
bool IsActiveUpdate(UpdateStatus s);  // ACTIVE_JOB_UPDATE_STATES

enum class InstanceAction : int32_t {
  kUpdated = 1,
  kRolledBack = 2,
  kUpdating = 3,
  kRollingBack = 4,
  kUpdateFailed = 5,
  kRollbackFailed = 6,
};
std::string_view InstanceActionName(InstanceAction a);

// A closed range of instance ids.
struct Range {
  int32_t first = 0;
  int32_t last = 0;
  auto operator<=>(const Range&) const = default;
};
// {0,1,2,5} -> [0-2],[5-5]; and back.
std::vector<Range> ToRanges(const std::set<int32_t>& ids);
std::set<int32_t> FromRanges(const std::vector<Range>& ranges);

// A scheduling constraint on an agent attribute: a value constraint ("rack in {a,b}", negated
// for "not in") or a limit ("at most N per host").
struct Constraint {
  std::string name;
  bool negated = false;
  std::vector<std::string> values;  // sorted
  std::optional<int32_t> limit;     // set: a limit constraint, values unused
  auto operator<=>(const Constraint&) const = default;
};

struct TaskConfig {
  JobKey job;
  std::string owner;  // Identity.user; part of Aurora's config equality, so keep it constant
  bool is_service = true;
  int32_t priority = 0;
  int32_t max_task_failures = 1;
  std::string tier;         // empty: the scheduler's default
  bool production = false;  // read only: the scheduler derives it from the tier
  double cpus = 0;
  int64_t ram_mb = 0;
  int64_t disk_mb = 0;
  std::set<std::string> named_ports;
  std::vector<Constraint> constraints;  // sorted by name
  std::string executor_name = "AuroraExecutor";
  std::string executor_data;  // Thermos JSON; empty in getTasksWithoutConfigs answers
  std::map<std::string, std::string> metadata;
  std::string contact_email;
  // TaskConfig.slaPolicy (field 35): percentage or count of instances that must stay RUNNING
  // for duration_secs; absent when sla_kind is kNone. Coordinator policies are not built.
  enum class SlaKind { kNone, kPercentage, kCount };
  SlaKind sla_kind = SlaKind::kNone;
  double sla_percentage = 0;
  int64_t sla_count = 0;
  int64_t sla_duration_secs = 0;
  bool operator==(const TaskConfig&) const = default;
};

struct JobConfig {
  JobKey key;
  std::string owner;
  TaskConfig task;
  int32_t instance_count = 0;
};

struct TaskEvent {
  int64_t timestamp_ms = 0;
  TaskStatus status = TaskStatus::kPending;
  std::string message;
  std::string scheduler;
  friend bool operator==(const TaskEvent&, const TaskEvent&) = default;
};

struct Task {
  std::string task_id;
  int32_t instance_id = 0;
  TaskStatus status = TaskStatus::kPending;
  std::string slave_host;
  std::map<std::string, int32_t> ports;
  int32_t failure_count = 0;
  std::string ancestor_id;
  TaskConfig config;  // executor_data empty unless asked for with configs
  std::vector<TaskEvent> events;
  friend bool operator==(const Task&, const Task&) = default;
};

// One task as AuroraApi::ForEachTaskState hands it over: what observing a job reads of it (a
// Task's ids, host, instance, status, failure count, ports and events, and of its config only
// the job key and the metadata). Views into the reader's buffers, valid only during the call it
// is passed to: copy what you keep. Ports and metadata are in the answer's order.
struct TaskStateView {
  const JobKey* job = nullptr;
  std::string_view task_id;
  std::string_view host;
  int32_t instance_id = 0;
  TaskStatus status = TaskStatus::kPending;
  int32_t failure_count = 0;
  std::span<const std::pair<std::string, int32_t>> ports;
  std::span<const std::pair<std::string, std::string>> metadata;
  std::span<const TaskEvent> events;
};

// The view of a whole Task (what the default ForEachTaskState hands over). Valid while t and
// the two vectors, which it fills, live.
TaskStateView ViewOf(const Task& t, std::vector<std::pair<std::string, int32_t>>& ports,
                     std::vector<std::pair<std::string, std::string>>& metadata);
// The Task a view shows: of its config only the job key and the metadata (of equal keys the
// greatest value, as when Aurora's set of metadata is read into a map).
Task TaskOf(const TaskStateView& v);

// A task query; unset fields do not filter.
struct TaskQuery {
  std::optional<std::string> role;
  std::optional<std::string> environment;
  std::optional<std::string> job_name;
  std::set<JobKey> job_keys;
  std::set<TaskStatus> statuses;
  std::set<int32_t> instance_ids;
  std::set<std::string> task_ids;
};

struct JobStats {
  int32_t active = 0;
  int32_t finished = 0;
  int32_t failed = 0;
  int32_t pending = 0;
};
struct JobSummary {
  JobConfig job;
  JobStats stats;
};

struct UpdateSettings {
  int32_t group_size = 1;
  int32_t max_per_instance_failures = 0;
  int32_t max_failed_instances = 0;
  int32_t min_wait_in_running_ms = 0;
  bool rollback_on_failure = true;
  bool wait_for_batch_completion = false;  // batch strategy instead of queue
  std::optional<int32_t> block_if_no_pulses_after_ms;
  bool sla_aware = false;          // JobUpdateSettings.slaAware (field 10)
  std::vector<Range> update_only;  // empty: every instance
};

struct UpdateRequest {
  TaskConfig task;
  int32_t instance_count = 0;
  UpdateSettings settings;
  std::map<std::string, std::string> metadata;
};

struct UpdateKey {
  JobKey job;
  std::string id;
  auto operator<=>(const UpdateKey&) const = default;
};

struct UpdateSummary {
  UpdateKey key;
  std::string user;
  UpdateStatus status = UpdateStatus::kRollingForward;
  int64_t created_ms = 0;
  int64_t last_modified_ms = 0;
  std::map<std::string, std::string> metadata;
};

struct UpdateEvent {
  UpdateStatus status = UpdateStatus::kRollingForward;
  int64_t timestamp_ms = 0;
  std::string user;
  std::string message;
};

struct InstanceEvent {
  int32_t instance_id = 0;
  int64_t timestamp_ms = 0;
  InstanceAction action = InstanceAction::kUpdating;
  std::string message;
};

struct ConfigGroup {
  TaskConfig config;
  std::vector<Range> instances;
};

struct UpdateDetails {
  UpdateSummary summary;
  std::vector<ConfigGroup> initial_state;
  std::optional<ConfigGroup> desired_state;
  UpdateSettings settings;
  std::vector<UpdateEvent> events;
  std::vector<InstanceEvent> instance_events;
};

struct UpdateQuery {
  std::optional<std::string> role;
  std::optional<UpdateKey> key;
  std::optional<JobKey> job_key;
  std::optional<std::string> user;
  std::set<UpdateStatus> statuses;
  int32_t offset = 0;
  int32_t limit = 0;
};

struct StartUpdateResult {
  enum class Outcome { kStarted, kUnchanged, kBusy };
  Outcome outcome = Outcome::kStarted;
  // kStarted: the new update; kBusy: the update already in progress on the job.
  std::optional<UpdateKey> key;
  std::optional<UpdateSummary> summary;
};

struct UpdateDiff {
  std::vector<ConfigGroup> add;
  std::vector<ConfigGroup> remove;
  std::vector<ConfigGroup> update;
  std::vector<ConfigGroup> unchanged;
};

enum class PulseStatus : int32_t { kOk = 1, kFinished = 2 };

}  // namespace hgo::aurora
