#include "controller/change_feed.h"

#include <algorithm>
#include <iterator>
#include <set>

namespace hgo::controller {

ChangeFeed::ChangeFeed(const Clock& clock, std::chrono::milliseconds gather)
    : clock_(clock), gather_(gather), ring_(kRing) {}

ChangeFeed::~ChangeFeed() { Stop(); }

int64_t ChangeFeed::MonotonicMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
      .count();
}

int64_t ChangeFeed::Note(const crd::TopologyKey& key) {
  int64_t v;
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    v = ++version_;
    ring_[static_cast<size_t>(v) % kRing] = key;
    wake = !noted_ && !watchers_.empty();
    noted_ = true;
  }
  if (wake) cv_.notify_one();
  return v;
}

int64_t ChangeFeed::version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return version_;
}

size_t ChangeFeed::watchers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return watchers_.size();
}

std::optional<std::vector<crd::TopologyKey>> ChangeFeed::ChangedSinceLocked(int64_t since) const {
  if (since < 0 || since > version_) return std::nullopt;  // not a version of this feed
  if (version_ - since >= static_cast<int64_t>(kRing)) return std::nullopt;
  std::set<crd::TopologyKey> keys;
  for (int64_t v = since + 1; v <= version_; ++v)
    keys.insert(ring_[static_cast<size_t>(v) % kRing]);
  return std::vector<crd::TopologyKey>(keys.begin(), keys.end());
}

bool ChangeFeed::ReadyLocked(const Watcher& w, int64_t now_ms, WatchAnswer& out) const {
  out = WatchAnswer{version_, false, {}};
  if (w.since != version_) {
    auto changed = ChangedSinceLocked(w.since);
    if (!changed) {
      out.reset = true;
      return true;
    }
    if (!w.keys.empty()) {
      std::set_intersection(changed->begin(), changed->end(), w.keys.begin(), w.keys.end(),
                            std::back_inserter(out.changed));
      if (!out.changed.empty()) return true;
    } else if (!changed->empty()) {
      out.changed = std::move(*changed);
      return true;
    }
  }
  // A keyed watcher that saw only other keys' changes goes on from now: its version moves, so
  // the ring walk stays short.
  return stopped_ || now_ms >= w.deadline_ms;
}

void ChangeFeed::Watch(Watcher w) {
  WatchAnswer answer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const bool ready = ReadyLocked(w, MonotonicMs(), answer);
    // A change (or a stopped feed) is answered at once; a deadline is left to the thread.
    if (!ready || !(stopped_ || answer.reset || !answer.changed.empty())) {
      watchers_.push_back(std::move(w));
      cv_.notify_one();  // its deadline may be the earliest
      return;
    }
  }
  w.answer(std::move(answer));
}

void ChangeFeed::AnswerDue() {
  std::vector<std::pair<std::function<void(WatchAnswer)>, WatchAnswer>> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    noted_ = false;
    const int64_t now = MonotonicMs();
    auto keep = watchers_.begin();
    for (auto it = watchers_.begin(); it != watchers_.end(); ++it) {
      WatchAnswer a;
      if (ReadyLocked(*it, now, a)) {
        due.emplace_back(std::move(it->answer), std::move(a));
      } else {
        if (!it->keys.empty()) it->since = version_;  // nothing of its keys up to here
        if (keep != it) *keep = std::move(*it);
        ++keep;
      }
    }
    watchers_.erase(keep, watchers_.end());
  }
  for (auto& [answer, a] : due) answer(std::move(a));
}

void ChangeFeed::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopped_) return;
  thread_ = std::thread([this] { Loop(); });
}

void ChangeFeed::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  AnswerDue();  // what is left (all of it, as stopped_ makes every watcher ready)
}

void ChangeFeed::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopped_) {
    // Sleep until a change or the earliest deadline (re-checked at least each second: the
    // feed's clock is the controller's, which tests may move).
    int64_t wait_ms = 1000;
    const int64_t now = MonotonicMs();
    for (const auto& w : watchers_)
      wait_ms = std::min(wait_ms, std::max<int64_t>(0, w.deadline_ms - now));
    if (!noted_ || watchers_.empty()) {
      cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                   [this] { return stopped_ || (noted_ && !watchers_.empty()); });
    }
    if (stopped_) break;
    if (noted_ && !watchers_.empty()) {
      // Gather: the passes of one burst reach each watcher as one answer.
      cv_.wait_for(lock, gather_, [this] { return stopped_; });
    }
    lock.unlock();
    AnswerDue();
    lock.lock();
  }
}

}  // namespace hgo::controller
