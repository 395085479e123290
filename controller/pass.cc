#include "controller/pass.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>

#include "common/failpoint.h"
#include "controller/cluster/adopt.h"
#include "controller/cluster/observe.h"
#include "controller/failpoints.h"
#include "reconciler/planner.h"

namespace hgo::controller {

using reconciler::Action;
using Kind = reconciler::Action::Kind;

namespace {

// The job hash every instance runs, all of them RUNNING; "" when they differ or one is not.
std::string RunningJob(const reconciler::Observed& observed) {
  std::string job;
  for (const auto& [id, inst] : observed.instances) {
    if (inst.state != reconciler::ObservedInstance::State::kRunning || inst.job_hash.empty() ||
        (!job.empty() && inst.job_hash != job)) {
      return "";
    }
    job = inst.job_hash;
  }
  return job;
}

bool Writes(const reconciler::Plan& plan) {
  return std::any_of(plan.actions.begin(), plan.actions.end(), [](const Action& a) {
    return a.kind != Kind::kRemember && a.kind != Kind::kForget;
  });
}

}  // namespace

KeyPass::KeyPass(PassSettings settings, PassEdges edges)
    : settings_(std::move(settings)), edges_(std::move(edges)) {}

int64_t KeyPass::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             edges_.clock->WallNow().time_since_epoch())
      .count();
}

StatusOr<reconciler::Observed> KeyPass::Observe(
    ClusterRuntime& c, const crd::TopologyKey& key, int worker,
    std::shared_ptr<const statestore::HeronSnapshot>* heron,
    std::shared_ptr<const JobTasks>* job_tasks, Reach* reach) {
  Reach ignored;
  if (!reach) reach = &ignored;
  *reach = Reach::kUnknown;
  const Labels cluster{{"cluster", key.cluster}};
  bool busy = false;
  if (Status ensured = c.Ensure(&busy); !ensured.ok()) {
    if (!busy && Breaker::IsUnreachable(ensured)) *reach = Reach::kUnreachable;
    return ensured;
  }
  if (!c.heron_connected()) {
    *reach = Reach::kUnreachable;
    edges_.metrics->Inc("heron_controller_zookeeper_errors_total", cluster);
    return Status::Unavailable("Heron's ZooKeeper of cluster " + key.cluster + " is unreachable");
  }
  if (!c.heron_view_current()) {
    // A new session's reload has not completed: a node absent from the view may exist.
    return Status::Unavailable("Heron's state of cluster " + key.cluster +
                               " is being read again after a new ZooKeeper session");
  }
  const int64_t last_write = edges_.board->LastWriteMs(key);
  const int64_t min_fetch = last_write > 0 ? last_write + 1 : 0;
  const auto t0 = edges_.clock->Now();
  const aurora::JobKey job{key.role, key.environment, key.name};
  auto view = c.ObserveJob(job, worker, min_fetch, settings_.role_cache_ms);
  edges_.metrics->Observe("heron_controller_aurora_observe_seconds", cluster,
                          std::chrono::duration<double>(edges_.clock->Now() - t0).count());
  if (!view.ok()) {
    *reach = Breaker::IsUnreachable(view.status()) ? Reach::kUnreachable : Reach::kReached;
    edges_.metrics->Inc("heron_controller_aurora_errors_total", cluster);
    return Status(view.status().code(),
                  "Aurora of cluster " + key.cluster + ": " + view.status().message());
  }
  *reach = Reach::kReached;
  *heron = c.Heron(key.name);
  std::shared_ptr<const JobTasks> tasks = (*view)->TasksOf(job);
  auto observed =
      ObserveTopology(job, *tasks, (*view)->UpdatesOf(job), heron->get(), NowMs(), &c.heron_memo());
  if (job_tasks) *job_tasks = std::move(tasks);
  return observed;
}

StatusOr<reconciler::Observed> KeyPass::ObserveThroughBreaker(
    ClusterRuntime& c, const crd::TopologyKey& key, int worker,
    std::shared_ptr<const statestore::HeronSnapshot>* heron,
    std::shared_ptr<const JobTasks>* job_tasks,
    std::optional<std::chrono::milliseconds>* retry_in) {
  Breaker& breaker = c.breaker();
  const Breaker::Admission admission = breaker.Admit();
  if (!admission.allowed) {
    *retry_in = admission.retry_in;
    const BreakerState b = breaker.State();
    return Status::Unavailable(
        "cluster " + key.cluster + " does not answer; nothing is tried there until its next " +
        "probe in " + std::to_string((admission.retry_in.count() + 999) / 1000) + " s (breaker " +
        PhaseName(b.phase) + " after " + std::to_string(b.failures) +
        " unreachable observations; the last: " + b.last_error + ")");
  }
  Reach reach = Reach::kUnknown;
  StatusOr<reconciler::Observed> o = Observe(c, key, worker, heron, job_tasks, &reach);
  if (o.ok()) {
    // The cluster's ZooKeeper is claimed for this term before anything is decided on it, even
    // when the pass writes nothing: a deposed leader's writes there fail from then on.
    if (Status claimed = c.ClaimHeron(); !claimed.ok()) {
      if (Breaker::IsUnreachable(claimed)) reach = Reach::kUnreachable;
      o = claimed;
    }
  }
  switch (reach) {
    case Reach::kReached:
      breaker.Reached();
      break;
    case Reach::kUnreachable:
      breaker.Unreachable(o.status());
      break;
    case Reach::kUnknown:
      breaker.Release(admission.probe);
      break;
  }
  return o;
}

StatusOr<reconciler::Desired> KeyPass::DesiredFor(
    const DesiredOf& of, ClusterRuntime& c, const std::optional<packing::PackingPlan>& current,
    const statestore::Revision* applied, std::map<std::string, RevisionSource>& revisions,
    bool* package_unreachable) {
  reconciler::Desired d;
  if (of.frozen) {
    d.presence = reconciler::Desired::Presence::kFrozen;
    d.source_error = *of.frozen;
    return d;
  }
  if (!of.entry) {
    d.presence = reconciler::Desired::Presence::kAbsent;
    return d;
  }
  const sources::DesiredEntry* entry = &*of.entry;  // its spec shared, not copied
  RevisionSource rev{entry->spec, entry->spec_hash, entry->source_revision};
  const crd::PackageSpec& package = entry->spec->spec.package;
  auto facts = c.packages().Open(package.uri, package.sha256);
  if (!facts.ok()) {
    // Nothing of a revision whose package cannot be read is deployed; what runs stays. A store
    // that is down, or a package not pushed yet (a spec committed before its package), is
    // looked at again soon rather than at the next resync.
    const StatusCode code = facts.status().code();
    *package_unreachable = code == StatusCode::kUnavailable ||
                           code == StatusCode::kDeadlineExceeded || code == StatusCode::kNotFound;
    d.presence = reconciler::Desired::Presence::kFrozen;
    d.source_error = entry->spec->source_file + ": package: " + facts.status().message();
    return d;
  }
  // A revision of the applied one's task (itself, or a scale of it) runs in the containers it
  // has.
  const std::optional<ContainerSize> keep = KeptSize(applied, entry->spec_hash, *entry->spec);
  auto shape =
      ShapeOf(rev, c.spec().config, current, **facts, &c.job_hashes(), keep ? &*keep : nullptr);
  if (!shape.ok()) {
    d.presence = reconciler::Desired::Presence::kFrozen;
    d.source_error = entry->spec->source_file + ": " + shape.status().message();
    return d;
  }
  if (!shape->outgrown.empty() && applied->spec_hash != entry->spec_hash) {
    spdlog::warn(
        "{}: scaled in the running containers' size, as Heron scales ({}); a change of "
        "spec.resources resizes them",
        entry->spec->key().ToString(), shape->outgrown);
  }
  rev.shape = std::make_shared<const Shape>(std::move(*shape));
  d.spec = entry->spec;
  d.spec_hash = entry->spec_hash;
  d.source_revision = entry->source_revision;
  d.instances = rev.shape->instances;
  d.job_hash = rev.shape->inputs.job_hash;
  d.graph_hash = entry->graph_hash;
  revisions[entry->spec_hash] = std::move(rev);
  return d;
}

void KeyPass::ShapeRecordedRevisions(ClusterRuntime& c,
                                     const std::optional<packing::PackingPlan>& current,
                                     const statestore::TopologyRecord& record,
                                     std::map<std::string, RevisionSource>& revisions) {
  for (auto& [hash, rev] : revisions) {
    if (rev.shape) continue;
    // A revision the plan returns to (rollback, undo): shaped as the desired one is, from the
    // packing plan in Heron's state. One that cannot be is left without a shape; the executor
    // then fails its action with the reason.
    const crd::PackageSpec& package = rev.spec->spec.package;
    auto facts = c.packages().Open(package.uri, package.sha256);
    if (!facts.ok()) continue;
    const std::optional<ContainerSize> size = SizeOf(FindRevision(record, hash));
    auto shape = ShapeOf(rev, c.spec().config, current, **facts, nullptr, size ? &*size : nullptr);
    if (shape.ok()) rev.shape = std::make_shared<const Shape>(std::move(*shape));
  }
}

void KeyPass::Run(const crd::TopologyKey& key, ClusterRuntime* cluster, int worker) {
  const auto started = edges_.clock->Now();
  const int64_t generation = edges_.board->Generation(key);
  auto finish = [&](const char* result) {
    edges_.metrics->Inc("heron_controller_reconciles_total", {{"result", result}});
    edges_.metrics->Observe("heron_controller_reconcile_seconds", {},
                            std::chrono::duration<double>(edges_.clock->Now() - started).count());
  };
  auto stored = ReadRecord(key, generation);
  if (!stored.ok()) {
    spdlog::warn("{}: reading its record: {}", key.ToString(), stored.status().ToString());
    edges_.metrics->Inc("heron_controller_zookeeper_errors_total", {{"cluster", "controller"}});
    edges_.queue->AddRateLimited(key);
    return finish("error");
  }
  const int64_t now = NowMs();
  if (!cluster) {
    edges_.board->ReportUnknownCluster(key, *stored ? (*stored)->record : nullptr);
    return finish("error");
  }
  ClusterRuntime& c = *cluster;

  std::shared_ptr<const statestore::HeronSnapshot> heron;
  reconciler::Observed observed;
  std::shared_ptr<const JobTasks> job_tasks;
  std::optional<std::chrono::milliseconds> turned_away;  // by the cluster's breaker, for this long
  auto o = ObserveThroughBreaker(c, key, worker, &heron, &job_tasks, &turned_away);
  if (!o.ok() && !edges_.leads(key.cluster)) return finish("skipped");  // deposed meanwhile
  if (o.ok()) {
    observed = std::move(*o);
  } else {
    observed.known = false;
  }
  std::map<std::string, RevisionSource> revisions;
  // The record as stored (shared with the cache and the status, never modified here).
  std::shared_ptr<const statestore::TopologyRecord> record_ptr;  // set once, below
  int64_t version = statestore::kMustNotExist;
  if (*stored) {
    record_ptr = (*stored)->record;
    version = (*stored)->version;
  } else {
    auto fresh = std::make_shared<statestore::TopologyRecord>();
    fresh->key = key;
    record_ptr = std::move(fresh);
  }
  const statestore::TopologyRecord& record = *record_ptr;  // record_ptr is never reassigned
  std::shared_ptr<const statestore::TopologyRecord> latest = record_ptr;  // after this pass
  const std::optional<packing::PackingPlan> current =
      CurrentPacking(heron.get(), &c.heron_memo(), key.name);
  bool package_unreachable = false;
  const DesiredOf of = edges_.desired(key);
  auto desired = DesiredFor(of, c, current, record.applied ? &*record.applied : nullptr, revisions,
                            &package_unreachable);
  const reconciler::Memory memory = MemoryFromRecord(record);
  if (desired.ok() && desired->presence == reconciler::Desired::Presence::kPresent && edges_.gate) {
    desired->gate = edges_.gate(key, *desired, memory, now);
  }
  if (observed.known && memory.applied_hash.empty() && ForeignJob(observed) &&
      desired->presence == reconciler::Desired::Presence::kPresent) {
    // A job the controller did not create (heron-cli's): the planner adopts, replaces or
    // leaves it as spec.adopt says, on a comparison of the whole live topology (not made when
    // it is never to be adopted: it costs an Aurora read with configs per pass).
    if (desired->spec->spec.adopt == crd::AdoptPolicy::kNever) {
      observed.foreign = reconciler::ObservedForeign{};
      observed.foreign->topology_id = observed.heron.topology_id;
    } else {
      observed.foreign = CompareForeign(c, key, worker, revisions.at(desired->spec_hash));
    }
  }
  reconciler::Plan plan = reconciler::MakePlan(*desired, observed, memory, settings_.planner, now);
  if (package_unreachable && plan.requeue_after_ms == 0) {
    plan.requeue_after_ms = settings_.planner.requeue_ms;
  }
  if (!o.ok()) plan.message = o.status().message();
  if (turned_away) {
    // Back when the cluster may answer again (or at once when its probe finds it does).
    plan.requeue_after_ms = std::max<int64_t>(100, turned_away->count());
  }
  {
    std::set<std::string> named;
    for (const auto& a : plan.actions) {
      if (!a.hash.empty()) named.insert(a.hash);
    }
    AddRecordedRevisions(record, named, *edges_.recorded_specs, revisions);
    ShapeRecordedRevisions(c, current, record, revisions);
  }

  ApplyPruneBudget(*desired, memory, plan);
  if (!edges_.leads(key.cluster)) return finish("skipped");  // deposed during the pass: do nothing

  const std::optional<Status> halted = edges_.board->HaltedFor(key, desired->spec_hash);
  // A failpoint armed to fail ends the pass there, as a crash would, and retries it.
  auto failed_at = [&](std::string_view point) {
    Status hit = failpoint::Hit(point);
    if (hit.ok()) return false;
    spdlog::warn("{}: {}", key.ToString(), hit.ToString());
    edges_.queue->AddRateLimited(key);
    finish("error");
    return true;
  };
  if (Writes(plan) && failed_at(kBeforeActFailpoint)) return;
  const Status executed = Act(key, c, worker, plan, revisions, desired->spec_hash, halted);
  const bool forget = std::any_of(plan.actions.begin(), plan.actions.end(),
                                  [](const Action& a) { return a.kind == Kind::kForget; });
  PassOutcome outcome;
  outcome.plan = &plan;
  outcome.revisions = &revisions;
  outcome.desired_spec_hash = desired->spec_hash;
  outcome.source_revision = desired->source_revision;
  outcome.executed = executed;
  outcome.now_ms = now;
  if (of.entry) outcome.source = of.entry->source;
  outcome.seen_ms = edges_.board->SeenMs(key, desired->spec_hash);
  if (observed.known) {
    outcome.running_job_hash = RunningJob(observed);
    outcome.running_instances = static_cast<int32_t>(observed.instances.size());
  }
  const Status recorded = Record(key, generation, *stored, forget, version, outcome, &latest);
  PassReport report;
  report.phase = plan.phase;
  report.message = plan.message;
  report.executed = executed;
  report.observed = observed.known;
  report.now_ms = now;
  report.planned_spec_hash = desired->spec_hash;
  report.source_error = desired->source_error;
  report.generation = generation;
  if (observed.known) {
    report.tasks = std::move(job_tasks);
    report.heron = heron ? c.heron_memo().Shared(key.name, *heron) : nullptr;
  }
  auto job_hash = plan.memory.job_hash_of.find(plan.memory.applied_hash);
  report.current_job_hash = job_hash == plan.memory.job_hash_of.end() ? "" : job_hash->second;
  // The applied revision's packing (which Heron instances each container runs), for the API.
  if (auto rev = revisions.find(plan.memory.applied_hash);
      rev != revisions.end() && rev->second.shape) {
    report.packing = &rev->second.shape->packing;
  }
  report.record = latest;
  edges_.board->Report(key, std::move(report));
  // Gone: forgotten now, or a late pass (Heron's watch can queue the key again while the pass
  // that forgot it runs) that found no spec, no topology and no record; either way the API
  // answers 404 for it, as for a key it never knew.
  const bool gone = executed.ok() && recorded.ok() &&
                    (forget || (!*stored && plan.phase == reconciler::Phase::kDeleted));
  if (gone) {
    edges_.board->Erase(key);
    c.job_hashes().Forget(key);
    c.heron_memo().Forget(key.name);
  }
  edges_.board->Measure(key, plan, observed, *desired, executed.ok(), NowMs());

  finish(Requeue(key, plan, observed.known, executed, recorded, halted.has_value()));
}

void KeyPass::ApplyPruneBudget(const reconciler::Desired& desired, const reconciler::Memory& memory,
                               reconciler::Plan& plan) {
  // At most prune_budget topologies killed per resync period.
  const bool prunes = desired.presence == reconciler::Desired::Presence::kAbsent &&
                      std::any_of(plan.actions.begin(), plan.actions.end(),
                                  [](const Action& a) { return a.kind == Kind::kKillJob; });
  if (!prunes || edges_.take_prune_token()) return;
  plan.actions.clear();
  plan.events.clear();
  plan.memory = memory;
  plan.message = "the spec is gone; waiting for the prune budget (" +
                 std::to_string(settings_.prune_budget) + " per resync)";
  plan.requeue_after_ms = std::max<int64_t>(1000, settings_.resync.count() / 4);
}

Status KeyPass::Act(const crd::TopologyKey& key, ClusterRuntime& c, int worker,
                    const reconciler::Plan& plan,
                    const std::map<std::string, RevisionSource>& revisions,
                    const std::string& spec_hash, const std::optional<Status>& halted) {
  Status executed;
  size_t done = 0;  // actions carried out whole (all of them unless executed failed)
  if (Writes(plan) && halted) {
    // Not executed: the same actions failed in a way retrying does not mend.
    executed = Status(halted->code(), "halted: " + halted->message() +
                                          " (twice; not tried again until the spec changes or "
                                          "POST :retry)");
  } else if (Writes(plan)) {
    const auto t0 = edges_.clock->Now();
    executed = c.executor(worker).Execute(plan, aurora::JobKey{key.role, key.environment, key.name},
                                          revisions, &done);
    edges_.metrics->Observe("heron_controller_execute_seconds", {{"cluster", key.cluster}},
                            std::chrono::duration<double>(edges_.clock->Now() - t0).count());
    edges_.board->NoteWrite(key, NowMs());
    edges_.board->NoteOutcome(key, spec_hash, executed);
  }
  // What reached Aurora and ZooKeeper, and apart from it what failed and what was not tried.
  const bool ran = Writes(plan) && !halted;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    if (a.kind == Kind::kRemember) continue;
    const char* name = reconciler::ActionName(a.kind);
    const bool counted = a.kind != Kind::kForget;
    if (!Writes(plan) || (ran && (executed.ok() || i < done))) {
      spdlog::info("{}: {} {} ({})", key.ToString(), name, a.hash.substr(0, 12), a.reason);
      if (counted && Writes(plan)) {
        edges_.metrics->Inc("heron_controller_actions_total", {{"action", name}});
      }
    } else if (ran && i == done) {
      spdlog::warn("{}: {} {} FAILED: {}", key.ToString(), name, a.hash.substr(0, 12),
                   executed.ToString());
      if (counted)
        edges_.metrics->Inc("heron_controller_action_failures_total", {{"action", name}});
    } else {
      spdlog::info("{}: {} {} not attempted ({})", key.ToString(), name, a.hash.substr(0, 12),
                   ran ? "an earlier action failed" : "halted");
    }
  }
  return executed;
}

Status KeyPass::Record(const crd::TopologyKey& key, int64_t generation,
                       const std::optional<SharedRecord>& stored, bool forget, int64_t version,
                       const PassOutcome& outcome,
                       std::shared_ptr<const statestore::TopologyRecord>* latest) {
  // Deleted with the topology, otherwise written when it changed.
  Status recorded;
  if (forget && outcome.executed.ok()) {
    HGO_RETURN_IF_ERROR(failpoint::Hit(kBeforeRecordFailpoint));
    if (version != statestore::kMustNotExist) recorded = edges_.store->DeleteRecord(key, version);
    if (recorded.code() == StatusCode::kNotFound) recorded = Status::Ok();
    edges_.board->CacheRecord(key, generation, std::nullopt);
    return recorded;
  }
  if (!stored && outcome.plan->phase == reconciler::Phase::kDeleted) return recorded;
  const statestore::TopologyRecord& record = **latest;
  statestore::TopologyRecord next = record;
  FoldPass(next, outcome);
  if (stored && next == record) return recorded;
  HGO_RETURN_IF_ERROR(failpoint::Hit(kBeforeRecordFailpoint));
  auto put = edges_.store->PutRecord(next, version);
  if (put.ok()) {
    *latest = std::make_shared<const statestore::TopologyRecord>(std::move(next));
    edges_.board->CacheRecord(key, generation, SharedRecord{*latest, *put});
  } else {
    edges_.board->CacheRecord(key, generation, std::nullopt);
  }
  return put.status();
}

const char* KeyPass::Requeue(const crd::TopologyKey& key, const reconciler::Plan& plan,
                             bool observed, const Status& executed, const Status& recorded,
                             bool halted) {
  if (!executed.ok() || !recorded.ok()) {
    if (!recorded.ok()) {
      spdlog::warn("{}: writing its record: {}", key.ToString(), recorded.ToString());
    }
    if (halted && recorded.ok()) {
      edges_.queue->Forget(key);  // waits for a change of the spec, :retry or the next resync
      return "halted";
    }
    edges_.queue->AddRateLimited(key);
    return recorded.code() == StatusCode::kConflict ? "conflict" : "error";
  }
  edges_.queue->Forget(key);
  if (plan.requeue_after_ms > 0) {
    edges_.queue->AddAfter(key, std::chrono::milliseconds(plan.requeue_after_ms));
  } else if (!observed) {
    edges_.queue->AddRateLimited(key);
  }
  return "ok";
}

StatusOr<std::optional<SharedRecord>> KeyPass::ReadRecord(const crd::TopologyKey& key,
                                                          int64_t generation) {
  if (auto cached = edges_.board->CachedRecord(key, generation)) {
    return std::optional<SharedRecord>(std::move(*cached));
  }
  auto stored = edges_.store->GetRecord(key);
  ++record_reads_;
  HGO_RETURN_IF_ERROR(stored.status());
  std::optional<SharedRecord> out;
  if (*stored) {
    out = SharedRecord{
        std::make_shared<const statestore::TopologyRecord>(std::move((*stored)->record)),
        (*stored)->version};
  }
  edges_.board->CacheRecord(key, generation, out);
  return out;
}

}  // namespace hgo::controller
