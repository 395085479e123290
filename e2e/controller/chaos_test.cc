// The chaos suite's first slice: the controller killed (a failpoint's abort, a kill -9 at that
// instant) at every step boundary of a create and of a prune, restarted, and the invariants
// checked: the
// topology converges to its spec; one Aurora job with exactly its instances, all RUNNING;
// Heron's nodes there while it lives and none left once it is pruned; no crash but the injected
// one. The remaining sequences (update, scale, rollback, pause, adoption) and the injected
// server faults are issue 21's open part.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "controller/failpoints.h"
#include "crd/canonical.h"
#include "e2e/controller/controller_fixture.h"
#include "statestore/zk_client.h"

namespace hgo::e2e {
namespace {

using namespace std::chrono_literals;

constexpr const char* kHeronDirs[] = {"topologies", "packingplans", "executionstate", "schedulers"};

class ChaosE2E : public ControllerE2E {
 protected:
  // Heron's nodes of the topology that exist now.
  int HeronNodes() const {
    statestore::ZkOptions o;
    o.servers = zk_->connect_string();
    auto zk = statestore::ZkClient::Connect(o);
    if (!zk.ok()) return -1;
    int n = 0;
    for (const char* d : kHeronDirs) {
      n += (*zk)->Get(std::string("/heron/") + d + "/exclamation").ok() ? 1 : 0;
    }
    return n;
  }
  std::unique_ptr<testing::ControllerProcess> Start(const std::string& failpoints) {
    std::vector<std::string> env;
    if (!failpoints.empty()) env.push_back("HGO_FAILPOINTS=" + failpoints);
    // A short session: each crash is followed by a new controller that waits it out.
    return StartController({"dir:" + specs_dir_ + "?allowEmpty"},
                           {"--prune", "--tombstone", "1s", "--session-timeout", "6"}, env);
  }
};

struct Tally {
  int points = 0, trials = 0, converged = 0, duplicates = 0, orphans = 0;
};

// Waits (up to 30 s) until the controller dies or done() holds; true when it died.
bool CrashedBefore(testing::ControllerProcess& c, const std::function<bool()>& done) {
  for (int i = 0; i < 300; ++i) {
    if (!c.running()) return true;
    if (done()) return false;
    std::this_thread::sleep_for(100ms);
  }
  return !c.running();
}

// Each trial arms one point, creates the topology and then deletes it (prune); wherever the
// point fires, the controller dies there and a new one (the dead one's session still leads for
// its timeout) finishes the job. `before_action` counts every action the process carries out,
// the create's and then the prune's, so K+1*abort dies before the K-th of the two sequences.
TEST_F(ChaosE2E, ACrashAtEveryStepOfACreateAndAPruneConverges) {
  const std::string file = specs_dir_ + "/exclamation.yaml";
  const std::string hash = crd::SpecHash(spec_);
  std::vector<std::string> trials = {
      std::string(controller::kBeforeActFailpoint) + "=1*abort",
      std::string(controller::kBeforeRecordFailpoint) + "=1*abort",
  };
  for (int k = 0; k < 12; ++k) {  // until a trial in which the point is never reached
    trials.push_back(std::string(controller::kBeforeActionFailpoint) + "=" + std::to_string(k) +
                     "+1*abort");
  }
  Tally t;
  for (const std::string& failpoint : trials) {
    SCOPED_TRACE(failpoint);
    std::unique_ptr<testing::ControllerProcess> c = Start(failpoint);
    ASSERT_TRUE(c);
    WaitUntilLeader(*c);
    bool crashed = false;
    auto survive = [&](const std::function<bool()>& done, const char* what) {
      if (!CrashedBefore(*c, done)) return;
      crashed = true;
      c = Start("");
      ASSERT_TRUE(c);
      for (int i = 0; i < 600 && !done(); ++i) std::this_thread::sleep_for(100ms);
      EXPECT_TRUE(done()) << what << " after the crash";
      t.converged += done() ? 1 : 0;
    };
    // Create.
    WriteFile(file, SpecYaml(spec_));
    survive([&] { return RunningAt(Status(*c), hash); }, "created");
    t.duplicates += ActiveTaskCount() > 3 ? 1 : 0;
    EXPECT_EQ(ActiveTaskCount(), 3u) << "one job, its three instances";
    EXPECT_EQ(RunningTaskIds().size(), 3u);
    EXPECT_EQ(HeronNodes(), 4) << "Heron's nodes of a live topology";
    // Prune.
    ASSERT_EQ(std::remove(file.c_str()), 0);
    survive(
        [&] {
          return ActiveTaskCount() == 0 &&
                 testing::HttpCall("GET", c->url() + KeyPath()).status == 404;
        },
        "pruned");
    const int left = HeronNodes();
    t.orphans += left;
    EXPECT_EQ(left, 0) << "no Heron node left for a deleted topology";
    EXPECT_TRUE(c->running()) << "no crash but the injected one:\n" << c->LogTail();
    ASSERT_TRUE(c->Stop().ok());
    if (!crashed) break;  // the point lies past both sequences: every step was covered
    ++t.trials;
    ++t.points;
  }
  std::printf(
      "chaos (create, prune): points covered %d, trials %d, converged %d, duplicate jobs %d, "
      "orphan nodes %d\n",
      t.points, t.trials, t.converged, t.duplicates, t.orphans);
  EXPECT_GE(t.points, 6) << "before_act, before_record and every action of a create and a prune";
  EXPECT_EQ(t.converged, t.trials);
  EXPECT_EQ(t.duplicates, 0);
  EXPECT_EQ(t.orphans, 0);
}

}  // namespace
}  // namespace hgo::e2e
