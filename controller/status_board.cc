#include "controller/status_board.h"

#include <spdlog/spdlog.h>

#include <string_view>

#include "controller/cluster/executor.h"
#include "reconciler/planner.h"

namespace hgo::controller {

using Kind = reconciler::Action::Kind;

namespace {

// What the API shows of Aurora's tasks; the role's answer is a new list every few seconds,
// mostly the same as the last.
bool SameTasks(const std::shared_ptr<const JobTasks>& a, const std::shared_ptr<const JobTasks>& b) {
  if (a == b) return true;
  if (!a || !b || a->size() != b->size()) return false;
  for (size_t i = 0; i < a->size(); ++i) {
    const ObservedTask& x = (*a)[i];
    const ObservedTask& y = (*b)[i];
    if (x.task_id != y.task_id || x.status != y.status || x.failures != y.failures ||
        x.running_since_ms != y.running_since_ms || x.host != y.host || x.job_hash != y.job_hash) {
      return false;
    }
  }
  return true;
}

// Whether a pass's report changes what the API shows (a watcher is woken only then).
bool Visible(const TopologyStatus& before, const TopologyStatus& after) {
  return before.phase != after.phase || before.message != after.message ||
         before.planned_spec_hash != after.planned_spec_hash ||
         before.observed_generation != after.observed_generation ||
         before.source_error != after.source_error ||
         before.current_job_hash != after.current_job_hash || before.record != after.record ||
         before.heron != after.heron || before.packing != after.packing ||
         before.reachable != after.reachable || !SameTasks(before.tasks, after.tasks);
}

}  // namespace

std::pair<std::optional<TopologyStatus>, int64_t> StatusBoard::StatusOf(
    const crd::TopologyKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(key);
  if (it == keys_.end()) return {std::nullopt, 0};
  return {it->second.status, it->second.generation};
}

std::vector<crd::TopologyKey> StatusBoard::KeysWithStatus() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<crd::TopologyKey> out;
  for (const auto& [k, s] : keys_) {
    if (s.status) out.push_back(k);
  }
  return out;
}

bool StatusBoard::HasStatus(const crd::TopologyKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(key);
  return it != keys_.end() && it->second.status;
}

int64_t StatusBoard::Generation(const crd::TopologyKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(key);
  return it == keys_.end() ? 0 : it->second.generation;
}

void StatusBoard::BumpGeneration(const crd::TopologyKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  ++keys_[key].generation;
  feed_.Note(key);
}

std::optional<SharedRecord> StatusBoard::CachedRecord(const crd::TopologyKey& key,
                                                      int64_t generation) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(key);
  if (it != keys_.end() && it->second.record && it->second.record->generation == generation &&
      it->second.generation == generation) {
    return it->second.record->record;
  }
  return std::nullopt;
}

void StatusBoard::CacheRecord(const crd::TopologyKey& key, int64_t generation,
                              std::optional<SharedRecord> record) {
  std::lock_guard<std::mutex> lock(mu_);
  if (record && keys_[key].generation == generation) {
    keys_[key].record = CachedEntry{std::move(*record), generation};
  } else if (auto it = keys_.find(key); it != keys_.end()) {
    it->second.record.reset();
  }
}

void StatusBoard::DropCachedRecords() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [k, s] : keys_) s.record.reset();
}

int64_t StatusBoard::LastWriteMs(const crd::TopologyKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(key);
  return it == keys_.end() ? 0 : it->second.last_write_ms;
}

void StatusBoard::NoteWrite(const crd::TopologyKey& key, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  keys_[key].last_write_ms = now_ms;
}

void StatusBoard::NoteDesired(const crd::TopologyKey& key, const std::string& spec_hash,
                              int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  keys_[key].timing = KeyTiming{spec_hash, now_ms};
}

int64_t StatusBoard::SeenMs(const crd::TopologyKey& key, const std::string& spec_hash) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(key);
  if (it == keys_.end() || !it->second.timing || it->second.timing->hash != spec_hash) return 0;
  return it->second.timing->seen_ms;
}

void StatusBoard::Measure(const crd::TopologyKey& key, const reconciler::Plan& plan,
                          const reconciler::Observed& observed, const reconciler::Desired& desired,
                          bool executed, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(key);
  if (it == keys_.end() || !it->second.timing || it->second.timing->hash != desired.spec_hash ||
      desired.spec_hash.empty()) {
    return;
  }
  KeyTiming& t = *it->second.timing;
  const double since = static_cast<double>(now_ms - t.seen_ms) / 1000.0;
  if (!t.accepted && executed) {
    for (const auto& a : plan.actions) {
      if ((a.kind == Kind::kCreateJob || a.kind == Kind::kStartUpdate) &&
          a.hash == desired.spec_hash) {
        t.accepted = true;
        metrics_.Observe("heron_controller_change_to_accepted_seconds", {}, since);
      }
    }
  }
  if (t.accepted && !t.running && observed.known &&
      static_cast<int32_t>(observed.instances.size()) == desired.instances) {
    bool all = true;
    for (const auto& [id, inst] : observed.instances) {
      all &= inst.state == reconciler::ObservedInstance::State::kRunning &&
             inst.job_hash == desired.job_hash;
    }
    if (all) {
      t.running = true;
      metrics_.Observe("heron_controller_change_to_running_seconds", {}, since);
    }
  }
  if (t.accepted && !t.stable && plan.memory.stable_hash == desired.spec_hash) {
    t.stable = true;
    metrics_.Observe("heron_controller_change_to_stable_seconds", {}, since);
  }
}

std::optional<Status> StatusBoard::HaltedLocked(const crd::TopologyKey& key,
                                                const std::string& spec_hash) const {
  auto it = keys_.find(key);
  if (it == keys_.end() || !it->second.terminal) return std::nullopt;
  const TerminalFailure& f = *it->second.terminal;
  if (f.spec_hash != spec_hash || f.count < 2) return std::nullopt;
  return f.failure;
}

std::optional<Status> StatusBoard::HaltedFor(const crd::TopologyKey& key,
                                             const std::string& spec_hash) const {
  std::lock_guard<std::mutex> lock(mu_);
  return HaltedLocked(key, spec_hash);
}

void StatusBoard::NoteOutcome(const crd::TopologyKey& key, const std::string& spec_hash,
                              const Status& executed) {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<TerminalFailure>& terminal = keys_[key].terminal;
  if (executed.ok() || IsRetryable(executed)) {
    terminal.reset();
    return;
  }
  if (terminal && terminal->spec_hash == spec_hash &&
      terminal->failure.message() == executed.message()) {
    ++terminal->count;
  } else {
    terminal = TerminalFailure{spec_hash, executed, 1};
  }
  if (terminal->count == 2) {
    spdlog::error("{}: halted: {} failed twice in a way retrying cannot mend", key.ToString(),
                  executed.ToString());
    metrics_.Inc("heron_controller_halted_total", {{"cluster", key.cluster}});
  }
}

bool StatusBoard::ClearHalt(const crd::TopologyKey& key, const std::string& spec_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(key);
  if (it == keys_.end() || !it->second.terminal) return false;
  const bool halted = HaltedLocked(key, spec_hash).has_value();
  it->second.terminal.reset();
  return halted;
}

TopologyStatus& StatusBoard::StatusLocked(const crd::TopologyKey& key) {
  std::optional<TopologyStatus>& slot = keys_[key].status;
  if (!slot) {
    slot.emplace();
    slot->key = key;
  }
  return *slot;
}

void StatusBoard::ReportUnknownCluster(const crd::TopologyKey& key,
                                       std::shared_ptr<const statestore::TopologyRecord> record) {
  std::lock_guard<std::mutex> lock(mu_);
  TopologyStatus& st = StatusLocked(key);
  const TopologyStatus before = st;
  phases_changed_ |= st.phase != "Unknown";
  st.phase = "Unknown";
  st.reachable = false;
  st.message = "cluster '" + key.cluster + "' is not in the clusters file";
  if (record) st.record = std::move(record);
  if (Visible(before, st)) feed_.Note(key);
}

void StatusBoard::Report(const crd::TopologyKey& key, PassReport r) {
  std::lock_guard<std::mutex> lock(mu_);
  TopologyStatus& st = StatusLocked(key);
  const TopologyStatus before = st;  // shares what it points to: a copy of a few strings
  st.observed_at_ms = r.observed ? r.now_ms : st.observed_at_ms;
  st.reachable = r.observed;
  const std::string phase = reconciler::PhaseName(r.phase);
  phases_changed_ |= st.phase != phase;
  st.phase = phase;
  st.message = std::move(r.message);
  if (!r.executed.ok()) st.message += " (failed: " + r.executed.message() + ")";
  if (!r.observed) {
    st.message += st.observed_at_ms == 0
                      ? " (never observed)"
                      : " (last observed " + std::to_string((r.now_ms - st.observed_at_ms) / 1000) +
                            " s ago)";
  }
  st.planned_spec_hash = std::move(r.planned_spec_hash);
  st.observed_generation = r.generation;
  st.source_error = std::move(r.source_error);
  if (r.observed) {
    st.tasks = std::move(r.tasks);
    st.heron = std::move(r.heron);
  }
  st.current_job_hash = std::move(r.current_job_hash);
  if (r.packing && (!st.packing || *st.packing != *r.packing)) {
    st.packing = std::make_shared<const packing::PackingPlan>(*r.packing);
  }
  st.record = std::move(r.record);
  if (Visible(before, st)) feed_.Note(key);
}

void StatusBoard::Erase(const crd::TopologyKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  keys_.erase(key);
  phases_changed_ = true;
  feed_.Note(key);
}

void StatusBoard::UpdatePhaseGauge() {
  // Counted again only when a phase changed: a walk over every status per scrape (one every
  // 100 ms in the benchmark) was a tenth of a no-op resync's CPU at 10,000 topologies. Set
  // under mu_, so that two scrapes cannot set their counts out of order.
  std::lock_guard<std::mutex> lock(mu_);
  if (!phases_changed_) return;
  phases_changed_ = false;
  std::map<std::string_view, double> counts;
  for (const auto& [k, s] : keys_) {
    if (s.status) counts[s.status->phase] += 1;
  }
  std::map<Labels, double> by_phase;
  for (const auto& [phase, n] : counts) by_phase[{{"phase", std::string(phase)}}] = n;
  metrics_.SetAll("heron_controller_topologies", by_phase);
}

}  // namespace hgo::controller
