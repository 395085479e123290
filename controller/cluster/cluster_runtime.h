// One cluster's connections: Aurora clients (one per worker: a client serialises its calls),
// Heron's state with its watched view, the executors, and a short-lived cache of Aurora's tasks
// and updates. What Aurora is asked is proportional to what is being looked at:
// - after a resync is marked (MarkResync), the first pass of a role reads the whole role (one
//   getTasksWithoutConfigs and one getJobUpdateSummaries), which the role's other passes share
//   while it is fresh, so a resync of many topologies of one role costs two calls;
// - otherwise a pass whose job has no fresh answer (it was just written to, or the shared one
//   aged) joins a batch: the jobs asked for while a fetch is in flight are read together, with
//   one getTasksWithoutConfigs naming their keys and one getJobUpdateSummaries per job. A change
//   costs what it touches, not what runs beside it in its role.
//
// Connections are asked of the ClusterConnector lazily and again on every pass: a cluster whose
// ZooKeeper or Aurora is down at start-up is reported Unknown and joins when it comes back;
// other clusters go on. One pass at a time dials (the others are turned away meanwhile, not
// queued behind it), and the cluster's Breaker (breaker.h) keeps passes from calling servers
// that do not answer.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aurora/aurora_api.h"
#include "common/clock.h"
#include "controller/cluster/breaker.h"
#include "controller/cluster/cluster_connector.h"
#include "controller/cluster/clusters.h"
#include "controller/cluster/executor.h"
#include "controller/cluster/observe.h"
#include "statestore/heron_store.h"

namespace hgo::controller {

// One answer, for a role or for a batch of its jobs, indexed by job: a pass looks only at its
// own job's tasks, so the cost of a pass does not grow with the number of jobs in the answer.
// Shared, never copied; a job's tasks are shared with its status until its next pass.
struct RoleView {
  std::map<aurora::JobKey, std::shared_ptr<const JobTasks>> tasks;
  std::map<aurora::JobKey, std::vector<aurora::UpdateSummary>> updates;
  int64_t fetched_at_ms = 0;

  std::shared_ptr<const JobTasks> TasksOf(const aurora::JobKey& job) const;  // never null
  const std::vector<aurora::UpdateSummary>& UpdatesOf(const aurora::JobKey& job) const;
};

class ClusterRuntime {
 public:
  // on_heron_change(name) runs when Heron's nodes of topology `name` change; on_reached when
  // the breaker closes again (the cluster answers after it did not).
  ClusterRuntime(ClusterSpec spec, ClusterConnector& connector, int workers, const Clock& clock,
                 ExecutorOptions executor, std::function<void(const std::string&)> on_heron_change,
                 BreakerOptions breaker = {}, std::function<void()> on_reached = {});
  ~ClusterRuntime();

  const ClusterSpec& spec() const { return spec_; }
  // Connects what is not connected yet; kUnavailable while ZooKeeper cannot be reached, or
  // while another pass is dialling (nobody waits behind a connection attempt; *busy says so).
  Status Ensure(bool* busy = nullptr);
  Breaker& breaker() { return breaker_; }
  bool heron_connected() const;
  // Connects, then claims Heron's ZooKeeper for this leader's term (statestore::HeronStore::
  // Claim): from then on a deposed leader's writes there are refused. Ok without trying while
  // ZooKeeper is unreachable (the pass's observation reports that).
  Status ClaimHeron();
  // Heron's watched view is current (statestore::HeronStore::view_current).
  bool heron_view_current() const;

  aurora::AuroraApi& aurora(int worker);
  Executor& executor(int worker);
  JobHashMemo& job_hashes() { return job_hashes_; }
  packager::PackageReader& packages() { return *executor_options_.packages; }
  HeronMemo& heron_memo() { return heron_memo_; }
  std::shared_ptr<const statestore::HeronSnapshot> Heron(const std::string& name) const;
  // Heron's state for reads the watched view does not keep; null before Ensure connected it.
  std::shared_ptr<statestore::HeronStore> heron_store() const;

  // An answer holding the job's tasks and updates (the role's or a batch's), fetched at or
  // after min_fetched_at_ms (a pass that wrote asks for data newer than its write) and after
  // the last MarkResync; max_age_ms bounds how stale a shared answer may be.
  StatusOr<std::shared_ptr<const RoleView>> ObserveJob(const aurora::JobKey& job, int worker,
                                                       int64_t min_fetched_at_ms,
                                                       int64_t max_age_ms);
  // The next pass of each role reads the whole role again (a periodic resync begins).
  void MarkResync();
  // Aurora calls made for observation (for the benchmarks and tests), and how many of them
  // were role-wide reads.
  uint64_t observe_calls() const;
  uint64_t role_reads() const { return role_reads_; }
  uint64_t heron_reads() const;  // ZooKeeper reads of Heron's state cache so far

 private:
  struct RoleEntry {
    std::mutex fetch_mu;  // one fetch at a time per role
    std::mutex mu;
    std::shared_ptr<const RoleView> view;  // the last role-wide answer
    // Jobs' answers newer than view (each a batch's, shared by the jobs of the batch), and the
    // jobs waiting for the next batch.
    std::map<aurora::JobKey, std::shared_ptr<const RoleView>> jobs;
    std::set<aurora::JobKey> wanted;
    int64_t pruned_at_ms = 0;
    // The last fetch's failure and when it ended: passes that waited for that fetch share its
    // answer rather than each waiting out the same timeout again.
    Status failure;
    int64_t failed_at_ms = 0;
  };
  int64_t NowMs() const;
  RoleEntry& EntryOf(const std::string& role);
  // The newest answer holding job that is fresh as asked; null if none (entry.mu held).
  std::shared_ptr<const RoleView> FreshLocked(const RoleEntry& entry, const aurora::JobKey& job,
                                              int64_t min_fetched_at_ms, int64_t max_age_ms) const;
  // Reads the role (jobs empty) or the given jobs of it; the answer indexed by job.
  StatusOr<std::shared_ptr<RoleView>> Fetch(const std::string& role,
                                            const std::set<aurora::JobKey>& jobs, int worker);

  const ClusterSpec spec_;
  ClusterConnector& connector_;
  Breaker breaker_;
  std::mutex dial_mu_;  // held by the pass that dials; the others do not wait for it
  const Clock& clock_;
  const ExecutorOptions executor_options_;
  std::function<void(const std::string&)> on_heron_change_;
  JobHashMemo job_hashes_;
  HeronMemo heron_memo_;
  mutable std::mutex mu_;
  std::shared_ptr<statestore::HeronStore> heron_;
  std::vector<std::shared_ptr<aurora::AuroraApi>> clients_;
  std::vector<std::unique_ptr<Executor>> executors_;
  std::map<std::string, std::unique_ptr<RoleEntry>> roles_;
  std::atomic<uint64_t> observe_calls_{0};
  std::atomic<uint64_t> role_reads_{0};
  std::atomic<int64_t> resync_mark_ms_{0};  // role views fetched before it are due again
};

}  // namespace hgo::controller
