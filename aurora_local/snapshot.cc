// The scheduler's durable state: one JSON document with the Thrift records (binary, base64)
// and the updater's bookkeeping. Task configs are stored once and shared by reference, so a
// thousand tasks of one config cost one config.
#include "aurora/codec.h"
#include "aurora_local/scheduler_internal.h"
#include "common/base64.h"
#include "common/json.h"

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace hgo::aurora::local {

using api::ScheduleStatus;

namespace {

template <typename T>
std::string Pack(const T& value) {
  return Base64Encode(SerializeThrift(value, WireProtocol::kBinary));
}

template <typename T>
Status Unpack(const Json* j, T* value) {
  if (!j || !j->is_string()) return Status::InvalidArgument("snapshot: missing record");
  HGO_ASSIGN_OR_RETURN(std::string bytes, Base64Decode(j->as_string()));
  return DeserializeThrift(bytes, WireProtocol::kBinary, value);
}

int64_t Int(const Json& o, const char* key, int64_t fallback = 0) {
  const Json* v = o.Find(key);
  return v && v->is_int() ? v->as_int() : fallback;
}

// A snapshot is a file a person may edit or a disk may corrupt: every number is checked, and a
// wrong one is an error naming the field, never an exception.
StatusOr<int64_t> IntOf(const Json& v, const std::string& field) {
  if (!v.is_int()) return Status::InvalidArgument("snapshot: " + field + " is not an integer");
  return v.as_int();
}

StatusOr<int32_t> InstanceKey(const std::string& key, const std::string& field) {
  char* end = nullptr;
  errno = 0;
  const long n = std::strtol(key.c_str(), &end, 10);
  if (key.empty() || *end != '\0' || errno != 0 || n < 0 || n > INT32_MAX) {
    return Status::InvalidArgument("snapshot: " + field + ": key '" + key +
                                   "' is not an instance id");
  }
  return static_cast<int32_t>(n);
}

Json IdMap(const std::map<int32_t, int32_t>& m) {
  Json out = Json::MakeObject();
  for (const auto& [k, v] : m) out[std::to_string(k)] = Json(static_cast<int64_t>(v));
  return out;
}

}  // namespace

std::string Scheduler::ConfigId(const std::shared_ptr<const api::TaskConfig>& config) {
  if (!config) return "";
  auto it = config_ids_.find(config.get());
  if (it != config_ids_.end()) return it->second;
  std::string id = "c" + std::to_string(next_config_id_++);
  config_ids_[config.get()] = id;
  configs_by_id_[id] = config;
  new_configs_.insert(id);
  return id;
}

Json Scheduler::TaskJson(const Task& t) {
  Json j = Json::MakeObject();
  j["st"] = Json(Pack(t.st));
  j["config"] = Json(ConfigId(t.config));
  j["not_before"] = Json(t.not_before_ms);
  j["started"] = Json(t.started_ms);
  j["running_since"] = Json(t.running_since_ms);
  j["reschedule"] = Json(t.reschedule_on_end);
  j["update"] = Json(t.update_id);
  return j;
}

Json Scheduler::UpdateJson(const Update& u) {
  Json j = Json::MakeObject();
  j["details"] = Json(Pack(u.details));
  j["desired"] = Json(ConfigId(u.desired));
  Json desired_ids = Json::MakeArray();
  for (int32_t id : u.desired_ids) desired_ids.push_back(Json(static_cast<int64_t>(id)));
  j["desired_ids"] = std::move(desired_ids);
  Json initial = Json::MakeObject();
  for (const auto& [id, c] : u.initial) initial[std::to_string(id)] = Json(ConfigId(c));
  j["initial"] = std::move(initial);
  Json order = Json::MakeArray();
  for (int32_t id : u.order) order.push_back(Json(static_cast<int64_t>(id)));
  j["order"] = std::move(order);
  std::map<int32_t, int32_t> state;
  for (const auto& [id, st] : u.state) state[id] = static_cast<int32_t>(st);
  j["state"] = IdMap(state);
  j["failures"] = IdMap(u.failures);
  Json working = Json::MakeObject();
  for (const auto& [id, ms] : u.working_since_ms) working[std::to_string(id)] = Json(ms);
  j["working_since"] = std::move(working);
  j["rolling_back"] = Json(u.rolling_back);
  j["last_pulse"] = Json(u.last_pulse_ms);
  return j;
}

// One record at a time, so that no tree of the whole state is built for it.
Status Scheduler::WriteSnapshot(const std::function<Status(std::string_view)>& write) {
  std::lock_guard<std::mutex> lock(mu_);
  // Only configs still referenced survive a snapshot.
  config_ids_.clear();
  configs_by_id_.clear();
  new_configs_.clear();
  dirty_tasks_.clear();
  deleted_tasks_.clear();
  dirty_updates_.clear();
  HGO_RETURN_IF_ERROR(write("{\"format\":\"aurora-local/1\",\"tasks\":["));
  const char* comma = "";
  for (const auto& [id, t] : tasks_) {
    HGO_RETURN_IF_ERROR(write(comma + Serialize(TaskJson(*t))));
    comma = ",";
  }
  HGO_RETURN_IF_ERROR(write("],\"updates\":["));
  comma = "";
  for (const auto& u : updates_) {
    HGO_RETURN_IF_ERROR(write(comma + Serialize(UpdateJson(*u))));
    comma = ",";
  }
  // After the tasks and updates: writing them registered the configs they use.
  HGO_RETURN_IF_ERROR(write("],\"configs\":{"));
  comma = "";
  for (const auto& [id, c] : configs_by_id_) {
    HGO_RETURN_IF_ERROR(write(comma + Serialize(Json(id)) + ":" + Serialize(Json(Pack(*c)))));
    comma = ",";
  }
  return write("}}");
}

std::string Scheduler::Snapshot() {
  std::string out;
  (void)WriteSnapshot([&out](std::string_view piece) {
    out.append(piece);
    return Status::Ok();
  });
  return out;
}

Json Scheduler::SnapshotJson() {
  auto parsed = ParseJson(Snapshot());
  return parsed.ok() ? std::move(*parsed) : Json();
}

std::optional<Json> Scheduler::TakeDelta() {
  std::lock_guard<std::mutex> lock(mu_);
  if (dirty_tasks_.empty() && deleted_tasks_.empty() && dirty_updates_.empty()) {
    return std::nullopt;
  }
  Json tasks = Json::MakeArray();
  for (const auto& id : dirty_tasks_) {
    auto it = tasks_.find(id);
    if (it != tasks_.end()) tasks.push_back(TaskJson(*it->second));
  }
  Json deleted = Json::MakeArray();
  for (const auto& id : deleted_tasks_) deleted.push_back(Json(id));
  Json updates = Json::MakeArray();
  for (const auto& u : updates_) {
    if (dirty_updates_.count(u->key().id)) updates.push_back(UpdateJson(*u));
  }
  Json configs = Json::MakeObject();  // after the records: they may have added configs
  for (const auto& id : new_configs_) configs[id] = Json(Pack(*configs_by_id_.at(id)));
  new_configs_.clear();
  dirty_tasks_.clear();
  deleted_tasks_.clear();
  dirty_updates_.clear();
  Json delta = Json::MakeObject();
  delta["configs"] = std::move(configs);
  delta["tasks"] = std::move(tasks);
  delta["deleted"] = std::move(deleted);
  delta["updates"] = std::move(updates);
  return delta;
}

Status Scheduler::LoadConfigs(const Json* configs) {
  if (!configs || !configs->is_object()) return Status::Ok();
  for (const auto& [id, packed] : configs->as_object()) {
    api::TaskConfig config;
    HGO_RETURN_IF_ERROR(Unpack(&packed, &config));
    auto shared = std::make_shared<const api::TaskConfig>(std::move(config));
    config_ids_[shared.get()] = id;
    configs_by_id_[id] = shared;
    if (id.size() > 1 && id[0] == 'c') {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(id.c_str() + 1, &end, 10);
      if (*end != '\0') {
        return Status::InvalidArgument("snapshot: configs: '" + id + "' is not a config id");
      }
      next_config_id_ = std::max<uint64_t>(next_config_id_, n + 1);
    }
  }
  return Status::Ok();
}

namespace {

std::shared_ptr<const api::TaskConfig> Lookup(
    const std::map<std::string, std::shared_ptr<const api::TaskConfig>>& configs, const Json* id) {
  if (!id || !id->is_string()) return nullptr;
  auto it = configs.find(id->as_string());
  return it == configs.end() ? nullptr : it->second;
}

}  // namespace

Status Scheduler::LoadTask(const Json& j) {
  auto t = std::make_unique<Task>();
  HGO_RETURN_IF_ERROR(Unpack(j.Find("st"), &t->st));
  t->config = Lookup(configs_by_id_, j.Find("config"));
  if (!t->config) return Status::InvalidArgument("snapshot: task without config");
  t->not_before_ms = Int(j, "not_before");
  t->started_ms = Int(j, "started", -1);
  t->running_since_ms = Int(j, "running_since", -1);
  const Json* r = j.Find("reschedule");
  t->reschedule_on_end = !r || !r->is_bool() || r->as_bool();
  if (const Json* u = j.Find("update"); u && u->is_string()) t->update_id = u->as_string();
  moving_.insert(t->id());
  tasks_[t->id()] = std::move(t);
  return Status::Ok();
}

Status Scheduler::LoadUpdate(const Json& j) {
  auto u = std::make_unique<Update>();
  HGO_RETURN_IF_ERROR(Unpack(j.Find("details"), &u->details));
  u->desired = Lookup(configs_by_id_, j.Find("desired"));
  const std::string where = "update " + u->key().id + ": ";
  if (const Json* d = j.Find("desired_ids"); d && d->is_array()) {
    for (const auto& id : d->as_array()) {
      HGO_ASSIGN_OR_RETURN(int64_t n, IntOf(id, where + "desired_ids"));
      u->desired_ids.insert(static_cast<int32_t>(n));
    }
  }
  if (const Json* m = j.Find("initial"); m && m->is_object()) {
    for (const auto& [id, c] : m->as_object()) {
      HGO_ASSIGN_OR_RETURN(int32_t instance, InstanceKey(id, where + "initial"));
      u->initial[instance] = Lookup(configs_by_id_, &c);
    }
  }
  if (const Json* o = j.Find("order"); o && o->is_array()) {
    for (const auto& id : o->as_array()) {
      HGO_ASSIGN_OR_RETURN(int64_t n, IntOf(id, where + "order"));
      u->order.push_back(static_cast<int32_t>(n));
    }
  }
  // Instance-keyed maps of integers: the updater's state, failures, working-since times.
  auto load = [&](const char* field, auto store) -> Status {
    const Json* m = j.Find(field);
    if (!m || !m->is_object()) return Status::Ok();
    for (const auto& [id, v] : m->as_object()) {
      HGO_ASSIGN_OR_RETURN(int32_t instance, InstanceKey(id, where + field));
      HGO_ASSIGN_OR_RETURN(int64_t n, IntOf(v, where + field + "." + id));
      store(instance, n);
    }
    return Status::Ok();
  };
  HGO_RETURN_IF_ERROR(
      load("state", [&](int32_t i, int64_t n) { u->state[i] = static_cast<Update::Instance>(n); }));
  HGO_RETURN_IF_ERROR(
      load("failures", [&](int32_t i, int64_t n) { u->failures[i] = static_cast<int32_t>(n); }));
  HGO_RETURN_IF_ERROR(
      load("working_since", [&](int32_t i, int64_t n) { u->working_since_ms[i] = n; }));
  const Json* rb = j.Find("rolling_back");
  u->rolling_back = rb && rb->is_bool() && rb->as_bool();
  u->last_pulse_ms = Int(j, "last_pulse");
  for (auto& existing : updates_) {
    if (existing->key().id == u->key().id) {
      existing = std::move(u);
      return Status::Ok();
    }
  }
  updates_.push_back(std::move(u));
  return Status::Ok();
}

Status Scheduler::Restore(const std::string& snapshot) {
  HGO_ASSIGN_OR_RETURN(Json root, ParseJson(snapshot, {128, size_t{1} << 30}));
  return Restore(root, {});
}

Status Scheduler::Restore(const Json& root, const std::vector<Json>& deltas) {
  const Json* format = root.Find("format");
  if (!format || !format->is_string() || format->as_string() != "aurora-local/1") {
    return Status::InvalidArgument("snapshot: unknown format");
  }
  std::lock_guard<std::mutex> lock(mu_);
  tasks_.clear();
  moving_.clear();
  updates_.clear();
  config_ids_.clear();
  configs_by_id_.clear();
  HGO_RETURN_IF_ERROR(LoadConfigs(root.Find("configs")));
  if (const Json* ts = root.Find("tasks"); ts && ts->is_array()) {
    for (const auto& j : ts->as_array()) HGO_RETURN_IF_ERROR(LoadTask(j));
  }
  if (const Json* us = root.Find("updates"); us && us->is_array()) {
    for (const auto& j : us->as_array()) HGO_RETURN_IF_ERROR(LoadUpdate(j));
  }
  for (const auto& delta : deltas) {
    HGO_RETURN_IF_ERROR(LoadConfigs(delta.Find("configs")));
    if (const Json* ts = delta.Find("tasks"); ts && ts->is_array()) {
      for (const auto& j : ts->as_array()) HGO_RETURN_IF_ERROR(LoadTask(j));
    }
    if (const Json* ds = delta.Find("deleted"); ds && ds->is_array()) {
      for (const auto& id : ds->as_array()) {
        if (id.is_string()) tasks_.erase(id.as_string());
      }
    }
    if (const Json* us = delta.Find("updates"); us && us->is_array()) {
      for (const auto& j : us->as_array()) HGO_RETURN_IF_ERROR(LoadUpdate(j));
    }
  }
  new_configs_.clear();
  // Tasks that were running: take them over if their processes are still alive, else LOST
  // (and rescheduled, like any lost service task).
  std::vector<Task*> launched;
  for (auto& [id, t] : tasks_) {
    switch (t->st.status) {
      case ScheduleStatus::ASSIGNED:
      case ScheduleStatus::STARTING:
      case ScheduleStatus::RUNNING:
      case ScheduleStatus::KILLING:
      case ScheduleStatus::RESTARTING:
        launched.push_back(t.get());
        break;
      default:
        break;
    }
  }
  for (Task* t : launched) {
    if (launcher_.Adopt(t->id())) {
      if (t->st.status == ScheduleStatus::KILLING || t->st.status == ScheduleStatus::RESTARTING) {
        launcher_.Kill(t->id());
      }
      if (t->st.status == ScheduleStatus::ASSIGNED) {
        // Saved while its launch was under way, and the launch got through: it runs.
        Transition(*t, ScheduleStatus::STARTING, "");
        Transition(*t, ScheduleStatus::RUNNING, "");
      }
      continue;
    }
    Transition(*t, ScheduleStatus::LOST, "Task lost: its processes did not survive a restart");
  }
  ++generation_;
  return Status::Ok();
}

}  // namespace hgo::aurora::local
