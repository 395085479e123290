// The heart of aurora-local: jobs, tasks and updates with Aurora's semantics (Aurora's
// SchedulerThriftInterface, StateManagerImpl, JobUpdateControllerImpl), in Aurora's Thrift types.
// Every RPC is a method returning Aurora's Response; Tick() moves tasks through PENDING -> ASSIGNED
// -> STARTING -> RUNNING -> terminal, reschedules service tasks with a flapping penalty, and drives
// updates (batches, minimum wait in RUNNING, failure limits, rollback, pause/resume/abort, pulses).
//
// Thread-safety: all public methods lock one mutex; Tick() is called by one driver thread and
// launches tasks without holding it (a launch forks and writes files; RPCs do not wait on it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "aurora/gen/api_types.h"
#include "aurora_local/launcher.h"
#include "common/clock.h"
#include "common/json.h"

namespace hgo::aurora::local {

struct SchedulerOptions {
  std::string cluster = "local";
  std::string hostname = "localhost";
  std::string allowed_environments = "^(prod|devel|test|staging\\d*)$";
  int32_t max_tasks_per_job = 4000;
  // A rescheduled task whose predecessor ran less than this is THROTTLED (flapping).
  std::chrono::milliseconds flapping_threshold{std::chrono::seconds(60)};
  std::chrono::milliseconds initial_flapping_delay{500};
  std::chrono::milliseconds max_flapping_delay{std::chrono::seconds(10)};
  size_t terminal_tasks_kept_per_job = 100;
};

// Allocates a host port for each named port of a task.
using PortAllocator = std::function<int32_t()>;

class Scheduler {
 public:
  Scheduler(SchedulerOptions options, const Clock& clock, TaskLauncher& launcher,
            PortAllocator ports);
  ~Scheduler();

  // Mutating RPCs; user is the audit user ("UNSECURE" without authentication).
  api::Response CreateJob(const api::JobConfiguration& job, const std::string& user);
  api::Response KillTasks(const api::JobKey& job, const std::set<int32_t>& instances,
                          const std::string& message, const std::string& user);
  api::Response AddInstances(const api::InstanceKey& key, int32_t count);
  api::Response RestartShards(const api::JobKey& job, const std::set<int32_t>& ids);
  api::Response StartJobUpdate(const api::JobUpdateRequest& request, const std::string& message,
                               const std::string& user);
  api::Response PauseJobUpdate(const api::JobUpdateKey& key, const std::string& message,
                               const std::string& user);
  api::Response ResumeJobUpdate(const api::JobUpdateKey& key, const std::string& message,
                                const std::string& user);
  api::Response AbortJobUpdate(const api::JobUpdateKey& key, const std::string& message,
                               const std::string& user);
  api::Response RollbackJobUpdate(const api::JobUpdateKey& key, const std::string& message,
                                  const std::string& user);
  api::Response PulseJobUpdate(const api::JobUpdateKey& key);

  // Read-only RPCs.
  api::Response GetJobs(const std::string& role);
  api::Response GetJobSummary(const std::string& role);
  api::Response GetTasks(const api::TaskQuery& query, bool with_configs);
  api::Response GetConfigSummary(const api::JobKey& job);
  api::Response GetJobUpdateSummaries(const api::JobUpdateQuery& query);
  api::Response GetJobUpdateDetails(const api::JobUpdateQuery& query);
  api::Response GetJobUpdateDiff(const api::JobUpdateRequest& request);
  api::Response GetQuota(const std::string& role);
  api::Response GetTierConfigs();

  // Moves every task and update one step; called every few tens of milliseconds.
  void Tick();

  // Durable state: everything needed to continue after a restart (tasks with their configs,
  // updates with their progress). A snapshot holds all of it; a delta holds what changed since
  // the last snapshot or delta (nullopt: nothing), so a change costs a few records, not the
  // whole state.
  // The snapshot as JSON text, handed to write in pieces (an error stops it) under the
  // scheduler's lock: write should only collect them.
  Status WriteSnapshot(const std::function<Status(std::string_view)>& write);
  std::optional<Json> TakeDelta();
  // Loads a snapshot and the deltas written after it, in order; running tasks are adopted
  // through the launcher or marked LOST.
  Status Restore(const Json& snapshot, const std::vector<Json>& deltas);
  // The same as text, and as a tree, for tests.
  std::string Snapshot();
  Json SnapshotJson();
  Status Restore(const std::string& snapshot);
  // Bumped by every change that must be persisted before a reply is sent.
  uint64_t generation() const;

  // Counters for /vars.
  std::map<std::string, int64_t> Vars();

  struct Task;
  struct Update;

 private:
  api::Response Ok();
  api::Response Error(api::ResponseCode::type code, const std::string& message);
  Status ValidateJobKey(const api::JobKey& key) const;
  Status ValidateTaskConfig(const api::TaskConfig& config) const;
  api::TaskConfig Populate(const api::TaskConfig& config) const;
  bool HasActiveUpdate(const api::JobKey& job) const;
  std::vector<Task*> TasksOfJob(const api::JobKey& job);
  std::vector<Task*> TasksWithPrefix(const std::string& prefix);  // of task ids
  std::vector<Task*> Candidates(const api::TaskQuery& q);
  std::map<int32_t, Task*> ActiveByInstance(const api::JobKey& job);
  std::vector<std::string> TasksToAdvance();  // ids, for Tick
  Task& InsertTask(const api::JobKey& job, int32_t instance,
                   std::shared_ptr<const api::TaskConfig> config, const std::string& ancestor,
                   int32_t failures, std::optional<int64_t> throttle_ms);
  void Transition(Task& t, api::ScheduleStatus::type status, const std::string& message);
  void RequestKill(Task& t, const std::string& message, bool reschedule);
  void OnTerminal(Task& t);
  void AdvanceTask(Task& t, std::vector<LaunchSpec>& launches);
  void OnLaunched(const std::string& task_id, const Status& launched);
  void AdvanceUpdate(Update& u);
  void AdvanceUpdateSteps(Update& u);
  void SetUpdateStatus(Update& u, api::JobUpdateStatus::type status, const std::string& user,
                       const std::string& message);
  api::Response ChangeUpdate(const api::JobUpdateKey& key, const std::string& message,
                             const std::string& user, const std::string& rpc);
  Update* FindUpdate(const api::JobUpdateKey& key);
  void Prune(const api::JobKey& job);
  int64_t NowMs() const;
  std::string NewTaskId(const api::JobKey& job, int32_t instance);
  std::string NewUuid();
  // Durable-state bookkeeping (snapshot.cc).
  std::string ConfigId(const std::shared_ptr<const api::TaskConfig>& config);
  Json TaskJson(const Task& t);
  Json UpdateJson(const Update& u);
  Status LoadTask(const Json& j);
  Status LoadUpdate(const Json& j);
  Status LoadConfigs(const Json* configs);
  void EraseTask(std::string id);

  const SchedulerOptions options_;
  const Clock& clock_;
  TaskLauncher& launcher_;
  PortAllocator ports_;
  std::regex identifier_;
  std::regex environment_;

  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::map<std::string, std::unique_ptr<Task>> tasks_;  // by task id
  std::vector<std::unique_ptr<Update>> updates_;        // oldest first
  // Tasks that changed state since Tick last found them RUNNING or terminal (ids; may name
  // tasks erased since), and jobs with a task newly terminal (Prune keeps the newest few).
  std::set<std::string> moving_;
  std::set<api::JobKey> prune_due_;
  uint64_t generation_ = 0;
  std::map<std::string, int64_t> counters_;
  // Durable-state bookkeeping: stable config ids, and what changed since the last delta.
  std::map<const api::TaskConfig*, std::string> config_ids_;
  std::map<std::string, std::shared_ptr<const api::TaskConfig>> configs_by_id_;
  uint64_t next_config_id_ = 0;
  std::set<std::string> new_configs_;
  std::set<std::string> dirty_tasks_;
  std::set<std::string> deleted_tasks_;
  std::set<std::string> dirty_updates_;
};

}  // namespace hgo::aurora::local
