#include "statestore/leader_elector.h"

#include <algorithm>
#include <cstdlib>

#include "statestore/zk_client.h"

namespace hgo::statestore {

bool LeaderElector::WaitUntilLeader(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(wait_mu_);
  return wait_cv_.wait_for(lock, timeout, [this] { return IsLeader(); });
}

void LeaderElector::NotifyLeadershipChange() {
  { std::lock_guard<std::mutex> lock(wait_mu_); }
  wait_cv_.notify_all();
}

Status StandaloneLeaderElector::Start(std::function<void()> on_elected,
                                      std::function<void()> on_lost) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    leader_ = true;
    on_lost_ = std::move(on_lost);
  }
  if (on_elected) on_elected();
  NotifyLeadershipChange();
  return Status::Ok();
}

bool StandaloneLeaderElector::IsLeader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leader_;
}

void StandaloneLeaderElector::Resign() {
  std::function<void()> lost;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!leader_) return;
    leader_ = false;
    lost = on_lost_;
  }
  if (lost) lost();
  NotifyLeadershipChange();
}

StatusOr<std::string> StandaloneLeaderElector::CurrentLeader() {
  if (!IsLeader()) return Status::NotFound("no leader");
  return identity_;
}

class ZkLeaderElector::State : public std::enable_shared_from_this<State> {
 public:
  State(ZkClient& zk, std::string root, std::string identity, ZkLeaderElector* owner)
      : zk_(zk), dir_(JoinZkPath(root, "leader")), identity_(std::move(identity)), owner_(owner) {}

  Status Start(std::function<void()> on_elected, std::function<void()> on_lost) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      on_elected_ = std::move(on_elected);
      on_lost_ = std::move(on_lost);
      active_ = true;
    }
    std::weak_ptr<State> weak = shared_from_this();
    listener_id_ = zk_.AddSessionListener([weak](SessionEvent e) {
      if (auto self = weak.lock()) self->OnSession(e);
    });
    HGO_RETURN_IF_ERROR(zk_.EnsurePath(dir_));
    return Check();
  }

  // Leaves the election; with detach, the owner is going away and must not be called again.
  void Stop(bool detach) {
    zk_.RemoveSessionListener(listener_id_);
    std::string node;
    {
      std::lock_guard<std::mutex> lock(mu_);
      active_ = false;
      node = my_node_;
      my_node_.clear();
    }
    SetLeader(false);
    if (detach) {
      std::lock_guard<std::mutex> lock(mu_);
      owner_ = nullptr;
    }
    if (!node.empty()) (void)zk_.Delete(node, -1);
  }

  bool leader() const {
    std::lock_guard<std::mutex> lock(mu_);
    return leader_;
  }

  int64_t term() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (!leader_ || my_node_.size() < 10) return 0;
    // ZooKeeper's sequence suffix: ten digits.
    return std::strtoll(my_node_.c_str() + my_node_.size() - 10, nullptr, 10) + 1;
  }

  StatusOr<std::string> CurrentLeader() {
    HGO_ASSIGN_OR_RETURN(auto children, zk_.GetChildren(dir_));
    for (const auto& c : children) {  // sorted: the first live one leads
      auto node = zk_.Get(JoinZkPath(dir_, c));
      if (node.ok()) return node->data;
    }
    return Status::NotFound("no leader under " + dir_);
  }

 private:
  // (Re)evaluates the election: creates our candidate if needed, leads if it is the lowest,
  // otherwise watches the predecessor. Runs at start and on every relevant event.
  Status Check() {
    std::lock_guard<std::mutex> check_lock(check_mu_);  // one evaluation at a time
    std::string mine;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!active_) return Status::Ok();
      mine = my_node_;
    }
    if (mine.empty() || !zk_.Exists(mine).value_or(std::nullopt).has_value()) {
      auto created =
          zk_.Create(JoinZkPath(dir_, "candidate-"), identity_, CreateMode::kEphemeralSequential);
      if (!created.ok()) return created.status();
      mine = *created;
      std::lock_guard<std::mutex> lock(mu_);
      my_node_ = mine;
    }
    std::weak_ptr<State> weak = shared_from_this();
    for (int round = 0; round < 10; ++round) {
      HGO_ASSIGN_OR_RETURN(auto children, zk_.GetChildren(dir_));
      std::string my_name = mine.substr(mine.rfind('/') + 1);
      auto it = std::find(children.begin(), children.end(), my_name);
      if (it == children.end()) return Status::Internal("own candidate node vanished: " + mine);
      if (it == children.begin()) {
        SetLeader(true);
        return Status::Ok();
      }
      SetLeader(false);
      std::string predecessor = JoinZkPath(dir_, *std::prev(it));
      auto exists = zk_.Exists(predecessor, [weak](WatchEvent, const std::string&) {
        if (auto self = weak.lock()) (void)self->Check();
      });
      if (!exists.ok()) return exists.status();
      if (exists->has_value()) return Status::Ok();  // the watch will call us back
      // The predecessor went away between the listing and the watch: look again.
    }
    return Status::Internal("election did not settle after 10 rounds");
  }

  void OnSession(SessionEvent e) {
    switch (e) {
      case SessionEvent::kDisconnected:
        SetLeader(false);  // cannot prove we still hold the session
        break;
      case SessionEvent::kSessionLost: {
        std::lock_guard<std::mutex> lock(mu_);
        my_node_.clear();  // it died with the session
      }
        SetLeader(false);
        break;
      case SessionEvent::kConnected:
      case SessionEvent::kNewSession:
        (void)Check();
        break;
    }
  }

  void SetLeader(bool leader) {
    std::function<void()> cb;
    ZkLeaderElector* owner;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (leader_ == leader) return;
      if (leader && !active_) return;
      leader_ = leader;
      cb = leader ? on_elected_ : on_lost_;
      owner = owner_;
    }
    if (cb) cb();
    if (owner) owner->NotifyLeadershipChange();
  }

  ZkClient& zk_;
  const std::string dir_;
  const std::string identity_;
  ZkLeaderElector* owner_;  // guarded by mu_; null once the owner is destroyed
  int listener_id_ = 0;

  std::mutex check_mu_;
  mutable std::mutex mu_;
  bool active_ = false;
  bool leader_ = false;
  std::string my_node_;
  std::function<void()> on_elected_;
  std::function<void()> on_lost_;
};

ZkLeaderElector::ZkLeaderElector(ZkClient& zk, std::string root, std::string identity)
    : state_(std::make_shared<State>(zk, std::move(root), std::move(identity), this)) {}

ZkLeaderElector::~ZkLeaderElector() { state_->Stop(/*detach=*/true); }

Status ZkLeaderElector::Start(std::function<void()> on_elected, std::function<void()> on_lost) {
  return state_->Start(std::move(on_elected), std::move(on_lost));
}

bool ZkLeaderElector::IsLeader() const { return state_->leader(); }
int64_t ZkLeaderElector::term() const { return state_->term(); }

void ZkLeaderElector::Resign() { state_->Stop(/*detach=*/false); }

StatusOr<std::string> ZkLeaderElector::CurrentLeader() { return state_->CurrentLeader(); }

}  // namespace hgo::statestore
