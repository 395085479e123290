#include "controller/lease.h"

namespace hgo::controller {

LeaderLease::LeaderLease(const Clock& clock, std::chrono::milliseconds duration,
                         std::function<bool()> leading, std::function<Status()> confirm)
    : clock_(clock),
      duration_(duration),
      leading_(std::move(leading)),
      confirm_(std::move(confirm)) {}

Status LeaderLease::Check() {
  if (!leading_()) {
    return Status::FailedPrecondition(
        "stopped before calling out: this controller is not the leader any more");
  }
  if (!confirm_) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);  // one confirmation at a time; the others wait for it
  const auto start = clock_.Now();
  if (start < until_) return Status::Ok();
  ++confirmations_;
  Status confirmed = confirm_();
  if (!confirmed.ok()) {
    return Status::FailedPrecondition(
        "stopped before calling out: this controller's leadership could not be confirmed: " +
        confirmed.message());
  }
  // From before the read: the session was alive no later than that.
  until_ = start + duration_;
  return Status::Ok();
}

int LeaderLease::confirmations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return confirmations_;
}

}  // namespace hgo::controller
