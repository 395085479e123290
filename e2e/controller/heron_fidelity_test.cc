// The controller against Heron as it really is, beyond the demo's path: a cluster whose Heron
// state lives under another root, a topology on a Heron release before 0.20.3 (its topology
// manager registers under tmasters/) while the cluster defaults to a newer one, a Python (pex)
// package whose binary has its own name, and a delete that leaves no Heron node behind; and a
// rolling update under a stand-in whose stream managers die, as Heron's do, when the topology
// manager's topology id is not theirs.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "crd/canonical.h"
#include "e2e/controller/controller_fixture.h"
#include "heron/messages.h"
#include "statestore/zk_client.h"
#include "testing/heron_packages.h"

namespace hgo::e2e {
namespace {

using namespace std::chrono_literals;

TEST_F(ControllerE2E, AnotherRootAnOldReleaseAPexAndADeleteThatLeavesNothing) {
  WriteFile(clusters_file_, "clusters:\n  - name: devcluster\n    aurora: {url: \"" +
                                aurora_->url() + "\"}\n    heron: {zookeeper: \"" +
                                zk_->connect_string() + "\", root: /heron2, version: 0.20.5, " +
                                "corePackage: \"" + testing::StandinCorePackageUri() + "\"}\n");
  crd::Topology spec = spec_;
  spec.spec.heron.version = "0.20.2-incubating";  // tmaster names, the cluster's are tmanager
  testing::TestPackageOptions package;
  package.binary_name = "exclamation-1.0.pex";
  package.binary = "not really a pex";
  package.statemgr_root = "/heron2";  // the cluster's conf, as heron-cli would ship it
  ASSERT_TRUE(testing::PackageForTest(dir_, spec, package).ok());

  auto c = StartController({"dir:" + specs_dir_ + "?allowEmpty"}, {"--prune", "--tombstone", "1s"});
  ASSERT_TRUE(c);
  const std::string file = specs_dir_ + "/exclamation.yaml";
  WriteFile(file, SpecYaml(spec));
  Json s = WaitFor(*c, "running under /heron2 with tmaster names",
                   [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec)); });
  ASSERT_EQ(RunningTaskIds().size(), 3u) << SerializePretty(s);

  statestore::ZkOptions zo;
  zo.servers = zk_->connect_string();
  auto zk = statestore::ZkClient::Connect(zo);
  ASSERT_TRUE(zk.ok());
  EXPECT_TRUE((*zk)->Get("/heron2/tmasters/exclamation").ok()) << "the 0.20.2 topology manager";
  EXPECT_TRUE((*zk)->Get("/heron2/topologies/exclamation").ok());
  auto under_heron = (*zk)->GetChildren("/heron/topologies");
  EXPECT_TRUE(!under_heron.ok() || under_heron->empty()) << "nothing written under /heron";
  // The job runs the package's own binary under its type.
  aurora::TaskQuery q;
  q.job_keys = {aurora::JobKey{"www-data", "devel", "exclamation"}};
  auto tasks = api_->GetTasks(q, true);
  ASSERT_TRUE(tasks.ok() && !tasks->empty());
  EXPECT_NE(tasks->front().config.executor_data.find(
                "--pkg-type=pex --topology-binary-file=exclamation-1.0.pex"),
            std::string::npos);

  // What Heron's own tools leave beside a topology: an update lock held through Curator (a
  // parent node with a sequential child) and stateful checkpoints.
  for (const char* path : {"/heron2/locks/exclamation__updateTopology",
                           "/heron2/locks/exclamation__updateTopology/_c_2f7b-lock-0000000000",
                           "/heron2/statefulcheckpoints/exclamation",
                           "/heron2/statefulcheckpoints/exclamation/ckpt-1"}) {
    // The lock node itself is there already: the controller's own changes took the lock.
    auto created = (*zk)->Create(path, "", statestore::CreateMode::kPersistent);
    ASSERT_TRUE(created.ok() || created.status().code() == StatusCode::kAlreadyExists) << path;
  }

  std::filesystem::remove(file);
  ExpectPruned(*c);
  auto dirs = (*zk)->GetChildren("/heron2");
  ASSERT_TRUE(dirs.ok());
  for (const auto& dir : *dirs) {
    auto children = (*zk)->GetChildren("/heron2/" + dir);
    ASSERT_TRUE(children.ok()) << dir;
    for (const auto& child : *children) {
      EXPECT_EQ(child.rfind("exclamation", 0), std::string::npos)
          << "/heron2/" << dir << "/" << child << " is left";
    }
  }
  EXPECT_TRUE(c->Stop().ok());
}

StatusOr<std::unique_ptr<statestore::ZkClient>> ConnectZk(const std::string& connect) {
  statestore::ZkOptions zo;
  zo.servers = connect;
  return statestore::ZkClient::Connect(zo);
}

std::string TopologyIdInZooKeeper(const std::string& connect) {
  auto zk = ConnectZk(connect);
  if (!zk.ok()) return "";
  auto node = (*zk)->Get("/heron/topologies/exclamation");
  heron::proto::api::Topology t;
  return node.ok() && t.ParseFromString(node->data) ? t.id() : "";
}

TEST_F(ControllerE2E, ARollingUpdateKeepsTheTopologyIdAndEveryContainerItHasNotReached) {
  crd::Topology spec = spec_;
  spec.spec.update.batch_size = 1;
  spec.spec.update.min_wait_in_running_seconds = 2;
  const std::string file = specs_dir_ + "/exclamation.yaml";
  auto c = StartRunning(spec, file);
  ASSERT_TRUE(c);
  const std::map<int32_t, std::string> before = RunningTaskIds();
  ASSERT_EQ(before.size(), 3u);
  const std::string id_before = TopologyIdInZooKeeper(zk_->connect_string());
  ASSERT_FALSE(id_before.empty());

  // A config change: same stream graph, so the same topology id.
  crd::Topology next = spec;
  next.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  WriteFile(file, SpecYaml(next));
  WaitFor(
      *c, "the new revision running",
      [&](const Json& j) { return RunningAt(j, crd::SpecHash(next)); }, 120);
  EXPECT_EQ(TopologyIdInZooKeeper(zk_->connect_string()), id_before);

  // Every instance was replaced exactly once, by the update: a container the update had not
  // reached yet that died on the new topology manager would have a FAILED task and a third one.
  aurora::TaskQuery q;
  q.job_keys = {aurora::JobKey{"www-data", "devel", "exclamation"}};
  auto tasks = api_->GetTasks(q, false);
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  std::map<int32_t, std::vector<std::string>> per_instance;
  for (const auto& t : *tasks) {
    EXPECT_NE(t.status, aurora::TaskStatus::kFailed) << "instance " << t.instance_id;
    per_instance[t.instance_id].push_back(t.task_id + " " +
                                          std::string(aurora::TaskStatusName(t.status)));
  }
  ASSERT_EQ(per_instance.size(), 3u);
  const std::map<int32_t, std::string> after = RunningTaskIds();
  for (const auto& [instance, history] : per_instance) {
    EXPECT_EQ(history.size(), 2u) << "instance " << instance << ": "
                                  << ::testing::PrintToString(history);
    EXPECT_NE(after.at(instance), before.at(instance));
  }
}

// The runtime config in pplans/<name>, as the topology manager holds it.
std::map<std::string, std::string> RuntimeConfigInPhysicalPlan(const std::string& connect) {
  auto zk = ConnectZk(connect);
  if (!zk.ok()) return {};
  auto node = (*zk)->Get("/heron/pplans/exclamation");
  heron::proto::system::PhysicalPlan plan;
  if (!node.ok() || !plan.ParseFromString(node->data)) return {};
  return heronmsg::RuntimeConfigOf(plan.topology());
}

TEST_F(ControllerE2E, ARuntimeConfigChangeReachesThePhysicalPlanWithNoRestart) {
  crd::Topology spec = spec_;
  spec.spec.runtime_config = {{"user.rate", "5"}, {"exclaim:user.batch", "10"}};
  const std::string file = specs_dir_ + "/exclamation.yaml";
  auto c = StartRunning(spec, file);
  ASSERT_TRUE(c);
  // A new topology starts with its runtime config (written into topologies/<name>).
  EXPECT_EQ(RuntimeConfigInPhysicalPlan(zk_->connect_string()), spec.spec.runtime_config);
  const std::map<int32_t, std::string> before = RunningTaskIds();
  ASSERT_EQ(before.size(), 3u);
  const std::string id_before = TopologyIdInZooKeeper(zk_->connect_string());

  crd::Topology next = spec;
  next.spec.runtime_config["exclaim:user.batch"] = "20";
  next.spec.runtime_config["user.window"] = "1.5";
  // What `heronctl diff` shows: runtime config, no container restarted.
  testing::HttpResult plan = Post(*c, "/api/v1/plan", SpecYaml(next));
  ASSERT_EQ(plan.status, 200) << plan.body;
  EXPECT_NE(plan.body.find("runtime config, 0 restarts"), std::string::npos) << plan.body;
  EXPECT_NE(plan.body.find("\"instancesRestarted\": 0"), std::string::npos) << plan.body;
  WriteFile(file, SpecYaml(next));
  WaitFor(
      *c, "the runtime revision running",
      [&](const Json& j) { return RunningAt(j, crd::SpecHash(next)); }, 60);
  EXPECT_EQ(RuntimeConfigInPhysicalPlan(zk_->connect_string()), next.spec.runtime_config);
  EXPECT_EQ(RunningTaskIds(), before) << "no container restarted";
  EXPECT_EQ(ActiveTaskCount(), 3u);
  EXPECT_EQ(TopologyIdInZooKeeper(zk_->connect_string()), id_before);
  // Recorded as a revision, with the call as an event.
  const Json status = Status(*c);
  const std::string text = Serialize(status);
  // The status shows what the topology manager holds.
  const Json* heron = status.Find("heron");
  ASSERT_TRUE(heron && heron->Find("runtimeConfig")) << text;
  EXPECT_EQ(Serialize(*heron->Find("runtimeConfig")),
            "{\"exclaim:user.batch\":\"20\",\"user.rate\":\"5\",\"user.window\":\"1.5\"}");
  EXPECT_NE(text.find("runtime config, 0 restarts: exclaim:user.batch:20, user.window:1.5"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\"revision\":2"), std::string::npos) << text;
  EXPECT_TRUE(c->Stop().ok());
}

// `heron update` run by hand holds Heron's update lock (a Curator lease): the controller's change
// waits, saying why, and goes ahead once the lease is gone.
TEST_F(ControllerE2E, AChangeWaitsWhileHeronsUpdateLockIsHeld) {
  const std::string file = specs_dir_ + "/exclamation.yaml";
  auto c = StartRunning(spec_, file);
  ASSERT_TRUE(c);
  const std::map<int32_t, std::string> before = RunningTaskIds();

  auto heron_cli = ConnectZk(zk_->connect_string());
  ASSERT_TRUE(heron_cli.ok());
  const std::string leases = "/heron/locks/exclamation__updateTopology/leases";
  ASSERT_TRUE((*heron_cli)->EnsurePath(leases).ok());
  auto lease = (*heron_cli)
                   ->Create(leases + "/_c_5d1e9a40-6a1b-4f0e-8c3d-2b7e9f1a0c55-lease-", "",
                            statestore::CreateMode::kEphemeralSequential);
  ASSERT_TRUE(lease.ok()) << lease.status();

  crd::Topology next = spec_;
  next.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  WriteFile(file, SpecYaml(next));
  Json s = WaitFor(*c, "the lock named as the reason", [&](const Json& j) {
    return Serialize(j).find("update lock") != std::string::npos;
  });
  EXPECT_EQ(JsonStr(s, "appliedSpecHash"), crd::SpecHash(spec_)) << SerializePretty(s);
  EXPECT_EQ(RunningTaskIds(), before) << "nothing restarted while Heron held the lock";

  ASSERT_TRUE((*heron_cli)->Delete(*lease, -1).ok());  // `heron update` finished
  WaitFor(
      *c, "the change applied", [&](const Json& j) { return RunningAt(j, crd::SpecHash(next)); },
      120);
  auto left = (*heron_cli)->GetChildren(leases);
  EXPECT_TRUE(left.ok() && left->empty()) << "the controller's own lease is released";
  EXPECT_TRUE(c->Stop().ok());
}

}  // namespace
}  // namespace hgo::e2e
