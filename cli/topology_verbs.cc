#include <algorithm>
#include <iostream>
#include <map>
#include <thread>

#include "cli/heronctl.h"
#include "cli/render.h"
#include "cli/verbs.h"

namespace hgo::cli {

namespace {

int64_t NowMs(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.WallNow().time_since_epoch())
      .count();
}

bool Matches(const Json& t, const std::vector<std::string>& selectors) {
  const Json* labels = t.Find("labels");
  for (const auto& sel : selectors) {
    const size_t eq = sel.find('=');
    const std::string k = sel.substr(0, eq), v = sel.substr(eq + 1);
    const Json* have = labels ? labels->Find(k) : nullptr;
    if (!have || !have->is_string() || have->as_string() != v) return false;
  }
  return true;
}

StatusOr<Json> ListFiltered(const ApiClient& api, const std::vector<std::string>& selectors) {
  HGO_ASSIGN_OR_RETURN(Json list, api.Get("/api/v1/topologies"));
  Json kept = Json::MakeArray();
  for (const auto& t : Items(list, "topologies")) {
    if (Matches(t, selectors)) kept.push_back(t);
  }
  list["topologies"] = std::move(kept);
  return list;
}

StatusOr<Json> Status(const ApiClient& api, const std::string& key) {
  return api.Get(ApiClient::TopologyPath(key));
}

// How far the applied revision has got: instances running it / all instances.
std::pair<int, int> Progress(const Json& s) {
  int current = 0, total = 0;
  for (const auto& i : Items(s, "instances")) {
    ++total;
    current += Bool(i, "current") && Str(i, "state") == "RUNNING" ? 1 : 0;
  }
  return {current, total};
}

std::string Bar(int done, int total) {
  const int width = 30;
  const int filled = total > 0 ? done * width / total : 0;
  return "[" + std::string(filled, '#') + std::string(width - filled, '-') + "]";
}

// The phase is news: the last pass planned for the spec the sources hold now and saw every
// mutation made through the API.
bool Fresh(const Json& s) {
  return Str(s, "plannedSpecHash") == Str(s, "desiredSpecHash") &&
         Int(s, "observedGeneration") >= Int(s, "generation");
}

// {"history": [...]} as GET …/history answers, from the full status (its record has it).
Json HistoryOf(const Json& s) {
  Json out = Json::MakeObject();
  const Json* record = s.Find("record");
  out["history"] = Json(record ? Items(*record, "history") : Json::Array{});
  return out;
}

// The spec of the revision a pin runs.
std::string PinnedSpecHash(const Json& s, int64_t pinned) {
  const Json history = HistoryOf(s);
  for (const auto& v : Items(history, "history")) {
    if (Int(v, "number") == pinned) return Str(v, "specHash");
  }
  return "";
}

bool Contains(const Json& array, const std::string& value) {
  if (!array.is_array()) return false;
  for (const auto& v : array.as_array()) {
    if (v.is_string() && v.as_string() == value) return true;
  }
  return false;
}

}  // namespace

int Fail(const VerbContext& ctx, const std::string& verb, const hgo::Status& s) {
  ctx.err << "heronctl " << verb << ": " << s.message() << "\n";
  switch (s.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
    case StatusCode::kInternal:
      return kExitUnavailable;
    default:
      return kExitProblem;
  }
}

int RunGetClusters(const VerbContext& ctx, const GetOptions& o) {
  auto list = ctx.api.Get("/api/v1/clusters");
  if (!list.ok()) return Fail(ctx, "get", list.status());
  ctx.out << RenderClusters(*list, o.output, NowMs(ctx.clock)) << std::flush;
  return kExitOk;
}

int RunGet(const VerbContext& ctx, const GetOptions& o) {
  for (const auto& sel : o.selectors) {
    if (sel.find('=') == std::string::npos || sel.front() == '=') {
      ctx.err << "heronctl get: -l takes key=value, got '" << sel << "'\n";
      return kExitUsage;
    }
  }
  auto list = ListFiltered(ctx.api, o.selectors);
  if (!list.ok()) return Fail(ctx, "get", list.status());
  ctx.out << RenderTopologies(*list, o.output, NowMs(ctx.clock)) << std::flush;
  if (!o.watch) return kExitOk;
  // Watch: every change of a topology's row is printed again, without the header (as kubectl).
  auto fingerprint = [](const Json& t) {
    if (!t.is_object()) return Serialize(t);
    Json stable = t;  // ages move every second: compare without them
    stable.as_object().erase("phaseSinceMs");
    stable.as_object().erase("observedAtMs");
    return Serialize(stable);
  };
  std::map<std::string, std::string> last;  // key -> fingerprint
  for (const auto& t : Items(*list, "topologies")) last[Str(t, "key")] = fingerprint(t);
  // The API's watch: each call returns once a topology changed after the version held (or
  // after timeoutSeconds with nothing), with the changed topologies in the list's form.
  int64_t version = Int(*list, "resourceVersion");
  const auto deadline = ctx.clock.Now() + o.watch_for;
  while (true) {
    int64_t wait_s = 20;  // under the client's 30 s request timeout
    if (o.watch_for.count() != 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::seconds>(deadline - ctx.clock.Now());
      if (left.count() <= 0) break;
      wait_s = std::min<int64_t>(wait_s, left.count());
    }
    auto next =
        ctx.api.Get("/api/v1/topologies?watch=true&timeoutSeconds=" + std::to_string(wait_s) +
                    "&resourceVersion=" + std::to_string(version));
    if (!next.ok()) return Fail(ctx, "get", next.status());
    version = Int(*next, "resourceVersion");
    for (const auto& t : Items(*next, "topologies")) {
      if (!Matches(t, o.selectors)) continue;
      std::string& seen = last[Str(t, "key")];
      std::string now = fingerprint(t);
      if (seen == now) continue;
      seen = std::move(now);
      Json one = Json::MakeObject();
      one["topologies"] = Json(Json::Array{t});
      std::string text = RenderTopologies(one, o.output, NowMs(ctx.clock));
      if (o.output == "table" || o.output == "wide") text = text.substr(text.find('\n') + 1);
      ctx.out << text << std::flush;
    }
  }
  return kExitOk;
}

int RunDescribe(const VerbContext& ctx, const std::string& name) {
  auto key = ctx.api.Resolve(name);
  if (!key.ok()) return Fail(ctx, "describe", key.status());
  auto s = Status(ctx.api, *key);
  if (!s.ok()) return Fail(ctx, "describe", s.status());
  ctx.out << RenderDescribe(*s, NowMs(ctx.clock));
  return kExitOk;
}

int RunEvents(const VerbContext& ctx, const std::string& name) {
  std::vector<std::string> keys;
  if (!name.empty()) {
    auto key = ctx.api.Resolve(name);
    if (!key.ok()) return Fail(ctx, "events", key.status());
    keys.push_back(*key);
  } else {
    auto list = ctx.api.Get("/api/v1/topologies");
    if (!list.ok()) return Fail(ctx, "events", list.status());
    for (const auto& t : Items(*list, "topologies")) keys.push_back(Str(t, "key"));
  }
  std::vector<std::pair<std::string, Json>> rows;
  for (const auto& key : keys) {
    auto events = ctx.api.Get(ApiClient::TopologyPath(key) + "/events");
    if (!events.ok()) return Fail(ctx, "events", events.status());
    for (const auto& e : Items(*events, "events")) rows.emplace_back(DisplayName(key, keys), e);
  }
  ctx.out << RenderEvents(rows, NowMs(ctx.clock));
  return kExitOk;
}

int RunSuspend(const VerbContext& ctx, const std::string& name, bool suspend) {
  const char* verb = suspend ? "suspend" : "resume";
  auto key = ctx.api.Resolve(name);
  if (!key.ok()) return Fail(ctx, verb, key.status());
  auto r = ctx.api.Post(ApiClient::TopologyPath(*key) + (suspend ? ":suspend" : ":resume"));
  if (!r.ok()) return Fail(ctx, verb, r.status());
  ctx.out << "topology " << *key << (suspend ? " suspended" : " resumed") << "\n";
  return kExitOk;
}

int RunRestart(const VerbContext& ctx, const std::string& name,
               const std::vector<int32_t>& containers) {
  auto key = ctx.api.Resolve(name);
  if (!key.ok()) return Fail(ctx, "restart", key.status());
  Json body = Json::MakeObject();
  Json list = Json::MakeArray();
  for (int32_t c : containers) list.push_back(Json(static_cast<int64_t>(c)));
  body["containers"] = std::move(list);
  auto r = ctx.api.Post(ApiClient::TopologyPath(*key) + ":restart", Serialize(body));
  if (!r.ok()) return Fail(ctx, "restart", r.status());
  std::string which;
  for (int32_t c : containers) which += (which.empty() ? "" : ", ") + std::to_string(c);
  ctx.out << "topology " << *key << ": "
          << (containers.empty() ? "every container" : "container " + which) << " restarting\n";
  return kExitOk;
}

int RunWait(const VerbContext& ctx, const std::string& name, const std::string& condition,
            std::chrono::seconds timeout) {
  const std::string prefix = "phase=";
  if (condition.rfind(prefix, 0) != 0 || condition.size() == prefix.size()) {
    ctx.err << "heronctl wait: --for takes phase=PHASE, got '" << condition << "'\n";
    return kExitUsage;
  }
  const std::string want = condition.substr(prefix.size());
  const auto deadline = ctx.clock.Now() + timeout;
  std::string phase, key = name;
  while (true) {
    // A topology just applied may not be known yet: that is a reason to wait, not to fail.
    auto resolved = ctx.api.Resolve(name);
    if (!resolved.ok() && resolved.status().code() != StatusCode::kNotFound) {
      return Fail(ctx, "wait", resolved.status());
    }
    auto s = resolved.ok() ? Status(ctx.api, *resolved) : StatusOr<Json>(resolved.status());
    if (!s.ok() && s.status().code() != StatusCode::kNotFound) {
      return Fail(ctx, "wait", s.status());
    }
    if (resolved.ok()) key = *resolved;
    phase = s.ok() ? Str(*s, "phase") : "";
    if (phase == want && Fresh(*s)) {
      ctx.out << "topology " << key << " is " << want << "\n";
      return kExitOk;
    }
    if (ctx.clock.Now() >= deadline) break;
    std::this_thread::sleep_for(ctx.poll);
  }
  ctx.err << "heronctl wait: timed out after " << timeout.count() << "s waiting for " << key
          << " to be " << want << " (it is " << (phase.empty() ? "not known yet" : phase) << ")\n";
  return kExitProblem;
}

int RunRolloutStatus(const VerbContext& ctx, const std::string& name,
                     std::chrono::seconds timeout) {
  auto key = ctx.api.Resolve(name, /*any_cluster=*/true);
  if (!key.ok()) return Fail(ctx, "rollout status", key.status());
  if (auto first = Status(ctx.api, *key); first.ok() && first->Find("rollout")) {
    return RunRolloutWaves(ctx, *key, timeout);
  }
  const auto deadline = ctx.clock.Now() + timeout;
  std::string last_line;
  while (true) {
    auto s = Status(ctx.api, *key);
    if (!s.ok()) return Fail(ctx, "rollout status", s.status());
    const std::string phase = Str(*s, "phase");
    const std::string want = Str(*s, "desiredSpecHash");
    // A pin (`rollout undo`) makes the pinned revision the target until the spec changes.
    const int64_t pinned = Int(*s, "pinnedRevision");
    const std::string target = pinned > 0 ? PinnedSpecHash(*s, pinned) : want;
    const bool at_target = !target.empty() && Str(*s, "appliedSpecHash") == target;
    const auto [done, total] = Progress(*s);
    const bool fresh = Fresh(*s);
    const Json* failed = s->Find("failedSpecHashes");
    if (fresh && ((pinned == 0 && failed && Contains(*failed, want)) || phase == "Failed" ||
                  phase == "RollingBack")) {
      if (ctx.tty && !last_line.empty()) ctx.out << "\n";
      ctx.out << "rollout of " << *key << " failed: " << phase << ": " << Str(*s, "message")
              << "\n";
      return kExitProblem;
    }
    if (fresh && at_target && (phase == "Running" || phase == "Paused")) {
      if (ctx.tty && !last_line.empty()) ctx.out << "\n";
      ctx.out << "revision " << Int(*s, "revision") << " of " << *key
              << " successfully rolled out (" << done << "/" << total << " instances)\n";
      return kExitOk;
    }
    if (fresh && (phase == "Suspended" || phase == "OutOfSync" || phase == "Unknown")) {
      ctx.out << *key << " is " << phase << ": " << Str(*s, "message") << "\n";
      return kExitProblem;
    }
    std::string line = "Waiting for " + *key + " (" + phase + "): " + std::to_string(done) +
                       " of " + std::to_string(total) + " instances run revision " +
                       (at_target ? std::to_string(Int(*s, "revision")) : "<pending>");
    if (ctx.tty) {
      ctx.out << "\r\033[K" << Bar(done, total) << " " << line << std::flush;
    } else if (line != last_line) {
      ctx.out << line << "\n" << std::flush;
    }
    last_line = line;
    if (ctx.clock.Now() >= deadline) {
      if (ctx.tty) ctx.out << "\n";
      ctx.err << "heronctl rollout status: timed out after " << timeout.count() << "s\n";
      return kExitProblem;
    }
    std::this_thread::sleep_for(ctx.poll);
  }
}

int RunRolloutHistory(const VerbContext& ctx, const std::string& name, const std::string& output) {
  auto key = ctx.api.Resolve(name);
  if (!key.ok()) return Fail(ctx, "rollout history", key.status());
  if (output == "json" || output == "yaml") {
    auto history = ctx.api.Get(ApiClient::TopologyPath(*key) + "/history");
    if (!history.ok()) return Fail(ctx, "rollout history", history.status());
    ctx.out << (output == "json" ? SerializePretty(*history) + "\n" : ToYaml(*history));
    return kExitOk;
  }
  auto s = Status(ctx.api, *key);  // the full status carries the record's history
  if (!s.ok()) return Fail(ctx, "rollout history", s.status());
  ctx.out << RenderHistory(HistoryOf(*s), *s, NowMs(ctx.clock));
  return kExitOk;
}

int RunRolloutUndo(const VerbContext& ctx, const std::string& name, int64_t to_revision) {
  auto key = ctx.api.Resolve(name);
  if (!key.ok()) return Fail(ctx, "rollout undo", key.status());
  if (to_revision <= 0) {
    // The revision before the current one that did not fail.
    auto s = Status(ctx.api, *key);
    if (!s.ok()) return Fail(ctx, "rollout undo", s.status());
    const int64_t current = Int(*s, "revision");
    const Json history = HistoryOf(*s);
    for (const auto& v : Items(history, "history")) {
      const int64_t n = Int(v, "number");
      if (n < current && n > to_revision && Str(v, "outcome") != "Failed" &&
          !(s->Find("failedSpecHashes") &&
            Contains(*s->Find("failedSpecHashes"), Str(v, "specHash")))) {
        to_revision = n;
      }
    }
    if (to_revision <= 0) {
      ctx.err << "heronctl rollout undo: " << *key << " has no earlier revision to return to\n";
      return kExitProblem;
    }
  }
  Json body = Json::MakeObject();
  body["revision"] = to_revision;
  auto r = ctx.api.Post(ApiClient::TopologyPath(*key) + ":rollback", Serialize(body));
  if (!r.ok()) return Fail(ctx, "rollout undo", r.status());
  ctx.out << "topology " << *key << " rolled back to revision " << to_revision
          << " (pinned until its spec changes)\n";
  return kExitOk;
}

int RunRolloutRetry(const VerbContext& ctx, const std::string& name) {
  auto key = ctx.api.Resolve(name);
  if (!key.ok()) return Fail(ctx, "rollout retry", key.status());
  auto r = ctx.api.Post(ApiClient::TopologyPath(*key) + ":retry");
  if (!r.ok()) return Fail(ctx, "rollout retry", r.status());
  ctx.out << "topology " << *key << ": failed revisions will be tried again\n";
  return kExitOk;
}

}  // namespace hgo::cli
