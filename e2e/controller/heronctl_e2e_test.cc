// Every heronctl verb, the real binary, against a live heron-controller (with ZooKeeper,
// aurora-local and the heron-executor stand-in): outputs and exit codes (docs/cli.md).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "crd/canonical.h"
#include "e2e/controller/controller_fixture.h"

namespace hgo::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class HeronctlE2E : public ControllerE2E {
 protected:
  // Runs build/cmd/heronctl with the connection flags first, then args.
  CliResult Cli(std::vector<std::string> args, bool with_token = true) {
    std::vector<std::string> argv = {std::string(HGO_BINARY_DIR) + "/cmd/heronctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--server");
    argv.push_back(server_);
    argv.push_back("--spool");
    argv.push_back(spool_);
    if (with_token) {
      argv.push_back("--token-file");
      argv.push_back(token_file_);
    }
    return RunHeronctl(argv, dir_);
  }

  void SetUp() override {
    ControllerE2E::SetUp();
    spool_ = dir_ + "/spool";
    fs::create_directories(spool_);
    controller_ =
        StartController({"spool:" + spool_ + "?allowEmpty"}, {"--prune", "--tombstone", "1s"});
    ASSERT_TRUE(controller_);
    server_ = controller_->url();
    spec_.metadata.labels["team"] = "streaming";
  }

  // The controller first: alive, it may recreate its spool's done/ and failed/ inside the test
  // directory the base class removes.
  void TearDown() override {
    controller_.reset();
    ControllerE2E::TearDown();
  }

  std::string WriteSpec(const std::string& name, const crd::Topology& t) {
    const std::string path = dir_ + "/" + name;
    WriteFile(path, SpecYaml(t));
    return path;
  }

  std::string spool_, server_;
  std::unique_ptr<testing::ControllerProcess> controller_;
};

// The exit code and a piece of the output, showing both streams when either is wrong.
#define EXPECT_CLI(result, want_code, text)                                                     \
  EXPECT_EQ((result).code, want_code) << "stdout:\n"                                            \
                                      << (result).out << "stderr:\n"                            \
                                      << (result).err;                                          \
  EXPECT_NE((result).out.find(text), std::string::npos) << "stdout lacks '" << (text) << "':\n" \
                                                        << (result).out << "stderr:\n"          \
                                                        << (result).err

TEST_F(HeronctlE2E, EveryVerbAgainstALiveController) {
  const std::string v1 = WriteSpec("v1.yaml", spec_);

  // Nothing yet.
  auto r = Cli({"get", "topologies"});
  EXPECT_CLI(r, 0, "No topologies found.");

  // apply --dry-run: the controller's plan, nothing written.
  r = Cli({"apply", "-f", v1, "--dry-run"});
  EXPECT_CLI(r, 0, "CreateJob");
  EXPECT_NE(r.out.find("dry run"), std::string::npos);
  for (const auto& e : fs::directory_iterator(spool_)) {
    EXPECT_TRUE(e.is_directory()) << "the dry run wrote " << e.path();  // done/, failed/ only
  }

  // diff of a topology that does not exist yet: all added, exit 1.
  r = Cli({"diff", "-f", v1});
  EXPECT_CLI(r, 1, "+++ desired/devcluster/www-data/devel/exclamation");

  // apply into the spool, then wait for it.
  r = Cli({"apply", "-f", v1});
  EXPECT_CLI(r, 0, "topology devcluster/www-data/devel/exclamation applied");
  r = Cli({"wait", "exclamation", "--for=phase=Running", "--timeout", "90s"});
  EXPECT_CLI(r, 0, "is Running");

  // get in every output.
  r = Cli({"get", "topologies"});
  EXPECT_CLI(r, 0,
             "NAME          CLUSTER      ROLE       ENV     PHASE     READY   REVISION   AGE");
  EXPECT_NE(r.out.find("exclamation   devcluster   www-data   devel   Running   3/3     1"),
            std::string::npos)
      << r.out;
  r = Cli({"get", "topologies", "-o", "wide"});
  EXPECT_CLI(r, 0, "TOPOLOGY-ID");
  r = Cli({"get", "topologies", "-o", "json"});
  EXPECT_EQ(r.code, 0);
  auto j = ParseJson(r.out);
  ASSERT_TRUE(j.ok()) << r.out;
  EXPECT_EQ(JsonStr((*j)["topologies"].as_array().at(0), "phase"), "Running");
  r = Cli({"get", "topologies", "-o", "yaml"});
  EXPECT_CLI(r, 0, "  phase: Running");
  r = Cli({"get", "topologies", "-l", "team=streaming"});
  EXPECT_CLI(r, 0, "exclamation");
  r = Cli({"get", "topologies", "-l", "team=other"});
  EXPECT_CLI(r, 0, "No topologies found.");
  // --watch: the listing, then each change of a row (here: suspended meanwhile through the
  // API), without the header again.
  std::thread suspender([&] {
    std::this_thread::sleep_for(1500ms);
    testing::HttpCall("POST",
                      server_ + "/api/v1/topologies/devcluster/www-data/devel/exclamation:suspend",
                      "", {{"Authorization", "Bearer " + token_}});
  });
  r = Cli({"get", "topologies", "--watch", "--watch-for", "6s"});
  suspender.join();
  EXPECT_CLI(r, 0, "exclamation");
  const size_t first_row = r.out.find("exclamation");
  ASSERT_NE(first_row, std::string::npos);
  EXPECT_NE(r.out.find("Running", first_row), std::string::npos) << r.out;
  const size_t change = r.out.find("Suspended", first_row);
  EXPECT_NE(change, std::string::npos) << "the change was watched:\n" << r.out;
  EXPECT_EQ(r.out.find("NAME", first_row), std::string::npos) << "one header:\n" << r.out;
  ASSERT_EQ(Cli({"resume", "exclamation"}).code, 0);
  EXPECT_EQ(Cli({"wait", "exclamation", "--for=phase=Running", "--timeout", "60s"}).code, 0);

  // describe: instances with task ids and hosts, Heron's state, events.
  r = Cli({"describe", "topology", "exclamation"});
  EXPECT_CLI(r, 0, "Topology manager:  registered for exclamation-");
  EXPECT_NE(r.out.find("RUNNING   yes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("team=streaming"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  Topology:          exclamation (storm): spout"), std::string::npos)
      << r.out;
  r = Cli({"describe", "topology", "devcluster/www-data/devel/exclamation"});
  EXPECT_CLI(r, 0, "Key:              devcluster/www-data/devel/exclamation");

  // diff: the same spec is no change (exit 0); an update shows the field and the plan (exit 1).
  r = Cli({"diff", "-f", v1});
  EXPECT_CLI(r, 0, "(no changes)");
  crd::Topology v2 = spec_;
  v2.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  const std::string v2_file = WriteSpec("v2.yaml", v2);
  r = Cli({"diff", "-f", v2_file});
  EXPECT_CLI(r, 1, "-    config: {}\n+    config:\n+      topology.message.timeout.secs: 45\n");
  EXPECT_NE(r.out.find("StartUpdate"), std::string::npos) << r.out;
  // A spec with spec.resources: heronctl sends the spec, not the canonical form (whose
  // normalised cpuMillis/ramBytes the API would refuse as unknown fields).
  crd::Topology sized = v2;
  sized.spec.resources.cpu_millis = 2000;
  sized.spec.resources.ram_bytes = int64_t{4} << 30;
  sized.spec.resources.disk_bytes = int64_t{4} << 30;
  const std::string sized_file = WriteSpec("sized.yaml", sized);
  r = Cli({"diff", "-f", sized_file});
  EXPECT_CLI(r, 1, "cpuMillis: 2000");
  EXPECT_NE(r.out.find("StartUpdate"), std::string::npos) << r.out;

  // Roll out v2 and follow it.
  EXPECT_EQ(Cli({"apply", "-f", v2_file}).code, 0);
  r = Cli({"rollout", "status", "exclamation", "--timeout", "90s"});
  EXPECT_CLI(r, 0, "revision 2 of devcluster/www-data/devel/exclamation successfully rolled out");
  r = Cli({"rollout", "history", "exclamation"});
  EXPECT_CLI(r, 0, "REVISION   SPEC");
  EXPECT_NE(r.out.find("Stable (current)"), std::string::npos) << r.out;
  r = Cli({"rollout", "history", "exclamation", "-o", "json"});
  auto history = ParseJson(r.out);
  ASSERT_TRUE(history.ok()) << r.out;
  EXPECT_EQ((*history)["history"].as_array().size(), 2u);

  // undo: back to revision 1, pinned; rollout status follows the pin.
  r = Cli({"rollout", "undo", "exclamation"});
  EXPECT_CLI(r, 0, "rolled back to revision 1");
  r = Cli({"rollout", "status", "exclamation", "--timeout", "90s"});
  EXPECT_CLI(r, 0, "successfully rolled out");  // revision 1's spec, applied as revision 3
  r = Cli({"get", "topologies", "-o", "json"});
  auto pinned = ParseJson(r.out);
  ASSERT_TRUE(pinned.ok()) << r.out;
  const Json& t = (*pinned)["topologies"].as_array().at(0);
  EXPECT_EQ(JsonStr(t, "appliedSpecHash"), crd::SpecHash(spec_));
  EXPECT_EQ(JsonInt(t, "pinnedRevision"), 1);

  // A crashing revision: rollout status exits 1; retry is accepted.
  const std::string bad = WriteSpec("bad.yaml", Crashing(spec_));
  EXPECT_EQ(Cli({"apply", "-f", bad}).code, 0);
  r = Cli({"rollout", "status", "exclamation", "--timeout", "120s"});
  EXPECT_CLI(r, 1, "rollout of devcluster/www-data/devel/exclamation failed");
  EXPECT_EQ(Cli({"wait", "exclamation", "--for=phase=Failed", "--timeout", "60s"}).code, 0);
  r = Cli({"rollout", "retry", "exclamation"});
  EXPECT_CLI(r, 0, "failed revisions will be tried again");
  EXPECT_EQ(Cli({"apply", "-f", v1}).code, 0);  // back to a good spec
  EXPECT_EQ(Cli({"rollout", "status", "exclamation", "--timeout", "120s"}).code, 0);

  // events, one topology and all.
  r = Cli({"events", "exclamation"});
  EXPECT_CLI(r, 0, "RolloutComplete");
  EXPECT_NE(r.out.find("topology/exclamation"), std::string::npos);
  r = Cli({"events"});
  EXPECT_CLI(r, 0, "LAST SEEN   TYPE");

  // suspend and resume.
  r = Cli({"suspend", "exclamation"});
  EXPECT_CLI(r, 0, "suspended");
  EXPECT_EQ(Cli({"wait", "exclamation", "--for=phase=Suspended", "--timeout", "30s"}).code, 0);
  r = Cli({"resume", "exclamation"});
  EXPECT_CLI(r, 0, "resumed");
  EXPECT_EQ(Cli({"wait", "exclamation", "--for=phase=Running", "--timeout", "60s"}).code, 0);

  // Failures and their exit codes.
  r = Cli({"wait", "exclamation", "--for=phase=Paused", "--timeout", "1s"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
  r = Cli({"describe", "topology", "nosuch"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no topology named 'nosuch'"), std::string::npos) << r.err;
  r = Cli({"suspend", "exclamation"}, /*with_token=*/false);
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("no token"), std::string::npos) << r.err;
  r = Cli({"frobnicate"});
  EXPECT_EQ(r.code, 2);
  r = Cli({"wait", "exclamation", "--for=state=Running"});
  EXPECT_EQ(r.code, 2) << r.err;

  // delete: withdrawn from the spool and pruned.
  r = Cli({"delete", "exclamation"});
  EXPECT_CLI(r, 0, "withdrawn from the spool");
  bool gone = false;
  for (int i = 0; i < 240 && !gone; ++i) {
    gone = Cli({"get", "topologies"}).out.find("No topologies found.") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_TRUE(gone);
  EXPECT_EQ(ActiveTaskCount(), 0u);
}

TEST_F(HeronctlE2E, RestartReplacesExactlyTheContainersAskedForAndWaitsForUpdates) {
  const std::string v1 = WriteSpec("v1.yaml", spec_);
  auto r = Cli({"apply", "-f", v1});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli({"wait", "exclamation", "--for=phase=Running", "--timeout", "90s"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto before = RunningTaskIds();
  ASSERT_EQ(before.size(), 3u);

  r = Cli({"restart", "exclamation", "--container", "1"});
  EXPECT_CLI(r, 0, "container 1 restarting");
  std::map<int32_t, std::string> after;
  for (int i = 0; i < 200; ++i) {
    after = RunningTaskIds();
    if (after.size() == 3 && after[1] != before.at(1)) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(after.size(), 3u);
  EXPECT_NE(after[1], before.at(1)) << "container 1 got a new task";
  EXPECT_EQ(after[0], before.at(0)) << "the topology manager's container kept its task";
  EXPECT_EQ(after[2], before.at(2)) << "container 2 kept its task";
  r = Cli({"events", "exclamation"});
  EXPECT_CLI(r, 0, "container 1 restarted by an operator");
  r = Cli({"restart", "exclamation", "--container", "7"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("container 7 of devcluster/www-data/devel/exclamation is not running"),
            std::string::npos)
      << r.err;

  // While an update runs, a restart is refused (Aurora refuses restartShards then too).
  r = Cli({"wait", "exclamation", "--for=phase=Running", "--timeout", "90s"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  crd::Topology slow = spec_;
  slow.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{41});
  slow.spec.update.min_wait_in_running_seconds = 20;
  r = Cli({"apply", "-f", WriteSpec("slow.yaml", slow)});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Cli({"wait", "exclamation", "--for=phase=Updating", "--timeout", "60s"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  r = Cli({"restart", "exclamation"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("update is in progress"), std::string::npos) << r.err;
}

TEST_F(HeronctlE2E, AnUnreachableControllerExitsThree) {
  controller_.reset();  // killed
  auto r = Cli({"get", "topologies"}, true);
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("cannot reach heron-controller"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace hgo::e2e
