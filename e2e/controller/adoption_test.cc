// Adoption against the real servers: a topology submitted the way heron-cli does (its Heron
// nodes in ZooKeeper, heron.aurora's job in aurora-local, run by the heron-executor stand-in,
// which registers its topology manager) is taken over by the controller with no task restarted,
// no Heron node rewritten and its topology id kept, also when the controller is killed -9 while
// it adopts; a scale afterwards adds a container and restarts none; a spec that differs is left
// alone under IfMatching, with the differences in its status, and replaced under Replace.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "aurora/job_builder.h"
#include "crd/canonical.h"
#include "crd/parser.h"
#include "e2e/controller/controller_fixture.h"
#include "statestore/heron_store.h"
#include "testing/heron_cli.h"

namespace hgo::e2e {
namespace {

using namespace std::chrono_literals;
using statestore::HeronDir;

class AdoptionE2E : public ControllerE2E {
 protected:
  void SetUp() override {
    ControllerE2E::SetUp();
    if (HasFatalFailure()) return;
    // Container resources set, so that a scale keeps the task (docs/operations.md).
    spec_.spec.resources = {2000, int64_t{3} << 30, int64_t{1} << 30};
    statestore::ZkOptions zk;
    zk.servers = zk_->connect_string();
    auto heron = statestore::ZkHeronStore::Open(zk, "/heron", nullptr);
    ASSERT_TRUE(heron.ok()) << heron.status();
    heron_ = std::move(*heron);
  }
  void TearDown() override {
    heron_.reset();
    ControllerE2E::TearDown();
  }

  // heron submit, then waits until every container runs and the topology manager registered.
  testing::HeronCliSubmission Submit() {
    testing::HeronCliOptions cli;
    cli.statemgr_connection = zk_->connect_string();
    auto s = testing::HeronCliSubmit(spec_, cli);
    EXPECT_TRUE(s.ok()) << s.status();
    if (!s.ok()) return {};
    EXPECT_TRUE(testing::SubmitLikeHeronCli(*s, *heron_, "/heron", *api_).ok());
    for (int i = 0; i < 240; ++i) {
      if (RunningTaskIds().size() == 3 && Node(HeronDir::kTManagers) &&
          Node(HeronDir::kPhysicalPlans)) {
        break;
      }
      std::this_thread::sleep_for(250ms);
    }
    EXPECT_EQ(RunningTaskIds().size(), 3u);
    EXPECT_TRUE(Node(HeronDir::kTManagers)) << "the stand-in's topology manager did not register";
    return *s;
  }

  std::optional<std::string> Node(HeronDir d) const {
    auto got = heron_->Read(statestore::HeronLayout{"/heron", false}, d, "exclamation");
    return got.ok() ? *got : std::nullopt;
  }
  // What heron submit wrote (the stand-in's own tmanagers/pplans come and go with it).
  std::map<HeronDir, std::optional<std::string>> SubmittedNodes() const {
    std::map<HeronDir, std::optional<std::string>> out;
    for (HeronDir d : {HeronDir::kTopologies, HeronDir::kPackingPlans, HeronDir::kExecutionState,
                       HeronDir::kSchedulers}) {
      out[d] = Node(d);
    }
    return out;
  }

  static std::string Events(const Json& status) {
    std::string out;
    const Json* record = status.Find("record");
    const Json* events = record ? record->Find("events") : nullptr;
    if (!events || !events->is_array()) return out;
    for (const auto& e : events->as_array()) {
      out += JsonStr(e, "reason") + ": " + JsonStr(e, "message") + "\n";
    }
    return out;
  }

  size_t JobCount() const {
    auto jobs = api_->GetJobs("www-data");
    return jobs.ok() ? jobs->size() : 0;
  }

  std::unique_ptr<statestore::ZkHeronStore> heron_;
};

TEST_F(AdoptionE2E, ImportedSpecsAdoptWithNoRestartEvenThroughAKill9ThenScale) {
  const testing::HeronCliSubmission submitted = Submit();
  ASSERT_FALSE(HasFailure());
  const auto tasks = RunningTaskIds();
  const auto nodes = SubmittedNodes();

  // heronctl import through a controller with no spec yet; the spec it writes diffs clean.
  const std::string imported = dir_ + "/imported";
  crd::Topology spec;
  {
    auto first = StartController({"dir:" + specs_dir_});
    ASSERT_TRUE(first);
    auto listed = testing::HttpCall("GET", first->url() + "/api/v1/unmanaged");
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_NE(listed.body.find("\"" + submitted.topology_id + "\""), std::string::npos)
        << listed.body;
    const std::string cli = std::string(HGO_BINARY_DIR) + "/cmd/heronctl";
    CliResult r = RunHeronctl({cli, "import", "--out", imported, "--server", first->url()}, dir_);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("adopted with no restart"), std::string::npos) << r.out;
    const std::string file = imported + "/exclamation.yaml";
    auto parsed = crd::ParseTopologyFile(file);
    ASSERT_TRUE(parsed.ok()) << Slurp(file);
    spec = parsed.Topologies().at(0);
    EXPECT_EQ(spec.spec.package.uri, spec_.spec.package.uri);
    EXPECT_EQ(spec.spec.package.sha256, spec_.spec.package.sha256);
    r = RunHeronctl({cli, "diff", "-f", file, "--server", first->url()}, dir_);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("(no changes)\n  containers restarted: 0"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("+++"), std::string::npos) << "a spec difference: " << r.out;

    // Committed as written; the controller is killed -9 as soon as it saw it, and another
    // takes over.
    WriteFile(specs_dir_ + "/exclamation.yaml", Slurp(file));
    WaitFor(*first, "the topology known",
            [](const Json& j) { return !JsonStr(j, "phase").empty(); });
    ASSERT_TRUE(first->Kill9().ok());
  }
  const std::string hash = crd::SpecHash(spec);
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  // Adopted at once (Running follows once its instances ran the imported spec's 30 s minimum
  // wait; the scale below shortens it).
  Json st = WaitFor(*c, "adopted", [&](const Json& j) {
    return JsonStr(j, "appliedSpecHash") == hash && !Events(j).empty();
  });
  EXPECT_EQ(JsonStr(st, "topologyId"), submitted.topology_id);
  EXPECT_EQ(JsonInt(st, "revision"), 1);
  EXPECT_NE(Events(st).find("Adopted: the live topology " + submitted.topology_id),
            std::string::npos)
      << Events(st);
  std::this_thread::sleep_for(2s);  // a few more passes
  EXPECT_EQ(RunningTaskIds(), tasks);
  EXPECT_EQ(SubmittedNodes(), nodes) << "Heron's state rewritten";
  EXPECT_EQ(JobCount(), 1u);
  for (const auto& i : st["instances"].as_array()) {
    EXPECT_TRUE(i.Find("current")->as_bool()) << Serialize(i);
  }

  // A scale: a wider bolt on one more container. The new container runs the live task; the
  // running ones keep theirs.
  crd::Topology wider = spec;
  wider.spec.topology.bolts[0].parallelism = 2;
  wider.spec.packing.containers = 3;
  wider.spec.update.min_wait_in_running_seconds = 1;  // steering only: the same task
  WriteFile(specs_dir_ + "/exclamation.yaml", SpecYaml(wider));
  st = WaitFor(*c, "scaled", [&](const Json& j) { return RunningAt(j, crd::SpecHash(wider)); });
  const auto scaled = RunningTaskIds();
  ASSERT_EQ(scaled.size(), 4u);
  for (const auto& [id, task] : tasks) EXPECT_EQ(scaled.at(id), task) << "instance " << id;
  EXPECT_EQ(JsonStr(st, "topologyId"), submitted.topology_id);
  EXPECT_TRUE(c->Stop().ok());
}

TEST_F(AdoptionE2E, ADifferentSpecLeavesTheTopologyAloneAndListsTheDifferences) {
  Submit();
  ASSERT_FALSE(HasFailure());
  const auto tasks = RunningTaskIds();
  const auto nodes = SubmittedNodes();
  crd::Topology other = spec_;
  other.spec.resources.ram_bytes = int64_t{4} << 30;
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  WriteFile(specs_dir_ + "/exclamation.yaml", SpecYaml(other));
  Json st = WaitForPhase(*c, "OutOfSync");
  EXPECT_NE(JsonStr(st, "message").find("ram per container (MiB): live 3072, desired 4096"),
            std::string::npos)
      << JsonStr(st, "message");
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(RunningTaskIds(), tasks);
  EXPECT_EQ(SubmittedNodes(), nodes);

  // Replace: rolled onto the spec, the topology id kept (the same stream graph).
  other.spec.adopt = crd::AdoptPolicy::kReplace;
  WriteFile(specs_dir_ + "/exclamation.yaml", SpecYaml(other));
  st = WaitFor(*c, "replaced", [&](const Json& j) { return RunningAt(j, crd::SpecHash(other)); });
  EXPECT_NE(Events(st).find("Replacing"), std::string::npos) << Events(st);
  EXPECT_EQ(JsonStr(st, "topologyId"), JsonStr(st["heron"], "topologyId"));
  EXPECT_EQ(JobCount(), 1u);
  for (const auto& [id, task] : RunningTaskIds()) EXPECT_NE(tasks.at(id), task) << id;
  EXPECT_TRUE(c->Stop().ok());
}

}  // namespace
}  // namespace hgo::e2e
