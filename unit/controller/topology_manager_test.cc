#include "controller/cluster/topology_manager.h"

#include <gtest/gtest.h>

#include "crd/topology.h"
#include "heron/messages.h"

namespace hgo::controller {
namespace {

std::string Plan(bool paused) {
  heron::proto::system::PhysicalPlan plan;
  crd::Topology t;
  t.metadata.name = "wc";
  *plan.mutable_topology() = heronmsg::BuildTopology(t, "wc-j1", 1, "spec");
  plan.mutable_topology()->set_state(paused ? heron::proto::api::PAUSED
                                            : heron::proto::api::RUNNING);
  return heronmsg::SerializeHeronMessage(plan);
}

std::string Location(const std::string& id, int controller_port = 4711) {
  heron::proto::tmanager::TManagerLocation loc;
  loc.set_topology_name("wc");
  loc.set_topology_id(id);
  loc.set_host("10.0.0.7");
  loc.set_controller_port(controller_port);
  loc.set_server_port(1);
  return heronmsg::SerializeHeronMessage(loc);
}

TEST(TopologyStateUrlTest, DeactivatesARunningTopologyWithItsId) {
  auto url = TopologyStateUrl(Plan(false), Location("wc-j1"), true, "wc-j1");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  ASSERT_TRUE(url->has_value());
  EXPECT_EQ(**url, "http://10.0.0.7:4711/deactivate?topologyid=wc-j1");
}

TEST(TopologyStateUrlTest, ActivatesAPausedTopology) {
  auto url = TopologyStateUrl(Plan(true), Location("wc-j1"), false, "wc-j1");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->value_or(""), "http://10.0.0.7:4711/activate?topologyid=wc-j1");
}

TEST(TopologyStateUrlTest, AlreadyInTheTargetStateCallsNothing) {
  auto url = TopologyStateUrl(Plan(true), Location("wc-j1"), true, "wc-j1");
  ASSERT_TRUE(url.ok());
  EXPECT_FALSE(url->has_value());
  // Not even a topology manager is needed to know that.
  url = TopologyStateUrl(Plan(false), std::nullopt, false, "wc-j1");
  ASSERT_TRUE(url.ok());
  EXPECT_FALSE(url->has_value());
}

TEST(TopologyStateUrlTest, RefusesWhatHeronWouldRefuse) {
  EXPECT_EQ(TopologyStateUrl(std::nullopt, Location("wc-j1"), true, "wc-j1").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(TopologyStateUrl(Plan(false), std::nullopt, true, "wc-j1").status().code(),
            StatusCode::kUnavailable);
  // A topology manager of another revision is never told what to do.
  auto other = TopologyStateUrl(Plan(false), Location("wc-j0"), true, "wc-j1");
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find("wc-j0"), std::string::npos);
  EXPECT_EQ(TopologyStateUrl(Plan(false), Location("wc-j1", 0), true, "wc-j1").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(
      TopologyStateUrl(std::string("\xff\x01garbage"), Location("wc-j1"), true, "wc-j1").ok());
}

// heron-cli's TManagerUtils.sendRuntimeConfig: one runtime-config argument per entry.
TEST(RuntimeConfigUrlTest, SendsEveryEntryToTheManagerOfTheRevision) {
  auto url = RuntimeConfigUrl(Location("wc-j1"), {"user.rate:5", "split:user.batch:100"}, "wc-j1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url,
            "http://10.0.0.7:4711/runtime_config/update?topologyid=wc-j1&"
            "runtime-config=user.rate:5&runtime-config=split:user.batch:100");
  EXPECT_EQ(RuntimeConfigUrl(Location("wc-j0"), {"a:1"}, "wc-j1").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(RuntimeConfigUrl(std::nullopt, {"a:1"}, "wc-j1").status().code(),
            StatusCode::kUnavailable);
  EXPECT_FALSE(RuntimeConfigUrl(Location("wc-j1"), {}, "wc-j1").ok());
}

}  // namespace
}  // namespace hgo::controller
