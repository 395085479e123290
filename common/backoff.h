// Exponential backoff with jitter, for retrying calls to Aurora and ZooKeeper and for requeueing
// work items. Deterministic given its random source, so tests can assert exact delays.
//
// Thread-safety: none; one Backoff per retry loop or per key.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace hgo {

struct BackoffOptions {
  std::chrono::milliseconds initial{100};
  std::chrono::milliseconds max{60000};
  double multiplier = 2.0;
  // Each delay is drawn uniformly from [d * (1 - jitter), d * (1 + jitter)], then capped at max.
  // 0 disables jitter. Must be in [0, 1].
  double jitter = 0.2;
};

class Backoff {
 public:
  // uniform01 returns values in [0, 1); it is called once per NextDelay() when jitter > 0.
  Backoff(BackoffOptions options, std::function<double()> uniform01);
  // Uses a seeded PRNG of its own.
  explicit Backoff(BackoffOptions options, uint64_t seed = 0x9e3779b97f4a7c15ULL);

  // The delay before the next attempt; each call moves one step further.
  std::chrono::milliseconds NextDelay();
  // Back to the initial delay (after a success).
  void Reset() { attempts_ = 0; }
  int attempts() const { return attempts_; }

 private:
  BackoffOptions options_;
  std::function<double()> uniform01_;
  int attempts_ = 0;
};

}  // namespace hgo
