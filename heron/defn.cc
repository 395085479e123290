#include "heron/defn.h"

#include <map>
#include <set>
#include <tuple>

namespace hgo::heronmsg {
namespace {

constexpr char kParallelismKey[] = "topology.component.parallelism";

// A stream edge: (from, to, stream id, grouping).
using Edge = std::tuple<std::string, std::string, std::string, int>;

std::string EdgeString(const Edge& e) {
  return std::get<0>(e) + " -> " + std::get<1>(e) + " (stream " + std::get<2>(e) + ", grouping " +
         hp_api::Grouping_Name(static_cast<hp_api::Grouping>(std::get<3>(e))) + ")";
}

// Sets key in config to a STRING_VALUE, replacing an entry of that key if there is one.
void Override(hp_api::Config* config, const std::string& key, const std::string& value) {
  for (auto& kv : *config->mutable_kvs()) {
    if (kv.key() != key) continue;
    kv.set_value(value);
    kv.set_type(hp_api::STRING_VALUE);
    kv.clear_serialized_value();
    return;
  }
  auto* kv = config->add_kvs();
  kv->set_key(key);
  kv->set_value(value);
  kv->set_type(hp_api::STRING_VALUE);
}

void Trim(hp_api::Component* comp, int32_t parallelism) {
  comp->clear_serialized_object();
  Override(comp->mutable_config(), kParallelismKey, std::to_string(parallelism));
}

// Names present on one side only, as "spout 'x' is in the spec but not in the package".
void CompareNames(const char* kind, const std::set<std::string>& spec,
                  const std::set<std::string>& defn, std::vector<std::string>* diffs) {
  for (const auto& n : spec) {
    if (!defn.count(n)) diffs->push_back(std::string(kind) + " '" + n + "' is in the spec only");
  }
  for (const auto& n : defn) {
    if (!spec.count(n)) diffs->push_back(std::string(kind) + " '" + n + "' is in the package only");
  }
}

}  // namespace

StatusOr<hp_api::Topology> TopologyFromDefn(const std::string& defn_bytes,
                                            const std::string& defn_name, const crd::Topology& t,
                                            const std::string& topology_id, int containers,
                                            const std::string& spec_hash) {
  HGO_ASSIGN_OR_RETURN(hp_api::Topology topology,
                       ParseHeronMessage<hp_api::Topology>(defn_bytes, defn_name));
  const crd::LogicalPlanSpec& plan = t.spec.topology;

  std::set<std::string> spec_spouts, spec_bolts, defn_spouts, defn_bolts;
  for (const auto& s : plan.spouts) spec_spouts.insert(s.id);
  for (const auto& b : plan.bolts) spec_bolts.insert(b.id);
  for (const auto& s : topology.spouts()) defn_spouts.insert(s.comp().name());
  for (const auto& b : topology.bolts()) defn_bolts.insert(b.comp().name());
  std::set<Edge> spec_edges, defn_edges;
  for (const auto& s : plan.streams) {
    spec_edges.emplace(s.from, s.to,
                       s.grouping.stream_id.empty() ? "default" : s.grouping.stream_id,
                       ToProtoGrouping(s.grouping.type));
  }
  for (const auto& b : topology.bolts()) {
    for (const auto& in : b.inputs()) {
      defn_edges.emplace(in.stream().component_name(), b.comp().name(), in.stream().id(),
                         in.gtype());
    }
  }
  std::vector<std::string> diffs;
  CompareNames("spout", spec_spouts, defn_spouts, &diffs);
  CompareNames("bolt", spec_bolts, defn_bolts, &diffs);
  for (const auto& e : spec_edges) {
    if (!defn_edges.count(e)) diffs.push_back("stream " + EdgeString(e) + " is in the spec only");
  }
  for (const auto& e : defn_edges) {
    if (!spec_edges.count(e)) {
      diffs.push_back("stream " + EdgeString(e) + " is in the package only");
    }
  }
  if (!diffs.empty()) {
    std::string msg = defn_name + ": the package's topology does not match spec.topology:";
    for (const auto& d : diffs) msg += "\n  " + d;
    return Status::FailedPrecondition(msg);
  }

  std::map<std::string, int32_t> parallelism;
  for (const auto& s : plan.spouts) parallelism[s.id] = s.parallelism;
  for (const auto& b : plan.bolts) parallelism[b.id] = b.parallelism;
  for (auto& s : *topology.mutable_spouts()) {
    Trim(s.mutable_comp(), parallelism[s.comp().name()]);
  }
  for (auto& b : *topology.mutable_bolts()) {
    Trim(b.mutable_comp(), parallelism[b.comp().name()]);
  }
  topology.set_id(topology_id);
  topology.set_name(t.metadata.name);
  topology.set_state(t.spec.state == crd::DesiredState::kPaused ? hp_api::PAUSED : hp_api::RUNNING);
  auto* config = topology.mutable_topology_config();
  for (const auto& [k, v] : SpecConfigOverrides(t)) Override(config, k, v);
  for (const auto& [k, v] : ControllerConfig(t, containers, spec_hash)) {
    Override(config, k, v);
  }
  // Heron keeps runtime config only in the topology manager's physical plan, so a restarted
  // manager would start without it; written here, it starts with the revision's.
  HGO_RETURN_IF_ERROR(SetRuntimeConfig(topology, t.spec.runtime_config));
  return topology;
}

std::string DefnFromSpec(const crd::Topology& t, const std::string& topology_id, int containers) {
  return SerializeHeronMessage(BuildTopology(t, topology_id, containers));
}

}  // namespace hgo::heronmsg
