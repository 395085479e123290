// The job builder's Aurora job, run for real: aurora-local fetches the heron-core package (with
// the heron-executor stand-in) and the topology package with curl, checks its sha256, and runs
// the executor with every flag; container 0 finds Heron's state in a real ZooKeeper and
// registers the topology manager with the right topology id.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "aurora/job_builder.h"
#include "aurora/thrift_client.h"
#include "crd/parser.h"
#include "packager/packing.h"
#include "statestore/heron_protos.h"
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
  std::string MakePackage(crd::Topology& t) {
    auto p = testing::PackageForTest(dir_, t);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? p->uri : "";
  }

  std::unique_ptr<testing::ZkTestServer> zk_server_;
  std::unique_ptr<testing::AuroraLocalProcess> aurora_;
  std::unique_ptr<statestore::ZkClient> zk_;
  std::string dir_;
};

TEST_F(HeronJobTest, TheBuiltJobRunsAndItsTopologyManagerRegisters) {
  auto parsed =
      crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
  ASSERT_TRUE(parsed.ok());
  crd::Topology t = parsed.Topologies().at(0);
  ASSERT_FALSE(MakePackage(t).empty());

  // Heron's state first, as the controller writes it.
  const std::string id = "exclamation-e2e0001";
  auto plan = packager::Pack(t, id);
  ASSERT_TRUE(plan.ok()) << plan.status();
  statestore::HeronState state(*zk_, statestore::HeronLayout{"/heron", false});
  ASSERT_TRUE(state.EnsureTree().ok());
  ASSERT_TRUE(state
                  .Write(HeronDir::kExecutionState, t.metadata.name,
                         statestore::SerializeHeronMessage(statestore::BuildExecutionState(
                             t, id, {1700000000, "heron", "0.20.5"})))
                  .ok());
  ASSERT_TRUE(state
                  .Write(HeronDir::kPackingPlans, t.metadata.name,
                         statestore::SerializeHeronMessage(statestore::PackingPlanToProto(*plan)))
                  .ok());
  ASSERT_TRUE(state
                  .Write(HeronDir::kTopologies, t.metadata.name,
                         statestore::SerializeHeronMessage(statestore::BuildTopology(
                             t, id, static_cast<int>(plan->containers.size()))))
                  .ok());

  aurora::ClusterConfig cluster;
  cluster.name = "devcluster";
  cluster.statemgr_connection = zk_server_->connect_string();
  aurora::JobInputs in;
  in.topology_id = id;
  in.containers = static_cast<int32_t>(plan->containers.size());
  const auto max = plan->MaxRequired();
  in.resources = aurora::ContainerResources{max.cpu, max.ram, max.disk};
  in.job_hash = "e2e";
  auto job = aurora::BuildJob(t, cluster, in);
  ASSERT_TRUE(job.ok()) << job.status();

  aurora::HttpTransportOptions options;
  const std::string url = aurora_->url();
  options.schedulers = [url] { return std::vector<std::string>{url}; };
  aurora::ThriftAuroraClient client(options);
  ASSERT_TRUE(client.CreateJob(*job).ok());

  // Container 0's executor registers the topology manager for exactly this topology id.
  std::optional<std::string> location;
  for (int i = 0; i < 300 && !location; ++i) {
    auto read = state.Read(HeronDir::kTManagers, t.metadata.name);
    if (read.ok() && *read) location = **read;
    if (!location) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(location) << "no topology manager registered; sandboxes in " << aurora_->state_dir();
  auto tmanager =
      statestore::ParseHeronMessage<heron::proto::tmanager::TManagerLocation>(*location, "tm");
  ASSERT_TRUE(tmanager.ok());
  EXPECT_EQ(tmanager->topology_id(), id);
  EXPECT_GT(tmanager->controller_port(), 0);

  aurora::TaskQuery q;
  q.job_keys = {job->key};
  auto tasks = client.GetTasks(q, false);
  ASSERT_TRUE(tasks.ok());
  EXPECT_EQ(static_cast<int32_t>(tasks->size()), in.containers + 1);
  for (const auto& task : *tasks) EXPECT_EQ(task.status, aurora::TaskStatus::kRunning);
  ASSERT_TRUE(client.KillJob(job->key, "done").ok());
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

TEST_F(HeronJobTest, ABadPackageChecksumStopsTheTask) {
  auto parsed =
      crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
  ASSERT_TRUE(parsed.ok());
  crd::Topology t = parsed.Topologies().at(0);
  ASSERT_FALSE(MakePackage(t).empty());
  t.spec.package.sha256 = std::string(64, '0');  // not the package's
  aurora::ClusterConfig cluster;
  cluster.name = "devcluster";
  cluster.statemgr_connection = zk_server_->connect_string();
  aurora::JobInputs in;
  in.topology_id = "exclamation-bad";
  in.containers = 1;
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
