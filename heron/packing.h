// Packing: which spout and bolt instances run in which container, and what each container
// needs. Pure functions of the spec (no I/O), following Heron's RoundRobin and
// ResourceCompliantRR algorithms (Heron's RoundRobinPacking.java and
// ResourceCompliantRRPacking.java).
//
// Plans obey Heron's rules whatever the algorithm: container ids >= 1 (they are the Aurora
// instance ids; instance 0 runs the topology manager and is not in the plan), task ids globally
// unique, component indexes unique per component, every instance at least the minimum RAM.
// Component order follows the spec (Heron's Java uses HashMap order; only validity matters).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "crd/topology.h"

namespace hgo::packing {

struct Resource {
  double cpu = 0;
  int64_t ram = 0;   // bytes
  int64_t disk = 0;  // bytes
  friend bool operator==(const Resource&, const Resource&) = default;
};

struct InstancePlan {
  std::string component;
  int32_t task_id = 0;
  int32_t component_index = 0;
  Resource resource;
  friend bool operator==(const InstancePlan&, const InstancePlan&) = default;
};

struct ContainerPlan {
  int32_t id = 0;
  std::vector<InstancePlan> instances;  // ordered by task id
  Resource required;
  std::optional<Resource> scheduled;  // what Aurora is asked for (homogeneous across containers)
  friend bool operator==(const ContainerPlan&, const ContainerPlan&) = default;
};

struct PackingPlan {
  std::string id;                         // the topology id
  std::vector<ContainerPlan> containers;  // ordered by container id

  int InstanceCount() const;
  std::map<std::string, int> ComponentCounts() const;
  // The per-dimension maximum of the containers' required resources (Aurora asks every
  // instance for the same).
  Resource MaxRequired() const;
  const ContainerPlan* Find(int32_t container_id) const;
  friend bool operator==(const PackingPlan&, const PackingPlan&) = default;
};

// Heron's defaults (heron.resources.instance.* and the padding keys).
struct PackingDefaults {
  Resource instance{1.0, int64_t{1} << 30, int64_t{1} << 30};
  int max_instances_per_container = 10;           // ResourceCompliantRR capacity when unset
  int padding_percentage = 10;                    // ResourceCompliantRR
  int64_t min_instance_ram = int64_t{192} << 20;  // ResourceCompliantRR MinRamConstraint
  int64_t rr_min_instance_ram = int64_t{16} << 20;
};

// Packs from scratch with the spec's algorithm. kInvalidArgument (with the reason) when the
// topology cannot be packed (too many containers, instances that do not fit).
StatusOr<PackingPlan> Pack(const crd::Topology& t, const std::string& topology_id,
                           const PackingDefaults& defaults = {});

// Re-packs for a new spec (scaling) starting from the current plan. ResourceCompliantRR keeps
// every existing placement, task id and index that survives, removes instances from the
// containers Heron's scorers pick, places new ones by flexible round robin, adds containers
// only when nothing fits and drops containers that end up empty. RoundRobin packs from scratch
// (as Heron does). Containers whose instances are unchanged keep identical InstancePlans.
StatusOr<PackingPlan> Repack(const PackingPlan& current, const crd::Topology& desired,
                             const std::string& topology_id, const PackingDefaults& defaults = {});

// Pack and Repack calls so far in this process: for tests and benchmarks that count how often
// a pass packs.
uint64_t PackingsSoFar();

// Container ids whose instance plans differ between two plans (added, removed or changed):
// the containers an update has to restart.
std::vector<int32_t> ChangedContainers(const PackingPlan& before, const PackingPlan& after);

// Each component's RAM per instance, the smallest over its instances, as heron-cli computes the
// executor's --component-ram-map (PackingPlan.getComponentRamDistribution).
std::map<std::string, int64_t> ComponentRamDistribution(const PackingPlan& plan);

// Per-component RAM from the spec's topology.component.resourcemap (ECO: "512MB", "1GB", bytes)
// or topology.component.rammap ("comp:bytes,comp:bytes"). Errors name the bad entry.
StatusOr<std::map<std::string, int64_t>> ComponentRamMap(const crd::Topology& t);

}  // namespace hgo::packing
