// LeaderElector: exactly one active controller.
//
// Callbacks: on_elected when this instance becomes the leader; on_lost as soon as it may no
// longer be (its ZooKeeper connection dropped, its session expired, or Resign()). Losing the
// connection counts as losing leadership because the session may expire unseen: a leader that
// cannot reach ZooKeeper must stop acting at once. It campaigns again when the connection or a
// new session returns. Callbacks run on the ZkClient's dispatcher thread (or the caller's, for
// Start) and must not call back into the elector; they should only flip flags or post work.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"

namespace hgo::statestore {

class LeaderElector {
 public:
  virtual ~LeaderElector() = default;
  // Non-blocking: joins the election.
  virtual Status Start(std::function<void()> on_elected, std::function<void()> on_lost) = 0;
  virtual bool IsLeader() const = 0;
  // The term this instance leads in: larger than the term of every earlier leader of this
  // election, so it can fence writes (statestore/fence.h); 0 when it does not lead.
  virtual int64_t term() const = 0;
  // Leaves the election (on_lost runs if it was the leader).
  virtual void Resign() = 0;
  // The identity of the current leader, or kNotFound when there is none.
  virtual StatusOr<std::string> CurrentLeader() = 0;
  // Blocks until this instance leads or timeout passes; returns IsLeader().
  bool WaitUntilLeader(std::chrono::milliseconds timeout);

 protected:
  void NotifyLeadershipChange();
  std::mutex wait_mu_;
  std::condition_variable wait_cv_;
};

// For a single controller without ZooKeeper election (tests, --no-election): always the leader.
class StandaloneLeaderElector final : public LeaderElector {
 public:
  explicit StandaloneLeaderElector(std::string identity) : identity_(std::move(identity)) {}
  Status Start(std::function<void()> on_elected, std::function<void()> on_lost) override;
  bool IsLeader() const override;
  int64_t term() const override { return IsLeader() ? 1 : 0; }
  void Resign() override;
  StatusOr<std::string> CurrentLeader() override;

 private:
  std::string identity_;
  mutable std::mutex mu_;
  bool leader_ = false;
  std::function<void()> on_lost_;
};

class ZkClient;

// Ephemeral sequential candidates under root/leader; the lowest is the leader; every other
// candidate watches only its predecessor. The term is the leader's candidate sequence number:
// every candidate made after the leader's has a larger one, and every one made before it is
// gone when it leads, so terms only grow.
class ZkLeaderElector final : public LeaderElector {
 public:
  // identity is stored in the candidate node (host:port of the controller, shown in status).
  ZkLeaderElector(ZkClient& zk, std::string root, std::string identity);
  ~ZkLeaderElector() override;

  Status Start(std::function<void()> on_elected, std::function<void()> on_lost) override;
  bool IsLeader() const override;
  int64_t term() const override;
  void Resign() override;
  StatusOr<std::string> CurrentLeader() override;

 private:
  class State;
  std::shared_ptr<State> state_;  // shared with callbacks that may outlive a Resign()
};

}  // namespace hgo::statestore
