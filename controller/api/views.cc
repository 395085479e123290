#include "controller/api/views.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "controller/api/api.h"
#include "controller/api/replies.h"

namespace hgo::controller {

namespace {

constexpr int64_t kDefaultWatchSeconds = 30;
constexpr int64_t kMaxWatchSeconds = 60;
constexpr int64_t kMaxPage = 1000;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

StatusOr<int64_t> IntParam(const HttpRequest& req, const std::string& name, int64_t fallback,
                           int64_t low, int64_t high) {
  const std::string v = req.Param(name);
  if (v.empty()) return fallback;
  int64_t n = 0;
  for (char c : v) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || n > (int64_t{1} << 50)) {
      return Status::InvalidArgument(name + " must be a whole number from " + std::to_string(low) +
                                     " to " + std::to_string(high) + ", got '" + v + "'");
    }
    n = n * 10 + (c - '0');
  }
  if (n < low || n > high) {
    return Status::InvalidArgument(name + " must be from " + std::to_string(low) + " to " +
                                   std::to_string(high) + ", got " + v);
  }
  return n;
}

// Instances running the applied revision / all instances.
std::pair<int64_t, int64_t> Ready(const TopologyStatus& s) {
  if (!s.tasks) return {0, 0};
  int64_t ready = 0, all = 0;
  for (const auto& [id, t] : InstanceTasks(*s.tasks)) {
    ++all;
    const bool adopted = aurora::IsLiveTaskHash(s.current_job_hash) && t->job_hash.empty();
    const bool current =
        !s.current_job_hash.empty() && (t->job_hash == s.current_job_hash || adopted);
    ready += current && t->status == aurora::TaskStatus::kRunning ? 1 : 0;
  }
  return {ready, all};
}

bool Matches(const TopologyStatus& s, const OverviewQuery& q) {
  if (!q.cluster.empty() && s.key.cluster != q.cluster) return false;
  if (!q.role.empty() && s.key.role != q.role) return false;
  if (!q.environment.empty() && s.key.environment != q.environment) return false;
  if (!q.phases.empty() && std::find(q.phases.begin(), q.phases.end(), s.phase) == q.phases.end()) {
    return false;
  }
  if (!q.label.empty()) {
    const size_t eq = q.label.find('=');
    auto it = s.labels.find(q.label.substr(0, eq));
    if (it == s.labels.end()) return false;
    if (eq != std::string::npos && it->second != q.label.substr(eq + 1)) return false;
  }
  if (!q.text.empty()) {
    const std::string text = Lower(q.text);
    if (Lower(s.key.ToString()).find(text) == std::string::npos &&
        Lower(s.message).find(text) == std::string::npos) {
      return false;
    }
  }
  return true;
}

// The status JSON of each key changed (the list's form); keys gone in removed. keys_only: the
// changed keys alone, in "changed" (what the UI's overview needs to know it should reload).
Json ChangedJson(Controller& controller, const WatchAnswer& a, bool keys_only) {
  Json j = Json::MakeObject();
  j["resourceVersion"] = a.version;
  if (keys_only) {
    Json keys = Json::MakeArray();
    for (const auto& key : a.changed) keys.push_back(key.ToString());
    j["changed"] = std::move(keys);
    if (a.reset) j["reset"] = true;
    return j;
  }
  Json list = Json::MakeArray();
  Json removed = Json::MakeArray();
  if (a.reset) {
    for (const auto& s : controller.List()) list.push_back(StatusToJson(s, false));
    j["reset"] = true;
  } else {
    for (const auto& key : a.changed) {
      auto s = controller.Get(key);
      if (s.ok()) {
        list.push_back(StatusToJson(*s, false));
      } else {
        removed.push_back(key.ToString());
      }
    }
  }
  j["topologies"] = std::move(list);
  j["removed"] = std::move(removed);
  return j;
}

struct WatchParams {
  int64_t since = 0;
  int64_t timeout_s = kDefaultWatchSeconds;
};

StatusOr<WatchParams> ParseWatch(Controller& controller, const HttpRequest& req) {
  WatchParams p;
  HGO_ASSIGN_OR_RETURN(p.since, IntParam(req, "resourceVersion", controller.Changes().version(), 0,
                                         int64_t{1} << 50));
  HGO_ASSIGN_OR_RETURN(p.timeout_s,
                       IntParam(req, "timeoutSeconds", kDefaultWatchSeconds, 0, kMaxWatchSeconds));
  return p;
}

// A topology's page shows its placement's waves, so every cluster's change wakes its watch.
std::vector<crd::TopologyKey> WatchedKeys(Controller& controller, const crd::TopologyKey& key) {
  std::vector<crd::TopologyKey> keys = {key};
  if (auto view = controller.Rollout(key); view.ok()) {
    for (const auto& c : view->placement->clusters) {
      keys.push_back(crd::TopologyKey{c.name, view->role, view->environment, view->name});
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace

int ProblemRank(const std::string& phase) {
  static const std::map<std::string, int> kRank = {
      {"Failed", 0},     {"Degraded", 1},  {"RollingBack", 2}, {"OutOfSync", 3}, {"Unknown", 4},
      {"Updating", 5},   {"Deploying", 6}, {"Pending", 7},     {"Deleting", 8},  {"Paused", 9},
      {"Suspended", 10}, {"Running", 11},  {"Deleted", 12}};
  auto it = kRank.find(phase);
  return it == kRank.end() ? 4 : it->second;  // a phase this table misses is looked at early
}

StatusOr<OverviewQuery> ParseOverviewQuery(const HttpRequest& req) {
  OverviewQuery q;
  q.text = req.Param("q");
  q.cluster = req.Param("cluster");
  q.role = req.Param("role");
  q.environment = req.Param("environment");
  q.label = req.Param("label");
  const std::string phases = req.Param("phase");
  for (size_t at = 0; at < phases.size();) {
    size_t comma = phases.find(',', at);
    if (comma == std::string::npos) comma = phases.size();
    if (comma > at) q.phases.push_back(phases.substr(at, comma - at));
    at = comma + 1;
  }
  HGO_ASSIGN_OR_RETURN(q.offset, IntParam(req, "offset", 0, 0, int64_t{1} << 40));
  HGO_ASSIGN_OR_RETURN(q.limit, IntParam(req, "limit", 100, 1, kMaxPage));
  return q;
}

Json OverviewRow(const TopologyStatus& s) {
  Json j = KeyJson(s.key);
  j["phase"] = s.phase;
  j["message"] = s.message;
  const auto [ready, all] = Ready(s);
  j["ready"] = ready;
  j["instances"] = all;
  Json labels = Json::MakeObject();
  for (const auto& [k, v] : s.labels) labels[k] = v;
  j["labels"] = std::move(labels);
  if (!s.source_error.empty()) j["sourceError"] = s.source_error;
  if (s.record) {
    j["suspended"] = s.record->suspended;
    j["phaseSinceMs"] = s.record->phase_since_ms;
    if (s.record->applied) {
      j["revision"] = s.record->applied->number;
      j["sourceRevision"] = s.record->applied->source_revision;
    }
  }
  return j;
}

Json Overview(const std::vector<TopologyStatus>& statuses, const OverviewQuery& q,
              int64_t version) {
  std::map<std::string, int64_t> counts;
  std::set<std::string> clusters, roles, environments;
  std::vector<const TopologyStatus*> matched;
  for (const auto& s : statuses) {
    ++counts[s.phase];
    clusters.insert(s.key.cluster);
    roles.insert(s.key.role);
    environments.insert(s.key.environment);
    if (Matches(s, q)) matched.push_back(&s);
  }
  std::sort(matched.begin(), matched.end(), [](const TopologyStatus* a, const TopologyStatus* b) {
    const int ra = ProblemRank(a->phase), rb = ProblemRank(b->phase);
    return ra != rb ? ra < rb : a->key < b->key;
  });
  Json j = Json::MakeObject();
  j["resourceVersion"] = version;
  j["total"] = static_cast<int64_t>(statuses.size());
  j["matched"] = static_cast<int64_t>(matched.size());
  j["offset"] = q.offset;
  j["limit"] = q.limit;
  Json by_phase = Json::MakeObject();
  for (const auto& [phase, n] : counts) by_phase[phase] = n;
  j["counts"] = std::move(by_phase);
  auto list = [](const std::set<std::string>& names) {
    Json a = Json::MakeArray();
    for (const auto& n : names) a.push_back(n);
    return a;
  };
  j["clusters"] = list(clusters);
  j["roles"] = list(roles);
  j["environments"] = list(environments);
  Json rows = Json::MakeArray();
  const size_t from = std::min(matched.size(), static_cast<size_t>(q.offset));
  const size_t to = std::min(matched.size(), from + static_cast<size_t>(q.limit));
  for (size_t i = from; i < to; ++i) rows.push_back(OverviewRow(*matched[i]));
  j["rows"] = std::move(rows);
  return j;
}

HttpReply WatchList(Controller& controller, const HttpRequest& req) {
  auto p = ParseWatch(controller, req);
  if (!p.ok()) return ErrorReply(p.status());
  HttpReply r;
  ChangeFeed& feed = controller.Changes();
  const bool keys_only = req.Param("keys") == "true";
  r.defer = [&controller, &feed, p = *p, keys_only](HttpRespond respond) {
    Watcher w;
    w.since = p.since;
    w.deadline_ms = feed.MonotonicMs() + p.timeout_s * 1000;
    w.answer = [&controller, respond, keys_only](WatchAnswer a) {
      respond(JsonReply(200, ChangedJson(controller, a, keys_only)));
    };
    feed.Watch(std::move(w));
  };
  return r;
}

HttpReply WatchOne(Controller& controller, const crd::TopologyKey& key, const HttpRequest& req) {
  auto p = ParseWatch(controller, req);
  if (!p.ok()) return ErrorReply(p.status());
  HttpReply r;
  ChangeFeed& feed = controller.Changes();
  r.defer = [&controller, &feed, key, p = *p](HttpRespond respond) {
    Watcher w;
    w.since = p.since;
    w.keys = WatchedKeys(controller, key);
    w.deadline_ms = feed.MonotonicMs() + p.timeout_s * 1000;
    w.answer = [&controller, key, respond](WatchAnswer a) {
      auto s = controller.Get(key);
      if (!s.ok()) {
        respond(ErrorReply(s.status()));
        return;
      }
      Json j = StatusToJson(*s, true);
      j["resourceVersion"] = a.version;
      j["changed"] = !a.changed.empty() || a.reset;
      if (auto view = controller.Rollout(key); view.ok()) j["rollout"] = RolloutJson(*view);
      respond(JsonReply(200, j));
    };
    feed.Watch(std::move(w));
  };
  return r;
}

Json RolloutJson(const RolloutView& view) {
  const reconciler::RolloutState& st = view.state;
  Json j = Json::MakeObject();
  j["role"] = view.role;
  j["environment"] = view.environment;
  j["name"] = view.name;
  j["soakSeconds"] = static_cast<int64_t>(view.placement->soak_seconds);
  j["onFailure"] = crd::WaveFailureName(view.placement->on_failure);
  j["currentWave"] = static_cast<int64_t>(st.current + 1);  // 1-based, as people count
  j["complete"] = !st.halted && st.current == static_cast<int>(st.waves.size());
  j["halted"] = st.halted;
  if (st.halted) {
    j["haltedWave"] = static_cast<int64_t>(st.halted_wave + 1);
    j["haltReason"] = st.halt_reason;
    j["failed"] = st.failed;
  }
  std::map<std::string, const reconciler::ClusterRollout*> by_name;
  for (const auto& c : view.clusters) by_name[c.cluster] = &c;
  Json waves = Json::MakeArray();
  for (size_t w = 0; w < st.waves.size(); ++w) {
    const reconciler::WaveState& wave = st.waves[w];
    Json wj = Json::MakeObject();
    wj["wave"] = static_cast<int64_t>(w + 1);
    wj["stage"] = reconciler::WaveStageName(wave.stage);
    wj["detail"] = wave.detail;
    if (wave.soaked_ms) wj["soakedMs"] = wave.soaked_ms;
    Json clusters = Json::MakeArray();
    for (const auto& name : wave.clusters) {
      Json cj = Json::MakeObject();
      cj["cluster"] = name;
      if (auto it = by_name.find(name); it != by_name.end()) {
        const reconciler::ClusterRollout& c = *it->second;
        cj["revision"] = c.revision;
        cj["applied"] = c.applied;
        cj["stable"] = c.stable;
        if (c.stable_since_ms) cj["stableSinceMs"] = c.stable_since_ms;
        cj["reachable"] = c.reachable;
        cj["failed"] = c.failed;
        cj["soakWaived"] = c.soak_waived;
      }
      clusters.push_back(std::move(cj));
    }
    wj["clusters"] = std::move(clusters);
    waves.push_back(std::move(wj));
  }
  j["waves"] = std::move(waves);
  return j;
}

}  // namespace hgo::controller
