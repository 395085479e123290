// Pause, resume and runtime config go through Heron's topology manager, as `heron
// activate|deactivate` and `heron update --runtime-config` do (heron-cli's
// TManagerUtils.transitionTopologyState and sendRuntimeConfig): the live state is
// pplans/<name>.topology.state, and each call is an HTTP GET to the controller port that
// tmanagers/<name> advertises, always with the topology id.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace hgo::controller {

// The URL to GET to move the topology to paused (true) or running (false), or nullopt when it is
// in that state already. physical_plan and tmanager are the bytes of pplans/<name> and
// tmanagers/<name> (nullopt when absent); expected_topology_id is the revision the controller
// planned for, so a topology manager of another revision is never told what to do.
StatusOr<std::optional<std::string>> TopologyStateUrl(
    const std::optional<std::string>& physical_plan, const std::optional<std::string>& tmanager,
    bool pause, const std::string& expected_topology_id);

// The URL that sets entries ("[component:]key:value", checked by crd validation to need no
// escaping) on the topology manager registered in tmanager, when it runs expected_topology_id:
// /runtime_config/update?topologyid=ID&runtime-config=ENTRY... (TController's handler).
StatusOr<std::string> RuntimeConfigUrl(const std::optional<std::string>& tmanager,
                                       const std::vector<std::string>& entries,
                                       const std::string& expected_topology_id);

}  // namespace hgo::controller
