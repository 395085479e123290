// The e2e harness for the real heron-controller: a real ZooKeeper, aurora-local, the
// heron-executor stand-in's packages, a clusters file and a token, and helpers to write specs,
// read the controller's API and wait for a state.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aurora/thrift_client.h"
#include "common/json.h"
#include "crd/topology.h"
#include "testing/aurora_local_process.h"
#include "testing/controller_process.h"
#include "testing/zk_test_server.h"

// Under the sanitizers (scripts/test's sanitize tier) the chaos suite runs only its create and
// prune trials: the others check crash consistency, which the instrumented build changes nothing
// about, and they would double the tier's time (and its exposure to a loaded machine).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HGO_SKIP_UNDER_SANITIZERS() \
  GTEST_SKIP() << "crash-consistency trials: see the main e2e tier"
#else
#define HGO_SKIP_UNDER_SANITIZERS() \
  do {                              \
  } while (false)
#endif

namespace hgo::e2e {

// Reading the API's JSON: "" or -1 when absent.
std::string JsonStr(const Json& j, const char* key);
int64_t JsonInt(const Json& j, const char* key);
bool RunningAt(const Json& status, const std::string& spec_hash);
bool MarkedFailed(const Json& status, const std::string& spec_hash);
// The applied revision is spec_hash and `instances` RUNNING instances run its task (whatever
// the phase: a failed revision rolled back leaves the previous one applied and running).
bool RunsRevision(const Json& status, const std::string& spec_hash, size_t instances);
// The spec with containers that crash two seconds after they start, before minWait: its update
// must fail (neither Aurora's updater nor the health gate may call an instance good first).
crd::Topology Crashing(crd::Topology t);

// The live state as Heron's topology manager (the stand-in) holds it in pplans/<name>.
std::string LiveTopologyState(const std::string& zk_servers,
                              const std::string& name = "exclamation");

// Waits (up to 20 s: the session of a controller stopped before may hold the election for its
// timeout) until c says it leads.
void WaitUntilLeader(const testing::ControllerProcess& c);

// What a chaos test counts over its trials (e2e/controller/chaos_test.cc), and its summary line.
struct ChaosTally {
  int points = 0, trials = 0, converged = 0, duplicates = 0, orphans = 0, wrongful = 0;
  void Print(const std::string& suite) const;
  // Prints the summary line and checks it: at least min_points covered, every trial converged,
  // no duplicate job, orphan node or wrongful restart.
  void Check(const std::string& suite, int min_points) const;
};

struct CliResult {
  int code = -1;
  std::string out, err;
};
std::string Slurp(const std::string& path);
// Runs argv (argv[0] a binary, e.g. build/cmd/heronctl) with HOME pointing nowhere (no config
// file of the machine), its output captured in files under dir.
CliResult RunHeronctl(std::vector<std::string> argv, const std::string& dir);

class ControllerE2E : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts a controller with these sources (plus the usual test flags and extra); env as
  // ControllerProcess::Start's. nullptr when it did not start, a test failure unless may_die
  // (a controller armed to crash may do so before it is up).
  std::unique_ptr<testing::ControllerProcess> StartController(
      const std::vector<std::string>& sources, const std::vector<std::string>& extra = {},
      const std::vector<std::string>& env = {}, bool may_die = false);

  // Starts a controller on the specs directory, writes spec to file there and waits until the
  // topology runs it (nullptr, the test failed, when it does not).
  std::unique_ptr<testing::ControllerProcess> StartRunning(const crd::Topology& spec,
                                                           const std::string& file);
  std::string SpecYaml(const crd::Topology& t) const;  // valid YAML (canonical JSON)
  void WriteFile(const std::string& path, const std::string& content) const;  // atomic rename
  std::string KeyPath() const { return "/api/v1/topologies/devcluster/www-data/devel/exclamation"; }

  // The status of the topology at path ("": KeyPath()) from the controller's API (null when
  // unavailable).
  Json Status(const testing::ControllerProcess& c, const std::string& path = "") const;
  // Polls until pred(status) holds; fails the test with the last status after timeout_s.
  Json WaitFor(const testing::ControllerProcess& c, const std::string& what,
               const std::function<bool(const Json&)>& pred, int timeout_s = 90,
               const std::string& path = "") const;
  Json WaitForPhase(const testing::ControllerProcess& c, const std::string& phase,
                    int timeout_s = 90) const;
  testing::HttpResult Post(const testing::ControllerProcess& c, const std::string& path,
                           const std::string& body = "") const;

  // After the spec file is gone: waits until the job has no task left and the API forgets the
  // topology (a prune), failing the test if either does not happen within a minute.
  void ExpectPruned(const testing::ControllerProcess& c) const;

  // Of the topology's job (the fixture's spec_ by default): instance -> task id of its RUNNING
  // tasks; how many tasks are not terminal.
  std::map<int32_t, std::string> RunningTaskIds(const std::string& name = "exclamation") const;
  // Of the job at aurora (the fixture's scheduler when null).
  size_t ActiveTaskCount(const std::string& name = "exclamation",
                         aurora::AuroraApi* aurora = nullptr) const;
  // Aurora updates of the job started for the revision spec_hash (by their metadata).
  int UpdatesFor(const std::string& spec_hash, aurora::AuroraApi* aurora = nullptr) const;

  std::unique_ptr<testing::ZkTestServer> zk_;
  std::unique_ptr<testing::AuroraLocalProcess> aurora_;
  std::unique_ptr<aurora::ThriftAuroraClient> api_;
  std::string dir_, specs_dir_, clusters_file_, token_file_, token_ = "e2e-secret-token";
  crd::Topology spec_;
};

}  // namespace hgo::e2e
