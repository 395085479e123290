#include "statestore/heron_state.h"

#include "common/backoff.h"
#include "common/failpoint.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <thread>

namespace hgo::statestore {

std::string HeronLayout::DirName(HeronDir d) const {
  switch (d) {
    case HeronDir::kTopologies:
      return "topologies";
    case HeronDir::kPackingPlans:
      return "packingplans";
    case HeronDir::kExecutionState:
      return "executionstate";
    case HeronDir::kSchedulers:
      return "schedulers";
    case HeronDir::kTManagers:
      return tmaster_names ? "tmasters" : "tmanagers";
    case HeronDir::kPhysicalPlans:
      return "pplans";
    case HeronDir::kMetricsCaches:
      return "metricscaches";
    case HeronDir::kStatefulCheckpoints:
      return "statefulcheckpoints";
    case HeronDir::kLocks:
      return "locks";
    case HeronDir::kTMasters:
      return "tmasters";
  }
  return "";
}

std::string HeronLayout::DirPath(HeronDir d) const { return JoinZkPath(root, DirName(d)); }

std::string HeronLayout::NodePath(HeronDir d, const std::string& topology) const {
  return JoinZkPath(DirPath(d), topology);
}

std::vector<HeronDir> HeronLayout::AllDirs() {
  return {HeronDir::kTopologies,    HeronDir::kPackingPlans,        HeronDir::kExecutionState,
          HeronDir::kSchedulers,    HeronDir::kTManagers,           HeronDir::kPhysicalPlans,
          HeronDir::kMetricsCaches, HeronDir::kStatefulCheckpoints, HeronDir::kLocks};
}

Status HeronState::EnsureTree() {
  // Every submission and scheduler location asks: one pipelined round of reads finds the
  // directories there (almost always), and only a missing one is made.
  std::vector<std::string> dirs;
  for (HeronDir d : HeronLayout::AllDirs()) dirs.push_back(layout_.DirPath(d));
  const auto there = zk_.GetMany(dirs);
  for (size_t i = 0; i < dirs.size(); ++i) {
    if (i < there.size() && there[i].ok()) continue;
    HGO_RETURN_IF_ERROR(zk_.EnsurePath(dirs[i]));
  }
  return Status::Ok();
}

StatusOr<std::optional<std::string>> HeronState::Read(HeronDir d, const std::string& topology) {
  auto node = zk_.Get(layout_.NodePath(d, topology));
  if (node.ok()) return std::optional<std::string>(std::move(node->data));
  if (node.status().code() == StatusCode::kNotFound) return std::optional<std::string>();
  return node.status();
}

Status HeronState::Write(HeronDir d, const std::string& topology, const std::string& bytes) {
  const std::string path = layout_.NodePath(d, topology);
  auto set = writer_.Set(path, bytes, -1);
  if (set.ok()) return Status::Ok();
  if (set.status().code() != StatusCode::kNotFound) return set.status();
  auto created = writer_.Create(path, bytes, CreateMode::kPersistent);
  // Lost a race with another writer creating it: write over it.
  if (created.status().code() == StatusCode::kAlreadyExists)
    return writer_.Set(path, bytes, -1).status();
  return created.status();
}

Status HeronState::WriteAll(const std::string& topology,
                            const std::vector<std::pair<HeronDir, std::string>>& nodes) {
  auto all = [&](bool create) {
    std::vector<ZkOp> ops;
    for (const auto& [d, bytes] : nodes) {
      const std::string path = layout_.NodePath(d, topology);
      ops.push_back(create ? ZkOp::Create(path, bytes, CreateMode::kPersistent)
                           : ZkOp::Set(path, bytes, -1));
    }
    return writer_.Multi(std::move(ops)).status;
  };
  Status s = all(/*create=*/false);
  if (s.code() == StatusCode::kNotFound) s = all(/*create=*/true);
  if (s.code() != StatusCode::kNotFound && s.code() != StatusCode::kAlreadyExists) return s;
  for (const auto& [d, bytes] : nodes) HGO_RETURN_IF_ERROR(Write(d, topology, bytes));
  return Status::Ok();
}

Status HeronState::Remove(HeronDir d, const std::string& topology) {
  Status s = writer_.Delete(layout_.NodePath(d, topology), -1);
  if (s.code() == StatusCode::kNotFound) return Status::Ok();
  return s;
}

namespace {

Status RemoveRecursively(ZkClient& zk, const ZkWriter& writer, const std::string& path) {
  auto children = zk.GetChildren(path);
  if (!children.ok()) {
    return children.status().code() == StatusCode::kNotFound ? Status::Ok() : children.status();
  }
  for (const auto& child : *children)
    HGO_RETURN_IF_ERROR(RemoveRecursively(zk, writer, JoinZkPath(path, child)));
  Status s = writer.Delete(path, -1);
  return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
}

}  // namespace

Status HeronState::RemoveTree(HeronDir d, const std::string& node) {
  return RemoveRecursively(zk_, writer_, layout_.NodePath(d, node));
}

StatusOr<std::vector<std::string>> HeronState::List(HeronDir d) {
  auto children = zk_.GetChildren(layout_.DirPath(d));
  if (!children.ok() && children.status().code() == StatusCode::kNotFound) {
    return std::vector<std::string>();
  }
  return children;
}

class HeronStateCache::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(ZkClient& zk, HeronLayout layout, std::function<void(const std::string&)> on_change,
       HeronStateCache::NodeFilter filter)
      : zk_(zk),
        layout_(std::move(layout)),
        on_change_(std::move(on_change)),
        filter_(std::move(filter)) {}

  Status Start() {
    std::weak_ptr<Impl> weak = shared_from_this();
    listener_ = zk_.AddSessionListener([weak](SessionEvent e) {
      // Within a session, watches survive; once it is lost, changes may go unseen until the
      // reload on the new session completes.
      if (e != SessionEvent::kSessionLost && e != SessionEvent::kNewSession) return;
      auto self = weak.lock();
      if (!self) return;
      self->fresh_ = false;
      if (e == SessionEvent::kNewSession) self->RequestReload();
    });
    Status s = Reload();
    reloader_ = std::thread([this] { ReloadLoop(); });
    return s;
  }

  void Stop() {
    zk_.RemoveSessionListener(listener_);
    {
      std::lock_guard<std::mutex> lock(reload_mu_);
      stopping_ = true;
    }
    reload_cv_.notify_all();
    if (reloader_.joinable()) reloader_.join();
  }

  std::shared_ptr<const HeronSnapshot> Get(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = snapshots_.find(name);
    if (it == snapshots_.end()) return nullptr;
    return it->second;
  }

  std::vector<std::string> Names() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [name, snap] : snapshots_) out.push_back(name);
    return out;
  }

  uint64_t reads() const { return reads_.load(); }
  bool fresh() const { return fresh_.load(); }

  // A watch could not be re-armed (the connection dropped mid-call) or a new session began: read
  // everything again, on the reload thread, retrying with backoff until it succeeds.
  void RequestReload() {
    {
      std::lock_guard<std::mutex> lock(reload_mu_);
      reload_requested_ = true;
    }
    reload_cv_.notify_all();
  }

 private:
  void ReloadLoop() {
    Backoff backoff(BackoffOptions{std::chrono::milliseconds(100), std::chrono::seconds(5)});
    std::unique_lock<std::mutex> lock(reload_mu_);
    while (true) {
      reload_cv_.wait(lock, [this] { return stopping_ || reload_requested_; });
      if (stopping_) return;
      reload_requested_ = false;
      lock.unlock();
      Status s = Reload();
      lock.lock();
      if (s.ok()) {
        backoff.Reset();
        continue;
      }
      spdlog::warn("heron state cache: reload failed ({}); retrying", s.ToString());
      reload_requested_ = true;
      reload_cv_.wait_for(lock, backoff.NextDelay(), [this] { return stopping_; });
    }
  }

  // Reads everything again with fresh watches (start, or a new session). The snapshots stay
  // until each node is read again: a reader sees the last good state (fresh() false) rather
  // than nothing, and a reload that fails half way loses nothing. Nodes gone meanwhile are
  // forgotten by the children listings, changed ones replaced by the reads.
  Status Reload() {
    HGO_RETURN_IF_ERROR(failpoint::Hit(kReloadFailpoint));
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [name, bits] : nodes_) bits.armed = 0;  // a lost session's watches are gone
    }
    for (HeronDir d : HeronStateCache::WatchedDirs()) {
      HGO_RETURN_IF_ERROR(zk_.EnsurePath(layout_.DirPath(d)));
      HGO_RETURN_IF_ERROR(WatchChildren(d));
    }
    fresh_ = true;
    return Status::Ok();
  }

  Status WatchChildren(HeronDir d) {
    std::weak_ptr<Impl> weak = shared_from_this();
    ++reads_;
    auto children =
        zk_.GetChildren(layout_.DirPath(d), [weak, d](WatchEvent e, const std::string&) {
          if (e == WatchEvent::kSessionLost) return;  // Reload() follows on the new session
          auto self = weak.lock();
          if (self && !self->WatchChildren(d).ok()) self->RequestReload();
        });
    if (!children.ok()) return children.status();
    std::set<std::string> now(children->begin(), children->end());
    std::vector<std::string> removed;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const uint16_t bit = Bit(d);
      for (auto it = nodes_.begin(); it != nodes_.end();) {
        if ((it->second.known & bit) && !now.count(it->first)) {
          removed.push_back(it->first);
          it->second.known &= ~bit;
          if (it->second.empty()) {
            it = nodes_.erase(it);
            continue;
          }
        }
        ++it;
      }
      for (const auto& c : now) nodes_[c].known |= bit;
    }
    for (const auto& c : removed) Forget(d, c);
    // Every child, not only new ones: a node deleted and re-created between two listings may
    // have lost its data watch. Nodes whose watch is still armed are skipped; the rest are read
    // in one pipelined batch (a reload of N topologies is one round trip per directory).
    return WatchNodes(d, {now.begin(), now.end()});
  }

  // Reads the nodes with a data watch each, skipping those whose watch is still armed.
  Status WatchNodes(HeronDir d, const std::vector<std::string>& names) {
    std::vector<std::string> todo;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& name : names) {
        NodeBits& bits = nodes_[name];
        if (bits.armed & Bit(d)) continue;
        bits.armed |= Bit(d);
        todo.push_back(name);
      }
    }
    if (todo.empty()) return Status::Ok();
    std::weak_ptr<Impl> weak = shared_from_this();
    std::vector<std::string> paths;
    std::vector<WatchCallback> watches;
    for (const auto& name : todo) {
      paths.push_back(layout_.NodePath(d, name));
      watches.push_back([weak, d, name](WatchEvent e, const std::string&) {
        auto self = weak.lock();
        if (!self || e == WatchEvent::kSessionLost) return;
        {
          std::lock_guard<std::mutex> lock(self->mu_);
          self->Disarm(d, name);
        }
        // Re-read whatever happened: a deleted node may already be back; if not, it is forgotten.
        if (!self->WatchNodes(d, {name}).ok()) self->RequestReload();
      });
    }
    reads_ += todo.size();
    auto results = zk_.GetMany(paths, std::move(watches));
    Status first_error = Status::Ok();
    for (size_t i = 0; i < todo.size(); ++i) {
      const std::string& name = todo[i];
      if (!results[i].ok()) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          Disarm(d, name);
        }
        if (results[i].status().code() != StatusCode::kNotFound) {
          if (first_error.ok()) first_error = results[i].status();
          continue;
        }
        Forget(d, name);  // gone; a re-creation shows up in the children watch
        continue;
      }
      std::string kept =
          filter_ ? filter_(d, std::move(results[i]->data)) : std::move(results[i]->data);
      {
        std::lock_guard<std::mutex> lock(mu_);
        std::shared_ptr<const HeronSnapshot>& shared = snapshots_[name];
        auto next =
            shared ? std::make_shared<HeronSnapshot>(*shared) : std::make_shared<HeronSnapshot>();
        next->nodes[d] = std::move(kept);
        next->version = ++versions_;
        shared = std::move(next);
      }
      Notify(name);
    }
    return first_error;
  }

  static uint16_t Bit(HeronDir d) { return static_cast<uint16_t>(1u << static_cast<int>(d)); }

  void Disarm(HeronDir d, const std::string& name) {  // mu_ held
    auto it = nodes_.find(name);
    if (it == nodes_.end()) return;
    it->second.armed &= ~Bit(d);
    if (it->second.empty()) nodes_.erase(it);
  }

  void Forget(HeronDir d, const std::string& name) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = snapshots_.find(name);
      if (it == snapshots_.end() || !it->second->Has(d)) return;
      auto next = std::make_shared<HeronSnapshot>(*it->second);
      next->nodes.erase(d);
      next->version = ++versions_;
      if (next->nodes.empty()) {
        snapshots_.erase(it);
      } else {
        it->second = std::move(next);
      }
    }
    Notify(name);
  }

  void Notify(const std::string& name) {
    if (on_change_) on_change_(name);
  }

  ZkClient& zk_;
  const HeronLayout layout_;
  const std::function<void(const std::string&)> on_change_;
  const HeronStateCache::NodeFilter filter_;
  int listener_ = 0;
  std::atomic<uint64_t> reads_{0};
  std::atomic<bool> fresh_{false};

  std::thread reloader_;
  std::mutex reload_mu_;
  std::condition_variable reload_cv_;
  bool reload_requested_ = false;
  bool stopping_ = false;

  mutable std::mutex mu_;
  // Copied on write, so that a pass reading one holds it without a copy or a lock.
  std::map<std::string, std::shared_ptr<const HeronSnapshot>> snapshots_;
  uint64_t versions_ = 0;  // the last HeronSnapshot::version given
  // Per topology, one bit per directory: listed as a child there (known), and its node read
  // with a data watch still set (armed). One entry per name, not one per name and directory
  // in twelve sets: at 10,000 topologies the sets took ~10 MB.
  struct NodeBits {
    uint16_t known = 0;
    uint16_t armed = 0;
    bool empty() const { return known == 0 && armed == 0; }
  };
  std::map<std::string, NodeBits> nodes_;
};

HeronStateCache::HeronStateCache(ZkClient& zk, HeronLayout layout,
                                 std::function<void(const std::string&)> on_change,
                                 NodeFilter filter)
    : impl_(
          std::make_shared<Impl>(zk, std::move(layout), std::move(on_change), std::move(filter))) {}

HeronStateCache::~HeronStateCache() { impl_->Stop(); }

const char* const HeronStateCache::kReloadFailpoint = "heron_cache.reload";

Status HeronStateCache::Start() { return impl_->Start(); }
std::shared_ptr<const HeronSnapshot> HeronStateCache::Get(const std::string& t) const {
  return impl_->Get(t);
}
std::vector<std::string> HeronStateCache::Names() const { return impl_->Names(); }
uint64_t HeronStateCache::reads() const { return impl_->reads(); }
bool HeronStateCache::fresh() const { return impl_->fresh(); }

std::vector<HeronDir> HeronStateCache::WatchedDirs() {
  return {HeronDir::kTopologies,   HeronDir::kPackingPlans, HeronDir::kExecutionState,
          HeronDir::kSchedulers,   HeronDir::kTManagers,    HeronDir::kTMasters,
          HeronDir::kPhysicalPlans};
}

}  // namespace hgo::statestore
