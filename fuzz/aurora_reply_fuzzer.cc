// Fuzz target for Aurora's replies as the controller's client reads them (aurora/thrift_client.h):
// a hostile or corrupt scheduler answer must come back as a Status, never a crash, a hang or an
// unbounded allocation.
//
// Input: byte 0 picks the call, byte 1 the wire protocol and the framing, the rest is the reply.
// Framed (the usual case), the target writes the reply's message header itself (the call's name,
// REPLY, sequence id 0) so that the fuzzer spends its time on the result struct; unframed, the
// bytes are the whole reply, header included.
#include <cstddef>
#include <cstdint>
#include <string>

#include <thrift/protocol/TProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "aurora/codec.h"
#include "aurora/thrift_client.h"

namespace {

using hgo::aurora::WireProtocol;

std::string MessageHeader(const std::string& method, WireProtocol protocol) {
  auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
  auto p = hgo::aurora::MakeProtocol(protocol, buffer);
  p->writeMessageBegin(method, apache::thrift::protocol::T_REPLY, 0);
  return buffer->getBufferAsString();
}

// Every call whose reply the client decodes into something, with a plausible request.
void CallOne(hgo::aurora::ThriftAuroraClient& client, uint8_t which) {
  using namespace hgo::aurora;
  JobKey job{"www-data", "prod", "wordcount"};
  UpdateKey update{job, "u-1"};
  TaskQuery tasks;
  tasks.role = job.role;
  UpdateQuery updates;
  updates.role = job.role;
  switch (which % 11) {
    case 0:
      (void)client.GetJobs(job.role);
      break;
    case 1:
      (void)client.GetJobSummary(job.role);
      break;
    case 2:
      (void)client.GetTasks(tasks, true);
      break;
    case 3:
      (void)client.GetTasks(tasks, false);
      break;
    case 4:
      (void)client.GetTaskStates(tasks);
      (void)client.ForEachTaskState(tasks, [](const TaskStateView&) {});
      break;
    case 5:
      (void)client.GetJobUpdateSummaries(updates);
      break;
    case 6:
      (void)client.GetJobUpdateDetails(updates);
      break;
    case 7:
      (void)client.GetJobUpdateDiff(UpdateRequest{});
      break;
    case 8:
      (void)client.StartJobUpdate(UpdateRequest{}, "fuzz");
      break;
    case 9:
      (void)client.PulseJobUpdate(update);
      break;
    default:
      (void)client.KillTasks(job, {0, 1}, "fuzz");
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t which = data[0];
  const WireProtocol protocol = (data[1] & 1) ? WireProtocol::kJson : WireProtocol::kBinary;
  const bool framed = (data[1] & 2) == 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  hgo::aurora::ThriftAuroraClient client(
      [&](const std::string& method, const std::string&, bool) -> hgo::StatusOr<std::string> {
        return framed ? MessageHeader(method, protocol) + rest : rest;
      },
      protocol);
  CallOne(client, which);
  return 0;
}
