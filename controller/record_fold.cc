#include "controller/record_fold.h"

#include <algorithm>
#include <memory>
#include <mutex>

#include "crd/canonical.h"
#include "crd/parser.h"
#include "reconciler/planner.h"

namespace hgo::controller {

using statestore::Revision;
using statestore::TopologyRecord;

namespace {

Revision* FindMutable(TopologyRecord& r, const std::string& spec_hash) {
  for (auto it = r.history.rbegin(); it != r.history.rend(); ++it) {
    if (it->spec_hash == spec_hash) return &*it;
  }
  return nullptr;
}

const Revision* PinnedRevision(const TopologyRecord& r) {
  if (!r.pinned_revision) return nullptr;
  for (const auto& v : r.history) {
    if (v.number == *r.pinned_revision) return &v;
  }
  return nullptr;
}

// Keeps r.applied and r.last_stable equal to their history entries after an edit.
void SyncCopies(TopologyRecord& r) {
  for (auto* copy : {&r.applied, &r.last_stable}) {
    if (!*copy) continue;
    for (const auto& v : r.history) {
      if (v.number == (*copy)->number) **copy = v;
    }
  }
}

// The container size of revision v's task, from the pass's shape of it: its resources and RAM
// map when the shape's job is the one v runs (not an adopted job's live task).
std::optional<statestore::ContainerSize> SizeOfShape(const PassOutcome& pass, const Revision& v) {
  auto rev = pass.revisions->find(v.spec_hash);
  if (rev == pass.revisions->end() || !rev->second.shape) return std::nullopt;
  const aurora::JobInputs& in = rev->second.shape->inputs;
  if (v.job_hash.empty() || in.job_hash != v.job_hash) return std::nullopt;
  return statestore::ContainerSize{crd::TaskHash(*rev->second.spec), in.resources.cpus,
                                   in.resources.ram_bytes, in.resources.disk_bytes,
                                   in.component_ram};
}

void SetOutcome(TopologyRecord& r, const std::string& spec_hash, const std::string& from,
                const std::string& to) {
  Revision* v = FindMutable(r, spec_hash);
  if (v && (from.empty() || v->outcome == from)) v->outcome = to;
}

bool Progressing(reconciler::Phase p) {
  using reconciler::Phase;
  return p == Phase::kDeploying || p == Phase::kUpdating || p == Phase::kRollingBack ||
         p == Phase::kDeleting;
}

}  // namespace

const Revision* FindRevision(const TopologyRecord& r, const std::string& spec_hash) {
  for (auto it = r.history.rbegin(); it != r.history.rend(); ++it) {
    if (it->spec_hash == spec_hash) return &*it;
  }
  return nullptr;
}

std::optional<ContainerSize> SizeOf(const Revision* v) {
  if (!v || !v->container_size) return std::nullopt;
  const statestore::ContainerSize& size = *v->container_size;
  return ContainerSize{{size.cpus, size.ram_bytes, size.disk_bytes}, size.component_ram};
}

std::optional<ContainerSize> KeptSize(const Revision* applied, const std::string& spec_hash,
                                      const crd::Topology& spec) {
  std::optional<ContainerSize> size = SizeOf(applied);
  if (size && applied->spec_hash != spec_hash &&
      applied->container_size->task_hash != crd::TaskHash(spec)) {
    size.reset();
  }
  return size;
}

reconciler::Memory MemoryFromRecord(const TopologyRecord& r) {
  reconciler::Memory m;
  if (r.applied) {
    m.applied_hash = r.applied->spec_hash;
    m.applied_topology_id = r.applied->topology_id;
  }
  m.rollout_started_ms = r.rollout_started_ms;
  if (r.last_stable) m.stable_hash = r.last_stable->spec_hash;
  m.failed_hashes = r.failed_spec_hashes;
  if (const Revision* pin = PinnedRevision(r)) {
    m.pinned_hash = pin->spec_hash;
    m.pinned_for_spec_hash = r.pinned_for_spec_hash;
  }
  m.suspended = r.suspended;
  m.absent_since_ms = r.absent_since_ms;
  m.adoption = {r.adoption.spec_hash, r.adoption.live_task, r.adoption.built_task,
                r.adoption.topology_id, r.adoption.at_ms};
  auto remember = [&m](const Revision& v) {
    if (v.job_hash.empty()) return;
    m.instances_of[v.spec_hash] = v.instances;
    m.job_hash_of[v.spec_hash] = v.job_hash;
    if (!v.graph_hash.empty()) m.graph_of[v.spec_hash] = v.graph_hash;
    if (!v.runtime_config.empty()) m.runtime_of[v.spec_hash] = v.runtime_config;
  };
  for (const auto& v : r.history) remember(v);
  if (r.last_stable) remember(*r.last_stable);
  if (r.applied) remember(*r.applied);
  return m;
}

std::shared_ptr<const crd::Topology> RecordedSpecs::Get(const Revision& v) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = specs_.find(v.spec_hash); it != specs_.end()) return it->second;
  }
  auto canonical = ParseJson(v.spec_json.str());
  if (!canonical.ok()) return nullptr;
  auto topology = crd::FromCanonicalJson(std::move(*canonical), "record:" + v.spec_hash);
  if (!topology.ok()) return nullptr;
  auto spec = std::make_shared<const crd::Topology>(std::move(*topology));
  std::lock_guard<std::mutex> lock(mu_);
  if (specs_.size() >= max_entries_) specs_.clear();
  specs_[v.spec_hash] = spec;
  return spec;
}

size_t RecordedSpecs::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return specs_.size();
}

void AddRecordedRevisions(const TopologyRecord& r, const std::set<std::string>& wanted,
                          RecordedSpecs& specs, std::map<std::string, RevisionSource>& out) {
  auto add = [&](const Revision* v) {
    if (!v || v->spec_json.empty() || out.count(v->spec_hash) || !wanted.count(v->spec_hash)) {
      return;
    }
    auto spec = specs.Get(*v);
    if (!spec) return;
    out[v->spec_hash] = RevisionSource{std::move(spec), v->spec_hash, v->source_revision};
  };
  add(r.applied ? &*r.applied : nullptr);
  add(r.last_stable ? &*r.last_stable : nullptr);
  add(PinnedRevision(r));
}

void FoldPass(TopologyRecord& r, const PassOutcome& pass) {
  const reconciler::Plan& p = *pass.plan;
  const int64_t now = pass.now_ms;
  const std::string phase = reconciler::PhaseName(p.phase);
  if (r.phase != phase) r.phase_since_ms = now;
  r.phase = phase;
  r.message = p.message;
  r.source_revision = pass.source_revision;
  for (const auto& e : p.events) RecordEvent(r, e.type, e.reason, e.message, now);
  if (!pass.executed.ok()) {
    RecordEvent(r, "Warning", "ActionFailed", pass.executed.message(), now);
    SetCondition(r, {"Synced", "False", "ActionFailed", pass.executed.message(), now});
    // A failure retrying cannot mend (bad input, refused credentials): shown until a pass acts.
    if (!IsRetryable(pass.executed)) {
      SetCondition(r, {"Stalled", "True", "NotRetryable", pass.executed.message(), now});
    }
    return;
  }
  const bool stalled = std::any_of(r.conditions.begin(), r.conditions.end(), [](const auto& c) {
    return c.type == "Stalled" && c.status == "True";
  });
  if (stalled) SetCondition(r, {"Stalled", "False", "Acted", "", now});
  for (const auto& a : p.actions) {
    using Kind = reconciler::Action::Kind;
    if (a.kind == Kind::kCreateJob || a.kind == Kind::kStartUpdate || a.kind == Kind::kKillJob ||
        a.kind == Kind::kRollbackUpdate || a.kind == Kind::kAbortUpdate ||
        a.kind == Kind::kSetTopologyState || a.kind == Kind::kSetRuntimeConfig) {
      std::string what = a.reason;
      if (!a.hash.empty()) what += " (revision " + a.hash.substr(0, 12) + ")";
      RecordEvent(r, "Normal", reconciler::ActionName(a.kind), what, now);
    }
  }

  const reconciler::Memory old = MemoryFromRecord(r);
  const reconciler::Memory& m = p.memory;
  if (!m.applied_hash.empty() && (!r.applied || old.applied_hash != m.applied_hash ||
                                  old.applied_topology_id != m.applied_topology_id)) {
    if (r.applied) SetOutcome(r, r.applied->spec_hash, "Applying", "Superseded");
    Revision v;
    v.spec_hash = m.applied_hash;
    const Revision* before = FindRevision(r, m.applied_hash);
    auto rev = pass.revisions->find(m.applied_hash);
    if (rev != pass.revisions->end()) {
      v.spec_json = Serialize(crd::CanonicalJson(*rev->second.spec));
      v.package_sha256 = rev->second.spec->spec.package.sha256;
      v.source_revision = rev->second.source_revision;
    } else if (before) {
      v.spec_json = before->spec_json;
      v.package_sha256 = before->package_sha256;
      v.source_revision = before->source_revision;
    }
    // A revision from the source, or one the record had (a rollback to the stable revision).
    v.source = m.applied_hash == pass.desired_spec_hash ? pass.source
               : before                                 ? before->source
                                                        : "";
    v.topology_id = m.applied_topology_id;
    v.seen_ms = m.applied_hash == pass.desired_spec_hash ? pass.seen_ms : 0;
    v.applied_at_ms = now;
    v.outcome = "Applying";
    auto inst = m.instances_of.find(m.applied_hash);
    v.instances = inst == m.instances_of.end() ? 0 : inst->second;
    auto job = m.job_hash_of.find(m.applied_hash);
    v.job_hash = job == m.job_hash_of.end() ? "" : job->second;
    auto graph = m.graph_of.find(m.applied_hash);
    v.graph_hash = graph == m.graph_of.end() ? "" : graph->second;
    if (auto runtime = m.runtime_of.find(m.applied_hash); runtime != m.runtime_of.end()) {
      v.runtime_config = runtime->second;
    }
    v.container_size = SizeOfShape(pass, v);
    statestore::AddRevision(r, std::move(v));
    r.applied = r.history.back();
  } else if (r.applied && !r.applied->container_size) {
    // Learnt after the fact (a record from an older controller); SyncCopies copies it.
    for (auto& v : r.history) {
      if (v.number == r.applied->number) v.container_size = SizeOfShape(pass, v);
    }
  }
  if (r.applied && r.applied->graph_hash.empty() && m.graph_of.count(m.applied_hash) &&
      r.applied->spec_hash == m.applied_hash) {
    // The applied revision's graph, learnt after the fact (a record from an older controller).
    const std::string& graph = m.graph_of.at(m.applied_hash);
    r.applied->graph_hash = graph;
    for (auto& v : r.history) {
      if (v.spec_hash == m.applied_hash) v.graph_hash = graph;
    }
    if (r.last_stable && r.last_stable->spec_hash == m.applied_hash) {
      r.last_stable->graph_hash = graph;
    }
  }
  if (r.applied && r.applied->running_ms == 0 && !r.applied->job_hash.empty() &&
      pass.running_job_hash == r.applied->job_hash &&
      pass.running_instances == r.applied->instances) {
    for (auto& v : r.history) {
      if (v.number == r.applied->number) v.running_ms = now;
    }
  }
  if (!m.stable_hash.empty() && m.stable_hash != old.stable_hash) {
    SetOutcome(r, m.stable_hash, "", "Stable");
    if (Revision* v = FindMutable(r, m.stable_hash); v && v->stable_ms == 0) v->stable_ms = now;
    if (const Revision* v = FindRevision(r, m.stable_hash)) r.last_stable = *v;
  }
  for (const auto& h : m.failed_hashes) {
    if (old.failed_hashes.count(h)) continue;
    statestore::MarkFailed(r, h);
    SetOutcome(r, h, "", "Failed");
  }
  if (m.pinned_hash.empty()) {
    r.pinned_revision.reset();
    r.pinned_for_spec_hash.clear();
  }
  r.rollout_started_ms = m.rollout_started_ms;
  r.absent_since_ms = m.absent_since_ms;
  r.suspended = m.suspended;
  r.adoption = {m.adoption.hash, m.adoption.live_task, m.adoption.built_task,
                m.adoption.topology_id, m.adoption.at_ms};
  SyncCopies(r);

  using reconciler::Phase;
  const bool healthy = p.phase == Phase::kRunning || p.phase == Phase::kPaused;
  SetCondition(r, {"Healthy", healthy ? "True" : "False", phase, p.message, now});
  SetCondition(r, {"Progressing", Progressing(p.phase) ? "True" : "False", phase, p.message, now});
  // Remembering (writing this record) changes nothing in the cluster: the pass that marks a
  // revision stable is already synced. Counting it made every topology's next pass rewrite
  // its record only to flip Synced (a third of the first no-op resync after a rollout).
  const bool synced =
      healthy && std::all_of(p.actions.begin(), p.actions.end(), [](const reconciler::Action& a) {
        return a.kind == reconciler::Action::Kind::kRemember;
      });
  SetCondition(r,
               {"Synced", synced ? "True" : "False", synced ? "Converged" : phase, p.message, now});
}

}  // namespace hgo::controller
