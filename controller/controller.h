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
#include <utility>
#include <vector>

#include "common/clock.h"
#include "controller/change_feed.h"
#include "controller/cluster/adopt.h"
#include "controller/cluster/cluster_runtime.h"
#include "controller/cluster/clusters.h"
#include "controller/cluster/observe.h"
#include "controller/leadership.h"
#include "controller/lease.h"
#include "controller/metrics.h"
#include "controller/pass.h"
#include "controller/record_fold.h"
#include "controller/status_board.h"
#include "controller/work_queue.h"
#include "reconciler/rollout.h"
#include "reconciler/types.h"
#include "sources/desired_set.h"
#include "sources/sources.h"
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
  // Proves to the servers that this controller still leads the cluster (a read of its fence,
  // statestore/fence.h); null: the election's word alone (standalone, unit tests).
  std::function<Status(const std::string& cluster)> confirm_leadership;
  // How long one confirmation covers Aurora calls (controller/lease.h); shorter than the
  // ZooKeeper session timeout.
  std::chrono::milliseconds lease{5000};
  // Each cluster's breaker (controller/cluster/breaker.h).
  BreakerOptions breaker;
  // At most this many workers pass keys of one cluster at once (0: workers - 1 when there are
  // several clusters, so that a cluster whose servers hang leaves the others a worker; no
  // limit with one cluster).
  int workers_per_cluster = 0;
};

// What the API shows of a cluster.
struct ClusterStatus {
  std::string name;
  BreakerState breaker;
  bool heron_connected = false;
  std::string leader;  // the identity of the controller leading it ("" unknown)
};

// A placement's rollout as the API shows it (GET /api/v1/rollouts/{role}/{env}/{name}).
struct RolloutView {
  std::string role, environment, name;
  crd::PlacementPtr placement;
  reconciler::RolloutState state;
  std::vector<reconciler::ClusterRollout> clusters;  // in the placement's order
};

struct DryRun {
  crd::TopologyKey key;
  reconciler::Plan plan;
};

class Controller {
 public:
  // One election for every cluster (WholeLeadership).
  Controller(ControllerOptions options, std::vector<std::unique_ptr<sources::SpecSource>> sources,
             ClusterConnector& connector, const Clock& clock, statestore::StateStore& store,
             statestore::LeaderElector& elector, Metrics& metrics);
  // The clusters leadership says (ShardLeadership: one election per cluster).
  Controller(ControllerOptions options, std::vector<std::unique_ptr<sources::SpecSource>> sources,
             ClusterConnector& connector, const Clock& clock, statestore::StateStore& store,
             Leadership& leadership, Metrics& metrics);
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
  // Live topologies on the clusters of the clusters file that no spec and no record names
  // (GET /api/v1/unmanaged), and the spec that would adopt one of them (heronctl import).
  StatusOr<std::vector<UnmanagedTopology>> Unmanaged();
  StatusOr<Imported> Import(const crd::TopologyKey& key);
  void RefreshSources();  // a git webhook: fetch now
  // A signed git webhook: refreshes each source whose webhook secret (its file, read now, so a
  // rotated secret counts at once) verifies the request; how many did.
  int RefreshSourcesSignedWith(const std::function<bool(const std::string& secret)>& verifies);
  // A full resync now: every source re-read, every topology passed once (POST /api/v1/resync).
  void Resync();
  // Copies the read counters (Aurora observe RPCs, ZooKeeper reads of Heron's state and of
  // records) into the metrics; called before /metrics is rendered.
  void CollectCounters();

  // The rollout of the placement key's spec is one cluster of (any of its clusters' keys);
  // kNotFound when the sources hold no spec of key, kFailedPrecondition when it has no
  // spec.placement.
  StatusOr<RolloutView> Rollout(const crd::TopologyKey& key);
  // `heronctl rollout halt`: the waves after the current one hold until a promote or a new
  // spec. `heronctl rollout promote`: clears a halt and waives the current wave's soak. Both
  // are stored in the records of the placement's clusters, and recorded as events.
  Status HaltRollout(const crd::TopologyKey& key);
  Status PromoteRollout(const crd::TopologyKey& key);

  std::vector<ClusterStatus> Clusters() const;  // GET /api/v1/clusters
  // Every visible change of a topology's status (the API's watch).
  ChangeFeed& Changes() { return changes_; }

  bool IsLeader() const;  // leads at least one cluster
  // Leads cluster and is not stopping: passes its keys, takes its mutations.
  bool Leads(const std::string& cluster) const;
  std::string Leader();  // of every cluster ("" when the clusters are sharded)
  bool Ready() const;    // started and, when leader, the sources were read once
  std::vector<std::string> SourceErrors();
  size_t QueueDepth() const;

 private:
  Controller(ControllerOptions options, std::vector<std::unique_ptr<sources::SpecSource>> sources,
             ClusterConnector& connector, const Clock& clock, statestore::StateStore& store,
             std::unique_ptr<Leadership> owned, Leadership* leadership, Metrics& metrics);
  void OnGained(const std::string& cluster);
  void OnLost(const std::string& cluster);
  bool LeadsEveryCluster() const;
  LeaderLease& LeaseOf(const std::string& cluster);  // the cluster must be configured
  void SourceLoop();
  // One round of SourceLoop: reads what is dirty (everything on a resync due at next_resync),
  // queues what changed; mu_ held by lock, released while reading.
  void SourceRound(std::unique_lock<std::mutex>& lock,
                   std::chrono::steady_clock::time_point& next_resync);
  void ReadSources(bool all);
  void Worker(int index);
  // A pass for key (KeyPass::Run), catching what escapes it: that key's pass fails, counted and
  // logged, and is retried with backoff; the worker and the other keys go on.
  void RunPass(const crd::TopologyKey& key, int worker);
  // Every key of the clusters led (of those in only, when given) is passed once.
  void EnqueueAll(const std::set<std::string>* only = nullptr);
  // The cluster answers again after its breaker opened: its topologies are looked at now.
  void EnqueueCluster(const std::string& cluster);
  bool TakePruneToken();
  DesiredOf DesiredOfKey(const crd::TopologyKey& key) const;  // for a pass
  // The gate of the spec's revision for a pass (reconciler::Gate): the placement's rollout,
  // then the update windows of the spec and of its cluster (only for a revision not applied).
  reconciler::Gate GateFor(const crd::TopologyKey& key, const reconciler::Desired& desired,
                           const reconciler::Memory& memory, int64_t now_ms);
  // What the desired set and the status board say of every cluster of spec's placement.
  RolloutView RolloutOf(const crd::Topology& spec, int64_t now_ms);
  // Runs change on the stored record of every cluster of key's placement that has one.
  Status MutatePlacement(
      const crd::TopologyKey& key,
      const std::function<Status(statestore::TopologyRecord&, const reconciler::ClusterRollout&,
                                 const RolloutView&)>& change);
  // Heron's nodes of a topology changed: every key of that name in the cluster is looked at.
  void OnHeronChange(const std::string& cluster, const std::string& topology);
  // Read-modify-write of a record with compare-and-set (retried on conflict).
  Status Mutate(const crd::TopologyKey& key,
                const std::function<Status(statestore::TopologyRecord&)>& change);
  // Gives memory freed by a burst of passes back to the system once the queue has drained.
  void ReleaseFreeMemory();
  static constexpr uint64_t kPassesPerTrim = 256;
  std::atomic<uint64_t> passes_since_trim_{0};
  std::string DesiredHash(const crd::TopologyKey& key) const;  // "" when no source holds it
  int64_t NowMs() const;
  ClusterRuntime* ClusterOf(const crd::TopologyKey& key) const;  // null: not configured

  const ControllerOptions options_;
  ClusterConnector& connector_;
  const Clock& clock_;
  statestore::StateStore& store_;
  const std::unique_ptr<Leadership> owned_leadership_;  // WholeLeadership, when made here
  Leadership& leadership_;
  Metrics& metrics_;
  WorkQueue queue_;
  std::vector<std::unique_ptr<sources::SpecSource>> sources_;
  std::map<std::string, std::unique_ptr<ClusterRuntime>> clusters_;
  RecordedSpecs recorded_specs_;  // the specs of recorded revisions a plan names
  ChangeFeed changes_;            // before board_, which notes in it
  StatusBoard board_;
  std::unique_ptr<KeyPass> pass_;  // made in the constructor, after what it works with

  mutable std::mutex mu_;  // guards what follows
  std::condition_variable source_cv_;
  std::vector<bool> source_dirty_;
  std::vector<sources::SourceSnapshot> snapshots_;
  sources::LastGoodFiles last_good_files_;
  sources::DesiredSet desired_;
  // Every key of each (cluster, topology name), for Heron's watches, which name only those:
  // rebuilt by each resync from the records, the sources and the board, added to by each read
  // of the sources (a key gone since stays until the next resync; a pass of it is harmless).
  std::map<std::pair<std::string, std::string>, std::set<crd::TopologyKey>> named_;
  bool sources_read_ = false;
  bool resync_due_ = false;
  std::set<std::string> gained_;  // clusters gained beside others, their keys not queued yet
  int prune_tokens_ = 0;

  std::mutex leader_mu_;             // orders the updates of leader_ by OnGained and OnLost
  std::atomic<bool> leader_{false};  // leads any cluster and is not stopping
  // Each configured cluster's, asked before each Aurora call.
  std::map<std::string, std::unique_ptr<LeaderLease>> leases_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::chrono::steady_clock::time_point next_resync_;  // driven mode (workers = 0) only
  std::thread source_thread_;
  std::vector<std::thread> workers_;
};

}  // namespace hgo::controller
