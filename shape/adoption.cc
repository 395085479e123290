#include "shape/adoption.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>

#include "aurora/job_builder.h"
#include "common/base64.h"
#include "common/json.h"

namespace hgo::shape {

namespace {

using reconciler::Difference;
namespace hp_api = heronmsg::hp_api;

constexpr char kParallelismKey[] = "topology.component.parallelism";
constexpr char kAbsent[] = "(none)";

std::vector<std::string> Words(const std::string& cmdline) {
  std::istringstream in(cmdline);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(std::move(w));
  return out;
}

std::string Unquoted(std::string s) {
  if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front()) {
    s = s.substr(1, s.size() - 2);
  }
  return s;
}

std::string Joined(const std::vector<std::string>& parts, const char* sep = ",") {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out.empty() ? kAbsent : out;
}

std::string Number(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

std::string ConstraintsText(const std::vector<aurora::Constraint>& constraints) {
  std::vector<std::string> parts;
  for (const auto& c : constraints) {
    std::string v = c.name + "=";
    if (c.limit) {
      v += "limit:" + std::to_string(*c.limit);
    } else {
      v += (c.negated ? "!" : "") + Joined(c.values);
    }
    parts.push_back(std::move(v));
  }
  std::sort(parts.begin(), parts.end());
  return Joined(parts, " ");
}

std::string ConfigValue(const hp_api::Config& config, const std::string& key) {
  for (const auto& kv : config.kvs()) {
    if (kv.key() == key) return kv.value();
  }
  return kAbsent;
}

// Spouts and bolts by name.
std::map<std::string, const hp_api::Component*> Components(const hp_api::Topology& t, bool spouts) {
  std::map<std::string, const hp_api::Component*> out;
  if (spouts) {
    for (const auto& s : t.spouts()) out[s.comp().name()] = &s.comp();
  } else {
    for (const auto& b : t.bolts()) out[b.comp().name()] = &b.comp();
  }
  return out;
}

// Each stream as "source -> bolt (stream id, grouping[: fields])".
std::set<std::string> Streams(const hp_api::Topology& t) {
  std::set<std::string> out;
  for (const auto& b : t.bolts()) {
    for (const auto& in : b.inputs()) {
      std::string s = in.stream().component_name() + " -> " + b.comp().name() + " (" +
                      in.stream().id() + ", " + hp_api::Grouping_Name(in.gtype());
      std::vector<std::string> fields;
      for (const auto& k : in.grouping_fields().keys()) fields.push_back(k.key());
      if (!fields.empty()) s += ": " + Joined(fields);
      out.insert(s + ")");
    }
  }
  return out;
}

std::string OnlyIn(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return Joined(out, "; ");
}

std::string ContainerText(const packing::ContainerPlan* c) {
  if (!c) return kAbsent;
  std::vector<std::string> parts;
  for (const auto& i : c->instances) {
    parts.push_back(i.component + "#" + std::to_string(i.component_index) + " (task " +
                    std::to_string(i.task_id) + ", " + Number(i.resource.cpu) + " cpu, " +
                    std::to_string(i.resource.ram >> 20) + " MiB)");
  }
  return Joined(parts, ", ");
}

// A flag's value as the executor reads it: JVM options decoded; the RAM map is a dict to
// heron_executor.py, whose order heron-cli takes from a HashMap.
std::string FlagMeaning(const std::string& flag, const std::string& value) {
  if (flag == "--instance-jvm-opts" || flag == "--component-jvm-opts") {
    return DecodeJvmOptions(value);
  }
  if (flag == "--component-ram-map") {
    std::vector<std::string> entries;
    std::istringstream in(value);
    for (std::string e; std::getline(in, e, ',');) entries.push_back(e);
    std::sort(entries.begin(), entries.end());
    return Joined(entries);
  }
  return value;
}

class Comparison {
 public:
  explicit Comparison(reconciler::ObservedForeign& out) : out_(out) {}
  void Diff(const std::string& field, const std::string& live, const std::string& desired) {
    if (live != desired) out_.differences.push_back(Difference{field, live, desired});
  }

  void Job(const aurora::TaskConfig& live, const aurora::TaskConfig& want, size_t instances,
           int32_t want_instances) {
    Diff("Aurora instances", std::to_string(instances), std::to_string(want_instances));
    Diff("cpus per container", Number(live.cpus), Number(want.cpus));
    Diff("ram per container (MiB)", std::to_string(live.ram_mb), std::to_string(want.ram_mb));
    Diff("disk per container (MiB)", std::to_string(live.disk_mb), std::to_string(want.disk_mb));
    Diff("constraints", ConstraintsText(live.constraints), ConstraintsText(want.constraints));
    Diff("service", live.is_service ? "true" : "false", want.is_service ? "true" : "false");
    Diff("max task failures", std::to_string(live.max_task_failures),
         std::to_string(want.max_task_failures));
    Diff("priority", std::to_string(live.priority), std::to_string(want.priority));
    Diff("named ports", Joined({live.named_ports.begin(), live.named_ports.end()}),
         Joined({want.named_ports.begin(), want.named_ports.end()}));
    Diff("executor", live.executor_name, want.executor_name);
    auto live_thermos = ReadThermos(live.executor_data);
    auto want_thermos = ReadThermos(want.executor_data);
    if (!live_thermos.ok() || !want_thermos.ok()) {
      Diff("Thermos config", live_thermos.ok() ? "readable" : live_thermos.status().message(),
           want_thermos.ok() ? "readable" : want_thermos.status().message());
      return;
    }
    Thermos(*live_thermos, *want_thermos);
  }

  void Thermos(const ThermosFacts& live, const ThermosFacts& want) {
    Diff("Thermos processes", Joined(live.processes), Joined(want.processes));
    for (const char* fetch : {"fetch_heron_system", "fetch_user_package"}) {
      auto l = live.fetch_uris.find(fetch);
      auto w = want.fetch_uris.find(fetch);
      Diff(std::string(fetch) + " URI", l == live.fetch_uris.end() ? kAbsent : l->second,
           w == want.fetch_uris.end() ? kAbsent : w->second);
    }
    std::set<std::string> flags;
    for (const auto& [flag, value] : live.executor_flags) flags.insert(flag);
    for (const auto& [flag, value] : want.executor_flags) flags.insert(flag);
    for (const auto& flag : flags) {
      auto value = [&flag](const ThermosFacts& t) -> std::string {
        auto it = t.executor_flags.find(flag);
        return it == t.executor_flags.end() ? kAbsent : FlagMeaning(flag, it->second);
      };
      Diff(flag == "executable" ? "executor binary" : "executor flag " + flag, value(live),
           value(want));
    }
  }

  void LogicalPlan(const hp_api::Topology& live, const hp_api::Topology& want) {
    bool same_graph = true;
    for (bool spouts : {true, false}) {
      const auto l = Components(live, spouts), w = Components(want, spouts);
      std::vector<std::string> ln, wn;
      for (const auto& [name, c] : l) ln.push_back(name);
      for (const auto& [name, c] : w) wn.push_back(name);
      same_graph &= ln == wn;
      Diff(spouts ? "spouts" : "bolts", Joined(ln), Joined(wn));
      for (const auto& [name, comp] : w) {
        auto it = l.find(name);
        if (it == l.end()) continue;
        const hp_api::Component& have = *it->second;
        Diff(name + " parallelism", ConfigValue(have.config(), kParallelismKey),
             ConfigValue(comp->config(), kParallelismKey));
        if (!have.class_name().empty() && !comp->class_name().empty()) {
          Diff(name + " class", have.class_name(), comp->class_name());
        }
      }
    }
    const auto ls = Streams(live), ws = Streams(want);
    if (ls != ws) {
      same_graph = false;
      out_.differences.push_back(
          Difference{"streams", "only live: " + OnlyIn(ls, ws), "only desired: " + OnlyIn(ws, ls)});
    }
    out_.same_graph = same_graph;
  }

  // The config keys the spec sets (spec_keys) as each side holds them.
  void Config(const hp_api::Topology& live, const hp_api::Topology& want,
              const std::set<std::string>& spec_keys) {
    for (const auto& key : spec_keys) {
      Diff("config " + key, ConfigValue(live.topology_config(), key),
           ConfigValue(want.topology_config(), key));
    }
  }

  void Packing(const packing::PackingPlan& live, const packing::PackingPlan& want) {
    std::set<int32_t> ids;
    for (const auto& c : live.containers) ids.insert(c.id);
    for (const auto& c : want.containers) ids.insert(c.id);
    for (int32_t id : ids) {
      const packing::ContainerPlan* l = live.Find(id);
      const packing::ContainerPlan* w = want.Find(id);
      const bool same = l && w && l->instances == w->instances && l->required == w->required;
      if (!same) {
        out_.differences.push_back(Difference{"packing container " + std::to_string(id),
                                              ContainerText(l), ContainerText(w)});
      }
    }
  }

 private:
  reconciler::ObservedForeign& out_;
};

}  // namespace

StatusOr<ThermosFacts> ReadThermos(const std::string& executor_data) {
  auto json = ParseJson(executor_data);
  if (!json.ok()) return Status::InvalidArgument("not JSON: " + json.status().message());
  const Json* task = json->is_object() ? json->Find("task") : nullptr;
  const Json* processes = task && task->is_object() ? task->Find("processes") : nullptr;
  if (!processes || !processes->is_array()) {
    return Status::InvalidArgument("no task.processes: not a Thermos job");
  }
  ThermosFacts out;
  for (const auto& p : processes->as_array()) {
    const Json* name = p.is_object() ? p.Find("name") : nullptr;
    const Json* cmdline = p.is_object() ? p.Find("cmdline") : nullptr;
    if (!name || !name->is_string() || !cmdline || !cmdline->is_string()) {
      return Status::InvalidArgument("a process without a name or a cmdline");
    }
    out.processes.push_back(name->as_string());
    const std::vector<std::string> words = Words(cmdline->as_string());
    if (name->as_string().rfind("fetch_", 0) == 0) {
      for (const auto& w : words) {
        std::string u = Unquoted(w);
        if (u.find("://") != std::string::npos) {
          out.fetch_uris[name->as_string()] = u;
          break;
        }
      }
    } else if (name->as_string() == "launch_heron_executor" && !words.empty()) {
      out.executor_flags["executable"] = words[0];
      for (size_t i = 1; i < words.size(); ++i) {
        const size_t eq = words[i].find('=');
        out.executor_flags[words[i].substr(0, eq)] =
            eq == std::string::npos ? "" : words[i].substr(eq + 1);
      }
    }
  }
  return out;
}

std::string DecodeJvmOptions(const std::string& value) {
  std::string text = Unquoted(value);
  for (const std::string escape : {"(61)", "&equals;"}) {
    for (size_t at; (at = text.find(escape)) != std::string::npos;)
      text.replace(at, escape.size(), "=");
  }
  auto decoded = Base64Decode(text);
  if (!decoded.ok()) return value;
  if (decoded->empty()) return "";
  auto json = ParseJson(*decoded);
  if (json.ok() && json->is_object() && json->as_object().empty()) return "";
  return *decoded;
}

reconciler::ObservedForeign CompareLive(const crd::Topology& spec, const Shape& shape,
                                        const aurora::JobConfig& built,
                                        const heronmsg::hp_api::Topology& desired_topology,
                                        const LiveTopology& live) {
  reconciler::ObservedForeign out;
  if (!live.topology) {
    out.unreadable = "Heron's topologies node is missing or unreadable";
    return out;
  }
  out.topology_id = live.topology->id();
  std::map<int32_t, const aurora::Task*> instances;
  for (const auto& t : live.tasks) {
    if (aurora::IsActive(t.status)) instances.emplace(t.instance_id, &t);
  }
  if (instances.empty()) {
    out.unreadable = "the job has no active task";
    return out;
  }
  const aurora::TaskConfig& task = instances.begin()->second->config;
  out.live_task = aurora::LiveTaskHash(task);
  Comparison cmp(out);
  std::vector<std::string> others;
  for (const auto& [id, t] : instances) {
    if (aurora::LiveTaskHash(t->config) != out.live_task) others.push_back(std::to_string(id));
  }
  if (!others.empty()) cmp.Diff("task config of instances " + Joined(others), "another", "one");
  cmp.Job(task, built.task, instances.size(), shape.instances);
  int32_t restarts = 0;
  if (!out.differences.empty()) {
    for (const auto& [id, t] : instances) restarts += id < shape.instances ? 1 : 0;
  }
  out.restarts = restarts;
  cmp.LogicalPlan(*live.topology, desired_topology);
  std::set<std::string> spec_keys;
  for (const auto& [key, value] : heronmsg::SpecConfigOverrides(spec)) spec_keys.insert(key);
  cmp.Config(*live.topology, desired_topology, spec_keys);
  if (!live.packing) {
    cmp.Diff("packing plan", kAbsent, "present");
  } else {
    cmp.Packing(*live.packing, shape.packing);
  }
  return out;
}

namespace {

crd::GroupingType FromProtoGrouping(hp_api::Grouping g) {
  switch (g) {
    case hp_api::FIELDS:
      return crd::GroupingType::kFields;
    case hp_api::ALL:
      return crd::GroupingType::kAll;
    case hp_api::LOWEST:
      return crd::GroupingType::kGlobal;  // ECO's GLOBAL
    case hp_api::NONE:
      return crd::GroupingType::kNone;
    case hp_api::CUSTOM:
      return crd::GroupingType::kCustom;
    default:
      return crd::GroupingType::kShuffle;
  }
}

// A config value as a spec writes it: integers and booleans as such, the rest as strings.
Json ConfigJson(const std::string& text) {
  if (text == "true") return Json(true);
  if (text == "false") return Json(false);
  const bool integer =
      !text.empty() && text.size() < 18 &&
      text.find_first_not_of("0123456789", text[0] == '-' ? 1 : 0) == std::string::npos &&
      text != "-";
  return integer ? Json(static_cast<int64_t>(std::stoll(text))) : Json(text);
}

crd::ComponentSpec ComponentOf(const hp_api::Component& c, std::vector<std::string>* notes) {
  crd::ComponentSpec out;
  out.id = c.name();
  out.class_name = c.class_name();
  if (out.class_name.empty()) {
    out.class_name = "unknown." + c.name();
    notes->push_back(c.name() + ": the topology holds no class name; write the component's class");
  }
  const std::string parallelism = ConfigValue(c.config(), kParallelismKey);
  out.parallelism = parallelism == kAbsent ? 1 : std::stoi(parallelism);
  return out;
}

}  // namespace

StatusOr<crd::Topology> ImportSpec(const crd::TopologyKey& key, const LiveTopology& live,
                                   const aurora::ClusterConfig& cluster,
                                   const std::string& package_sha256, bool explicit_resources,
                                   std::vector<std::string>* notes) {
  if (!live.topology) return Status::FailedPrecondition("Heron's topologies node is missing");
  const aurora::Task* first = nullptr;
  for (const auto& t : live.tasks) {
    if (aurora::IsActive(t.status) && (!first || t.instance_id < first->instance_id)) first = &t;
  }
  if (!first) return Status::FailedPrecondition("the job has no active task");
  const aurora::TaskConfig& task = first->config;
  HGO_ASSIGN_OR_RETURN(ThermosFacts thermos, ReadThermos(task.executor_data));
  const hp_api::Topology& t = *live.topology;

  crd::Topology out;
  out.metadata.name = key.name;
  crd::TopologySpec& s = out.spec;
  s.cluster = key.cluster;
  s.role = key.role;
  s.environment = key.environment;
  s.package.uri = thermos.fetch_uris["fetch_user_package"];
  s.package.sha256 = package_sha256;
  if (const std::string& core = thermos.fetch_uris["fetch_heron_system"];
      !core.empty() && core != cluster.core_package_uri) {
    s.heron.core_package = core;
  }
  s.topology.type = "heron";  // keys as Heron names them, no Storm translation
  for (const auto& spout : t.spouts())
    s.topology.spouts.push_back(ComponentOf(spout.comp(), notes));
  for (const auto& bolt : t.bolts()) {
    s.topology.bolts.push_back(ComponentOf(bolt.comp(), notes));
    for (const auto& in : bolt.inputs()) {
      crd::StreamSpec stream;
      stream.from = in.stream().component_name();
      stream.to = bolt.comp().name();
      stream.grouping.type = FromProtoGrouping(in.gtype());
      if (in.stream().id() != "default") stream.grouping.stream_id = in.stream().id();
      for (const auto& k : in.grouping_fields().keys()) stream.grouping.args.push_back(k.key());
      if (stream.grouping.type == crd::GroupingType::kCustom) {
        notes->push_back(stream.from + " -> " + stream.to +
                         ": a custom grouping; write its class in grouping.customClass");
      }
      s.topology.streams.push_back(std::move(stream));
    }
  }
  s.packing.algorithm = crd::PackingAlgorithm::kRoundRobin;
  s.packing.containers = live.packing ? static_cast<int32_t>(live.packing->containers.size()) : 1;
  // The config keys the controller would not write by itself.
  crd::Topology bare = out;
  const hp_api::Topology defaults =
      heronmsg::BuildTopology(bare, t.id(), s.packing.containers.value_or(1));
  for (const auto& kv : t.topology_config().kvs()) {
    const std::string& k = kv.key();
    if (!kv.has_value() || k == heronmsg::kSpecHashConfigKey || heronmsg::IsRuntimeConfigKey(k) ||
        k == "topology.stmgrs" || ConfigValue(defaults.topology_config(), k) == kv.value()) {
      continue;
    }
    s.topology.config[k] = ConfigJson(kv.value());
  }
  if (explicit_resources) {
    s.resources.cpu_millis = static_cast<int64_t>(task.cpus * 1000 + 0.5);
    s.resources.ram_bytes = task.ram_mb << 20;
    s.resources.disk_bytes = task.disk_mb << 20;
  }
  for (const auto& c : task.constraints) {
    s.constraints[c.name] =
        c.limit ? "limit:" + std::to_string(*c.limit) : (c.negated ? "!" : "") + Joined(c.values);
  }
  if (t.state() == hp_api::PAUSED) s.state = crd::DesiredState::kPaused;
  return out;
}

}  // namespace hgo::shape
