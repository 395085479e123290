#include "controller/controller.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/file_util.h"
#include "controller/cluster/observe.h"
#include "controller/record_fold.h"
#include "reconciler/planner.h"

namespace hgo::controller {

using reconciler::Action;

Controller::Controller(ControllerOptions options,
                       std::vector<std::unique_ptr<sources::SpecSource>> sources,
                       ClusterConnector& connector, const Clock& clock,
                       statestore::StateStore& store, statestore::LeaderElector& elector,
                       Metrics& metrics)
    : Controller(std::move(options), std::move(sources), connector, clock, store,
                 std::make_unique<WholeLeadership>(elector), nullptr, metrics) {}

Controller::Controller(ControllerOptions options,
                       std::vector<std::unique_ptr<sources::SpecSource>> sources,
                       ClusterConnector& connector, const Clock& clock,
                       statestore::StateStore& store, Leadership& leadership, Metrics& metrics)
    : Controller(std::move(options), std::move(sources), connector, clock, store, nullptr,
                 &leadership, metrics) {}

Controller::Controller(ControllerOptions options,
                       std::vector<std::unique_ptr<sources::SpecSource>> sources,
                       ClusterConnector& connector, const Clock& clock,
                       statestore::StateStore& store, std::unique_ptr<Leadership> owned,
                       Leadership* leadership, Metrics& metrics)
    : options_(std::move(options)),
      connector_(connector),
      clock_(clock),
      store_(store),
      owned_leadership_(std::move(owned)),
      leadership_(leadership ? *leadership : *owned_leadership_),
      metrics_(metrics),
      queue_(clock),
      sources_(std::move(sources)),
      changes_(clock),
      board_(metrics, changes_) {
  for (const auto& spec : options_.clusters) {
    const std::string name = spec.config.name;
    std::function<Status()> confirm;
    if (options_.confirm_leadership) {
      confirm = [this, name] { return options_.confirm_leadership(name); };
    }
    leases_[name] = std::make_unique<LeaderLease>(
        clock, options_.lease, [this, name] { return Leads(name); }, std::move(confirm));
  }
  PassEdges edges;
  edges.clock = &clock_;
  edges.store = &store_;
  edges.metrics = &metrics_;
  edges.board = &board_;
  edges.queue = &queue_;
  edges.recorded_specs = &recorded_specs_;
  edges.leads = [this](const std::string& cluster) { return Leads(cluster); };
  edges.desired = [this](const crd::TopologyKey& key) { return DesiredOfKey(key); };
  edges.take_prune_token = [this] { return TakePruneToken(); };
  edges.gate = [this](const crd::TopologyKey& key, const reconciler::Desired& desired,
                      const reconciler::Memory& memory,
                      int64_t now) { return GateFor(key, desired, memory, now); };
  pass_ = std::make_unique<KeyPass>(PassSettings{options_.settings, options_.prune_budget,
                                                 options_.resync, options_.role_cache_ms},
                                    std::move(edges));
  using T = Metrics::Type;
  metrics_.Describe("heron_controller_reconciles_total", T::kCounter,
                    "Passes, by result (ok, error, conflict, halted, skipped, crashed).");
  metrics_.Describe("heron_controller_halted_total", T::kCounter,
                    "Topologies halted by a failure retrying cannot mend, by cluster.");
  metrics_.Describe("heron_controller_reconcile_seconds", T::kHistogram, "Duration of a pass.");
  metrics_.Describe("heron_controller_queue_depth", T::kGauge, "Keys waiting (ready and delayed).");
  metrics_.Describe("heron_controller_topologies", T::kGauge, "Topologies by phase.");
  metrics_.Describe("heron_controller_actions_total", T::kCounter,
                    "Actions carried out whole, by kind.");
  metrics_.Describe("heron_controller_action_failures_total", T::kCounter,
                    "Actions that failed, by kind (the actions after one that failed are not "
                    "attempted and not counted).");
  metrics_.Describe("heron_controller_aurora_observe_seconds", T::kHistogram,
                    "Aurora reads for a role (tasks and updates), by cluster.");
  metrics_.Describe("heron_controller_aurora_errors_total", T::kCounter,
                    "Failed Aurora observations, by cluster.");
  metrics_.Describe("heron_controller_zookeeper_errors_total", T::kCounter,
                    "ZooKeeper failures (Heron's state, records), by cluster.");
  metrics_.Describe("heron_controller_execute_seconds", T::kHistogram,
                    "Executing a plan's actions (Aurora and ZooKeeper writes), by cluster.");
  metrics_.Describe("heron_controller_action_seconds", T::kHistogram,
                    "One action (failed ones too), or taking Heron's update lock (UpdateLock), by "
                    "cluster.");
  metrics_.Describe("heron_controller_change_to_accepted_seconds", T::kHistogram,
                    "From a new revision seen in a source to Aurora accepting its create/update.");
  metrics_.Describe("heron_controller_change_to_running_seconds", T::kHistogram,
                    "From a new revision seen to all its instances RUNNING.");
  metrics_.Describe("heron_controller_change_to_stable_seconds", T::kHistogram,
                    "From a new revision seen to it being stable (healthy for minWait).");
  metrics_.Describe("heron_controller_source_errors", T::kGauge, "Problems in spec sources.");
  metrics_.Describe("heron_controller_leader", T::kGauge, "1 while this controller leads.");
  metrics_.Describe("heron_controller_cluster_leader", T::kGauge,
                    "1 for each cluster this controller leads (all or none without --shards).");
  metrics_.Describe("heron_controller_aurora_observe_rpcs_total", T::kCounter,
                    "Aurora RPCs made to observe (tasks and updates of a role), by cluster.");
  metrics_.Describe("heron_controller_zookeeper_reads_total", T::kCounter,
                    "ZooKeeper reads, by what (heron: Heron's state cache, by cluster; records).");
  metrics_.Describe("heron_controller_cluster_breaker_state", T::kGauge,
                    "Each cluster's breaker: 0 closed, 1 half-open (probing), 2 open.");
  metrics_.Describe("heron_controller_cluster_breaker_opens_total", T::kCounter,
                    "Times a cluster's breaker opened (its servers did not answer), by cluster.");
}

Controller::~Controller() { Stop(); }

int64_t Controller::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
      .count();
}

Status Controller::Start() {
  changes_.Start();
  ExecutorOptions executor = options_.executor;
  for (const auto& spec : options_.clusters) {
    const std::string name = spec.config.name;
    executor.lease = [lease = leases_.at(name).get()] { return lease->Check(); };
    executor.timed = [this, name](const char* what, double seconds) {
      metrics_.Observe("heron_controller_action_seconds", {{"action", what}, {"cluster", name}},
                       seconds);
    };
    clusters_[name] = std::make_unique<ClusterRuntime>(
        spec, connector_, std::max(1, options_.workers), clock_, executor,
        [this, name](const std::string& topology) { OnHeronChange(name, topology); },
        options_.breaker, [this, name] { EnqueueCluster(name); });
  }
  int per_cluster = options_.workers_per_cluster;
  if (per_cluster <= 0 && options_.clusters.size() > 1) per_cluster = options_.workers - 1;
  if (per_cluster > 0 && per_cluster < options_.workers) queue_.SetClusterLimit(per_cluster);
  {
    std::lock_guard<std::mutex> lock(mu_);
    source_dirty_.assign(sources_.size(), true);
    snapshots_.resize(sources_.size());
    prune_tokens_ = options_.prune_budget;
  }
  for (size_t i = 0; i < sources_.size(); ++i) {
    Status s = sources_[i]->Watch([this, i] {
      std::lock_guard<std::mutex> lock(mu_);
      source_dirty_[i] = true;
      source_cv_.notify_all();
    });
    if (!s.ok()) return s;
  }
  next_resync_ = clock_.Now() + options_.resync;
  if (options_.workers > 0) {
    source_thread_ = std::thread([this] { SourceLoop(); });
    for (int i = 0; i < options_.workers; ++i) {
      workers_.emplace_back([this, i] { Worker(i); });
    }
  }
  started_ = true;
  return leadership_.Start([this](const std::string& c) { OnGained(c); },
                           [this](const std::string& c) { OnLost(c); });
}

void Controller::OnGained(const std::string& cluster) {
  if (cluster.empty()) {
    spdlog::info("controller: elected leader");
  } else {
    spdlog::info("controller: leading cluster {}", cluster);
  }
  bool led_before = false;
  {
    std::lock_guard<std::mutex> lock(leader_mu_);
    led_before = leader_;
    leader_ = !stopping_ && leadership_.LeadsAny();
  }
  metrics_.Set("heron_controller_leader", {}, leader_ ? 1 : 0);
  board_.DropCachedRecords();  // another leader may have written since
  std::lock_guard<std::mutex> lock(mu_);
  if (cluster.empty() || !led_before) {
    // A full resync: every source read again, every key of what is led now passed once (each
    // cluster's first pass of a role reads the whole role again).
    for (size_t i = 0; i < source_dirty_.size(); ++i) source_dirty_[i] = true;
    resync_due_ = true;
  } else {
    // A shard gained beside others: the sources are current; only its keys are passed.
    gained_.insert(cluster);
  }
  source_cv_.notify_all();
}

void Controller::OnLost(const std::string& cluster) {
  if (cluster.empty()) {
    spdlog::warn("controller: not the leader any more; standing by");
  } else {
    spdlog::info("controller: not leading cluster {} any more", cluster);
  }
  {
    std::lock_guard<std::mutex> lock(leader_mu_);
    leader_ = !stopping_ && leadership_.LeadsAny();
  }
  metrics_.Set("heron_controller_leader", {}, leader_ ? 1 : 0);
}

bool Controller::Leads(const std::string& cluster) const {
  return leader_ && leadership_.Leads(cluster);
}

bool Controller::LeadsEveryCluster() const {
  if (!leader_) return false;
  for (const auto& spec : options_.clusters) {
    if (!leadership_.Leads(spec.config.name)) return false;
  }
  return true;
}

LeaderLease& Controller::LeaseOf(const std::string& cluster) { return *leases_.at(cluster); }

void Controller::Stop() {
  if (stopping_.exchange(true)) return;
  // Passes in flight write nothing more (they look at leader_ before acting) and idle workers
  // leave at once.
  {
    std::lock_guard<std::mutex> lock(leader_mu_);
    leader_ = false;
  }
  queue_.Shutdown();
  changes_.Stop();  // answers the API's waiting watchers
  for (auto& s : sources_) s->Stop();
  {
    std::lock_guard<std::mutex> lock(mu_);
    source_cv_.notify_all();
  }
  if (source_thread_.joinable()) source_thread_.join();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  if (started_) leadership_.Resign();
  clusters_.clear();
}

bool Controller::IsLeader() const { return leader_; }

std::string Controller::Leader() { return leadership_.LeaderOf(""); }

bool Controller::Ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return started_ && (!leader_ || sources_read_);
}

size_t Controller::QueueDepth() const { return queue_.Ready() + queue_.Delayed(); }

std::vector<std::string> Controller::SourceErrors() {
  std::lock_guard<std::mutex> lock(mu_);
  return desired_.errors;
}

void Controller::RefreshSources() {
  for (auto& s : sources_) s->Refresh();
}

int Controller::RefreshSourcesSignedWith(
    const std::function<bool(const std::string& secret)>& verifies) {
  int refreshed = 0;
  for (auto& s : sources_) {
    const std::string& file = s->config().webhook_secret_file;
    if (file.empty()) continue;
    auto secret = ReadFileLimited(file, 4096);
    if (!secret.ok()) {
      spdlog::warn("webhook: source {}: cannot read its secret: {}", s->config().text,
                   secret.status().message());
      continue;
    }
    while (!secret->empty() && (secret->back() == '\n' || secret->back() == '\r')) {
      secret->pop_back();
    }
    if (secret->empty() || !verifies(*secret)) continue;
    s->Refresh();
    ++refreshed;
  }
  return refreshed;
}

bool Controller::TakePruneToken() {
  std::lock_guard<std::mutex> lock(mu_);
  if (prune_tokens_ <= 0) return false;
  --prune_tokens_;
  return true;
}

// Reads dirty sources (all of them on a resync or election), merges, and queues what changed.
void Controller::SourceLoop() {
  auto next_resync = clock_.Now() + options_.resync;
  std::unique_lock<std::mutex> lock(mu_);
  auto work = [this] {
    return stopping_ || (leader_ && (resync_due_ || !gained_.empty() ||
                                     std::find(source_dirty_.begin(), source_dirty_.end(), true) !=
                                         source_dirty_.end()));
  };
  while (!stopping_) {
    // The predicate, not only the notification: a change that arrived while the last read was
    // running has notified no one, and waiting out the timeout cost it up to 200 ms (the
    // convergence benchmark's p99).
    source_cv_.wait_for(lock, std::chrono::milliseconds(200), work);
    if (stopping_) break;
    SourceRound(lock, next_resync);
  }
}

void Controller::SourceRound(std::unique_lock<std::mutex>& lock,
                             std::chrono::steady_clock::time_point& next_resync) {
  if (clock_.Now() >= next_resync) {
    next_resync = clock_.Now() + options_.resync;
    resync_due_ = true;
  }
  if (!leader_) return;
  bool any = resync_due_ || !gained_.empty();
  for (bool d : source_dirty_) any |= d;
  if (!any) return;
  const bool resync = resync_due_;
  resync_due_ = false;
  std::set<std::string> gained;
  gained.swap(gained_);
  lock.unlock();
  ReadSources(resync);
  if (resync) {
    {
      std::lock_guard<std::mutex> l(mu_);
      prune_tokens_ = options_.prune_budget;
    }
    EnqueueAll();
  } else if (!gained.empty()) {
    EnqueueAll(&gained);
  }
  lock.lock();
}

int Controller::RunReady() {
  if (options_.workers > 0 || stopping_) return 0;
  {
    std::unique_lock<std::mutex> lock(mu_);
    SourceRound(lock, next_resync_);
  }
  int passes = 0;
  while (auto key = queue_.TryGet()) {
    if (Leads(key->cluster)) {
      RunPass(*key, 0);
    } else {
      metrics_.Inc("heron_controller_reconciles_total", {{"result", "skipped"}});
    }
    queue_.Done(*key);
    ++passes;
  }
  return passes;
}

void Controller::Resync() {
  std::lock_guard<std::mutex> lock(mu_);
  resync_due_ = true;
  source_cv_.notify_all();
}

void Controller::CollectCounters() {
  for (const auto& [name, c] : clusters_) {
    const BreakerState b = c->breaker().State();
    const double phase = b.phase == BreakerState::Phase::kClosed     ? 0
                         : b.phase == BreakerState::Phase::kHalfOpen ? 1
                                                                     : 2;
    metrics_.Set("heron_controller_cluster_breaker_state", {{"cluster", name}}, phase);
    metrics_.Set("heron_controller_cluster_leader", {{"cluster", name}}, Leads(name) ? 1 : 0);
    metrics_.Set("heron_controller_cluster_breaker_opens_total", {{"cluster", name}},
                 static_cast<double>(b.opens));
    metrics_.Set("heron_controller_aurora_observe_rpcs_total", {{"cluster", name}},
                 static_cast<double>(c->observe_calls()));
    metrics_.Set("heron_controller_aurora_role_reads_total", {{"cluster", name}},
                 static_cast<double>(c->role_reads()));
    metrics_.Set("heron_controller_zookeeper_reads_total", {{"what", "heron"}, {"cluster", name}},
                 static_cast<double>(c->heron_reads()));
  }
  metrics_.Set("heron_controller_zookeeper_reads_total", {{"what", "records"}},
               static_cast<double>(pass_->record_reads()));
  // Counted when read, not after every pass: a count over all statuses per pass would make a
  // resync quadratic in the number of topologies.
  board_.UpdatePhaseGauge();
}

void Controller::ReadSources(bool all) {
  std::vector<size_t> which;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (all || source_dirty_[i]) which.push_back(i);
      source_dirty_[i] = false;
    }
  }
  std::vector<std::pair<size_t, sources::SourceSnapshot>> read;
  for (size_t i : which) read.emplace_back(i, sources_[i]->Read());
  std::vector<crd::TopologyKey> changed;
  std::vector<std::string> new_errors;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [i, s] : read) snapshots_[i] = std::move(s);
    sources::DesiredSet next = sources::MergeSources(snapshots_, last_good_files_, &desired_);
    const int64_t now = NowMs();
    // Keys whose desired state changed (new, changed, gone, frozen or thawed).
    for (const auto& [k, e] : next.present) {
      auto old = desired_.present.find(k);
      if (old == desired_.present.end() || old->second.spec_hash != e.spec_hash) {
        changed.push_back(k);
        board_.NoteDesired(k, e.spec_hash, now);
      }
    }
    for (const auto& [k, e] : desired_.present) {
      if (!next.present.count(k)) changed.push_back(k);
    }
    for (const auto& [k, why] : next.frozen) {
      auto old = desired_.frozen.find(k);
      if (old == desired_.frozen.end() || old->second != why) changed.push_back(k);
    }
    for (const auto& [k, why] : desired_.frozen) {
      if (!next.frozen.count(k)) changed.push_back(k);
    }
    if (next.freeze_absent != desired_.freeze_absent) {
      for (const auto& k : board_.KeysWithStatus()) changed.push_back(k);
    }
    // Each source error is logged once, when it appears (a source polled every second that
    // keeps failing the same way says so once).
    for (const auto& e : next.errors) {
      if (std::find(desired_.errors.begin(), desired_.errors.end(), e) == desired_.errors.end())
        new_errors.push_back(e);
    }
    desired_ = std::move(next);
    sources_read_ = true;
    metrics_.Set("heron_controller_source_errors", {}, static_cast<double>(desired_.errors.size()));
  }
  for (const auto& e : new_errors) spdlog::warn("source: {}", e);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& k : changed) named_[{k.cluster, k.name}].insert(k);
  }
  for (const auto& k : changed) {
    changes_.Note(k);  // the status shows the desired spec's hash
    if (Leads(k.cluster)) queue_.Add(k);
  }
}

void Controller::EnqueueAll(const std::set<std::string>* only) {
  // Each role's first pass reads the whole role again (keys of Aurora's that the controller
  // has not asked for one by one, such as foreign jobs, show up there).
  for (const auto& [name, c] : clusters_) {
    if (!only || only->count(name)) c->MarkResync();
  }
  // Sorted (a role's keys together, so that its passes share one Aurora answer) and without
  // repeats; a vector, not a set: at 10,000 topologies the set's nodes were a peak of their own.
  auto stored = store_.ListRecords();
  std::vector<crd::TopologyKey> keys;
  if (stored.ok()) {
    keys = std::move(*stored);
  } else {
    spdlog::warn("controller: listing records: {}", stored.status().ToString());
  }
  std::sort(keys.begin(), keys.end());
  const size_t recorded = keys.size();
  auto add = [&](const crd::TopologyKey& k) {  // most keys have a record already
    if (!std::binary_search(keys.begin(), keys.begin() + recorded, k)) keys.push_back(k);
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [k, e] : desired_.present) add(k);
    for (const auto& [k, why] : desired_.frozen) add(k);
  }
  for (const auto& k : board_.KeysWithStatus()) add(k);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  {
    std::map<std::pair<std::string, std::string>, std::set<crd::TopologyKey>> named;
    for (const auto& k : keys) named[{k.cluster, k.name}].insert(k);
    std::lock_guard<std::mutex> lock(mu_);
    named_ = std::move(named);
  }
  for (const auto& k : keys) {
    if (Leads(k.cluster) && (!only || only->count(k.cluster))) queue_.Add(k);
  }
  metrics_.Set("heron_controller_queue_depth", {}, static_cast<double>(QueueDepth()));
}

void Controller::EnqueueCluster(const std::string& cluster) {
  if (!Leads(cluster)) return;
  spdlog::info("controller: cluster {} answers again; its topologies are looked at now", cluster);
  for (const auto& k : board_.KeysWithStatus()) {
    if (k.cluster == cluster) queue_.Add(k);
  }
}

std::vector<ClusterStatus> Controller::Clusters() const {
  std::vector<ClusterStatus> out;
  // One leader of every cluster (unsharded) is read once, not once per cluster; sharded,
  // LeaderOf("") is "" and each cluster's election is read.
  const std::string whole = leadership_.LeaderOf("");
  for (const auto& [name, c] : clusters_) {
    out.push_back(ClusterStatus{name, c->breaker().State(), c->heron_connected(),
                                whole.empty() ? leadership_.LeaderOf(name) : whole});
  }
  return out;
}

void Controller::Worker(int index) {
  while (auto key = queue_.Get()) {
    if (Leads(key->cluster)) {
      RunPass(*key, index);
    } else {
      metrics_.Inc("heron_controller_reconciles_total", {{"result", "skipped"}});
    }
    queue_.Done(*key);
    metrics_.Set("heron_controller_queue_depth", {}, static_cast<double>(QueueDepth()));
    if (++passes_since_trim_ >= kPassesPerTrim && queue_.Ready() == 0) ReleaseFreeMemory();
  }
}

void Controller::OnHeronChange(const std::string& cluster, const std::string& topology) {
  if (!Leads(cluster)) return;
  std::set<crd::TopologyKey> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = named_.find({cluster, topology});
    if (it == named_.end()) return;
    keys = it->second;
  }
  // Mostly the watches of the controller's own writes: a failing key keeps its backoff.
  for (const auto& k : keys) queue_.AddUnlessBackingOff(k);
}

ClusterRuntime* Controller::ClusterOf(const crd::TopologyKey& key) const {
  auto it = clusters_.find(key.cluster);
  return it == clusters_.end() ? nullptr : it->second.get();
}

DesiredOf Controller::DesiredOfKey(const crd::TopologyKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  DesiredOf out;
  if (auto it = desired_.present.find(key); it != desired_.present.end()) {
    out.entry = it->second;
  } else if (auto f = desired_.frozen.find(key); f != desired_.frozen.end()) {
    out.frozen = f->second;
  } else if (desired_.freeze_absent || !sources_read_) {
    out.frozen = sources_read_ ? desired_.freeze_absent_reason : "sources not read yet";
  }
  return out;
}

// Nothing should throw out of a pass (errors are Status values), but a library might.
void Controller::RunPass(const crd::TopologyKey& key, int worker) {
  std::string what;
  try {
    pass_->Run(key, ClusterOf(key), worker);
    return;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "an exception that is not a std::exception";
  }
  spdlog::error("{}: the pass threw: {}", key.ToString(), what);
  metrics_.Inc("heron_controller_reconciles_total", {{"result", "crashed"}});
  queue_.AddRateLimited(key);
}

void Controller::ReleaseFreeMemory() {
  // One worker per burst: the first to see the queue empty takes the count.
  if (passes_since_trim_.exchange(0) < kPassesPerTrim) return;
#ifdef __GLIBC__
  // A burst of passes frees what its role answers took, but malloc keeps the pages. Measured at
  // 10,000 topologies: a few MiB (RSS after a pass ~215 instead of ~220 MiB), within the noise
  // of one run; kept because it costs one call per burst.
  malloc_trim(0);
#endif
}

}  // namespace hgo::controller
