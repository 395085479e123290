#include "statestore/records.h"

#include <algorithm>

#include "common/redact.h"

namespace hgo::statestore {
namespace {

Json RevisionToJson(const Revision& v) {
  Json j = Json::MakeObject();
  j["number"] = v.number;
  j["specHash"] = v.spec_hash;
  j["source"] = v.source;
  j["sourceRevision"] = v.source_revision;
  j["packageSha256"] = v.package_sha256;
  j["topologyId"] = v.topology_id;
  if (!v.spec_json.empty()) {
    std::string text = v.spec_json.str();
    auto spec = ParseJson(text);
    j["spec"] = spec.ok() ? std::move(*spec) : Json(std::move(text));  // never dropped
  } else {
    j["spec"] = Json();
  }
  j["appliedAtMs"] = v.applied_at_ms;
  if (v.seen_ms) j["seenMs"] = v.seen_ms;
  if (v.running_ms) j["runningMs"] = v.running_ms;
  if (v.stable_ms) j["stableMs"] = v.stable_ms;
  j["outcome"] = v.outcome;
  j["message"] = v.message;
  j["jobHash"] = v.job_hash;
  j["instances"] = static_cast<int64_t>(v.instances);
  if (!v.graph_hash.empty()) j["streamGraphHash"] = v.graph_hash;
  if (!v.runtime_config.empty()) {
    Json runtime = Json::MakeObject();
    for (const auto& [key, value] : v.runtime_config) runtime[key] = value;
    j["runtimeConfig"] = std::move(runtime);
  }
  if (const ContainerSize* size = v.container_size ? &*v.container_size : nullptr) {
    Json c = Json::MakeObject();
    c["taskHash"] = size->task_hash;
    c["cpus"] = size->cpus;
    c["ramBytes"] = size->ram_bytes;
    c["diskBytes"] = size->disk_bytes;
    Json ram = Json::MakeObject();
    for (const auto& [component, bytes] : size->component_ram) ram[component] = bytes;
    c["componentRam"] = std::move(ram);
    j["containerSize"] = std::move(c);
  }
  return j;
}

// Field readers that tolerate absence (defaults) but not wrong types.
class Reader {
 public:
  explicit Reader(const Json& j, std::string where) : j_(j), where_(std::move(where)) {}
  Status status() const { return status_; }

  std::string Str(const char* key) {
    const Json* v = j_.Find(key);
    if (!v || v->is_null()) return "";
    if (!v->is_string()) return Bad(key, "a string"), "";
    return v->as_string();
  }
  int64_t Int(const char* key, int64_t fallback = 0) {
    const Json* v = j_.Find(key);
    if (!v || v->is_null()) return fallback;
    if (!v->is_int()) return Bad(key, "an integer"), fallback;
    return v->as_int();
  }
  double Number(const char* key) {
    const Json* v = j_.Find(key);
    if (!v || v->is_null()) return 0;
    if (v->is_int()) return static_cast<double>(v->as_int());
    if (!v->is_double()) return Bad(key, "a number"), 0;
    return v->as_double();
  }
  bool Bool(const char* key) {
    const Json* v = j_.Find(key);
    if (!v || v->is_null()) return false;
    if (!v->is_bool()) return Bad(key, "a boolean"), false;
    return v->as_bool();
  }
  const Json::Array* Arr(const char* key) {
    const Json* v = j_.Find(key);
    if (!v || v->is_null()) return nullptr;
    if (!v->is_array()) return Bad(key, "a list"), nullptr;
    return &v->as_array();
  }
  const Json* Obj(const char* key) {
    const Json* v = j_.Find(key);
    if (!v || v->is_null()) return nullptr;
    if (!v->is_object()) return Bad(key, "an object"), nullptr;
    return v;
  }
  void Fail(Status s) {
    if (status_.ok()) status_ = std::move(s);
  }

 private:
  void Bad(const char* key, const char* want) {
    Fail(Status::InvalidArgument(where_ + "." + key + " must be " + want));
  }
  const Json& j_;
  std::string where_;
  Status status_;
};

StatusOr<Revision> RevisionFromJson(const Json& j, const std::string& where) {
  if (!j.is_object()) return Status::InvalidArgument(where + " must be an object");
  Reader r(j, where);
  Revision v;
  v.number = r.Int("number");
  v.spec_hash = r.Str("specHash");
  v.source = r.Str("source");
  v.source_revision = r.Str("sourceRevision");
  v.package_sha256 = r.Str("packageSha256");
  v.topology_id = r.Str("topologyId");
  if (const Json* spec = j.Find("spec"); spec && !spec->is_null()) v.spec_json = Serialize(*spec);
  v.applied_at_ms = r.Int("appliedAtMs");
  v.seen_ms = r.Int("seenMs");
  v.running_ms = r.Int("runningMs");
  v.stable_ms = r.Int("stableMs");
  v.outcome = r.Str("outcome");
  v.message = r.Str("message");
  v.job_hash = r.Str("jobHash");
  v.instances = static_cast<int32_t>(r.Int("instances"));
  v.graph_hash = r.Str("streamGraphHash");
  if (const Json* runtime = r.Obj("runtimeConfig")) {
    for (const auto& [key, value] : runtime->as_object()) {
      if (!value.is_string()) {
        r.Fail(Status::InvalidArgument(where + ".runtimeConfig." + key + " must be a string"));
      } else {
        v.runtime_config[key] = value.as_string();
      }
    }
  }
  if (const Json* size = r.Obj("containerSize")) {
    const std::string at = where + ".containerSize";
    Reader c(*size, at);
    ContainerSize out;
    out.task_hash = c.Str("taskHash");
    out.cpus = c.Number("cpus");
    out.ram_bytes = c.Int("ramBytes");
    out.disk_bytes = c.Int("diskBytes");
    if (const Json* ram = c.Obj("componentRam")) {
      for (const auto& [component, bytes] : ram->as_object()) {
        if (!bytes.is_int()) {
          c.Fail(
              Status::InvalidArgument(at + ".componentRam." + component + " must be an integer"));
        } else {
          out.component_ram[component] = bytes.as_int();
        }
      }
    }
    r.Fail(c.status());
    v.container_size = std::move(out);
  }
  HGO_RETURN_IF_ERROR(r.status());
  return v;
}

}  // namespace

std::string KeyToNodeName(const crd::TopologyKey& key) {
  return key.cluster + "~" + key.role + "~" + key.environment + "~" + key.name;
}

StatusOr<crd::TopologyKey> NodeNameToKey(std::string_view name) {
  auto key = crd::TopologyKey::Parse(name, '~');
  if (!key.ok()) {
    return Status::InvalidArgument("'" + std::string(name) +
                                   "' is not a record name (cluster~role~environment~name)");
  }
  return key;
}

Json RecordToJson(const TopologyRecord& r) {
  Json j = Json::MakeObject();
  j["key"] = r.key.ToString();
  j["phase"] = r.phase;
  if (r.applied) j["applied"] = RevisionToJson(*r.applied);
  if (r.last_stable) j["lastStable"] = RevisionToJson(*r.last_stable);
  Json history = Json::MakeArray();
  for (const auto& v : r.history) history.push_back(RevisionToJson(v));
  j["history"] = std::move(history);
  Json conditions = Json::MakeArray();
  for (const auto& c : r.conditions) {
    Json cj = Json::MakeObject();
    cj["type"] = c.type;
    cj["status"] = c.status;
    cj["reason"] = c.reason;
    cj["message"] = c.message;
    cj["lastTransitionMs"] = c.last_transition_ms;
    conditions.push_back(std::move(cj));
  }
  j["conditions"] = std::move(conditions);
  Json events = Json::MakeArray();
  for (const auto& e : r.events) {
    Json ej = Json::MakeObject();
    ej["type"] = e.type;
    ej["reason"] = e.reason;
    ej["message"] = e.message;
    ej["count"] = static_cast<int64_t>(e.count);
    ej["firstMs"] = e.first_ms;
    ej["lastMs"] = e.last_ms;
    events.push_back(std::move(ej));
  }
  j["events"] = std::move(events);
  Json failed = Json::MakeArray();
  for (const auto& h : r.failed_spec_hashes) failed.push_back(h);
  j["failedSpecHashes"] = std::move(failed);
  if (r.pinned_revision) j["pinnedRevision"] = *r.pinned_revision;
  j["suspended"] = r.suspended;
  j["nextRevision"] = r.next_revision;
  j["pinnedForSpecHash"] = r.pinned_for_spec_hash;
  j["rolloutStartedMs"] = r.rollout_started_ms;
  j["absentSinceMs"] = r.absent_since_ms;
  j["message"] = r.message;
  j["phaseSinceMs"] = r.phase_since_ms;
  j["sourceRevision"] = r.source_revision;
  if (!r.rollout_halted_for.empty()) j["rolloutHaltedFor"] = r.rollout_halted_for;
  if (!r.soak_waived_for.empty()) j["soakWaivedFor"] = r.soak_waived_for;
  if (!r.adoption.spec_hash.empty()) {
    Json a = Json::MakeObject();
    a["specHash"] = r.adoption.spec_hash;
    a["liveTask"] = r.adoption.live_task;
    a["builtTask"] = r.adoption.built_task;
    a["topologyId"] = r.adoption.topology_id;
    a["atMs"] = r.adoption.at_ms;
    j["adoption"] = std::move(a);
  }
  return j;
}

StatusOr<TopologyRecord> RecordFromJson(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("record must be a JSON object");
  Reader r(j, "record");
  TopologyRecord rec;
  const std::string key = r.Str("key");
  auto parsed = crd::TopologyKey::Parse(key);
  if (!parsed.ok()) return Status::InvalidArgument("record.key '" + key + "' is not c/r/e/n");
  rec.key = std::move(*parsed);
  rec.phase = r.Str("phase");
  if (const Json* a = r.Obj("applied")) {
    HGO_ASSIGN_OR_RETURN(rec.applied, RevisionFromJson(*a, "record.applied"));
  }
  if (const Json* s = r.Obj("lastStable")) {
    HGO_ASSIGN_OR_RETURN(rec.last_stable, RevisionFromJson(*s, "record.lastStable"));
  }
  if (const auto* history = r.Arr("history")) {
    for (size_t i = 0; i < history->size(); ++i) {
      HGO_ASSIGN_OR_RETURN(Revision v, RevisionFromJson((*history)[i], "record.history"));
      rec.history.push_back(std::move(v));
    }
  }
  if (const auto* conditions = r.Arr("conditions")) {
    for (const auto& cj : *conditions) {
      Reader cr(cj, "record.conditions");
      Condition c{cr.Str("type"), cr.Str("status"), cr.Str("reason"), cr.Str("message"),
                  cr.Int("lastTransitionMs")};
      HGO_RETURN_IF_ERROR(cr.status());
      rec.conditions.push_back(std::move(c));
    }
  }
  if (const auto* events = r.Arr("events")) {
    for (const auto& ej : *events) {
      Reader er(ej, "record.events");
      Event e{er.Str("type"),    er.Str("reason"),
              er.Str("message"), static_cast<int32_t>(er.Int("count", 1)),
              er.Int("firstMs"), er.Int("lastMs")};
      HGO_RETURN_IF_ERROR(er.status());
      rec.events.push_back(std::move(e));
    }
  }
  if (const auto* failed = r.Arr("failedSpecHashes")) {
    for (const auto& h : *failed) {
      if (!h.is_string()) return Status::InvalidArgument("record.failedSpecHashes: strings only");
      rec.failed_spec_hashes.insert(h.as_string());
    }
  }
  if (const Json* pin = j.Find("pinnedRevision"); pin && !pin->is_null()) {
    if (!pin->is_int()) return Status::InvalidArgument("record.pinnedRevision must be an integer");
    rec.pinned_revision = pin->as_int();
  }
  rec.suspended = r.Bool("suspended");
  rec.next_revision = r.Int("nextRevision", 1);
  rec.pinned_for_spec_hash = r.Str("pinnedForSpecHash");
  rec.rollout_started_ms = r.Int("rolloutStartedMs");
  rec.absent_since_ms = r.Int("absentSinceMs");
  rec.message = r.Str("message");
  rec.phase_since_ms = r.Int("phaseSinceMs");
  rec.source_revision = r.Str("sourceRevision");
  rec.rollout_halted_for = r.Str("rolloutHaltedFor");
  rec.soak_waived_for = r.Str("soakWaivedFor");
  if (const Json* a = r.Obj("adoption")) {
    Reader ar(*a, "record.adoption");
    rec.adoption = Adoption{ar.Str("specHash"), ar.Str("liveTask"), ar.Str("builtTask"),
                            ar.Str("topologyId"), ar.Int("atMs")};
    HGO_RETURN_IF_ERROR(ar.status());
  }
  HGO_RETURN_IF_ERROR(r.status());
  return rec;
}

std::string SerializeRecord(const TopologyRecord& r) { return Serialize(RecordToJson(r)); }

StatusOr<TopologyRecord> ParseRecord(std::string_view text) {
  HGO_ASSIGN_OR_RETURN(Json j, ParseJson(text));
  return RecordFromJson(j);
}

void AddRevision(TopologyRecord& r, Revision rev) {
  rev.number = r.next_revision++;
  r.history.push_back(std::move(rev));
  if (r.history.size() > kMaxHistory) {
    r.history.erase(r.history.begin(), r.history.end() - kMaxHistory);
  }
}

void RecordEvent(TopologyRecord& r, std::string type, std::string reason, std::string message,
                 int64_t now_ms) {
  RedactInPlace(message);  // stored in ZooKeeper, shown by the API, the UI and heronctl
  for (auto it = r.events.rbegin(); it != r.events.rend(); ++it) {
    if (it->type == type && it->reason == reason && it->message == message) {
      ++it->count;
      it->last_ms = now_ms;
      // Move it to the end: it is the newest again.
      Event e = *it;
      r.events.erase(std::next(it).base());
      r.events.push_back(std::move(e));
      return;
    }
  }
  r.events.push_back(
      Event{std::move(type), std::move(reason), std::move(message), 1, now_ms, now_ms});
  if (r.events.size() > kMaxEvents) {
    r.events.erase(r.events.begin(), r.events.end() - kMaxEvents);
  }
}

void SetCondition(TopologyRecord& r, Condition c) {
  RedactInPlace(c.message);
  for (auto& existing : r.conditions) {
    if (existing.type != c.type) continue;
    if (existing.status == c.status) c.last_transition_ms = existing.last_transition_ms;
    existing = std::move(c);
    return;
  }
  r.conditions.push_back(std::move(c));
}

void MarkFailed(TopologyRecord& r, const std::string& spec_hash) {
  if (r.failed_spec_hashes.size() >= kMaxFailedHashes) r.failed_spec_hashes.clear();
  r.failed_spec_hashes.insert(spec_hash);
}

}  // namespace hgo::statestore
