#include "common/backoff.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace hgo {

Backoff::Backoff(BackoffOptions options, std::function<double()> uniform01)
    : options_(options), uniform01_(std::move(uniform01)) {
  options_.jitter = std::clamp(options_.jitter, 0.0, 1.0);
  options_.multiplier = std::max(options_.multiplier, 1.0);
}

Backoff::Backoff(BackoffOptions options, uint64_t seed)
    : Backoff(options, [rng = std::mt19937_64(seed)]() mutable {
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
      }) {}

std::chrono::milliseconds Backoff::NextDelay() {
  const double max_ms = static_cast<double>(options_.max.count());
  // Exponent is capped so pow() never overflows after many attempts.
  const double exponent = std::min(attempts_, 64);
  double base =
      static_cast<double>(options_.initial.count()) * std::pow(options_.multiplier, exponent);
  base = std::min(base, max_ms);
  ++attempts_;
  double delay = base;
  if (options_.jitter > 0) {
    const double u = uniform01_();  // [0, 1)
    delay = base * (1.0 - options_.jitter + 2.0 * options_.jitter * u);
  }
  delay = std::clamp(delay, 0.0, max_ms);
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(delay)));
}

}  // namespace hgo
