#include "controller/cluster/observe.h"

#include <algorithm>
#include <set>

#include "aurora/job_builder.h"
#include "heron/messages.h"

namespace hgo::controller {

using reconciler::ObservedInstance;
using reconciler::ObservedUpdate;

ObservedInstance::State InstanceState(aurora::TaskStatus s) {
  using S = aurora::TaskStatus;
  switch (s) {
    case S::kStarting:
      return ObservedInstance::State::kStarting;
    case S::kRunning:
      return ObservedInstance::State::kRunning;
    case S::kKilling:
    case S::kRestarting:
    case S::kDraining:
    case S::kPreempting:
      return ObservedInstance::State::kKilling;
    case S::kFinished:
    case S::kFailed:
    case S::kKilled:
    case S::kLost:
      return ObservedInstance::State::kEnded;
    default:  // INIT, PENDING, THROTTLED, ASSIGNED, PARTITIONED
      return ObservedInstance::State::kPending;
  }
}

ObservedUpdate::State UpdateState(aurora::UpdateStatus s) {
  using S = aurora::UpdateStatus;
  switch (s) {
    case S::kRollingForward:
      return ObservedUpdate::State::kRollingForward;
    case S::kRollingBack:
      return ObservedUpdate::State::kRollingBack;
    case S::kRollForwardPaused:
    case S::kRollBackPaused:
      return ObservedUpdate::State::kPaused;
    case S::kRollForwardAwaitingPulse:
    case S::kRollBackAwaitingPulse:
      return ObservedUpdate::State::kAwaitingPulse;
    case S::kRolledForward:
      return ObservedUpdate::State::kSucceeded;
    case S::kRolledBack:
      return ObservedUpdate::State::kRolledBack;
    case S::kAborted:
      return ObservedUpdate::State::kAborted;
    case S::kError:
    case S::kFailed:
      return ObservedUpdate::State::kFailed;
  }
  return ObservedUpdate::State::kFailed;
}

namespace {

std::string Meta(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

std::optional<packing::PackingPlan> ParsePacking(const statestore::HeronSnapshot& heron) {
  const std::string* bytes = heron.Get(statestore::HeronDir::kPackingPlans);
  if (!bytes) return std::nullopt;
  auto proto =
      heronmsg::ParseHeronMessage<heron::proto::system::PackingPlan>(*bytes, "packingplan");
  if (!proto.ok()) return std::nullopt;
  return heronmsg::PackingPlanFromProto(*proto);
}

void ObserveHeron(const statestore::HeronSnapshot& snap, reconciler::ObservedHeron* out) {
  using statestore::HeronDir;
  out->packing_plan = snap.Has(HeronDir::kPackingPlans);
  out->execution_state = snap.Has(HeronDir::kExecutionState);
  out->scheduler_location = snap.Has(HeronDir::kSchedulers);
  if (const std::string* bytes = snap.Get(HeronDir::kTopologies)) {
    out->topology = true;
    auto t = heronmsg::ParseHeronMessage<heron::proto::api::Topology>(*bytes, "topologies");
    if (t.ok()) {
      out->topology_id = t->id();
      out->paused = t->state() == heron::proto::api::PAUSED;
      for (const auto& kv : t->topology_config().kvs()) {
        if (kv.key() == heronmsg::kSpecHashConfigKey) out->spec_hash = kv.value();
      }
    }
  }
  // Heron 0.20.3 renamed tmasters/ to tmanagers/; the topology's own release decides which its
  // topology manager uses. Both are watched; a location is ephemeral, so only the running
  // manager's is there (both only for a moment while an update changes the release).
  const std::string* bytes = snap.Get(HeronDir::kTManagers);
  if (!bytes) bytes = snap.Get(HeronDir::kTMasters);
  if (bytes) {
    // TMasterLocation has the same fields as TManagerLocation.
    auto loc =
        heronmsg::ParseHeronMessage<heron::proto::tmanager::TManagerLocation>(*bytes, "tmanagers");
    if (loc.ok()) out->tmanager_topology_id = loc->topology_id();
  }
  // The topology manager flips the state inside its physical plan on activate and deactivate;
  // topologies/<name> only holds the state the topology was submitted with.
  std::set<std::string> registered;
  if (const std::string* bytes = snap.Get(HeronDir::kPhysicalPlans)) {
    auto plan = heronmsg::ParseHeronMessage<heron::proto::system::PhysicalPlan>(*bytes, "pplans");
    if (plan.ok()) {
      out->physical_plan = true;
      out->paused = plan->topology().state() == heron::proto::api::PAUSED;
      for (const auto& kv : plan->topology().topology_config().kvs()) {
        if (kv.key() == heronmsg::kSpecHashConfigKey) out->physical_plan_spec_hash = kv.value();
      }
      if (plan->topology().id() == out->tmanager_topology_id) {
        for (const auto& s : plan->stmgrs()) registered.insert(s.id());
        out->runtime_config = heronmsg::RuntimeConfigOf(plan->topology());
      }
    }
  }
  // Every container of the packing plan needs its stream manager in that physical plan.
  if (auto packing = ParsePacking(snap)) {
    for (const auto& c : packing->containers) {
      out->absent_stream_managers += !registered.count("stmgr-" + std::to_string(c.id));
    }
  }
}

// Keeps of a config only the kvs that keep() wants; true when any is left.
template <typename Keep>
bool TrimConfig(heron::proto::api::Config* config, Keep keep) {
  auto* kvs = config->mutable_kvs();
  for (int i = kvs->size() - 1; i >= 0; --i) {
    if (!keep(kvs->Get(i).key())) kvs->DeleteSubrange(i, 1);
  }
  return !kvs->empty();
}

// Of components, only their names and runtime config, and only those that have some.
template <typename List>
void TrimComponents(List* list) {
  for (int i = list->size() - 1; i >= 0; --i) {
    auto* comp = list->Mutable(i)->mutable_comp();
    if (!TrimConfig(comp->mutable_config(), heronmsg::IsRuntimeConfigKey)) {
      list->DeleteSubrange(i, 1);
      continue;
    }
    heron::proto::api::Component slim;
    slim.set_name(comp->name());
    *slim.mutable_config() = std::move(*comp->mutable_config());
    list->Mutable(i)->Clear();
    *list->Mutable(i)->mutable_comp() = std::move(slim);
  }
}

// The topology with only what observing reads: the spec hash of its config and, for a
// physical plan's, the runtime config of the topology and its components.
void TrimTopology(heron::proto::api::Topology& t, bool keep_runtime) {
  if (keep_runtime) {
    TrimComponents(t.mutable_spouts());
    TrimComponents(t.mutable_bolts());
  } else {
    t.clear_spouts();
    t.clear_bolts();
  }
  if (!t.has_topology_config()) return;
  TrimConfig(t.mutable_topology_config(), [keep_runtime](const std::string& key) {
    return key == heronmsg::kSpecHashConfigKey ||
           (keep_runtime && heronmsg::IsRuntimeConfigKey(key));
  });
}

}  // namespace

std::string KeepObserved(statestore::HeronDir d, std::string bytes) {
  using statestore::HeronDir;
  switch (d) {
    case HeronDir::kExecutionState:
    case HeronDir::kSchedulers:
      return {};  // read for existence only
    case HeronDir::kTopologies: {
      auto t = heronmsg::ParseHeronMessage<heron::proto::api::Topology>(bytes, "topologies");
      if (!t.ok()) return bytes;
      TrimTopology(*t, false);
      return heronmsg::SerializeHeronMessage(*t);
    }
    case HeronDir::kPhysicalPlans: {
      auto plan = heronmsg::ParseHeronMessage<heron::proto::system::PhysicalPlan>(bytes, "pplans");
      if (!plan.ok()) return bytes;
      // Of the stream managers only their ids (the health gate counts them); the required
      // fields stay set, empty.
      for (auto& stmgr : *plan->mutable_stmgrs()) {
        heron::proto::system::StMgr id_only;
        id_only.set_id(stmgr.id());
        id_only.set_host_name("");
        id_only.set_data_port(0);
        id_only.set_local_endpoint("");
        stmgr = std::move(id_only);
      }
      plan->clear_instances();
      TrimTopology(*plan->mutable_topology(), true);
      return heronmsg::SerializeHeronMessage(*plan);
    }
    default:
      return bytes;
  }
}

std::shared_ptr<const std::vector<std::string>> PortNames::Intern(
    std::span<const std::pair<std::string, int32_t>> ports, std::vector<int32_t>& numbers) {
  order_.resize(ports.size());
  for (size_t i = 0; i < ports.size(); ++i) order_[i] = i;
  std::sort(order_.begin(), order_.end(),
            [&](size_t a, size_t b) { return ports[a].first < ports[b].first; });
  numbers.clear();
  numbers.reserve(ports.size());
  for (size_t i : order_) numbers.push_back(ports[i].second);
  auto same_names = [&](const std::vector<std::string>& names) {
    if (names.size() != order_.size()) return false;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] != ports[order_[i]].first) return false;
    }
    return true;
  };
  if (last_ && same_names(*last_)) return last_;
  std::vector<std::string> names;
  names.reserve(ports.size());
  for (size_t i : order_) names.push_back(ports[i].first);
  auto it = lists_.find(names);
  if (it == lists_.end()) {
    auto shared = std::make_shared<const std::vector<std::string>>(names);
    it = lists_.emplace(std::move(names), std::move(shared)).first;
  }
  last_ = it->second;
  return last_;
}

namespace {

constexpr std::string_view kKilledBy = "Killed by ";

// Aurora's audit data: a kill whose message the controller did not write.
bool IsForeignKill(const aurora::TaskEvent& e) {
  return e.message.starts_with(kKilledBy) && e.message.find("heron-gitops:") == std::string::npos;
}

// A metadata value; of equal keys the greatest value, as when they are read into a map from
// Aurora's set of metadata, ordered by key and value.
std::string_view MetaValue(std::span<const std::pair<std::string, std::string>> metadata,
                           std::string_view key) {
  const std::string* found = nullptr;
  for (const auto& [k, v] : metadata) {
    if (k == key && (!found || v > *found)) found = &v;
  }
  return found ? std::string_view(*found) : std::string_view();
}

ObservedTask Slim(const aurora::TaskStateView& t, PortNames* names) {
  ObservedTask out;
  out.task_id = t.task_id;
  out.host = t.host;
  if (names) {
    out.port_names = names->Intern(t.ports, out.ports);
  } else {
    PortNames own;
    out.port_names = own.Intern(t.ports, out.ports);
  }
  out.job_hash = MetaValue(t.metadata, aurora::kMetaJobHash);
  out.topology_id = MetaValue(t.metadata, aurora::kMetaTopologyId);
  for (const auto& e : t.events) {
    if (e.status == aurora::TaskStatus::kRunning) out.running_since_ms = e.timestamp_ms;
    if (!IsForeignKill(e)) continue;
    const size_t end = e.message.find_first_of(".\n", kKilledBy.size());
    out.foreign_kills.push_back(
        {e.timestamp_ms, e.message.substr(kKilledBy.size(), end - kKilledBy.size())});
  }
  out.instance_id = t.instance_id;
  out.failures = t.failure_count;
  out.status = t.status;
  return out;
}

}  // namespace

std::optional<ObservedTask> ObserveTask(const aurora::TaskStateView& t, PortNames* names) {
  if (!aurora::IsActive(t.status) &&
      std::none_of(t.events.begin(), t.events.end(), IsForeignKill)) {
    return std::nullopt;  // nothing a pass reads: never built
  }
  return Slim(t, names);
}

ObservedTask SlimTask(const aurora::Task& t, PortNames* names) {
  std::vector<std::pair<std::string, int32_t>> ports;
  std::vector<std::pair<std::string, std::string>> metadata;
  return Slim(aurora::ViewOf(t, ports, metadata), names);
}

JobTasks TasksOfJob(const aurora::JobKey& job, const std::vector<aurora::Task>& tasks) {
  JobTasks out;
  std::vector<std::pair<std::string, int32_t>> ports;
  std::vector<std::pair<std::string, std::string>> metadata;
  for (const auto& t : tasks) {
    if (t.config.job != job) continue;
    if (auto slim = ObserveTask(aurora::ViewOf(t, ports, metadata))) {
      out.push_back(std::move(*slim));
    }
  }
  return out;
}

std::map<int32_t, const ObservedTask*> InstanceTasks(const JobTasks& tasks) {
  std::map<int32_t, const ObservedTask*> out;
  for (const auto& t : tasks) {
    if (!aurora::IsActive(t.status)) continue;
    auto it = out.find(t.instance_id);
    if (it == out.end() || InstanceState(it->second->status) == ObservedInstance::State::kKilling) {
      out[t.instance_id] = &t;
    }
  }
  return out;
}

reconciler::Observed ObserveTopology(const aurora::JobKey& job, const JobTasks& tasks,
                                     const std::vector<aurora::UpdateSummary>& updates,
                                     const statestore::HeronSnapshot* heron, int64_t now_ms,
                                     HeronMemo* memo) {
  reconciler::Observed o;
  o.observed_at_ms = now_ms;
  for (const auto& [id, t] : InstanceTasks(tasks)) {
    ObservedInstance inst;
    inst.state = InstanceState(t->status);
    inst.job_hash = t->job_hash;
    inst.topology_id = t->topology_id;
    inst.failures = t->failures;
    inst.running_since_ms = t->running_since_ms;
    o.instances[id] = inst;
  }
  // Changes the controller did not make: foreign kills, updates without its metadata.
  for (const auto& t : tasks) {
    for (const auto& k : t.foreign_kills) {
      o.foreign_changes.push_back(
          {k.at_ms, k.by, "kill of instance " + std::to_string(t.instance_id)});
    }
  }
  for (const auto& u : updates) {
    if (u.key.job == job && !u.metadata.count(aurora::kMetaSpecHash)) {
      o.foreign_changes.push_back({u.created_ms, u.user, "update " + u.key.id});
    }
  }
  std::stable_sort(o.foreign_changes.begin(), o.foreign_changes.end(),
                   [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
  for (const auto& u : updates) {
    if (u.key.job != job) continue;
    ObservedUpdate ou{u.key.id, UpdateState(u.status), Meta(u.metadata, aurora::kMetaSpecHash),
                      u.last_modified_ms};
    if (ou.active()) {
      o.active_update = ou;
    } else if (!o.last_update || ou.last_modified_ms > o.last_update->last_modified_ms) {
      o.last_update = ou;
    }
  }
  if (heron && memo) {
    o.heron = memo->Observe(job.name, *heron);
  } else if (heron) {
    ObserveHeron(*heron, &o.heron);
  }
  return o;
}

template <typename T, typename Compute>
T HeronMemo::Remember(const std::string& name, uint64_t version, std::optional<T> Entry::*field,
                      Compute compute) {
  if (version != 0) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(name);
    if (it != entries_.end() && it->second.version == version && it->second.*field) {
      return *(it->second.*field);
    }
  }
  T value = compute();
  if (version != 0) {
    std::lock_guard<std::mutex> lock(mu_);
    EntryFor(name, version).*field = value;
  }
  return value;
}

reconciler::ObservedHeron HeronMemo::Observe(const std::string& name,
                                             const statestore::HeronSnapshot& s) {
  return *Shared(name, s);
}

std::shared_ptr<const reconciler::ObservedHeron> HeronMemo::Shared(
    const std::string& name, const statestore::HeronSnapshot& s) {
  return Remember(name, s.version, &Entry::observed, [&] {
    auto o = std::make_shared<reconciler::ObservedHeron>();
    ObserveHeron(s, o.get());
    return std::shared_ptr<const reconciler::ObservedHeron>(std::move(o));
  });
}

std::optional<packing::PackingPlan> HeronMemo::Packing(const std::string& name,
                                                       const statestore::HeronSnapshot& s) {
  return Remember(name, s.version, &Entry::packing, [&] { return ParsePacking(s); });
}

HeronMemo::Entry& HeronMemo::EntryFor(const std::string& name, uint64_t version) {
  Entry& e = entries_[name];
  if (e.version != version) e = Entry{version, std::nullopt, std::nullopt};
  return e;
}

void HeronMemo::Forget(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(name);
}

std::optional<packing::PackingPlan> CurrentPacking(const statestore::HeronSnapshot* heron,
                                                   HeronMemo* memo, const std::string& name) {
  if (!heron) return std::nullopt;
  return memo ? memo->Packing(name, *heron) : ParsePacking(*heron);
}

}  // namespace hgo::controller
