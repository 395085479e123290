#include "crd/canonical.h"

#include <algorithm>
#include <set>

#include "common/sha256.h"
#include "crd/parser.h"

namespace hgo::crd {
namespace {

Json ComponentJson(const ComponentSpec& c) {
  Json j = c.object.is_object() ? c.object : Json::MakeObject();
  j["id"] = c.id;
  j["className"] = c.class_name;
  j["parallelism"] = static_cast<int64_t>(c.parallelism);
  return j;
}

Json SortedById(Json::Array items) {
  std::stable_sort(items.begin(), items.end(), [](const Json& a, const Json& b) {
    return a.Find("id")->as_string() < b.Find("id")->as_string();
  });
  return Json(std::move(items));
}

Json StreamJson(const StreamSpec& s) {
  Json j = Json::MakeObject();
  if (!s.name.empty()) j["name"] = s.name;
  if (!s.id.empty()) j["id"] = s.id;
  j["from"] = s.from;
  j["to"] = s.to;
  Json g = Json::MakeObject();
  g["type"] = GroupingTypeName(s.grouping.type);
  if (!s.grouping.args.empty()) {
    Json args = Json::MakeArray();
    for (const auto& a : s.grouping.args) args.push_back(a);  // order matters for FIELDS
    g["args"] = std::move(args);
  }
  if (!s.grouping.stream_id.empty()) g["streamId"] = s.grouping.stream_id;
  if (s.grouping.custom_class) g["customClass"] = *s.grouping.custom_class;
  j["grouping"] = std::move(g);
  return j;
}

Json StringMapJson(const std::map<std::string, std::string>& m) {
  Json j = Json::MakeObject();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

// The spec's shape: {topology: {key: value}, components: {name: {key: value}}}.
Json RuntimeConfigJson(const std::map<std::string, std::string>& entries) {
  Json out = Json::MakeObject();
  for (const auto& [entry, value] : entries) {
    const size_t colon = entry.find(':');
    if (colon == std::string::npos) {
      out["topology"][entry] = value;
    } else {
      out["components"][entry.substr(0, colon)][entry.substr(colon + 1)] = value;
    }
  }
  return out;
}

}  // namespace

Json CanonicalJson(const Topology& t) {
  const TopologySpec& s = t.spec;
  Json root = Json::MakeObject();
  root["apiVersion"] = t.api_version;
  root["kind"] = t.kind;
  root["metadata"]["name"] = t.metadata.name;
  root["metadata"]["labels"] = StringMapJson(t.metadata.labels);

  Json spec = Json::MakeObject();
  spec["cluster"] = s.cluster;
  spec["role"] = s.role;
  spec["environment"] = s.environment;
  Json heron = Json::MakeObject();
  if (!s.heron.version.empty()) heron["version"] = s.heron.version;
  if (!s.heron.core_package.empty()) heron["corePackage"] = s.heron.core_package;
  spec["heron"] = std::move(heron);
  spec["package"]["uri"] = s.package.uri;
  spec["package"]["sha256"] = s.package.sha256;

  Json plan = Json::MakeObject();
  plan["name"] = t.metadata.name;  // ECO's name always equals metadata.name
  if (!s.topology.type.empty()) plan["type"] = s.topology.type;  // absent: ECO's storm
  plan["config"] = s.topology.config.is_object() ? s.topology.config : Json::MakeObject();
  Json::Array beans, spouts, bolts, streams;
  for (const auto& b : s.topology.components) {
    Json j = b.object.is_object() ? b.object : Json::MakeObject();
    j["id"] = b.id;
    j["className"] = b.class_name;
    beans.push_back(std::move(j));
  }
  for (const auto& c : s.topology.spouts) spouts.push_back(ComponentJson(c));
  for (const auto& c : s.topology.bolts) bolts.push_back(ComponentJson(c));
  for (const auto& st : s.topology.streams) streams.push_back(StreamJson(st));
  // Streams are a set: order them by their own canonical bytes.
  std::sort(streams.begin(), streams.end(),
            [](const Json& a, const Json& b) { return Serialize(a) < Serialize(b); });
  plan["components"] = SortedById(std::move(beans));
  plan["spouts"] = SortedById(std::move(spouts));
  plan["bolts"] = SortedById(std::move(bolts));
  plan["streams"] = Json(std::move(streams));
  spec["topology"] = std::move(plan);

  spec["packing"]["algorithm"] = PackingAlgorithmName(s.packing.algorithm);
  if (s.packing.algorithm == PackingAlgorithm::kRoundRobin) {
    spec["packing"]["containers"] = static_cast<int64_t>(s.packing.containers.value_or(1));
  }
  Json resources = Json::MakeObject();
  if (s.resources.cpu_millis) resources["cpuMillis"] = *s.resources.cpu_millis;
  if (s.resources.ram_bytes) resources["ramBytes"] = *s.resources.ram_bytes;
  if (s.resources.disk_bytes) resources["diskBytes"] = *s.resources.disk_bytes;
  spec["resources"] = std::move(resources);
  spec["constraints"] = StringMapJson(s.constraints);
  Json update = Json::MakeObject();
  update["strategy"] = UpdateStrategyName(s.update.strategy);
  update["batchSize"] = static_cast<int64_t>(s.update.batch_size);
  update["minWaitInRunningSeconds"] = static_cast<int64_t>(s.update.min_wait_in_running_seconds);
  update["maxPerInstanceFailures"] = static_cast<int64_t>(s.update.max_per_instance_failures);
  update["maxFailedInstances"] = static_cast<int64_t>(s.update.max_failed_instances);
  update["rollbackOnFailure"] = s.update.rollback_on_failure;
  update["progressDeadlineSeconds"] = static_cast<int64_t>(s.update.progress_deadline_seconds);
  // Absent when false, so specs written before it keep their hash.
  if (s.update.sla_aware) update["slaAware"] = true;
  if (const auto& p = s.update.sla_policy) {
    Json policy = Json::MakeObject();
    if (p->percentage) policy["percentage"] = *p->percentage;
    if (p->count) policy["count"] = *p->count;
    policy["durationSeconds"] = p->duration_seconds;
    update["slaPolicy"] = std::move(policy);
  }
  spec["update"] = std::move(update);
  // Absent when none, as slaAware.
  if (!s.windows.empty()) {
    Json windows = Json::MakeArray();
    for (const auto& w : s.windows) windows.push_back(WindowToJson(w));
    spec["windows"] = std::move(windows);
  }
  // Absent when empty, so specs without it keep the hash they had before it existed.
  if (!s.runtime_config.empty()) spec["runtimeConfig"] = RuntimeConfigJson(s.runtime_config);
  spec["syncPolicy"] = SyncPolicyName(s.sync_policy);
  // Absent when the default, so specs written before it keep their hash.
  if (s.adopt != AdoptPolicy::kIfMatching) spec["adopt"] = AdoptPolicyName(s.adopt);
  spec["state"] = DesiredStateName(s.state);
  root["spec"] = std::move(spec);
  return root;
}

std::string CanonicalString(const Topology& t) { return Serialize(CanonicalJson(t)); }

Json HashInput(const Topology& t) {
  Json j = CanonicalJson(t);
  // Hashes of running topologies must not move when the controller is upgraded (a new task
  // hash restarts every container). Specs without `type` were hashed with "type":"heron" before
  // ECO's real default (storm) was read; they keep that input.
  Json& plan = j["spec"]["topology"];
  if (plan.is_object() && !plan.Find("type")) plan["type"] = "heron";
  return j;
}

std::string SpecHash(const Topology& t) { return Sha256Hex(Serialize(HashInput(t))); }

}  // namespace hgo::crd

namespace hgo::crd {

std::string TaskHash(const Topology& t) {
  Json j = HashInput(t);
  Json& spec = j["spec"];
  for (const char* list : {"spouts", "bolts"}) {
    Json& components = spec["topology"][list];
    if (!components.is_array()) continue;
    for (auto& c : components.as_array()) {
      if (c.is_object()) c.as_object().erase("parallelism");
    }
  }
  if (spec["packing"].is_object()) spec["packing"].as_object().erase("containers");
  for (const char* key : {"state", "syncPolicy", "adopt", "update", "runtimeConfig", "windows"}) {
    spec.as_object().erase(key);
  }
  if (j["metadata"].is_object()) j["metadata"].as_object().erase("labels");
  return Sha256Hex(Serialize(j));
}

std::string StreamGraphHash(const Topology& t) {
  const LogicalPlanSpec& plan = t.spec.topology;
  std::set<std::string> spouts, bolts, streams;
  for (const auto& c : plan.spouts) spouts.insert(c.id);
  for (const auto& c : plan.bolts) bolts.insert(c.id);
  for (const auto& s : plan.streams) {
    Json e = Json::MakeArray();
    e.as_array().push_back(Json(s.from));
    e.as_array().push_back(Json(s.to));
    e.as_array().push_back(Json(s.grouping.stream_id.empty() ? "default" : s.grouping.stream_id));
    e.as_array().push_back(Json(static_cast<int64_t>(s.grouping.type)));
    Json fields = Json::MakeArray();
    for (const auto& f : s.grouping.args) fields.as_array().push_back(Json(f));
    e.as_array().push_back(std::move(fields));
    e.as_array().push_back(s.grouping.custom_class ? *s.grouping.custom_class : Json());
    streams.insert(Serialize(e));
  }
  std::string text;
  for (const auto* part : {&spouts, &bolts, &streams}) {
    for (const auto& item : *part) text += item + "\n";
    text += "--\n";
  }
  return Sha256Hex(text);
}

std::string SpecTextFromCanonical(Json canonical) {
  Json* spec = canonical.Find("spec") ? &canonical["spec"] : nullptr;
  if (spec && spec->Find("resources") && (*spec)["resources"].is_object()) {
    Json& r = (*spec)["resources"];
    Json out = Json::MakeObject();
    if (const Json* cpu = r.Find("cpuMillis"); cpu && cpu->is_int()) {
      out["cpu"] = std::to_string(cpu->as_int()) + "m";
    }
    if (const Json* ram = r.Find("ramBytes"); ram && ram->is_int()) out["ram"] = *ram;
    if (const Json* disk = r.Find("diskBytes"); disk && disk->is_int()) out["disk"] = *disk;
    r = std::move(out);
  }
  return Serialize(canonical);
}

std::string SpecText(const Topology& t) { return SpecTextFromCanonical(CanonicalJson(t)); }

StatusOr<Topology> FromCanonicalJson(Json canonical, const std::string& origin) {
  ParseResult parsed = ParseTopologies(SpecTextFromCanonical(std::move(canonical)), origin);
  if (!parsed.ok()) {
    return Status::InvalidArgument(origin +
                                   ": not a valid spec: " + parsed.AllErrors().front().ToString());
  }
  std::vector<Topology> specs = parsed.Topologies();
  if (specs.size() != 1) {
    return Status::InvalidArgument(origin + ": holds " + std::to_string(specs.size()) +
                                   " topologies, not one");
  }
  return std::move(specs[0]);
}

}  // namespace hgo::crd
