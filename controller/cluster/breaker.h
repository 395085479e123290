// Breaker: whether a cluster's servers are worth calling, so that a cluster that does not
// answer costs its own topologies a timeout now and then, not every pass of every one of them.
//
// - Closed: passes call the cluster. Each observation that finds it unreachable (ZooKeeper or
//   Aurora: kUnavailable, kDeadlineExceeded) counts; `failures_to_open` in a row open it. One
//   that reaches it resets the count.
// - Open: passes call nothing; their topologies are Unknown (with the age of their last
//   observation) until `retry_at`. The first open period lasts `open_base`; each failed probe
//   doubles it, up to `open_max`.
// - Half-open: at `retry_at` one pass, the probe, is let through; the others are still turned
//   away. The probe reaching the cluster closes it; failing reopens it for longer.
//
// The time comes from the injected Clock. Thread-safety: every method may be called from any
// thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace hgo::controller {

struct BreakerOptions {
  int failures_to_open = 2;
  std::chrono::milliseconds open_base{5000};
  std::chrono::milliseconds open_max{60000};
};

// What the API and the metrics show of a breaker.
struct BreakerState {
  enum class Phase { kClosed, kOpen, kHalfOpen };
  Phase phase = Phase::kClosed;
  int failures = 0;             // unreachable observations in a row
  int opens = 0;                // times it opened (from closed or from a failed probe)
  std::string last_error;       // the last unreachable observation's
  int64_t opened_at_ms = 0;     // wall time it last opened (0: never)
  int64_t retry_at_ms = 0;      // wall time of the next probe while open
  int64_t last_reached_ms = 0;  // wall time an observation last reached the cluster
};
const char* PhaseName(BreakerState::Phase phase);  // "closed", "open", "half-open"

class Breaker {
 public:
  // on_closed runs (outside the breaker's lock) when a probe closes it: the cluster's
  // topologies turned away meanwhile can be looked at again at once.
  Breaker(const Clock& clock, BreakerOptions options, std::function<void()> on_closed = {});

  // A pass's admission: whether it may call the cluster, and whether it is the half-open
  // probe. A pass let through must end with Reached, Unreachable or Release.
  struct Admission {
    bool allowed = true;
    bool probe = false;
    std::chrono::milliseconds retry_in{0};  // while turned away: until the next probe
  };
  Admission Admit();
  // The pass's observation reached the cluster.
  void Reached();
  // The pass's observation found the cluster unreachable; failures of other kinds (an answer
  // that is an error) are not the breaker's business and are not passed here.
  void Unreachable(const Status& why);
  // The pass ended without learning whether the cluster answers; a probe's turn goes to the
  // next pass.
  void Release(bool probe);

  BreakerState State() const;
  // Whether a failure says the servers could not be reached (as opposed to an answer).
  static bool IsUnreachable(const Status& s);

 private:
  int64_t WallMs() const;
  void OpenLocked();  // for open_for_, from now

  const Clock& clock_;
  const BreakerOptions options_;
  const std::function<void()> on_closed_;
  mutable std::mutex mu_;
  BreakerState state_;
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds open_for_{0};  // the current open period
  bool probing_ = false;                   // a half-open probe is out
};

}  // namespace hgo::controller
