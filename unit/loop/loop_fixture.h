// The controller's loop on fakes: a StaticSource, a fake cluster (FakeAurora, FakeHeronStore,
// Heron's processes emulated), an in-memory record store and a fake election, driven on the
// test's thread with a FakeClock: no server, no thread, no sleep.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/clock.h"
#include "controller/controller.h"
#include "controller/metrics.h"
#include "crd/topology.h"
#include "statestore/state_store.h"
#include "testing/fakes/fake_cluster.h"
#include "testing/fakes/fake_election.h"
#include "testing/fakes/static_source.h"
#include "testing/heron_cli.h"
#include "testing/temp_dir.h"

namespace hgo::controller {

class LoopTest : public ::testing::Test {
 protected:
  LoopTest() : connector_(clock_), dir_("loop") {}
  void SetUp() override;
  void TearDown() override;

  // Starts the controller (after the test changed options_ as it needs), on the fixture's
  // election or on leadership.
  void StartController(Leadership* leadership = nullptr);
  // minimal.yaml named `name`, two round-robin containers, a 1 s minimum wait in RUNNING and
  // a 60 s progress deadline, packaged for the test (the package is written under the temp dir).
  crd::Topology Spec(const std::string& name = "wc");
  // Puts spec's YAML in the source as <name>.yaml; with repackage, first builds a new package
  // for it (needed when spec.topology changed: the package's .defn must match it).
  void Commit(crd::Topology& spec, bool repackage = false);
  void Package(crd::Topology& spec);
  // Submits spec as heron-cli does (testing/heron_cli.h), before the controller, and lets it
  // run until its topology manager is registered.
  testing::HeronCliSubmission SubmitWithHeronCli(const crd::Topology& spec);
  // One step of the world: the clock moves by `by`, Aurora and Heron make their pending
  // transitions, the controller runs every pass that is ready. Returns the passes run.
  int Step(std::chrono::milliseconds by = std::chrono::seconds(6));
  // Steps (at least once, at most `steps` times) until the topology's phase is `phase`; the
  // phase reached.
  std::string StepUntil(const std::string& name, const std::string& phase, int steps = 20);
  std::string Phase(const std::string& name);
  std::string Message(const std::string& name);
  std::string Events(const std::string& name);  // the record's events, one a line
  std::shared_ptr<const statestore::TopologyRecord> Record(const std::string& name);
  crd::TopologyKey Key(const std::string& name) const;
  aurora::JobKey Job(const std::string& name) const;
  // Job hashes of the job's active tasks, by instance.
  std::map<int32_t, std::string> JobHashes(const std::string& name);
  std::map<int32_t, std::string> TaskIds(const std::string& name);
  testing::FakeCluster& cluster() { return connector_["devcluster"]; }
  testing::FakeAurora& aurora() { return cluster().aurora(); }

  FakeClock clock_;
  testing::FakeConnector connector_;
  testing::TempDir dir_;
  testing::StaticSource* source_ = nullptr;  // owned by the controller
  std::unique_ptr<statestore::StateStore> store_;
  testing::FakeElection election_;
  std::unique_ptr<statestore::LeaderElector> elector_;
  Metrics metrics_;
  ControllerOptions options_;
  std::unique_ptr<Controller> controller_;
  int packages_ = 0;
};

}  // namespace hgo::controller
