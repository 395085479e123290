// The streaming reader of task-list replies agrees with the generated one on every field, in
// both wire protocols, and fails the way it does on exception replies and foreign replies.
#include "aurora/task_list_reader.h"

#include <gtest/gtest.h>
#include <thrift/TApplicationException.h>
#include <thrift/transport/TBufferTransports.h>

#include "aurora/codec.h"
#include "aurora/gen/ReadOnlyScheduler.h"

namespace hgo::aurora {
namespace {

using apache::thrift::TApplicationException;
using apache::thrift::transport::TMemoryBuffer;

api::ScheduledTask MakeTask(int32_t instance) {
  api::ScheduledTask t;
  t.assignedTask.taskId = "task-" + std::to_string(instance);
  t.assignedTask.instanceId = instance;
  t.assignedTask.slaveHost = "agent-" + std::to_string(instance);
  t.assignedTask.assignedPorts = {{"http", 31000 + instance}};
  t.assignedTask.task.job.role = "www-data";
  t.assignedTask.task.job.environment = "devel";
  t.assignedTask.task.job.name = "wc";
  t.status = api::ScheduleStatus::RUNNING;
  t.failureCount = instance;
  api::TaskEvent e;
  e.timestamp = 1000 + instance;
  e.status = api::ScheduleStatus::RUNNING;
  e.__set_message("started");
  api::TaskEvent killed;
  killed.timestamp = 2000 + instance;
  killed.status = api::ScheduleStatus::KILLING;
  killed.__set_message("Killed by ops");
  killed.__set_scheduler("scheduler-1");
  t.taskEvents = {e, killed};
  t.ancestorId = "task-old";
  t.timesPartitioned = 1;
  t.assignedTask.slaveId = "agent-id";
  // Config fields an observation does not read (ReadTaskStateReply skips them).
  api::TaskConfig& c = t.assignedTask.task;
  api::Metadata hash, topology;
  hash.key = "heron-gitops.job_hash";
  hash.value = "abc";
  topology.key = "heron-gitops.topology_id";
  topology.value = "wc-1";
  c.__set_metadata({hash, topology});
  c.owner.user = "www-data";
  c.isService = true;
  c.priority = 3;
  api::Resource cpus;
  cpus.__set_numCpus(1.5);
  c.__set_resources({cpus});
  api::Constraint host;
  host.name = "host";
  api::LimitConstraint limit;
  limit.limit = 1;
  host.constraint.__set_limit(limit);
  c.__set_constraints({host});
  api::ExecutorConfig executor;
  executor.name = "AuroraExecutor";
  executor.__set_data(std::string(500, 'x'));
  c.__set_executorConfig(executor);
  c.__set_taskLinks({{"http", "http://%host%:%port:http%"}});
  c.__set_contactEmail("ops@example.com");
  return t;
}

// A reply message as a scheduler writes it.
std::string Reply(WireProtocol wire, const std::string& method, const api::Response& response) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  auto p = MakeProtocol(wire, buffer);
  api::ReadOnlyScheduler_getTasksWithoutConfigs_result result;
  result.success = response;
  result.__isset.success = true;
  p->writeMessageBegin(method, apache::thrift::protocol::T_REPLY, 0);
  result.write(p.get());
  p->writeMessageEnd();
  return buffer->getBufferAsString();
}

struct Read {
  api::Response response;
  std::vector<api::ScheduledTask> tasks;
};
Read ReadReply(WireProtocol wire, std::string bytes, const std::string& method) {
  auto buffer = std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(bytes.data()),
                                                static_cast<uint32_t>(bytes.size()));
  auto p = MakeProtocol(wire, buffer);
  Read out;
  ReadTaskListReply(*p, method, out.response,
                    [&](api::ScheduledTask& t) { out.tasks.push_back(t); });
  return out;
}

class TaskListReaderTest : public ::testing::TestWithParam<WireProtocol> {};

TEST_P(TaskListReaderTest, HandsOverEveryTaskAndKeepsTheRestOfTheResponse) {
  api::Response r;
  r.__set_responseCode(api::ResponseCode::WARNING);
  r.serverInfo.clusterName = "devcluster";
  api::ResponseDetail d;
  d.message = "slow";
  r.__set_details({d});
  r.result.__set_scheduleStatusResult(api::ScheduleStatusResult());
  r.result.scheduleStatusResult.__set_tasks({MakeTask(0), MakeTask(1), MakeTask(2)});
  r.__isset.result = true;

  Read got = ReadReply(GetParam(), Reply(GetParam(), "getTasksWithoutConfigs", r),
                       "getTasksWithoutConfigs");
  ASSERT_EQ(got.tasks.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(got.tasks[i], r.result.scheduleStatusResult.tasks[i]);
  EXPECT_EQ(got.response.responseCode, api::ResponseCode::WARNING);
  EXPECT_EQ(got.response.serverInfo.clusterName, "devcluster");
  ASSERT_EQ(got.response.details.size(), 1u);
  EXPECT_EQ(got.response.details[0].message, "slow");
  EXPECT_TRUE(got.response.result.scheduleStatusResult.tasks.empty());  // handed over, not kept
}

TEST_P(TaskListReaderTest, AnErrorResponseHasNoTasks) {
  api::Response r;
  r.__set_responseCode(api::ResponseCode::AUTH_FAILED);
  api::ResponseDetail d;
  d.message = "who are you";
  r.__set_details({d});
  Read got = ReadReply(GetParam(), Reply(GetParam(), "getTasksStatus", r), "getTasksStatus");
  EXPECT_TRUE(got.tasks.empty());
  EXPECT_EQ(got.response.responseCode, api::ResponseCode::AUTH_FAILED);
  EXPECT_EQ(ResponseStatus(got.response, "getTasksStatus").code(), StatusCode::kPermissionDenied);
}

TEST_P(TaskListReaderTest, OtherResultsAreSkipped) {
  api::Response r;
  r.__set_responseCode(api::ResponseCode::OK);
  r.result.__set_getJobsResult(api::GetJobsResult());
  r.result.getJobsResult.__set_configs({api::JobConfiguration()});
  r.__isset.result = true;
  Read got = ReadReply(GetParam(), Reply(GetParam(), "getTasksStatus", r), "getTasksStatus");
  EXPECT_TRUE(got.tasks.empty());
  EXPECT_EQ(got.response.responseCode, api::ResponseCode::OK);
}

TEST_P(TaskListReaderTest, ExceptionAndForeignRepliesThrow) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  auto p = MakeProtocol(GetParam(), buffer);
  TApplicationException x(TApplicationException::UNKNOWN_METHOD, "no such method");
  p->writeMessageBegin("getTasksStatus", apache::thrift::protocol::T_EXCEPTION, 0);
  x.write(p.get());
  p->writeMessageEnd();
  try {
    ReadReply(GetParam(), buffer->getBufferAsString(), "getTasksStatus");
    FAIL() << "no exception";
  } catch (const TApplicationException& e) {
    EXPECT_EQ(e.getType(), TApplicationException::UNKNOWN_METHOD);
  }
  api::Response r;
  EXPECT_ANY_THROW(ReadReply(GetParam(), Reply(GetParam(), "getJobs", r), "getTasksStatus"));
}

// What ReadTaskStateReply handed over of one task, copied out of the view.
struct State {
  aurora::JobKey job;
  std::string task_id, host;
  int32_t instance_id = 0, failure_count = 0;
  TaskStatus status = TaskStatus::kPending;
  std::vector<std::pair<std::string, int32_t>> ports;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<TaskEvent> events;
  friend bool operator==(const State&, const State&) = default;
};
State Copy(const TaskStateView& v) {
  return State{*v.job,
               std::string(v.task_id),
               std::string(v.host),
               v.instance_id,
               v.failure_count,
               v.status,
               {v.ports.begin(), v.ports.end()},
               {v.metadata.begin(), v.metadata.end()},
               {v.events.begin(), v.events.end()}};
}
// The same fields of a task decoded whole by the generated reader and converted as usual.
State Whole(const api::ScheduledTask& t) {
  Task task = FromThrift(t);
  std::vector<std::pair<std::string, int32_t>> ports;
  std::vector<std::pair<std::string, std::string>> metadata;
  return Copy(ViewOf(task, ports, metadata));
}

std::vector<State> ReadStates(WireProtocol wire, std::string bytes, api::Response& response) {
  auto buffer = std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(bytes.data()),
                                                static_cast<uint32_t>(bytes.size()));
  auto p = MakeProtocol(wire, buffer);
  std::vector<State> out;
  ReadTaskStateReply(*p, "getTasksWithoutConfigs", response,
                     [&](const TaskStateView& v) { out.push_back(Copy(v)); });
  return out;
}

TEST_P(TaskListReaderTest, StatesAgreeWithWholeTasksAndNothingCarriesOverFromTheTaskBefore) {
  // A large task, then a smaller one, then one with nothing but its status: every buffer the
  // reader reuses must hold only the current task's fields.
  api::ScheduledTask big = MakeTask(1);
  big.assignedTask.assignedPorts = {{"http", 1}, {"tmanager", 2}, {"shell", 3}};
  big.taskEvents.push_back(big.taskEvents[0]);
  api::ScheduledTask small = MakeTask(2);
  small.assignedTask.assignedPorts = {{"http", 9}};
  small.taskEvents.resize(1);
  small.taskEvents[0].__isset.message = false;
  small.taskEvents[0].message.clear();
  api::Metadata only;
  only.key = "k";
  only.value = "v";
  small.assignedTask.task.__set_metadata({only});
  small.assignedTask.task.job.name = "other";
  api::ScheduledTask bare;
  bare.status = api::ScheduleStatus::FAILED;
  api::Response r;
  r.__set_responseCode(api::ResponseCode::OK);
  r.result.__set_scheduleStatusResult(api::ScheduleStatusResult());
  r.result.scheduleStatusResult.__set_tasks({big, small, bare});
  r.__isset.result = true;

  api::Response response;
  std::vector<State> got =
      ReadStates(GetParam(), Reply(GetParam(), "getTasksWithoutConfigs", r), response);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], Whole(big));
  EXPECT_EQ(got[1], Whole(small));
  EXPECT_EQ(got[2], Whole(bare));
  EXPECT_EQ(got[1].ports.size(), 1u);
  EXPECT_EQ(got[1].events.size(), 1u);
  EXPECT_EQ(got[1].events[0].message, "");
  EXPECT_EQ(got[1].job.name, "other");
  EXPECT_TRUE(got[2].task_id.empty());
  EXPECT_TRUE(got[2].job.role.empty());
  EXPECT_TRUE(got[2].ports.empty() && got[2].metadata.empty() && got[2].events.empty());
  EXPECT_EQ(got[2].status, TaskStatus::kFailed);
  EXPECT_EQ(response.responseCode, api::ResponseCode::OK);
}

TEST_P(TaskListReaderTest, StatesOfAnErrorResponseAreNone) {
  api::Response r;
  r.__set_responseCode(api::ResponseCode::AUTH_FAILED);
  api::Response response;
  EXPECT_TRUE(
      ReadStates(GetParam(), Reply(GetParam(), "getTasksWithoutConfigs", r), response).empty());
  EXPECT_EQ(response.responseCode, api::ResponseCode::AUTH_FAILED);
}

TEST_P(TaskListReaderTest, StateFieldsOfTheWrongTypeAreSkipped) {
  // A field id the reader knows, sent with another type (a newer or foreign scheduler), is
  // skipped rather than misread.
  auto buffer = std::make_shared<TMemoryBuffer>();
  auto p = MakeProtocol(GetParam(), buffer);
  using apache::thrift::protocol::T_STRING;
  using apache::thrift::protocol::T_STRUCT;
  p->writeMessageBegin("getTasksWithoutConfigs", apache::thrift::protocol::T_REPLY, 0);
  p->writeStructBegin("result");
  p->writeFieldBegin("success", T_STRUCT, 0);
  p->writeStructBegin("Response");
  p->writeFieldBegin("responseCode", apache::thrift::protocol::T_I32, 1);
  p->writeI32(api::ResponseCode::OK);
  p->writeFieldEnd();
  p->writeFieldBegin("result", T_STRUCT, 3);
  p->writeStructBegin("Result");
  p->writeFieldBegin("scheduleStatusResult", T_STRUCT, 3);
  p->writeStructBegin("ScheduleStatusResult");
  p->writeFieldBegin("tasks", apache::thrift::protocol::T_LIST, 1);
  p->writeListBegin(T_STRUCT, 1);
  p->writeStructBegin("ScheduledTask");
  p->writeFieldBegin("status", T_STRING, 2);  // an i32 on the wire normally
  p->writeString("RUNNING");
  p->writeFieldEnd();
  p->writeFieldBegin("failureCount", apache::thrift::protocol::T_I32, 3);
  p->writeI32(4);
  p->writeFieldEnd();
  p->writeFieldStop();
  p->writeStructEnd();
  p->writeListEnd();
  auto close_struct = [&] {  // ends the field that holds a struct, then the struct around it
    p->writeFieldEnd();
    p->writeFieldStop();
    p->writeStructEnd();
  };
  for (int depth = 0; depth < 4; ++depth) close_struct();  // tasks, result, success, reply
  p->writeMessageEnd();
  api::Response response;
  std::vector<State> got = ReadStates(GetParam(), buffer->getBufferAsString(), response);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status, TaskStatus::kPending);  // left as it was, not misread
  EXPECT_EQ(got[0].failure_count, 4);
}

INSTANTIATE_TEST_SUITE_P(Protocols, TaskListReaderTest,
                         ::testing::Values(WireProtocol::kBinary, WireProtocol::kJson),
                         [](const auto& info) {
                           return info.param == WireProtocol::kBinary ? "Binary" : "TJson";
                         });

}  // namespace
}  // namespace hgo::aurora
