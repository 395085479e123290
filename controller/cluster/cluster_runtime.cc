#include "controller/cluster/cluster_runtime.h"

#include <spdlog/spdlog.h>

namespace hgo::controller {

ClusterRuntime::ClusterRuntime(ClusterSpec spec, ClusterConnector& connector, int workers,
                               const Clock& clock, ExecutorOptions executor,
                               std::function<void(const std::string&)> on_heron_change,
                               BreakerOptions breaker, std::function<void()> on_reached)
    : spec_(std::move(spec)),
      connector_(connector),
      breaker_(clock, breaker, std::move(on_reached)),
      clock_(clock),
      executor_options_(std::move(executor)),
      on_heron_change_(std::move(on_heron_change)) {
  clients_.resize(std::max(1, workers));
  executors_.resize(clients_.size());
}

ClusterRuntime::~ClusterRuntime() {
  std::lock_guard<std::mutex> lock(mu_);
  executors_.clear();  // before what they write through
  clients_.clear();
  heron_.reset();
}

int64_t ClusterRuntime::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
      .count();
}

Status ClusterRuntime::Ensure(bool* busy) {
  if (busy) *busy = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (heron_ && clients_[0]) return Status::Ok();
  }
  // Dialling can take the connect timeout; mu_ is not held meanwhile (the API and the metrics
  // read through it), and a pass that finds another dialling does not queue behind it.
  std::unique_lock<std::mutex> dialling(dial_mu_, std::try_to_lock);
  if (!dialling.owns_lock()) {
    if (busy) *busy = true;
    return Status::Unavailable("cluster " + spec_.config.name +
                               ": another pass is connecting to its servers");
  }
  std::shared_ptr<statestore::HeronStore> heron = heron_store();
  if (!heron) {
    HGO_ASSIGN_OR_RETURN(heron, connector_.ConnectHeron(spec_, on_heron_change_));
    std::lock_guard<std::mutex> lock(mu_);
    heron_ = heron;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (clients_[0]) return Status::Ok();
  }
  std::vector<std::shared_ptr<aurora::AuroraApi>> clients;
  for (size_t i = 0; i < clients_.size(); ++i) {
    HGO_ASSIGN_OR_RETURN(auto client, connector_.ConnectAurora(spec_));
    clients.push_back(std::move(client));
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < clients_.size(); ++i) {
    executors_[i] =
        std::make_unique<Executor>(*clients[i], *heron_, spec_.config, clock_, executor_options_);
    clients_[i] = std::move(clients[i]);
  }
  return Status::Ok();
}

Status ClusterRuntime::ClaimHeron() {
  HGO_RETURN_IF_ERROR(Ensure());
  std::shared_ptr<statestore::HeronStore> store = heron_store();
  if (!store->connected()) return Status::Ok();  // the observation says so
  Status claimed = store->Claim();
  if (claimed.ok()) return claimed;
  return Status(claimed.code(),
                "Heron's ZooKeeper of cluster " + spec_.config.name + ": " + claimed.message());
}

bool ClusterRuntime::heron_view_current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return heron_ && heron_->view_current();
}

bool ClusterRuntime::heron_connected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return heron_ && heron_->connected();
}

aurora::AuroraApi& ClusterRuntime::aurora(int worker) {
  return *clients_[worker % clients_.size()];
}

Executor& ClusterRuntime::executor(int worker) { return *executors_[worker % executors_.size()]; }

std::shared_ptr<statestore::HeronStore> ClusterRuntime::heron_store() const {
  std::lock_guard<std::mutex> lock(mu_);
  return heron_;
}

std::shared_ptr<const statestore::HeronSnapshot> ClusterRuntime::Heron(
    const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!heron_) return nullptr;
  return heron_->Get(name);
}

std::shared_ptr<const JobTasks> RoleView::TasksOf(const aurora::JobKey& job) const {
  static const auto* kNone = new std::shared_ptr<const JobTasks>(std::make_shared<JobTasks>());
  auto it = tasks.find(job);
  return it == tasks.end() ? *kNone : it->second;
}

const std::vector<aurora::UpdateSummary>& RoleView::UpdatesOf(const aurora::JobKey& job) const {
  static const std::vector<aurora::UpdateSummary> kNone;
  auto it = updates.find(job);
  return it == updates.end() ? kNone : it->second;
}

ClusterRuntime::RoleEntry& ClusterRuntime::EntryOf(const std::string& role) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& e = roles_[role];
  if (!e) e = std::make_unique<RoleEntry>();
  return *e;
}

std::shared_ptr<const RoleView> ClusterRuntime::FreshLocked(const RoleEntry& entry,
                                                            const aurora::JobKey& job,
                                                            int64_t min_fetched_at_ms,
                                                            int64_t max_age_ms) const {
  const int64_t now = NowMs();
  const int64_t mark = resync_mark_ms_;
  auto fresh = [&](const std::shared_ptr<const RoleView>& v) {
    return v && v->fetched_at_ms >= min_fetched_at_ms && v->fetched_at_ms >= mark &&
           now - v->fetched_at_ms <= max_age_ms;
  };
  std::shared_ptr<const RoleView> best;
  auto it = entry.jobs.find(job);
  if (it != entry.jobs.end() && fresh(it->second)) best = it->second;
  if (fresh(entry.view) && (!best || entry.view->fetched_at_ms > best->fetched_at_ms)) {
    best = entry.view;
  }
  return best;
}

void ClusterRuntime::MarkResync() { resync_mark_ms_ = NowMs(); }

StatusOr<std::shared_ptr<const RoleView>> ClusterRuntime::ObserveJob(const aurora::JobKey& job,
                                                                     int worker,
                                                                     int64_t min_fetched_at_ms,
                                                                     int64_t max_age_ms) {
  RoleEntry& entry = EntryOf(job.role);
  {
    std::lock_guard<std::mutex> lock(entry.mu);
    if (auto v = FreshLocked(entry, job, min_fetched_at_ms, max_age_ms)) return v;
    entry.wanted.insert(job);
  }
  const int64_t asked_at = NowMs();
  std::lock_guard<std::mutex> fetching(entry.fetch_mu);
  std::set<aurora::JobKey> batch;
  bool whole = false;
  {
    std::lock_guard<std::mutex> lock(entry.mu);
    // Another worker's fetch, done while this one waited, may hold the job (or have failed).
    if (auto v = FreshLocked(entry, job, min_fetched_at_ms, max_age_ms)) return v;
    if (entry.failed_at_ms >= asked_at) return entry.failure;
    whole = !entry.view || entry.view->fetched_at_ms < resync_mark_ms_;
    batch.swap(entry.wanted);  // a role-wide read answers for them too
    batch.insert(job);
  }
  auto view = Fetch(job.role, whole ? std::set<aurora::JobKey>{} : batch, worker);
  std::lock_guard<std::mutex> lock(entry.mu);
  if (!view.ok()) {
    entry.failure = view.status();
    entry.failed_at_ms = NowMs();
    return view.status();
  }
  std::shared_ptr<const RoleView> shared = std::move(*view);
  if (whole) {
    entry.view = shared;
    entry.jobs.clear();  // all older than it
    return shared;
  }
  for (const auto& j : batch) entry.jobs[j] = shared;
  // Answers too old to be fresh again are dropped, at most once per max age.
  const int64_t now = NowMs();
  if (now - entry.pruned_at_ms >= max_age_ms) {
    entry.pruned_at_ms = now;
    for (auto it = entry.jobs.begin(); it != entry.jobs.end();) {
      it = now - it->second->fetched_at_ms > max_age_ms ? entry.jobs.erase(it) : std::next(it);
    }
  }
  return shared;
}

StatusOr<std::shared_ptr<RoleView>> ClusterRuntime::Fetch(const std::string& role,
                                                          const std::set<aurora::JobKey>& jobs,
                                                          int worker) {
  auto view = std::make_shared<RoleView>();
  view->fetched_at_ms = NowMs();
  aurora::TaskQuery q;
  if (jobs.empty()) {
    q.role = role;
    ++role_reads_;
  } else {
    q.job_keys = jobs;
  }
  ++observe_calls_;
  {
    // Each task is kept in its slim form as the answer is read, grouped by job; an answer that
    // fails part way is dropped whole.
    std::map<aurora::JobKey, std::shared_ptr<JobTasks>> by_job;
    PortNames port_names;
    const aurora::JobKey* last_job = nullptr;
    std::shared_ptr<JobTasks>* last_tasks = nullptr;
    HGO_RETURN_IF_ERROR(aurora(worker).ForEachTaskState(q, [&](const aurora::TaskStateView& t) {
      // An answer lists a job's tasks together: the previous job's entry is looked up once.
      if (!last_job || *last_job != *t.job) {
        auto it = by_job.try_emplace(*t.job).first;
        last_job = &it->first;
        last_tasks = &it->second;
      }
      if (!*last_tasks) *last_tasks = std::make_shared<JobTasks>();
      if (auto slim = ObserveTask(t, &port_names)) (*last_tasks)->push_back(std::move(*slim));
    }));
    for (auto& [job, job_tasks] : by_job) {
      job_tasks->shrink_to_fit();
      view->tasks.emplace_hint(view->tasks.end(), job, std::move(job_tasks));
    }
  }
  std::vector<aurora::UpdateSummary> updates;
  // An update query names one job or a role (JobUpdateQuery has no set of job keys).
  auto read_updates = [&](aurora::UpdateQuery uq) -> Status {
    ++observe_calls_;
    HGO_ASSIGN_OR_RETURN(auto summaries, aurora(worker).GetJobUpdateSummaries(uq));
    for (auto& u : summaries) updates.push_back(std::move(u));
    return Status::Ok();
  };
  if (jobs.empty()) {
    aurora::UpdateQuery uq;
    uq.role = role;
    HGO_RETURN_IF_ERROR(read_updates(std::move(uq)));
  }
  for (const auto& j : jobs) {
    aurora::UpdateQuery uq;
    uq.job_key = j;
    HGO_RETURN_IF_ERROR(read_updates(std::move(uq)));
  }
  for (auto& u : updates) {
    aurora::JobKey job = u.key.job;
    view->updates[job].push_back(std::move(u));
  }
  return view;
}

uint64_t ClusterRuntime::observe_calls() const { return observe_calls_; }

uint64_t ClusterRuntime::heron_reads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return heron_ ? heron_->reads() : 0;
}

}  // namespace hgo::controller
