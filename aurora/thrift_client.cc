#include "aurora/thrift_client.h"

#include <algorithm>
#include <climits>
#include <optional>

#include <thrift/TApplicationException.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "aurora/codec.h"
#include "aurora/gen/AuroraSchedulerManager.h"
#include "aurora/task_list_reader.h"

namespace hgo::aurora {

using apache::thrift::transport::TMemoryBuffer;

class ThriftAuroraClient::Impl {
 public:
  explicit Impl(HttpTransportOptions options) : Impl(nullptr, options.protocol) {
    transport_.emplace(std::move(options));
    exchange_ = [this](const std::string& method, const std::string& body, bool retryable) {
      return transport_->Post(method, body, retryable);
    };
  }
  Impl(ThriftExchange exchange, WireProtocol protocol)
      : exchange_(std::move(exchange)),
        out_(std::make_shared<TMemoryBuffer>()),
        in_(std::make_shared<TMemoryBuffer>()),
        client_(MakeProtocol(protocol, in_), MakeProtocol(protocol, out_)),
        binary_in_(dynamic_cast<apache::thrift::protocol::TBinaryProtocol*>(
            client_.getInputProtocol().get())) {}

  // One call: serialise with send, POST, parse the reply with recv, turn the response code into
  // a Status. retryable: read-only or idempotent.
  template <typename Send, typename Recv>
  StatusOr<api::Response> Invoke(const std::string& method, bool retryable, Send send, Recv recv) {
    std::lock_guard<std::mutex> lock(mu_);
    out_->resetBuffer();
    try {
      send(client_);
    } catch (const std::exception& e) {
      return Status::Internal("aurora " + method + ": cannot serialise the request: " + e.what());
    }
    std::string body = out_->getBufferAsString();
    out_->resetBuffer();
    HGO_ASSIGN_OR_RETURN(std::string reply, exchange_(method, body, retryable));
    // Observed, not copied: a role's task list is megabytes at 10,000 topologies, and a copy
    // kept in the buffer after the call stayed resident in every client.
    in_->resetBuffer(reinterpret_cast<uint8_t*>(reply.data()), static_cast<uint32_t>(reply.size()),
                     TMemoryBuffer::OBSERVE);
    // No announced size may exceed the reply: the generated readers allocate a container's or
    // string's announced size before reading it, and Thrift's own check of sizes against the
    // bytes left counts a struct as zero bytes and takes the message to be 100 MB unless told.
    // A corrupt reply of a few bytes made the decoder allocate gigabytes (found by
    // fuzz/aurora_reply_fuzzer.cc). Every element takes at least one byte, so what a reply can
    // make us allocate is now at most its size times the largest element's.
    in_->updateKnownMessageSize(static_cast<long>(reply.size()));
    if (binary_in_) {
      const auto limit = static_cast<int32_t>(std::min<size_t>(reply.size(), INT32_MAX));
      binary_in_->setStringSizeLimit(limit);
      binary_in_->setContainerSizeLimit(limit);
    }
    struct Unobserve {
      TMemoryBuffer& buffer;
      ~Unobserve() { buffer.resetBuffer(nullptr, 0, TMemoryBuffer::OBSERVE); }
    } unobserve{*in_};
    api::Response response;
    try {
      recv(client_, response);
    } catch (const apache::thrift::TApplicationException& e) {
      if (e.getType() == apache::thrift::TApplicationException::UNKNOWN_METHOD) {
        return Status::Unimplemented("aurora " + method +
                                     ": the scheduler does not know it: " + e.what());
      }
      return Status::Internal("aurora " + method + ": " + e.what());
    } catch (const std::exception& e) {
      return Status::Internal("aurora " + method + ": unreadable reply: " + e.what());
    }
    return response;
  }

  // Invoke, then the response code as a Status.
  template <typename Send, typename Recv>
  StatusOr<api::Response> Call(const std::string& method, bool retryable, Send send, Recv recv) {
    HGO_ASSIGN_OR_RETURN(api::Response r, Invoke(method, retryable, send, recv));
    HGO_RETURN_IF_ERROR(ResponseStatus(r, method));
    return r;
  }

  std::optional<HttpTransport> transport_;  // set by the HTTP constructor

 private:
  ThriftExchange exchange_;
  std::mutex mu_;
  std::shared_ptr<TMemoryBuffer> out_;
  std::shared_ptr<TMemoryBuffer> in_;
  api::AuroraSchedulerManagerClient client_;
  apache::thrift::protocol::TBinaryProtocol* binary_in_;  // client_'s reader; null for TJSON
};

using Client = api::AuroraSchedulerManagerClient;

ThriftAuroraClient::ThriftAuroraClient(HttpTransportOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
ThriftAuroraClient::ThriftAuroraClient(ThriftExchange exchange, WireProtocol protocol)
    : impl_(std::make_unique<Impl>(std::move(exchange), protocol)) {}
ThriftAuroraClient::~ThriftAuroraClient() = default;
HttpTransport& ThriftAuroraClient::transport() { return *impl_->transport_; }

StatusOr<std::vector<JobConfig>> ThriftAuroraClient::GetJobs(const std::string& role) {
  HGO_ASSIGN_OR_RETURN(auto r, impl_->Call(
                                   "getJobs", true, [&](Client& c) { c.send_getJobs(role); },
                                   [](Client& c, api::Response& out) { c.recv_getJobs(out); }));
  std::vector<JobConfig> out;
  for (const auto& j : r.result.getJobsResult.configs) out.push_back(FromThrift(j));
  return out;
}

StatusOr<std::vector<JobSummary>> ThriftAuroraClient::GetJobSummary(const std::string& role) {
  HGO_ASSIGN_OR_RETURN(auto r,
                       impl_->Call(
                           "getJobSummary", true, [&](Client& c) { c.send_getJobSummary(role); },
                           [](Client& c, api::Response& out) { c.recv_getJobSummary(out); }));
  std::vector<JobSummary> out;
  for (const auto& s : r.result.jobSummaryResult.summaries) {
    out.push_back(
        JobSummary{FromThrift(s.job), JobStats{s.stats.activeTaskCount, s.stats.finishedTaskCount,
                                               s.stats.failedTaskCount, s.stats.pendingTaskCount}});
  }
  return out;
}

StatusOr<std::vector<Task>> ThriftAuroraClient::GetTaskStates(const TaskQuery& query) {
  std::vector<Task> out;
  HGO_RETURN_IF_ERROR(
      ForEachTaskState(query, [&](const TaskStateView& t) { out.push_back(TaskOf(t)); }));
  return out;
}

Status ThriftAuroraClient::ForEachTaskState(const TaskQuery& query,
                                            const std::function<void(const TaskStateView&)>& each) {
  api::TaskQuery q = ToThrift(query);
  const std::string method = "getTasksWithoutConfigs";
  return impl_
      ->Call(
          method, true, [&](Client& c) { c.send_getTasksWithoutConfigs(q); },
          [&](Client& c, api::Response& response) {
            ReadTaskStateReply(*c.getInputProtocol(), method, response, each);
          })
      .status();
}

StatusOr<std::vector<Task>> ThriftAuroraClient::GetTasks(const TaskQuery& query,
                                                         bool with_configs) {
  api::TaskQuery q = ToThrift(query);
  const std::string method = with_configs ? "getTasksStatus" : "getTasksWithoutConfigs";
  std::vector<Task> out;
  // Each task is converted as it is decoded (ReadTaskListReply), never the whole list at once.
  auto read = [&](Client& c, api::Response& response) {
    out.clear();
    ReadTaskListReply(*c.getInputProtocol(), method, response,
                      [&](api::ScheduledTask& t) { out.push_back(FromThrift(std::move(t))); });
  };
  StatusOr<api::Response> r =
      with_configs ? impl_->Call(
                         method, true, [&](Client& c) { c.send_getTasksStatus(q); }, read)
                   : impl_->Call(
                         method, true, [&](Client& c) { c.send_getTasksWithoutConfigs(q); }, read);
  if (!r.ok()) return r.status();
  return out;
}

StatusOr<std::vector<UpdateSummary>> ThriftAuroraClient::GetJobUpdateSummaries(
    const UpdateQuery& query) {
  api::JobUpdateQuery q = ToThrift(query);
  HGO_ASSIGN_OR_RETURN(
      auto r,
      impl_->Call(
          "getJobUpdateSummaries", true, [&](Client& c) { c.send_getJobUpdateSummaries(q); },
          [](Client& c, api::Response& out) { c.recv_getJobUpdateSummaries(out); }));
  std::vector<UpdateSummary> out;
  for (const auto& s : r.result.getJobUpdateSummariesResult.updateSummaries) {
    out.push_back(FromThrift(s));
  }
  return out;
}

StatusOr<std::vector<UpdateDetails>> ThriftAuroraClient::GetJobUpdateDetails(
    const UpdateQuery& query) {
  api::JobUpdateQuery q = ToThrift(query);
  api::JobUpdateKey unused;  // the deprecated key argument; the query is what counts
  HGO_ASSIGN_OR_RETURN(
      auto r,
      impl_->Call(
          "getJobUpdateDetails", true, [&](Client& c) { c.send_getJobUpdateDetails(unused, q); },
          [](Client& c, api::Response& out) { c.recv_getJobUpdateDetails(out); }));
  std::vector<UpdateDetails> out;
  for (const auto& d : r.result.getJobUpdateDetailsResult.detailsList) {
    out.push_back(FromThrift(d));
  }
  return out;
}

StatusOr<UpdateDiff> ThriftAuroraClient::GetJobUpdateDiff(const UpdateRequest& request) {
  api::JobUpdateRequest req = ToThrift(request);
  HGO_ASSIGN_OR_RETURN(
      auto r, impl_->Call(
                  "getJobUpdateDiff", true, [&](Client& c) { c.send_getJobUpdateDiff(req); },
                  [](Client& c, api::Response& out) { c.recv_getJobUpdateDiff(out); }));
  const auto& d = r.result.getJobUpdateDiffResult;
  UpdateDiff out;
  for (const auto& g : d.add) out.add.push_back(FromThrift(g));
  for (const auto& g : d.remove) out.remove.push_back(FromThrift(g));
  for (const auto& g : d.update) out.update.push_back(FromThrift(g));
  for (const auto& g : d.unchanged) out.unchanged.push_back(FromThrift(g));
  return out;
}

Status ThriftAuroraClient::CreateJob(const JobConfig& job) {
  api::JobConfiguration config = ToThrift(job);
  return impl_
      ->Call(
          "createJob", false, [&](Client& c) { c.send_createJob(config); },
          [](Client& c, api::Response& out) { c.recv_createJob(out); })
      .status();
}

StatusOr<StartUpdateResult> ThriftAuroraClient::StartJobUpdate(const UpdateRequest& request,
                                                               const std::string& message) {
  api::JobUpdateRequest req = ToThrift(request);
  HGO_ASSIGN_OR_RETURN(
      auto r, impl_->Invoke(
                  "startJobUpdate", false, [&](Client& c) { c.send_startJobUpdate(req, message); },
                  [](Client& c, api::Response& out) { c.recv_startJobUpdate(out); }));
  StartUpdateResult out;
  const bool has_result = r.__isset.result && r.result.__isset.startJobUpdateResult;
  const auto& sr = r.result.startJobUpdateResult;
  Status status = ResponseStatus(r, "startJobUpdate");
  if (!status.ok()) {
    // Another update is in progress: Aurora answers INVALID_REQUEST with that update's key.
    if (r.responseCode == api::ResponseCode::INVALID_REQUEST && has_result) {
      out.outcome = StartUpdateResult::Outcome::kBusy;
      out.key = FromThrift(sr.key);
      if (sr.__isset.updateSummary) out.summary = FromThrift(sr.updateSummary);
      return out;
    }
    return status;
  }
  if (!has_result) {
    out.outcome = StartUpdateResult::Outcome::kUnchanged;  // "Job is unchanged by proposed update."
    return out;
  }
  out.key = FromThrift(sr.key);
  if (sr.__isset.updateSummary) out.summary = FromThrift(sr.updateSummary);
  return out;
}

Status ThriftAuroraClient::PauseJobUpdate(const UpdateKey& key, const std::string& message) {
  api::JobUpdateKey k = ToThrift(key);
  return impl_
      ->Call(
          "pauseJobUpdate", true, [&](Client& c) { c.send_pauseJobUpdate(k, message); },
          [](Client& c, api::Response& out) { c.recv_pauseJobUpdate(out); })
      .status();
}

Status ThriftAuroraClient::ResumeJobUpdate(const UpdateKey& key, const std::string& message) {
  api::JobUpdateKey k = ToThrift(key);
  return impl_
      ->Call(
          "resumeJobUpdate", true, [&](Client& c) { c.send_resumeJobUpdate(k, message); },
          [](Client& c, api::Response& out) { c.recv_resumeJobUpdate(out); })
      .status();
}

Status ThriftAuroraClient::AbortJobUpdate(const UpdateKey& key, const std::string& message) {
  api::JobUpdateKey k = ToThrift(key);
  return impl_
      ->Call(
          "abortJobUpdate", false, [&](Client& c) { c.send_abortJobUpdate(k, message); },
          [](Client& c, api::Response& out) { c.recv_abortJobUpdate(out); })
      .status();
}

Status ThriftAuroraClient::RollbackJobUpdate(const UpdateKey& key, const std::string& message) {
  api::JobUpdateKey k = ToThrift(key);
  return impl_
      ->Call(
          "rollbackJobUpdate", false, [&](Client& c) { c.send_rollbackJobUpdate(k, message); },
          [](Client& c, api::Response& out) { c.recv_rollbackJobUpdate(out); })
      .status();
}

StatusOr<PulseStatus> ThriftAuroraClient::PulseJobUpdate(const UpdateKey& key) {
  api::JobUpdateKey k = ToThrift(key);
  HGO_ASSIGN_OR_RETURN(auto r,
                       impl_->Call(
                           "pulseJobUpdate", true, [&](Client& c) { c.send_pulseJobUpdate(k); },
                           [](Client& c, api::Response& out) { c.recv_pulseJobUpdate(out); }));
  return static_cast<PulseStatus>(r.result.pulseJobUpdateResult.status);
}

Status ThriftAuroraClient::AddInstances(const JobKey& job, int32_t template_instance,
                                        int32_t count) {
  api::InstanceKey key;
  key.jobKey = ToThrift(job);
  key.instanceId = template_instance;
  return impl_
      ->Call(
          "addInstances", false, [&](Client& c) { c.send_addInstances(key, count); },
          [](Client& c, api::Response& out) { c.recv_addInstances(out); })
      .status();
}

Status ThriftAuroraClient::KillTasks(const JobKey& job, const std::set<int32_t>& instances,
                                     const std::string& message) {
  if (instances.empty()) {
    return Status::InvalidArgument("killTasks with no instances would kill the whole job " +
                                   job.ToString() + "; use KillJob for that");
  }
  api::JobKey k = ToThrift(job);
  return impl_
      ->Call(
          "killTasks", false, [&](Client& c) { c.send_killTasks(k, instances, message); },
          [](Client& c, api::Response& out) { c.recv_killTasks(out); })
      .status();
}

Status ThriftAuroraClient::RestartShards(const JobKey& job, const std::set<int32_t>& instances) {
  if (instances.empty()) {
    return Status::InvalidArgument("restartShards needs the instances to restart");
  }
  api::JobKey k = ToThrift(job);
  return impl_
      ->Call(
          "restartShards", false, [&](Client& c) { c.send_restartShards(k, instances); },
          [](Client& c, api::Response& out) { c.recv_restartShards(out); })
      .status();
}

Status ThriftAuroraClient::KillJob(const JobKey& job, const std::string& message) {
  api::JobKey k = ToThrift(job);
  const std::set<int32_t> whole_job;  // an empty set means every instance
  return impl_
      ->Call(
          "killTasks", false, [&](Client& c) { c.send_killTasks(k, whole_job, message); },
          [](Client& c, api::Response& out) { c.recv_killTasks(out); })
      .status();
}

}  // namespace hgo::aurora
