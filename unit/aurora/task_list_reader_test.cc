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
  t.taskEvents = {e};
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

INSTANTIATE_TEST_SUITE_P(Protocols, TaskListReaderTest,
                         ::testing::Values(WireProtocol::kBinary, WireProtocol::kJson),
                         [](const auto& info) {
                           return info.param == WireProtocol::kBinary ? "Binary" : "TJson";
                         });

}  // namespace
}  // namespace hgo::aurora
