// The status board: what the controller keeps per topology key between passes, in one map
// under its own lock. Per key: the status the API shows (from the key's last pass), the record
// cache, the count of API mutations (generation), when the key's passes last wrote, when its
// current revision was first seen (for the change-to-accepted/running/stable histograms) and
// the failure that halts it.
//
// Records are read through the cache: the leader is their only writer, so what it last read or
// wrote is current unless an API mutation (which bumps the key's generation) wrote since. A
// stale entry can only cost a lost compare-and-set, after which the entry is dropped.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "controller/change_feed.h"
#include "controller/cluster/observe.h"
#include "controller/metrics.h"
#include "crd/topology.h"
#include "heron/packing.h"
#include "reconciler/types.h"
#include "statestore/records.h"

namespace hgo::controller {

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
  // The applied revision's packing plan as this controller computed it (null before a pass
  // computed it): container N, Aurora's instance N, runs its Heron instances.
  std::shared_ptr<const packing::PackingPlan> packing;
  // Heron's nodes at the last pass (shared with the cluster's memo); null when there were none.
  std::shared_ptr<const reconciler::ObservedHeron> heron;
  int64_t observed_at_ms = 0;
  bool reachable = false;  // the last pass could observe Aurora and Heron
  std::string phase;       // the record's, or Pending / Unknown before the first pass
  std::string message;
  // Whether the phase is news: the spec the last pass planned for (compare desired_spec_hash),
  // and how many API mutations it had seen (compare generation), as Kubernetes'
  // observedGeneration. heronctl judges a rollout only once both have caught up.
  std::string planned_spec_hash;
  int64_t generation = 0;
  int64_t observed_generation = 0;
};

// A record as stored, shared with the cache and the status, never modified; and its version.
struct SharedRecord {
  std::shared_ptr<const statestore::TopologyRecord> record;  // never null
  int64_t version = 0;
};

// What one pass leaves on the board for the API.
struct PassReport {
  reconciler::Phase phase = reconciler::Phase::kPending;
  std::string message;  // the plan's, with the failure and the observation's age added here
  Status executed;
  bool observed = false;  // Aurora and Heron could be read
  int64_t now_ms = 0;
  std::string planned_spec_hash;
  std::string source_error;
  int64_t generation = 0;  // the generation the pass started with
  std::shared_ptr<const JobTasks> tasks;
  std::shared_ptr<const reconciler::ObservedHeron> heron;
  std::string current_job_hash;
  // The applied revision's packing, valid during Report (copied only when it changed: holding
  // the shape would keep its built job alive too).
  const packing::PackingPlan* packing = nullptr;
  std::shared_ptr<const statestore::TopologyRecord> record;  // after the pass
};

class StatusBoard {
 public:
  // Every visible change of a key's status is noted in feed (the API's watch).
  StatusBoard(Metrics& metrics, ChangeFeed& feed) : metrics_(metrics), feed_(feed) {}

  // The key's status from its last pass (nullopt before one) and its generation.
  std::pair<std::optional<TopologyStatus>, int64_t> StatusOf(const crd::TopologyKey& key) const;
  std::vector<crd::TopologyKey> KeysWithStatus() const;
  bool HasStatus(const crd::TopologyKey& key) const;

  int64_t Generation(const crd::TopologyKey& key) const;
  // An API mutation was stored: the key's cached record is stale from now on.
  void BumpGeneration(const crd::TopologyKey& key);

  // The cached record, when one was cached at this generation.
  std::optional<SharedRecord> CachedRecord(const crd::TopologyKey& key, int64_t generation) const;
  // Caches record (if the key's generation is still this one) or drops the entry (nullopt).
  void CacheRecord(const crd::TopologyKey& key, int64_t generation,
                   std::optional<SharedRecord> record);
  void DropCachedRecords();  // another leader may have written since

  // When the key's last acting pass wrote (0: none yet).
  int64_t LastWriteMs(const crd::TopologyKey& key) const;
  void NoteWrite(const crd::TopologyKey& key, int64_t now_ms);

  // A new desired revision of the key was seen at now_ms (the histograms measure from here).
  void NoteDesired(const crd::TopologyKey& key, const std::string& spec_hash, int64_t now_ms);
  // When the key's spec_hash was first seen in the sources (0: not by this controller).
  int64_t SeenMs(const crd::TopologyKey& key, const std::string& spec_hash) const;
  // Observes the milestones the pass reached for the desired revision into the histograms.
  void Measure(const crd::TopologyKey& key, const reconciler::Plan& plan,
               const reconciler::Observed& observed, const reconciler::Desired& desired,
               bool executed, int64_t now_ms);

  // Whether the key's passes for spec_hash act (nullopt) or stay halted (the failure).
  std::optional<Status> HaltedFor(const crd::TopologyKey& key, const std::string& spec_hash) const;
  // Counts a pass's outcome towards halting (clears it on success or a retryable failure).
  void NoteOutcome(const crd::TopologyKey& key, const std::string& spec_hash,
                   const Status& executed);
  // Clears the key's halt; true if it was halted for spec_hash.
  bool ClearHalt(const crd::TopologyKey& key, const std::string& spec_hash);

  // The key's cluster is not in the clusters file.
  void ReportUnknownCluster(const crd::TopologyKey& key,
                            std::shared_ptr<const statestore::TopologyRecord> record);
  void Report(const crd::TopologyKey& key, PassReport report);
  void Erase(const crd::TopologyKey& key);  // the topology is gone

  // Sets heron_controller_topologies (by phase) when a phase changed since the last call.
  void UpdatePhaseGauge();

 private:
  struct KeyTiming {
    std::string hash;
    int64_t seen_ms = 0;
    bool accepted = false, running = false, stable = false;
  };
  struct TerminalFailure {
    std::string spec_hash;
    Status failure;
    int count = 0;
  };
  struct CachedEntry {
    SharedRecord record;
    int64_t generation = 0;
  };
  // One map entry per key: five maps of their own cost ~800 bytes a topology in map nodes and
  // copies of the key.
  struct KeyState {
    std::optional<TopologyStatus> status;  // from the key's last pass; none before the first
    std::optional<CachedEntry> record;     // the record cache's entry
    int64_t generation = 0;                // API mutations accepted
    int64_t last_write_ms = 0;             // the last pass that acted (0: none yet)
    std::optional<KeyTiming> timing;
    // The last pass's failure when it was not retryable (IsRetryable): once the same one comes
    // twice in a row for the same spec (so not a race with a stale observation), the key's
    // passes act no more until the spec changes or `:retry`.
    std::optional<TerminalFailure> terminal;
  };
  TopologyStatus& StatusLocked(const crd::TopologyKey& key);  // created if new
  std::optional<Status> HaltedLocked(const crd::TopologyKey& key,
                                     const std::string& spec_hash) const;

  Metrics& metrics_;
  ChangeFeed& feed_;
  mutable std::mutex mu_;
  std::map<crd::TopologyKey, KeyState> keys_;
  bool phases_changed_ = true;  // since UpdatePhaseGauge last counted
};

}  // namespace hgo::controller
