#include "reconciler/planner.h"

#include <algorithm>
#include <optional>

namespace hgo::reconciler {

namespace {

using Kind = Action::Kind;
using Presence = Desired::Presence;

std::string Short(const std::string& hash) { return hash.substr(0, 12); }

// Builds one plan; the helpers keep the rules below readable.
class Planner {
 public:
  Planner(const Desired& d, const Observed& o, const Memory& m, const Settings& s, int64_t now)
      : desired_(d), input_(o), memory_(m), settings_(s), now_(now) {
    plan_.memory = m;
    Attribute();
  }

  Plan Run() {
    if (!observed().known)
      return Finish(Phase::kUnknown, "Aurora or ZooKeeper could not be read", true);
    if (plan_.memory.suspended) return Finish(Phase::kSuspended, "suspended: no changes are made");
    if (desired_.presence == Presence::kAbsent) return Absent();
    if (plan_.memory.absent_since_ms != 0) plan_.memory.absent_since_ms = 0;
    if (desired_.presence == Presence::kFrozen) return Frozen();
    return Present();
  }

 private:
  void Add(Kind kind, const std::string& reason, const std::string& hash = "",
           const std::string& update_id = "") {
    plan_.actions.push_back(Action{.kind = kind,
                                   .hash = hash,
                                   .job_hash = hash.empty() ? "" : target_job_,
                                   .topology_id = hash.empty() ? "" : topology_id_,
                                   .update_id = update_id,
                                   .reason = reason});
  }
  // What was observed, with an adopted topology's marks read as the adoption says (Attribute).
  const Observed& observed() const { return attributed_ ? *attributed_ : input_; }

  // An adopted topology carries none of the controller's marks. Its instances without metadata
  // run the adopted task with its topology id, unless someone updated the job since (an update
  // is the only way Aurora changes a task); the Heron state heron-cli wrote (no spec hash) under
  // its topology id is the adopted revision's, and so is its topology manager's physical plan.
  void Attribute() {
    attributed_.reset();
    const Adoption& a = plan_.memory.adoption;
    if (a.hash.empty()) return;
    bool updated = false;
    for (const auto& c : input_.foreign_changes) {
      updated |= c.at_ms >= a.at_ms && c.what.rfind("update ", 0) == 0;
    }
    Observed o = input_;
    for (auto& [id, inst] : o.instances) {
      if (!updated && inst.job_hash.empty() && inst.topology_id.empty()) {
        inst.job_hash = a.live_task;
        inst.topology_id = a.topology_id;
      }
    }
    ObservedHeron& h = o.heron;
    if (h.topology && h.spec_hash.empty() && h.topology_id == a.topology_id) h.spec_hash = a.hash;
    if (h.physical_plan && h.physical_plan_spec_hash.empty() &&
        h.tmanager_topology_id == a.topology_id) {
      h.physical_plan_spec_hash = a.hash;
    }
    attributed_ = std::move(o);
  }

  void Note(const std::string& type, const std::string& reason, const std::string& message) {
    plan_.events.push_back(Event{type, reason, message});
  }
  // One kRemember at the end, only when the memory changed.
  Plan Finish(Phase phase, const std::string& message, bool requeue = false) {
    auto& a = plan_.actions;
    a.erase(std::remove_if(a.begin(), a.end(),
                           [](const Action& x) { return x.kind == Kind::kRemember; }),
            a.end());
    const bool forget =
        std::any_of(a.begin(), a.end(), [](const Action& x) { return x.kind == Kind::kForget; });
    if (!forget && !(plan_.memory == memory_)) {
      a.push_back(Action{.kind = Kind::kRemember, .reason = "record"});
    }
    plan_.phase = phase;
    plan_.message = message;
    if (requeue) plan_.requeue_after_ms = settings_.requeue_ms;
    if (!held_.empty()) {
      // Held passes look again: the gate opens when another cluster's rollout or the clock
      // moves, which no event of this key announces.
      plan_.message += "; revision " + Short(desired_.spec_hash) + " waits: " + held_;
      const int64_t recheck =
          desired_.gate.recheck_ms > now_ ? desired_.gate.recheck_ms - now_ : settings_.requeue_ms;
      plan_.requeue_after_ms =
          plan_.requeue_after_ms > 0 ? std::min(plan_.requeue_after_ms, recheck) : recheck;
    }
    return std::move(plan_);
  }
  std::string Name() const { return desired_.spec ? desired_.spec->metadata.name : name_; }
  int64_t MinWaitMs() const {
    return desired_.spec ? int64_t{desired_.spec->spec.update.min_wait_in_running_seconds} * 1000
                         : 0;
  }
  int64_t DeadlineMs() const {
    return desired_.spec ? int64_t{desired_.spec->spec.update.progress_deadline_seconds} * 1000
                         : 600000;
  }
  // Drift is the applied revision, once healthy, no longer being what runs.
  bool Drifted() const {
    return plan_.memory.applied_hash == target_ && plan_.memory.stable_hash == target_;
  }
  bool WarnOnly() const { return desired_.spec->spec.sync_policy == crd::SyncPolicy::kWarn; }
  // Which fields drifted and, where Aurora's audit data has it, who changed them.
  std::string DriftDetail(const std::vector<int32_t>& stale) const {
    std::vector<std::string> fields;
    if (static_cast<int32_t>(observed().instances.size()) != instances_) {
      fields.push_back("instance count " + std::to_string(observed().instances.size()) + " (want " +
                       std::to_string(instances_) + ")");
    }
    if (!stale.empty()) {
      std::string ids;
      for (int32_t id : stale) ids += (ids.empty() ? "" : ",") + std::to_string(id);
      fields.push_back("task config of instances " + ids);
    }
    if (observed().heron.topology_id != topology_id_ || observed().heron.spec_hash != target_ ||
        !observed().heron.packing_plan) {
      fields.push_back("Heron's topology and packing plan");
    }
    if (observed().heron.physical_plan && observed().heron.paused != WantPaused()) {
      fields.push_back(std::string("activation state ") +
                       (observed().heron.paused ? "PAUSED" : "RUNNING"));
    }
    if (!RuntimeConfigToSend().empty()) fields.push_back("runtime config");
    std::string out;
    for (const auto& f : fields) out += (out.empty() ? "" : ", ") + f;
    if (out.empty()) out = "the job";
    for (auto it = observed().foreign_changes.rbegin(); it != observed().foreign_changes.rend();
         ++it) {
      if (it->at_ms >= plan_.memory.rollout_started_ms) {
        out += "; changed by " + it->user + " (" + it->what + ")";
        break;
      }
    }
    return out;
  }
  bool WantPaused() const { return desired_.spec->spec.state == crd::DesiredState::kPaused; }
  void Remember() { plan_.actions.push_back(Action{.kind = Kind::kRemember, .reason = "record"}); }

  Plan Absent() {
    if (!observed().job_exists() && !observed().heron.any() && memory_ == Memory{}) {
      return Finish(Phase::kDeleted, "no spec, no topology, no record");  // nothing to do
    }
    if (plan_.memory.absent_since_ms == 0) plan_.memory.absent_since_ms = now_;
    if (!observed().job_exists() && !observed().heron.any()) {
      plan_.memory = Memory{};
      plan_.actions.push_back(Action{.kind = Kind::kForget, .reason = "nothing left to delete"});
      return Finish(Phase::kDeleted, "the spec is gone and so is the topology");
    }
    if (!settings_.prune) {
      return Finish(Phase::kOutOfSync,
                    "the spec is gone; pruning is disabled, the topology runs on");
    }
    const int64_t wait = plan_.memory.absent_since_ms + settings_.tombstone_ms - now_;
    if (wait > 0) {
      Remember();
      plan_.requeue_after_ms = wait;
      return Finish(Phase::kDeleting,
                    "the spec is gone; pruning in " + std::to_string(wait / 1000) + " s");
    }
    if (observed().active_update)
      Add(Kind::kAbortUpdate, "the spec is gone", "", observed().active_update->id);
    if (observed().job_exists()) Add(Kind::kKillJob, "the spec is gone (pruning)");
    if (observed().heron.any()) Add(Kind::kDeleteHeronState, "the spec is gone (pruning)");
    Note("Normal", "Pruning", "the spec is gone: killing the topology");
    return Finish(Phase::kDeleting, "killing the topology: its spec is gone", true);
  }

  // The source is broken: keep everything as it is; watch a rollout in flight.
  Plan Frozen() {
    Note("Warning", "SourceError", desired_.source_error);
    if (observed().active_update &&
        observed().active_update->spec_hash == plan_.memory.applied_hash) {
      Add(Kind::kPulseUpdate, "rollout in flight", "", observed().active_update->id);
      return Finish(Phase::kUpdating,
                    "source error (nothing new applied): " + desired_.source_error, true);
    }
    return Finish(observed().job_exists() ? Phase::kDegraded : Phase::kPending,
                  "source error (nothing changed): " + desired_.source_error);
  }

  // The revision to run, and the instance count it needs.
  void ChooseTarget() {
    Memory& m = plan_.memory;
    target_ = desired_.spec_hash;
    if (!m.pinned_hash.empty() && m.pinned_for_spec_hash != desired_.spec_hash) {
      Note("Normal", "PinCleared", "the spec changed: the rollback pin is cleared");
      m.pinned_hash.clear();
      m.pinned_for_spec_hash.clear();
      Remember();
    }
    if (!m.pinned_hash.empty()) target_ = m.pinned_hash;
    ApplyGate();
    if (m.failed_hashes.count(target_) && target_ != m.pinned_hash) {
      failed_target_ = target_;
      target_ = m.stable_hash;  // may be empty: nothing to go back to
    }
    if (target_ == desired_.spec_hash) {
      instances_ = desired_.instances;
      target_job_ = desired_.job_hash;
    } else {
      auto it = m.instances_of.find(target_);
      instances_ = it == m.instances_of.end() ? desired_.instances : it->second;
      auto job = m.job_hash_of.find(target_);
      target_job_ = job == m.job_hash_of.end() ? desired_.job_hash : job->second;
    }
    RunAdoptedTask();
    topology_id_ = target_.empty() ? "" : TopologyIdOfTarget();
    // A record from before stream graphs were kept learns the applied revision's graph here, so
    // that the next revision can keep its topology id.
    if (target_ == m.applied_hash && target_ == desired_.spec_hash &&
        !desired_.graph_hash.empty() && !m.graph_of.count(target_)) {
      m.graph_of[target_] = desired_.graph_hash;
      Remember();
    }
  }

  // The rollout's gate on the spec's revision: a failure elsewhere is remembered here (then
  // the revision is left as any failed one); a hold keeps the applied revision running.
  void ApplyGate() {
    const Gate& g = desired_.gate;
    Memory& m = plan_.memory;
    if (target_ != desired_.spec_hash || (target_ == m.applied_hash && g.kind != Gate::Kind::kFail))
      return;
    if (m.failed_hashes.count(target_)) return;  // failed already: nothing to hold or mark
    if (g.kind == Gate::Kind::kFail) {
      m.failed_hashes.insert(target_);
      Note("Warning", "RolloutHalted", "revision " + Short(target_) + " not run: " + g.reason);
      Remember();
    } else if (g.kind == Gate::Kind::kHold) {
      held_ = g.reason;
      target_ = m.applied_hash;  // empty for a topology not created yet
    } else if (g.kind == Gate::Kind::kOpen && !g.opened_because.empty()) {
      wave_started_ = g.opened_because;
    }
  }

  // A target whose built task is the adopted revision's runs the live task the adoption kept
  // while instances run it (a scale or a steering change of an adopted topology restarts
  // nothing); once none does, the adopted revision is built as any other.
  void RunAdoptedTask() {
    const Adoption& a = plan_.memory.adoption;
    if (a.hash.empty()) return;
    bool live = false;
    for (const auto& [id, inst] : observed().instances) live |= inst.job_hash == a.live_task;
    if (live && !a.built_task.empty() && target_job_ == a.built_task) {
      target_job_ = a.live_task;
    } else if (!live && target_job_ == a.live_task) {
      target_job_ = a.built_task.empty() ? desired_.job_hash : a.built_task;
    }
  }

  // The topology manager's physical plan is of a revision that runs the target's task: the
  // target itself, or one it only scales (a scale restarts no container, so the manager keeps
  // the revision it started with).
  bool PhysicalPlanRunsTarget() const {
    const std::string& running = observed().heron.physical_plan_spec_hash;
    if (running == target_) return true;
    auto job = plan_.memory.job_hash_of.find(running);
    return job != plan_.memory.job_hash_of.end() && job->second == target_job_;
  }

  std::string GraphOf(const std::string& hash) const {
    if (hash == desired_.spec_hash && !desired_.graph_hash.empty()) return desired_.graph_hash;
    auto it = plan_.memory.graph_of.find(hash);
    return it == plan_.memory.graph_of.end() ? "" : it->second;
  }

  // The applied revision's id while the stream graph stays; a new one when it changes.
  std::string TopologyIdOfTarget() const {
    const Memory& m = plan_.memory;
    if (!m.applied_topology_id.empty()) {
      if (target_ == m.applied_hash) return m.applied_topology_id;
      const std::string graph = GraphOf(target_);
      if (!graph.empty() && graph == GraphOf(m.applied_hash)) return m.applied_topology_id;
    }
    return TopologyIdFor(Name(), target_job_);
  }

  // The target revision's runtime config: the spec's, or what the record kept of an older one.
  std::map<std::string, std::string> RuntimeOfTarget() const {
    if (target_ == desired_.spec_hash && desired_.spec) return desired_.spec->spec.runtime_config;
    auto it = plan_.memory.runtime_of.find(target_);
    return it == plan_.memory.runtime_of.end() ? std::map<std::string, std::string>{} : it->second;
  }

  // Heron's "[component:]key:value" entries the running topology manager does not hold, when
  // one of the target's topology id has a physical plan (Heron's TController answers 500
  // before). Keys the spec dropped stay: Heron cannot remove a runtime value.
  std::vector<std::string> RuntimeConfigToSend() const {
    std::vector<std::string> out;
    if (!observed().heron.physical_plan || observed().heron.tmanager_topology_id != topology_id_)
      return out;
    for (const auto& [key, value] : RuntimeOfTarget()) {
      auto it = observed().heron.runtime_config.find(key);
      if (it == observed().heron.runtime_config.end() || it->second != value) {
        out.push_back(key + ":" + value);
      }
    }
    return out;
  }

  void Applied() {
    Memory& m = plan_.memory;
    if (auto runtime = RuntimeOfTarget(); !runtime.empty()) m.runtime_of[target_] = runtime;
    if (!wave_started_.empty() && target_ == desired_.spec_hash && m.applied_hash != target_) {
      Note("Normal", "WaveStarted",
           "revision " + Short(target_) + " starts here: " + wave_started_);
    }
    m.applied_hash = target_;
    m.applied_topology_id = topology_id_;
    m.rollout_started_ms = now_;
    m.instances_of[target_] = instances_;
    m.job_hash_of[target_] = target_job_;
    if (const std::string graph = GraphOf(target_); !graph.empty()) m.graph_of[target_] = graph;
    Remember();
  }

  void MarkFailed(const std::string& hash, const std::string& why) {
    plan_.memory.failed_hashes.insert(hash);
    Note("Warning", "RevisionFailed", "revision " + Short(hash) + " " + why);
    Remember();
  }

  Plan Present() {
    ChooseTarget();
    const std::string failed_note =
        failed_target_.empty()
            ? ""
            : "revision " + Short(failed_target_) + " failed; not retried until the spec changes";
    if (target_.empty() && !held_.empty()) return Finish(Phase::kPending, "not created yet");
    if (target_.empty()) {
      // The spec's revision failed and nothing ever ran well: leave things as they are.
      return Finish(Phase::kFailed, failed_note + "; no stable revision to return to");
    }
    if (observed().foreign && plan_.memory.applied_hash.empty()) return Foreign();
    if (observed().active_update) return InFlight();
    const auto& last = observed().last_update;
    if (last && last->spec_hash == plan_.memory.applied_hash &&
        !plan_.memory.applied_hash.empty() &&
        last->last_modified_ms >= plan_.memory.rollout_started_ms &&
        (last->state == ObservedUpdate::State::kRolledBack ||
         last->state == ObservedUpdate::State::kFailed) &&
        !plan_.memory.failed_hashes.count(plan_.memory.applied_hash) &&
        plan_.memory.applied_hash != plan_.memory.stable_hash) {
      MarkFailed(plan_.memory.applied_hash, "was rolled back by Aurora");
      return Finish(Phase::kFailed, "the update failed and Aurora rolled it back", true);
    }
    if (!observed().job_exists()) return Create();
    return Existing(failed_note);
  }

  // A live topology the controller did not create: adopted when it is what the spec makes,
  // replaced or left alone otherwise, as spec.adopt says.
  Plan Foreign() {
    const ObservedForeign& f = *observed().foreign;
    const std::string live =
        "the live topology " + f.topology_id + " (not created by the controller)";
    const std::string count = std::to_string(observed().instances.size());
    if (desired_.spec->spec.adopt == crd::AdoptPolicy::kNever) {
      return Finish(Phase::kOutOfSync,
                    live + " runs under this name; spec.adopt is Never: left as it is");
    }
    if (!f.unreadable.empty()) {
      return Finish(
          Phase::kOutOfSync,
          live + " could not be compared with the spec: " + f.unreadable + "; left as it is", true);
    }
    if (observed().active_update) {
      return Finish(Phase::kOutOfSync,
                    live + " is being updated by " + observed().active_update->id +
                        "; looked at again when the update ends",
                    true);
    }
    std::string differences;
    for (const auto& d : f.differences) {
      differences += (differences.empty() ? "" : "; ") + d.field + ": live " + d.live +
                     ", desired " + d.desired;
    }
    const bool matches = f.differences.empty();
    if (!matches && desired_.spec->spec.adopt == crd::AdoptPolicy::kIfMatching) {
      return Finish(Phase::kOutOfSync,
                    live + " differs from the spec in " + std::to_string(f.differences.size()) +
                        " fields, so it is not adopted (adopting would restart " +
                        std::to_string(f.restarts) + " of its " + count +
                        " containers; spec.adopt: Replace rolls it onto the spec): " + differences);
    }
    Memory& m = plan_.memory;
    m.adoption = Adoption{target_, f.live_task, matches ? target_job_ : "", f.topology_id, now_};
    Attribute();
    if (matches) {
      target_job_ = f.live_task;
      topology_id_ = f.topology_id;
      Applied();
      Note("Normal", "Adopted",
           live + " is revision " + Short(target_) + ": taken over with its " + count +
               " containers and its topology id, none restarted");
      return Existing("");
    }
    // Replace: a rolling update onto the spec, keeping the topology id while the stream graph
    // is the same (Heron's containers check it); a new graph needs the job recreated.
    topology_id_ = f.same_graph ? f.topology_id : TopologyIdFor(Name(), target_job_);
    Note("Normal", "Replacing",
         live + " differs from the spec; rolling it onto revision " + Short(target_) + " (" +
             std::to_string(f.restarts) + " containers restart): " + differences);
    return Existing("");
  }

  Plan InFlight() {
    const ObservedUpdate& u = *observed().active_update;
    if (u.spec_hash != target_) {
      Add(Kind::kAbortUpdate, "the target revision changed", "", u.id);
      return Finish(Phase::kUpdating, "aborting an update to another revision", true);
    }
    if (u.state == ObservedUpdate::State::kRollingBack) {
      RestoreStableHeronState();
      Add(Kind::kPulseUpdate, "Aurora is rolling back", "", u.id);
      return Finish(Phase::kRollingBack, "Aurora is rolling the update back", true);
    }
    if (plan_.memory.applied_hash == target_ &&
        now_ - plan_.memory.rollout_started_ms > DeadlineMs() &&
        target_ != plan_.memory.stable_hash) {
      Add(Kind::kRollbackUpdate, "progress deadline exceeded", "", u.id);
      MarkFailed(target_, "missed its progress deadline");
      return Finish(Phase::kRollingBack, "progress deadline exceeded: rolling back", true);
    }
    if (plan_.memory.applied_hash != target_) Applied();  // adopted after a restart
    Add(Kind::kPulseUpdate, "rollout in progress", "", u.id);
    return Finish(Phase::kUpdating, "rolling out revision " + Short(target_), true);
  }

  // While Aurora rolls an update back, the containers it restarts run the stable revision and
  // check its topology id against Heron's state: put the stable revision's state back first.
  void RestoreStableHeronState() {
    const Memory& m = plan_.memory;
    if (m.stable_hash.empty() || observed().heron.spec_hash == m.stable_hash) return;
    auto job = m.job_hash_of.find(m.stable_hash);
    if (job == m.job_hash_of.end()) return;
    // A rolling update never changes the topology id, so the restored tasks carry this one.
    plan_.actions.push_back(Action{.kind = Kind::kWriteHeronState,
                                   .hash = m.stable_hash,
                                   .job_hash = job->second,
                                   .topology_id = topology_id_,
                                   .reason = "Aurora is rolling back to the stable revision"});
  }

  Plan Create() {
    // Heron's state is per name, Aurora's jobs per role and environment: a topology another
    // key runs (or a kill that stopped half way) holds the name, and writing would take it.
    if (plan_.memory.applied_hash.empty() && observed().heron.topology &&
        observed().heron.spec_hash.empty()) {
      return Finish(Phase::kOutOfSync,
                    "Heron's state holds topology " + observed().heron.topology_id +
                        " under this name, not written by the controller, and no Aurora job of "
                        "this key runs it (submitted under another role or environment, or a "
                        "heron kill that did not finish): nothing is written",
                    true);
    }
    const bool recreate = Drifted();
    if (recreate && WarnOnly()) {
      return Finish(Phase::kOutOfSync,
                    "drifted: " + DriftDetail({}) + " (syncPolicy warn: not repaired)");
    }
    if (recreate)
      Note("Warning", "Drift", "drifted: " + DriftDetail({}) + "; creating the job again");
    Add(Kind::kWriteHeronState, "create", target_);
    Add(Kind::kCreateJob, "create", target_);
    Add(Kind::kWriteSchedulerLocation, "create", target_);
    if (plan_.memory.applied_hash != target_ || plan_.memory.applied_topology_id != topology_id_)
      Applied();
    plan_.memory.instances_of[target_] = instances_;
    plan_.memory.job_hash_of[target_] = target_job_;
    plan_.instances_restarted = instances_;
    return Finish(Phase::kDeploying, "creating revision " + Short(target_), true);
  }

  Plan Existing(const std::string& failed_note) {
    std::vector<int32_t> stale;
    for (const auto& [id, inst] : observed().instances) {
      if (inst.job_hash != target_job_ || inst.topology_id != topology_id_ || id >= instances_) {
        stale.push_back(id);
      }
    }
    int32_t absent = 0;
    for (int32_t i = 0; i < instances_; ++i) absent += observed().instances.count(i) ? 0 : 1;
    if (!stale.empty() || absent > 0) return Converge(stale, absent);

    // The job runs the target revision.
    if (plan_.memory.applied_hash != target_) {
      auto applied_job = plan_.memory.job_hash_of.find(plan_.memory.applied_hash);
      if (applied_job != plan_.memory.job_hash_of.end() && applied_job->second == target_job_) {
        Note("Normal", "AppliedInPlace",
             "revision " + Short(target_) + " runs the task of revision " +
                 Short(plan_.memory.applied_hash) + ": applied with no container restart");
      } else {
        Note("Normal", "Adopted", "the running job already is revision " + Short(target_));
      }
      Applied();
    }
    const bool heron_differs = !observed().heron.topology ||
                               observed().heron.topology_id != topology_id_ ||
                               observed().heron.spec_hash != target_ ||
                               !observed().heron.packing_plan || !observed().heron.execution_state;
    const bool want_paused = WantPaused();
    const bool activation_differs = observed().heron.physical_plan &&
                                    want_paused != observed().heron.paused &&
                                    observed().heron.tmanager_topology_id == topology_id_;
    const std::vector<std::string> runtime = RuntimeConfigToSend();
    // Heron's state, activation or runtime config changed behind the controller's back (the
    // spec did not).
    if (Drifted() && (heron_differs || activation_differs || !runtime.empty()) && WarnOnly()) {
      return Finish(Phase::kOutOfSync,
                    "drifted: " + DriftDetail({}) + " (syncPolicy warn: not repaired)");
    }
    if (heron_differs) {
      Add(Kind::kWriteHeronState, "Heron's state is missing or of another revision", target_);
    }
    if (!observed().heron.scheduler_location) {
      Add(Kind::kWriteSchedulerLocation, "missing scheduler location", target_);
    }
    // Only a topology manager of this revision with a physical plan can be told; until then
    // the state written to topologies/<name> is the one the topology starts in.
    if (activation_differs) {
      Action a{Kind::kSetTopologyState,
               target_,
               target_job_,
               topology_id_,
               "",
               want_paused,
               want_paused ? "deactivate" : "activate",
               {},
               {}};
      plan_.actions.push_back(a);
    }
    if (!runtime.empty()) {
      std::string list;
      for (const auto& e : runtime) list += (list.empty() ? "" : ", ") + e;
      if (Drifted()) {
        Note("Warning", "Drift", "the topology manager's runtime config differs: setting " + list);
      }
      plan_.actions.push_back(Action{.kind = Kind::kSetRuntimeConfig,
                                     .hash = target_,
                                     .job_hash = target_job_,
                                     .topology_id = topology_id_,
                                     .reason = "runtime config, 0 restarts: " + list,
                                     .runtime_config = runtime});
    }
    bool healthy = true;
    for (const auto& [id, inst] : observed().instances) {
      healthy &= inst.state == ObservedInstance::State::kRunning &&
                 now_ - inst.running_since_ms >= MinWaitMs();
    }
    if (settings_.require_tmanager) {
      healthy &= observed().heron.tmanager_topology_id == topology_id_ &&
                 PhysicalPlanRunsTarget() && observed().heron.absent_stream_managers == 0;
    }
    if (healthy && runtime.empty()) {
      if (plan_.memory.stable_hash != target_) {
        plan_.memory.stable_hash = target_;
        Note("Normal", "RolloutComplete", "revision " + Short(target_) + " is healthy");
        Remember();
      }
      if (!failed_note.empty())
        return Finish(Phase::kFailed, failed_note + "; running the last stable one");
      if (want_paused != observed().heron.paused) {
        return Finish(Phase::kUpdating,
                      want_paused ? "deactivating through the topology manager"
                                  : "activating through the topology manager",
                      true);
      }
      if (want_paused) return Finish(Phase::kPaused, "deactivated as the spec asks");
      return Finish(Phase::kRunning, "revision " + Short(target_) + " is healthy");
    }
    if (target_ != plan_.memory.stable_hash && !plan_.memory.stable_hash.empty() &&
        now_ - plan_.memory.rollout_started_ms > DeadlineMs()) {
      MarkFailed(target_, "did not become healthy within its progress deadline");
      return Finish(Phase::kFailed, "not healthy in time: returning to the stable revision", true);
    }
    if (healthy) {
      return Finish(Phase::kUpdating,
                    "applying runtime config through the topology manager (no restart)", true);
    }
    const bool first = plan_.memory.stable_hash.empty() || target_ != plan_.memory.stable_hash;
    return Finish(first ? Phase::kDeploying : Phase::kDegraded,
                  first ? "waiting for revision " + Short(target_) + " to become healthy"
                        : "some instances are not running",
                  true);
  }

  // Instances of another revision, or missing: repair or roll out.
  Plan Converge(const std::vector<int32_t>& stale, int32_t absent) {
    const bool drift = Drifted();
    if (drift && WarnOnly()) {
      return Finish(Phase::kOutOfSync, std::to_string(stale.size() + absent) +
                                           " instances differ from revision " + Short(target_) +
                                           ": " + DriftDetail(stale) +
                                           " (syncPolicy warn: not repaired)");
    }
    if (drift) {
      Note("Warning", "Drift",
           std::to_string(stale.size() + absent) +
               " instances differ from the applied revision: " + DriftDetail(stale));
    }
    // Containers of another topology id would die as soon as the new topology manager
    // registers: the whole job goes, then the next pass creates it.
    bool other_id = false;
    for (const auto& [id, inst] : observed().instances)
      other_id |= inst.topology_id != topology_id_;
    if ((desired_.spec->spec.update.strategy == crd::UpdateStrategy::kRecreate || other_id) &&
        !drift) {
      Add(Kind::kKillJob, other_id ? "the topology id changes (another stream graph): all "
                                     "instances stop before the new revision starts"
                                   : "Recreate: all instances stop before the new revision starts");
      Applied();
      plan_.instances_restarted = instances_;
      return Finish(Phase::kUpdating, "recreating with revision " + Short(target_), true);
    }
    Add(Kind::kWriteHeronState, drift ? "repair" : "update", target_);
    Add(Kind::kStartUpdate, drift ? "repair" : "update", target_);
    // Only the stale and the missing instances; all of them means no restriction.
    std::vector<int32_t> touch = stale;
    for (int32_t i = 0; i < instances_; ++i) {
      if (!observed().instances.count(i)) touch.push_back(i);
    }
    std::sort(touch.begin(), touch.end());
    int32_t span = instances_;
    for (const auto& [id, inst] : observed().instances) span = std::max(span, id + 1);
    if (static_cast<int32_t>(touch.size()) < span) plan_.actions.back().instances = touch;
    if (plan_.memory.applied_hash != target_ || plan_.memory.applied_topology_id != topology_id_)
      Applied();
    plan_.memory.instances_of[target_] = instances_;
    plan_.memory.job_hash_of[target_] = target_job_;
    // Restarted: running containers whose task changes. New containers (a scale-up) and
    // removed ones (a scale-down) are not restarts.
    int32_t restarted = 0;
    for (int32_t id : stale) restarted += id < instances_ ? 1 : 0;
    plan_.instances_restarted = restarted;
    return Finish(Phase::kUpdating, "rolling out revision " + Short(target_), true);
  }

  const Desired& desired_;
  const Observed& input_;
  std::optional<Observed> attributed_;  // input_ as an adoption reads it (Attribute)
  const Memory& memory_;
  const Settings& settings_;
  const int64_t now_;
  Plan plan_;
  std::string name_;
  std::string target_;
  std::string failed_target_;
  std::string held_;          // why the spec's revision waits (its gate holds it)
  std::string wave_started_;  // why the spec's revision may start here (a later wave's gate)
  std::string target_job_;
  std::string topology_id_;
  int32_t instances_ = 0;
};

}  // namespace

std::string TopologyIdFor(const std::string& name, const std::string& job_hash) {
  return name + "-" + Short(job_hash);
}

Plan MakePlan(const Desired& desired, const Observed& observed, const Memory& memory,
              const Settings& settings, int64_t now_ms) {
  return Planner(desired, observed, memory, settings, now_ms).Run();
}

const char* PhaseName(Phase p) {
  switch (p) {
    case Phase::kPending:
      return "Pending";
    case Phase::kDeploying:
      return "Deploying";
    case Phase::kRunning:
      return "Running";
    case Phase::kUpdating:
      return "Updating";
    case Phase::kRollingBack:
      return "RollingBack";
    case Phase::kDegraded:
      return "Degraded";
    case Phase::kFailed:
      return "Failed";
    case Phase::kPaused:
      return "Paused";
    case Phase::kSuspended:
      return "Suspended";
    case Phase::kOutOfSync:
      return "OutOfSync";
    case Phase::kDeleting:
      return "Deleting";
    case Phase::kDeleted:
      return "Deleted";
    case Phase::kUnknown:
      return "Unknown";
  }
  return "Unknown";
}

const char* ActionName(Action::Kind k) {
  switch (k) {
    case Kind::kWriteHeronState:
      return "WriteHeronState";
    case Kind::kCreateJob:
      return "CreateJob";
    case Kind::kStartUpdate:
      return "StartUpdate";
    case Kind::kPulseUpdate:
      return "PulseUpdate";
    case Kind::kAbortUpdate:
      return "AbortUpdate";
    case Kind::kRollbackUpdate:
      return "RollbackUpdate";
    case Kind::kWriteSchedulerLocation:
      return "WriteSchedulerLocation";
    case Kind::kSetTopologyState:
      return "SetTopologyState";
    case Kind::kSetRuntimeConfig:
      return "SetRuntimeConfig";
    case Kind::kKillJob:
      return "KillJob";
    case Kind::kDeleteHeronState:
      return "DeleteHeronState";
    case Kind::kRemember:
      return "Remember";
    case Kind::kForget:
      return "Forget";
  }
  return "?";
}

}  // namespace hgo::reconciler
