// Writes the seed inputs of aurora_reply_fuzzer into a directory: for each call the fuzzer makes,
// a well-formed reply (a Response with that call's result filled in) in both wire protocols,
// framed as the fuzzer expects (byte 0 the call, byte 1 the protocol, then the result struct).
// The seeds in fuzz/seeds/aurora_reply/ were written by it; run it again when the calls change.
//
// Usage: aurora_reply_seeds DIR
#include <cstdio>
#include <fstream>
#include <string>

#include "aurora/codec.h"

namespace {

using namespace hgo::aurora;

api::Response Ok() {
  api::Response r;
  r.responseCode = api::ResponseCode::OK;
  r.serverInfo.clusterName = "devcluster";
  r.__isset.serverInfo = true;
  r.__isset.result = true;
  return r;
}

TaskConfig SomeTask() {
  TaskConfig t;
  t.job = JobKey{"www-data", "prod", "wordcount"};
  t.owner = "www-data";
  t.cpus = 1;
  t.ram_mb = 1024;
  t.disk_mb = 2048;
  t.metadata = {{"heron.topology", "wordcount"}};
  return t;
}

api::ScheduledTask SomeScheduledTask() {
  api::ScheduledTask s;
  s.assignedTask.taskId = "www-data-prod-wordcount-0-abc";
  s.assignedTask.slaveHost = "host-1";
  s.assignedTask.instanceId = 0;
  s.assignedTask.task = ToThrift(SomeTask());
  s.assignedTask.assignedPorts = {{"http", 31000}};
  s.status = api::ScheduleStatus::RUNNING;
  api::TaskEvent e;
  e.timestamp = 1764900000000;
  e.status = api::ScheduleStatus::RUNNING;
  e.message = "started";
  s.taskEvents = {e};
  return s;
}

api::JobUpdateSummary SomeUpdate() {
  UpdateSummary u;
  u.key = UpdateKey{SomeTask().job, "u-1"};
  u.status = UpdateStatus::kRollingForward;
  u.user = "www-data";
  return ToThrift(u);
}

api::Response ReplyFor(int which) {
  api::Response r = Ok();
  switch (which) {
    case 0:
      r.result.getJobsResult.configs = {
          ToThrift(JobConfig{SomeTask().job, "www-data", SomeTask(), 2})};
      r.result.__isset.getJobsResult = true;
      break;
    case 1: {
      api::JobSummary s;
      s.job = ToThrift(JobConfig{SomeTask().job, "www-data", SomeTask(), 2});
      s.stats.activeTaskCount = 2;
      r.result.jobSummaryResult.summaries = {s};
      r.result.__isset.jobSummaryResult = true;
      break;
    }
    case 2:
    case 3:
    case 4:
      r.result.scheduleStatusResult.tasks = {SomeScheduledTask(), SomeScheduledTask()};
      r.result.__isset.scheduleStatusResult = true;
      break;
    case 5:
      r.result.getJobUpdateSummariesResult.updateSummaries = {SomeUpdate()};
      r.result.__isset.getJobUpdateSummariesResult = true;
      break;
    case 6: {
      api::JobUpdateDetails d;
      d.update.summary = SomeUpdate();
      api::JobInstanceUpdateEvent e;
      e.instanceId = 0;
      e.timestampMs = 1764900000000;
      e.action = api::JobUpdateAction::INSTANCE_UPDATED;
      d.instanceEvents = {e};
      r.result.getJobUpdateDetailsResult.detailsList = {d};
      r.result.__isset.getJobUpdateDetailsResult = true;
      break;
    }
    case 7: {
      api::ConfigGroup g;
      g.config = ToThrift(SomeTask());
      g.instances = {api::Range()};
      r.result.getJobUpdateDiffResult.update = {g};
      r.result.__isset.getJobUpdateDiffResult = true;
      break;
    }
    case 8:
      r.result.startJobUpdateResult.key = SomeUpdate().key;
      r.result.__isset.startJobUpdateResult = true;
      break;
    case 9:
      r.result.pulseJobUpdateResult.status = api::JobUpdatePulseStatus::OK;
      r.result.__isset.pulseJobUpdateResult = true;
      break;
    default:
      r.__isset.result = false;
      break;
  }
  return r;
}

// The reply after its message header: the call's result struct, whose field 0 (success) holds
// the Response, and the message's end.
std::string ResultStruct(const api::Response& r, WireProtocol protocol) {
  auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
  auto p = MakeProtocol(protocol, buffer);
  p->writeMessageBegin("call", apache::thrift::protocol::T_REPLY, 0);
  const size_t header = buffer->available_read();
  p->writeStructBegin("result");
  p->writeFieldBegin("success", apache::thrift::protocol::T_STRUCT, 0);
  r.write(p.get());
  p->writeFieldEnd();
  p->writeFieldStop();
  p->writeStructEnd();
  p->writeMessageEnd();
  return buffer->getBufferAsString().substr(header);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: aurora_reply_seeds DIR\n");
    return 2;
  }
  for (int which = 0; which < 11; ++which) {
    for (int json = 0; json < 2; ++json) {
      const WireProtocol protocol = json ? WireProtocol::kJson : WireProtocol::kBinary;
      std::string bytes{static_cast<char>(which), static_cast<char>(json)};
      bytes += ResultStruct(ReplyFor(which), protocol);
      const std::string path =
          std::string(argv[1]) + "/call" + std::to_string(which) + (json ? "-tjson" : "-binary");
      std::ofstream(path, std::ios::binary) << bytes;
    }
  }
  return 0;
}
