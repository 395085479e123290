// The loop, pass by pass, on fakes (unit/loop/loop_fixture.h): what a pass writes to Aurora and
// Heron's state, and what it records, for each kind of change. The e2e tier runs the same
// scenarios with the real binaries; these run in milliseconds and cannot be flaky on timing.
#include <gtest/gtest.h>

#include "aurora/job_builder.h"
#include "statestore/heron_protos.h"
#include "statestore/proto/physical_plan.pb.h"
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
