// Adoption's comparison: a topology submitted the way heron-cli does (testing/heron_cli.h,
// written from Heron's sources, not from the job builder) matches the spec it was submitted
// from, whatever only identifies the submitter; each real difference is named with both values,
// and how many containers adopting would restart.
#include "shape/adoption.h"

#include <gtest/gtest.h>

#include "aurora/job_builder.h"
#include "crd/canonical.h"
#include "crd/parser.h"
#include "heron/defn.h"
#include "testing/heron_cli.h"
#include "testing/spec_text.h"

namespace hgo::shape {
namespace {

constexpr char kCore[] = "file:///opt/heron/heron-core.tar.gz";

crd::Topology Spec(const std::string& extra = "") {
  auto r = crd::ParseTopologies(testing::MinimalSpecText("wc") +
                                    "  packing: {algorithm: RoundRobin, containers: 2}\n" + extra,
                                "wc.yaml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.AllErrors()[0].ToString());
  return r.Topologies().at(0);
}

aurora::ClusterConfig Cluster() {
  aurora::ClusterConfig c;
  c.name = "devcluster";
  c.core_package_uri = kCore;
  c.statemgr_connection = "zk1:2181";
  return c;
}

testing::HeronCliOptions CliOptions() {
  testing::HeronCliOptions o;
  o.statemgr_connection = "zk1:2181";
  o.core_package_uri = kCore;
  o.uuid = "3e1f0a52-8c1d-4b7e-a0c2-5d9e7f6a1b23";
  return o;
}

LiveTopology Live(const testing::HeronCliSubmission& s) {
  LiveTopology live;
  for (int32_t i = 0; i < s.job.instance_count; ++i) {
    aurora::Task t;
    t.task_id = "task-" + std::to_string(i);
    t.instance_id = i;
    t.status = aurora::TaskStatus::kRunning;
    t.config = s.job.task;
    live.tasks.push_back(t);
  }
  live.topology = *heronmsg::ParseHeronMessage<heronmsg::hp_api::Topology>(
      s.before_job.at(0).second, "topologies");
  live.packing = heronmsg::PackingPlanFromProto(
      *heronmsg::ParseHeronMessage<heron::proto::system::PackingPlan>(s.before_job.at(1).second,
                                                                      "packingplans"));
  return live;
}

// Compares `live` with what `spec` makes, as the controller does (the shape repacked from the
// live plan, the job built with the live topology id, the Heron topology from the package's
// .defn: `defn`, or one made from the spec as the stand-in's packages hold).
reconciler::ObservedForeign Compare(const crd::Topology& spec, const LiveTopology& live,
                                    std::string defn = "") {
  auto ptr = std::make_shared<const crd::Topology>(spec);
  RevisionSource rev{ptr, crd::SpecHash(spec), "test"};
  const packager::PackageFacts facts{"", "wc.defn", "wc.jar", "jar", "/heron"};
  auto shape = ShapeOf(rev, Cluster(), live.packing, facts);
  EXPECT_TRUE(shape.ok()) << shape.status();
  const std::string id = live.topology->id();
  auto built = JobFor(*shape, spec, Cluster(), id);
  EXPECT_TRUE(built.ok()) << built.status();
  if (defn.empty()) defn = heronmsg::DefnFromSpec(spec, id, shape->inputs.containers);
  auto desired = heronmsg::TopologyFromDefn(defn, "wc.defn", spec, id, shape->inputs.containers);
  EXPECT_TRUE(desired.ok()) << desired.status();
  return CompareLive(spec, *shape, *built, *desired, live);
}

std::string Listed(const reconciler::ObservedForeign& f) {
  std::string out;
  for (const auto& d : f.differences) out += d.field + ": " + d.live + " / " + d.desired + "\n";
  return out;
}

const reconciler::Difference* Find(const reconciler::ObservedForeign& f, const std::string& field) {
  for (const auto& d : f.differences) {
    if (d.field == field) return &d;
  }
  return nullptr;
}

TEST(AdoptionCompareTest, AHeronCliSubmissionMatchesTheSpecItWasSubmittedFrom) {
  const crd::Topology spec = Spec();
  auto s = testing::HeronCliSubmit(spec, CliOptions());
  ASSERT_TRUE(s.ok()) << s.status();
  // What differs on the wire and must not count: owner, no metadata, no tier, plain curl,
  // the JVM options' empty encoding, the RAM map's order.
  ASSERT_NE(s->job.task.owner, Cluster().owner);
  ASSERT_TRUE(s->job.task.metadata.empty());
  ASSERT_NE(s->job.task.executor_data.find("curl file:///var/blobs/"), std::string::npos);

  const auto f = Compare(spec, Live(*s));
  EXPECT_TRUE(f.differences.empty()) << Listed(f);
  EXPECT_EQ(f.unreadable, "");
  EXPECT_EQ(f.topology_id, "wc3e1f0a52-8c1d-4b7e-a0c2-5d9e7f6a1b23");
  EXPECT_EQ(f.live_task, aurora::LiveTaskHash(s->job.task));
  EXPECT_EQ(f.restarts, 0);
  EXPECT_TRUE(f.same_graph);
}

// heron-cli's .defn holds the spouts and bolts Java-serialized (HeronSubmitter); what it wrote
// to topologies/<name> has none. The comparison is against the .defn, objects trimmed.
TEST(AdoptionCompareTest, AHeronCliDefnWithSerializedComponentsMatchesWhatItSubmitted) {
  const crd::Topology spec = Spec();
  auto s = testing::HeronCliSubmit(spec, CliOptions());
  ASSERT_TRUE(s.ok());
  auto defn = heronmsg::ParseHeronMessage<heronmsg::hp_api::Topology>(
      heronmsg::DefnFromSpec(spec, s->topology_id, 2), "wc.defn");
  ASSERT_TRUE(defn.ok());
  // A Java serialization stream's header, with NUL bytes, as Heron's objects start.
  static constexpr char kJavaStream[] = "\xac\xed\x00\x05sr\x00\x1forg.apache.heron.examples";
  const std::string java_object(kJavaStream, sizeof(kJavaStream) - 1);
  ASSERT_EQ(java_object.size(), 33u);
  for (auto& spout : *defn->mutable_spouts())
    spout.mutable_comp()->set_serialized_object(java_object);
  for (auto& bolt : *defn->mutable_bolts()) bolt.mutable_comp()->set_serialized_object(java_object);
  auto f = Compare(spec, Live(*s), heronmsg::SerializeHeronMessage(*defn));
  EXPECT_TRUE(f.differences.empty()) << Listed(f);

  // A .defn of another topology is refused by name before anything is compared.
  defn->mutable_bolts()->Clear();
  auto other = heronmsg::TopologyFromDefn(heronmsg::SerializeHeronMessage(*defn), "wc.defn", spec,
                                          s->topology_id, 2);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("exclaim"), std::string::npos) << other.status();
}

TEST(AdoptionCompareTest, EachDifferenceIsNamedWithTheLiveAndTheDesiredValue) {
  const crd::Topology spec = Spec();
  auto s = testing::HeronCliSubmit(spec, CliOptions());
  ASSERT_TRUE(s.ok());

  // The job: more RAM, another java home, another package: every container would restart.
  LiveTopology live = Live(*s);
  for (auto& t : live.tasks) {
    t.config.ram_mb += 1024;
    std::string& data = t.config.executor_data;
    data.replace(data.find("--heron-java-home="), 18, "--heron-java-home=/opt/jdk");
    data.replace(data.find("file:///var/blobs/"), 18, "file:///elsewhere/");
  }
  auto f = Compare(spec, live);
  const auto* ram = Find(f, "ram per container (MiB)");
  ASSERT_TRUE(ram) << Listed(f);
  EXPECT_EQ(std::stoll(ram->live), std::stoll(ram->desired) + 1024);
  const auto* java = Find(f, "executor flag --heron-java-home");
  ASSERT_TRUE(java) << Listed(f);
  EXPECT_EQ(java->desired, "/usr/lib/jvm/java-1.8.0-openjdk-amd64/");
  EXPECT_EQ(java->live.rfind("/opt/jdk", 0), 0u) << java->live;
  const auto* uri = Find(f, "fetch_user_package URI");
  ASSERT_TRUE(uri) << Listed(f);
  EXPECT_EQ(uri->desired, spec.spec.package.uri);
  EXPECT_EQ(f.restarts, 3);

  // Heron's side: a spec with another parallelism and a config key the live topology lacks.
  const crd::Topology wider = Spec();
  crd::Topology changed = wider;
  changed.spec.topology.bolts.at(0).parallelism = 3;
  changed.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  f = Compare(changed, Live(*s));
  const auto* parallelism = Find(f, "exclaim parallelism");
  ASSERT_TRUE(parallelism) << Listed(f);
  EXPECT_EQ(parallelism->live, "1");
  EXPECT_EQ(parallelism->desired, "3");
  const auto* timeout = Find(f, "config topology.message.timeout.secs");
  ASSERT_TRUE(timeout) << Listed(f);
  EXPECT_EQ(timeout->desired, "45");
  EXPECT_TRUE(f.same_graph);

  // Another stream graph.
  crd::Topology regrouped = wider;
  regrouped.spec.topology.streams.at(0).grouping.type = crd::GroupingType::kAll;
  f = Compare(regrouped, Live(*s));
  EXPECT_FALSE(f.same_graph);
  ASSERT_TRUE(Find(f, "streams")) << Listed(f);
}

TEST(AdoptionCompareTest, TasksOfTwoConfigsAndAMissingTopologyAreSaid) {
  const crd::Topology spec = Spec();
  auto s = testing::HeronCliSubmit(spec, CliOptions());
  ASSERT_TRUE(s.ok());
  LiveTopology live = Live(*s);
  live.tasks.at(2).config.cpus += 1;  // someone's update stopped half way
  auto f = Compare(spec, live);
  ASSERT_TRUE(Find(f, "task config of instances 2")) << Listed(f);
  live = Live(*s);
  LiveTopology no_tasks = live;
  no_tasks.tasks.clear();
  auto ptr = std::make_shared<const crd::Topology>(spec);
  f = CompareLive(spec, Shape{}, aurora::JobConfig{}, heronmsg::hp_api::Topology{}, no_tasks);
  EXPECT_NE(f.unreadable, "");
  live.topology.reset();
  f = CompareLive(spec, Shape{}, aurora::JobConfig{}, heronmsg::hp_api::Topology{}, live);
  EXPECT_NE(f.unreadable.find("topologies"), std::string::npos) << f.unreadable;
}

TEST(AdoptionCompareTest, ThermosFactsAndJvmOptionsAreReadAsHeronReadsThem) {
  EXPECT_EQ(DecodeJvmOptions("\"\""), "");
  EXPECT_EQ(DecodeJvmOptions(aurora::EncodeJvmOptions("{}")), "");
  EXPECT_EQ(DecodeJvmOptions(aurora::EncodeJvmOptions("-Xmx1g -Da=b")), "-Xmx1g -Da=b");
  const crd::Topology spec = Spec();
  aurora::JobInputs in;
  in.topology_id = "wc-1";
  in.resources = aurora::ContainerResources{1, int64_t{2} << 30, int64_t{2} << 30};
  in.component_ram = {{"exclaim", int64_t{1} << 30}, {"word", int64_t{1} << 30}};
  auto built = aurora::BuildJob(spec, Cluster(), in);
  ASSERT_TRUE(built.ok()) << built.status();
  auto facts = ReadThermos(built->task.executor_data);
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ(facts->processes,
            (std::vector<std::string>{"fetch_heron_system", "fetch_user_package",
                                      "launch_heron_executor", "discover_profiler_port"}));
  EXPECT_EQ(facts->fetch_uris.at("fetch_heron_system"), kCore);
  EXPECT_EQ(facts->fetch_uris.at("fetch_user_package"), spec.spec.package.uri);
  EXPECT_EQ(facts->executor_flags.at("executable"), "./heron-core/bin/heron-executor");
  EXPECT_EQ(facts->executor_flags.at("--topology-name"), "wc");
  EXPECT_FALSE(ReadThermos("{\"task\": {}}").ok());
  EXPECT_FALSE(ReadThermos("not json").ok());
}

}  // namespace
}  // namespace hgo::shape
