#include "aurora/codec.h"

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TJSONProtocol.h>

#include <algorithm>

namespace hgo::aurora {

const char* ContentType(WireProtocol p) {
  return p == WireProtocol::kBinary ? "application/vnd.apache.thrift.binary"
                                    : "application/vnd.apache.thrift.json";
}

std::shared_ptr<apache::thrift::protocol::TProtocol> MakeProtocol(
    WireProtocol protocol, std::shared_ptr<apache::thrift::transport::TTransport> transport) {
  if (protocol == WireProtocol::kJson) {
    return std::make_shared<apache::thrift::protocol::TJSONProtocol>(transport);
  }
  return std::make_shared<apache::thrift::protocol::TBinaryProtocol>(transport);
}

api::JobKey ToThrift(const JobKey& k) {
  api::JobKey out;
  out.role = k.role;
  out.environment = k.environment;
  out.name = k.name;
  return out;
}

JobKey FromThrift(const api::JobKey& k) { return JobKey{k.role, k.environment, k.name}; }

std::vector<api::Range> ToThrift(const std::vector<Range>& ranges) {
  std::vector<api::Range> out;
  for (const auto& r : ranges) {
    api::Range x;
    x.first = r.first;
    x.last = r.last;
    out.push_back(x);
  }
  return out;
}

std::vector<Range> FromThrift(const std::set<api::Range>& ranges) {
  std::vector<Range> out;
  for (const auto& r : ranges) out.push_back(Range{r.first, r.last});
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

std::set<api::Range> RangeSet(const std::vector<Range>& ranges) {
  auto v = ToThrift(ranges);
  return {v.begin(), v.end()};
}

std::set<api::Metadata> MetadataSet(const std::map<std::string, std::string>& m) {
  std::set<api::Metadata> out;
  for (const auto& [k, v] : m) {
    api::Metadata md;
    md.key = k;
    md.value = v;
    out.insert(md);
  }
  return out;
}

std::map<std::string, std::string> MetadataMap(const std::set<api::Metadata>& s) {
  std::map<std::string, std::string> out;
  for (const auto& md : s) out[md.key] = md.value;
  return out;
}

}  // namespace

api::TaskConfig ToThrift(const TaskConfig& t) {
  api::TaskConfig out;
  out.job = ToThrift(t.job);
  out.owner.user = t.owner;
  out.isService = t.is_service;
  out.priority = t.priority;
  out.maxTaskFailures = t.max_task_failures;
  if (!t.tier.empty()) out.__set_tier(t.tier);
  if (t.production) out.__set_production(true);
  auto add_resource = [&](auto setter) {
    api::Resource r;
    setter(r);
    out.resources.insert(r);
  };
  add_resource([&](api::Resource& r) { r.__set_numCpus(t.cpus); });
  add_resource([&](api::Resource& r) { r.__set_ramMb(t.ram_mb); });
  add_resource([&](api::Resource& r) { r.__set_diskMb(t.disk_mb); });
  for (const auto& port : t.named_ports) {
    add_resource([&](api::Resource& r) { r.__set_namedPort(port); });
  }
  for (const auto& c : t.constraints) {
    api::Constraint tc;
    tc.name = c.name;
    if (c.limit) {
      api::LimitConstraint limit;
      limit.limit = *c.limit;
      tc.constraint.__set_limit(limit);
    } else {
      api::ValueConstraint value;
      value.negated = c.negated;
      value.values = {c.values.begin(), c.values.end()};
      tc.constraint.__set_value(value);
    }
    out.constraints.insert(tc);
  }
  api::ExecutorConfig executor;
  executor.name = t.executor_name;
  executor.__set_data(t.executor_data);
  out.__set_executorConfig(executor);
  out.__set_metadata(MetadataSet(t.metadata));
  out.__set_taskLinks({});
  if (!t.contact_email.empty()) out.__set_contactEmail(t.contact_email);
  if (t.sla_kind == TaskConfig::SlaKind::kPercentage) {
    api::PercentageSlaPolicy p;
    p.percentage = t.sla_percentage;
    p.durationSecs = t.sla_duration_secs;
    api::SlaPolicy sla;
    sla.__set_percentageSlaPolicy(p);
    out.__set_slaPolicy(sla);
  } else if (t.sla_kind == TaskConfig::SlaKind::kCount) {
    api::CountSlaPolicy c;
    c.count = t.sla_count;
    c.durationSecs = t.sla_duration_secs;
    api::SlaPolicy sla;
    sla.__set_countSlaPolicy(c);
    out.__set_slaPolicy(sla);
  }
  out.container = api::Container();
  out.container.__set_mesos(api::MesosContainer());
  return out;
}

TaskConfig FromThrift(const api::TaskConfig& t) {
  TaskConfig out;
  out.job = FromThrift(t.job);
  out.owner = t.owner.user;
  out.is_service = t.isService;
  out.priority = t.priority;
  out.max_task_failures = t.maxTaskFailures;
  if (t.__isset.tier) out.tier = t.tier;
  out.production = t.__isset.production && t.production;
  for (const auto& r : t.resources) {
    if (r.__isset.numCpus) out.cpus = r.numCpus;
    if (r.__isset.ramMb) out.ram_mb = r.ramMb;
    if (r.__isset.diskMb) out.disk_mb = r.diskMb;
    if (r.__isset.namedPort) out.named_ports.insert(r.namedPort);
  }
  for (const auto& c : t.constraints) {
    Constraint x;
    x.name = c.name;
    if (c.constraint.__isset.limit) {
      x.limit = c.constraint.limit.limit;
    } else {
      x.negated = c.constraint.value.negated;
      x.values = {c.constraint.value.values.begin(), c.constraint.value.values.end()};
    }
    out.constraints.push_back(std::move(x));
  }
  std::sort(out.constraints.begin(), out.constraints.end());
  if (t.__isset.executorConfig) {
    out.executor_name = t.executorConfig.name;
    out.executor_data = t.executorConfig.data;
  }
  if (t.__isset.metadata) out.metadata = MetadataMap(t.metadata);
  if (t.__isset.contactEmail) out.contact_email = t.contactEmail;
  if (t.__isset.slaPolicy && t.slaPolicy.__isset.percentageSlaPolicy) {
    out.sla_kind = TaskConfig::SlaKind::kPercentage;
    out.sla_percentage = t.slaPolicy.percentageSlaPolicy.percentage;
    out.sla_duration_secs = t.slaPolicy.percentageSlaPolicy.durationSecs;
  } else if (t.__isset.slaPolicy && t.slaPolicy.__isset.countSlaPolicy) {
    out.sla_kind = TaskConfig::SlaKind::kCount;
    out.sla_count = t.slaPolicy.countSlaPolicy.count;
    out.sla_duration_secs = t.slaPolicy.countSlaPolicy.durationSecs;
  }
  return out;
}

api::JobConfiguration ToThrift(const JobConfig& j) {
  api::JobConfiguration out;
  out.key = ToThrift(j.key);
  out.owner.user = j.owner;
  out.cronCollisionPolicy = api::CronCollisionPolicy::KILL_EXISTING;
  out.taskConfig = ToThrift(j.task);
  out.instanceCount = j.instance_count;
  return out;
}

JobConfig FromThrift(const api::JobConfiguration& j) {
  return JobConfig{FromThrift(j.key), j.owner.user, FromThrift(j.taskConfig), j.instanceCount};
}

Task FromThrift(const api::ScheduledTask& t) {
  Task out;
  const api::AssignedTask& a = t.assignedTask;
  out.task_id = a.taskId;
  out.instance_id = a.instanceId;
  out.status = static_cast<TaskStatus>(t.status);
  out.slave_host = a.slaveHost;
  out.ports = a.assignedPorts;
  out.failure_count = t.failureCount;
  out.ancestor_id = t.ancestorId;
  out.config = FromThrift(a.task);
  for (const auto& e : t.taskEvents) {
    out.events.push_back(TaskEvent{e.timestamp, static_cast<TaskStatus>(e.status),
                                   e.__isset.message ? e.message : "",
                                   e.__isset.scheduler ? e.scheduler : ""});
  }
  return out;
}

Task FromThrift(api::ScheduledTask&& t) {
  Task out;
  api::AssignedTask& a = t.assignedTask;
  out.task_id = std::move(a.taskId);
  out.instance_id = a.instanceId;
  out.status = static_cast<TaskStatus>(t.status);
  out.slave_host = std::move(a.slaveHost);
  out.ports = std::move(a.assignedPorts);
  out.failure_count = t.failureCount;
  out.ancestor_id = std::move(t.ancestorId);
  // The config's large or many parts are moved; the rest is converted as usual.
  std::set<api::Metadata> metadata;
  metadata.swap(a.task.metadata);
  const bool has_metadata = a.task.__isset.metadata;
  a.task.__isset.metadata = false;
  std::string executor_data;
  executor_data.swap(a.task.executorConfig.data);
  out.config = FromThrift(a.task);
  if (a.task.__isset.executorConfig) out.config.executor_data = std::move(executor_data);
  if (has_metadata) {
    while (!metadata.empty()) {  // as MetadataMap: of equal keys, the last wins
      auto node = metadata.extract(metadata.begin());
      out.config.metadata[std::move(node.value().key)] = std::move(node.value().value);
    }
  }
  out.events.reserve(t.taskEvents.size());
  for (auto& e : t.taskEvents) {
    out.events.push_back(TaskEvent{e.timestamp, static_cast<TaskStatus>(e.status),
                                   e.__isset.message ? std::move(e.message) : std::string(),
                                   e.__isset.scheduler ? std::move(e.scheduler) : std::string()});
  }
  return out;
}

api::TaskQuery ToThrift(const TaskQuery& q) {
  api::TaskQuery out;
  if (q.role) out.__set_role(*q.role);
  if (q.environment) out.__set_environment(*q.environment);
  if (q.job_name) out.__set_jobName(*q.job_name);
  if (!q.job_keys.empty()) {
    std::set<api::JobKey> keys;
    for (const auto& k : q.job_keys) keys.insert(ToThrift(k));
    out.__set_jobKeys(keys);
  }
  if (!q.statuses.empty()) {
    std::set<api::ScheduleStatus::type> statuses;
    for (auto s : q.statuses) statuses.insert(static_cast<api::ScheduleStatus::type>(s));
    out.__set_statuses(statuses);
  }
  if (!q.instance_ids.empty()) out.__set_instanceIds(q.instance_ids);
  if (!q.task_ids.empty()) out.__set_taskIds(q.task_ids);
  return out;
}

TaskQuery FromThrift(const api::TaskQuery& q) {
  TaskQuery out;
  if (q.__isset.role) out.role = q.role;
  if (q.__isset.environment) out.environment = q.environment;
  if (q.__isset.jobName) out.job_name = q.jobName;
  if (q.__isset.jobKeys) {
    for (const auto& k : q.jobKeys) out.job_keys.insert(FromThrift(k));
  }
  if (q.__isset.statuses) {
    for (auto s : q.statuses) out.statuses.insert(static_cast<TaskStatus>(s));
  }
  if (q.__isset.instanceIds) out.instance_ids = q.instanceIds;
  if (q.__isset.taskIds) out.task_ids = q.taskIds;
  return out;
}

api::JobUpdateSettings ToThrift(const UpdateSettings& s) {
  api::JobUpdateSettings out;
  out.updateGroupSize = s.group_size;
  out.maxPerInstanceFailures = s.max_per_instance_failures;
  out.maxFailedInstances = s.max_failed_instances;
  out.minWaitInInstanceRunningMs = s.min_wait_in_running_ms;
  out.rollbackOnFailure = s.rollback_on_failure;
  out.updateOnlyTheseInstances = RangeSet(s.update_only);
  out.waitForBatchCompletion = s.wait_for_batch_completion;
  if (s.block_if_no_pulses_after_ms)
    out.__set_blockIfNoPulsesAfterMs(*s.block_if_no_pulses_after_ms);
  if (s.sla_aware) out.__set_slaAware(true);
  api::JobUpdateStrategy strategy;
  if (s.wait_for_batch_completion) {
    api::BatchJobUpdateStrategy batch;
    batch.groupSize = s.group_size;
    batch.autopauseAfterBatch = false;
    strategy.__set_batchStrategy(batch);
  } else {
    api::QueueJobUpdateStrategy queue;
    queue.groupSize = s.group_size;
    strategy.__set_queueStrategy(queue);
  }
  out.__set_updateStrategy(strategy);
  return out;
}

UpdateSettings FromThrift(const api::JobUpdateSettings& s) {
  UpdateSettings out;
  out.group_size = s.updateGroupSize;
  out.wait_for_batch_completion = s.waitForBatchCompletion;
  if (s.__isset.updateStrategy) {
    const auto& st = s.updateStrategy;
    if (st.__isset.queueStrategy) {
      out.group_size = st.queueStrategy.groupSize;
      out.wait_for_batch_completion = false;
    } else if (st.__isset.batchStrategy) {
      out.group_size = st.batchStrategy.groupSize;
      out.wait_for_batch_completion = true;
    } else if (st.__isset.varBatchStrategy && !st.varBatchStrategy.groupSizes.empty()) {
      out.group_size = st.varBatchStrategy.groupSizes.front();
      out.wait_for_batch_completion = true;
    }
  }
  out.max_per_instance_failures = s.maxPerInstanceFailures;
  out.max_failed_instances = s.maxFailedInstances;
  out.min_wait_in_running_ms = s.minWaitInInstanceRunningMs;
  out.rollback_on_failure = s.rollbackOnFailure;
  if (s.__isset.blockIfNoPulsesAfterMs) out.block_if_no_pulses_after_ms = s.blockIfNoPulsesAfterMs;
  out.sla_aware = s.__isset.slaAware && s.slaAware;
  out.update_only = FromThrift(s.updateOnlyTheseInstances);
  return out;
}

api::JobUpdateRequest ToThrift(const UpdateRequest& r) {
  api::JobUpdateRequest out;
  out.taskConfig = ToThrift(r.task);
  out.instanceCount = r.instance_count;
  out.settings = ToThrift(r.settings);
  if (!r.metadata.empty()) out.__set_metadata(MetadataSet(r.metadata));
  return out;
}

UpdateRequest FromThrift(const api::JobUpdateRequest& r) {
  UpdateRequest out;
  out.task = FromThrift(r.taskConfig);
  out.instance_count = r.instanceCount;
  out.settings = FromThrift(r.settings);
  if (r.__isset.metadata) out.metadata = MetadataMap(r.metadata);
  return out;
}

api::JobUpdateKey ToThrift(const UpdateKey& k) {
  api::JobUpdateKey out;
  out.job = ToThrift(k.job);
  out.id = k.id;
  return out;
}

UpdateKey FromThrift(const api::JobUpdateKey& k) { return UpdateKey{FromThrift(k.job), k.id}; }

UpdateSummary FromThrift(const api::JobUpdateSummary& s) {
  UpdateSummary out;
  out.key = FromThrift(s.key);
  out.user = s.user;
  out.status = static_cast<UpdateStatus>(s.state.status);
  out.created_ms = s.state.createdTimestampMs;
  out.last_modified_ms = s.state.lastModifiedTimestampMs;
  if (s.__isset.metadata) out.metadata = MetadataMap(s.metadata);
  return out;
}

api::JobUpdateSummary ToThrift(const UpdateSummary& s) {
  api::JobUpdateSummary out;
  out.key = ToThrift(s.key);
  out.user = s.user;
  out.state.status = static_cast<api::JobUpdateStatus::type>(s.status);
  out.state.createdTimestampMs = s.created_ms;
  out.state.lastModifiedTimestampMs = s.last_modified_ms;
  if (!s.metadata.empty()) out.__set_metadata(MetadataSet(s.metadata));
  return out;
}

api::JobUpdateQuery ToThrift(const UpdateQuery& q) {
  api::JobUpdateQuery out;
  if (q.role) out.__set_role(*q.role);
  if (q.key) out.__set_key(ToThrift(*q.key));
  if (q.job_key) out.__set_jobKey(ToThrift(*q.job_key));
  if (q.user) out.__set_user(*q.user);
  if (!q.statuses.empty()) {
    std::set<api::JobUpdateStatus::type> statuses;
    for (auto s : q.statuses) statuses.insert(static_cast<api::JobUpdateStatus::type>(s));
    out.__set_updateStatuses(statuses);
  }
  if (q.offset > 0) out.__set_offset(q.offset);
  if (q.limit > 0) out.__set_limit(q.limit);
  return out;
}

UpdateQuery FromThrift(const api::JobUpdateQuery& q) {
  UpdateQuery out;
  if (q.__isset.role) out.role = q.role;
  if (q.__isset.key) out.key = FromThrift(q.key);
  if (q.__isset.jobKey) out.job_key = FromThrift(q.jobKey);
  if (q.__isset.user) out.user = q.user;
  if (q.__isset.updateStatuses) {
    for (auto s : q.updateStatuses) out.statuses.insert(static_cast<UpdateStatus>(s));
  }
  if (q.__isset.offset) out.offset = q.offset;
  if (q.__isset.limit) out.limit = q.limit;
  return out;
}

ConfigGroup FromThrift(const api::ConfigGroup& g) {
  return ConfigGroup{FromThrift(g.config), FromThrift(g.instances)};
}

api::ConfigGroup ToThrift(const ConfigGroup& g) {
  api::ConfigGroup out;
  out.config = ToThrift(g.config);
  out.instances = RangeSet(g.instances);
  return out;
}

UpdateDetails FromThrift(const api::JobUpdateDetails& d) {
  UpdateDetails out;
  out.summary = FromThrift(d.update.summary);
  const auto& ins = d.update.instructions;
  for (const auto& itc : ins.initialState) {
    out.initial_state.push_back(ConfigGroup{FromThrift(itc.task), FromThrift(itc.instances)});
  }
  if (ins.__isset.desiredState) {
    out.desired_state =
        ConfigGroup{FromThrift(ins.desiredState.task), FromThrift(ins.desiredState.instances)};
  }
  out.settings = FromThrift(ins.settings);
  for (const auto& e : d.updateEvents) {
    out.events.push_back(UpdateEvent{static_cast<UpdateStatus>(e.status), e.timestampMs,
                                     e.__isset.user ? e.user : "",
                                     e.__isset.message ? e.message : ""});
  }
  for (const auto& e : d.instanceEvents) {
    out.instance_events.push_back(InstanceEvent{e.instanceId, e.timestampMs,
                                                static_cast<InstanceAction>(e.action),
                                                e.__isset.message ? e.message : ""});
  }
  return out;
}

Status ResponseStatus(const api::Response& r, const std::string& method) {
  std::string message;
  for (const auto& d : r.details) {
    if (!message.empty()) message += "; ";
    message += d.message;
  }
  const std::string what = "aurora " + method + ": " + (message.empty() ? "(no detail)" : message);
  switch (r.responseCode) {
    case api::ResponseCode::OK:
    case api::ResponseCode::WARNING:
      return Status::Ok();
    case api::ResponseCode::INVALID_REQUEST:
      return Status::InvalidArgument(what);
    case api::ResponseCode::AUTH_FAILED:
      return Status::PermissionDenied(what);
    case api::ResponseCode::JOB_UPDATING_ERROR:
      return Status::FailedPrecondition("JOB_UPDATING_ERROR: " + what);
    case api::ResponseCode::ERROR_TRANSIENT:
      return Status::Unavailable(what);
    case api::ResponseCode::ERROR:
    default:
      return Status::Internal(what);
  }
}

}  // namespace hgo::aurora
