#include "common/clock.h"

namespace hgo {

std::chrono::steady_clock::time_point RealClock::Now() const {
  return std::chrono::steady_clock::now();
}

std::chrono::system_clock::time_point RealClock::WallNow() const {
  return std::chrono::system_clock::now();
}

FakeClock::FakeClock()
    : steady_(std::chrono::steady_clock::time_point(std::chrono::hours(1000))),
      wall_(std::chrono::system_clock::time_point(std::chrono::seconds(1767225600))) {}

std::chrono::steady_clock::time_point FakeClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return steady_;
}

std::chrono::system_clock::time_point FakeClock::WallNow() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wall_;
}

void FakeClock::Advance(std::chrono::nanoseconds d) {
  std::lock_guard<std::mutex> lock(mu_);
  steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
  wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
}

void FakeClock::SetWallNow(std::chrono::system_clock::time_point t) {
  std::lock_guard<std::mutex> lock(mu_);
  wall_ = t;
}

}  // namespace hgo
