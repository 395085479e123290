// LeaderLease: whether this controller may still make a call that no fence protects (Aurora's,
// a topology manager's). ZooKeeper writes are fenced on the server (statestore/fence.h); these
// calls can only be held back before they are made.
//
// The lease is taken by confirming leadership in the controller's ZooKeeper (one read of its
// fence) and lasts `duration`, shorter than the ZooKeeper session timeout: a new leader can only
// be elected once this controller's session has expired, which is at least a session timeout
// after the confirming read, so while the lease runs no other controller leads. A controller
// paused past the lease (GC, SIGSTOP, a slow disk) must confirm again before its next call and
// learns then that it was deposed. Losing the election (a dropped connection counts) ends the
// lease at once.
//
// What it cannot cover: a pause between Check() and the call it guards. Aurora's updates are
// also bounded by blockIfNoPulsesAfterMs, which a deposed leader stops pulsing.
// Thread-safety: Check may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

#include "common/clock.h"
#include "common/status.h"

namespace hgo::controller {

class LeaderLease {
 public:
  // leading: the elector's view, checked on every call. confirm: proves leadership to the
  // servers (null: leading() alone decides, as for a standalone controller and unit tests).
  LeaderLease(const Clock& clock, std::chrono::milliseconds duration, std::function<bool()> leading,
              std::function<Status()> confirm);

  // Ok while this controller leads and its lease runs; otherwise confirms first (one ZooKeeper
  // read). kFailedPrecondition when it does not lead or cannot confirm it.
  Status Check();
  // Confirmations made so far (for tests: a lease that runs costs none).
  int confirmations() const;

 private:
  const Clock& clock_;
  const std::chrono::milliseconds duration_;
  const std::function<bool()> leading_;
  const std::function<Status()> confirm_;
  mutable std::mutex mu_;
  std::chrono::steady_clock::time_point until_{};  // the lease runs before this
  int confirmations_ = 0;
};

}  // namespace hgo::controller
