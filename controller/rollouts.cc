// A placement's rollout from the controller's side: the gate each pass plans with, the view the
// API shows, and the operator's halt and promote. The decisions are reconciler/rollout.h's and
// reconciler/windows.h's; here is only what they are given: the desired set (each cluster's
// revision of the spec) and the status board (each cluster's record and last pass).
#include "controller/controller.h"
#include "reconciler/windows.h"

namespace hgo::controller {

namespace {

crd::TopologyKey KeyIn(const crd::TopologyKey& key, const std::string& cluster) {
  return crd::TopologyKey{cluster, key.role, key.environment, key.name};
}

}  // namespace

RolloutView Controller::RolloutOf(const crd::Topology& spec, int64_t now_ms) {
  RolloutView view;
  view.role = spec.spec.role;
  view.environment = spec.spec.environment;
  view.name = spec.metadata.name;
  view.placement = spec.placement;
  for (const auto& c : spec.placement->clusters) {
    const crd::TopologyKey key = KeyIn(spec.key(), c.name);
    reconciler::ClusterRollout r;
    r.cluster = c.name;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = desired_.present.find(key);
      // Only a revision of this same placement counts (another file may define the key).
      if (it != desired_.present.end() && it->second.spec->placement == spec.placement) {
        r.revision = it->second.spec_hash;
      }
    }
    auto [status, generation] = board_.StatusOf(key);
    r.reachable = status && status->reachable;
    std::shared_ptr<const statestore::TopologyRecord> record = status ? status->record : nullptr;
    if (!Leads(c.name)) {
      // Another controller leads that cluster (shards; or this one follows): its stored record
      // says where it stands, and its own passes look after its reachability.
      record = nullptr;
      auto stored = store_.GetRecord(key);
      if (stored.ok() && *stored) {
        record = std::make_shared<const statestore::TopologyRecord>(std::move((*stored)->record));
      }
      r.reachable = true;
    }
    if (record) {
      const statestore::TopologyRecord& rec = *record;
      if (rec.applied) r.applied = rec.applied->spec_hash;
      if (rec.last_stable) {
        r.stable = rec.last_stable->spec_hash;
        r.stable_since_ms = rec.last_stable->stable_ms;
      }
      r.failed = !r.revision.empty() && rec.failed_spec_hashes.count(r.revision) > 0;
      r.soak_waived = !r.revision.empty() && rec.soak_waived_for == r.revision;
      r.halted = !r.revision.empty() && rec.rollout_halted_for == r.revision;
    }
    view.clusters.push_back(std::move(r));
  }
  view.state = reconciler::PlanRollout(*spec.placement, view.clusters, now_ms);
  return view;
}

reconciler::Gate Controller::GateFor(const crd::TopologyKey& key,
                                     const reconciler::Desired& desired,
                                     const reconciler::Memory& memory, int64_t now_ms) {
  reconciler::Gate gate;
  if (!desired.spec) return gate;
  const crd::Topology& spec = *desired.spec;
  if (spec.placement) {
    const RolloutView view = RolloutOf(spec, now_ms);
    gate = reconciler::GateOf(view.state, *spec.placement, key.cluster);
    if (gate.kind != reconciler::Gate::Kind::kOpen) return gate;
  }
  if (desired.spec_hash == memory.applied_hash || memory.failed_hashes.count(desired.spec_hash)) {
    return gate;  // nothing new starts: windows hold only a start
  }
  std::vector<const crd::UpdateWindow*> windows;
  for (const auto& w : spec.spec.windows) windows.push_back(&w);
  if (ClusterRuntime* c = ClusterOf(key)) {
    for (const auto& w : c->spec().windows) windows.push_back(&w);
  }
  const reconciler::WindowVerdict verdict = reconciler::CheckWindows(windows, now_ms);
  if (!verdict.open) {
    gate.kind = reconciler::Gate::Kind::kHold;
    gate.reason = "update window closed: " + verdict.why;
    gate.recheck_ms = verdict.opens_ms;
  }
  return gate;
}

StatusOr<RolloutView> Controller::Rollout(const crd::TopologyKey& key) {
  crd::TopologyPtr spec;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = desired_.present.find(key);
    if (it == desired_.present.end()) {
      return Status::NotFound("no spec of " + key.ToString() + " in the sources");
    }
    spec = it->second.spec;
  }
  if (!spec->placement) {
    return Status::FailedPrecondition(key.ToString() +
                                      " names one cluster (spec.cluster): it has no rollout "
                                      "across clusters");
  }
  return RolloutOf(*spec, NowMs());
}

Status Controller::MutatePlacement(
    const crd::TopologyKey& key,
    const std::function<Status(statestore::TopologyRecord&, const reconciler::ClusterRollout&,
                               const RolloutView&)>& change) {
  if (!leader_) return Status::FailedPrecondition("this controller is not the leader");
  HGO_ASSIGN_OR_RETURN(RolloutView view, Rollout(key));
  for (const auto& c : view.clusters) {
    if (c.revision.empty()) continue;
    HGO_RETURN_IF_ERROR(Mutate(KeyIn(key, c.cluster),
                               [&](statestore::TopologyRecord& r) { return change(r, c, view); }));
  }
  return Status::Ok();
}

Status Controller::HaltRollout(const crd::TopologyKey& key) {
  const int64_t now = NowMs();
  return MutatePlacement(key, [&](statestore::TopologyRecord& r,
                                  const reconciler::ClusterRollout& c, const RolloutView& view) {
    r.rollout_halted_for = c.revision;
    statestore::RecordEvent(r, "Warning", "RolloutHalted",
                            "halted by an operator at wave " +
                                std::to_string(view.state.current + 1) +
                                ": later waves hold until a promote or a new spec",
                            now);
    return Status::Ok();
  });
}

Status Controller::PromoteRollout(const crd::TopologyKey& key) {
  const int64_t now = NowMs();
  return MutatePlacement(key, [&](statestore::TopologyRecord& r,
                                  const reconciler::ClusterRollout& c, const RolloutView& view) {
    r.rollout_halted_for.clear();
    const int wave = view.placement->WaveOf(c.cluster);
    if (wave == view.state.current) r.soak_waived_for = c.revision;
    statestore::RecordEvent(r, "Normal", "RolloutPromoted",
                            "promoted by an operator at wave " +
                                std::to_string(view.state.current + 1) +
                                ": its soak is waived, a halt is lifted",
                            now);
    return Status::Ok();
  });
}

}  // namespace hgo::controller
