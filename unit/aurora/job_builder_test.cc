// The job builder: goldens for the Thermos JSON and the TaskConfig of the full example, each
// spec field in its place, stable bytes, and the executor flags of old and new Heron releases.
// Regenerate goldens with HGO_UPDATE_GOLDENS=1 and review the diff.
#include "aurora/job_builder.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "aurora/codec.h"
#include "common/file_util.h"
#include "crd/canonical.h"
#include "crd/parser.h"
#include "testing/golden.h"

namespace hgo::aurora {
namespace {

crd::Topology Load(const std::string& example) {
  auto r = crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/" + example);
  EXPECT_TRUE(r.ok());
  return r.Topologies().at(0);
}

ClusterConfig Cluster() {
  ClusterConfig c;
  c.name = "devcluster";
  c.core_package_uri = "file:///opt/heron/heron-core.tar.gz";
  c.statemgr_connection = "zk1:2181,zk2:2181";
  c.statemgr_root = "/heron";
  return c;
}

JobInputs Inputs() {
  JobInputs in;
  in.topology_id = "word-count-0123456789abcdef";
  in.containers = 3;
  in.resources = ContainerResources{2.5, (int64_t{4} << 30) + 1, int64_t{8} << 30};
  // Every component of full.yaml and minimal.yaml, as the packing plan gives them.
  in.component_ram = {{"audit", int64_t{1} << 30}, {"count", 512 << 20}, {"exclaim", 1 << 30},
                      {"sentence", 1 << 30},       {"split", 256 << 20}, {"word", 1 << 30}};
  in.job_hash = "j0b";
  in.spec_hash = "f00d";
  in.source_revision = "git:abc123";
  return in;
}

void CheckGolden(const std::string& name, const std::string& actual) {
  testing::CheckGolden(std::string(HGO_SOURCE_DIR) + "/unit/testdata/aurora/" + name, actual);
}

TEST(JobBuilderTest, FullExampleMatchesTheGoldens) {
  auto job = BuildJob(Load("full.yaml"), Cluster(), Inputs());
  ASSERT_TRUE(job.ok()) << job.status();
  CheckGolden("full.thermos.json", job->task.executor_data + "\n");
  CheckGolden("full.taskconfig.tjson",
              SerializeThrift(ToThrift(job->task), WireProtocol::kJson) + "\n");
}

TEST(JobBuilderTest, EachSpecFieldLandsWhereItMust) {
  auto job = BuildJob(Load("full.yaml"), Cluster(), Inputs());
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->key.ToString(), "www-data/staging2/word-count");
  EXPECT_EQ(job->instance_count, 4);  // the topology manager plus three containers
  EXPECT_EQ(job->owner, "heron");
  const TaskConfig& t = job->task;
  EXPECT_EQ(t.job, job->key);
  EXPECT_TRUE(t.is_service);
  EXPECT_EQ(t.tier, "preemptible");
  EXPECT_DOUBLE_EQ(t.cpus, 2.5);
  EXPECT_EQ(t.ram_mb, 4097);  // rounded up, never less than the plan
  EXPECT_EQ(t.disk_mb, 8192);
  EXPECT_EQ(t.named_ports.size(), 10u);
  EXPECT_TRUE(t.named_ports.count("http") && t.named_ports.count("yourkit"));
  ASSERT_EQ(t.constraints.size(), 3u);
  EXPECT_EQ(t.constraints[0].name, "dedicated");
  EXPECT_EQ(t.constraints[0].values, std::vector<std::string>{"www-data/streaming"});
  EXPECT_EQ(t.constraints[1].name, "host");
  EXPECT_EQ(t.constraints[1].limit, 1);
  EXPECT_EQ(t.constraints[2].name, "rack");
  EXPECT_TRUE(t.constraints[2].negated);
  EXPECT_EQ(t.constraints[2].values, (std::vector<std::string>{"r13", "r14"}));
  // Only what shapes the task is in its metadata: a new commit restarts nothing.
  EXPECT_EQ(t.metadata,
            (std::map<std::string, std::string>{{kMetaJobHash, "j0b"},
                                                {kMetaTaskHash, crd::TaskHash(Load("full.yaml"))},
                                                {kMetaTopologyId, "word-count-0123456789abcdef"}}));

  const std::string& data = t.executor_data;
  // The spec's core package wins over the cluster's; the package is checked against its sha256.
  EXPECT_NE(data.find("curl -sSfL 'file:///var/heron/heron-core-0.20.5.tar.gz'"),
            std::string::npos);
  EXPECT_NE(data.find("echo '9b2f6c1e0d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678  "
                      "topology.tar.gz' | sha256sum -c -"),
            std::string::npos);
  EXPECT_NE(data.find("--topology-id=word-count-0123456789abcdef"), std::string::npos);
  EXPECT_NE(data.find("--component-ram-map=audit:1073741824,count:536870912,exclaim:1073741824,"
                      "sentence:1073741824,split:268435456,word:1073741824"),
            std::string::npos);
  EXPECT_NE(data.find("--pkg-type=jar --topology-binary-file=word-count.jar"), std::string::npos);
  EXPECT_NE(data.find("--state-manager-connection=zk1:2181,zk2:2181"), std::string::npos);
  EXPECT_NE(data.find("--tmanager-controller-port={{thermos.ports[port2]}}"), std::string::npos);
  EXPECT_NE(data.find("--environment=staging2"), std::string::npos);
  EXPECT_NE(data.find(R"("ram":4294967297)"), std::string::npos);
  EXPECT_NE(data.find(R"("tier":"preemptible")"), std::string::npos);
}

TEST(JobBuilderTest, SameSpecSameBytesAndEveryChangeShows) {
  auto a = BuildJob(Load("full.yaml"), Cluster(), Inputs());
  auto b = BuildJob(Load("full.yaml"), Cluster(), Inputs());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(SerializeThrift(ToThrift(a->task), WireProtocol::kBinary),
            SerializeThrift(ToThrift(b->task), WireProtocol::kBinary));
  JobInputs other = Inputs();
  other.topology_id = "word-count-ffff";
  auto c = BuildJob(Load("full.yaml"), Cluster(), other);
  EXPECT_NE(a->task.executor_data, c->task.executor_data);
}

TEST(JobBuilderTest, OldHeronReleasesGetTMasterFlags) {
  crd::Topology t = Load("minimal.yaml");
  t.spec.heron.version = "0.20.2-incubating";
  std::string cmd = ExecutorCommandLine(t, Cluster(), Inputs());
  EXPECT_NE(cmd.find("--tmaster-controller-port={{thermos.ports[port2]}}"), std::string::npos);
  EXPECT_NE(cmd.find("--tmaster-binary=./heron-core/bin/heron-tmaster"), std::string::npos);
  EXPECT_EQ(cmd.find("tmanager"), std::string::npos);
  t.spec.heron.version = "0.20.3-incubating";
  cmd = ExecutorCommandLine(t, Cluster(), Inputs());
  EXPECT_EQ(cmd.find("tmaster"), std::string::npos);
}

TEST(JobBuilderTest, EveryRequiredExecutorFlagIsThere) {
  // heron_executor.py marks all of these required.
  const std::string cmd = ExecutorCommandLine(Load("minimal.yaml"), Cluster(), Inputs());
  for (const char* flag : {"--shard=",
                           "--topology-name=",
                           "--topology-id=",
                           "--topology-defn-file=",
                           "--state-manager-connection=",
                           "--state-manager-root=",
                           "--state-manager-config-file=",
                           "--tmanager-binary=",
                           "--stmgr-binary=",
                           "--metrics-manager-classpath=",
                           "--instance-jvm-opts=",
                           "--classpath=",
                           "--heron-internals-config-file=",
                           "--override-config-file=",
                           "--component-ram-map=",
                           "--component-jvm-opts=",
                           "--pkg-type=",
                           "--topology-binary-file=",
                           "--heron-java-home=",
                           "--shell-port=",
                           "--heron-shell-binary=",
                           "--metrics-manager-port=",
                           "--cluster=",
                           "--role=",
                           "--environment=",
                           "--instance-classpath=",
                           "--metrics-sinks-config-file=",
                           "--scheduler-classpath=",
                           "--scheduler-port=",
                           "--python-instance-binary=",
                           "--cpp-instance-binary=",
                           "--metricscache-manager-classpath=",
                           "--metricscache-manager-server-port=",
                           "--metricscache-manager-stats-port=",
                           "--is-stateful=",
                           "--checkpoint-manager-classpath=",
                           "--checkpoint-manager-port=",
                           "--stateful-config-file=",
                           "--health-manager-mode=",
                           "--health-manager-classpath=",
                           "--server-port=",
                           "--tmanager-controller-port=",
                           "--tmanager-stats-port=",
                           "--checkpoint-manager-ram="}) {
    EXPECT_NE(cmd.find(std::string(" ") + flag), std::string::npos) << flag;
  }
}

TEST(JobBuilderTest, JvmOptionsUseHeronsEncoding) {
  EXPECT_EQ(EncodeJvmOptions("-Xmx1g"), "\"LVhteDFn\"");
  EXPECT_EQ(EncodeJvmOptions("ab"), "\"YWI(61)\"");
  const std::string cmd = ExecutorCommandLine(Load("full.yaml"), Cluster(), Inputs());
  // {"c3BsaXQ=":"LVhYOitVc2VHMUdD"}: split -> -XX:+UseG1GC, base64 of the JSON, '=' as (61).
  EXPECT_NE(cmd.find("--component-jvm-opts=\"eyJjM0JzYVhRPSI6IkxWaFlPaXRWYzJWSE1VZEQifQ(61)(61)\""),
            std::string::npos)
      << cmd;
}

TEST(JobBuilderTest, ProductionTierAndErrors) {
  crd::Topology t = Load("minimal.yaml");
  t.spec.environment = "prod";
  auto job = BuildJob(t, Cluster(), Inputs());
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->task.tier, "preferred");
  ClusterConfig no_core = Cluster();
  no_core.core_package_uri = "";
  EXPECT_EQ(BuildJob(t, no_core, Inputs()).status().code(), StatusCode::kInvalidArgument);
  JobInputs none = Inputs();
  none.containers = 0;
  EXPECT_EQ(BuildJob(t, Cluster(), none).status().code(), StatusCode::kInvalidArgument);
  auto update = BuildUpdate(Load("full.yaml"), Cluster(), Inputs());
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(update->settings.group_size, 2);
  EXPECT_EQ(update->settings.min_wait_in_running_ms, 45000);
  EXPECT_EQ(update->instance_count, 4);
  EXPECT_EQ(update->metadata.at(kMetaSpecHash), "f00d");
  EXPECT_EQ(update->metadata.at(kMetaSourceRevision), "git:abc123");
}

TEST(JobBuilderTest, EveryComponentHasRamAJvmOneMoreThanHeronReserves) {
  const crd::Topology t = Load("minimal.yaml");
  JobInputs missing = Inputs();
  missing.component_ram.erase("exclaim");
  EXPECT_EQ(BuildJob(t, Cluster(), missing).status().message(),
            "job builder: component 'exclaim' has no RAM in the component RAM map");
  JobInputs small = Inputs();
  small.component_ram["word"] = 192 << 20;  // -Xmx0M
  EXPECT_EQ(BuildJob(t, Cluster(), small).status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(BuildJob(t, Cluster(), small).status().message().find("needs more than 192 MiB"),
            std::string::npos);
  small.topology_binary = "word-count.pex";  // Python instances have no JVM reserve
  EXPECT_TRUE(BuildJob(t, Cluster(), small).ok());
}

TEST(JobBuilderTest, PackageTypesFollowTheBinary) {
  const crd::Topology t = Load("minimal.yaml");
  struct Case {
    std::string binary, type, pkg_type, classpath;
  };
  for (const Case& c : std::vector<Case>{
           {"wc-1.0-all.jar", "jar", "jar", "wc-1.0-all.jar"},
           {"wc.tar", "tar", "tar", "libs/*:wc.jar"},
           {"wc.tar.gz", "tar", "tar", "libs/*:wc.jar"},
           {"wc.pex", "pex", "pex", "libs/*:wc.pex.jar"},
           {"libwc.so", "so", "so", "libs/*:libwc.so.jar"},
           {"libwc.dylib", "", "dylib", "libs/*:libwc.dylib.jar"},
       }) {
    JobInputs in = Inputs();
    in.topology_binary = c.binary;
    in.package_type = c.type;
    const std::string cmd = ExecutorCommandLine(t, Cluster(), in);
    EXPECT_NE(cmd.find(" --pkg-type=" + c.pkg_type + " --topology-binary-file=" + c.binary + " "),
              std::string::npos)
        << c.binary << ": " << cmd;
    // heron-cli's classpath (TopologyUtils.makeClassPath) for every type: only jars and tars
    // read it.
    EXPECT_NE(cmd.find(" --classpath=" + c.classpath + " "), std::string::npos) << c.binary;
  }
  EXPECT_EQ(TopologyClassPath("a.jar", "/opt/extra/*"), "a.jar:/opt/extra/*");
}

TEST(JobBuilderTest, TheJobHashIgnoresScaleAndFollowsTheTask) {
  crd::Topology t = Load("full.yaml");
  auto base = JobHash(t, Cluster(), Inputs());
  ASSERT_TRUE(base.ok()) << base.status();
  EXPECT_EQ(base->size(), 64u);
  JobInputs scaled = Inputs();
  scaled.containers = 7;              // more containers
  scaled.topology_id = "other-id";    // the id is derived from the hash, not part of it
  scaled.spec_hash = "another spec";  // parallelism changed: another spec hash
  scaled.source_revision = "git:def456";
  EXPECT_EQ(*JobHash(t, Cluster(), scaled), *base);
  JobInputs bigger = Inputs();
  bigger.resources.ram_bytes *= 2;  // Aurora would see another task
  EXPECT_NE(*JobHash(t, Cluster(), bigger), *base);
  crd::Topology other = t;
  other.spec.package.sha256 = std::string(64, 'e');
  EXPECT_NE(*JobHash(other, Cluster(), Inputs()), *base);
  // A parallelism change is a scale: the same job. A config change is not.
  crd::Topology scaled_spec = t;
  scaled_spec.spec.topology.bolts[0].parallelism += 3;
  EXPECT_EQ(*JobHash(scaled_spec, Cluster(), Inputs()), *base);
  crd::Topology reconfigured = t;
  reconfigured.spec.topology.config["topology.message.timeout.secs"] = Json(60);
  EXPECT_NE(*JobHash(reconfigured, Cluster(), Inputs()), *base);
}

// The wire job made from the hashed one (no second build) is the job BuildJob makes, byte for
// byte, and update requests agree too; the hash is JobHash's.
TEST(JobBuilderTest, TheHashedJobWithItsTopologyIdIsTheBuiltJob) {
  for (const char* example : {"full.yaml", "minimal.yaml"}) {
    SCOPED_TRACE(example);
    const crd::Topology t = Load(example);
    auto hashed = BuildHashedJob(t, Cluster(), Inputs());
    ASSERT_TRUE(hashed.ok()) << hashed.status();
    EXPECT_EQ(hashed->hash, *JobHash(t, Cluster(), Inputs()));
    const uint64_t builds = JobBuildsSoFar();
    auto wire = WithTopologyId(hashed->job, Inputs());
    ASSERT_TRUE(wire.ok()) << wire.status();
    EXPECT_EQ(JobBuildsSoFar(), builds);
    auto built = BuildJob(t, Cluster(), Inputs());
    ASSERT_TRUE(built.ok());
    EXPECT_EQ(SerializeThrift(ToThrift(*wire), WireProtocol::kBinary),
              SerializeThrift(ToThrift(*built), WireProtocol::kBinary));
    auto update = BuildUpdate(t, Cluster(), Inputs());
    ASSERT_TRUE(update.ok());
    EXPECT_EQ(SerializeThrift(ToThrift(UpdateOfJob(t, *wire, Inputs())), WireProtocol::kBinary),
              SerializeThrift(ToThrift(*update), WireProtocol::kBinary));
  }
}

TEST(JobBuilderTest, AJobWithoutThePlaceholderIsNotGivenATopologyId) {
  auto built = BuildJob(Load("minimal.yaml"), Cluster(), Inputs());  // a real id, no placeholder
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(WithTopologyId(*built, Inputs()).status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace hgo::aurora
