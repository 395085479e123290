#include "unit/loop/loop_fixture.h"

#include "aurora/job_builder.h"
#include "crd/canonical.h"
#include "crd/parser.h"
#include "testing/heron_packages.h"

namespace hgo::controller {

void LoopTest::SetUp() {
  ASSERT_TRUE(dir_.ok());
  connector_.Add("devcluster");
  options_.clusters = {testing::FakeClusterSpec("devcluster")};
  options_.workers = 0;
  options_.resync = std::chrono::minutes(5);
  options_.settings.requeue_ms = 5000;
  options_.executor.topology_manager = [this](const std::string& url) {
    return connector_.CallTopologyManager(url);
  };
  store_ = std::make_unique<statestore::InMemoryStateStore>();
  elector_ = election_.MakeElector("controller-1");
}

void LoopTest::StartController(Leadership* leadership) {
  auto source = std::make_unique<testing::StaticSource>();
  source_ = source.get();
  std::vector<std::unique_ptr<sources::SpecSource>> sources;
  sources.push_back(std::move(source));
  controller_ = leadership ? std::make_unique<Controller>(options_, std::move(sources), connector_,
                                                          clock_, *store_, *leadership, metrics_)
                           : std::make_unique<Controller>(options_, std::move(sources), connector_,
                                                          clock_, *store_, *elector_, metrics_);
  ASSERT_TRUE(controller_->Start().ok());
}

void LoopTest::TearDown() {
  if (controller_) controller_->Stop();
  controller_.reset();
}

crd::Topology LoopTest::Spec(const std::string& name) {
  auto parsed =
      crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
  EXPECT_TRUE(parsed.ok());
  crd::Topology spec = parsed.Topologies().at(0);
  spec.metadata.name = name;
  spec.spec.packing.algorithm = crd::PackingAlgorithm::kRoundRobin;
  spec.spec.packing.containers = 2;
  spec.spec.update.min_wait_in_running_seconds = 1;
  spec.spec.update.progress_deadline_seconds = 60;
  Package(spec);
  return spec;
}

void LoopTest::Package(crd::Topology& spec) {
  const std::string dir = dir_.path() + "/package-" + std::to_string(++packages_);
  std::filesystem::create_directories(dir);
  auto package = testing::PackageForTest(dir, spec);
  ASSERT_TRUE(package.ok()) << package.status();
}

testing::HeronCliSubmission LoopTest::SubmitWithHeronCli(const crd::Topology& spec) {
  testing::HeronCliOptions cli;
  cli.statemgr_connection = "fake:2181";
  auto s = testing::HeronCliSubmit(spec, cli);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return {};
  EXPECT_TRUE(testing::SubmitLikeHeronCli(*s, cluster().ZooKeeper(), "/heron", aurora()).ok());
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(std::chrono::seconds(6));
    cluster().Advance();
  }
  return *s;
}

void LoopTest::Commit(crd::Topology& spec, bool repackage) {
  if (repackage) Package(spec);
  source_->Set(spec.metadata.name + ".yaml", crd::SpecText(spec));
}

int LoopTest::Step(std::chrono::milliseconds by) {
  clock_.Advance(by);
  cluster().Advance();
  return controller_->RunReady();
}

std::string LoopTest::StepUntil(const std::string& name, const std::string& phase, int steps) {
  for (int i = 0; i < steps && (i == 0 || Phase(name) != phase); ++i) Step();
  return Phase(name);
}

crd::TopologyKey LoopTest::Key(const std::string& name) const {
  return crd::TopologyKey{"devcluster", "www-data", "devel", name};
}

aurora::JobKey LoopTest::Job(const std::string& name) const {
  return aurora::JobKey{"www-data", "devel", name};
}

std::string LoopTest::Phase(const std::string& name) {
  auto st = controller_->Get(Key(name));
  return st.ok() ? st->phase : "(none: " + st.status().message() + ")";
}

std::string LoopTest::Message(const std::string& name) {
  auto st = controller_->Get(Key(name));
  return st.ok() ? st->message : "";
}

std::string LoopTest::Events(const std::string& name) {
  std::string out;
  if (auto r = Record(name)) {
    for (const auto& e : r->events) out += "\n  " + e.reason + ": " + e.message;
  }
  return out;
}

std::shared_ptr<const statestore::TopologyRecord> LoopTest::Record(const std::string& name) {
  auto got = store_->GetRecord(Key(name));
  if (!got.ok() || !*got) return nullptr;
  return std::make_shared<const statestore::TopologyRecord>((*got)->record);
}

std::map<int32_t, std::string> LoopTest::JobHashes(const std::string& name) {
  std::map<int32_t, std::string> out;
  for (const auto& [id, t] : aurora().Active(Job(name))) {
    auto it = t.config.metadata.find(aurora::kMetaJobHash);
    out[id] = it == t.config.metadata.end() ? "" : it->second;
  }
  return out;
}

std::map<int32_t, std::string> LoopTest::TaskIds(const std::string& name) {
  std::map<int32_t, std::string> out;
  for (const auto& [id, t] : aurora().Active(Job(name))) out[id] = t.task_id;
  return out;
}

}  // namespace hgo::controller
