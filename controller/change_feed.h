// ChangeFeed: the watch behind the API's long-poll (GET …?watch=true&resourceVersion=N), as
// Kubernetes' resource versions: every visible change of a topology's status gets the next
// version, and a watcher holding version N is answered as soon as a change after N exists (or
// its deadline passes, with nothing changed).
//
// What it costs: Note() is what a pass pays, a lock, a counter and a slot in a fixed ring, the
// same with no watcher or a thousand. Watchers are answered on the feed's own thread (Start),
// never on a pass's, and only after a short gather delay, so that a burst of passes answers each
// watcher once. The ring holds the last kRing changes; a watcher older than that is told to list
// again (reset), as Kubernetes answers 410 Gone. A waiting watcher is one small entry until its
// deadline; nothing is kept per client after it was answered, so a slow or vanished client costs
// nothing that grows.
//
// Thread-safety: every method may be called from any thread. Each watcher's callback is called
// exactly once: when answered, at its deadline, or by Stop().
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "crd/topology.h"

namespace hgo::controller {

struct WatchAnswer {
  int64_t version = 0;  // the feed's version the answer is as of
  bool reset = false;   // the watcher's version is older than the ring: list again
  // The keys changed after the watcher's version (each once, in key order); empty on a timeout.
  std::vector<crd::TopologyKey> changed;
};

struct Watcher {
  int64_t since = 0;  // the version the client holds
  // Only these topologies' changes wake it (sorted; a placement's clusters for a topology's
  // page); empty: any change.
  std::vector<crd::TopologyKey> keys;
  int64_t deadline_ms = 0;  // on the feed's clock (MonotonicMs)
  std::function<void(WatchAnswer)> answer;
};

class ChangeFeed {
 public:
  static constexpr size_t kRing = 4096;

  explicit ChangeFeed(const Clock& clock,
                      std::chrono::milliseconds gather = std::chrono::milliseconds(100));
  ~ChangeFeed();  // Stop()

  // Records a change of key; returns its version.
  int64_t Note(const crd::TopologyKey& key);
  int64_t version() const;

  // Registers w; answered at once (on the caller's thread) when a change it waits for is
  // already there or the feed is stopped.
  void Watch(Watcher w);
  size_t watchers() const;

  // Answers the watchers that have a change or reached their deadline by now. The thread does
  // this; tests without the thread call it directly.
  void AnswerDue();

  void Start();  // the thread that answers watchers
  void Stop();   // answers every waiting watcher (as a timeout) and joins the thread

  int64_t MonotonicMs() const;

 private:
  // The keys changed after since, or nullopt when the ring no longer reaches back to it.
  std::optional<std::vector<crd::TopologyKey>> ChangedSinceLocked(int64_t since) const;
  bool ReadyLocked(const Watcher& w, int64_t now_ms, WatchAnswer& out) const;
  void Loop();

  const Clock& clock_;
  const std::chrono::milliseconds gather_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<crd::TopologyKey> ring_;  // ring_[v % kRing] is version v's key
  int64_t version_ = 0;
  std::vector<Watcher> watchers_;
  bool noted_ = false;  // a change since the thread last answered
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace hgo::controller
