// Leadership: which clusters this controller acts on.
//
// A controller acts (reads its sources, passes keys, writes records, calls Aurora) only for the
// clusters it leads. Two kinds:
//   - WholeLeadership: one election for everything (statestore/leader_elector.h); the leader
//     leads every cluster, including ones the clusters file does not name (their passes record
//     the error), and a follower none.
//   - ShardLeadership (controller/shards.h): one election per cluster, so that several replicas
//     split the clusters between them.
// Callbacks: on_gained(cluster) / on_lost(cluster) run on ZooKeeper's dispatcher thread (or the
// caller's, for Start and Resign) and must only flip flags or post work. WholeLeadership passes
// "" for "every cluster". Losing may be reported for a cluster that was not gained; gaining is
// reported at most once until a loss.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "statestore/leader_elector.h"

namespace hgo::controller {

class Leadership {
 public:
  using ClusterFn = std::function<void(const std::string& cluster)>;
  virtual ~Leadership() = default;

  // Non-blocking: joins the election(s).
  virtual Status Start(ClusterFn on_gained, ClusterFn on_lost) = 0;
  virtual bool Leads(const std::string& cluster) const = 0;
  virtual bool LeadsAny() const = 0;
  // The identity of the controller leading cluster ("" when none is known); for
  // WholeLeadership the one leader, whatever cluster is asked.
  virtual std::string LeaderOf(const std::string& cluster) = 0;
  // Leaves every election (on_lost runs for what was led).
  virtual void Resign() = 0;
};

class WholeLeadership final : public Leadership {
 public:
  explicit WholeLeadership(statestore::LeaderElector& elector) : elector_(elector) {}
  Status Start(ClusterFn on_gained, ClusterFn on_lost) override;
  bool Leads(const std::string&) const override { return elector_.IsLeader(); }
  bool LeadsAny() const override { return elector_.IsLeader(); }
  std::string LeaderOf(const std::string& cluster) override;
  void Resign() override { elector_.Resign(); }

 private:
  statestore::LeaderElector& elector_;
};

}  // namespace hgo::controller
