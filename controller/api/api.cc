#include "controller/api/api.h"

#include <chrono>
#include <cstring>
#include <set>

#include "aurora/job_builder.h"
#include "common/sha256.h"
#include "controller/api/replies.h"
#include "controller/api/ui.h"
#include "controller/api/views.h"
#include "crd/canonical.h"
#include "reconciler/planner.h"
#include "statestore/records.h"

namespace hgo::controller {

namespace {

constexpr char kPrefix[] = "/api/v1/topologies";

// A git host's webhook: GitHub signs the body (X-Hub-Signature-256: sha256=HMAC-SHA256 hex),
// GitLab sends the secret itself (X-Gitlab-Token). Refreshes the sources whose secret verifies
// it; what it answers a caller that fails says nothing of why. The request names no URL: it can
// only make the controller fetch what its flags already name.
HttpReply SignedWebhook(Controller& controller, const HttpRequest& req) {
  const std::string signature = req.Header("x-hub-signature-256");
  const std::string gitlab = req.Header("x-gitlab-token");
  int refreshed = 0;
  if (signature.rfind("sha256=", 0) == 0) {
    const std::string given = signature.substr(7);
    refreshed = controller.RefreshSourcesSignedWith([&](const std::string& secret) {
      return SameSecret(HmacSha256Hex(secret, req.body), given);
    });
  } else if (!gitlab.empty()) {
    refreshed = controller.RefreshSourcesSignedWith(
        [&](const std::string& secret) { return SameSecret(secret, gitlab); });
  }
  if (refreshed == 0) {
    return ErrorReply(
        Status::Unauthenticated("a signed webhook or a valid bearer token is required"));
  }
  Json j = Json::MakeObject();
  j["refreshed"] = static_cast<int64_t>(refreshed);
  return JsonReply(202, j);
}

// "c/r/e/n" -> key; the rest after the fourth part (":verb" or "/events") in suffix.
StatusOr<crd::TopologyKey> ParseKeyPath(std::string rest, std::string& suffix) {
  static const char kExpected[] = "expected /api/v1/topologies/CLUSTER/ROLE/ENV/NAME";
  size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    at = rest.find('/', at);
    if (at == std::string::npos) return Status::NotFound(kExpected);
    ++at;
  }
  const size_t end = rest.find_first_of("/:", at);  // a sub-resource or a verb follows
  auto key = crd::TopologyKey::Parse(std::string_view(rest).substr(0, end));
  if (!key.ok()) return Status::NotFound(kExpected);
  suffix = end == std::string::npos ? "" : rest.substr(end);
  return key;
}

// GET …/revisions/N: a recorded revision's spec as YAML (what the UI diffs).
HttpReply RevisionReply(const TopologyStatus& s, const std::string& number) {
  const statestore::Revision* found = nullptr;
  if (s.record) {
    for (const auto& v : s.record->history) {
      if (std::to_string(v.number) == number) found = &v;
    }
  }
  if (!found) return ErrorReply(Status::NotFound("no revision " + number + " in the history"));
  Json j = Json::MakeObject();
  j["number"] = found->number;
  j["specHash"] = found->spec_hash;
  j["sourceRevision"] = found->source_revision;
  if (found->spec_json.empty()) {
    j["spec"] = Json();  // not recorded
  } else {
    auto canonical = ParseJson(found->spec_json.str());
    auto spec = canonical.ok() ? crd::FromCanonicalJson(std::move(*canonical), "revision " + number)
                               : StatusOr<crd::Topology>(canonical.status());
    if (!spec.ok()) return ErrorReply(spec.status());
    j["spec"] = crd::SpecYaml(*spec);
  }
  return JsonReply(200, j);
}

}  // namespace

Json KeyJson(const crd::TopologyKey& key) {
  Json j = Json::MakeObject();
  j["key"] = key.ToString();
  j["cluster"] = key.cluster;
  j["role"] = key.role;
  j["environment"] = key.environment;
  j["name"] = key.name;
  return j;
}

Json StatusToJson(const TopologyStatus& s, bool full) {
  Json j = KeyJson(s.key);
  j["phase"] = s.phase;
  j["message"] = s.message;
  j["desiredSpecHash"] = s.desired_spec_hash;
  j["source"] = s.source;
  if (!s.source_error.empty()) j["sourceError"] = s.source_error;
  j["observedAtMs"] = s.observed_at_ms;
  j["plannedSpecHash"] = s.planned_spec_hash;
  j["generation"] = s.generation;
  j["observedGeneration"] = s.observed_generation;
  Json labels = Json::MakeObject();
  for (const auto& [k, v] : s.labels) labels[k] = v;
  j["labels"] = std::move(labels);
  Json instances = Json::MakeArray();
  for (const auto& [id, t] :
       s.tasks ? InstanceTasks(*s.tasks) : std::map<int32_t, const ObservedTask*>{}) {
    Json ij = Json::MakeObject();
    ij["id"] = static_cast<int64_t>(id);
    ij["state"] = std::string(aurora::TaskStatusName(t->status));
    ij["taskId"] = t->task_id;
    ij["host"] = t->host;
    Json ports = Json::MakeObject();
    for (size_t i = 0; i < t->ports.size(); ++i) {
      ports[(*t->port_names)[i]] = static_cast<int64_t>(t->ports[i]);
    }
    ij["ports"] = std::move(ports);
    ij["runningSinceMs"] = t->running_since_ms;
    ij["failures"] = static_cast<int64_t>(t->failures);
    // An adopted job's tasks carry no job hash: they run the live task the revision kept.
    const bool adopted = aurora::IsLiveTaskHash(s.current_job_hash) && t->job_hash.empty();
    ij["current"] = !s.current_job_hash.empty() && (t->job_hash == s.current_job_hash || adopted);
    instances.push_back(std::move(ij));
  }
  j["instances"] = std::move(instances);
  if (full && s.packing) {
    // Container N of the applied revision's packing plan is Aurora's instance N.
    Json containers = Json::MakeArray();
    for (const auto& c : s.packing->containers) {
      Json cj = Json::MakeObject();
      cj["id"] = static_cast<int64_t>(c.id);
      Json list = Json::MakeArray();
      for (const auto& i : c.instances) {
        Json ij = Json::MakeObject();
        ij["component"] = i.component;
        ij["taskId"] = static_cast<int64_t>(i.task_id);
        ij["componentIndex"] = static_cast<int64_t>(i.component_index);
        list.push_back(std::move(ij));
      }
      cj["instances"] = std::move(list);
      containers.push_back(std::move(cj));
    }
    j["containers"] = std::move(containers);
  }
  if (s.heron && s.heron->any()) {
    Json h = Json::MakeObject();
    h["topologyId"] = s.heron->topology_id;
    h["state"] = s.heron->topology ? (s.heron->paused ? "PAUSED" : "RUNNING") : "";
    h["physicalPlan"] = s.heron->physical_plan;
    h["packingPlan"] = s.heron->packing_plan;
    h["topologyManager"] = s.heron->tmanager_topology_id;
    // The live runtime config, as the topology manager's physical plan holds it (only when it
    // has some: the status of topologies without keeps its shape).
    if (!s.heron->runtime_config.empty()) {
      Json runtime = Json::MakeObject();
      for (const auto& [key, value] : s.heron->runtime_config) runtime[key] = value;
      h["runtimeConfig"] = std::move(runtime);
    }
    j["heron"] = std::move(h);
  }
  if (s.record) {
    const auto& r = *s.record;
    j["suspended"] = r.suspended;
    j["phaseSinceMs"] = r.phase_since_ms;
    if (r.applied) {
      j["revision"] = r.applied->number;
      j["appliedSpecHash"] = r.applied->spec_hash;
      j["topologyId"] = r.applied->topology_id;
      j["sourceRevision"] = r.applied->source_revision;
    }
    if (r.last_stable) j["stableRevision"] = r.last_stable->number;
    if (r.pinned_revision) j["pinnedRevision"] = *r.pinned_revision;
    Json failed = Json::MakeArray();
    for (const auto& h : r.failed_spec_hashes) failed.push_back(h);
    j["failedSpecHashes"] = std::move(failed);
    if (full) j["record"] = statestore::RecordToJson(r);
  }
  return j;
}

Json PlanToJson(const DryRun& d) {
  Json j = Json::MakeObject();
  j["key"] = d.key.ToString();
  j["phase"] = reconciler::PhaseName(d.plan.phase);
  j["message"] = d.plan.message;
  j["instancesRestarted"] = static_cast<int64_t>(d.plan.instances_restarted);
  Json actions = Json::MakeArray();
  for (const auto& a : d.plan.actions) {
    Json aj = Json::MakeObject();
    aj["action"] = reconciler::ActionName(a.kind);
    aj["revision"] = a.hash;
    aj["topologyId"] = a.topology_id;
    aj["reason"] = a.reason;
    actions.push_back(std::move(aj));
  }
  j["actions"] = std::move(actions);
  return j;
}

Json ClusterToJson(const ClusterStatus& c) {
  Json b = Json::MakeObject();
  b["state"] = PhaseName(c.breaker.phase);
  b["failures"] = c.breaker.failures;
  b["opens"] = c.breaker.opens;
  b["lastError"] = c.breaker.last_error;
  b["openedAtMs"] = c.breaker.opened_at_ms;
  b["retryAtMs"] = c.breaker.retry_at_ms;
  b["lastReachedMs"] = c.breaker.last_reached_ms;
  Json j = Json::MakeObject();
  j["name"] = c.name;
  j["heronConnected"] = c.heron_connected;
  j["leader"] = c.leader;
  j["breaker"] = std::move(b);
  return j;
}

Json UnmanagedToJson(const UnmanagedTopology& u) {
  Json j = KeyJson(u.key);
  j["topologyId"] = u.topology_id;
  j["submissionUser"] = u.submission_user;
  j["submissionTime"] = u.submission_time_s;
  j["containers"] = static_cast<int64_t>(u.containers);
  return j;
}

Json ImportedToJson(const Imported& i) {
  Json j = Json::MakeObject();
  j["key"] = i.spec.key().ToString();
  j["spec"] = crd::SpecYaml(i.spec);
  j["matches"] = i.differences.empty() && i.notes.empty();
  Json differences = Json::MakeArray();
  for (const auto& d : i.differences) {
    Json dj = Json::MakeObject();
    dj["field"] = d.field;
    dj["live"] = d.live;
    dj["desired"] = d.desired;
    differences.push_back(std::move(dj));
  }
  j["differences"] = std::move(differences);
  Json notes = Json::MakeArray();
  for (const auto& n : i.notes) notes.push_back(n);
  j["notes"] = std::move(notes);
  return j;
}

namespace {

// The topology a POST acts on (its path's key), or none: a controller-wide call.
std::optional<crd::TopologyKey> TargetOf(const std::string& path) {
  const std::string prefix = std::string(kPrefix) + "/";
  if (path.rfind(prefix, 0) != 0) return std::nullopt;
  std::string suffix;
  auto key = ParseKeyPath(path.substr(prefix.size()), suffix);
  if (!key.ok()) return std::nullopt;
  return *key;
}

// Who asked, for the audit log: a token's name, "webhook" for a signed git webhook, or
// "anonymous".
std::string CallerName(const ApiOptions& options, const HttpRequest& req) {
  if (const ApiToken* t = Identify(options.access, req.Header("authorization"))) return t->name;
  if (req.path == "/api/v1/webhook/git") return "webhook";
  return "anonymous";
}

HttpHandler Handler(Controller& controller, Metrics& metrics, ApiOptions options);

}  // namespace

HttpHandler MakeApiHandler(Controller& controller, Metrics& metrics, ApiOptions options) {
  HttpHandler inner = Handler(controller, metrics, options);
  if (!options.audit) return inner;
  return [inner, options](const HttpRequest& req) -> HttpReply {
    HttpReply reply = inner(req);
    // Every change asked for, allowed or not (a dry run is not one).
    if (req.method == "POST" && req.path != "/api/v1/plan") {
      auto target = TargetOf(req.path);
      const auto now = std::chrono::system_clock::now().time_since_epoch();
      options.audit->Write(std::chrono::duration_cast<std::chrono::milliseconds>(now).count(),
                           CallerName(options, req), req.method, req.path,
                           target ? target->ToString() : "", reply.status);
    }
    return reply;
  };
}

namespace {

HttpHandler Handler(Controller& controller, Metrics& metrics, ApiOptions options) {
  return [&controller, &metrics, options](const HttpRequest& req) -> HttpReply {
    const std::string& path = req.path;
    if (options.reads_need_token && req.method == "GET" &&
        (path.rfind("/api/", 0) == 0 || path == "/metrics") &&
        !Identify(options.access, req.Header("authorization"))) {
      return ErrorReply(Status::Unauthenticated("reading needs a valid bearer token"));
    }
    if (req.method == "GET" && path == "/healthz") return HttpReply::Text(200, "ok\n");
    if (req.method == "GET" && path == "/readyz") {
      return controller.Ready() ? HttpReply::Text(200, "ready\n")
                                : HttpReply::Text(503, "not ready\n");
    }
    if (req.method == "GET" && path == "/metrics") {
      controller.CollectCounters();
      HttpReply r = HttpReply::Text(200, metrics.Render());
      r.headers["Content-Type"] = "text/plain; version=0.0.4";
      return r;
    }
    if (req.method == "GET" && path == "/api/v1/leader") {
      Json j = Json::MakeObject();
      j["leader"] = controller.Leader();
      j["isLeader"] = controller.IsLeader();
      return JsonReply(200, j);
    }
    if (req.method == "POST" && path == "/api/v1/plan") {
      auto plan = controller.Plan(req.body);
      return plan.ok() ? JsonReply(200, PlanToJson(*plan)) : ErrorReply(plan.status());
    }
    if (req.method == "GET" && path == "/api/v1/clusters") {
      Json list = Json::MakeArray();
      for (const auto& c : controller.Clusters()) list.push_back(ClusterToJson(c));
      Json j = Json::MakeObject();
      j["clusters"] = std::move(list);
      return JsonReply(200, j);
    }
    if (req.method == "GET" && path == "/api/v1/unmanaged") {
      auto found = controller.Unmanaged();
      if (!found.ok()) return ErrorReply(found.status());
      Json list = Json::MakeArray();
      for (const auto& u : *found) list.push_back(UnmanagedToJson(u));
      Json j = Json::MakeObject();
      j["topologies"] = std::move(list);
      return JsonReply(200, j);
    }
    if (req.method == "GET" && path.rfind("/api/v1/unmanaged/", 0) == 0) {
      auto key = crd::TopologyKey::Parse(path.substr(std::strlen("/api/v1/unmanaged/")));
      if (!key.ok()) {
        return ErrorReply(Status::NotFound("expected /api/v1/unmanaged/CLUSTER/ROLE/ENV/NAME"));
      }
      auto imported = controller.Import(*key);
      return imported.ok() ? JsonReply(200, ImportedToJson(*imported))
                           : ErrorReply(imported.status());
    }
    if (req.method == "GET" && path == "/api/v1/overview") {
      auto q = ParseOverviewQuery(req);
      if (!q.ok()) return ErrorReply(q.status());
      const int64_t version = controller.Changes().version();  // before: a later change shows
      return JsonReply(200, Overview(controller.List(), *q, version));
    }
    if (req.method == "GET" && path == kPrefix && req.Param("watch") == "true") {
      return WatchList(controller, req);
    }
    if (req.method == "GET" && path == kPrefix) {
      const int64_t version = controller.Changes().version();
      Json list = Json::MakeArray();
      for (const auto& s : controller.List()) list.push_back(StatusToJson(s, false));
      Json errors = Json::MakeArray();
      for (const auto& e : controller.SourceErrors()) errors.push_back(e);
      Json j = Json::MakeObject();
      j["topologies"] = std::move(list);
      j["sourceErrors"] = std::move(errors);
      j["isLeader"] = controller.IsLeader();
      j["resourceVersion"] = version;
      return JsonReply(200, j);
    }
    if (req.method == "GET") {
      if (auto page = ServeUi(path); page) return std::move(*page);
    }
    const bool mutating = req.method == "POST";
    if (mutating && path == "/api/v1/webhook/git" &&
        req.Header("authorization").rfind("Bearer ", 0) != 0) {
      return SignedWebhook(controller, req);
    }
    if (mutating) {
      if (options.access.empty()) {
        return ErrorReply(Status(StatusCode::kPermissionDenied,
                                 "mutations are disabled: the controller has no --token-file "
                                 "or --tokens-file"));
      }
      const ApiToken* who = Identify(options.access, req.Header("authorization"));
      if (!who) return ErrorReply(Status::Unauthenticated("a valid bearer token is required"));
      if (Status may = MayChange(*who, TargetOf(path)); !may.ok()) return ErrorReply(may);
      if (path == "/api/v1/webhook/git") {
        controller.RefreshSources();
        return JsonReply(202, Json::MakeObject());
      }
      if (path == "/api/v1/resync") {
        controller.Resync();
        return JsonReply(202, Json::MakeObject());
      }
    }
    const std::string prefix = std::string(kPrefix) + "/";
    if (path.rfind(prefix, 0) != 0) return ErrorReply(Status::NotFound("no such endpoint"));
    std::string suffix;
    auto key = ParseKeyPath(path.substr(prefix.size()), suffix);
    if (!key.ok()) return ErrorReply(key.status());
    if (req.method == "GET") {
      if (suffix.empty() && req.Param("watch") == "true") return WatchOne(controller, *key, req);
      const int64_t version = controller.Changes().version();
      auto s = controller.Get(*key);
      if (!s.ok()) return ErrorReply(s.status());
      if (suffix.empty()) {
        Json j = StatusToJson(*s, true);
        j["resourceVersion"] = version;
        if (auto view = controller.Rollout(*key); view.ok()) j["rollout"] = RolloutJson(*view);
        return JsonReply(200, j);
      }
      if (suffix.rfind("/revisions/", 0) == 0) return RevisionReply(*s, suffix.substr(11));
      if (suffix == "/rollout") {
        auto view = controller.Rollout(*key);
        if (!view.ok()) return ErrorReply(view.status());
        return JsonReply(200, RolloutJson(*view));
      }
      Json j = Json::MakeObject();
      if (suffix == "/events" && s->record) {
        j = statestore::RecordToJson(*s->record);
        Json events = j["events"];
        j = Json::MakeObject();
        j["events"] = std::move(events);
        return JsonReply(200, j);
      }
      if (suffix == "/history" && s->record) {
        Json r = statestore::RecordToJson(*s->record);
        j["history"] = r["history"];
        return JsonReply(200, j);
      }
      if (suffix == "/events" || suffix == "/history") {
        j[suffix.substr(1)] = Json::MakeArray();
        return JsonReply(200, j);
      }
      return ErrorReply(Status::NotFound("no such endpoint " + suffix));
    }
    if (!mutating) return ErrorReply(Status::NotFound("method not allowed"));
    Status s;
    if (suffix == ":sync") {
      s = controller.Sync(*key);
    } else if (suffix == ":suspend") {
      s = controller.SetSuspended(*key, true);
    } else if (suffix == ":resume") {
      s = controller.SetSuspended(*key, false);
    } else if (suffix == ":halt") {
      s = controller.HaltRollout(*key);
    } else if (suffix == ":promote") {
      s = controller.PromoteRollout(*key);
    } else if (suffix == ":retry") {
      s = controller.Retry(*key);
    } else if (suffix == ":restart") {
      // {"containers": [1, 2]}; none (or no body): every container.
      auto body = ParseJson(req.body.empty() ? "{}" : req.body);
      const Json* list = body.ok() ? body->Find("containers") : nullptr;
      std::set<int32_t> containers;
      // An empty list is "every container" too (heronctl sends it). Strict otherwise: a
      // misspelt key ({"container": [1]}) must not read as "every container".
      bool ok = body.ok() && body->is_object() && (!list || list->is_array());
      if (ok) {
        for (const auto& [name, value] : body->as_object()) ok &= name == "containers";
      }
      if (ok && list) {
        for (const auto& c : list->as_array()) {
          ok &= c.is_int() && c.as_int() >= 0 && c.as_int() < 10000;
          if (ok) containers.insert(static_cast<int32_t>(c.as_int()));
        }
      }
      if (!ok) {
        return ErrorReply(
            Status::InvalidArgument("body must be {\"containers\": [N, ...]} or empty (every "
                                    "container), and nothing else"));
      }
      s = controller.Restart(*key, containers);
    } else if (suffix == ":rollback") {
      auto body = ParseJson(req.body.empty() ? "{}" : req.body);
      const Json* rev = body.ok() ? body->Find("revision") : nullptr;
      if (!rev || !rev->is_int()) {
        return ErrorReply(Status::InvalidArgument("body must be {\"revision\": N}"));
      }
      s = controller.Rollback(*key, rev->as_int());
    } else {
      return ErrorReply(Status::NotFound("no such action " + suffix));
    }
    if (!s.ok()) {
      if (!controller.Leads(key->cluster)) {
        HttpReply r = ErrorReply(Status::Unavailable(s.message()));
        return r;
      }
      return ErrorReply(s);
    }
    Json ok = Json::MakeObject();
    ok["accepted"] = true;
    return JsonReply(202, ok);
  };
}

}  // namespace

}  // namespace hgo::controller
