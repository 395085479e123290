// WorkQueue: topology keys waiting for a pass, as in Kubernetes controllers.
// - De-duplicated: a key is queued at most once however often it is added.
// - One pass per key at a time: a key added while it is being processed is queued again when
//   Done() is called, never handed to a second worker.
// - Delayed adds (requeue after N ms) and per-key exponential backoff after failures.
// - Optionally at most N keys of one cluster processed at once (SetClusterLimit): a cluster
//   whose servers hang holds at most N workers, and keys of other clusters are handed out
//   past its waiting ones.
// Time comes from the injected Clock; Get() blocks, TryGet() does not (unit tests use it with a
// FakeClock). Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "common/clock.h"
#include "crd/topology.h"

namespace hgo::controller {

class WorkQueue {
 public:
  using Key = crd::TopologyKey;
  WorkQueue(const Clock& clock, std::chrono::milliseconds backoff_base = std::chrono::seconds(1),
            std::chrono::milliseconds backoff_max = std::chrono::minutes(5));

  void Add(const Key& k);
  // As Add, except that a key waiting out its failure backoff stays where it is: for events
  // that are the controller's own doing (the watches of its writes), which must not turn a
  // failing pass into a loop at full speed. Added while processing, the key is queued again at
  // Done unless that pass ended with AddRateLimited.
  void AddUnlessBackingOff(const Key& k);
  void AddAfter(const Key& k, std::chrono::milliseconds delay);
  // After the key's backoff delay, which doubles with each call until Forget().
  void AddRateLimited(const Key& k);
  void Forget(const Key& k);
  int Failures(const Key& k) const;
  // At most limit keys of one cluster are processed at once; 0 (the default): no limit.
  void SetClusterLimit(int limit);

  // The next ready key (it is then "processing" until Done); nullopt after Shutdown.
  std::optional<Key> Get();
  std::optional<Key> TryGet();
  void Done(const Key& k);
  void Shutdown();

  size_t Ready() const;    // queued and due
  size_t Delayed() const;  // waiting for their time
  size_t Processing() const;

 private:
  void AddLocked(const Key& k);
  bool BackingOffLocked(const Key& k) const;  // failed and waiting for its backoff
  void PromoteDueLocked();
  std::optional<Key> PopLocked();

  const Clock& clock_;
  const std::chrono::milliseconds base_, max_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Key> ready_;
  std::set<Key> queued_;      // in ready_
  std::set<Key> processing_;  // handed out, not Done yet
  std::set<Key> dirty_;       // added while processing
  std::set<Key> soft_dirty_;  // AddUnlessBackingOff while processing
  std::multimap<std::chrono::steady_clock::time_point, Key> delayed_;
  std::map<Key, std::chrono::steady_clock::time_point> delayed_at_;
  std::map<Key, int> failures_;
  int cluster_limit_ = 0;
  std::map<std::string, int> busy_;  // keys processing, by cluster (with a limit only)
  bool shutdown_ = false;
};

}  // namespace hgo::controller
