// A package's topology definition (.defn) against the spec.
//
// In real Heron the logical plan lives in the package: the `.defn` that heron-cli makes by running
// the topology's main class holds a Topology message whose components carry serialized Java
// objects. The spec's ECO section must describe the same plan: same spouts, bolts and streams.
// Its parallelism and config then act as overrides (what `heron update --component-parallelism`
// does), and the message written to ZooKeeper is trimmed of serialized objects, as Heron's
// submitter does.
#pragma once

#include <string>

#include "common/status.h"
#include "crd/topology.h"
#include "heron/messages.h"

namespace hgo::heronmsg {

// defn_name names the file in errors. kInvalidArgument when the bytes are not a Topology;
// kFailedPrecondition, listing every difference, when the plans disagree.
StatusOr<hp_api::Topology> TopologyFromDefn(const std::string& defn_bytes,
                                            const std::string& defn_name, const crd::Topology& t,
                                            const std::string& topology_id, int containers,
                                            const std::string& spec_hash = "");

// A .defn for a package that instantiates nothing (the e2e stand-in): the spec's plan with no
// serialized objects, exactly what BuildTopology writes to ZooKeeper.
std::string DefnFromSpec(const crd::Topology& t, const std::string& topology_id, int containers);

}  // namespace hgo::heronmsg
