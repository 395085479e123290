// The controller: sources -> desired state -> work queue -> observe, plan, execute, record.
//
// Only the leader reads sources and acts; a follower serves its API from the stored records and
// waits. Each pass is level-triggered: a key is all a work item carries, so a lost
// or repeated event is harmless and a restarted controller resumes from what it observes.
// Thread-safety: the public methods may be called from any thread (the HTTP API does).
//
// Everything it talks to is handed in: the spec sources, a ClusterConnector for the clusters'
// servers, the record store and the leader elector. With workers = 0 it starts no thread at
// all and the caller drives it with RunReady(), which is how the loop is unit-tested with
// fakes and a FakeClock (unit/controller/loop_test.cc).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "controller/cluster_runtime.h"
#include "controller/clusters.h"
#include "controller/desired_set.h"
#include "controller/metrics.h"
#include "controller/observe.h"
#include "controller/record_memory.h"
#include "controller/sources.h"
#include "controller/work_queue.h"
#include "reconciler/types.h"
#include "statestore/leader_elector.h"
#include "statestore/state_store.h"

namespace hgo::controller {

struct ControllerOptions {
  std::vector<ClusterSpec> clusters;
  reconciler::Settings settings;
  int prune_budget = 1;  // topologies pruned per resync period
  int workers = 4;       // 0: no threads; the caller drives passes with RunReady()
  std::chrono::milliseconds resync{std::chrono::minutes(5)};
  ExecutorOptions executor;
  int64_t role_cache_ms = 2000;  // how stale a shared per-role Aurora answer may be
};

// What the API shows of a topology.
struct TopologyStatus {
  crd::TopologyKey key;
  // Shared with the leader's record cache (one copy per topology in memory); never modified.
  std::shared_ptr<const statestore::TopologyRecord> record;
  // Filled by Get from the desired set, not kept per topology:
  std::string desired_spec_hash;              // what the sources hold now ("" if nothing)
  std::map<std::string, std::string> labels;  // the spec's metadata.labels
  std::string source;
  std::string source_error;  // set when the topology is frozen by a broken source
  // Aurora's tasks of the job at the last pass (shared with the role's view); null before it.
  std::shared_ptr<const JobTasks> tasks;
  std::string current_job_hash;  // the applied revision's: instances running it
  // Heron's nodes at the last pass (shared with the cluster's memo); null when there were none.
  std::shared_ptr<const reconciler::ObservedHeron> heron;
  int64_t observed_at_ms = 0;
  std::string phase;  // the record's, or Pending / Unknown before the first pass
  std::string message;
  // Whether the phase is news: the spec the last pass planned for (compare desired_spec_hash),
  // and how many API mutations it had seen (compare generation), as Kubernetes'
  // observedGeneration. heronctl judges a rollout only once both have caught up.
  std::string planned_spec_hash;
  int64_t generation = 0;
  int64_t observed_generation = 0;
};

struct DryRun {
  crd::TopologyKey key;
  reconciler::Plan plan;
};

// The sources the flags name (git clones are kept under git_cache_dir).
std::vector<std::unique_ptr<SpecSource>> MakeSources(const std::vector<SourceConfig>& configs,
                                                     statestore::StateStore& store,
                                                     const std::string& git_cache_dir);

class Controller {
 public:
  Controller(ControllerOptions options, std::vector<std::unique_ptr<SpecSource>> sources,
             ClusterConnector& connector, const Clock& clock, statestore::StateStore& store,
             statestore::LeaderElector& elector, Metrics& metrics);
  ~Controller();

  Status Start();
  // Stops watching, lets passes in flight finish, resigns. Idempotent.
  void Stop();
  // Only with workers = 0: on the caller's thread, reads the sources that changed (all of them
  // when a resync is due by the clock or asked for), then runs one pass for each key that is
  // ready now, until none is. Returns the passes run.
  int RunReady();

  std::vector<TopologyStatus> List();
  StatusOr<TopologyStatus> Get(const crd::TopologyKey& key);
  // Mutations: kFailedPrecondition on a follower (the caller should ask the leader).
  Status Sync(const crd::TopologyKey& key);
  Status SetSuspended(const crd::TopologyKey& key, bool suspended);
  Status Rollback(const crd::TopologyKey& key, int64_t revision);
  Status Retry(const crd::TopologyKey& key);
  // Restarts containers in place (Aurora's restartShards, as `heron restart` does; container N
  // is Aurora instance N, 0 the topology manager); every running one when containers is empty.
  // kFailedPrecondition while an update is in progress, kInvalidArgument for a container the
  // job does not run. Recorded as an event.
  Status Restart(const crd::TopologyKey& key, const std::set<int32_t>& containers);
  // The plan the controller would make for a spec (one YAML document), without acting.
  StatusOr<DryRun> Plan(const std::string& yaml);
  void RefreshSources();  // a git webhook: fetch now
  // A full resync now: every source re-read, every topology passed once (POST /api/v1/resync).
  void Resync();
  // Copies the read counters (Aurora observe RPCs, ZooKeeper reads of Heron's state and of
  // records) into the metrics; called before /metrics is rendered.
  void CollectCounters();

  bool IsLeader() const;
  std::string Leader();
  bool Ready() const;  // started and, when leader, the sources were read once
  std::vector<std::string> SourceErrors();
  size_t QueueDepth() const;

 private:
  struct KeyTiming {  // per key: when the current desired revision was first seen
    std::string hash;
    int64_t seen_ms = 0;
    bool accepted = false, running = false, stable = false;
  };
  void SourceLoop();
  // One round of SourceLoop: reads what is dirty (everything on a resync due at next_resync),
  // queues what changed; mu_ held by lock, released while reading.
  void SourceRound(std::unique_lock<std::mutex>& lock,
                   std::chrono::steady_clock::time_point& next_resync);
  void ReadSources(bool all);
  void Worker(int index);
  void Reconcile(const crd::TopologyKey& key, int worker);
  void EnqueueAll();
  bool TakePruneToken();
  // heron and tasks (optional) receive the raw views for status.
  StatusOr<reconciler::Observed> Observe(ClusterRuntime& c, const crd::TopologyKey& key, int worker,
                                         std::shared_ptr<const statestore::HeronSnapshot>* heron,
                                         std::shared_ptr<const JobTasks>* tasks = nullptr);
  // current: the packing plan in Heron's state (new revisions repack from it).
  StatusOr<reconciler::Desired> DesiredFor(const crd::TopologyKey& key, ClusterRuntime& c,
                                           const std::optional<packager::PackingPlan>& current,
                                           std::map<std::string, RevisionSource>& revisions,
                                           bool* package_unreachable);
  // Shapes the revisions that lack one (recorded revisions a plan names) from the current
  // packing plan.
  void ShapeRecordedRevisions(ClusterRuntime& c,
                              const std::optional<packager::PackingPlan>& current,
                              std::map<std::string, RevisionSource>& revisions);
  // Read-modify-write of a record with compare-and-set (retried on conflict).
  Status Mutate(const crd::TopologyKey& key,
                const std::function<Status(statestore::TopologyRecord&)>& change);
  void Measure(const crd::TopologyKey& key, const reconciler::Plan& plan,
               const reconciler::Observed& observed, const reconciler::Desired& desired,
               bool executed);
  void UpdatePhaseGauge();
  // Gives memory freed by a burst of passes back to the system once the queue has drained.
  void ReleaseFreeMemory();
  static constexpr uint64_t kPassesPerTrim = 256;
  std::atomic<uint64_t> passes_since_trim_{0};
  // Records are read through a cache: the leader is their only writer, so what it last read or
  // wrote is current unless an API mutation (which bumps the key's generation) wrote since.
  // A stale entry can only cost a lost compare-and-set, after which the entry is dropped.
  struct SharedRecord {
    std::shared_ptr<const statestore::TopologyRecord> record;  // never null
    int64_t version = 0;
  };
  StatusOr<std::optional<SharedRecord>> ReadRecord(const crd::TopologyKey& key, int64_t generation);
  void CacheRecord(const crd::TopologyKey& key, int64_t generation,
                   std::optional<SharedRecord> record);
  std::string DesiredHash(const crd::TopologyKey& key) const;  // "" when no source holds it
  int64_t NowMs() const;

  const ControllerOptions options_;
  ClusterConnector& connector_;
  const Clock& clock_;
  statestore::StateStore& store_;
  statestore::LeaderElector& elector_;
  Metrics& metrics_;
  WorkQueue queue_;
  std::vector<std::unique_ptr<SpecSource>> sources_;
  std::map<std::string, std::unique_ptr<ClusterRuntime>> clusters_;

  std::atomic<uint64_t> record_reads_{0};
  RecordedSpecs recorded_specs_;  // the specs of recorded revisions a plan names
  struct TerminalFailure {
    std::string spec_hash;
    Status failure;
    int count = 0;
  };
  struct CachedRecord {
    SharedRecord record;
    int64_t generation = 0;
  };
  // What the controller keeps per topology key, in one map entry: five maps of their own cost
  // ~800 bytes a topology in map nodes and copies of the key.
  struct KeyState {
    std::optional<TopologyStatus> status;  // from the key's last pass; none before the first
    std::optional<CachedRecord> record;    // the record cache's entry
    int64_t generation = 0;                // API mutations accepted
    int64_t last_write_ms = 0;             // the last pass that acted (0: none yet)
    std::optional<KeyTiming> timing;
    // The last pass's failure when it was not retryable (IsRetryable): once the same one comes
    // twice in a row for the same spec (so not a race with a stale observation), the key's
    // passes act no more until the spec changes or `:retry`.
    std::optional<TerminalFailure> terminal;
  };
  void ReconcileGuarded(const crd::TopologyKey& key, int worker);  // Reconcile, catching all
  // Whether the key's passes for spec_hash act (nullopt) or stay halted (the failure); mu_ held.
  std::optional<Status> HaltedFor(const crd::TopologyKey& key, const std::string& spec_hash);
  // Counts a pass's outcome towards halting (clears it on success); mu_ held.
  void NoteOutcome(const crd::TopologyKey& key, const std::string& spec_hash,
                   const Status& executed);
  TopologyStatus& StatusOf(const crd::TopologyKey& key);  // created if new; mu_ held
  mutable std::mutex mu_;                                 // guards what follows
  std::condition_variable source_cv_;
  std::vector<bool> source_dirty_;
  std::vector<SourceSnapshot> snapshots_;
  SourceMemory source_memory_;
  DesiredSet desired_;
  bool sources_read_ = false;
  bool resync_due_ = false;
  std::map<crd::TopologyKey, KeyState> keys_;
  bool phases_changed_ = true;  // since UpdatePhaseGauge last counted
  int prune_tokens_ = 0;

  std::atomic<bool> leader_{false};
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::chrono::steady_clock::time_point next_resync_;  // driven mode (workers = 0) only
  std::thread source_thread_;
  std::vector<std::thread> workers_;
};

}  // namespace hgo::controller
