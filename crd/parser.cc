#include "crd/parser.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <limits>
#include <optional>
#include <set>
#include <string_view>

#include "common/file_util.h"
#include "crd/placement.h"
#include "crd/quantity.h"
#include "crd/validation.h"
#include "crd/yaml_reader.h"

namespace hgo::crd {
namespace {

// The first line before `before` (1-based) that is an indented "---": a document marker can only
// start a line, so indented it is text that breaks the mapping around it.
std::optional<SourceLocation> IndentedDocumentMarker(std::string_view text, int before) {
  int line = 1;
  for (size_t at = 0; at < text.size() && (before <= 0 || line <= before); ++line) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(at, end - at);
    const size_t indent = l.find_first_not_of(" \t");
    if (indent != std::string_view::npos && indent > 0) {
      std::string_view rest = l.substr(indent);
      while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\r')) rest.remove_suffix(1);
      if (rest == "---") return SourceLocation{line, static_cast<int>(indent) + 1};
    }
    at = end + 1;
  }
  return std::nullopt;
}

// Reads an integer field with a range; reports out-of-range values with the limits.
std::optional<int32_t> IntInRange(MapReader& m, std::string_view key, int64_t min, int64_t max,
                                  ReadContext& ctx) {
  auto v = m.Int(key, false);
  if (!v) return std::nullopt;
  if (*v < min || *v > max) {
    std::string msg = *v < min ? "must be at least " + std::to_string(min)
                               : "must be at most " + std::to_string(max);
    ctx.Error(m.Get(key), m.Child(key), msg + ", got " + std::to_string(*v));
    return std::nullopt;
  }
  return static_cast<int32_t>(*v);
}

// constructorArgs, properties and configMethods of an ECO object, kept as data.
Json ReadObjectDetails(MapReader& m) {
  Json object = Json::MakeObject();
  for (std::string_view key : {"constructorArgs", "properties", "configMethods"}) {
    if (!m.Has(key)) continue;
    auto v = m.Value(key, false);
    if (v && !v->is_null()) object[std::string(key)] = std::move(*v);
  }
  return object;
}

ComponentSpec ReadComponent(ReadContext& ctx, const YAML::Node& node, const std::string& path) {
  ComponentSpec c;
  MapReader m(ctx, node, path);
  if (!m.ok()) return c;
  m.CheckKnown(
      {"id", "className", "parallelism", "constructorArgs", "properties", "configMethods"});
  c.id = m.String("id", true).value_or("");
  c.class_name = m.String("className", true).value_or("");
  c.parallelism = IntInRange(m, "parallelism", 1, kMaxParallelism, ctx).value_or(c.parallelism);
  c.object = ReadObjectDetails(m);
  return c;
}

BeanSpec ReadBean(ReadContext& ctx, const YAML::Node& node, const std::string& path) {
  BeanSpec b;
  MapReader m(ctx, node, path);
  if (!m.ok()) return b;
  m.CheckKnown({"id", "className", "constructorArgs", "properties", "configMethods"});
  b.id = m.String("id", true).value_or("");
  b.class_name = m.String("className", true).value_or("");
  b.object = ReadObjectDetails(m);
  return b;
}

StreamSpec ReadStream(ReadContext& ctx, const YAML::Node& node, const std::string& path) {
  StreamSpec s;
  MapReader m(ctx, node, path);
  if (!m.ok()) return s;
  m.CheckKnown({"name", "id", "from", "to", "grouping"});
  s.name = m.String("name", false).value_or("");
  s.id = m.String("id", false).value_or("");
  s.from = m.String("from", true).value_or("");
  s.to = m.String("to", true).value_or("");
  if (!m.Has("grouping") || m.Get("grouping").IsNull()) {
    ctx.Error(node, m.Child("grouping"), "is required");
    return s;
  }
  MapReader g(ctx, m.Get("grouping"), m.Child("grouping"));
  if (!g.ok()) return s;
  ctx.Record(g.path(), m.Get("grouping"));
  g.CheckKnown({"type", "args", "streamId", "customClass"});
  if (auto t = g.Enum("type", {"SHUFFLE", "FIELDS", "ALL", "GLOBAL", "NONE", "CUSTOM"}, true)) {
    static const std::map<std::string, GroupingType> kTypes = {
        {"SHUFFLE", GroupingType::kShuffle}, {"FIELDS", GroupingType::kFields},
        {"ALL", GroupingType::kAll},         {"GLOBAL", GroupingType::kGlobal},
        {"NONE", GroupingType::kNone},       {"CUSTOM", GroupingType::kCustom}};
    s.grouping.type = kTypes.at(*t);
  }
  if (auto args = g.StringList("args", false)) s.grouping.args = *args;
  s.grouping.stream_id = g.String("streamId", false).value_or("");
  if (g.Has("customClass")) {
    auto cc = g.Value("customClass", false);
    if (cc && !cc->is_null()) s.grouping.custom_class = std::move(*cc);
  }
  return s;
}

template <typename T, typename ReadOne>
std::vector<T> ReadList(ReadContext& ctx, MapReader& parent, std::string_view key,
                        ReadOne read_one) {
  std::vector<T> out;
  YAML::Node list = parent.Get(key);
  if (!list.IsDefined() || list.IsNull()) return out;
  std::string path = parent.Child(key);
  ctx.Record(path, list);
  if (!list.IsSequence()) {
    ctx.Error(list, path, "must be a list, got " + DescribeNode(list));
    return out;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    std::string item_path = IndexPath(path, i);
    ctx.Record(item_path, list[i]);
    out.push_back(read_one(ctx, list[i], item_path));
    if (ctx.budget_exhausted()) break;
  }
  return out;
}

void ReadLogicalPlan(ReadContext& ctx, MapReader& spec, LogicalPlanSpec& plan,
                     std::string& eco_name) {
  MapReader m(ctx, spec.Get("topology"), spec.Child("topology"));
  if (!m.ok()) return;
  ctx.Record(m.path(), spec.Get("topology"));
  m.CheckKnown({"name", "type", "config", "components", "spouts", "bolts", "streams"});
  eco_name = m.String("name", false).value_or("");
  plan.type = m.Enum("type", {"heron", "storm"}, false).value_or("");
  if (m.Has("config") && !m.Get("config").IsNull()) {
    auto config = m.Value("config", false);
    if (config && !config->is_object()) {
      ctx.Error(m.Get("config"), m.Child("config"),
                "must be a map of config keys to values, got " + DescribeNode(m.Get("config")));
    } else if (config) {
      plan.config = std::move(*config);
    }
  }
  plan.components = ReadList<BeanSpec>(ctx, m, "components", ReadBean);
  if (!m.Has("spouts")) ctx.Error(m.location(), m.Child("spouts"), "is required");
  plan.spouts = ReadList<ComponentSpec>(ctx, m, "spouts", ReadComponent);
  plan.bolts = ReadList<ComponentSpec>(ctx, m, "bolts", ReadComponent);
  plan.streams = ReadList<StreamSpec>(ctx, m, "streams", ReadStream);
}

void ReadResources(ReadContext& ctx, MapReader& spec, ResourcesSpec& r) {
  if (!spec.Has("resources") || spec.Get("resources").IsNull()) return;
  MapReader m(ctx, spec.Get("resources"), spec.Child("resources"));
  if (!m.ok()) return;
  m.CheckKnown({"cpu", "ram", "disk"});
  if (auto cpu = m.ScalarText("cpu", false)) {
    auto millis = ParseCpuMillis(*cpu);
    if (!millis.ok()) {
      ctx.Error(m.Get("cpu"), m.Child("cpu"), millis.status().message());
    } else {
      r.cpu_millis = *millis;
    }
  }
  for (auto [key, target] :
       {std::pair<std::string_view, std::optional<int64_t>*>{"ram", &r.ram_bytes},
        {"disk", &r.disk_bytes}}) {
    auto text = m.ScalarText(key, false);
    if (!text) continue;
    auto bytes = ParseByteQuantity(*text);
    if (!bytes.ok()) {
      ctx.Error(m.Get(key), m.Child(key), bytes.status().message());
    } else {
      *target = *bytes;
    }
  }
}

void ReadUpdate(ReadContext& ctx, MapReader& spec, UpdateSpec& u) {
  if (!spec.Has("update") || spec.Get("update").IsNull()) return;
  MapReader m(ctx, spec.Get("update"), spec.Child("update"));
  if (!m.ok()) return;
  m.CheckKnown({"strategy", "batchSize", "minWaitInRunningSeconds", "maxPerInstanceFailures",
                "maxFailedInstances", "rollbackOnFailure", "progressDeadlineSeconds", "slaAware",
                "slaPolicy"});
  if (auto s = m.Enum("strategy", {"Rolling", "Recreate"}, false)) {
    u.strategy = *s == "Rolling" ? UpdateStrategy::kRolling : UpdateStrategy::kRecreate;
  }
  u.batch_size = IntInRange(m, "batchSize", 1, kMaxInstances, ctx).value_or(u.batch_size);
  u.min_wait_in_running_seconds = IntInRange(m, "minWaitInRunningSeconds", 0, 3600, ctx)
                                      .value_or(u.min_wait_in_running_seconds);
  u.max_per_instance_failures =
      IntInRange(m, "maxPerInstanceFailures", 0, 100, ctx).value_or(u.max_per_instance_failures);
  u.max_failed_instances =
      IntInRange(m, "maxFailedInstances", 0, kMaxInstances, ctx).value_or(u.max_failed_instances);
  u.rollback_on_failure = m.Bool("rollbackOnFailure", false).value_or(u.rollback_on_failure);
  u.progress_deadline_seconds = IntInRange(m, "progressDeadlineSeconds", 30, 86400, ctx)
                                    .value_or(u.progress_deadline_seconds);
  u.sla_aware = m.Bool("slaAware", false).value_or(u.sla_aware);
  if (m.Has("slaPolicy") && !m.Get("slaPolicy").IsNull()) {
    MapReader p(ctx, m.Get("slaPolicy"), m.Child("slaPolicy"));
    if (!p.ok()) return;
    p.CheckKnown({"percentage", "count", "durationSeconds"});
    UpdateSpec::SlaPolicy policy;
    if (auto text = p.ScalarText("percentage", false)) {
      char* end = nullptr;
      const double v = std::strtod(text->c_str(), &end);
      if (end == text->c_str() || *end != '\0' || !(v > 0 && v <= 100)) {
        ctx.Error(p.Get("percentage"), p.Child("percentage"),
                  "must be a number above 0 and at most 100, got '" + *text + "'");
      } else {
        policy.percentage = v;
      }
    }
    if (auto c = IntInRange(p, "count", 1, kMaxInstances, ctx)) policy.count = *c;
    if (p.Has("percentage") == p.Has("count")) {
      ctx.Error(p.location(), p.path(), "give exactly one of percentage and count");
    }
    policy.duration_seconds = IntInRange(p, "durationSeconds", 0, 86400, ctx).value_or(0);
    u.sla_policy = policy;
  }
}

void ReadPacking(ReadContext& ctx, MapReader& parent, PackingSpec& out) {
  if (!parent.Has("packing") || parent.Get("packing").IsNull()) return;
  MapReader p(ctx, parent.Get("packing"), parent.Child("packing"));
  if (!p.ok()) return;
  p.CheckKnown({"algorithm", "containers"});
  if (auto a = p.Enum("algorithm", {"ResourceCompliantRR", "RoundRobin"}, false)) {
    out.algorithm =
        *a == "RoundRobin" ? PackingAlgorithm::kRoundRobin : PackingAlgorithm::kResourceCompliantRR;
  }
  if (auto c = IntInRange(p, "containers", 1, kMaxInstances - 1, ctx)) out.containers = c;
}

// spec.windows: a list of update windows (crd::WindowFromJson reads each).
void ReadWindows(ReadContext& ctx, MapReader& spec, std::vector<UpdateWindow>& out) {
  if (!spec.Has("windows") || spec.Get("windows").IsNull()) return;
  YAML::Node list = spec.Get("windows");
  const std::string path = spec.Child("windows");
  auto value = spec.Value("windows", false);
  if (!value) return;
  if (!value->is_array()) {
    ctx.Error(list, path, "must be a list of windows, got " + DescribeNode(list));
    return;
  }
  for (size_t i = 0; i < value->as_array().size(); ++i) {
    auto w = WindowFromJson(value->as_array()[i]);
    if (!w.ok()) {
      ctx.Error(list[i], IndexPath(path, i), w.status().message());
    } else {
      out.push_back(std::move(*w));
    }
  }
}

ClusterOverrides ReadOverrides(ReadContext& ctx, MapReader& cluster) {
  ClusterOverrides o;
  if (!cluster.Has("overrides") || cluster.Get("overrides").IsNull()) return o;
  MapReader m(ctx, cluster.Get("overrides"), cluster.Child("overrides"));
  if (!m.ok()) return o;
  m.CheckKnown({"resources", "parallelism", "packing", "constraints", "config"});
  ResourcesSpec r;
  ReadResources(ctx, m, r);
  o.cpu_millis = r.cpu_millis;
  o.ram_bytes = r.ram_bytes;
  o.disk_bytes = r.disk_bytes;
  if (m.Has("parallelism") && !m.Get("parallelism").IsNull()) {
    MapReader p(ctx, m.Get("parallelism"), m.Child("parallelism"));
    if (p.ok()) {
      for (const auto& [id, node] : p.entries()) {
        if (auto n = IntInRange(p, id, 1, kMaxInstances, ctx)) o.parallelism[id] = *n;
      }
    }
  }
  if (m.Has("packing") && !m.Get("packing").IsNull()) {
    PackingSpec packing;
    ReadPacking(ctx, m, packing);
    o.packing = packing;
  }
  if (auto c = m.StringMap("constraints", false)) o.constraints = *c;
  if (auto config = m.Value("config", false); config && !config->is_null()) {
    if (!config->is_object()) {
      ctx.Error(m.Get("config"), m.Child("config"), "must be a map of config keys to values");
    } else {
      o.config = std::move(*config);
    }
  }
  return o;
}

Placement::Cluster ReadPlacementCluster(ReadContext& ctx, const YAML::Node& node,
                                        const std::string& path) {
  Placement::Cluster c;
  MapReader m(ctx, node, path);
  if (!m.ok()) return c;
  m.CheckKnown({"name", "overrides"});
  c.name = m.String("name", true).value_or("");
  c.overrides = ReadOverrides(ctx, m);
  return c;
}

// spec.placement; the rules that need the whole of it are checked by CheckPlacement.
void ReadPlacement(ReadContext& ctx, MapReader& spec, Placement& p) {
  MapReader m(ctx, spec.Get("placement"), spec.Child("placement"));
  if (!m.ok()) return;
  m.CheckKnown({"clusters", "waves", "soakSeconds", "onFailure"});
  if (!m.Has("clusters")) ctx.Error(m.location(), m.Child("clusters"), "is required");
  p.clusters = ReadList<Placement::Cluster>(ctx, m, "clusters", ReadPlacementCluster);
  if (auto waves = m.Value("waves", false); waves && !waves->is_null()) {
    bool ok = waves->is_array();
    for (const Json& wave : ok ? waves->as_array() : Json::Array{}) {
      std::vector<std::string> names;
      ok &= wave.is_array();
      for (const Json& name : wave.is_array() ? wave.as_array() : Json::Array{}) {
        ok &= name.is_string();
        if (name.is_string()) names.push_back(name.as_string());
      }
      p.waves.push_back(std::move(names));
    }
    if (!ok) {
      ctx.Error(m.Get("waves"), m.Child("waves"),
                "must be a list of waves, each a list of cluster names: [[canary], [east, west]]");
    }
  }
  p.soak_seconds = IntInRange(m, "soakSeconds", 0, 7 * 86400, ctx).value_or(0);
  if (auto f = m.Enum("onFailure", {"RollbackWave", "KeepWave"}, false)) {
    p.on_failure = *f == "KeepWave" ? WaveFailure::kKeepWave : WaveFailure::kRollbackWave;
  }
}

// spec.runtimeConfig: {topology: {key: value}, components: {name: {key: value}}}, flattened to
// Heron's "[component:]key" form.
void ReadRuntimeConfig(ReadContext& ctx, MapReader& spec, std::map<std::string, std::string>& out) {
  if (!spec.Has("runtimeConfig") || spec.Get("runtimeConfig").IsNull()) return;
  MapReader r(ctx, spec.Get("runtimeConfig"), spec.Child("runtimeConfig"));
  if (!r.ok()) return;
  r.CheckKnown({"topology", "components"});
  if (auto topology = r.StringMap("topology", false)) out = *topology;
  if (!r.Has("components") || r.Get("components").IsNull()) return;
  MapReader components(ctx, r.Get("components"), r.Child("components"));
  if (!components.ok()) return;
  for (const auto& [name, node] : components.entries()) {
    if (auto kvs = components.StringMap(name, false)) {
      for (const auto& [key, value] : *kvs) out[name + ":" + key] = value;
    }
  }
}

void ReadSpec(ReadContext& ctx, MapReader& root, Topology& t, std::string& eco_name,
              std::shared_ptr<Placement>& placement) {
  MapReader m(ctx, root.Get("spec"), "spec");
  if (!m.ok()) return;
  m.CheckKnown({"cluster", "placement", "role", "environment", "heron", "package", "topology",
                "packing", "resources", "constraints", "update", "runtimeConfig", "syncPolicy",
                "adopt", "state", "windows"});
  TopologySpec& s = t.spec;
  const bool placed = m.Has("placement") && !m.Get("placement").IsNull();
  if (placed && m.Has("cluster")) {
    ctx.Error(m.Get("cluster"), m.Child("cluster"),
              "give either spec.cluster or spec.placement, not both");
  }
  if (placed) {
    placement = std::make_shared<Placement>();
    ReadPlacement(ctx, m, *placement);
  } else {
    s.cluster = m.String("cluster", true).value_or("");
  }
  s.role = m.String("role", true).value_or("");
  s.environment = m.String("environment", true).value_or("");
  if (m.Has("heron") && !m.Get("heron").IsNull()) {
    MapReader h(ctx, m.Get("heron"), m.Child("heron"));
    if (h.ok()) {
      h.CheckKnown({"version", "corePackage"});
      s.heron.version = h.String("version", false).value_or("");
      s.heron.core_package = h.String("corePackage", false).value_or("");
    }
  }
  if (!m.Has("package") || m.Get("package").IsNull()) {
    ctx.Error(m.location(), m.Child("package"), "is required");
  } else {
    MapReader p(ctx, m.Get("package"), m.Child("package"));
    if (p.ok()) {
      p.CheckKnown({"uri", "sha256"});
      s.package.uri = p.String("uri", true).value_or("");
      s.package.sha256 = p.String("sha256", true).value_or("");
    }
  }
  if (!m.Has("topology") || m.Get("topology").IsNull()) {
    ctx.Error(m.location(), m.Child("topology"), "is required");
  } else {
    ReadLogicalPlan(ctx, m, s.topology, eco_name);
  }
  ReadPacking(ctx, m, s.packing);
  ReadResources(ctx, m, s.resources);
  ReadWindows(ctx, m, s.windows);
  if (auto c = m.StringMap("constraints", false)) s.constraints = *c;
  ReadUpdate(ctx, m, s.update);
  ReadRuntimeConfig(ctx, m, s.runtime_config);
  if (auto p = m.Enum("syncPolicy", {"repair", "warn"}, false)) {
    s.sync_policy = *p == "repair" ? SyncPolicy::kRepair : SyncPolicy::kWarn;
  }
  if (auto a = m.Enum("adopt", {"IfMatching", "Replace", "Never"}, false)) {
    s.adopt = *a == "Replace" ? AdoptPolicy::kReplace
              : *a == "Never" ? AdoptPolicy::kNever
                              : AdoptPolicy::kIfMatching;
  }
  if (auto st = m.Enum("state", {"Running", "Paused"}, false)) {
    s.state = *st == "Running" ? DesiredState::kRunning : DesiredState::kPaused;
  }
}

// The key fields, read leniently, so an invalid document still says which topology it meant.
std::vector<TopologyKey> BestEffortKeys(const YAML::Node& doc) {
  try {
    if (!doc.IsMap()) return {};
    YAML::Node meta = doc["metadata"], spec = doc["spec"];
    if (!meta.IsMap() || !spec.IsMap()) return {};
    auto text = [](const YAML::Node& n) -> std::optional<std::string> {
      if (n.IsDefined() && n.IsScalar() && !n.Scalar().empty()) return n.Scalar();
      return std::nullopt;
    };
    auto name = text(meta["name"]), role = text(spec["role"]), env = text(spec["environment"]);
    if (!name || !role || !env) return {};
    std::vector<TopologyKey> keys;
    if (auto cluster = text(spec["cluster"])) keys.push_back({*cluster, *role, *env, *name});
    YAML::Node clusters = spec["placement"].IsMap() ? spec["placement"]["clusters"] : YAML::Node();
    if (clusters.IsSequence()) {
      for (const auto& c : clusters) {
        if (!c.IsMap()) continue;
        if (auto cluster = text(c["name"])) keys.push_back({*cluster, *role, *env, *name});
      }
    }
    return keys;
  } catch (const std::exception&) {
    return {};
  }
}

void DecodeDocument(const YAML::Node& doc, const std::string& file, const ParseOptions& options,
                    ParsedDocument& out) {
  Topology t;
  t.source_file = file;
  t.document_index = out.index;
  t.location = out.location;
  ReadContext ctx(file, ReaderLimits{options.max_nodes, options.max_depth}, &out.errors,
                  &t.field_locations);
  MapReader root(ctx, doc, "");
  if (!root.ok()) return;
  root.CheckKnown({"apiVersion", "kind", "metadata", "spec"});
  auto api = root.String("apiVersion", true);
  if (api && *api != kApiVersion) {
    ctx.Error(root.Get("apiVersion"), "apiVersion",
              "must be '" + std::string(kApiVersion) + "', got '" + *api + "'");
  }
  auto kind = root.String("kind", true);
  if (kind && *kind != kKind) {
    ctx.Error(root.Get("kind"), "kind",
              "must be '" + std::string(kKind) + "', got '" + *kind + "'");
  }
  if (!root.Has("metadata") || root.Get("metadata").IsNull()) {
    ctx.Error(root.location(), "metadata", "is required");
  } else {
    MapReader meta(ctx, root.Get("metadata"), "metadata");
    if (meta.ok()) {
      meta.CheckKnown({"name", "labels"});
      t.metadata.name = meta.String("name", true).value_or("");
      if (auto labels = meta.StringMap("labels", false)) t.metadata.labels = *labels;
    }
  }
  std::string eco_name;
  std::shared_ptr<Placement> placement;
  if (!root.Has("spec") || root.Get("spec").IsNull()) {
    ctx.Error(root.location(), "spec", "is required");
  } else {
    ReadSpec(ctx, root, t, eco_name, placement);
  }
  if (ctx.budget_exhausted()) return;
  // Semantic rules run on whatever decoded, so one pass reports every problem of the file.
  if (!placement) {
    ValidateTopology(t, eco_name, out.errors);
    if (out.errors.empty()) out.topologies.push_back(std::move(t));
    return;
  }
  CheckPlacement(*placement, t, out.errors);
  // The spec as every cluster shares it, then what each cluster's overrides add.
  Topology shared = t;
  if (!placement->clusters.empty()) shared.spec.cluster = placement->clusters[0].name;
  std::vector<FieldError> base;
  ValidateTopology(shared, eco_name, base);
  std::set<std::pair<std::string, std::string>> reported;
  for (const auto& e : base) reported.insert({e.path, e.message});
  out.errors.insert(out.errors.end(), base.begin(), base.end());
  PlacementPtr frozen = placement;
  std::vector<Topology> placed;
  for (size_t i = 0; i < placement->clusters.size(); ++i) {
    placed.push_back(PlaceInCluster(t, frozen, i));
    if (placement->clusters[i].overrides.empty()) continue;
    std::vector<FieldError> own;
    ValidateTopology(placed.back(), eco_name, own);
    for (auto& e : own) {
      if (!reported.insert({e.path, e.message}).second) continue;
      e.message += " (in cluster " + placement->clusters[i].name + ", with its overrides)";
      out.errors.push_back(std::move(e));
    }
  }
  if (out.errors.empty()) out.topologies = std::move(placed);
}

}  // namespace

bool ParseResult::ok() const {
  if (!file_errors.empty()) return false;
  for (const auto& d : documents) {
    if (!d.errors.empty()) return false;
  }
  return true;
}

std::vector<FieldError> ParseResult::AllErrors() const {
  std::vector<FieldError> all = file_errors;
  for (const auto& d : documents) all.insert(all.end(), d.errors.begin(), d.errors.end());
  SortErrors(all);
  return all;
}

std::vector<Topology> ParseResult::Topologies() const {
  std::vector<Topology> out;
  for (const auto& d : documents) {
    out.insert(out.end(), d.topologies.begin(), d.topologies.end());
  }
  return out;
}

ParseResult ParseTopologies(std::string_view content, const std::string& file,
                            const ParseOptions& options) {
  ParseResult result;
  result.file = file;
  if (content.size() > options.max_file_bytes) {
    result.file_errors.push_back(FieldError{file, SourceLocation{1, 1}, "",
                                            "file is " + std::to_string(content.size()) +
                                                " bytes, over the limit of " +
                                                std::to_string(options.max_file_bytes)});
    return result;
  }
  result.file_errors = PrescanYamlText(content, file, options.max_flow_depth);
  if (!result.file_errors.empty()) return result;

  std::vector<YAML::Node> docs;
  try {
    if (auto stuck = ProbeYamlStream(content, file, options.max_documents)) {
      result.file_errors.push_back(*stuck);
      return result;
    }
    docs = YAML::LoadAll(std::string(content));
  } catch (const YAML::DeepRecursion& e) {
    SourceLocation at{e.mark.line + 1, e.mark.column + 1};
    result.file_errors.push_back(FieldError{file, at, "",
                                            "nesting deeper than " + std::to_string(e.depth()) +
                                                " levels; the YAML parser stops here"});
    return result;
  } catch (const YAML::Exception& e) {
    // yaml-cpp stops at the first syntax error; its mark is 0-based.
    SourceLocation at =
        e.mark.is_null() ? SourceLocation{} : SourceLocation{e.mark.line + 1, e.mark.column + 1};
    if (auto marker = IndentedDocumentMarker(content, at.line)) {
      // Most of Heron's ECO examples open with "---"; pasted under spec.topology it is no
      // longer a document marker, and yaml-cpp trips a few lines further down.
      result.file_errors.push_back(FieldError{
          file, *marker, "",
          "a '---' document marker inside a document (ECO files start with one): remove it "
          "when pasting an ECO file under spec.topology (the YAML parser then failed at line " +
              std::to_string(at.line) + ": " + e.msg + ")"});
      return result;
    }
    result.file_errors.push_back(FieldError{file, at, "", "YAML syntax error: " + e.msg});
    return result;
  } catch (const std::exception& e) {
    result.file_errors.push_back(
        FieldError{file, SourceLocation{1, 1}, "", std::string("cannot parse YAML: ") + e.what()});
    return result;
  }
  if (static_cast<int>(docs.size()) > options.max_documents) {
    result.file_errors.push_back(FieldError{file, SourceLocation{1, 1}, "",
                                            "file has " + std::to_string(docs.size()) +
                                                " documents, over the limit of " +
                                                std::to_string(options.max_documents)});
    return result;
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    const YAML::Node& doc = docs[i];
    if (doc.IsNull() || !doc.IsDefined()) continue;  // "---" with nothing after it
    ParsedDocument parsed;
    parsed.index = static_cast<int>(i);
    parsed.location = LocationOf(doc);
    parsed.keys = BestEffortKeys(doc);
    try {
      DecodeDocument(doc, file, options, parsed);
    } catch (const std::exception& e) {
      // yaml-cpp's accessors may throw on malformed trees; never let that escape.
      parsed.errors.push_back(
          FieldError{file, parsed.location, "", std::string("cannot read document: ") + e.what()});
      parsed.topologies.clear();
    }
    SortErrors(parsed.errors);
    result.documents.push_back(std::move(parsed));
  }
  return result;
}

ParseResult ParseTopologyFile(const std::string& path, const ParseOptions& options) {
  auto content = ReadFileLimited(path, options.max_file_bytes);
  if (!content.ok()) {
    ParseResult result;
    result.file = path;
    result.file_errors.push_back(
        FieldError{path, SourceLocation{}, "", content.status().message()});
    return result;
  }
  return ParseTopologies(*content, path, options);
}

std::vector<FieldError> CheckUniqueKeys(const std::vector<Topology>& topologies) {
  std::vector<FieldError> errors;
  std::map<TopologyKey, const Topology*> first;
  std::map<std::pair<std::string, std::string>, const Topology*> first_named;  // cluster, name
  for (const auto& t : topologies) {
    auto [it, inserted] = first.emplace(t.key(), &t);
    if (inserted) {
      // Heron's state nodes are named by the topology alone (sources/desired_set.cc).
      auto [named, fresh] =
          first_named.emplace(std::make_pair(t.spec.cluster, t.metadata.name), &t);
      if (fresh) continue;
      const Topology& f = *named->second;
      errors.push_back(FieldError{t.source_file, t.location, "metadata.name",
                                  "topology " + t.key().ToString() + ": cluster " + t.spec.cluster +
                                      " already has a topology named " + t.metadata.name + " (" +
                                      f.key().ToString() + " at " + f.source_file + ":" +
                                      std::to_string(f.location.line) +
                                      "); Heron keeps one topology of a name per cluster"});
      continue;
    }
    const Topology& f = *it->second;
    errors.push_back(FieldError{t.source_file, t.location, "metadata.name",
                                "topology " + t.key().ToString() + " is already defined at " +
                                    f.source_file + ":" + std::to_string(f.location.line) +
                                    " (a key must be unique across all sources)"});
  }
  return errors;
}

}  // namespace hgo::crd
