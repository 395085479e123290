#include "controller/shards.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>

namespace hgo::controller {

namespace {

// FNV-1a: a replica's own ranking of the clusters (which to give up first); stable across
// builds and runs, unlike std::hash.
uint64_t Rank(const std::string& cluster, const std::string& identity) {
  uint64_t h = 1469598103934665603ull;
  for (char c : cluster + '\n' + identity) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

ShardLeadership::ShardLeadership(statestore::ZkClient& zk, ShardOptions options)
    : zk_(zk), options_(std::move(options)) {
  for (const auto& c : options_.clusters) {
    electors_[c] = std::make_unique<statestore::ZkLeaderElector>(zk_, ClusterRoot(options_.root, c),
                                                                 options_.identity);
  }
}

ShardLeadership::~ShardLeadership() { Resign(); }

std::string ShardLeadership::ClusterRoot(const std::string& root, const std::string& cluster) {
  return statestore::JoinZkPath(statestore::JoinZkPath(root, "shards"), cluster);
}

std::string ShardLeadership::MembersDir() const {
  return statestore::JoinZkPath(statestore::JoinZkPath(options_.root, "shards"), "members");
}

Status ShardLeadership::Start(ClusterFn on_gained, ClusterFn on_lost) {
  if (options_.identity.empty() || options_.identity.find('/') != std::string::npos) {
    return Status::InvalidArgument("--shards: the identity '" + options_.identity +
                                   "' must be non-empty and without '/'");
  }
  on_gained_ = std::move(on_gained);
  on_lost_ = std::move(on_lost);
  {
    std::lock_guard<std::mutex> lock(mu_);
    started_ = true;  // from here on there may be candidacies to leave
  }
  HGO_RETURN_IF_ERROR(zk_.EnsurePath(MembersDir()));
  for (auto& [cluster, elector] : electors_) {
    const std::string c = cluster;
    HGO_RETURN_IF_ERROR(elector->Start([this, c] { on_gained_(c); }, [this, c] { on_lost_(c); }));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = true;
  }
  Balance();  // registers the member at once
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void ShardLeadership::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (running_) {
    cv_.wait_for(lock, options_.interval, [this] { return !running_; });
    if (!running_) break;
    lock.unlock();
    Balance();
    lock.lock();
  }
}

int ShardLeadership::Balance() {
  std::lock_guard<std::mutex> round(balance_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_) return 0;
  }
  const std::string me = statestore::JoinZkPath(MembersDir(), options_.identity);
  auto mine = zk_.Exists(me);
  if (mine.ok() && !mine->has_value()) {
    auto created = zk_.Create(me, "", statestore::CreateMode::kEphemeral);
    if (!created.ok() && created.status().code() != StatusCode::kAlreadyExists) {
      spdlog::warn("shards: joining the members as {}: {}", options_.identity,
                   created.status().ToString());
    }
  }
  auto members = zk_.GetChildren(MembersDir());
  if (!members.ok()) return 0;  // the connection is down: the elections have said so already
  const size_t count = std::max<size_t>(1, members->size());
  const size_t share = (electors_.size() + count - 1) / count;
  std::vector<std::string> led;
  for (const auto& [cluster, elector] : electors_) {
    if (elector->IsLeader()) led.push_back(cluster);
  }
  if (led.size() <= share) return 0;
  std::sort(led.begin(), led.end(), [this](const std::string& a, const std::string& b) {
    return Rank(a, options_.identity) < Rank(b, options_.identity);
  });
  const size_t excess = led.size() - share;
  for (size_t i = 0; i < excess; ++i) {
    const std::string& c = led[i];
    spdlog::info("shards: giving cluster {} up ({} led, a share is {} of {} with {} members)", c,
                 led.size(), share, electors_.size(), count);
    auto& elector = *electors_.at(c);
    elector.Resign();
    Status joined = elector.Start([this, c] { on_gained_(c); }, [this, c] { on_lost_(c); });
    if (!joined.ok()) {
      spdlog::warn("shards: joining cluster {}'s election again: {}", c, joined.ToString());
    }
  }
  return static_cast<int>(excess);
}

bool ShardLeadership::Leads(const std::string& cluster) const {
  auto it = electors_.find(cluster);
  return it != electors_.end() && it->second->IsLeader();
}

bool ShardLeadership::LeadsAny() const {
  for (const auto& [cluster, elector] : electors_) {
    if (elector->IsLeader()) return true;
  }
  return false;
}

int64_t ShardLeadership::Term(const std::string& cluster) const {
  auto it = electors_.find(cluster);
  return it == electors_.end() ? 0 : it->second->term();
}

std::string ShardLeadership::LeaderOf(const std::string& cluster) {
  auto it = electors_.find(cluster);
  if (it == electors_.end()) return "";
  auto leader = it->second->CurrentLeader();
  return leader.ok() ? *leader : "";
}

void ShardLeadership::Resign() {
  // Callers may race (the controller's Stop and main's shutdown past the grace period): one at a
  // time, so the balancing thread is joined once.
  std::lock_guard<std::mutex> resigning(resign_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_) return;  // never joined anything (an unsharded controller's)
    running_ = false;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> round(balance_mu_);
  (void)zk_.Delete(statestore::JoinZkPath(MembersDir(), options_.identity), -1);
  for (auto& [cluster, elector] : electors_) elector->Resign();
}

}  // namespace hgo::controller
