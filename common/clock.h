// Clock: the only source of time for code that makes decisions. Injected, never global, so
// tests drive time with FakeClock instead of sleeping.
//
// Thread-safety: every method of both implementations may be called from any thread.
#pragma once

#include <chrono>
#include <mutex>

namespace hgo {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time, for durations, deadlines and backoff.
  virtual std::chrono::steady_clock::time_point Now() const = 0;
  // Calendar time, for timestamps shown to people and stored in records.
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
};

class RealClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override;
  std::chrono::system_clock::time_point WallNow() const override;
};

// Time moves only when Advance() is called. Both clocks move together.
class FakeClock final : public Clock {
 public:
  // Starts at an arbitrary fixed instant (2026-01-01T00:00:00Z wall time), so goldens that
  // print timestamps are stable.
  FakeClock();

  std::chrono::steady_clock::time_point Now() const override;
  std::chrono::system_clock::time_point WallNow() const override;

  void Advance(std::chrono::nanoseconds d);
  void SetWallNow(std::chrono::system_clock::time_point t);

 private:
  mutable std::mutex mu_;
  std::chrono::steady_clock::time_point steady_;
  std::chrono::system_clock::time_point wall_;
};

}  // namespace hgo
