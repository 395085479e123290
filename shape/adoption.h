// Adoption: is a live topology the controller did not create (one submitted with heron-cli)
// what a spec makes? A pure comparison of both halves of the topology, read whole, with what the
// spec's shape would write and run:
// - the Aurora job: instance count, per-container cpus/ram/disk, constraints, service, failure
//   limit, priority, named ports, the Thermos processes, the core and topology package URIs their
//   fetch commands download, and every flag of launch_heron_executor (the JVM-option flags
//   compared decoded). Ignored, since they only identify the submitter or are written another
//   way by heron-cli's template (heron.aurora rendered by AuroraLauncher): the owner, tier and
//   production, metadata, contact, the fetch commands' own options, the Thermos task's other
//   settings (health check, announcer, finalisation wait);
// - Heron's logical plan (topologies/<name>): spouts and bolts by name, class names where both
//   name one, parallelism, streams with their groupings and fields, the config keys the spec
//   sets;
// - the packing plan (packingplans/<name>): containers and the instances on each, with their
//   resources (the shape repacks from the live plan, so a live plan that satisfies the spec is
//   the shape's).
// The caller builds the wire job with the live topology id (JobFor) and the Heron topology from
// the package's .defn (heronmsg::TopologyFromDefn), so both sides are compared as written.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aurora/types.h"
#include "common/status.h"
#include "crd/topology.h"
#include "heron/messages.h"
#include "heron/packing.h"
#include "reconciler/types.h"
#include "shape/shape.h"

namespace hgo::shape {

// What was read of a live topology, whole: its active Aurora tasks with their configs
// (getTasksStatus) and Heron's nodes.
struct LiveTopology {
  std::vector<aurora::Task> tasks;
  std::optional<heronmsg::hp_api::Topology> topology;  // topologies/<name>
  std::optional<packing::PackingPlan> packing;         // packingplans/<name>
};

// What a Thermos JSON (TaskConfig.executorConfig.data) runs: its process names in order, the
// URI each fetch process downloads, and launch_heron_executor's flags ("--name" -> value, ""
// for a bare flag; the executable under "executable").
struct ThermosFacts {
  std::vector<std::string> processes;
  std::map<std::string, std::string> fetch_uris;  // process name -> URI
  std::map<std::string, std::string> executor_flags;
};
// kInvalidArgument when the data is not a Thermos job's JSON.
StatusOr<ThermosFacts> ReadThermos(const std::string& executor_data);

// A JVM-option flag's value as Heron decodes it (quotes off, "(61)" or "&equals;" back to '=',
// base64 decoded); the component map's empty JSON object counts as empty. The value itself
// when it is not so encoded.
std::string DecodeJvmOptions(const std::string& value);

// The comparison. topology_id and live_task are filled whenever live.topology and a task are
// there; `unreadable` says what is missing otherwise.
reconciler::ObservedForeign CompareLive(const crd::Topology& spec, const Shape& shape,
                                        const aurora::JobConfig& built,
                                        const heronmsg::hp_api::Topology& desired_topology,
                                        const LiveTopology& live);

// Import: the spec of a live topology, in the project's format. The logical plan from Heron's
// topologies/<name> (spouts and bolts with class names and parallelism, streams with their
// groupings, the config keys that differ from what the controller writes for a spec without
// config), the package URI from the job's fetch process (sha256 as given: the caller fetched
// it), the core package when it is not the cluster's, RoundRobin over the live plan's container
// count, the job's constraints, Paused when Heron's state says so. Container resources are left
// to the packing unless explicit_resources, then the job's cpus, ram and disk. What cannot be
// carried over (a custom grouping's object, a class name the topology does not hold) is said in
// *notes. kFailedPrecondition when the live topology has no topologies node or no task.
StatusOr<crd::Topology> ImportSpec(const crd::TopologyKey& key, const LiveTopology& live,
                                   const aurora::ClusterConfig& cluster,
                                   const std::string& package_sha256, bool explicit_resources,
                                   std::vector<std::string>* notes);

}  // namespace hgo::shape
