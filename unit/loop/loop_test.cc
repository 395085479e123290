// The loop, pass by pass, on fakes (unit/loop/loop_fixture.h): what a pass writes to Aurora and
// Heron's state, and what it records, for each kind of change. The e2e tier runs the same
// scenarios with the real binaries; these run in milliseconds and cannot be flaky on timing.
#include <gtest/gtest.h>

#include "aurora/job_builder.h"
#include "controller/api/api.h"
#include "crd/canonical.h"
#include "heron/messages.h"
#include "heron/proto/physical_plan.pb.h"
#include "testing/heron_cli.h"
#include "unit/loop/loop_fixture.h"

namespace hgo::controller {
namespace {

using namespace std::chrono_literals;

TEST_F(LoopTest, ACommittedSpecIsCreatedRunsAndBecomesStable) {
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  EXPECT_GT(controller_->RunReady(), 0);
  EXPECT_EQ(aurora().Calls("createJob"), 1);
  EXPECT_EQ(Phase("wc"), "Deploying");
  // Heron's state was written before the job: the executors read it at start.
  const auto nodes = cluster().heron()->Nodes();
  EXPECT_TRUE(nodes.count("/heron/topologies/wc"));
  EXPECT_TRUE(nodes.count("/heron/packingplans/wc"));
  EXPECT_TRUE(nodes.count("/heron/executionstate/wc"));
  EXPECT_EQ(TaskIds("wc").size(), 3u);  // the topology manager and two containers

  EXPECT_EQ(StepUntil("wc", "Running"), "Running");
  auto record = Record("wc");
  ASSERT_TRUE(record && record->applied);
  ASSERT_TRUE(record->last_stable);
  EXPECT_EQ(record->last_stable->spec_hash, record->applied->spec_hash);
  EXPECT_EQ(aurora().Calls("createJob"), 1);
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 0);
}

TEST_F(LoopTest, AResyncOfAStableTopologyWritesNothing) {
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  for (int i = 0; i < 3; ++i) Step();
  const auto nodes = cluster().heron()->Nodes();
  const auto tasks = TaskIds("wc");
  const auto record = Record("wc");
  controller_->Resync();
  EXPECT_GT(Step(), 0);
  EXPECT_EQ(cluster().heron()->Nodes(), nodes);
  EXPECT_EQ(TaskIds("wc"), tasks);
  EXPECT_EQ(*Record("wc"), *record);
  EXPECT_EQ(
      aurora().Calls("createJob") + aurora().Calls("startJobUpdate") + aurora().Calls("killJob"),
      1);
}

TEST_F(LoopTest, AResourceChangeRollsEveryInstanceOnceThroughACoordinatedUpdate) {
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  const auto before = JobHashes("wc");
  spec.spec.resources.cpu_millis = 2000;
  Commit(spec);
  controller_->RunReady();
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 1);
  EXPECT_EQ(Phase("wc"), "Updating");
  ASSERT_EQ(StepUntil("wc", "Running"), "Running") << Message("wc") << Events("wc");
  EXPECT_GE(aurora().Calls("pulseJobUpdate"), 1);  // the update waits for the controller's pulse
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 1);
  const auto after = JobHashes("wc");
  ASSERT_EQ(after.size(), before.size());
  for (const auto& [id, hash] : after) EXPECT_NE(hash, before.at(id)) << "instance " << id;
  auto record = Record("wc");
  ASSERT_TRUE(record && record->last_stable);
  EXPECT_EQ(record->history.size(), 2u);
  EXPECT_EQ(record->last_stable->number, 2);
}

}  // namespace
}  // namespace hgo::controller

namespace hgo::controller {
namespace {

using namespace std::chrono_literals;

TEST_F(LoopTest, MoreContainersAddAnAuroraInstanceAndAStreamManager) {
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  ASSERT_EQ(TaskIds("wc").size(), 3u);
  spec.spec.topology.bolts[0].parallelism = 2;
  spec.spec.packing.containers = 3;
  Commit(spec, /*repackage=*/true);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running") << Message("wc") << Events("wc");
  EXPECT_EQ(TaskIds("wc").size(), 4u);
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 1);
  auto heron = controller_->Get(Key("wc"));
  ASSERT_TRUE(heron.ok() && heron->heron);
  EXPECT_EQ(heron->heron->absent_stream_managers, 0);
}

TEST_F(LoopTest, PausingAndResumingGoThroughTheTopologyManagerWithoutARestart) {
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  const auto tasks = TaskIds("wc");
  spec.spec.state = crd::DesiredState::kPaused;
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Paused"), "Paused") << Message("wc") << Events("wc");
  auto pplan = cluster().heron()->Nodes().at("/heron/pplans/wc");
  auto plan = heronmsg::ParseHeronMessage<heron::proto::system::PhysicalPlan>(pplan, "pplans");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->topology().state(), heron::proto::api::PAUSED);
  spec.spec.state = crd::DesiredState::kRunning;
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running") << Message("wc") << Events("wc");
  plan = heronmsg::ParseHeronMessage<heron::proto::system::PhysicalPlan>(
      cluster().heron()->Nodes().at("/heron/pplans/wc"), "pplans");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->topology().state(), heron::proto::api::RUNNING);
  EXPECT_EQ(TaskIds("wc"), tasks);
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 0);
}

TEST_F(LoopTest, AnUpdateAuroraRollsBackFailsTheRevisionWhichIsNotTriedAgain) {
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  const auto stable = JobHashes("wc");
  aurora().CrashTasksIf([](const aurora::TaskConfig& c) { return c.cpus > 2.5; });
  spec.spec.resources.cpu_millis = 3000;
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Failed"), "Failed") << Message("wc") << Events("wc");
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 1);
  auto record = Record("wc");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->failed_spec_hashes.size(), 1u);
  for (int i = 0; i < 10; ++i) Step();
  EXPECT_EQ(JobHashes("wc"), stable);  // Aurora put the stable revision back
  controller_->Resync();
  for (int i = 0; i < 5; ++i) Step();
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 1);  // the failed revision is not tried again
  // A new spec is.
  spec.spec.resources.cpu_millis = 1500;
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running") << Message("wc") << Events("wc");
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 2);
  EXPECT_NE(JobHashes("wc"), stable);
}

TEST_F(LoopTest, AFailureRetryingCannotMendHaltsTheKeyUntilRetry) {
  StartController();
  aurora().Refuse("createJob", Status::InvalidArgument("tier gold is not allowed"));
  crd::Topology spec = Spec();
  Commit(spec);
  for (int i = 0; i < 10; ++i) Step(30s);
  EXPECT_EQ(aurora().Calls("createJob"), 2);  // twice, to tell it from a stale observation
  EXPECT_NE(Message("wc").find("halted"), std::string::npos) << Message("wc");
  ASSERT_TRUE(controller_->Retry(Key("wc")).ok());
  for (int i = 0; i < 10; ++i) Step(30s);
  EXPECT_EQ(aurora().Calls("createJob"), 4);
  aurora().Refuse("createJob", Status::Ok());
  ASSERT_TRUE(controller_->Retry(Key("wc")).ok());
  EXPECT_EQ(StepUntil("wc", "Running"), "Running") << Message("wc") << Events("wc");
  EXPECT_EQ(aurora().Calls("createJob"), 5);
}

TEST_F(LoopTest, UndoToARevisionRunsItUntilTheSpecChanges) {
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  const auto first = JobHashes("wc");
  spec.spec.resources.cpu_millis = 2000;
  Commit(spec);
  controller_->RunReady();
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  const auto second = JobHashes("wc");
  ASSERT_NE(second, first);
  ASSERT_TRUE(controller_->Rollback(Key("wc"), 1).ok());
  controller_->RunReady();
  ASSERT_EQ(StepUntil("wc", "Running"), "Running") << Message("wc") << Events("wc");
  EXPECT_EQ(JobHashes("wc"), first);
  auto record = Record("wc");
  ASSERT_TRUE(record && record->pinned_revision);
  EXPECT_EQ(*record->pinned_revision, 1);
  for (int i = 0; i < 5; ++i) Step();
  EXPECT_EQ(JobHashes("wc"), first);  // the pin holds
  spec.spec.resources.cpu_millis = 2500;
  Commit(spec);
  controller_->RunReady();
  ASSERT_EQ(StepUntil("wc", "Running"), "Running") << Message("wc") << Events("wc");
  EXPECT_NE(JobHashes("wc"), first);
  EXPECT_NE(JobHashes("wc"), second);
  record = Record("wc");
  ASSERT_TRUE(record);
  EXPECT_FALSE(record->pinned_revision);
}

TEST_F(LoopTest, PruningWaitsForTheTombstoneThenKillsOnePerResyncPeriod) {
  options_.settings.prune = true;
  options_.settings.tombstone_ms = 60000;
  options_.prune_budget = 1;
  StartController();
  for (const char* name : {"keep", "a", "b"}) {
    crd::Topology spec = Spec(name);
    Commit(spec);
  }
  for (const char* name : {"keep", "a", "b"}) ASSERT_EQ(StepUntil(name, "Running"), "Running");
  source_->Remove("a.yaml");
  source_->Remove("b.yaml");
  for (int i = 0; i < 5; ++i) Step(6s);  // 30 s: within the tombstone
  EXPECT_EQ(aurora().Calls("killJob"), 0);
  EXPECT_EQ(TaskIds("a").size(), 3u);
  for (int i = 0; i < 10; ++i) Step(6s);  // past the tombstone, within one resync period
  EXPECT_EQ(aurora().Calls("killJob"), 1);
  const bool a_gone = TaskIds("a").empty(), b_gone = TaskIds("b").empty();
  EXPECT_NE(a_gone, b_gone);
  const std::string waiting = a_gone ? "b" : "a";
  EXPECT_NE(Message(waiting).find("prune budget"), std::string::npos) << Message(waiting);
  for (int i = 0; i < 60; ++i) Step(6s);  // the next resync period
  EXPECT_EQ(aurora().Calls("killJob"), 2);
  EXPECT_TRUE(TaskIds("a").empty());
  EXPECT_TRUE(TaskIds("b").empty());
  EXPECT_EQ(TaskIds("keep").size(), 3u);
  // Heron's state and the records went with them.
  EXPECT_FALSE(cluster().heron()->Nodes().count("/heron/topologies/a"));
  EXPECT_FALSE(Record("a"));
  EXPECT_FALSE(Record("b"));
  EXPECT_TRUE(Record("keep"));
  for (const char* name : {"a", "b"}) {
    EXPECT_EQ(controller_->Get(Key(name)).status().code(), StatusCode::kNotFound) << name;
  }
  EXPECT_TRUE(controller_->Get(Key("keep")).ok());
}

// A change of Heron's nodes of one topology passes that topology's keys and no other; a
// change of a name no key has passes nothing.
TEST_F(LoopTest, AChangeOfHeronsNodesPassesOnlyTheKeysOfThatTopology) {
  StartController();
  for (const char* name : {"a", "b"}) {
    crd::Topology spec = Spec(name);
    Commit(spec);
  }
  ASSERT_EQ(StepUntil("a", "Running"), "Running");
  ASSERT_EQ(StepUntil("b", "Running"), "Running");
  for (int i = 0; i < 10 && Step(1ms) > 0; ++i) {
  }
  ASSERT_EQ(Step(1ms), 0);
  const statestore::HeronLayout layout{"/heron", false};
  auto* heron = cluster().heron();
  // The same bytes again: a change to Heron's watch, nothing for the pass to do.
  auto plan = heron->Read(layout, statestore::HeronDir::kPackingPlans, "a");
  ASSERT_TRUE(plan.ok() && plan->has_value());
  ASSERT_TRUE(heron->Write(layout, statestore::HeronDir::kPackingPlans, "a", **plan).ok());
  EXPECT_EQ(Step(1ms), 1);
  ASSERT_TRUE(heron->Write(layout, statestore::HeronDir::kPackingPlans, "nobody", **plan).ok());
  EXPECT_EQ(Step(1ms), 0);
}

// Heron's watch can queue a key again while the pass that forgets it runs (a late write of
// Heron's own, here a scheduler location written and removed while that pass reads Aurora). The
// late pass finds no spec, no topology and no record, and leaves no status behind: the API
// answers 404, as for a key it never knew.
TEST_F(LoopTest, ALatePassOfAPrunedKeyLeavesNoStatus) {
  options_.settings.prune = true;
  options_.settings.tombstone_ms = 1000;
  StartController();
  for (const char* name : {"keep", "wc"}) {  // keep: an emptied source prunes nothing
    crd::Topology spec = Spec(name);
    Commit(spec);
  }
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  const statestore::HeronLayout layout{"/heron", false};
  int late_writes = 0;  // outside the hook: FakeAurora calls a copy of it
  aurora().OnRead([&] {
    // The passes that find the job and Heron's nodes gone and the record not yet (the last of
    // them forgets the key).
    const bool nodes = cluster().heron()->Nodes().count("/heron/topologies/wc") > 0;
    if (!TaskIds("wc").empty() || nodes || !Record("wc")) return;
    ++late_writes;
    auto* heron = cluster().heron();
    ASSERT_TRUE(heron->Write(layout, statestore::HeronDir::kSchedulers, "wc", "late").ok());
    ASSERT_TRUE(heron->Remove(layout, statestore::HeronDir::kSchedulers, "wc").ok());
  });
  source_->Remove("wc.yaml");
  for (int i = 0; i < 40 && Record("wc"); ++i) Step(6s);
  EXPECT_GE(late_writes, 1);
  EXPECT_FALSE(Record("wc"));
  Step();
  EXPECT_EQ(controller_->Get(Key("wc")).status().code(), StatusCode::kNotFound);
}

TEST_F(LoopTest, ASourceThatCannotBeReadFreezesWhatItHeld) {
  options_.settings.prune = true;
  options_.settings.tombstone_ms = 1000;
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  const auto tasks = TaskIds("wc");
  source_->Fail(Status::Unavailable("git fetch: connection refused"));
  for (int i = 0; i < 60; ++i) Step(10s);  // two resync periods
  EXPECT_EQ(aurora().Calls("killJob"), 0);
  EXPECT_EQ(TaskIds("wc"), tasks);
  auto st = controller_->Get(Key("wc"));
  ASSERT_TRUE(st.ok());
  EXPECT_NE(st->source_error.find("connection refused"), std::string::npos) << st->source_error;
  source_->Fail(Status::Ok());
  Step();
  st = controller_->Get(Key("wc"));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->source_error, "");
  EXPECT_EQ(TaskIds("wc"), tasks);
}

TEST_F(LoopTest, AnUnreachableClusterIsNotActedOnAndJoinsWhenItReturns) {
  cluster().SetReachable(false);
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  for (int i = 0; i < 5; ++i) Step();
  EXPECT_EQ(aurora().Calls("createJob"), 0);
  EXPECT_NE(Message("wc").find("never observed"), std::string::npos) << Message("wc");
  cluster().SetReachable(true);
  EXPECT_EQ(StepUntil("wc", "Running", 40), "Running") << Message("wc");
  EXPECT_EQ(aurora().Calls("createJob"), 1);
}

// A cluster whose servers do not answer costs a timeout per probe, not one per pass: once its
// breaker opens, passes read nothing there until the probe, and the probe that finds it back
// closes the breaker.
TEST_F(LoopTest, AClusterThatDoesNotAnswerIsLeftAloneUntilItsProbe) {
  options_.breaker.open_base = std::chrono::seconds(30);
  options_.breaker.open_max = std::chrono::seconds(60);
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  auto observe_rpcs = [&] {  // the controller's, not the fake world's own reads
    controller_->CollectCounters();
    return metrics_.Value("heron_controller_aurora_observe_rpcs_total",
                          {{"cluster", "devcluster"}});
  };
  auto breaker = [&] { return controller_->Clusters().at(0).breaker; };
  aurora().Break(Status::DeadlineExceeded("getTasksWithoutConfigs: no answer within 8000 ms"));
  for (int i = 0; i < 10 && breaker().phase != BreakerState::Phase::kOpen; ++i) {
    controller_->Resync();
    Step(std::chrono::seconds(1));
  }
  ASSERT_EQ(breaker().phase, BreakerState::Phase::kOpen);
  EXPECT_EQ(breaker().failures, 2);
  const double reads_when_opened = observe_rpcs();
  for (int i = 0; i < 10; ++i) {  // 20 s, inside the 30 s it stays open
    controller_->Resync();
    Step(std::chrono::seconds(2));
  }
  EXPECT_EQ(observe_rpcs(), reads_when_opened) << "nothing is tried while it is open";
  EXPECT_EQ(Phase("wc"), "Unknown");
  EXPECT_NE(Message("wc").find("does not answer"), std::string::npos) << Message("wc");
  EXPECT_NE(Message("wc").find("no answer within 8000 ms"), std::string::npos) << Message("wc");
  EXPECT_NE(Message("wc").find("last observed"), std::string::npos) << Message("wc");
  controller_->CollectCounters();
  EXPECT_EQ(metrics_.Value("heron_controller_cluster_breaker_state", {{"cluster", "devcluster"}}),
            2);
  EXPECT_EQ(
      metrics_.Value("heron_controller_cluster_breaker_opens_total", {{"cluster", "devcluster"}}),
      1);
  aurora().Heal();
  EXPECT_EQ(StepUntil("wc", "Running", 10), "Running") << Message("wc");
  EXPECT_EQ(breaker().phase, BreakerState::Phase::kClosed);
  EXPECT_GT(observe_rpcs(), reads_when_opened);
}

// After a ZooKeeper session expiry the view is read again; until that completes a node missing
// from it may well exist. The fault trials saw a controller rewrite every topology's nodes
// (execution state's submission time included) from an emptied view; it must wait instead.
TEST_F(LoopTest, NothingIsDecidedOnHeronsViewWhileItIsBeingReadAgain) {
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  const auto running = cluster().heron()->Nodes();
  const auto tasks = TaskIds("wc");
  const int actions_before =
      aurora().Calls("createJob") + aurora().Calls("startJobUpdate") + aurora().Calls("killJob");
  // What a view emptied by a reload looks like: the topology's nodes gone from it.
  const statestore::HeronLayout layout{"/heron", false};
  cluster().heron()->SetViewCurrent(false);
  for (auto d : {statestore::HeronDir::kTopologies, statestore::HeronDir::kPackingPlans,
                 statestore::HeronDir::kExecutionState, statestore::HeronDir::kSchedulers}) {
    ASSERT_TRUE(cluster().heron()->Remove(layout, d, "wc").ok());
  }
  const auto emptied = cluster().heron()->Nodes();
  controller_->Resync();
  for (int i = 0; i < 5; ++i) Step();
  EXPECT_EQ(cluster().heron()->Nodes(), emptied);  // nothing written while the view is stale
  EXPECT_NE(Message("wc").find("being read again"), std::string::npos) << Message("wc");
  // The reload completes and finds the nodes where they were: nothing to do.
  for (const auto& [path, bytes] : running) {
    if (emptied.count(path)) continue;
    const std::string dir = path.substr(7, path.rfind('/') - 7);  // "/heron/<dir>/wc"
    for (auto d : statestore::HeronLayout::AllDirs()) {
      if (layout.DirName(d) == dir) {
        ASSERT_TRUE(cluster().heron()->Write(layout, d, "wc", bytes).ok());
      }
    }
  }
  cluster().heron()->SetViewCurrent(true);
  controller_->Resync();
  EXPECT_EQ(StepUntil("wc", "Running"), "Running");
  EXPECT_EQ(cluster().heron()->Nodes(), running);
  EXPECT_EQ(TaskIds("wc"), tasks);
  EXPECT_EQ(
      aurora().Calls("createJob") + aurora().Calls("startJobUpdate") + aurora().Calls("killJob"),
      actions_before);
}

// The actions metric counts what was carried out; a failed action is counted apart and those
// after it not at all (the fault trials saw a failed create counted as three actions executed).
TEST_F(LoopTest, TheActionsMetricCountsOnlyWhatWasCarriedOut) {
  StartController();
  aurora().Refuse("createJob", Status::Unavailable("scheduler overloaded"));
  crd::Topology spec = Spec();
  Commit(spec);
  controller_->RunReady();
  // One attempt, then the key's backoff: the watch of the Heron state it wrote does not bring
  // it straight back (it did, in a loop at full speed).
  EXPECT_EQ(aurora().Calls("createJob"), 1);
  auto count = [&](const char* metric, const char* action) {
    return metrics_.Value(metric, {{"action", action}});
  };
  EXPECT_EQ(count("heron_controller_actions_total", "WriteHeronState"), 1);
  EXPECT_EQ(count("heron_controller_actions_total", "CreateJob"), 0);
  EXPECT_EQ(count("heron_controller_action_failures_total", "CreateJob"), 1);
  EXPECT_EQ(count("heron_controller_actions_total", "WriteSchedulerLocation"), 0);
  EXPECT_EQ(count("heron_controller_action_failures_total", "WriteSchedulerLocation"), 0);
  aurora().Refuse("createJob", Status::Ok());
  EXPECT_EQ(StepUntil("wc", "Running"), "Running");
  EXPECT_EQ(count("heron_controller_actions_total", "CreateJob"), 1);
  EXPECT_EQ(count("heron_controller_actions_total", "WriteSchedulerLocation"), 1);
  EXPECT_EQ(count("heron_controller_action_failures_total", "CreateJob"), 1);
}

TEST_F(LoopTest, ALeaderThatCannotConfirmItsLeaseStopsBeforeItsNextAuroraCall) {
  // A leader paused past its lease: the elector has not told it yet, but ZooKeeper's fence
  // holds a newer term. Its pass gets as far as Heron's state (fenced on the server in
  // production; the fake does not fence) and stops before calling Aurora.
  Status confirm = Status::Ok();
  int confirmations = 0;
  options_.lease = std::chrono::seconds(5);
  options_.confirm_leadership = [&](const std::string&) {
    ++confirmations;
    return confirm;
  };
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  EXPECT_EQ(StepUntil("wc", "Running"), "Running");
  const int creates = aurora().Calls("createJob");
  EXPECT_EQ(creates, 1);
  EXPECT_GE(confirmations, 1);
  spec.spec.resources.cpu_millis = 2000;  // a new task: an Aurora update
  Commit(spec);
  confirm = Status::FailedPrecondition("fenced: a newer leader (term 9) holds /heron-gitops/fence");
  clock_.Advance(std::chrono::seconds(6));  // past the lease
  controller_->RunReady();
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 0);
  EXPECT_NE(Message("wc").find("stopped before calling out"), std::string::npos) << Message("wc");
  EXPECT_NE(Message("wc").find("term 9"), std::string::npos) << Message("wc");
  EXPECT_EQ(metrics_.Value("heron_controller_action_failures_total", {{"action", "StartUpdate"}}),
            1);
  // Confirmed again, the update goes ahead; one confirmation covers the lease's calls.
  confirm = Status::Ok();
  for (int i = 0; i < 20 && aurora().Calls("startJobUpdate") == 0; ++i) Step();
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 1);
  EXPECT_EQ(StepUntil("wc", "Running", 40), "Running");
}

TEST_F(LoopTest, LeadershipLostInTheMiddleOfAPassStopsItBeforeItActs) {
  StartController();
  auto other = election_.MakeElector("controller-2");
  ASSERT_TRUE(other->Start(nullptr, nullptr).ok());
  bool deposed = false;
  aurora().OnRead([&] {
    if (!deposed) {
      deposed = true;
      election_.Depose();  // while the pass observes
    }
  });
  crd::Topology spec = Spec();
  Commit(spec);
  controller_->RunReady();
  EXPECT_TRUE(deposed);
  EXPECT_FALSE(controller_->IsLeader());
  EXPECT_EQ(election_.Leader(), "controller-2");
  EXPECT_EQ(aurora().Calls("createJob"), 0);
  EXPECT_TRUE(cluster().heron()->Nodes().empty() ||
              !cluster().heron()->Nodes().count("/heron/topologies/wc"));
  for (int i = 0; i < 5; ++i) Step();
  EXPECT_EQ(aurora().Calls("createJob"), 0);  // a follower does nothing
  other->Resign();                            // back to this one
  EXPECT_TRUE(controller_->IsLeader());
  EXPECT_EQ(StepUntil("wc", "Running"), "Running");
  EXPECT_EQ(aurora().Calls("createJob"), 1);
}

}  // namespace
}  // namespace hgo::controller

namespace hgo::controller {
namespace {

// One shape per revision and pass: every pass packs the revision once, and a change (create,
// update, scale) builds its job once (the job hash's build is the wire job's) however many
// passes follow it (Heron's watch brings the key back after the pass's writes); a pass that
// changes nothing builds no job.
TEST_F(LoopTest, APassPacksEachRevisionOnceAndBuildsItsJobOnce) {
  StartController();
  crd::Topology spec = Spec();
  struct Counts {
    uint64_t packings, builds;
  };
  auto now = [] { return Counts{packing::PackingsSoFar(), aurora::JobBuildsSoFar()}; };
  auto pass = [&](const char* what, auto change, int want_builds, const char* rpc) {
    SCOPED_TRACE(what);
    change();
    const int calls = aurora().Calls(rpc);
    const Counts before = now();
    const int passes = controller_->RunReady();
    const Counts after = now();
    EXPECT_GE(passes, 1);
    EXPECT_EQ(aurora().Calls(rpc), calls + (want_builds > 0 ? 1 : 0));
    EXPECT_EQ(after.packings - before.packings, static_cast<uint64_t>(passes));
    EXPECT_EQ(after.builds - before.builds, static_cast<uint64_t>(want_builds));
  };
  pass(
      "create", [&] { Commit(spec); }, 1, "createJob");
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  pass(
      "resync", [&] { controller_->Resync(); }, 0, "createJob");
  pass(
      "update",
      [&] {
        spec.spec.resources.cpu_millis = 2000;
        Commit(spec);
      },
      1, "startJobUpdate");
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  pass(
      "scale",
      [&] {
        spec.spec.topology.bolts[0].parallelism = 2;
        spec.spec.packing.containers = 3;
        Commit(spec, /*repackage=*/true);
      },
      1, "startJobUpdate");
}

}  // namespace
}  // namespace hgo::controller

namespace hgo::controller {
namespace {

TEST_F(LoopTest, AHeronCliTopologyIsAdoptedWithNoRestartAndThenScaledAsUsual) {
  crd::Topology spec = Spec();
  // Container resources set, so the scale below keeps the task (computed ones follow the
  // packing: then every container restarts, adopted or not).
  spec.spec.resources = {2000, int64_t{3} << 30, int64_t{4} << 30};
  const testing::HeronCliSubmission submitted = SubmitWithHeronCli(spec);
  const auto tasks = TaskIds("wc");
  ASSERT_EQ(tasks.size(), 3u);
  const auto nodes = cluster().heron()->Nodes();
  ASSERT_TRUE(nodes.count("/heron/tmanagers/wc"));
  StartController();
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running") << Message("wc") << Events("wc");
  for (int i = 0; i < 5; ++i) Step();
  EXPECT_NE(Events("wc").find("Adopted: the live topology " + submitted.topology_id),
            std::string::npos)
      << Events("wc");
  EXPECT_EQ(TaskIds("wc"), tasks);
  EXPECT_EQ(aurora().Calls("createJob"), 1);  // heron-cli's
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 0);
  EXPECT_EQ(aurora().Calls("killTasks") + aurora().Calls("killJob"), 0);
  EXPECT_EQ(cluster().heron()->Nodes(), nodes) << "Heron's state rewritten";
  auto record = Record("wc");
  ASSERT_TRUE(record && record->applied);
  EXPECT_EQ(record->history.size(), 1u);
  EXPECT_EQ(record->applied->number, 1);
  EXPECT_EQ(record->applied->topology_id, submitted.topology_id);
  EXPECT_EQ(record->applied->job_hash, aurora::LiveTaskHash(submitted.job.task));
  EXPECT_EQ(record->adoption.topology_id, submitted.topology_id);

  // A scale: one more container for a wider bolt. The live task runs on the new instance too;
  // no running container restarts and the topology id stays.
  spec.spec.topology.bolts[0].parallelism = 2;
  spec.spec.packing.containers = 3;
  Commit(spec);  // the same package: its .defn's parallelism is overridden, not compared
  ASSERT_EQ(StepUntil("wc", "Running"), "Running") << Message("wc") << Events("wc");
  const auto scaled = TaskIds("wc");
  ASSERT_EQ(scaled.size(), 4u);
  for (const auto& [id, task] : tasks) EXPECT_EQ(scaled.at(id), task) << "instance " << id;
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 1);
  const auto added = aurora().Active(Job("wc")).at(3);
  EXPECT_EQ(aurora::LiveTaskHash(added.config), aurora::LiveTaskHash(submitted.job.task));
  record = Record("wc");
  ASSERT_TRUE(record && record->applied);
  EXPECT_EQ(record->applied->topology_id, submitted.topology_id);
}

TEST_F(LoopTest, ADifferentHeronCliTopologyIsNotAdoptedUnlessReplaceIsAsked) {
  crd::Topology spec = Spec();
  SubmitWithHeronCli(spec);
  const auto tasks = TaskIds("wc");
  const auto nodes = cluster().heron()->Nodes();
  StartController();
  spec.spec.resources.ram_bytes = int64_t{6} << 30;  // the live one has less
  Commit(spec);
  for (int i = 0; i < 5; ++i) Step();
  EXPECT_EQ(Phase("wc"), "OutOfSync");
  EXPECT_NE(Message("wc").find("ram per container (MiB): live "), std::string::npos)
      << Message("wc");
  EXPECT_NE(Message("wc").find("would restart 3 of its 3"), std::string::npos) << Message("wc");
  EXPECT_EQ(TaskIds("wc"), tasks);
  EXPECT_EQ(cluster().heron()->Nodes(), nodes);
  EXPECT_FALSE(Record("wc") && Record("wc")->applied);

  spec.spec.adopt = crd::AdoptPolicy::kReplace;
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running", 40), "Running") << Message("wc") << Events("wc");
  EXPECT_NE(Events("wc").find("Replacing"), std::string::npos) << Events("wc");
  for (const auto& [id, hash] : JobHashes("wc")) EXPECT_FALSE(hash.empty()) << id;
  EXPECT_EQ(aurora().Calls("startJobUpdate"), 1);
}

}  // namespace
}  // namespace hgo::controller

namespace hgo::controller {
namespace {

// The bolt's third instance joins container 1 (round robin: word 1 -> c1, exclaim 2 -> c2,
// exclaim 3 -> c3, exclaim 4 -> c1), so the largest container grows from one instance to two:
// with computed container resources the packing asks for bigger containers. Heron's
// UpdateTopologyManager never resizes a running container on a scale, and neither may the
// controller restart containers 2 and 3, whose instances are unchanged.
TEST_F(LoopTest, AScaleThatGrowsTheLargestComputedContainerRestartsNoneItDoesNotTouch) {
  StartController();
  crd::Topology spec = Spec();
  spec.spec.packing.containers = 3;
  spec.spec.topology.bolts[0].parallelism = 2;
  ASSERT_FALSE(spec.spec.resources.ram_bytes.has_value());  // computed from the packing
  Package(spec);
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running") << Message("wc") << Events("wc");
  const auto tasks = TaskIds("wc");
  ASSERT_EQ(tasks.size(), 4u);
  const auto hashes = JobHashes("wc");

  spec.spec.topology.bolts[0].parallelism = 3;
  Commit(spec);
  for (int i = 0; i < 5; ++i) Step();
  ASSERT_EQ(StepUntil("wc", "Running"), "Running") << Message("wc") << Events("wc");
  auto record = Record("wc");
  ASSERT_TRUE(record && record->applied && record->last_stable);
  ASSERT_EQ(record->last_stable->spec_hash, crd::SpecHash(spec)) << Events("wc");
  const auto scaled = TaskIds("wc");
  ASSERT_EQ(scaled.size(), 4u);
  for (int32_t untouched : {0, 2, 3}) {
    EXPECT_EQ(scaled.at(untouched), tasks.at(untouched)) << "instance " << untouched;
  }
  EXPECT_EQ(JobHashes("wc"), hashes);  // the task the containers run did not change
  // Heron's packing plan says where the new instance runs.
  const std::string plan = cluster().heron()->Nodes().at("/heron/packingplans/wc");
  heronmsg::hp_system::PackingPlan proto;
  ASSERT_TRUE(proto.ParseFromString(plan));
  const packing::PackingPlan packed = heronmsg::PackingPlanFromProto(proto);
  EXPECT_EQ(packed.ComponentCounts().at("exclaim"), 3);
  ASSERT_NE(packed.Find(1), nullptr);
  EXPECT_EQ(packed.Find(1)->instances.size(), 2u);

  // A second scale back down keeps the same containers again (the sizes carried over).
  spec.spec.topology.bolts[0].parallelism = 2;
  Commit(spec);
  for (int i = 0; i < 5; ++i) Step();
  ASSERT_EQ(StepUntil("wc", "Running"), "Running") << Message("wc") << Events("wc");
  EXPECT_EQ(TaskIds("wc"), scaled);
  EXPECT_EQ(JobHashes("wc"), hashes);
}

}  // namespace
}  // namespace hgo::controller

namespace hgo::controller {
namespace {

// Readiness (the API's /readyz): a leader is ready once it has read its sources, so a load
// balancer or a rollout of the controller waits until it knows what is desired.
TEST_F(LoopTest, ALeaderIsReadyOnlyOnceItHasReadItsSources) {
  StartController();
  HttpHandler api = MakeApiHandler(*controller_, metrics_, ApiOptions{});
  auto readyz = [&] { return api(HttpRequest{"GET", "/readyz", "", {}, ""}); };
  ASSERT_TRUE(controller_->IsLeader());
  HttpReply before = readyz();
  EXPECT_EQ(before.status, 503);
  EXPECT_EQ(before.body, "not ready\n");
  EXPECT_EQ(api(HttpRequest{"GET", "/healthz", "", {}, ""}).status, 200);  // alive meanwhile
  // A pass reads the sources.
  controller_->RunReady();
  HttpReply after = readyz();
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.body, "ready\n");
}

}  // namespace
}  // namespace hgo::controller

namespace hgo::controller {
namespace {

// POST …:restart through the API: the named containers restart and the others keep their tasks;
// an empty body (or list) restarts every one; a body with anything but "containers" (a misspelt
// key) is refused and restarts nothing.
TEST_F(LoopTest, TheApiRestartsTheNamedContainersAndRefusesAnyOtherBody) {
  options_.settings.requeue_ms = 1000;
  StartController();
  crd::Topology spec = Spec();
  Commit(spec);
  ASSERT_EQ(StepUntil("wc", "Running"), "Running");
  ApiOptions access;
  access.access.tokens.push_back(AdminToken("t0k"));
  HttpHandler api = MakeApiHandler(*controller_, metrics_, access);
  auto restart = [&](const std::string& body) {
    return api(HttpRequest{"POST",
                           "/api/v1/topologies/devcluster/www-data/devel/wc:restart",
                           "",
                           {{"authorization", "Bearer t0k"}},
                           body})
        .status;
  };
  const auto before = TaskIds("wc");
  ASSERT_GE(before.size(), 3u);
  for (const char* bad :
       {R"({"container": [1]})", R"({"containers": [1], "all": true})", "[1]", "{"}) {
    EXPECT_EQ(restart(bad), 400) << bad;
  }
  Step();
  EXPECT_EQ(TaskIds("wc"), before) << "a refused body restarted something";

  EXPECT_EQ(restart(R"({"containers": [1]})"), 202);
  Step();
  const auto one = TaskIds("wc");
  EXPECT_NE(one.at(1), before.at(1));
  for (const auto& [instance, task] : before) {
    if (instance != 1) EXPECT_EQ(one.at(instance), task) << instance;
  }
  EXPECT_EQ(restart(""), 202);
  Step();
  const auto all = TaskIds("wc");
  for (const auto& [instance, task] : all) EXPECT_NE(task, one.at(instance)) << instance;
  EXPECT_EQ(restart(R"({"containers": []})"), 202) << "what heronctl sends for every container";
  Step();
  for (const auto& [instance, task] : TaskIds("wc")) EXPECT_NE(task, all.at(instance)) << instance;
}

}  // namespace
}  // namespace hgo::controller
