#include "crd/topology.h"

#include <algorithm>
#include <tuple>

#include "crd/field_error.h"

namespace hgo::crd {

std::string TopologyKey::ToString() const {
  return cluster + "/" + role + "/" + environment + "/" + name;
}

const char* GroupingTypeName(GroupingType t) {
  switch (t) {
    case GroupingType::kShuffle:
      return "SHUFFLE";
    case GroupingType::kFields:
      return "FIELDS";
    case GroupingType::kAll:
      return "ALL";
    case GroupingType::kGlobal:
      return "GLOBAL";
    case GroupingType::kNone:
      return "NONE";
    case GroupingType::kCustom:
      return "CUSTOM";
  }
  return "SHUFFLE";
}

const char* PackingAlgorithmName(PackingAlgorithm a) {
  return a == PackingAlgorithm::kRoundRobin ? "RoundRobin" : "ResourceCompliantRR";
}

const char* UpdateStrategyName(UpdateStrategy s) {
  return s == UpdateStrategy::kRecreate ? "Recreate" : "Rolling";
}

const char* SyncPolicyName(SyncPolicy p) { return p == SyncPolicy::kWarn ? "warn" : "repair"; }

const char* DesiredStateName(DesiredState s) {
  return s == DesiredState::kPaused ? "Paused" : "Running";
}

std::string ContainerCountKey(const Topology& t) {
  const Json& config = t.spec.topology.config;
  if (t.spec.topology.storm() && config.Find("topology.workers")) return "topology.workers";
  if (config.Find("topology.stmgrs")) return "topology.stmgrs";
  return "";
}

std::string FieldError::ToString() const {
  std::string out = file;
  if (location.line > 0) {
    out += ":" + std::to_string(location.line) + ":" + std::to_string(location.column);
  }
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

void SortErrors(std::vector<FieldError>& errors) {
  std::stable_sort(errors.begin(), errors.end(), [](const FieldError& a, const FieldError& b) {
    return std::tie(a.file, a.location.line, a.location.column, a.path) <
           std::tie(b.file, b.location.line, b.location.column, b.path);
  });
}

}  // namespace hgo::crd
