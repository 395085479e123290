// The chaos suite: the controller killed (a failpoint's abort: a kill -9 at that instant) at
// every step boundary of a topology's life, and the servers around it failed in the middle of a
// rollout; after each trial the invariants are checked:
// - the topology converges to its spec;
// - one Aurora job with exactly the revision's instances, all RUNNING on the desired revision;
// - Heron's nodes consistent for a live topology (topologies, packing plan and execution state
//   name one topology id; the plan holds the job's containers) and none left once it is pruned;
// - no task restarted that the change does not restart: a bystander topology with its own
//   package is never touched, and a scale or a pause keeps the running containers;
// - no crash but the injected one.
// Each test prints a summary line (points covered, trials, converged, duplicate jobs, orphan
// nodes, wrongful restarts). The failpoints are controller/failpoints.h's; a point is armed as
// `K+1*abort` (common/failpoint.h), which dies at its (K+1)-th hit, and K is raised until a
// trial in which the point is never reached: then every boundary of the sequence was covered.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "controller/failpoints.h"
#include "crd/canonical.h"
#include "e2e/controller/controller_fixture.h"
#include "heron/proto/execution_state.pb.h"
#include "heron/proto/packing_plan.pb.h"
#include "heron/proto/topology.pb.h"
#include "statestore/zk_client.h"
#include "testing/heron_packages.h"

namespace hgo::e2e {
namespace {

using namespace std::chrono_literals;

constexpr const char* kHeronDirs[] = {"topologies", "packingplans", "executionstate", "schedulers"};

// One change of the topology's spec and when it is done.
struct Step {
  std::string what;
  crd::Topology spec;
  size_t instances = 3;  // Aurora instances once done
  // Whether the change restarts the running containers (an update, a rollback); when not (a
  // scale, a pause, a resume), every instance there before and after keeps its task.
  bool restarts = false;
  std::function<bool(const Json&)> done;  // on the topology's status
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

class ChaosE2E : public ControllerE2E {
 protected:
  void SetUp() override {
    ControllerE2E::SetUp();
    if (HasFatalFailure()) return;
    bystander_ = spec_;
    bystander_.metadata.name = "bystander";
    const std::string dir = dir_ + "/bystander";
    std::filesystem::create_directories(dir);
    ASSERT_TRUE(testing::PackageForTest(dir, bystander_).ok());
  }

  std::string File() const { return specs_dir_ + "/exclamation.yaml"; }

  // An armed controller may die before it is up (its first passes finish what the last trial
  // left, a stable mark, say): then nullptr, and no test failure.
  std::unique_ptr<testing::ControllerProcess> Start(const std::string& failpoints) {
    std::vector<std::string> env;
    if (!failpoints.empty()) env.push_back("HGO_FAILPOINTS=" + failpoints);
    // A short session: each crash is followed by a new controller that waits it out. Passes
    // come back every 1.5 s while something moves (not 0.5 s): an update pulses on each, and
    // each pulse is one more boundary to crash at, all alike.
    return StartController(
        {"dir:" + specs_dir_ + "?allowEmpty"},
        {"--prune", "--tombstone", "1s", "--session-timeout", "4", "--requeue-ms", requeue_ms_},
        env, /*may_die=*/!failpoints.empty());
  }

  // The bystander and (when given) the topology running at `initial`, deployed by a controller
  // that then stops; the bystander's tasks are remembered.
  void Prepare(const crd::Topology* initial) {
    auto c = Start("");
    ASSERT_TRUE(c);
    WriteFile(specs_dir_ + "/bystander.yaml", SpecYaml(bystander_));
    if (initial) WriteFile(File(), SpecYaml(*initial));
    WaitFor(
        *c, "the bystander running",
        [&](const Json& j) { return RunningAt(j, crd::SpecHash(bystander_)); }, 90,
        "/api/v1/topologies/devcluster/www-data/devel/bystander");
    if (initial) {
      WaitFor(*c, "running", [&](const Json& j) { return RunningAt(j, crd::SpecHash(*initial)); });
    }
    bystander_tasks_ = RunningTaskIds("bystander");
    ASSERT_EQ(bystander_tasks_.size(), 3u);
    ASSERT_TRUE(c->Stop().ok());
  }

  // Tasks of the bystander that are not the ones it ran before the trials.
  int BystanderRestarts() const {
    const auto now = RunningTaskIds("bystander");
    int changed = 0;
    for (const auto& [id, task] : bystander_tasks_) {
      auto it = now.find(id);
      changed += it == now.end() || it->second != task ? 1 : 0;
    }
    return changed;
  }

  // Heron's nodes of the topology that exist now (-1: ZooKeeper unreachable).
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

  // What is wrong with Heron's nodes of a live topology of `containers` containers ("" if
  // nothing): every node there, one topology id in all, the plan's container count.
  std::string HeronInconsistency(size_t containers) const {
    statestore::ZkOptions o;
    o.servers = zk_->connect_string();
    auto zk = statestore::ZkClient::Connect(o);
    if (!zk.ok()) return "ZooKeeper: " + zk.status().ToString();
    auto read = [&](const char* dir) -> std::string {
      auto node = (*zk)->Get(std::string("/heron/") + dir + "/exclamation");
      return node.ok() ? node->data : "";
    };
    heron::proto::api::Topology topology;
    heron::proto::system::PackingPlan plan;
    heron::proto::system::ExecutionState state;
    if (!topology.ParseFromString(read("topologies"))) return "no readable topologies node";
    if (!plan.ParseFromString(read("packingplans"))) return "no readable packing plan";
    if (!state.ParseFromString(read("executionstate"))) return "no readable execution state";
    if (read("schedulers").empty()) return "no scheduler location";
    if (plan.id() != topology.id() || state.topology_id() != topology.id()) {
      return "topology ids differ: topologies " + topology.id() + ", packingplans " + plan.id() +
             ", executionstate " + state.topology_id();
    }
    if (static_cast<size_t>(plan.container_plans_size()) != containers) {
      return "the packing plan has " + std::to_string(plan.container_plans_size()) +
             " containers, the job " + std::to_string(containers);
    }
    return "";
  }

  // One trial: a controller armed with `failpoint` goes through the steps; when it dies, a new
  // one (unarmed) takes over and must finish the step. True when the armed one died.
  bool Trial(const std::string& failpoint, const std::vector<Step>& steps, ChaosTally& t) {
    SCOPED_TRACE(failpoint);
    std::unique_ptr<testing::ControllerProcess> c = Start(failpoint);
    bool crashed = !c || (WaitUntilLeader(*c), !c->running());
    if (crashed) {  // at start, on the last trial's tail: the steps go on without the point
      c = Start("");
      EXPECT_TRUE(c);
      if (!c) return true;
    }
    bool converged = true;
    for (const Step& step : steps) {
      const auto before = RunningTaskIds();
      WriteFile(File(), SpecYaml(step.spec));
      // The controller's status may come from a role read up to 2 s old: Aurora itself must
      // show the instances RUNNING too (an instance Aurora's rollback restarts is not, yet).
      auto done = [&] {
        return step.done(Status(*c)) && RunningTaskIds().size() == step.instances;
      };
      if (CrashedBefore(*c, done)) {
        crashed = true;
        c = Start("");
        EXPECT_TRUE(c);
        if (!c) return true;
        for (int i = 0; i < 600 && !done(); ++i) std::this_thread::sleep_for(100ms);
      }
      // Converged means it stays so: a controller that took over may still be repairing what
      // the crashed one left when the status and Aurora first agree. After a rollback, Heron's
      // topologies node still holds the failed revision until the new leader rewrites it, and
      // the stand-in's containers read their crash config there: the stable revision's
      // containers crash and restart until then. Where the step allows restarts, done must
      // hold 2 s on end (waiting at most 60 s).
      if (crashed && step.restarts) {
        const auto until = std::chrono::steady_clock::now() + 60s;
        auto held_since = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() < until) {
          if (!done()) {
            held_since = std::chrono::steady_clock::now();
          } else if (std::chrono::steady_clock::now() - held_since >= 2s) {
            break;
          }
          std::this_thread::sleep_for(100ms);
        }
      }
      EXPECT_TRUE(done()) << step.what << "\n" << Serialize(Status(*c));
      converged = converged && done();
      const auto after = RunningTaskIds();
      EXPECT_EQ(after.size(), step.instances) << step.what;
      t.duplicates += ActiveTaskCount() > step.instances ? 1 : 0;
      if (!step.restarts) {
        for (const auto& [id, task] : before) {
          auto it = after.find(id);
          if (it != after.end() && it->second != task) {
            ++t.wrongful;
            ADD_FAILURE() << step.what << " restarted instance " << id;
          }
        }
      }
      const std::string heron = HeronInconsistency(step.instances - 1);
      EXPECT_EQ(heron, "") << step.what;
      t.orphans += heron.empty() ? 0 : 1;
    }
    const int bystander = BystanderRestarts();
    EXPECT_EQ(bystander, 0) << "the bystander's tasks were restarted";
    t.wrongful += bystander;
    EXPECT_TRUE(c->running()) << "no crash but the injected one:\n" << c->LogTail();
    EXPECT_TRUE(c->Stop().ok());
    if (crashed) {
      ++t.trials;
      ++t.points;
      t.converged += converged ? 1 : 0;
    }
    return crashed;
  }

  // Every boundary of the point over the steps: K = 0, 1, ... until a trial never reaches it.
  // steps_for(k) gives trial k's steps (a sequence may need a new revision each time).
  void EveryBoundary(std::string_view point, const std::function<std::vector<Step>(int)>& steps_for,
                     ChaosTally& t, int at_most = 16) {
    for (int k = 0; k < at_most; ++k) {
      if (!Trial(std::string(point) + "=" + std::to_string(k) + "+1*abort", steps_for(k), t)) {
        return;
      }
      if (HasFailure()) return;  // one failing trial says enough; the rest would repeat it
    }
    ADD_FAILURE() << point << " was still reached after " << at_most << " trials";
  }

  // Crashes at every boundary of each point over the steps, prints the suite's summary and
  // checks it: at least min_points covered, every trial converged, nothing duplicated, orphaned
  // or wrongly restarted.
  void ExpectEveryBoundaryConverges(const std::string& suite,
                                    const std::vector<std::string_view>& points,
                                    const std::function<std::vector<Step>(int)>& steps_for,
                                    int min_points, int at_most = 16) {
    ChaosTally t;
    for (std::string_view point : points) EveryBoundary(point, steps_for, t, at_most);
    t.Check(suite, min_points);
  }

  static std::function<bool(const Json&)> RunningRevision(const crd::Topology& spec,
                                                          size_t instances) {
    const std::string hash = crd::SpecHash(spec);
    return [hash, instances](const Json& j) {
      return RunningAt(j, hash) && RunsRevision(j, hash, instances);
    };
  }

  crd::Topology bystander_;
  std::map<int32_t, std::string> bystander_tasks_;
  std::string requeue_ms_ = "1500";
};

// Each trial arms one point, creates the topology and then deletes it (prune); wherever the
// point fires, the controller dies there and a new one (the dead one's session still leads for
// its timeout) finishes the job. `before_action` counts every action the process carries out,
// the create's and then the prune's, so K+1*abort dies before the K-th of the two sequences.
TEST_F(ChaosE2E, ACrashAtEveryStepOfACreateAndAPruneConverges) {
  // The suite crashes at these; a point the binary has and the suite does not is a gap.
  const std::set<std::string> covered = {std::string(controller::kBeforeActFailpoint),
                                         std::string(controller::kBeforeActionFailpoint),
                                         std::string(controller::kBeforeRecordFailpoint)};
  const std::string listed =
      RunHeronctl({std::string(HGO_BINARY_DIR) + "/cmd/heron-controller", "--list-failpoints"},
                  dir_)
          .out;
  std::istringstream lines(listed);
  int points = 0;
  for (std::string point; std::getline(lines, point);) {
    if (point.empty()) continue;
    ++points;
    EXPECT_TRUE(covered.count(point)) << point << " is not in the chaos suite";
  }
  EXPECT_EQ(points, static_cast<int>(covered.size())) << listed;
  Prepare(nullptr);
  const std::string file = File();
  const std::string hash = crd::SpecHash(spec_);
  std::vector<std::string> trials = {
      std::string(controller::kBeforeActFailpoint) + "=1*abort",
      std::string(controller::kBeforeRecordFailpoint) + "=1*abort",
  };
  for (int k = 0; k < 12; ++k) {  // until a trial in which the point is never reached
    trials.push_back(std::string(controller::kBeforeActionFailpoint) + "=" + std::to_string(k) +
                     "+1*abort");
  }
  ChaosTally t;
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
    EXPECT_EQ(HeronInconsistency(2), "") << "Heron's nodes of a live topology";
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
    const int bystander = BystanderRestarts();
    t.wrongful += bystander;
    EXPECT_EQ(bystander, 0) << "the bystander's tasks were restarted";
    EXPECT_TRUE(c->running()) << "no crash but the injected one:\n" << c->LogTail();
    ASSERT_TRUE(c->Stop().ok());
    if (!crashed) break;  // the point lies past both sequences: every step was covered
    ++t.trials;
    ++t.points;
  }
  // At least before_act, before_record and every action of a create and a prune.
  t.Check("create, prune", 6);
}

// A rolling update (a config change: every container restarts in turn) with a crash before
// each of its actions and before each record write. Trials alternate between two revisions, so
// each one is the same update in the other direction.
TEST_F(ChaosE2E, ACrashAtEveryStepOfAnUpdateConverges) {
  HGO_SKIP_UNDER_SANITIZERS();
  crd::Topology a = spec_, b = spec_;
  a.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{40});
  b.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  Prepare(&a);
  int trial = 0;
  auto steps = [&](int) {
    const crd::Topology& to = trial++ % 2 == 0 ? b : a;
    return std::vector<Step>{{"updated", to, 3, true, RunningRevision(to, 3)}};
  };
  ExpectEveryBoundaryConverges(
      "update", {controller::kBeforeActionFailpoint, controller::kBeforeRecordFailpoint}, steps, 4);
}

// A scale up (one more container) and back down, with a crash before each action and before
// each record write of the two; the containers that stay keep their tasks throughout.
TEST_F(ChaosE2E, ACrashAtEveryStepOfAScaleUpAndDownConverges) {
  HGO_SKIP_UNDER_SANITIZERS();
  crd::Topology wide = spec_;
  wide.spec.topology.bolts[0].parallelism = 2;
  wide.spec.packing.containers = 3;
  Prepare(&spec_);
  auto steps = [&](int) {
    return std::vector<Step>{{"scaled up", wide, 4, false, RunningRevision(wide, 4)},
                             {"scaled down", spec_, 3, false, RunningRevision(spec_, 3)}};
  };
  ExpectEveryBoundaryConverges(
      "scale", {controller::kBeforeActionFailpoint, controller::kBeforeRecordFailpoint}, steps, 4);
}

// Pause and resume through the topology manager: no container restarts, whichever step the
// controller dies at.
TEST_F(ChaosE2E, ACrashAtEveryStepOfAPauseAndAResumeConverges) {
  HGO_SKIP_UNDER_SANITIZERS();
  crd::Topology paused = spec_;
  paused.spec.state = crd::DesiredState::kPaused;
  Prepare(&spec_);
  auto is_paused = [&](const Json& j) {
    return JsonStr(j, "phase") == "Paused" &&
           JsonStr(j, "appliedSpecHash") == crd::SpecHash(paused) &&
           LiveTopologyState(zk_->connect_string()) == "PAUSED";
  };
  auto steps = [&](int) {
    return std::vector<Step>{{"paused", paused, 3, false, is_paused},
                             {"resumed", spec_, 3, false, RunningRevision(spec_, 3)}};
  };
  ExpectEveryBoundaryConverges(
      "pause, resume", {controller::kBeforeActionFailpoint, controller::kBeforeRecordFailpoint},
      steps, 4);
}

// A revision whose containers crash: Aurora rolls the update back, the controller marks the
// revision failed and the previous one runs again, whichever step the controller dies at. The
// failing update is pulsed on every pass, so passes come back every 3 s here (fewer pulses,
// each another boundary of the same kind); one test per point keeps each within its timeout.
class RollbackChaosE2E : public ChaosE2E {
 protected:
  void Run(std::string_view point) {
    requeue_ms_ = "3000";
    Prepare(&spec_);
    // A new crashing revision each trial (a failed one is not tried again).
    auto steps = [&](int k) {
      crd::Topology bad = Crashing(spec_);
      // Crashing sooner than Crashing's (2 s, 10 s in RUNNING to count): the failed update and
      // Aurora's rollback take seconds, not tens, and pulse less.
      bad.spec.topology.config["sim.crash.after.seconds"] = Json(std::string("1"));
      bad.spec.update.min_wait_in_running_seconds = 4;
      bad.spec.topology.config["chaos.trial"] = Json(std::string(std::to_string(k)));
      const std::string bad_hash = crd::SpecHash(bad), good = crd::SpecHash(spec_);
      return std::vector<Step>{{"rolled back", bad, 3, true, [bad_hash, good](const Json& j) {
                                  return MarkedFailed(j, bad_hash) && RunsRevision(j, good, 3);
                                }}};
    };
    ExpectEveryBoundaryConverges("rollback, " + std::string(point), {point}, steps, 2, 24);
  }
};

TEST_F(RollbackChaosE2E, ACrashBeforeEveryActionOfARollbackConverges) {
  HGO_SKIP_UNDER_SANITIZERS();
  Run(controller::kBeforeActionFailpoint);
}

TEST_F(RollbackChaosE2E, ACrashBeforeEveryRecordWriteOfARollbackConverges) {
  HGO_SKIP_UNDER_SANITIZERS();
  Run(controller::kBeforeRecordFailpoint);
}

// The servers fail in the middle of a rolling update, one fault per update: ZooKeeper
// restarts, aurora-local restarts, the controller stops past its session timeout (its session
// expires; it is elected again), and a leader stops past its session while a second controller
// takes over and finishes the update, then resumes. Each update converges with the invariants
// above, and a resumed leader changes nothing.
TEST_F(ChaosE2E, ServerFaultsInTheMiddleOfAnUpdateAreSurvived) {
  if (aurora_->attached() || std::getenv("E2E_ZK")) {
    GTEST_SKIP() << "restarts the servers, which it cannot do to a real cluster";
  }
  HGO_SKIP_UNDER_SANITIZERS();
  crd::Topology a = spec_, b = spec_;
  for (crd::Topology* t : {&a, &b}) {
    // Slow containers, so the fault lands with the update under way; a scheduler restart may
    // lose the instance being updated (aurora-local, like Aurora, marks what it cannot find
    // LOST), which is not the revision's fault: the update may retry it.
    t->spec.topology.config["sim.start.delay.seconds"] = Json(std::string("2"));
    t->spec.update.max_per_instance_failures = 3;
  }
  b.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  Prepare(&a);
  std::unique_ptr<testing::ControllerProcess> c = Start("");
  ASSERT_TRUE(c);
  WaitUntilLeader(*c);
  std::unique_ptr<testing::ControllerProcess> standby;
  const std::chrono::seconds past_session(6);  // the session is 4 s
  struct Fault {
    const char* name;
    std::function<void()> inject;
  };
  const std::vector<Fault> faults = {
      {"ZooKeeper restarted",
       [&] {
         ASSERT_TRUE(zk_->Stop().ok());
         std::this_thread::sleep_for(2s);
         ASSERT_TRUE(zk_->Restart().ok());
       }},
      {"aurora-local restarted", [&] { ASSERT_TRUE(aurora_->Restart().ok()); }},
      {"the controller stopped past its session",
       [&] {
         ASSERT_EQ(::kill(c->pid(), SIGSTOP), 0);
         std::this_thread::sleep_for(past_session);
         ASSERT_TRUE(c->Continue().ok());
       }},
      {"the leader stopped past its session while another took over",
       [&] {
         ASSERT_EQ(::kill(c->pid(), SIGSTOP), 0);
         WaitUntilLeader(*standby);
         ASSERT_NE(testing::HttpCall("GET", standby->url() + "/api/v1/leader")
                       .body.find("\"isLeader\": true"),
                   std::string::npos)
             << "the standby took over";
         ASSERT_TRUE(c->Continue().ok());
       }},
  };
  ChaosTally t;
  int n = 0;
  for (const Fault& fault : faults) {
    SCOPED_TRACE(fault.name);
    if (&fault == &faults.back()) {
      standby = Start("");
      ASSERT_TRUE(standby);
    }
    const crd::Topology& to = n++ % 2 == 0 ? b : a;
    WriteFile(File(), SpecYaml(to));
    WaitFor(
        *c, "updating", [](const Json& j) { return JsonStr(j, "phase") == "Updating"; }, 30);
    fault.inject();
    if (HasFatalFailure()) return;
    testing::ControllerProcess& acting = standby ? *standby : *c;
    WaitFor(acting, fault.name, RunningRevision(to, 3), 120);
    const bool done = RunningRevision(to, 3)(Status(acting));
    ++t.points;
    ++t.trials;
    t.converged += done ? 1 : 0;
    t.duplicates += ActiveTaskCount() > 3 ? 1 : 0;
    EXPECT_EQ(ActiveTaskCount(), 3u);
    const std::string heron = HeronInconsistency(2);
    EXPECT_EQ(heron, "");
    t.orphans += heron.empty() ? 0 : 1;
    const int bystander = BystanderRestarts();
    EXPECT_EQ(bystander, 0) << "the bystander's tasks were restarted";
    t.wrongful += bystander;
    EXPECT_TRUE(c->running()) << c->LogTail();
  }
  // The resumed leader stands by and has changed nothing since.
  const auto tasks = RunningTaskIds();
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(RunningTaskIds(), tasks);
  EXPECT_NE(testing::HttpCall("GET", c->url() + "/api/v1/leader").body.find("\"isLeader\": false"),
            std::string::npos);
  t.Check("server faults", 4);
  EXPECT_EQ(t.points, 4);
}

}  // namespace
}  // namespace hgo::e2e
