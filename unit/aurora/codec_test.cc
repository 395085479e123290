// Aurora's wire format: messages checked against bytes and TJSON text written out by hand from
// the Thrift spec and Aurora's own examples, not only round-tripped through our code.
#include "aurora/codec.h"

#include <algorithm>
#include <climits>
#include <set>

#include <gtest/gtest.h>
#include <thrift/protocol/TJSONProtocol.h>

#include "aurora/gen/AuroraSchedulerManager.h"
#include "aurora/thrift_client.h"

namespace hgo::aurora {
namespace {

using apache::thrift::protocol::T_CALL;
using apache::thrift::transport::TMemoryBuffer;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

TEST(AuroraWireTest, KillTasksCallIsAurorasOwnTJsonExample) {
  // The killTasks request of the TJSON example in Aurora's own documentation of its API.
  auto buffer = std::make_shared<TMemoryBuffer>();
  auto protocol = MakeProtocol(WireProtocol::kJson, buffer);
  api::AuroraSchedulerManager_killTasks_args args;
  args.job = ToThrift(JobKey{"www-data", "devel", "hello"});
  args.instances = {0, 1};
  args.message = "scale down";
  protocol->writeMessageBegin("killTasks", T_CALL, 7);
  args.write(protocol.get());
  protocol->writeMessageEnd();
  EXPECT_EQ(buffer->getBufferAsString(),
            R"([1,"killTasks",1,7,{"4":{"rec":{"1":{"str":"www-data"},"2":{"str":"devel"},)"
            R"("3":{"str":"hello"}}},"5":{"set":["i32",2,0,1]},"6":{"str":"scale down"}}])");
}

TEST(AuroraWireTest, AurorasTJsonReplyDecodes) {
  const std::string reply =
      R"([1,"killTasks",2,7,{"0":{"rec":{"1":{"i32":1},"5":{"rec":{"1":{"str":"devcluster"},)"
      R"("3":{"str":""}}},"6":{"lst":["rec",0]}}}}])";
  auto buffer = std::make_shared<TMemoryBuffer>();
  buffer->write(reinterpret_cast<const uint8_t*>(reply.data()), reply.size());
  auto protocol = MakeProtocol(WireProtocol::kJson, buffer);
  api::AuroraSchedulerManagerClient client(protocol);
  api::Response r;
  client.recv_killTasks(r);
  EXPECT_EQ(r.responseCode, api::ResponseCode::OK);
  EXPECT_EQ(r.serverInfo.clusterName, "devcluster");
  EXPECT_TRUE(r.details.empty());
  EXPECT_FALSE(r.__isset.result);
  EXPECT_TRUE(ResponseStatus(r, "killTasks").ok());
}

TEST(AuroraWireTest, JobKeyBinaryBytes) {
  // struct = {i8 type, i16 id, value}* 0; STRING = 11 with an i32 length.
  EXPECT_EQ(SerializeThrift(ToThrift(JobKey{"r", "e", "n"}), WireProtocol::kBinary),
            Bytes({0x0b, 0x00, 0x01, 0, 0, 0, 1, 'r',  //
                   0x0b, 0x00, 0x02, 0, 0, 0, 1, 'e',  //
                   0x0b, 0x00, 0x03, 0, 0, 0, 1, 'n',  //
                   0x00}));
}

TEST(AuroraWireTest, UnsetQueryFiltersAreNotSent) {
  // Stock C++ code would send role="", user="", key={...}: Aurora would filter on them and
  // answer nothing. Ours sends only what is set.
  UpdateQuery q;
  q.job_key = JobKey{"r", "e", "n"};
  q.statuses = {UpdateStatus::kRollingForward, UpdateStatus::kRollBackPaused};
  EXPECT_EQ(SerializeThrift(ToThrift(q), WireProtocol::kJson),
            R"({"3":{"rec":{"1":{"str":"r"},"2":{"str":"e"},"3":{"str":"n"}}},)"
            R"("5":{"set":["i32",2,0,3]}})");
  TaskQuery t;
  t.role = "www-data";
  EXPECT_EQ(SerializeThrift(ToThrift(t), WireProtocol::kJson), R"({"14":{"str":"www-data"}})");
}

TEST(AuroraWireTest, RollbackMessageIsFieldTwo) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  auto protocol = MakeProtocol(WireProtocol::kJson, buffer);
  api::AuroraSchedulerManager_rollbackJobUpdate_args args;
  args.key = ToThrift(UpdateKey{JobKey{"r", "e", "n"}, "u1"});
  args.message = "m";
  args.write(protocol.get());
  EXPECT_NE(buffer->getBufferAsString().find(R"("2":{"str":"m"})"), std::string::npos)
      << buffer->getBufferAsString();
}

TaskConfig SampleTask() {
  TaskConfig t;
  t.job = JobKey{"www-data", "devel", "wc"};
  t.owner = "heron";
  t.is_service = true;
  t.max_task_failures = 1;
  t.tier = "preemptible";
  t.cpus = 2.5;
  t.ram_mb = 4096;
  t.disk_mb = 8192;
  t.named_ports = {"http", "tmanager"};
  t.constraints = {Constraint{"host", false, {}, 1}, Constraint{"rack", true, {"a", "b"}, {}}};
  t.executor_data = R"({"name":"wc"})";
  t.metadata = {{"heron-gitops/spec-hash", "abc"}};
  t.contact_email = "team@example.com";
  return t;
}

TEST(AuroraCodecTest, TaskConfigRoundTripsAndCarriesEveryField) {
  TaskConfig t = SampleTask();
  api::TaskConfig wire = ToThrift(t);
  EXPECT_TRUE(wire.container.__isset.mesos);  // an empty Container union is rejected by Aurora
  EXPECT_EQ(wire.resources.size(), 5u);       // cpu, ram, disk, two named ports
  EXPECT_TRUE(wire.__isset.taskLinks);
  EXPECT_FALSE(wire.__isset.production);  // the scheduler derives it from the tier
  EXPECT_EQ(wire.executorConfig.name, "AuroraExecutor");
  for (WireProtocol p : {WireProtocol::kBinary, WireProtocol::kJson}) {
    api::TaskConfig back;
    ASSERT_TRUE(DeserializeThrift(SerializeThrift(wire, p), p, &back).ok());
    EXPECT_EQ(FromThrift(back), t);
  }
}

TEST(AuroraCodecTest, AMovedTaskConvertsAsACopiedOne) {
  api::ScheduledTask wire;
  wire.assignedTask.taskId = "1700000000000-www-data-devel-wc-0-6a1f0c2e-8b0d-4c5e-9d41-2f3b";
  wire.assignedTask.slaveHost = "agent-17.example.com";
  wire.assignedTask.instanceId = 3;
  wire.assignedTask.assignedPorts = {{"http", 31001}, {"tmanager", 31002}};
  wire.assignedTask.task = ToThrift(SampleTask());
  api::Metadata extra;
  extra.key = "heron-gitops/spec-hash";  // a second value under one key: the last one wins
  extra.value = "abd";
  wire.assignedTask.task.metadata.insert(extra);
  wire.status = api::ScheduleStatus::RUNNING;
  wire.failureCount = 2;
  wire.ancestorId = "task-before";
  api::TaskEvent started, killed;
  started.timestamp = 10;
  started.status = api::ScheduleStatus::RUNNING;
  killed.timestamp = 20;
  killed.status = api::ScheduleStatus::KILLING;
  killed.__set_message("Killed by alice");
  killed.__set_scheduler("scheduler-1");
  wire.taskEvents = {started, killed};

  const Task copied = FromThrift(static_cast<const api::ScheduledTask&>(wire));
  EXPECT_EQ(copied.config.metadata.at("heron-gitops/spec-hash"), "abd");
  EXPECT_EQ(copied.config.executor_data, SampleTask().executor_data);
  EXPECT_EQ(copied.events.at(1).message, "Killed by alice");
  api::ScheduledTask moved_from = wire;
  EXPECT_EQ(FromThrift(std::move(moved_from)), copied);
}

TEST(AuroraCodecTest, SameConfigSameBytes) {
  EXPECT_EQ(SerializeThrift(ToThrift(SampleTask()), WireProtocol::kBinary),
            SerializeThrift(ToThrift(SampleTask()), WireProtocol::kBinary));
}

TEST(AuroraCodecTest, ResponseCodesBecomeStatus) {
  api::Response r;
  api::ResponseDetail d;
  d.message = "Job www-data/devel/wc already exists";
  r.details = {d};
  const std::pair<api::ResponseCode::type, StatusCode> cases[] = {
      {api::ResponseCode::OK, StatusCode::kOk},
      {api::ResponseCode::INVALID_REQUEST, StatusCode::kInvalidArgument},
      {api::ResponseCode::ERROR, StatusCode::kInternal},
      {api::ResponseCode::AUTH_FAILED, StatusCode::kPermissionDenied},
      {api::ResponseCode::JOB_UPDATING_ERROR, StatusCode::kFailedPrecondition},
      {api::ResponseCode::ERROR_TRANSIENT, StatusCode::kUnavailable},
  };
  for (const auto& [code, want] : cases) {
    r.responseCode = code;
    Status s = ResponseStatus(r, "createJob");
    EXPECT_EQ(s.code(), want) << code;
    if (!s.ok()) {
      EXPECT_NE(s.message().find("already exists"), std::string::npos);
    }
  }
}

TEST(AuroraCodecTest, RangesCompressAndExpand) {
  std::set<int32_t> ids = {0, 1, 2, 5, 7, 8};
  auto ranges = ToRanges(ids);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0], (Range{0, 2}));
  EXPECT_EQ(ranges[1], (Range{5, 5}));
  EXPECT_EQ(ranges[2], (Range{7, 8}));
  EXPECT_EQ(FromRanges(ranges), ids);
  EXPECT_TRUE(FromRanges({Range{0, 2000000000}}).empty());  // hostile input is dropped
}

TEST(AuroraClientTest, KillTasksRefusesAnEmptySetBeforeTouchingTheNetwork) {
  HttpTransportOptions options;
  options.schedulers = [] { return std::vector<std::string>{"http://127.0.0.1:1"}; };
  ThriftAuroraClient client(options);
  Status s = client.KillTasks(JobKey{"r", "devel", "j"}, {}, "none");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client.transport().last_attempts(), 0);
}

// A corrupt reply announcing a huge list or string is refused for its size before anything is
// allocated: the generated readers reserve what a size announces, and a few bytes announcing a
// billion elements made the client allocate gigabytes (fuzz/aurora_reply_fuzzer.cc found it).
TEST(AuroraClientTest, ARepliesAnnouncedSizesCannotExceedItsBytes) {
  auto reply = [](bool huge_string) {
    auto buffer = std::make_shared<TMemoryBuffer>();
    auto p = MakeProtocol(WireProtocol::kBinary, buffer);
    p->writeMessageBegin("getJobs", apache::thrift::protocol::T_REPLY, 0);
    p->writeStructBegin("result");
    p->writeFieldBegin("success", apache::thrift::protocol::T_STRUCT, 0);
    p->writeStructBegin("Response");
    p->writeFieldBegin("details", apache::thrift::protocol::T_LIST, 6);
    if (huge_string) {
      p->writeListBegin(apache::thrift::protocol::T_STRUCT, 1);
      p->writeFieldBegin("message", apache::thrift::protocol::T_STRING, 1);
      p->writeI32(INT32_MAX);  // a string's length, and no bytes after it
    } else {
      p->writeListBegin(apache::thrift::protocol::T_STRUCT, 1 << 30);
    }
    return buffer->getBufferAsString();
  };
  for (bool huge_string : {false, true}) {
    const std::string bytes = reply(huge_string);
    ThriftAuroraClient client([&](const std::string&, const std::string&,
                                  bool) -> StatusOr<std::string> { return bytes; },
                              WireProtocol::kBinary);
    auto jobs = client.GetJobs("www-data");
    ASSERT_FALSE(jobs.ok());
    EXPECT_NE(jobs.status().message().find("size limit"), std::string::npos) << jobs.status();
  }
}

// Sets of Thrift structs are ordered by their binary serialisation (thrift_ordering.cc), and the
// job hash is taken over the serialised task, sets included: the order must not change between
// releases, or every running job would look changed.
TEST(AuroraWireTest, SetsOfStructsAreOrderedByTheirBinaryBytes) {
  api::Resource cpus;
  cpus.__set_numCpus(2.5);
  api::Resource ram;
  ram.__set_ramMb(1024);
  api::Resource disk;
  disk.__set_diskMb(4096);
  api::Resource port;
  port.__set_namedPort("http");
  std::set<api::Resource> resources{port, disk, ram, cpus};
  std::vector<std::string> order;
  for (const auto& r : resources) order.push_back(SerializeThrift(r, WireProtocol::kBinary));
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  // numCpus is field 1 of type double (4), ramMb field 2 and diskMb field 3 of type i64 (10),
  // namedPort field 4 of type string (11): the type byte leads.
  EXPECT_TRUE(*resources.begin() == cpus);
  EXPECT_TRUE(*resources.rbegin() == port);
  EXPECT_FALSE(ram < ram) << "a strict order";
  EXPECT_TRUE(ram < disk);

  // Every pair, against the bytes themselves (the comparison does not serialise when it can help
  // it): negative numbers, doubles, strings of other lengths, and a resource with no field set.
  std::vector<api::Resource> all{cpus, ram, disk, port};
  for (double c : {-1.5, 0.0, 0.25, 2.5, 1e9}) all.emplace_back().__set_numCpus(c);
  for (int64_t v : {int64_t{-5}, int64_t{0}, int64_t{1}, int64_t{1} << 40}) {
    all.emplace_back().__set_ramMb(v);
    all.emplace_back().__set_diskMb(v);
    all.emplace_back().__set_numGpus(v);
  }
  for (const char* p : {"", "a", "b", "ab", "health", "http", "tmaster-ctl"}) {
    all.emplace_back().__set_namedPort(p);
  }
  all.emplace_back();  // nothing set
  for (const auto& x : all) {
    for (const auto& y : all) {
      EXPECT_EQ(x < y, SerializeThrift(x, WireProtocol::kBinary) <
                           SerializeThrift(y, WireProtocol::kBinary));
    }
  }

  api::JobKey a;
  a.role = "www-data";
  a.environment = "devel";
  a.name = "b";
  api::JobKey b = a;
  b.name = "a";
  // Strings are length-prefixed: same length, so the bytes order by content.
  EXPECT_TRUE(b < a);
  EXPECT_FALSE(a < b);
}

}  // namespace
}  // namespace hgo::aurora
