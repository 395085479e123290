// ThriftAuroraClient: AuroraApi over HttpTransport, speaking Aurora's Thrift API.
//
// Thread-safety: calls are serialised by a mutex (one HTTP exchange at a time per client).
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "aurora/aurora_api.h"
#include "aurora/http_transport.h"

namespace hgo::aurora {

// One exchange with a scheduler: the serialized request in, the reply body out (what
// HttpTransport::Post does; another one feeds replies from elsewhere, e.g. a fuzzer).
using ThriftExchange = std::function<StatusOr<std::string>(
    const std::string& method, const std::string& body, bool retryable)>;

class ThriftAuroraClient : public AuroraApi {
 public:
  explicit ThriftAuroraClient(HttpTransportOptions options);
  // Without HTTP: every call goes through exchange; transport() must not be called.
  ThriftAuroraClient(ThriftExchange exchange, WireProtocol protocol);
  ~ThriftAuroraClient() override;

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
  Status RestartShards(const JobKey& job, const std::set<int32_t>& instances) override;
  Status KillTasks(const JobKey& job, const std::set<int32_t>& instances,
                   const std::string& message) override;
  Status KillJob(const JobKey& job, const std::string& message) override;

  HttpTransport& transport();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hgo::aurora
