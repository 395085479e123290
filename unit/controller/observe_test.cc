// From a role's tasks and updates and Heron's nodes to the planner's Observed.
#include "controller/cluster/observe.h"

#include <gtest/gtest.h>

#include <tuple>

#include "aurora/job_builder.h"
#include "heron/messages.h"
#include "heron/proto/physical_plan.pb.h"
#include "heron/proto/tmanager.pb.h"

namespace hgo::controller {
namespace {

using reconciler::ObservedInstance;
using reconciler::ObservedUpdate;
using statestore::HeronDir;

aurora::JobKey Key(const std::string& name) { return aurora::JobKey{"www-data", "devel", name}; }

aurora::Task MakeTask(const std::string& name, int32_t instance, aurora::TaskStatus status,
                      const std::string& job_hash, int64_t running_at = 0) {
  aurora::Task t;
  t.task_id =
      name + "-" + std::to_string(instance) + "-" + std::to_string(static_cast<int>(status));
  t.instance_id = instance;
  t.status = status;
  t.config.job = Key(name);
  t.config.metadata = {{aurora::kMetaJobHash, job_hash},
                       {aurora::kMetaTopologyId, name + "-" + job_hash}};
  t.events.push_back({1000, aurora::TaskStatus::kPending, "", ""});
  if (running_at) t.events.push_back({running_at, aurora::TaskStatus::kRunning, "", ""});
  return t;
}

TEST(ObserveTest, ActiveTasksOfTheJobBecomeInstances) {
  std::vector<aurora::Task> tasks = {
      MakeTask("wc", 0, aurora::TaskStatus::kRunning, "j1", 5000),
      MakeTask("wc", 1, aurora::TaskStatus::kKilling, "j0"),  // the old one, being replaced
      MakeTask("wc", 1, aurora::TaskStatus::kPending, "j1"),
      MakeTask("wc", 2, aurora::TaskStatus::kFailed, "j1"),  // ended: not an instance
      MakeTask("other", 0, aurora::TaskStatus::kRunning, "x", 1),
  };
  auto o = ObserveTopology(Key("wc"), TasksOfJob(Key("wc"), tasks), {}, nullptr, 9000);
  ASSERT_EQ(o.instances.size(), 2u);
  EXPECT_EQ(o.instances[0].state, ObservedInstance::State::kRunning);
  EXPECT_EQ(o.instances[0].running_since_ms, 5000);
  EXPECT_EQ(o.instances[0].job_hash, "j1");
  EXPECT_EQ(o.instances[0].topology_id, "wc-j1");
  EXPECT_EQ(o.instances[1].state, ObservedInstance::State::kPending);  // the replacement counts
  EXPECT_EQ(o.instances[1].job_hash, "j1");
  EXPECT_EQ(o.observed_at_ms, 9000);
}

TEST(ObserveTest, UpdatesSplitIntoTheActiveOneAndTheLastFinished) {
  auto summary = [](const std::string& id, aurora::UpdateStatus s, int64_t at,
                    const std::string& job = "wc") {
    aurora::UpdateSummary u;
    u.key = aurora::UpdateKey{Key(job), id};
    u.status = s;
    u.last_modified_ms = at;
    u.metadata = {{aurora::kMetaSpecHash, "spec-" + id}};
    return u;
  };
  auto o = ObserveTopology(Key("wc"), {},
                           {summary("u1", aurora::UpdateStatus::kRolledForward, 100),
                            summary("u2", aurora::UpdateStatus::kRolledBack, 200),
                            summary("u3", aurora::UpdateStatus::kRollForwardAwaitingPulse, 300),
                            summary("x", aurora::UpdateStatus::kRollingForward, 400, "other")},
                           nullptr, 0);
  ASSERT_TRUE(o.active_update);
  EXPECT_EQ(o.active_update->id, "u3");
  EXPECT_EQ(o.active_update->state, ObservedUpdate::State::kAwaitingPulse);
  ASSERT_TRUE(o.last_update);
  EXPECT_EQ(o.last_update->id, "u2");
  EXPECT_EQ(o.last_update->state, ObservedUpdate::State::kRolledBack);
  EXPECT_EQ(o.last_update->spec_hash, "spec-u2");
}

heron::proto::tmanager::TManagerLocation TManagerAt(const std::string& name,
                                                    const std::string& id) {
  heron::proto::tmanager::TManagerLocation loc;
  loc.set_topology_name(name);
  loc.set_topology_id(id);
  loc.set_host("h");
  loc.set_controller_port(1);
  loc.set_server_port(2);
  return loc;
}

TEST(ObserveTest, HeronNodesAreRead) {
  crd::Topology t;
  t.metadata.name = "wc";
  t.spec.state = crd::DesiredState::kPaused;
  statestore::HeronSnapshot snap;
  snap.nodes[HeronDir::kTopologies] =
      heronmsg::SerializeHeronMessage(heronmsg::BuildTopology(t, "wc-j1", 2, "spec-1"));
  snap.nodes[HeronDir::kPackingPlans] = "";
  const heron::proto::tmanager::TManagerLocation loc = TManagerAt("wc", "wc-j1");
  snap.nodes[HeronDir::kTManagers] = heronmsg::SerializeHeronMessage(loc);
  auto o = ObserveTopology(Key("wc"), {}, {}, &snap, 0);
  EXPECT_TRUE(o.heron.topology);
  EXPECT_TRUE(o.heron.packing_plan);
  EXPECT_FALSE(o.heron.execution_state);
  EXPECT_FALSE(o.heron.scheduler_location);
  EXPECT_EQ(o.heron.topology_id, "wc-j1");
  EXPECT_EQ(o.heron.spec_hash, "spec-1");
  EXPECT_TRUE(o.heron.paused);  // no physical plan yet: the submitted state
  EXPECT_FALSE(o.heron.physical_plan);
  EXPECT_EQ(o.heron.tmanager_topology_id, "wc-j1");

  // The topology manager activated it: its physical plan holds the live state.
  heron::proto::system::PhysicalPlan plan;
  *plan.mutable_topology() = heronmsg::BuildTopology(t, "wc-j1", 2, "spec-1");
  plan.mutable_topology()->set_state(heron::proto::api::RUNNING);
  snap.nodes[HeronDir::kPhysicalPlans] = heronmsg::SerializeHeronMessage(plan);
  o = ObserveTopology(Key("wc"), {}, {}, &snap, 0);
  EXPECT_TRUE(o.heron.physical_plan);
  EXPECT_FALSE(o.heron.paused);
}

// The cache keeps only what observing reads: what a pass observes is the same, with less held.
TEST(ObserveTest, KeptNodesObserveAsTheWholeOnes) {
  crd::Topology t;
  t.metadata.name = "wc";
  heron::proto::api::Topology topology = heronmsg::BuildTopology(t, "wc-j1", 2, "spec-1");
  for (int i = 0; i < 5; ++i) {
    auto* comp = topology.add_bolts()->mutable_comp();
    comp->set_name("bolt-" + std::to_string(i));
    comp->set_class_name("org.example.CountBolt");
    auto* kv = comp->mutable_config()->add_kvs();
    kv->set_key("topology.component.parallelism");
    kv->set_value("4");
  }
  auto* other = topology.mutable_topology_config()->add_kvs();
  other->set_key("topology.message.timeout.secs");
  other->set_value("30");
  heron::proto::system::PhysicalPlan plan;
  *plan.mutable_topology() = topology;
  plan.mutable_topology()->set_state(heron::proto::api::PAUSED);
  // What `heron update --runtime-config user.rate:5 bolt-3:user.batch:100` leaves.
  ASSERT_TRUE(heronmsg::SetRuntimeConfig(*plan.mutable_topology(),
                                         {{"user.rate", "5"}, {"bolt-3:user.batch", "100"}})
                  .ok());
  auto* stmgr = plan.add_stmgrs();
  stmgr->set_id("stmgr-1");
  stmgr->set_host_name("agent-1");
  stmgr->set_data_port(31000);
  stmgr->set_local_endpoint("/tmp/sock");
  const heron::proto::tmanager::TManagerLocation loc = TManagerAt("wc", "wc-j1");

  statestore::HeronSnapshot whole;
  whole.nodes[HeronDir::kTopologies] = heronmsg::SerializeHeronMessage(topology);
  whole.nodes[HeronDir::kPhysicalPlans] = heronmsg::SerializeHeronMessage(plan);
  whole.nodes[HeronDir::kTManagers] = heronmsg::SerializeHeronMessage(loc);
  whole.nodes[HeronDir::kExecutionState] = std::string(300, 'e');
  whole.nodes[HeronDir::kSchedulers] = std::string(80, 's');
  whole.nodes[HeronDir::kPackingPlans] = "not a packing plan";
  statestore::HeronSnapshot kept;
  for (const auto& [d, bytes] : whole.nodes) kept.nodes[d] = KeepObserved(d, bytes);

  EXPECT_LT(kept.Get(HeronDir::kTopologies)->size(), whole.Get(HeronDir::kTopologies)->size() / 2);
  EXPECT_LT(kept.Get(HeronDir::kPhysicalPlans)->size(),
            whole.Get(HeronDir::kPhysicalPlans)->size() / 2);
  EXPECT_EQ(*kept.Get(HeronDir::kExecutionState), "");
  EXPECT_EQ(*kept.Get(HeronDir::kPackingPlans), "not a packing plan") << "kept as it is";
  EXPECT_EQ(*kept.Get(HeronDir::kTManagers), *whole.Get(HeronDir::kTManagers));

  const auto a = ObserveTopology(Key("wc"), {}, {}, &whole, 0).heron;
  const auto b = ObserveTopology(Key("wc"), {}, {}, &kept, 0).heron;
  EXPECT_EQ(b.topology_id, "wc-j1");
  EXPECT_EQ(b.spec_hash, "spec-1");
  EXPECT_TRUE(b.paused);
  EXPECT_EQ(b.runtime_config,
            (std::map<std::string, std::string>{{"user.rate", "5"}, {"bolt-3:user.batch", "100"}}));
  EXPECT_EQ(a.runtime_config, b.runtime_config);
  EXPECT_EQ(std::tie(a.topology, a.packing_plan, a.execution_state, a.scheduler_location,
                     a.topology_id, a.spec_hash, a.paused, a.tmanager_topology_id, a.physical_plan,
                     a.absent_stream_managers),
            std::tie(b.topology, b.packing_plan, b.execution_state, b.scheduler_location,
                     b.topology_id, b.spec_hash, b.paused, b.tmanager_topology_id, b.physical_plan,
                     b.absent_stream_managers));
  // Bytes that do not parse as their node's message are kept whole.
  EXPECT_EQ(KeepObserved(HeronDir::kTopologies, "garbage"), "garbage");
}

TEST(ObserveTest, TheHeronMemoParsesOncePerSnapshotVersion) {
  crd::Topology t;
  t.metadata.name = "wc";
  statestore::HeronSnapshot snap;
  snap.version = 7;
  snap.nodes[HeronDir::kTopologies] =
      heronmsg::SerializeHeronMessage(heronmsg::BuildTopology(t, "wc-j1", 2, "spec-1"));
  HeronMemo memo;
  EXPECT_EQ(ObserveTopology(Key("wc"), {}, {}, &snap, 0, &memo).heron.topology_id, "wc-j1");
  EXPECT_FALSE(CurrentPacking(&snap, &memo, "wc"));
  // The cache gives every change a new version; with the same version the memo's answer stands
  // (these bytes are never looked at).
  const std::string j2 =
      heronmsg::SerializeHeronMessage(heronmsg::BuildTopology(t, "wc-j2", 2, "spec-2"));
  snap.nodes[HeronDir::kTopologies] = j2;
  EXPECT_EQ(ObserveTopology(Key("wc"), {}, {}, &snap, 0, &memo).heron.topology_id, "wc-j1");
  snap.version = 8;
  auto o = ObserveTopology(Key("wc"), {}, {}, &snap, 0, &memo);
  EXPECT_EQ(o.heron.topology_id, "wc-j2");
  EXPECT_EQ(o.heron.spec_hash, "spec-2");
  // Another topology's entry is its own.
  EXPECT_EQ(ObserveTopology(Key("other"), {}, {}, &snap, 0, &memo).heron.topology_id, "wc-j2");
  // Version 0 (not from a cache) is parsed every time.
  snap.version = 0;
  snap.nodes[HeronDir::kTopologies] =
      heronmsg::SerializeHeronMessage(heronmsg::BuildTopology(t, "wc-j3", 2, "spec-3"));
  EXPECT_EQ(ObserveTopology(Key("wc"), {}, {}, &snap, 0, &memo).heron.topology_id, "wc-j3");
  memo.Forget("wc");
  snap.version = 8;
  EXPECT_EQ(ObserveTopology(Key("wc"), {}, {}, &snap, 0, &memo).heron.topology_id, "wc-j3")
      << "forgotten: parsed again";
}

TEST(ObserveTest, ChangesTheControllerDidNotMakeAreAttributed) {
  aurora::Task killed;
  killed.config.job = Key("wc");
  killed.instance_id = 2;
  killed.status = aurora::TaskStatus::kKilled;
  killed.events = {{100, aurora::TaskStatus::kRunning, "", ""},
                   {300, aurora::TaskStatus::kKilling, "Killed by bob.\nmaintenance", ""}};
  aurora::Task ours = killed;
  ours.instance_id = 1;
  ours.events = {{200, aurora::TaskStatus::kKilling, "Killed by aurora.\nheron-gitops: prune", ""}};
  aurora::Task other_job = killed;
  other_job.config.job = Key("other");
  aurora::UpdateSummary by_hand;
  by_hand.key = {Key("wc"), "u-hand"};
  by_hand.user = "alice";
  by_hand.created_ms = 250;
  aurora::UpdateSummary by_us = by_hand;
  by_us.key.id = "u-ours";
  by_us.metadata[aurora::kMetaSpecHash] = "spec-1";
  auto o = ObserveTopology(Key("wc"), TasksOfJob(Key("wc"), {killed, ours, other_job}),
                           {by_hand, by_us}, nullptr, 0);
  ASSERT_EQ(o.foreign_changes.size(), 2u);
  EXPECT_EQ(o.foreign_changes[0].user, "alice");
  EXPECT_EQ(o.foreign_changes[0].what, "update u-hand");
  EXPECT_EQ(o.foreign_changes[1].user, "bob");
  EXPECT_EQ(o.foreign_changes[1].what, "kill of instance 2");
  EXPECT_EQ(o.foreign_changes[1].at_ms, 300);
}

TEST(ObserveTest, ASlimTaskKeepsWhatPassesAndTheApiRead) {
  aurora::Task t = MakeTask("wc", 3, aurora::TaskStatus::kRunning, "j7", 4000);
  t.slave_host = "agent-1";
  t.ports = {{"tmanager", 31001}, {"http", 31000}};
  t.failure_count = 2;
  t.events.push_back({4500, aurora::TaskStatus::kRestarting, "Killed by carol", ""});
  t.events.push_back({5000, aurora::TaskStatus::kRunning, "", ""});
  ObservedTask slim = SlimTask(t);
  EXPECT_EQ(slim.task_id, t.task_id);
  EXPECT_EQ(slim.instance_id, 3);
  EXPECT_EQ(slim.status, aurora::TaskStatus::kRunning);
  EXPECT_EQ(slim.host, "agent-1");
  EXPECT_EQ(*slim.port_names, (std::vector<std::string>{"http", "tmanager"}));
  EXPECT_EQ(slim.ports, (std::vector<int32_t>{31000, 31001}));
  // One answer's tasks with the same port names share one list.
  PortNames names;
  aurora::Task other = t;
  other.ports = {{"http", 32000}, {"tmanager", 32001}};
  ObservedTask a = SlimTask(t, &names), b = SlimTask(other, &names);
  EXPECT_EQ(a.port_names.get(), b.port_names.get());
  EXPECT_EQ(b.ports, (std::vector<int32_t>{32000, 32001}));
  EXPECT_EQ(slim.failures, 2);
  EXPECT_EQ(slim.job_hash, "j7");
  EXPECT_EQ(slim.topology_id, "wc-j7");
  EXPECT_EQ(slim.running_since_ms, 5000);  // the last RUNNING event
  ASSERT_EQ(slim.foreign_kills.size(), 1u);
  EXPECT_EQ(slim.foreign_kills[0].by, "carol");
  EXPECT_EQ(slim.foreign_kills[0].at_ms, 4500);

  // Ended tasks are kept only when they carry a foreign kill.
  aurora::Task finished = MakeTask("wc", 4, aurora::TaskStatus::kFinished, "j7");
  aurora::Task killed = MakeTask("wc", 5, aurora::TaskStatus::kKilled, "j7");
  killed.events.push_back({6000, aurora::TaskStatus::kKilling, "Killed by dave.", ""});
  JobTasks kept = TasksOfJob(Key("wc"), {t, finished, killed});
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].instance_id, 3);
  EXPECT_EQ(kept[1].instance_id, 5);
  EXPECT_EQ(InstanceTasks(kept).size(), 1u);  // the killed one is no instance
}

TEST(ObserveTest, ATaskObservedAsItIsReadKeepsWhatPassesReadAndEndedOnesOnlyWithAForeignKill) {
  const aurora::JobKey job = Key("wc");
  // Ports as an answer may list them (unsorted); two values for one metadata key.
  std::vector<std::pair<std::string, int32_t>> ports = {{"tmanager", 31001}, {"http", 31000}};
  std::vector<std::pair<std::string, std::string>> metadata = {{aurora::kMetaJobHash, "j9"},
                                                               {aurora::kMetaTopologyId, "wc-j7"},
                                                               {aurora::kMetaJobHash, "j7"}};
  std::vector<aurora::TaskEvent> events = {
      {4000, aurora::TaskStatus::kRunning, "", ""},
      {4500, aurora::TaskStatus::kKilling, "Killed by carol.", ""}};
  aurora::TaskStateView v;
  v.job = &job;
  v.task_id = "wc-3";
  v.host = "agent-1";
  v.instance_id = 3;
  v.status = aurora::TaskStatus::kRunning;
  v.failure_count = 2;
  v.ports = ports;
  v.metadata = metadata;
  v.events = events;
  PortNames names;
  std::optional<ObservedTask> t = ObserveTask(v, &names);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->task_id, "wc-3");
  EXPECT_EQ(t->host, "agent-1");
  EXPECT_EQ(t->instance_id, 3);
  EXPECT_EQ(t->failures, 2);
  EXPECT_EQ(*t->port_names, (std::vector<std::string>{"http", "tmanager"}));
  EXPECT_EQ(t->ports, (std::vector<int32_t>{31000, 31001}));
  EXPECT_EQ(t->job_hash, "j9") << "of equal keys the greatest value, as a map read from the set";
  EXPECT_EQ(t->topology_id, "wc-j7");
  EXPECT_EQ(t->running_since_ms, 4000);
  ASSERT_EQ(t->foreign_kills.size(), 1u);
  EXPECT_EQ(t->foreign_kills[0].by, "carol");

  // Port names are shared with the next task that has the same, whatever their order.
  std::vector<std::pair<std::string, int32_t>> sorted = {{"http", 32000}, {"tmanager", 32001}};
  v.ports = sorted;
  std::optional<ObservedTask> next = ObserveTask(v, &names);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->port_names.get(), t->port_names.get());
  EXPECT_EQ(next->ports, (std::vector<int32_t>{32000, 32001}));
  std::vector<std::pair<std::string, int32_t>> fewer = {{"http", 33000}};
  v.ports = fewer;
  next = ObserveTask(v, &names);
  EXPECT_EQ(*next->port_names, (std::vector<std::string>{"http"}));
  v.ports = sorted;
  EXPECT_EQ(ObserveTask(v, &names)->port_names.get(), t->port_names.get()) << "interned once";

  // Ended: kept only with a kill the controller did not write.
  v.status = aurora::TaskStatus::kKilled;
  EXPECT_TRUE(ObserveTask(v).has_value());
  std::vector<aurora::TaskEvent> ours = {
      {4500, aurora::TaskStatus::kKilling, "Killed by aurora.\nheron-gitops: prune", ""}};
  v.events = ours;
  EXPECT_FALSE(ObserveTask(v).has_value());
  v.events = {};
  EXPECT_FALSE(ObserveTask(v).has_value());
  v.status = aurora::TaskStatus::kPending;
  EXPECT_TRUE(ObserveTask(v).has_value()) << "active";
}

TEST(ObserveTest, StatusMappings) {
  EXPECT_EQ(InstanceState(aurora::TaskStatus::kThrottled), ObservedInstance::State::kPending);
  EXPECT_EQ(InstanceState(aurora::TaskStatus::kRestarting), ObservedInstance::State::kKilling);
  EXPECT_EQ(InstanceState(aurora::TaskStatus::kLost), ObservedInstance::State::kEnded);
  EXPECT_EQ(UpdateState(aurora::UpdateStatus::kRollBackPaused), ObservedUpdate::State::kPaused);
  EXPECT_EQ(UpdateState(aurora::UpdateStatus::kError), ObservedUpdate::State::kFailed);
  ObservedUpdate rolling_back{"", UpdateState(aurora::UpdateStatus::kRollingBack), "", 0};
  EXPECT_TRUE(rolling_back.active());
}

TEST(ObserveTest, EveryContainersStreamManagerMustBeInTheManagersPhysicalPlan) {
  crd::Topology t;
  t.metadata.name = "wc";
  packing::PackingPlan packing;
  packing.id = "wc-j1";
  for (int32_t id : {1, 2}) {
    packing::ContainerPlan c;
    c.id = id;
    c.instances.push_back(packing::InstancePlan{"split", id, id - 1, {1, 1 << 30, 1 << 30}});
    c.required = packing::Resource{2, int64_t{2} << 30, int64_t{2} << 30};
    packing.containers.push_back(c);
  }
  auto pplan_with = [&](const std::string& id, std::vector<std::string> stmgrs) {
    heron::proto::system::PhysicalPlan plan;
    *plan.mutable_topology() = heronmsg::BuildTopology(t, id, 2, "spec-1");
    for (const auto& s : stmgrs) {
      auto* stmgr = plan.add_stmgrs();
      stmgr->set_id(s);
      stmgr->set_host_name("agent");
      stmgr->set_data_port(1);
      stmgr->set_local_endpoint("/sock");
    }
    return heronmsg::SerializeHeronMessage(plan);
  };
  statestore::HeronSnapshot snap;
  snap.nodes[HeronDir::kPackingPlans] =
      heronmsg::SerializeHeronMessage(heronmsg::PackingPlanToProto(packing));
  // A 0.20.2 topology manager registers under tmasters/.
  snap.nodes[HeronDir::kTMasters] = heronmsg::SerializeHeronMessage(TManagerAt("wc", "wc-j1"));
  EXPECT_EQ(ObserveTopology(Key("wc"), {}, {}, &snap, 0).heron.absent_stream_managers, 2);
  snap.nodes[HeronDir::kPhysicalPlans] = pplan_with("wc-j1", {"stmgr-1"});
  auto one = ObserveTopology(Key("wc"), {}, {}, &snap, 0).heron;
  EXPECT_EQ(one.tmanager_topology_id, "wc-j1");
  EXPECT_EQ(one.absent_stream_managers, 1);
  snap.nodes[HeronDir::kPhysicalPlans] = pplan_with("wc-j0", {"stmgr-1", "stmgr-2"});
  EXPECT_EQ(ObserveTopology(Key("wc"), {}, {}, &snap, 0).heron.absent_stream_managers, 2)
      << "another revision's plan does not count";
  snap.nodes[HeronDir::kPhysicalPlans] = pplan_with("wc-j1", {"stmgr-1", "stmgr-2"});
  EXPECT_EQ(ObserveTopology(Key("wc"), {}, {}, &snap, 0).heron.absent_stream_managers, 0);
  // What the watched cache keeps of a physical plan still says which stream managers are in it.
  statestore::HeronSnapshot kept;
  for (const auto& [d, bytes] : snap.nodes) kept.nodes[d] = KeepObserved(d, bytes);
  EXPECT_EQ(ObserveTopology(Key("wc"), {}, {}, &kept, 0).heron.absent_stream_managers, 0);
}

}  // namespace
}  // namespace hgo::controller
