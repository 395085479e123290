// The job builder's Aurora job, run for real: aurora-local fetches the heron-core package (with
// the heron-executor stand-in) and the topology package with curl, checks its sha256, and runs
// the executor with every flag; container 0 finds Heron's state in a real ZooKeeper and
// registers the topology manager with the right topology id. The stand-in parses the flags and
// opens the sandbox's files as heron_executor.py does, so a command line or a package the real
// executor would reject fails its container here too.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "aurora/job_builder.h"
#include "aurora/thrift_client.h"
#include "common/base64.h"
#include "common/http_client.h"
#include "common/status.h"
#include "crd/parser.h"
#include "heron/messages.h"
#include "heron/packing.h"
#include "statestore/heron_state.h"
#include "testing/aurora_local_process.h"
#include "testing/heron_packages.h"
#include "testing/zk_test_server.h"

namespace hgo {
namespace {

using namespace std::chrono_literals;
using statestore::HeronDir;

class HeronJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto zk = testing::ZkTestServer::Start();
    ASSERT_TRUE(zk.ok()) << zk.status();
    zk_server_ = std::move(*zk);
    auto aurora = testing::AuroraLocalProcess::Start();
    ASSERT_TRUE(aurora.ok()) << aurora.status();
    aurora_ = std::move(*aurora);
    statestore::ZkOptions zo;
    zo.servers = zk_server_->connect_string();
    auto client = statestore::ZkClient::Connect(zo);
    ASSERT_TRUE(client.ok());
    zk_ = std::move(*client);
    char tmpl[] = "/tmp/hgo_pkg_XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A topology package for the spec, with the stand-in's heron-core.
  std::string MakePackage(crd::Topology& t, const testing::TestPackageOptions& options = {}) {
    auto p = testing::PackageForTest(dir_, t, options);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? p->uri : "";
  }

  static crd::Topology Minimal() {
    auto parsed =
        crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
    EXPECT_TRUE(parsed.ok());
    return parsed.Topologies().at(0);
  }

  // Writes Heron's state for the spec as the controller does and builds its job the way the
  // controller's shape step does: the RAM map from the packing plan, the binary from the package.
  StatusOr<aurora::JobConfig> Deploy(const crd::Topology& t, const std::string& id,
                                     const std::string& binary, const std::string& type) {
    HGO_ASSIGN_OR_RETURN(packing::PackingPlan plan, packing::Pack(t, id));
    statestore::HeronState state(*zk_, statestore::HeronLayout{"/heron", false});
    HGO_RETURN_IF_ERROR(state.EnsureTree());
    HGO_RETURN_IF_ERROR(state.Write(HeronDir::kExecutionState, t.metadata.name,
                                    heronmsg::SerializeHeronMessage(heronmsg::BuildExecutionState(
                                        t, id, {1700000000, "heron", "0.20.5"}))));
    HGO_RETURN_IF_ERROR(
        state.Write(HeronDir::kPackingPlans, t.metadata.name,
                    heronmsg::SerializeHeronMessage(heronmsg::PackingPlanToProto(plan))));
    HGO_RETURN_IF_ERROR(state.Write(HeronDir::kTopologies, t.metadata.name,
                                    heronmsg::SerializeHeronMessage(heronmsg::BuildTopology(
                                        t, id, static_cast<int>(plan.containers.size())))));
    aurora::ClusterConfig cluster;
    cluster.name = "devcluster";
    cluster.statemgr_connection = zk_server_->connect_string();
    aurora::JobInputs in;
    in.topology_id = id;
    in.containers = static_cast<int32_t>(plan.containers.size());
    const auto max = plan.MaxRequired();
    in.resources = aurora::ContainerResources{max.cpu, max.ram, max.disk};
    in.component_ram = packing::ComponentRamDistribution(plan);
    in.job_hash = "e2e";
    in.topology_binary = binary;
    in.package_type = type;
    return aurora::BuildJob(t, cluster, in);
  }

  std::unique_ptr<aurora::ThriftAuroraClient> Client() {
    aurora::HttpTransportOptions options;
    const std::string url = aurora_->url();
    options.schedulers = [url] { return std::vector<std::string>{url}; };
    return std::make_unique<aurora::ThriftAuroraClient>(options);
  }

  // Waits until container 0 registers the topology manager; its location, or nullopt.
  std::optional<heron::proto::tmanager::TManagerLocation> Registered(const std::string& name) {
    statestore::HeronState state(*zk_, statestore::HeronLayout{"/heron", false});
    for (int i = 0; i < 300; ++i) {
      auto read = state.Read(HeronDir::kTManagers, name);
      if (read.ok() && *read) {
        auto location =
            heronmsg::ParseHeronMessage<heron::proto::tmanager::TManagerLocation>(**read, "tm");
        if (location.ok()) return *location;
      }
      std::this_thread::sleep_for(100ms);
    }
    return std::nullopt;
  }

  // Waits for a FAILED task of the job; then what the executors wrote on stderr, all sandboxes.
  std::string FailedExecutorOutput(aurora::ThriftAuroraClient& client, const aurora::JobKey& job) {
    aurora::TaskQuery q;
    q.job_keys = {job};
    q.statuses = {aurora::TaskStatus::kFailed};
    bool failed = false;
    for (int i = 0; i < 200 && !failed; ++i) {
      auto tasks = client.GetTasks(q, false);
      failed = tasks.ok() && !tasks->empty();
      if (!failed) std::this_thread::sleep_for(100ms);
    }
    if (!failed) return "(no task failed)";
    std::string out;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(aurora_->state_dir(), ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const std::string path = it->path().string();
      if (path.find("/launch_heron_executor/") == std::string::npos ||
          it->path().filename() != "stderr") {
        continue;
      }
      std::ifstream in(path);
      std::stringstream text;
      text << in.rdbuf();
      out += text.str();
    }
    return out;
  }

  std::unique_ptr<testing::ZkTestServer> zk_server_;
  std::unique_ptr<testing::AuroraLocalProcess> aurora_;
  std::unique_ptr<statestore::ZkClient> zk_;
  std::string dir_;
};

TEST_F(HeronJobTest, TheBuiltJobRunsAndItsTopologyManagerRegisters) {
  // minimal.yaml sets no per-component RAM: the map comes from the packing plan, as heron-cli's.
  crd::Topology t = Minimal();
  ASSERT_TRUE(t.spec.topology.config.Find("topology.component.rammap") == nullptr);
  ASSERT_FALSE(MakePackage(t).empty());
  const std::string id = "exclamation-e2e0001";
  auto job = Deploy(t, id, t.metadata.name + ".jar", "jar");
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_NE(job->task.executor_data.find("--component-ram-map=exclaim:"), std::string::npos);
  auto client = Client();
  ASSERT_TRUE(client->CreateJob(*job).ok());

  // Container 0's executor registers the topology manager for exactly this topology id.
  auto tmanager = Registered(t.metadata.name);
  ASSERT_TRUE(tmanager) << "no topology manager registered; sandboxes in " << aurora_->state_dir();
  EXPECT_EQ(tmanager->topology_id(), id);
  EXPECT_GT(tmanager->controller_port(), 0);

  aurora::TaskQuery q;
  q.job_keys = {job->key};
  auto tasks = client->GetTasks(q, false);
  ASSERT_TRUE(tasks.ok());
  EXPECT_EQ(static_cast<int32_t>(tasks->size()), job->instance_count);
  for (const auto& task : *tasks) EXPECT_EQ(task.status, aurora::TaskStatus::kRunning);
  statestore::HeronState state(*zk_, statestore::HeronLayout{"/heron", false});

  // Once every container's stream manager has registered, the topology manager writes the
  // physical plan as Heron's does: one stream manager per container, every instance of the
  // packing plan with its task id, component index and stream manager, the topology's config.
  auto packing = packing::Pack(t, id);
  ASSERT_TRUE(packing.ok());
  std::optional<heron::proto::system::PhysicalPlan> pplan;
  for (int i = 0; i < 100 && !pplan; ++i) {
    auto read = state.Read(HeronDir::kPhysicalPlans, t.metadata.name);
    if (read.ok() && *read) {
      auto parsed =
          heronmsg::ParseHeronMessage<heron::proto::system::PhysicalPlan>(**read, "pplan");
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      pplan = *parsed;
    }
    if (!pplan) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(pplan) << "no physical plan";
  EXPECT_EQ(pplan->topology().id(), id);
  EXPECT_GT(pplan->topology().topology_config().kvs_size(), 0);
  ASSERT_EQ(pplan->stmgrs_size(), static_cast<int>(packing->containers.size()));
  std::set<std::string> stmgr_ids;
  for (const auto& s : pplan->stmgrs()) {
    stmgr_ids.insert(s.id());
    EXPECT_GT(s.data_port(), 0);
    EXPECT_GT(s.shell_port(), 0);
  }
  std::set<std::tuple<std::string, int32_t, int32_t, std::string>> want, got;
  for (const auto& c : packing->containers) {
    EXPECT_TRUE(stmgr_ids.count("stmgr-" + std::to_string(c.id))) << c.id;
    for (const auto& i : c.instances) {
      want.insert({i.component, i.task_id, i.component_index, "stmgr-" + std::to_string(c.id)});
    }
  }
  for (const auto& i : pplan->instances()) {
    got.insert(
        {i.info().component_name(), i.info().task_id(), i.info().component_index(), i.stmgr_id()});
    EXPECT_EQ(i.instance_id(), "container_" + i.stmgr_id().substr(6) + "_" +
                                   i.info().component_name() + "_" +
                                   std::to_string(i.info().task_id()));
  }
  EXPECT_EQ(got, want);
  // The topology manager's own answers: the plan (base64) and the registration summary.
  auto plan_reply =
      HttpFetch("GET", "http://127.0.0.1:" + std::to_string(tmanager->controller_port()) +
                           "/get_current_physical_plan?topologyid=" + id);
  ASSERT_TRUE(plan_reply.ok());
  EXPECT_EQ(plan_reply->status, 200);
  auto decoded = Base64Decode(plan_reply->body);
  ASSERT_TRUE(decoded.ok());
  heron::proto::system::PhysicalPlan served;
  ASSERT_TRUE(served.ParseFromString(*decoded));
  EXPECT_EQ(served.instances_size(), pplan->instances_size());
  HttpFetchOptions post;
  post.body = heron::proto::tmanager::StmgrsRegistrationSummaryRequest().SerializeAsString();
  auto summary_reply = HttpFetch(
      "POST",
      "http://127.0.0.1:" + std::to_string(tmanager->stats_port()) + "/stmgrsregistrationsummary",
      post);
  ASSERT_TRUE(summary_reply.ok());
  heron::proto::tmanager::StmgrsRegistrationSummaryResponse summary;
  ASSERT_TRUE(summary.ParseFromString(summary_reply->body));
  EXPECT_EQ(summary.registered_stmgrs_size(), static_cast<int>(packing->containers.size()));
  EXPECT_EQ(summary.absent_stmgrs_size(), 0);
  ASSERT_TRUE(client->KillJob(job->key, "done").ok());
  // A stopped topology manager unregisters at once (its ZooKeeper session is closed), so a
  // replacement can register without waiting for the session timeout.
  auto start = std::chrono::steady_clock::now();
  bool gone = false;
  while (!gone && std::chrono::steady_clock::now() - start < 20s) {
    auto read = state.Read(HeronDir::kTManagers, t.metadata.name);
    gone = read.ok() && !read->has_value();
    if (!gone) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(gone);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(HeronJobTest, AnEmptyRamMapFailsTheContainerAsHeronsExecutorWould) {
  crd::Topology t = Minimal();
  ASSERT_FALSE(MakePackage(t).empty());
  auto job = Deploy(t, "exclamation-e2e0002", t.metadata.name + ".jar", "jar");
  ASSERT_TRUE(job.ok()) << job.status();
  // The command line the controller sent before: --component-ram-map with nothing after it.
  std::string& data = job->task.executor_data;
  const size_t at = data.find("--component-ram-map=");
  ASSERT_NE(at, std::string::npos);
  const size_t value = at + std::strlen("--component-ram-map=");
  data.erase(value, data.find(' ', value) - value);
  ASSERT_NE(data.find("--component-ram-map= "), std::string::npos);
  auto client = Client();
  ASSERT_TRUE(client->CreateJob(*job).ok());
  EXPECT_NE(FailedExecutorOutput(*client, job->key).find("IndexError"), std::string::npos);
}

TEST_F(HeronJobTest, EveryPackageTypeRunsUnderItsBinarysOwnName) {
  struct Case {
    std::string binary, type, content;
  };
  auto tar = testing::TopologyTar("wc-topology");
  ASSERT_TRUE(tar.ok());
  int n = 0;
  for (const Case& c : std::vector<Case>{{"wc-1.0-all.jar", "jar", "not really a jar"},
                                         {"wc-topology.tar", "tar", *tar},
                                         {"wc.pex", "pex", "not really a pex"}}) {
    SCOPED_TRACE(c.binary);
    crd::Topology t = Minimal();
    t.metadata.name = "types-" + std::to_string(++n);
    testing::TestPackageOptions options;
    options.binary_name = c.binary;
    options.binary = c.content;
    ASSERT_FALSE(MakePackage(t, options).empty());
    auto job = Deploy(t, t.metadata.name + "-id", c.binary, c.type);
    ASSERT_TRUE(job.ok()) << job.status();
    auto client = Client();
    ASSERT_TRUE(client->CreateJob(*job).ok());
    auto tmanager = Registered(t.metadata.name);
    ASSERT_TRUE(tmanager) << "sandboxes in " << aurora_->state_dir();
    // Every container started (the worker containers check their instances against the map).
    aurora::TaskQuery q;
    q.job_keys = {job->key};
    bool running = false;
    for (int i = 0; i < 100 && !running; ++i) {
      auto tasks = client->GetTasks(q, false);
      running = tasks.ok() && static_cast<int32_t>(tasks->size()) == job->instance_count &&
                std::all_of(tasks->begin(), tasks->end(), [](const aurora::Task& task) {
                  return task.status == aurora::TaskStatus::kRunning;
                });
      if (!running) std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(running);
    ASSERT_TRUE(client->KillJob(job->key, "done").ok());
  }
}

TEST_F(HeronJobTest, ABinaryThatIsNotInThePackageFailsTheContainer) {
  crd::Topology t = Minimal();
  testing::TestPackageOptions options;
  options.binary_name = "shipped.jar";
  ASSERT_FALSE(MakePackage(t, options).empty());
  auto job = Deploy(t, "exclamation-e2e0003", "elsewhere.jar", "jar");
  ASSERT_TRUE(job.ok()) << job.status();
  auto client = Client();
  ASSERT_TRUE(client->CreateJob(*job).ok());
  EXPECT_NE(FailedExecutorOutput(*client, job->key)
                .find("the topology binary 'elsewhere.jar' is not in the sandbox"),
            std::string::npos);
}

TEST_F(HeronJobTest, ABadPackageChecksumStopsTheTask) {
  auto parsed =
      crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
  ASSERT_TRUE(parsed.ok());
  crd::Topology t = parsed.Topologies().at(0);
  ASSERT_FALSE(MakePackage(t).empty());
  t.spec.package.sha256 = std::string(64, '0');  // not the package's
  auto plan = packing::Pack(t, "exclamation-bad");
  ASSERT_TRUE(plan.ok());
  aurora::ClusterConfig cluster;
  cluster.name = "devcluster";
  cluster.statemgr_connection = zk_server_->connect_string();
  aurora::JobInputs in;
  in.topology_id = "exclamation-bad";
  in.containers = 1;
  in.component_ram = packing::ComponentRamDistribution(*plan);
  in.resources = aurora::ContainerResources{1, int64_t{1} << 30, int64_t{1} << 30};
  auto job = aurora::BuildJob(t, cluster, in);
  ASSERT_TRUE(job.ok());
  aurora::HttpTransportOptions options;
  const std::string url = aurora_->url();
  options.schedulers = [url] { return std::vector<std::string>{url}; };
  aurora::ThriftAuroraClient client(options);
  ASSERT_TRUE(client.CreateJob(*job).ok());
  aurora::TaskQuery q;
  q.job_keys = {job->key};
  q.statuses = {aurora::TaskStatus::kFailed};
  std::vector<aurora::Task> failed;
  for (int i = 0; i < 100 && failed.empty(); ++i) {
    auto tasks = client.GetTasks(q, false);
    if (tasks.ok()) failed = *tasks;
    if (failed.empty()) std::this_thread::sleep_for(100ms);
  }
  ASSERT_FALSE(failed.empty());
  EXPECT_NE(failed[0].events.back().message.find("fetch_user_package"), std::string::npos)
      << failed[0].events.back().message;
  ASSERT_TRUE(client.KillJob(job->key, "done").ok());
}

}  // namespace
}  // namespace hgo
