#include "crd/topology.h"

#include <algorithm>
#include <tuple>

#include "common/duration.h"
#include "crd/field_error.h"

namespace hgo::crd {

std::string TopologyKey::ToString() const {
  return cluster + "/" + role + "/" + environment + "/" + name;
}

StatusOr<TopologyKey> TopologyKey::Parse(std::string_view text, char separator) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (parts.size() != 4 ||
      std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
    const std::string s(1, separator);
    return Status::InvalidArgument("'" + std::string(text) + "' is not cluster" + s + "role" + s +
                                   "environment" + s + "name");
  }
  return TopologyKey{parts[0], parts[1], parts[2], parts[3]};
}

std::string ConfigValueText(const Json& value) {
  switch (value.type()) {
    case Json::Type::kString:
      return value.as_string();
    case Json::Type::kInt:
      return std::to_string(value.as_int());
    case Json::Type::kBool:
      return value.as_bool() ? "true" : "false";
    case Json::Type::kDouble:
      return FormatDouble(value.as_double());
    case Json::Type::kNull:
      return "";
    default:
      return Serialize(value);  // lists and maps, as their JSON text
  }
}

std::string ConfigText(const Topology& t, const std::string& key) {
  const Json* v = t.spec.topology.config.Find(key);
  return v ? ConfigValueText(*v) : "";
}

ConstraintSpec ParseConstraint(const std::string& value) {
  ConstraintSpec c;
  if (value.rfind("limit:", 0) == 0) {
    const std::string n = value.substr(6);
    const bool digits = !n.empty() && n.size() < 6 && std::all_of(n.begin(), n.end(), [](char d) {
      return d >= '0' && d <= '9';
    });
    c.limit = digits ? std::stoi(n) : 0;  // 0: not a valid limit
    return c;
  }
  c.negated = !value.empty() && value[0] == '!';
  const std::string list = c.negated ? value.substr(1) : value;
  for (size_t start = 0;;) {
    const size_t comma = list.find(',', start);
    c.values.push_back(list.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return c;
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

const char* AdoptPolicyName(AdoptPolicy p) {
  switch (p) {
    case AdoptPolicy::kReplace:
      return "Replace";
    case AdoptPolicy::kNever:
      return "Never";
    case AdoptPolicy::kIfMatching:
      break;
  }
  return "IfMatching";
}

const char* DesiredStateName(DesiredState s) {
  return s == DesiredState::kPaused ? "Paused" : "Running";
}

const char* WindowKindName(UpdateWindow::Kind k) {
  return k == UpdateWindow::Kind::kDeny ? "Deny" : "Allow";
}

const char* WaveFailureName(WaveFailure f) {
  return f == WaveFailure::kKeepWave ? "KeepWave" : "RollbackWave";
}

bool ClusterOverrides::empty() const {
  return !cpu_millis && !ram_bytes && !disk_bytes && parallelism.empty() && !packing &&
         constraints.empty() && (!config.is_object() || config.as_object().empty());
}

int Placement::WaveOf(const std::string& cluster) const {
  for (size_t i = 0; i < waves.size(); ++i) {
    for (const auto& c : waves[i]) {
      if (c == cluster) return static_cast<int>(i);
    }
  }
  return -1;
}

StatusOr<UpdateWindow> WindowFromJson(const Json& j) {
  if (!j.is_object())
    return Status::InvalidArgument("must be a mapping of kind, schedule, duration");
  for (const auto& [key, value] : j.as_object()) {
    if (key != "kind" && key != "schedule" && key != "duration" && key != "timeZone") {
      return Status::InvalidArgument(key +
                                     ": unknown field (known: kind, schedule, duration, "
                                     "timeZone)");
    }
  }
  auto text = [&](const char* key, bool required) -> StatusOr<std::string> {
    const Json* v = j.Find(key);
    if (!v || v->is_null()) {
      if (required) return Status::InvalidArgument(std::string(key) + ": is required");
      return std::string();
    }
    if (v->is_int()) return std::to_string(v->as_int());
    if (!v->is_string()) return Status::InvalidArgument(std::string(key) + ": must be a string");
    return v->as_string();
  };
  UpdateWindow w;
  HGO_ASSIGN_OR_RETURN(std::string kind, text("kind", true));
  if (kind != "Allow" && kind != "Deny") {
    return Status::InvalidArgument("kind: must be Allow or Deny, got '" + kind + "'");
  }
  w.kind = kind == "Deny" ? UpdateWindow::Kind::kDeny : UpdateWindow::Kind::kAllow;
  HGO_ASSIGN_OR_RETURN(std::string schedule, text("schedule", true));
  auto cron = CronSchedule::Parse(schedule);
  if (!cron.ok()) return Status::InvalidArgument("schedule: " + cron.status().message());
  w.schedule = std::move(*cron);
  HGO_ASSIGN_OR_RETURN(std::string duration, text("duration", true));
  auto seconds = ParseDurationSeconds(duration);
  if (!seconds.ok()) return Status::InvalidArgument("duration: " + seconds.status().message());
  if (seconds->count() > 31 * 86400) {
    return Status::InvalidArgument("duration: at most 31 days (744h), got " + duration);
  }
  w.duration_seconds = seconds->count();
  HGO_ASSIGN_OR_RETURN(std::string zone, text("timeZone", false));
  if (!zone.empty()) {
    auto loaded = TimeZone::Load(zone);
    if (!loaded.ok()) return Status::InvalidArgument("timeZone: " + loaded.status().message());
    w.zone = *loaded;
  }
  return w;
}

Json WindowToJson(const UpdateWindow& w) {
  Json j = Json::MakeObject();
  j["kind"] = WindowKindName(w.kind);
  j["schedule"] = w.schedule.text();
  j["duration"] = std::to_string(w.duration_seconds) + "s";
  j["timeZone"] = w.zone ? w.zone->name() : "UTC";
  return j;
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
