// Heron's per-topology update lock, taken the way Heron's own tools take it, so that `heron
// update` and the controller never change one topology at the same time.
//
// Heron's UpdateTopologyManager holds the lock `<root>/locks/<name>__updateTopology` (its
// IStateManager.LockName.UPDATE_TOPOLOGY through FileSystemStateManager.getLock) for the whole of
// an update, trying for 5 seconds and failing with "Another actor is performing an update"
// otherwise. CuratorStateManager backs it with Curator's InterProcessSemaphoreMutex, a semaphore
// of one lease, whose layout under the lock node is:
//   locks/_c_<uuid>-lock-<seq>    the semaphore's internal mutex (ephemeral sequential, the
//                                 lowest holds it), which orders Curator's own waiters
//   leases/_c_<uuid>-lease-<seq>  leases: ephemeral sequential; whoever has the only one holds
// A Curator client (InterProcessSemaphoreV2.internalAcquire1Lease) takes the internal mutex, adds
// a lease, waits while there is more than one lease, then gives the mutex back; releasing deletes
// the lease. This lock adds its lease in the same place with Curator's node names and holds only
// when its lease is the only one, else deletes it and tries again until its timeout: every
// holder, ours or Curator's, counted one lease after adding its own, so two never hold at once,
// and a Curator client waiting on the lease count sees ours go. It skips the internal mutex,
// which only makes Curator's waiters take turns (one ZooKeeper round trip less per side, and
// a controller that only ever tries briefly has no turn to keep). Ephemeral nodes: a holder that
// dies frees the lock when its session ends.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "statestore/zk_client.h"

namespace hgo::statestore {

// "<root>/locks/<name>__updateTopology" (Heron's StateLocation.LOCKS node path).
std::string UpdateLockPath(const std::string& root, const std::string& topology);

class HeronUpdateLock {
 public:
  // Takes the lock at path within timeout; kConflict when another holder keeps it that long
  // (nothing of this attempt is left behind), another code when ZooKeeper fails.
  static StatusOr<std::unique_ptr<HeronUpdateLock>> Acquire(ZkClient& zk, const std::string& path,
                                                            std::chrono::milliseconds timeout);
  ~HeronUpdateLock();  // releases, if Release was not called
  HeronUpdateLock(const HeronUpdateLock&) = delete;
  HeronUpdateLock& operator=(const HeronUpdateLock&) = delete;

  // Deletes the lease. A lease already gone (the lock node removed by a delete, or the session
  // lost) is not an error: the lock is free either way.
  Status Release();
  const std::string& lease() const { return lease_; }

 private:
  HeronUpdateLock(ZkClient& zk, std::string lease) : zk_(zk), lease_(std::move(lease)) {}
  ZkClient& zk_;
  std::string lease_;  // full path; empty once released
};

}  // namespace hgo::statestore
