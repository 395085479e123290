// Heron's messages, checked against bytes written out by hand from the wire format (tag =
// field << 3 | wire type; 0 varint, 1 fixed64, 2 length-delimited), not only round-tripped.
#include "heron/messages.h"

#include <gtest/gtest.h>

#include "crd/parser.h"
#include "unit/crd/spec_fixture.h"

namespace hgo::heronmsg {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

crd::Topology Spec() {
  std::string yaml = crd::testing::BaseSpec();
  yaml = crd::testing::Replace(yaml, "cluster: devcluster", "cluster: dev");
  yaml = crd::testing::Replace(yaml, "role: www-data", "role: r");
  yaml = crd::testing::Replace(yaml, "{type: SHUFFLE}", "{type: FIELDS, args: [word]}");
  auto r = crd::ParseTopologies(yaml, "h.yaml");
  EXPECT_TRUE(r.ok());
  return r.Topologies().at(0);
}

TEST(HeronProtosTest, ExecutionStateBytesAreExactlyHeronsLayout) {
  auto es = BuildExecutionState(Spec(), "wc-1", SubmissionInfo{1700000000, "ctl", "0.20.5"});
  const std::string expected = Bytes({
      0x0a, 0x02, 'w',  'c',                         // 1 topology_name
      0x12, 0x04, 'w',  'c',  '-',  '1',             // 2 topology_id
      0x18, 0x80, 0xe2, 0xcf, 0xaa, 0x06,            // 3 submission_time = 1700000000 (varint)
      0x22, 0x03, 'c',  't',  'l',                   // 4 submission_user
      0x2a, 0x03, 'd',  'e',  'v',                   // 5 cluster
      0x32, 0x05, 'd',  'e',  'v',  'e',  'l',       // 6 environ
      0x3a, 0x01, 'r',                               // 7 role
      0x42, 0x0f,                                    // 8 release_state, 15 bytes:
      0x0a, 0x03, 'c',  't',  'l',                   //   1 release_username
      0x12, 0x00,                                    //   2 release_tag ""
      0x1a, 0x06, '0',  '.',  '2',  '0',  '.', '5',  //   3 release_version
  });
  EXPECT_EQ(SerializeHeronMessage(es), expected);
}

TEST(HeronProtosTest, PackingPlanBytesAreExactlyHeronsLayout) {
  constexpr int64_t kGiB = int64_t{1} << 30;
  packing::PackingPlan plan;
  plan.id = "t";
  packing::ContainerPlan c;
  c.id = 1;
  c.instances.push_back(packing::InstancePlan{"s", 1, 0, {1.0, kGiB, kGiB}});
  c.required = {2.0, 2 * kGiB, 2 * kGiB};
  c.scheduled = c.required;
  plan.containers.push_back(c);
  const std::string expected = Bytes({
      0x0a,
      0x01,
      't',  // 1 id
      0x12,
      0x50,  // 2 container_plans, 80 bytes:
      0x08,
      0x01,  //   1 id = 1
      0x12,
      0x1e,  //   2 instance_plans, 30 bytes:
      0x0a,
      0x01,
      's',  //     1 component_name
      0x10,
      0x01,  //     2 task_id = 1
      0x18,
      0x00,  //     3 component_index = 0
      0x22,
      0x15,  //     4 resource, 21 bytes:
      0x09,
      0,
      0,
      0,
      0,
      0,
      0,
      0xf0,
      0x3f,  //  1 cpu = 1.0 (fixed64,
             //  little-endian)
      0x10,
      0x80,
      0x80,
      0x80,
      0x80,
      0x04,  //  2 ram = 2^30
      0x18,
      0x80,
      0x80,
      0x80,
      0x80,
      0x04,  //  3 disk = 2^30
      0x1a,
      0x15,  //   3 requiredResource:
      0x09,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0x40,  //     cpu = 2.0
      0x10,
      0x80,
      0x80,
      0x80,
      0x80,
      0x08,  //     ram = 2^31
      0x18,
      0x80,
      0x80,
      0x80,
      0x80,
      0x08,  //     disk = 2^31
      0x22,
      0x15,  //   4 scheduledResource (the same)
      0x09,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0x40,
      0x10,
      0x80,
      0x80,
      0x80,
      0x80,
      0x08,
      0x18,
      0x80,
      0x80,
      0x80,
      0x80,
      0x08,
  });
  auto proto = PackingPlanToProto(plan);
  EXPECT_EQ(SerializeHeronMessage(proto), expected);
  // And the bytes read back into the same plan.
  auto back = ParseHeronMessage<hp_system::PackingPlan>(expected, "/heron/packingplans/t");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(PackingPlanFromProto(*back), plan);
}

TEST(HeronProtosTest, HandEncodedTopologyDecodesToTheExpectedFields) {
  const std::string bytes = Bytes({
      0x0a, 0x02, 't',  '1',  // 1 id
      0x12, 0x01, 't',        // 2 name
      0x1a, 0x11,             // 3 spouts[0], 17 bytes: Spout
      0x0a, 0x0f,             //   1 comp, 15 bytes: Component
      0x0a, 0x01, 's',        //     1 name
      0x1a, 0x0a,             //     3 config, 10 bytes
      0x0a, 0x08,             //       1 kvs[0], 8 bytes
      0x0a, 0x01, 'p',        //         1 key
      0x12, 0x01, '1',        //         2 value
      0x20, 0x01,             //         4 type = STRING_VALUE
      0x22, 0x22,             // 4 bolts[0], 34 bytes: Bolt
      0x0a, 0x05,             //   1 comp
      0x0a, 0x01, 'b',        //     1 name
      0x1a, 0x00,             //     3 config (empty)
      0x12, 0x19,             //   2 inputs[0], 25 bytes: InputStream
      0x0a, 0x0c,             //     1 stream: StreamId
      0x0a, 0x07, 'd',  'e',  'f', 'a',  'u',
      'l',  't',  0x12, 0x01, 's', 0x10, 0x02,  //     2 gtype = FIELDS
      0x1a, 0x07,                               //     3 grouping_fields: StreamSchema
      0x0a, 0x05,                               //       1 keys[0]: KeyType
      0x0a, 0x01, 'w',                          //         1 key
      0x10, 0x01,                               //         2 type = OBJECT
      0x28, 0x01,                               // 5 state = RUNNING
  });
  auto t = ParseHeronMessage<hp_api::Topology>(bytes, "/heron/topologies/t");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->id(), "t1");
  EXPECT_EQ(t->name(), "t");
  ASSERT_EQ(t->spouts_size(), 1);
  EXPECT_EQ(t->spouts(0).comp().name(), "s");
  ASSERT_EQ(t->spouts(0).comp().config().kvs_size(), 1);
  EXPECT_EQ(t->spouts(0).comp().config().kvs(0).key(), "p");
  EXPECT_EQ(t->spouts(0).comp().config().kvs(0).value(), "1");
  EXPECT_EQ(t->spouts(0).comp().config().kvs(0).type(), hp_api::STRING_VALUE);
  ASSERT_EQ(t->bolts_size(), 1);
  const auto& in = t->bolts(0).inputs(0);
  EXPECT_EQ(in.stream().id(), "default");
  EXPECT_EQ(in.stream().component_name(), "s");
  EXPECT_EQ(in.gtype(), hp_api::FIELDS);
  EXPECT_EQ(in.grouping_fields().keys(0).key(), "w");
  EXPECT_EQ(in.grouping_fields().keys(0).type(), hp_api::OBJECT);
  EXPECT_EQ(t->state(), hp_api::RUNNING);
  // Our serialisation of the decoded message gives the same bytes back.
  EXPECT_EQ(SerializeHeronMessage(*t), bytes);
}

TEST(HeronProtosTest, TopologyFromSpecCarriesPlanConfigAndParallelism) {
  auto topo = BuildTopology(Spec(), "wc-abc", 3);
  EXPECT_EQ(topo.id(), "wc-abc");
  EXPECT_EQ(topo.name(), "wc");
  EXPECT_EQ(topo.state(), hp_api::RUNNING);
  ASSERT_EQ(topo.spouts_size(), 1);
  const auto& spout = topo.spouts(0);
  EXPECT_EQ(spout.comp().name(), "sentence");
  EXPECT_EQ(spout.comp().class_name(), "com.example.SentenceSpout");
  EXPECT_EQ(spout.comp().spec(), hp_api::JAVA_CLASS_NAME);
  EXPECT_FALSE(spout.comp().has_serialized_object());  // the trimmed form
  EXPECT_EQ(spout.comp().config().kvs(0).key(), "topology.component.parallelism");
  EXPECT_EQ(spout.comp().config().kvs(0).value(), "1");
  ASSERT_EQ(spout.outputs_size(), 1);
  EXPECT_EQ(spout.outputs(0).stream().id(), "default");
  EXPECT_EQ(spout.outputs(0).schema().keys(0).key(), "word");
  const auto& bolt = topo.bolts(0);
  EXPECT_EQ(bolt.comp().config().kvs(0).value(), "2");
  EXPECT_EQ(bolt.inputs(0).gtype(), hp_api::FIELDS);
  EXPECT_EQ(bolt.inputs(0).stream().component_name(), "sentence");
  std::map<std::string, std::string> config;
  for (const auto& kv : topo.topology_config().kvs()) {
    EXPECT_EQ(kv.type(), hp_api::STRING_VALUE) << kv.key();
    config[kv.key()] = kv.value();
  }
  EXPECT_EQ(config["topology.stmgrs"], "3");
  EXPECT_EQ(config["topology.name"], "wc");
  EXPECT_EQ(config["topology.team.name"], "r");
  EXPECT_EQ(config["topology.team.environment"], "devel");
  EXPECT_EQ(config["topology.reliability.mode"], "ATMOST_ONCE");
  // Same spec, same bytes.
  EXPECT_EQ(SerializeHeronMessage(topo), SerializeHeronMessage(BuildTopology(Spec(), "wc-abc", 3)));
}

TEST(HeronProtosTest, GlobalGroupingIsLowestAndPausedIsPaused) {
  std::string yaml =
      crd::testing::Replace(crd::testing::BaseSpec(), "{type: SHUFFLE}", "{type: GLOBAL}");
  yaml += "  state: Paused\n";
  auto t = crd::ParseTopologies(yaml, "g.yaml").Topologies().at(0);
  auto topo = BuildTopology(t, "id", 1);
  EXPECT_EQ(topo.bolts(0).inputs(0).gtype(), hp_api::LOWEST);
  EXPECT_EQ(topo.state(), hp_api::PAUSED);
}

TEST(HeronProtosTest, GarbageIsAnErrorNamingThePath) {
  auto bad =
      ParseHeronMessage<hp_system::ExecutionState>("\xff\xff\xff", "/heron/executionstate/x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/heron/executionstate/x"), std::string::npos);
}

TEST(HeronProtosTest, SchedulerLocationOfALibraryModeScheduler) {
  auto loc = BuildSchedulerLocation("wc", "http://aurora/scheduler/r/devel/wc");
  EXPECT_EQ(loc.http_endpoint(), "scheduler_as_lib_no_endpoint");
  EXPECT_EQ(loc.job_page_link(0), "http://aurora/scheduler/r/devel/wc");
}

}  // namespace
}  // namespace hgo::heronmsg
