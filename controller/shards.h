// ShardLeadership: several controller replicas split the clusters between them through
// ZooKeeper (heron-controller --shards).
//
// Every replica is a candidate in every cluster's election (statestore/leader_elector.h, under
// <root>/shards/<cluster>), so every replica stands by for every cluster, and a replica that
// dies or leaves gives up only the clusters it led: their elections pass to the next candidate
// as the single election of an unsharded controller does. Each replica is also a member
// (an ephemeral node <root>/shards/members/<identity>, made after its candidacies so that a
// member is always a candidate everywhere). Balance: a replica leading more than its share,
// ceil(clusters / members), gives the excess up (leaves those elections and joins them again, at
// the back of the line), the clusters it would rank lowest first; the next candidate in line
// takes each one, and gives it up in turn if that puts it past its share, so the clusters settle
// with a replica that has room. Nothing moves while every replica is within its share: a
// replica's death moves its clusters only, and a new replica takes clusters from those over
// their share.
//
// Each cluster's term (for its fence, statestore/fence.h) is that cluster's election's, so a
// cluster's writes are fenced by its own leadership: records at <root>/shards/<cluster>/fence
// of the controller's ensemble, Heron's nodes at the same path in the cluster's.
//
// Identities must be unique among the replicas (the default, host:port of the API, is).
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/leadership.h"
#include "statestore/leader_elector.h"
#include "statestore/zk_client.h"

namespace hgo::controller {

struct ShardOptions {
  std::string root;      // the controller's root (--root)
  std::string identity;  // this replica's name; no '/'
  std::vector<std::string> clusters;
  // How often the members are counted and the share enforced.
  std::chrono::milliseconds interval{1000};
};

class ShardLeadership final : public Leadership {
 public:
  ShardLeadership(statestore::ZkClient& zk, ShardOptions options);
  ~ShardLeadership() override;

  // Joins every cluster's election, then the members, then balances every interval.
  // kInvalidArgument for an identity with '/'.
  Status Start(ClusterFn on_gained, ClusterFn on_lost) override;
  bool Leads(const std::string& cluster) const override;
  bool LeadsAny() const override;
  std::string LeaderOf(const std::string& cluster) override;
  // Leaves the members first (so no one counts on this replica), then every election.
  void Resign() override;

  // The term of cluster's election while this replica leads it, else 0.
  int64_t Term(const std::string& cluster) const;
  // One round of balancing now (the background thread's round): registers the member node if
  // it went (a new session), counts the members, gives up what exceeds the share. Returns the
  // number of clusters given up.
  int Balance();

  // <root>/shards/<cluster>: the cluster's election and fence live under it.
  static std::string ClusterRoot(const std::string& root, const std::string& cluster);

 private:
  std::string MembersDir() const;
  void Loop();

  statestore::ZkClient& zk_;
  const ShardOptions options_;
  std::map<std::string, std::unique_ptr<statestore::ZkLeaderElector>> electors_;
  ClusterFn on_gained_, on_lost_;

  std::mutex resign_mu_;   // one Resign at a time
  std::mutex balance_mu_;  // one round at a time
  std::mutex mu_;          // guards what follows
  std::condition_variable cv_;
  bool started_ = false;  // Start ran: Resign has something to leave
  bool running_ = false;
  std::thread thread_;
};

}  // namespace hgo::controller
