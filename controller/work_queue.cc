#include "controller/work_queue.h"

namespace hgo::controller {

WorkQueue::WorkQueue(const Clock& clock, std::chrono::milliseconds backoff_base,
                     std::chrono::milliseconds backoff_max)
    : clock_(clock), base_(backoff_base), max_(backoff_max) {}

void WorkQueue::AddLocked(const Key& k) {
  if (shutdown_) return;
  if (auto it = delayed_at_.find(k); it != delayed_at_.end()) {
    auto range = delayed_.equal_range(it->second);
    for (auto d = range.first; d != range.second; ++d) {
      if (d->second == k) {
        delayed_.erase(d);
        break;
      }
    }
    delayed_at_.erase(it);
  }
  if (processing_.count(k)) {
    dirty_.insert(k);
    return;
  }
  if (queued_.insert(k).second) {
    ready_.push_back(k);
    cv_.notify_one();
  }
}

void WorkQueue::Add(const Key& k) {
  std::lock_guard<std::mutex> lock(mu_);
  AddLocked(k);
}

void WorkQueue::AddUnlessBackingOff(const Key& k) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutdown_) return;
  if (processing_.count(k)) {
    soft_dirty_.insert(k);
    return;
  }
  if (BackingOffLocked(k)) return;
  AddLocked(k);
}

bool WorkQueue::BackingOffLocked(const Key& k) const {
  auto f = failures_.find(k);
  return f != failures_.end() && f->second > 0 && delayed_at_.count(k) > 0;
}

void WorkQueue::AddAfter(const Key& k, std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  if (delay.count() <= 0) return AddLocked(k);
  if (shutdown_ || queued_.count(k) || dirty_.count(k)) return;  // sooner anyway
  const auto at = clock_.Now() + delay;
  if (auto it = delayed_at_.find(k); it != delayed_at_.end()) {
    if (it->second <= at) return;  // already due sooner
    auto range = delayed_.equal_range(it->second);
    for (auto d = range.first; d != range.second; ++d) {
      if (d->second == k) {
        delayed_.erase(d);
        break;
      }
    }
  }
  delayed_.emplace(at, k);
  delayed_at_[k] = at;
  cv_.notify_all();  // a waiting Get may need to wake earlier
}

void WorkQueue::AddRateLimited(const Key& k) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int n = failures_[k]++;
    delay = base_;
    for (int i = 0; i < n && delay < max_; ++i) delay *= 2;
    if (delay > max_) delay = max_;
  }
  AddAfter(k, delay);
}

void WorkQueue::Forget(const Key& k) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(k);
}

int WorkQueue::Failures(const Key& k) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(k);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::PromoteDueLocked() {
  const auto now = clock_.Now();
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    Key k = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    delayed_at_.erase(k);
    AddLocked(k);
  }
}

void WorkQueue::SetClusterLimit(int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  cluster_limit_ = limit;
}

std::optional<WorkQueue::Key> WorkQueue::PopLocked() {
  auto it = ready_.begin();
  if (cluster_limit_ > 0) {
    // The first key whose cluster has room: a scan only while one cluster is at its limit.
    while (it != ready_.end()) {
      auto b = busy_.find(it->cluster);
      if (b == busy_.end() || b->second < cluster_limit_) break;
      ++it;
    }
  }
  if (it == ready_.end()) return std::nullopt;
  Key k = std::move(*it);
  ready_.erase(it);
  queued_.erase(k);
  if (cluster_limit_ > 0) ++busy_[k.cluster];
  processing_.insert(k);
  return k;
}

std::optional<WorkQueue::Key> WorkQueue::TryGet() {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutdown_) return std::nullopt;
  PromoteDueLocked();
  return PopLocked();
}

std::optional<WorkQueue::Key> WorkQueue::Get() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!shutdown_) {
    PromoteDueLocked();
    if (auto k = PopLocked()) return k;
    if (delayed_.empty()) {
      cv_.wait(lock);
    } else {
      // The injected clock and the condition variable's clock may differ (FakeClock): wait at
      // most a second at a time and look again.
      auto wait = delayed_.begin()->first - clock_.Now();
      if (wait > std::chrono::seconds(1)) wait = std::chrono::seconds(1);
      cv_.wait_for(lock, wait);
    }
  }
  return std::nullopt;
}

void WorkQueue::Done(const Key& k) {
  std::lock_guard<std::mutex> lock(mu_);
  if (processing_.erase(k) && cluster_limit_ > 0) {
    auto b = busy_.find(k.cluster);
    if (b != busy_.end() && --b->second <= 0) busy_.erase(b);
    cv_.notify_all();  // a key of this cluster may have been waiting for the room
  }
  const bool soft = soft_dirty_.erase(k) > 0;
  if (dirty_.erase(k) || (soft && !BackingOffLocked(k))) AddLocked(k);
}

void WorkQueue::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  cv_.notify_all();
}

size_t WorkQueue::Ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ready_.size();
}
size_t WorkQueue::Delayed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return delayed_.size();
}
size_t WorkQueue::Processing() const {
  std::lock_guard<std::mutex> lock(mu_);
  return processing_.size();
}

}  // namespace hgo::controller
