#include "crd/placement.h"

#include <set>

#include "crd/validation.h"
#include "crd/yaml_reader.h"

namespace hgo::crd {

void CheckPlacement(Placement& p, const Topology& base, std::vector<FieldError>& errors) {
  auto error = [&](const std::string& path, std::string message) {
    errors.push_back(
        FieldError{base.source_file, LocateField(base, path), path, std::move(message)});
  };
  if (p.clusters.empty()) error("spec.placement.clusters", "must name at least one cluster");
  std::set<std::string> names, components;
  for (const auto& c : base.spec.topology.spouts) components.insert(c.id);
  for (const auto& c : base.spec.topology.bolts) components.insert(c.id);
  for (size_t i = 0; i < p.clusters.size(); ++i) {
    const std::string path = IndexPath("spec.placement.clusters", i);
    const Placement::Cluster& c = p.clusters[i];
    if (c.name.empty()) continue;  // reported by the decoder
    if (!IsAuroraIdentifier(c.name)) {
      error(path + ".name", "'" + c.name +
                                "' is not a valid cluster name: use letters, digits, "
                                "'_', '-' and '.' only");
    }
    if (!names.insert(c.name).second)
      error(path + ".name", "cluster '" + c.name + "' is named twice");
    for (const auto& [id, n] : c.overrides.parallelism) {
      if (!components.count(id)) {
        error(KeyPath(path + ".overrides.parallelism", id),
              "no spout or bolt '" + id + "' in spec.topology");
      }
    }
  }
  if (p.waves.empty()) {
    p.waves.emplace_back();
    for (const auto& c : p.clusters) {
      if (!c.name.empty()) p.waves.back().push_back(c.name);
    }
    return;
  }
  std::set<std::string> placed;
  for (size_t w = 0; w < p.waves.size(); ++w) {
    const std::string path = IndexPath("spec.placement.waves", w);
    if (p.waves[w].empty()) error(path, "a wave names at least one cluster");
    for (const auto& name : p.waves[w]) {
      if (!names.count(name)) {
        error(path, "'" + name + "' is not one of spec.placement.clusters");
      } else if (!placed.insert(name).second) {
        error(path, "cluster '" + name + "' is in more than one wave");
      }
    }
  }
  for (const auto& name : names) {
    if (!placed.count(name)) {
      error("spec.placement.waves", "cluster '" + name + "' is in no wave");
    }
  }
}

Topology PlaceInCluster(const Topology& base, const PlacementPtr& placement, size_t cluster) {
  Topology t = base;
  const Placement::Cluster& c = placement->clusters[cluster];
  t.spec.cluster = c.name;
  t.placement = placement;
  const ClusterOverrides& o = c.overrides;
  if (o.cpu_millis) t.spec.resources.cpu_millis = o.cpu_millis;
  if (o.ram_bytes) t.spec.resources.ram_bytes = o.ram_bytes;
  if (o.disk_bytes) t.spec.resources.disk_bytes = o.disk_bytes;
  for (auto* list : {&t.spec.topology.spouts, &t.spec.topology.bolts}) {
    for (auto& component : *list) {
      if (auto it = o.parallelism.find(component.id); it != o.parallelism.end()) {
        component.parallelism = it->second;
      }
    }
  }
  if (o.packing) t.spec.packing = *o.packing;
  for (const auto& [name, value] : o.constraints) t.spec.constraints[name] = value;
  if (o.config.is_object()) {
    for (const auto& [key, value] : o.config.as_object()) t.spec.topology.config[key] = value;
  }
  return t;
}

}  // namespace hgo::crd
