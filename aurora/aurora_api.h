// AuroraApi: the narrow interface through which the controller drives an Aurora scheduler.
//
// Errors: Aurora's response codes become Status with Aurora's own message: INVALID_REQUEST ->
// kInvalidArgument, AUTH_FAILED -> kPermissionDenied, JOB_UPDATING_ERROR -> kFailedPrecondition,
// ERROR_TRANSIENT -> kUnavailable, ERROR -> kInternal. Transport failures: kUnavailable (refused,
// 503, no leader), kUnauthenticated (401/403), kDeadlineExceeded (a timeout: a mutating call may
// or may not have been applied).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "aurora/types.h"
#include "common/status.h"

namespace hgo::aurora {

class AuroraApi {
 public:
  virtual ~AuroraApi() = default;

  // Read-only calls (retried on transport errors).
  virtual StatusOr<std::vector<JobConfig>> GetJobs(const std::string& role) = 0;
  virtual StatusOr<std::vector<JobSummary>> GetJobSummary(const std::string& role) = 0;
  // getTasksWithoutConfigs (executor_data left empty), or getTasksStatus with with_configs.
  virtual StatusOr<std::vector<Task>> GetTasks(const TaskQuery& query,
                                               bool with_configs = false) = 0;
  // What observing jobs reads of their tasks: as GetTasks(query, false), except that of each
  // task's config only the job key and the metadata are sure to be filled (the scheduler's
  // client skips the rest while decoding).
  virtual StatusOr<std::vector<Task>> GetTaskStates(const TaskQuery& query) {
    return GetTasks(query, false);
  }
  // GetTaskStates without a list: each task is handed to each as soon as it is decoded, as a
  // view valid only during that call (at 10,000 topologies, building whole tasks and then
  // dropping most of them was a third of a no-op pass). On an error, what each saw is to be
  // discarded: the reply may have been read in part, or its response code may refuse the call.
  // This default reads GetTaskStates and hands its tasks over one by one.
  virtual Status ForEachTaskState(const TaskQuery& query,
                                  const std::function<void(const TaskStateView&)>& each);
  virtual StatusOr<std::vector<UpdateSummary>> GetJobUpdateSummaries(const UpdateQuery& q) = 0;
  virtual StatusOr<std::vector<UpdateDetails>> GetJobUpdateDetails(const UpdateQuery& q) = 0;
  virtual StatusOr<UpdateDiff> GetJobUpdateDiff(const UpdateRequest& request) = 0;

  // Mutating calls (never retried once the request may have reached the scheduler).
  virtual Status CreateJob(const JobConfig& job) = 0;
  virtual StatusOr<StartUpdateResult> StartJobUpdate(const UpdateRequest& request,
                                                     const std::string& message) = 0;
  virtual Status PauseJobUpdate(const UpdateKey& key, const std::string& message) = 0;
  virtual Status ResumeJobUpdate(const UpdateKey& key, const std::string& message) = 0;
  virtual Status AbortJobUpdate(const UpdateKey& key, const std::string& message) = 0;
  virtual Status RollbackJobUpdate(const UpdateKey& key, const std::string& message) = 0;
  virtual StatusOr<PulseStatus> PulseJobUpdate(const UpdateKey& key) = 0;
  // New instances after the highest active id, with the template instance's config.
  virtual Status AddInstances(const JobKey& job, int32_t template_instance, int32_t count) = 0;
  // Kills the given instances. An empty set is kInvalidArgument: on the wire it would mean the
  // whole job, which only KillJob may ask for.
  virtual Status KillTasks(const JobKey& job, const std::set<int32_t>& instances,
                           const std::string& message) = 0;
  virtual Status KillJob(const JobKey& job, const std::string& message) = 0;
  // Kills the given instances and schedules them again with the same config (restartShards, as
  // `aurora job restart` and so `heron restart` use it). Aurora refuses it while the job is
  // being updated (JOB_UPDATING_ERROR: kFailedPrecondition). An empty set is kInvalidArgument.
  virtual Status RestartShards(const JobKey& job, const std::set<int32_t>& instances) = 0;
};

}  // namespace hgo::aurora
