#include "controller/cluster/topology_manager.h"

#include "heron/messages.h"
#include "heron/proto/physical_plan.pb.h"
#include "heron/proto/tmanager.pb.h"

namespace hgo::controller {

namespace {

// "http://host:port" of the controller port tmanagers/<name> advertises, when it runs
// expected_topology_id.
StatusOr<std::string> ManagerBase(const std::optional<std::string>& tmanager,
                                  const std::string& expected_topology_id) {
  if (!tmanager) return Status::Unavailable("no topology manager is registered (tmanagers)");
  // TMasterLocation has the same fields and numbers as TManagerLocation.
  HGO_ASSIGN_OR_RETURN(
      auto loc, heronmsg::ParseHeronMessage<heron::proto::tmanager::TManagerLocation>(*tmanager,
                                                                                      "tmanagers"));
  if (loc.topology_id() != expected_topology_id) {
    return Status::FailedPrecondition("the registered topology manager runs topology id " +
                                      loc.topology_id() + ", not " + expected_topology_id);
  }
  if (loc.host().empty() || loc.controller_port() <= 0) {
    return Status::InvalidArgument("tmanagers: no host or controller port");
  }
  return "http://" + loc.host() + ":" + std::to_string(loc.controller_port());
}

}  // namespace

StatusOr<std::optional<std::string>> TopologyStateUrl(
    const std::optional<std::string>& physical_plan, const std::optional<std::string>& tmanager,
    bool pause, const std::string& expected_topology_id) {
  // Heron's topology manager answers 500 before it has a physical plan, and the plan is where
  // the live state is: without one there is nothing to transition yet.
  if (!physical_plan) {
    return Status::FailedPrecondition(
        "no physical plan (pplans) yet: the topology manager has not started the topology");
  }
  HGO_ASSIGN_OR_RETURN(auto plan, heronmsg::ParseHeronMessage<heron::proto::system::PhysicalPlan>(
                                      *physical_plan, "pplans"));
  const bool paused = plan.topology().state() == heron::proto::api::PAUSED;
  if (paused == pause) return std::optional<std::string>();
  HGO_ASSIGN_OR_RETURN(std::string base, ManagerBase(tmanager, expected_topology_id));
  return std::optional<std::string>(base + (pause ? "/deactivate" : "/activate") +
                                    "?topologyid=" + expected_topology_id);
}

StatusOr<std::string> RuntimeConfigUrl(const std::optional<std::string>& tmanager,
                                       const std::vector<std::string>& entries,
                                       const std::string& expected_topology_id) {
  if (entries.empty()) return Status::InvalidArgument("no runtime config to send");
  HGO_ASSIGN_OR_RETURN(std::string url, ManagerBase(tmanager, expected_topology_id));
  url += "/runtime_config/update?topologyid=" + expected_topology_id;
  for (const auto& e : entries) url += "&runtime-config=" + e;
  return url;
}

}  // namespace hgo::controller
