// The scheduler's durable state: one JSON document with the Thrift records (binary, base64)
// and the updater's bookkeeping. Task configs are stored once and shared by reference, so a
// thousand tasks of one config cost one config.
#include <openssl/evp.h>

#include "aurora/codec.h"
#include "aurora/local/scheduler_internal.h"
#include "common/json.h"

namespace hgo::aurora::local {

using api::ScheduleStatus;

namespace {

std::string Base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(n);
  return out;
}

StatusOr<std::string> Unbase64(const std::string& in) {
  std::string out(3 * (in.size() / 4) + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return Status::InvalidArgument("snapshot: bad base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t pad = 0;
  if (!in.empty() && in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

template <typename T>
std::string Pack(const T& value) {
  return Base64(SerializeThrift(value, WireProtocol::kBinary));
}

template <typename T>
Status Unpack(const Json* j, T* value) {
  if (!j || !j->is_string()) return Status::InvalidArgument("snapshot: missing record");
  HGO_ASSIGN_OR_RETURN(std::string bytes, Unbase64(j->as_string()));
  return DeserializeThrift(bytes, WireProtocol::kBinary, value);
}

int64_t Int(const Json& o, const char* key, int64_t fallback = 0) {
  const Json* v = o.Find(key);
  return v && v->is_int() ? v->as_int() : fallback;
}

Json IdMap(const std::map<int32_t, int32_t>& m) {
  Json out = Json::MakeObject();
  for (const auto& [k, v] : m) out[std::to_string(k)] = Json(static_cast<int64_t>(v));
  return out;
}

}  // namespace

std::string Scheduler::Snapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<const api::TaskConfig*, std::string> ids;
  Json configs = Json::MakeObject();
  auto config_id = [&](const std::shared_ptr<const api::TaskConfig>& c) -> std::string {
    if (!c) return "";
    auto [it, fresh] = ids.emplace(c.get(), std::to_string(ids.size()));
    if (fresh) configs[it->second] = Json(Pack(*c));
    return it->second;
  };
  Json tasks = Json::MakeArray();
  for (const auto& [id, t] : tasks_) {
    Json j = Json::MakeObject();
    j["st"] = Json(Pack(t->st));
    j["config"] = Json(config_id(t->config));
    j["not_before"] = Json(t->not_before_ms);
    j["started"] = Json(t->started_ms);
    j["running_since"] = Json(t->running_since_ms);
    j["reschedule"] = Json(t->reschedule_on_end);
    j["update"] = Json(t->update_id);
    tasks.push_back(std::move(j));
  }
  Json updates = Json::MakeArray();
  for (const auto& u : updates_) {
    Json j = Json::MakeObject();
    j["details"] = Json(Pack(u->details));
    j["desired"] = Json(config_id(u->desired));
    Json desired_ids = Json::MakeArray();
    for (int32_t id : u->desired_ids) desired_ids.push_back(Json(static_cast<int64_t>(id)));
    j["desired_ids"] = std::move(desired_ids);
    Json initial = Json::MakeObject();
    for (const auto& [id, c] : u->initial) initial[std::to_string(id)] = Json(config_id(c));
    j["initial"] = std::move(initial);
    Json order = Json::MakeArray();
    for (int32_t id : u->order) order.push_back(Json(static_cast<int64_t>(id)));
    j["order"] = std::move(order);
    std::map<int32_t, int32_t> state;
    for (const auto& [id, s] : u->state) state[id] = static_cast<int32_t>(s);
    j["state"] = IdMap(state);
    j["failures"] = IdMap(u->failures);
    Json working = Json::MakeObject();
    for (const auto& [id, ms] : u->working_since_ms) working[std::to_string(id)] = Json(ms);
    j["working_since"] = std::move(working);
    j["rolling_back"] = Json(u->rolling_back);
    j["last_pulse"] = Json(u->last_pulse_ms);
    updates.push_back(std::move(j));
  }
  Json root = Json::MakeObject();
  root["format"] = Json("aurora-local/1");
  root["configs"] = std::move(configs);
  root["tasks"] = std::move(tasks);
  root["updates"] = std::move(updates);
  return Serialize(root);
}

Status Scheduler::Restore(const std::string& snapshot) {
  HGO_ASSIGN_OR_RETURN(Json root, ParseJson(snapshot, {128, size_t{1} << 30}));
  const Json* format = root.Find("format");
  if (!format || !format->is_string() || format->as_string() != "aurora-local/1") {
    return Status::InvalidArgument("snapshot: unknown format");
  }
  std::map<std::string, std::shared_ptr<const api::TaskConfig>> configs;
  if (const Json* c = root.Find("configs"); c && c->is_object()) {
    for (const auto& [id, packed] : c->as_object()) {
      api::TaskConfig config;
      HGO_RETURN_IF_ERROR(Unpack(&packed, &config));
      configs[id] = std::make_shared<const api::TaskConfig>(std::move(config));
    }
  }
  auto config = [&](const Json* id) -> std::shared_ptr<const api::TaskConfig> {
    if (!id || !id->is_string()) return nullptr;
    auto it = configs.find(id->as_string());
    return it == configs.end() ? nullptr : it->second;
  };
  std::lock_guard<std::mutex> lock(mu_);
  tasks_.clear();
  updates_.clear();
  if (const Json* ts = root.Find("tasks"); ts && ts->is_array()) {
    for (const auto& j : ts->as_array()) {
      auto t = std::make_unique<Task>();
      HGO_RETURN_IF_ERROR(Unpack(j.Find("st"), &t->st));
      t->config = config(j.Find("config"));
      if (!t->config) return Status::InvalidArgument("snapshot: task without config");
      t->not_before_ms = Int(j, "not_before");
      t->started_ms = Int(j, "started", -1);
      t->running_since_ms = Int(j, "running_since", -1);
      const Json* r = j.Find("reschedule");
      t->reschedule_on_end = !r || !r->is_bool() || r->as_bool();
      if (const Json* u = j.Find("update"); u && u->is_string()) t->update_id = u->as_string();
      tasks_[t->id()] = std::move(t);
    }
  }
  if (const Json* us = root.Find("updates"); us && us->is_array()) {
    for (const auto& j : us->as_array()) {
      auto u = std::make_unique<Update>();
      HGO_RETURN_IF_ERROR(Unpack(j.Find("details"), &u->details));
      u->desired = config(j.Find("desired"));
      if (const Json* d = j.Find("desired_ids"); d && d->is_array()) {
        for (const auto& id : d->as_array())
          u->desired_ids.insert(static_cast<int32_t>(id.as_int()));
      }
      if (const Json* m = j.Find("initial"); m && m->is_object()) {
        for (const auto& [id, c] : m->as_object()) u->initial[std::stoi(id)] = config(&c);
      }
      if (const Json* o = j.Find("order"); o && o->is_array()) {
        for (const auto& id : o->as_array()) u->order.push_back(static_cast<int32_t>(id.as_int()));
      }
      if (const Json* m = j.Find("state"); m && m->is_object()) {
        for (const auto& [id, s] : m->as_object()) {
          u->state[std::stoi(id)] = static_cast<Update::Instance>(s.as_int());
        }
      }
      if (const Json* m = j.Find("failures"); m && m->is_object()) {
        for (const auto& [id, n] : m->as_object()) {
          u->failures[std::stoi(id)] = static_cast<int32_t>(n.as_int());
        }
      }
      if (const Json* m = j.Find("working_since"); m && m->is_object()) {
        for (const auto& [id, ms] : m->as_object())
          u->working_since_ms[std::stoi(id)] = ms.as_int();
      }
      const Json* rb = j.Find("rolling_back");
      u->rolling_back = rb && rb->is_bool() && rb->as_bool();
      u->last_pulse_ms = Int(j, "last_pulse");
      updates_.push_back(std::move(u));
    }
  }
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
      continue;
    }
    Transition(*t, ScheduleStatus::LOST, "Task lost: its processes did not survive a restart");
  }
  ++generation_;
  return Status::Ok();
}

}  // namespace hgo::aurora::local
