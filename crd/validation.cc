#include "crd/validation.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/redact.h"
#include "common/sha256.h"
#include "crd/canonical.h"
#include "crd/quantity.h"
#include "crd/yaml_reader.h"

namespace hgo::crd {
namespace {

bool AllChars(std::string_view s, bool (*ok)(char)) { return std::all_of(s.begin(), s.end(), ok); }
bool IdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}
bool LabelKeyChar(char c) { return IdentChar(c) || c == '/'; }

bool IsJavaClassName(std::string_view s) {
  if (s.empty()) return false;
  bool start = true;
  for (char c : s) {
    if (c == '.') {
      if (start) return false;
      start = true;
      continue;
    }
    bool letter = std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$';
    if (start && !letter) return false;
    if (!start && !letter && !std::isdigit(static_cast<unsigned char>(c))) return false;
    start = false;
  }
  return !start;
}

bool HasAllowedScheme(std::string_view uri) {
  for (std::string_view scheme : {"file:///", "http://", "https://"}) {
    if (uri.size() > scheme.size() && uri.substr(0, scheme.size()) == scheme) return true;
  }
  return false;
}

constexpr const char kNoSecrets[] =
    "specs must not hold secrets: give a reference (file:/path or env:NAME) that the topology "
    "resolves itself, or keep the value in a file on the hosts or in the package's own config";

// A value that would carry a credential as it is: a non-empty string that is not a reference,
// or a number. Booleans, nulls, lists and maps are not (a map's own keys are looked at).
bool IsLiteral(const Json& v) {
  if (v.is_string()) return !v.as_string().empty() && !IsCredentialReference(v.as_string());
  return v.is_number();
}

class Validator {
 public:
  Validator(const Topology& t, std::vector<FieldError>& errors) : t_(t), errors_(errors) {}

  void Error(const std::string& path, std::string message) {
    errors_.push_back(FieldError{t_.source_file, LocateField(t_, path), path, std::move(message)});
  }
  bool Present(const std::string& path) const { return t_.field_locations.count(path) > 0; }

  void Identifier(const std::string& path, const std::string& value, const char* what) {
    if (value.empty()) return;  // reported as missing by the decoder
    if (value.size() > 255) {
      Error(path, std::string(what) + " is " + std::to_string(value.size()) +
                      " characters long; Aurora allows at most 255");
    } else if (!AllChars(value, IdentChar) || value == "." || value == "..") {
      Error(path, "'" + value + "' is not a valid " + what +
                      ": use letters, digits, '_', '-' and '.' only");
    }
  }

  void Run(const std::string& eco_name);

 private:
  void Metadata();
  void Package();
  void LogicalPlan(const std::string& eco_name);
  void ObjectRefs(const Json& object, const std::string& path, const std::set<std::string>& beans);
  void Config(const std::set<std::string>& component_ids);
  void ComponentRam(const std::set<std::string>& component_ids);
  void RuntimeConfig(const std::set<std::string>& component_ids);
  void PackingAndResources();
  void Constraints();
  void Credentials(const Json& value, const std::string& path);

  const Topology& t_;
  std::vector<FieldError>& errors_;
};

void Validator::Run(const std::string& eco_name) {
  Metadata();
  const TopologySpec& s = t_.spec;
  Identifier("spec.cluster", s.cluster, "cluster name");
  Identifier("spec.role", s.role, "role");
  Identifier("spec.environment", s.environment, "environment");
  if (!s.environment.empty() && IsAuroraIdentifier(s.environment) &&
      !IsAuroraEnvironment(s.environment)) {
    Error("spec.environment", "'" + s.environment +
                                  "' is not an Aurora environment: use prod, devel, test or "
                                  "staging<N>");
  }
  Package();
  LogicalPlan(eco_name);
  PackingAndResources();
  Constraints();
  Credentials(CanonicalJson(t_), "");
  if (s.update.sla_aware && !s.update.sla_policy) {
    Error("spec.update.slaAware",
          "needs spec.update.slaPolicy (percentage or count, durationSeconds): Aurora refuses an "
          "SLA-aware update of a task without one");
  }
  if (s.update.progress_deadline_seconds <= s.update.min_wait_in_running_seconds) {
    Error("spec.update.progressDeadlineSeconds",
          "must be greater than minWaitInRunningSeconds (" +
              std::to_string(s.update.min_wait_in_running_seconds) + "), got " +
              std::to_string(s.update.progress_deadline_seconds));
  }
}

void Validator::Metadata() {
  Identifier("metadata.name", t_.metadata.name, "topology name");
  for (const auto& [key, value] : t_.metadata.labels) {
    std::string path = KeyPath("metadata.labels", key);
    if (key.empty() || key.size() > 128 || !AllChars(key, LabelKeyChar)) {
      Error(path, "label key '" + key + "' must be 1 to 128 letters, digits, '_', '-', '.' or '/'");
    }
    if (value.size() > 256 || !AllChars(value, IdentChar)) {
      Error(path,
            "label value '" + value + "' must be at most 256 letters, digits, '_', '-' or '.'");
    }
  }
}

void Validator::Package() {
  const auto& p = t_.spec.package;
  if (!p.uri.empty() && !HasAllowedScheme(p.uri)) {
    Error("spec.package.uri",
          "'" + p.uri + "' must be a file:///absolute/path, http:// or https:// URI");
  }
  if (!p.sha256.empty() && !IsSha256Hex(p.sha256)) {
    std::string lower = p.sha256;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    Error("spec.package.sha256", IsSha256Hex(lower)
                                     ? "must be written in lower-case hex"
                                     : "must be 64 hex digits (the SHA-256 of the package), got " +
                                           std::to_string(p.sha256.size()) + " characters");
  }
  const auto& h = t_.spec.heron;
  if (!h.core_package.empty() && !HasAllowedScheme(h.core_package)) {
    Error("spec.heron.corePackage",
          "'" + h.core_package + "' must be a file:///absolute/path, http:// or https:// URI");
  }
  if (!h.version.empty()) {
    // Heron releases are numbered like 0.20.5 or 0.20.5-incubating.
    bool ok = std::isdigit(static_cast<unsigned char>(h.version[0])) &&
              AllChars(h.version, IdentChar) &&
              std::count(h.version.begin(), h.version.end(), '.') >= 2;
    if (!ok)
      Error("spec.heron.version", "'" + h.version + "' is not a Heron version such as 0.20.5");
  }
}

void Validator::LogicalPlan(const std::string& eco_name) {
  const LogicalPlanSpec& plan = t_.spec.topology;
  const std::string base = "spec.topology";
  if (!eco_name.empty() && !t_.metadata.name.empty() && eco_name != t_.metadata.name) {
    Error(base + ".name",
          "must equal metadata.name ('" + t_.metadata.name + "'), got '" + eco_name + "'");
  }
  std::set<std::string> beans;
  for (size_t i = 0; i < plan.components.size(); ++i) {
    const BeanSpec& b = plan.components[i];
    std::string path = IndexPath(base + ".components", i);
    if (!b.id.empty() && !beans.insert(b.id).second) {
      Error(path + ".id", "duplicate component id '" + b.id + "'");
    }
    if (!b.class_name.empty() && !IsJavaClassName(b.class_name)) {
      Error(path + ".className", "'" + b.class_name + "' is not a Java class name");
    }
  }
  for (size_t i = 0; i < plan.components.size(); ++i) {
    ObjectRefs(plan.components[i].object, IndexPath(base + ".components", i), beans);
  }
  if (Present(base + ".spouts") && plan.spouts.empty()) {
    Error(base + ".spouts", "must list at least one spout");
  }
  std::set<std::string> ids;
  std::set<std::string> bolt_ids;
  auto check_components = [&](const std::vector<ComponentSpec>& list, const std::string& field) {
    for (size_t i = 0; i < list.size(); ++i) {
      const ComponentSpec& c = list[i];
      std::string path = IndexPath(base + "." + field, i);
      if (!c.id.empty()) {
        if (c.id.size() > 255 || !AllChars(c.id, IdentChar)) {
          Error(path + ".id", "'" + c.id +
                                  "' is not a valid component id: use letters, digits, "
                                  "'_', '-' and '.' only");
        } else if (!ids.insert(c.id).second) {
          Error(path + ".id",
                "duplicate component id '" + c.id + "' (spouts and bolts share one namespace)");
        }
      }
      if (!c.class_name.empty() && !IsJavaClassName(c.class_name)) {
        Error(path + ".className", "'" + c.class_name + "' is not a Java class name");
      }
      ObjectRefs(c.object, path, beans);
    }
  };
  check_components(plan.spouts, "spouts");
  check_components(plan.bolts, "bolts");
  for (const auto& b : plan.bolts) bolt_ids.insert(b.id);

  std::set<std::tuple<std::string, std::string, std::string>> seen_streams;
  for (size_t i = 0; i < plan.streams.size(); ++i) {
    const StreamSpec& s = plan.streams[i];
    std::string path = IndexPath(base + ".streams", i);
    if (!s.from.empty() && !ids.count(s.from)) {
      Error(path + ".from", "no spout or bolt has id '" + s.from + "'");
    }
    if (!s.to.empty() && !bolt_ids.count(s.to)) {
      Error(path + ".to", ids.count(s.to) ? "'" + s.to + "' is a spout; only bolts receive streams"
                                          : "no bolt has id '" + s.to + "'");
    }
    if (!s.from.empty() && !s.to.empty() &&
        !seen_streams.emplace(s.from, s.to, s.grouping.stream_id).second) {
      Error(path, "duplicate stream from '" + s.from + "' to '" + s.to + "'" +
                      (s.grouping.stream_id.empty() ? "" : " on '" + s.grouping.stream_id + "'"));
    }
    const GroupingSpec& g = s.grouping;
    if (g.type == GroupingType::kFields) {
      if (g.args.empty()) {
        Error(path + ".grouping.args", "FIELDS grouping needs a non-empty list of field names");
      }
      for (size_t k = 0; k < g.args.size(); ++k) {
        if (g.args[k].empty()) Error(IndexPath(path + ".grouping.args", k), "must not be empty");
      }
    } else if (!g.args.empty()) {
      Error(path + ".grouping.args",
            std::string("only FIELDS grouping takes args; this is ") + GroupingTypeName(g.type));
    }
    if (g.type == GroupingType::kCustom && !g.custom_class) {
      Error(path + ".grouping.customClass", "CUSTOM grouping needs a customClass");
    } else if (g.type != GroupingType::kCustom && g.custom_class) {
      Error(path + ".grouping.customClass", "only CUSTOM grouping takes a customClass");
    }
  }
  Config(ids);
  RuntimeConfig(ids);
}

// constructorArgs entries may be {ref: bean}; properties are {name, value} or {name, ref};
// configMethods are {name, args}.
void Validator::ObjectRefs(const Json& object, const std::string& path,
                           const std::set<std::string>& beans) {
  auto check_ref = [&](const Json& ref, const std::string& at) {
    if (!ref.is_string() || ref.as_string().empty()) {
      Error(at, "ref must name a component");
    } else if (!beans.count(ref.as_string())) {
      Error(at, "no component (in spec.topology.components) has id '" + ref.as_string() + "'");
    }
  };
  if (const Json* args = object.Find("constructorArgs")) {
    if (!args->is_array()) {
      Error(path + ".constructorArgs", "must be a list");
    } else {
      for (size_t i = 0; i < args->as_array().size(); ++i) {
        const Json& a = args->as_array()[i];
        if (const Json* ref = a.Find("ref"))
          check_ref(*ref, IndexPath(path + ".constructorArgs", i) + ".ref");
      }
    }
  }
  if (const Json* props = object.Find("properties")) {
    if (!props->is_array()) {
      Error(path + ".properties", "must be a list of {name, value} or {name, ref}");
    } else {
      for (size_t i = 0; i < props->as_array().size(); ++i) {
        const Json& p = props->as_array()[i];
        std::string at = IndexPath(path + ".properties", i);
        const Json* name = p.Find("name");
        if (!p.is_object() || !name || !name->is_string() || name->as_string().empty()) {
          Error(at, "must be a map with a name and a value or a ref");
          continue;
        }
        bool has_value = p.Find("value") != nullptr, has_ref = p.Find("ref") != nullptr;
        if (has_value == has_ref) Error(at, "needs exactly one of value and ref");
        if (has_ref) check_ref(*p.Find("ref"), at + ".ref");
        for (const auto& [k, v] : p.as_object()) {
          if (k != "name" && k != "value" && k != "ref")
            Error(at + "." + k, "unknown field '" + k + "'");
        }
      }
    }
  }
  if (const Json* methods = object.Find("configMethods")) {
    if (!methods->is_array()) {
      Error(path + ".configMethods", "must be a list of {name, args}");
    } else {
      for (size_t i = 0; i < methods->as_array().size(); ++i) {
        const Json& m = methods->as_array()[i];
        std::string at = IndexPath(path + ".configMethods", i);
        const Json* name = m.Find("name");
        if (!m.is_object() || !name || !name->is_string() || name->as_string().empty()) {
          Error(at, "must be a map with a name and optional args");
          continue;
        }
        const Json* args = m.Find("args");
        if (args && !args->is_array()) Error(at + ".args", "must be a list");
      }
    }
  }
}

void Validator::Config(const std::set<std::string>& component_ids) {
  const Json& config = t_.spec.topology.config;
  if (!config.is_object()) return;
  const std::string base = "spec.topology.config";
  for (const auto& [key, value] : config.as_object()) {
    std::string path = KeyPath(base, key);
    if (key.empty()) Error(path, "config keys must not be empty");
  }
  // ECO's per-component maps must name components of this topology.
  for (const char* special : {"topology.component.resourcemap", "topology.component.jvmoptions"}) {
    const Json* list = config.Find(special);
    if (!list) continue;
    std::string path = KeyPath(base, special);
    if (!list->is_array()) {
      Error(path, "must be a list of entries with an id");
      continue;
    }
    for (size_t i = 0; i < list->as_array().size(); ++i) {
      const Json* id = list->as_array()[i].Find("id");
      if (!id || !id->is_string()) {
        Error(IndexPath(path, i), "needs an id naming a spout or bolt");
      } else if (!component_ids.count(id->as_string())) {
        Error(IndexPath(path, i) + ".id", "no spout or bolt has id '" + id->as_string() + "'");
      }
    }
  }
  ComponentRam(component_ids);
  // Heron's packing reads it as a byte count (Config.setContainerRamPadding writes
  // Long.toString(bytes); AbstractPacking parses it back as a ByteAmount).
  if (const Json* padding = config.Find("topology.container.ram.padding")) {
    const std::string text = ConfigValueText(*padding);
    const bool bytes = padding->is_int()
                           ? padding->as_int() >= 0
                           : padding->is_string() && !text.empty() && text.size() < 19 &&
                                 AllChars(text, [](char c) { return c >= '0' && c <= '9'; });
    if (!bytes) {
      Error(KeyPath(base, "topology.container.ram.padding"),
            "must be a whole number of bytes (Heron reads it as one), got '" + text + "'");
    }
  }
  if (const std::string key = ContainerCountKey(t_); !key.empty()) {
    const Json* count = config.Find(key);
    std::string path = KeyPath(base, key);
    const auto& packing = t_.spec.packing;
    if (packing.algorithm == PackingAlgorithm::kResourceCompliantRR) {
      Error(path, "ResourceCompliantRR computes the container count; remove " + key +
                      " or use packing.algorithm RoundRobin with packing.containers");
    } else if (!count->is_int() || count->as_int() < 1) {
      Error(path, "must be a container count (a whole number, at least 1)");
    } else if (packing.containers && count->as_int() != *packing.containers) {
      Error(path, "conflicts with spec.packing.containers; set the container count there only");
    }
  }
}

// Per-component RAM a Heron instance can run with: a JVM instance's heap is its RAM less 64 MiB
// of code cache and 128 MiB of metaspace (heron_executor.py), and Heron's ResourceCompliantRR
// refuses less than 192 MB for any instance (MinRamConstraint).
void Validator::ComponentRam(const std::set<std::string>& component_ids) {
  constexpr int64_t kReserved = int64_t{192} << 20;
  const Json& config = t_.spec.topology.config;
  auto check = [&](const std::string& path, const std::string& component, const std::string& text) {
    auto bytes = ParseEcoBytes(text);
    if (!bytes.ok()) {
      Error(path, "RAM of '" + component + "': " + bytes.status().message());
    } else if (*bytes <= kReserved) {
      Error(path, "RAM of '" + component + "' is " + FormatBytes(*bytes) +
                      "; a Heron instance needs more than 192Mi (its JVM reserves 64Mi of code "
                      "cache and 128Mi of metaspace)");
    }
  };
  if (const Json* list = config.Find("topology.component.resourcemap"); list && list->is_array()) {
    const std::string path = KeyPath("spec.topology.config", "topology.component.resourcemap");
    for (size_t i = 0; i < list->as_array().size(); ++i) {
      const Json& entry = list->as_array()[i];
      const Json* id = entry.Find("id");
      const Json* ram = entry.Find("ram");
      if (!id || !id->is_string() || !ram) continue;
      check(IndexPath(path, i) + ".ram", id->as_string(),
            ram->is_string() ? ram->as_string()
            : ram->is_int()  ? std::to_string(ram->as_int())
                             : "");
    }
  }
  const Json* rammap = config.Find("topology.component.rammap");
  if (!rammap) return;
  const std::string path = KeyPath("spec.topology.config", "topology.component.rammap");
  if (!rammap->is_string()) {
    Error(path, "must be a string of component:bytes entries separated by commas");
    return;
  }
  const std::string& text = rammap->as_string();
  for (size_t at = 0; at <= text.size();) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(at, comma - at);
    at = comma + 1;
    const size_t colon = item.rfind(':');
    if (colon == std::string::npos) {
      Error(path, "entry '" + item + "' is not component:bytes");
      continue;
    }
    const std::string component = item.substr(0, colon);
    if (!component_ids.count(component)) {
      Error(path, "no spout or bolt has id '" + component + "'");
      continue;
    }
    check(path, component, item.substr(colon + 1));
  }
}

// Heron's topology manager splits each `[component:]key:value` on ':' and takes two parts for the
// topology, three for a component, and refuses a component that is not one of the topology's
// (tcontroller.cpp ParseRuntimeConfig, tmanager.cpp ValidateRuntimeConfigNames); heron-cli sends
// them unencoded in the URL. Keys and values are held to the characters its authors meant
// ([\w.-], the pattern in ParseRuntimeConfig's comment).
void Validator::RuntimeConfig(const std::set<std::string>& component_ids) {
  auto plain = [](const std::string& text) {
    return !text.empty() && AllChars(text, [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
    });
  };
  std::set<std::string> unknown;
  for (const auto& [entry, value] : t_.spec.runtime_config) {
    const size_t colon = entry.find(':');
    const std::string component = colon == std::string::npos ? "" : entry.substr(0, colon);
    const std::string key = colon == std::string::npos ? entry : entry.substr(colon + 1);
    const std::string parent = component.empty()
                                   ? "spec.runtimeConfig.topology"
                                   : KeyPath("spec.runtimeConfig.components", component);
    if (!component.empty() && !component_ids.count(component)) {
      if (unknown.insert(component).second) {
        Error(parent, "no spout or bolt has id '" + component + "'");
      }
      continue;
    }
    if (!plain(key)) {
      Error(KeyPath(parent, key),
            "runtime config keys use letters, digits, '_', '.' and '-' only (Heron splits "
            "[component:]key:value on ':')");
    } else if (!plain(value)) {
      Error(KeyPath(parent, key),
            "runtime config values use letters, digits, '_', '.' and '-' "
            "only, and may not be empty; got '" +
                value + "'");
    }
  }
}

void Validator::PackingAndResources() {
  const TopologySpec& s = t_.spec;
  if (s.packing.containers && s.packing.algorithm != PackingAlgorithm::kRoundRobin) {
    Error("spec.packing.containers",
          "only RoundRobin takes a container count; ResourceCompliantRR computes it from "
          "spec.resources");
  }
  int64_t instances = 0;
  for (const auto& c : s.topology.spouts) instances += c.parallelism;
  for (const auto& c : s.topology.bolts) instances += c.parallelism;
  if (s.packing.containers && instances > 0 && *s.packing.containers > instances) {
    Error("spec.packing.containers", std::to_string(*s.packing.containers) + " containers for " +
                                         std::to_string(instances) +
                                         " instances would leave containers empty");
  }
  if (s.resources.cpu_millis && *s.resources.cpu_millis <= 0) {
    Error("spec.resources.cpu", "must be greater than 0");
  }
  constexpr int64_t kMiB = 1 << 20;
  if (s.resources.ram_bytes && *s.resources.ram_bytes < kMiB) {
    Error("spec.resources.ram", "must be at least 1Mi, got " + FormatBytes(*s.resources.ram_bytes));
  }
  if (s.resources.disk_bytes && *s.resources.disk_bytes < kMiB) {
    Error("spec.resources.disk",
          "must be at least 1Mi, got " + FormatBytes(*s.resources.disk_bytes));
  }
}

void Validator::Constraints() {
  for (const auto& [name, value] : t_.spec.constraints) {
    std::string path = KeyPath("spec.constraints", name);
    if (!IsAuroraIdentifier(name)) {
      Error(path, "constraint name '" + name + "' must use letters, digits, '_', '-' and '.'");
      continue;
    }
    const ConstraintSpec c = ParseConstraint(value);
    if (c.limit) {
      if (*c.limit < 1) {
        Error(path, "limit constraint must be limit:<N> with N >= 1, got '" + value + "'");
      } else if (name == "dedicated") {
        Error(path, "the dedicated constraint must be a value, not a limit");
      }
      continue;
    }
    const std::vector<std::string>& parts = c.values;
    if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
      Error(path, "value constraint must be [!]value[,value...] with no empty values, got '" +
                      value + "'");
      continue;
    }
    if (name == "dedicated") {
      const std::string& role = t_.spec.role;
      bool ok = parts.size() == 1 && value[0] != '!' &&
                (parts[0].rfind(role + "/", 0) == 0 || parts[0].rfind("*/", 0) == 0);
      if (!ok) {
        Error(path, "the dedicated constraint must be exactly one value '" + role +
                        "/<group>' or '*/<group>', got '" + value + "'");
      }
    }
  }
}

}  // namespace

bool IsAuroraIdentifier(std::string_view s) {
  return !s.empty() && s.size() <= 255 && AllChars(s, IdentChar);
}

bool IsAuroraEnvironment(std::string_view s) {
  if (s == "prod" || s == "devel" || s == "test") return true;
  if (s.rfind("staging", 0) != 0) return false;
  return AllChars(s.substr(7),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

// Every key and string of the spec (its canonical form, which names fields as the file does),
// for a literal credential: a credential-named key or ECO property with a literal value, or a
// string that carries one (common/redact.h's FindCredential: a URI's userinfo, an
// authorization, `-Dname=value`, `name=value`). The message never repeats the value.
void Validator::Credentials(const Json& value, const std::string& path) {
  if (value.is_object()) {
    const Json* name = value.Find("name");
    const Json* property = value.Find("value");
    if (name && name->is_string() && property && LooksLikeCredentialName(name->as_string()) &&
        IsLiteral(*property)) {
      Error(KeyPath(path, "value"),
            "property '" + name->as_string() + "' looks like a credential; " + kNoSecrets);
      return;
    }
    for (const auto& [key, child] : value.as_object()) {
      const std::string at = KeyPath(path, key);
      if (LooksLikeCredentialName(key) && IsLiteral(child)) {
        Error(at, std::string("looks like a credential; ") + kNoSecrets);
      } else {
        Credentials(child, at);
      }
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.as_array().size(); ++i) {
      Credentials(value.as_array()[i], IndexPath(path, i));
    }
  } else if (value.is_string()) {
    auto m = FindCredential(value.as_string());
    if (!m) return;
    switch (m->kind) {
      case CredentialMatch::Kind::kUserinfo:
        Error(path,
              std::string("holds a user name or password in a URI; ") + kNoSecrets +
                  " (a URI's credentials belong in a .netrc or credential file on the hosts)");
        break;
      case CredentialMatch::Kind::kAuthorization:
        Error(path, std::string("holds an HTTP authorization; ") + kNoSecrets);
        break;
      case CredentialMatch::Kind::kNamedValue:
        Error(path,
              "holds a value for '" + m->name + "', which looks like a credential; " + kNoSecrets);
        break;
    }
  }
}

SourceLocation LocateField(const Topology& t, const std::string& path) {
  std::string p = path;
  while (!p.empty()) {
    auto it = t.field_locations.find(p);
    if (it != t.field_locations.end() && it->second.line > 0) return it->second;
    size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  return t.location;
}

void ValidateTopology(const Topology& t, const std::string& eco_name,
                      std::vector<FieldError>& errors) {
  Validator(t, errors).Run(eco_name);
}

}  // namespace hgo::crd
