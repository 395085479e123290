#include "controller/cluster/breaker.h"

#include <algorithm>

namespace hgo::controller {

const char* PhaseName(BreakerState::Phase phase) {
  switch (phase) {
    case BreakerState::Phase::kClosed:
      return "closed";
    case BreakerState::Phase::kOpen:
      return "open";
    case BreakerState::Phase::kHalfOpen:
      return "half-open";
  }
  return "closed";
}

Breaker::Breaker(const Clock& clock, BreakerOptions options, std::function<void()> on_closed)
    : clock_(clock), options_(options), on_closed_(std::move(on_closed)) {}

int64_t Breaker::WallMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
      .count();
}

bool Breaker::IsUnreachable(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded;
}

Breaker::Admission Breaker::Admit() {
  using Phase = BreakerState::Phase;
  std::lock_guard<std::mutex> lock(mu_);
  Admission a;
  if (state_.phase == Phase::kClosed) return a;
  const auto now = clock_.Now();
  if (state_.phase == Phase::kOpen) {
    if (now < retry_at_) {
      a.allowed = false;
      a.retry_in = std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - now);
      return a;
    }
    state_.phase = Phase::kHalfOpen;
  }
  if (probing_) {  // half-open with its probe out: the probe's outcome decides
    a.allowed = false;
    a.retry_in = open_for_;
    return a;
  }
  probing_ = true;
  a.probe = true;
  return a;
}

void Breaker::OpenLocked() {
  state_.phase = BreakerState::Phase::kOpen;
  ++state_.opens;
  state_.opened_at_ms = WallMs();
  state_.retry_at_ms = state_.opened_at_ms + open_for_.count();
  retry_at_ = clock_.Now() + open_for_;
  probing_ = false;
}

void Breaker::Reached() {
  bool closed_now = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_.failures = 0;
    state_.last_reached_ms = WallMs();
    if (state_.phase != BreakerState::Phase::kClosed) {
      state_.phase = BreakerState::Phase::kClosed;
      state_.retry_at_ms = 0;
      open_for_ = std::chrono::milliseconds(0);
      probing_ = false;
      closed_now = true;
    }
  }
  if (closed_now && on_closed_) on_closed_();
}

void Breaker::Unreachable(const Status& why) {
  std::lock_guard<std::mutex> lock(mu_);
  ++state_.failures;
  state_.last_error = why.message();
  switch (state_.phase) {
    case BreakerState::Phase::kClosed:
      if (state_.failures >= options_.failures_to_open) {
        open_for_ = options_.open_base;
        OpenLocked();
      }
      break;
    case BreakerState::Phase::kHalfOpen:  // the probe failed: open for longer
      open_for_ = std::min(open_for_ * 2, options_.open_max);
      OpenLocked();
      break;
    case BreakerState::Phase::kOpen:  // a pass let through before it opened
      break;
  }
}

void Breaker::Release(bool probe) {
  std::lock_guard<std::mutex> lock(mu_);
  if (probe) probing_ = false;
}

BreakerState Breaker::State() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

}  // namespace hgo::controller
