// Adoption against the real servers: a topology submitted the way heron-cli does (its Heron
// nodes in ZooKeeper, heron.aurora's job in aurora-local, run by the heron-executor stand-in,
// which registers its topology manager) is taken over by the controller with no task restarted,
// no Heron node rewritten and its topology id kept, also when the controller is killed -9 while
// it adopts; a scale afterwards adds a container and restarts none; a spec that differs is left
// alone under IfMatching, with the differences in its status, and replaced under Replace.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "aurora/job_builder.h"
#include "controller/failpoints.h"
#include "crd/canonical.h"
#include "crd/parser.h"
#include "e2e/controller/controller_fixture.h"
#include "statestore/heron_store.h"
#include "testing/heron_cli.h"
#include "testing/heron_packages.h"

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
  testing::HeronCliSubmission Submit(const crd::Topology& spec) {
    testing::HeronCliOptions cli;
    cli.statemgr_connection = zk_->connect_string();
    auto s = testing::HeronCliSubmit(spec, cli);
    EXPECT_TRUE(s.ok()) << s.status();
    if (!s.ok()) return {};
    EXPECT_TRUE(testing::SubmitLikeHeronCli(*s, *heron_, "/heron", *api_).ok());
    const std::string& name = spec.metadata.name;
    for (int i = 0; i < 240; ++i) {
      if (Tasks(name).size() == 3 && Node(HeronDir::kTManagers, name) &&
          Node(HeronDir::kPhysicalPlans, name)) {
        break;
      }
      std::this_thread::sleep_for(250ms);
    }
    EXPECT_EQ(Tasks(name).size(), 3u);
    EXPECT_TRUE(Node(HeronDir::kTManagers, name)) << "the stand-in's manager did not register";
    return *s;
  }
  testing::HeronCliSubmission Submit() { return Submit(spec_); }

  std::map<int32_t, std::string> Tasks(const std::string& name) const {
    aurora::TaskQuery q;
    q.job_keys = {aurora::JobKey{"www-data", "devel", name}};
    q.statuses = {aurora::TaskStatus::kRunning};
    std::map<int32_t, std::string> out;
    if (auto tasks = api_->GetTasks(q, false); tasks.ok()) {
      for (const auto& t : *tasks) out[t.instance_id] = t.task_id;
    }
    return out;
  }
  std::optional<std::string> Node(HeronDir d, const std::string& name = "exclamation") const {
    auto got = heron_->Read(statestore::HeronLayout{"/heron", false}, d, name);
    return got.ok() ? *got : std::nullopt;
  }
  // What heron submit wrote (the stand-in's own tmanagers/pplans come and go with it).
  std::map<HeronDir, std::optional<std::string>> SubmittedNodes(
      const std::string& name = "exclamation") const {
    std::map<HeronDir, std::optional<std::string>> out;
    for (HeronDir d : {HeronDir::kTopologies, HeronDir::kPackingPlans, HeronDir::kExecutionState,
                       HeronDir::kSchedulers}) {
      out[d] = Node(d, name);
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
  // Two topologies heron-cli submitted, each with its own package.
  crd::Topology other = spec_;
  other.metadata.name = "second";
  std::filesystem::create_directories(dir_ + "/second");
  ASSERT_TRUE(testing::PackageForTest(dir_ + "/second", other).ok());
  std::map<std::string, testing::HeronCliSubmission> submitted;
  for (const crd::Topology* t : {&spec_, &other}) submitted[t->metadata.name] = Submit(*t);
  ASSERT_FALSE(HasFailure());
  std::map<std::string, std::map<int32_t, std::string>> tasks;
  std::map<std::string, std::map<HeronDir, std::optional<std::string>>> nodes;
  for (const auto& [name, s] : submitted) {
    tasks[name] = Tasks(name);
    nodes[name] = SubmittedNodes(name);
  }

  // heronctl import through a controller with no spec yet; the specs it writes diff clean.
  const std::string imported = dir_ + "/imported";
  std::map<std::string, crd::Topology> specs;
  {
    auto first = StartController({"dir:" + specs_dir_});
    ASSERT_TRUE(first);
    auto listed = testing::HttpCall("GET", first->url() + "/api/v1/unmanaged");
    ASSERT_EQ(listed.status, 200) << listed.body;
    for (const auto& [name, s] : submitted) {
      EXPECT_NE(listed.body.find("\"" + s.topology_id + "\""), std::string::npos) << listed.body;
    }
    const std::string cli = std::string(HGO_BINARY_DIR) + "/cmd/heronctl";
    CliResult r = RunHeronctl({cli, "import", "--out", imported, "--server", first->url()}, dir_);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    for (const auto& [name, s] : submitted) {
      EXPECT_NE(r.out.find(name + ": wrote " + imported + "/" + name +
                           ".yaml (committed as it is, it is adopted with no restart)"),
                std::string::npos)
          << r.out;
      auto parsed = crd::ParseTopologyFile(imported + "/" + name + ".yaml");
      ASSERT_TRUE(parsed.ok()) << Slurp(imported + "/" + name + ".yaml");
      specs[name] = parsed.Topologies().at(0);
    }
    EXPECT_EQ(specs["exclamation"].spec.package.sha256, spec_.spec.package.sha256);
    EXPECT_EQ(specs["second"].spec.package.uri, other.spec.package.uri);
    r = RunHeronctl({cli, "diff", "-f", imported, "--server", first->url()}, dir_);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(r.out.find("+++"), std::string::npos) << "a spec difference: " << r.out;
    size_t clean = 0;  // plans without an action and without a restart
    for (size_t at = 0;
         (at = r.out.find("(no changes)\n  containers restarted: 0", at)) != std::string::npos;
         ++at) {
      ++clean;
    }
    EXPECT_EQ(clean, 2u) << r.out;

    // Committed as written; the controller is killed -9 as soon as it saw them, and another
    // takes over.
    for (const auto& [name, s] : submitted) {
      WriteFile(specs_dir_ + "/" + name + ".yaml", Slurp(imported + "/" + name + ".yaml"));
    }
    WaitFor(*first, "the topology known",
            [](const Json& j) { return !JsonStr(j, "phase").empty(); });
    ASSERT_TRUE(first->Kill9().ok());
  }
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  Json st;
  for (const auto& [name, s] : submitted) {
    // Adopted at once (Running follows once its instances ran the imported spec's 30 s minimum
    // wait; the scale below shortens it).
    const std::string hash = crd::SpecHash(specs[name]);
    const std::string path = "/api/v1/topologies/devcluster/www-data/devel/" + name;
    Json got;
    for (int i = 0; i < 120; ++i) {
      auto r = testing::HttpCall("GET", c->url() + path);
      if (r.status == 200) {
        auto j = ParseJson(r.body);
        if (j.ok() && JsonStr(*j, "appliedSpecHash") == hash && !Events(*j).empty()) {
          got = *j;
          break;
        }
      }
      std::this_thread::sleep_for(250ms);
    }
    EXPECT_EQ(JsonStr(got, "topologyId"), s.topology_id) << name;
    EXPECT_EQ(JsonInt(got, "revision"), 1) << name;
    EXPECT_NE(Events(got).find("Adopted: the live topology " + s.topology_id), std::string::npos)
        << name << ": " << Events(got);
    if (name == "exclamation") st = got;
  }
  std::this_thread::sleep_for(2s);  // a few more passes
  for (const auto& [name, s] : submitted) {
    EXPECT_EQ(Tasks(name), tasks[name]) << name;
    EXPECT_EQ(SubmittedNodes(name), nodes[name]) << name << ": Heron's state rewritten";
  }
  EXPECT_EQ(JobCount(), 2u);
  ASSERT_TRUE(st.Find("instances"));
  for (const auto& i : st["instances"].as_array()) {
    EXPECT_TRUE(i.Find("current")->as_bool()) << Serialize(i);
  }
  const crd::Topology& spec = specs["exclamation"];
  const std::map<int32_t, std::string>& exclamation_tasks = tasks["exclamation"];

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
  for (const auto& [id, task] : exclamation_tasks) {
    EXPECT_EQ(scaled.at(id), task) << "instance " << id;
  }
  EXPECT_EQ(JsonStr(st, "topologyId"), submitted["exclamation"].topology_id);
  EXPECT_EQ(Tasks("second"), tasks["second"]);
  // The untouched one is Running once its instances ran the imported 30 s minimum wait.
  Json second;
  for (int i = 0; i < 160 && JsonStr(second, "phase") != "Running"; ++i) {
    std::this_thread::sleep_for(250ms);
    auto r =
        testing::HttpCall("GET", c->url() + "/api/v1/topologies/devcluster/www-data/devel/second");
    if (auto j = ParseJson(r.body); r.status == 200 && j.ok()) second = *j;
  }
  EXPECT_EQ(JsonStr(second, "phase"), "Running") << Serialize(second);
  EXPECT_EQ(Tasks("second"), tasks["second"]);
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

// The chaos suite's adoption sequence (see chaos_test.cc): a topology heron-cli submitted is
// adopted by a controller armed to die at the K-th hit of a point; a new controller finishes.
// Every boundary of each point, K raised until it is never reached: the topology is adopted
// with its topology id, no task restarted, none of heron submit's nodes rewritten, one job.
// Each trial adopts a topology of its own (the ones before stay adopted and running).
TEST_F(AdoptionE2E, ACrashAtEveryStepOfAnAdoptionConverges) {
  HGO_SKIP_UNDER_SANITIZERS();
  ChaosTally t;
  int n = 0;
  for (std::string_view point :
       {controller::kBeforeActFailpoint, controller::kBeforeActionFailpoint,
        controller::kBeforeRecordFailpoint}) {
    for (int k = 0; k < 6; ++k) {
      const std::string failpoint = std::string(point) + "=" + std::to_string(k) + "+1*abort";
      SCOPED_TRACE(failpoint);
      crd::Topology spec = spec_;
      spec.metadata.name = "adopt" + std::to_string(n++);
      const std::string dir = dir_ + "/" + spec.metadata.name;
      std::filesystem::create_directories(dir);
      ASSERT_TRUE(testing::PackageForTest(dir, spec).ok());
      const testing::HeronCliSubmission submitted = Submit(spec);
      ASSERT_FALSE(HasFailure());
      const auto tasks = Tasks(spec.metadata.name);
      const auto nodes = SubmittedNodes(spec.metadata.name);
      const std::string path = "/api/v1/topologies/devcluster/www-data/devel/" + spec.metadata.name;
      const std::vector<std::string> flags = {"--session-timeout", "4"};
      auto c = StartController({"dir:" + specs_dir_}, flags, {"HGO_FAILPOINTS=" + failpoint},
                               /*may_die=*/true);
      bool crashed = !c;
      if (c) WaitUntilLeader(*c);
      const std::string hash = crd::SpecHash(spec);
      auto done = [&] {
        const Json j = Status(*c, path);
        return RunningAt(j, hash) && JsonStr(j, "topologyId") == submitted.topology_id;
      };
      if (c) {
        WriteFile(specs_dir_ + "/" + spec.metadata.name + ".yaml", SpecYaml(spec));
        for (int i = 0; i < 300 && c->running() && !done(); ++i) std::this_thread::sleep_for(100ms);
        crashed = !c->running();
      } else {
        WriteFile(specs_dir_ + "/" + spec.metadata.name + ".yaml", SpecYaml(spec));
      }
      if (crashed) {
        c = StartController({"dir:" + specs_dir_}, flags);
        ASSERT_TRUE(c);
        for (int i = 0; i < 600 && !done(); ++i) std::this_thread::sleep_for(100ms);
      }
      const bool converged = done();
      EXPECT_TRUE(converged) << Serialize(Status(*c, path));
      const bool restarted = Tasks(spec.metadata.name) != tasks;
      EXPECT_FALSE(restarted) << "a task of the adopted topology restarted";
      EXPECT_EQ(SubmittedNodes(spec.metadata.name), nodes) << "heron submit's nodes rewritten";
      EXPECT_EQ(JobCount(), static_cast<size_t>(n));
      EXPECT_TRUE(c->running()) << "no crash but the injected one:\n" << c->LogTail();
      EXPECT_TRUE(c->Stop().ok());
      if (!crashed) break;  // past the adoption: every boundary of the point was covered
      ++t.points;
      ++t.trials;
      t.converged += converged ? 1 : 0;
      t.duplicates += JobCount() > static_cast<size_t>(n) ? 1 : 0;
      t.wrongful += restarted ? 1 : 0;
      if (HasFailure()) return;
    }
  }
  t.Check("adoption", 2);
}

}  // namespace
}  // namespace hgo::e2e
