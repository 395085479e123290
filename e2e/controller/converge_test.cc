// Observe -> plan -> execute against real servers (ZooKeeper, aurora-local, the heron-executor
// stand-in): a topology is created and becomes healthy, scaled without restarting its containers,
// reconfigured with a rolling update, and pruned. The controller's loop and records come later;
// here the passes are driven by the test and the memory is kept in the test.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "aurora/thrift_client.h"
#include "controller/cluster/executor.h"
#include "controller/cluster/observe.h"
#include "crd/canonical.h"
#include "crd/parser.h"
#include "heron/messages.h"
#include "reconciler/planner.h"
#include "statestore/heron_state.h"
#include "testing/aurora_local_process.h"
#include "testing/heron_packages.h"
#include "testing/zk_test_server.h"

namespace hgo::controller {
namespace {

using namespace std::chrono_literals;
using statestore::HeronDir;

class ConvergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto zk = hgo::testing::ZkTestServer::Start();
    ASSERT_TRUE(zk.ok()) << zk.status();
    zk_server_ = std::move(*zk);
    auto aurora = hgo::testing::AuroraLocalProcess::Start();
    ASSERT_TRUE(aurora.ok()) << aurora.status();
    aurora_ = std::move(*aurora);
    statestore::ZkOptions zo;
    zo.servers = zk_server_->connect_string();
    auto client = statestore::ZkClient::Connect(zo);
    ASSERT_TRUE(client.ok());
    zk_ = std::move(*client);
    aurora::HttpTransportOptions options;
    const std::string url = aurora_->url();
    options.schedulers = [url] { return std::vector<std::string>{url}; };
    api_ = std::make_unique<aurora::ThriftAuroraClient>(options);
    cluster_.name = "devcluster";
    cluster_.statemgr_connection = zk_server_->connect_string();
    auto heron = statestore::ZkHeronStore::Open(zo, "/heron", [](const std::string&) {});
    ASSERT_TRUE(heron.ok()) << heron.status();
    heron_ = std::move(*heron);
    executor_ = std::make_unique<Executor>(*api_, *heron_, cluster_, clock_);
    char tmpl[] = "/tmp/hgo_converge_XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    dir_ = tmpl;
    auto parsed =
        crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
    ASSERT_TRUE(parsed.ok());
    spec_ = parsed.Topologies().at(0);
    spec_.spec.packing.algorithm = crd::PackingAlgorithm::kRoundRobin;
    spec_.spec.packing.containers = 2;  // one instance per container
    spec_.spec.update.min_wait_in_running_seconds = 1;
    spec_.spec.update.progress_deadline_seconds = 60;
    ASSERT_TRUE(hgo::testing::PackageForTest(dir_, spec_).ok());
    settings_.prune = true;
    settings_.tombstone_ms = 0;
    settings_.requeue_ms = 200;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  aurora::JobKey Job() const { return aurora::JobKey{"www-data", "devel", "exclamation"}; }

  // One pass: observe, plan, execute, remember.
  reconciler::Plan Pass(const std::optional<crd::Topology>& spec) {
    aurora::TaskQuery q;
    q.role = "www-data";
    auto tasks = api_->GetTasks(q, false);
    aurora::UpdateQuery uq;
    uq.role = "www-data";
    auto updates = api_->GetJobUpdateSummaries(uq);
    statestore::HeronState heron(*zk_, statestore::HeronLayout{"/heron", false});
    statestore::HeronSnapshot snap;
    for (HeronDir d : statestore::HeronStateCache::WatchedDirs()) {
      auto bytes = heron.Read(d, "exclamation");
      if (bytes.ok() && *bytes) snap.nodes[d] = **bytes;
    }
    std::optional<packing::PackingPlan> current;
    if (const std::string* p = snap.Get(HeronDir::kPackingPlans)) {
      auto proto = heronmsg::ParseHeronMessage<heron::proto::system::PackingPlan>(*p, "pp");
      if (proto.ok()) current = heronmsg::PackingPlanFromProto(*proto);
    }
    reconciler::Desired desired;
    if (spec) {
      RevisionSource rev{std::make_shared<const crd::Topology>(*spec), crd::SpecHash(*spec),
                         "test"};
      auto facts = packages_.Open(spec->spec.package.uri, spec->spec.package.sha256);
      EXPECT_TRUE(facts.ok()) << facts.status();
      auto shape = ShapeOf(rev, cluster_, current, **facts);
      EXPECT_TRUE(shape.ok()) << shape.status();
      rev.shape = std::make_shared<const Shape>(*shape);
      desired.spec = rev.spec;
      desired.spec_hash = rev.spec_hash;
      desired.instances = shape->instances;
      desired.job_hash = shape->inputs.job_hash;
      desired.graph_hash = crd::StreamGraphHash(*spec);
      revisions_[rev.spec_hash] = rev;
    } else {
      desired.presence = reconciler::Desired::Presence::kAbsent;
    }
    reconciler::Observed observed;
    if (tasks.ok() && updates.ok()) {
      observed = ObserveTopology(Job(), TasksOfJob(Job(), *tasks), *updates, &snap, NowMs());
    } else {
      observed.known = false;
    }
    reconciler::Plan plan = reconciler::MakePlan(desired, observed, memory_, settings_, NowMs());
    Status s = executor_->Execute(plan, Job(), revisions_);
    EXPECT_TRUE(s.ok()) << s;
    if (s.ok()) memory_ = plan.memory;
    return plan;
  }

  // Passes until the phase is reached with nothing left to do (at most 60 s).
  reconciler::Plan ConvergeTo(const std::optional<crd::Topology>& spec, reconciler::Phase phase) {
    reconciler::Plan plan;
    std::string trace;
    for (int i = 0; i < 200; ++i) {
      plan = Pass(spec);
      std::string line = std::string(reconciler::PhaseName(plan.phase)) + ": " + plan.message;
      for (const auto& a : plan.actions) line += std::string(" ") + reconciler::ActionName(a.kind);
      for (const auto& e : plan.events) line += " {" + e.reason + ": " + e.message + "}";
      if (trace.size() < 20000) trace += line + "\n";
      if (plan.phase == phase && plan.actions.empty()) return plan;
      std::this_thread::sleep_for(300ms);
    }
    ADD_FAILURE() << "not " << reconciler::PhaseName(phase) << ": "
                  << reconciler::PhaseName(plan.phase) << " " << plan.message << "\n"
                  << trace;
    return plan;
  }

  std::map<int32_t, std::string> RunningTaskIds() {
    aurora::TaskQuery q;
    q.job_keys = {Job()};
    q.statuses = {aurora::TaskStatus::kRunning};
    std::map<int32_t, std::string> out;
    auto tasks = api_->GetTasks(q, false);
    if (tasks.ok()) {
      for (const auto& t : *tasks) out[t.instance_id] = t.task_id;
    }
    return out;
  }

  int64_t NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               clock_.WallNow().time_since_epoch())
        .count();
  }

  RealClock clock_;
  std::unique_ptr<hgo::testing::ZkTestServer> zk_server_;
  std::unique_ptr<hgo::testing::AuroraLocalProcess> aurora_;
  std::unique_ptr<statestore::ZkClient> zk_;
  std::unique_ptr<aurora::ThriftAuroraClient> api_;
  aurora::ClusterConfig cluster_;
  std::unique_ptr<statestore::ZkHeronStore> heron_;
  std::unique_ptr<Executor> executor_;
  packager::FetchingPackageReader packages_;
  std::string dir_;
  crd::Topology spec_;
  reconciler::Settings settings_;
  reconciler::Memory memory_;
  std::map<std::string, RevisionSource> revisions_;
};

TEST_F(ConvergeTest, CreateScaleReconfigureAndPrune) {
  // Create: Heron's state, the job (topology manager + 2 containers), healthy once the stand-in's
  // topology manager registers with the revision's topology id.
  ConvergeTo(spec_, reconciler::Phase::kRunning);
  auto created = RunningTaskIds();
  ASSERT_EQ(created.size(), 3u);
  EXPECT_EQ(memory_.stable_hash, crd::SpecHash(spec_));

  // Scale: one more container for one more bolt instance; the same task, so no restart.
  const std::string created_id = memory_.applied_topology_id;
  crd::Topology scaled = spec_;
  scaled.spec.topology.bolts[0].parallelism = 2;
  scaled.spec.packing.containers = 3;
  ConvergeTo(scaled, reconciler::Phase::kRunning);
  auto after_scale = RunningTaskIds();
  ASSERT_EQ(after_scale.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(after_scale[i], created[i]) << "instance " << i;
  EXPECT_EQ(memory_.applied_topology_id, created_id);

  // Reconfigure: a topology config change restarts every container, under the same topology id
  // (the stream graph is the same).
  crd::Topology reconfigured = scaled;
  reconfigured.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  const std::string old_id = memory_.applied_topology_id;
  ConvergeTo(reconfigured, reconciler::Phase::kRunning);
  auto after_config = RunningTaskIds();
  ASSERT_EQ(after_config.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_NE(after_config[i], after_scale[i]) << "instance " << i;
  EXPECT_EQ(memory_.applied_topology_id, old_id);
  statestore::HeronState heron(*zk_, statestore::HeronLayout{"/heron", false});
  auto tm = heron.Read(HeronDir::kTManagers, "exclamation");
  ASSERT_TRUE(tm.ok() && *tm);
  auto loc = heronmsg::ParseHeronMessage<heron::proto::tmanager::TManagerLocation>(**tm, "tm");
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->topology_id(), memory_.applied_topology_id);

  // Prune: the spec is gone; the job is killed and Heron's nodes deleted.
  ConvergeTo(std::nullopt, reconciler::Phase::kDeleted);
  EXPECT_TRUE(RunningTaskIds().empty());
  for (HeronDir d : {HeronDir::kTopologies, HeronDir::kPackingPlans, HeronDir::kExecutionState,
                     HeronDir::kSchedulers}) {
    auto node = heron.Read(d, "exclamation");
    ASSERT_TRUE(node.ok());
    EXPECT_FALSE(node->has_value());
  }
}

TEST_F(ConvergeTest, ARevisionThatNeverGetsHealthyIsRolledBackAndNotRetried) {
  ConvergeTo(spec_, reconciler::Phase::kRunning);
  const std::string stable_id = memory_.applied_topology_id;

  // The stand-in's topology manager never registers for this revision (sim.hang).
  crd::Topology hanging = spec_;
  hanging.spec.topology.config["sim.hang"] = Json("true");
  hanging.spec.update.progress_deadline_seconds = 10;
  reconciler::Plan plan = ConvergeTo(hanging, reconciler::Phase::kFailed);
  EXPECT_NE(plan.message.find("not retried"), std::string::npos) << plan.message;
  EXPECT_TRUE(memory_.failed_hashes.count(crd::SpecHash(hanging)));
  EXPECT_EQ(memory_.applied_topology_id, stable_id);

  // The stable revision runs again, with its own topology manager registered.
  statestore::HeronState heron(*zk_, statestore::HeronLayout{"/heron", false});
  std::string registered;
  for (int i = 0; i < 100 && registered != stable_id; ++i) {
    auto tm = heron.Read(HeronDir::kTManagers, "exclamation");
    if (tm.ok() && *tm) {
      auto loc = heronmsg::ParseHeronMessage<heron::proto::tmanager::TManagerLocation>(**tm, "tm");
      if (loc.ok()) registered = loc->topology_id();
    }
    if (registered != stable_id) std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(registered, stable_id);
  EXPECT_EQ(RunningTaskIds().size(), 3u);
  // Not retried while the spec stays the same.
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(Pass(hanging).actions.empty());
    std::this_thread::sleep_for(300ms);
  }
}

}  // namespace
}  // namespace hgo::controller
