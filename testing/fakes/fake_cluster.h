// Fake clusters for unit tests of the loop: a ClusterConnector whose clusters are a FakeAurora
// and a FakeHeronStore each, plus what Heron's own processes would do on them (the executors
// registering a topology manager and stream managers once Aurora runs the containers; the
// topology manager's activate, deactivate and runtime_config/update endpoints).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "controller/cluster/cluster_connector.h"
#include "testing/fakes/fake_aurora.h"
#include "testing/fakes/fake_heron_store.h"

namespace hgo::testing {

class FakeCluster {
 public:
  FakeCluster(std::string name, std::string root, const Clock& clock)
      : name_(std::move(name)),
        root_(std::move(root)),
        aurora_(std::make_shared<FakeAurora>(clock)) {}

  FakeAurora& aurora() { return *aurora_; }
  // Null until the controller connected, or until a test asked for it with ZooKeeper().
  FakeHeronStore* heron() { return heron_.get(); }
  // Heron's state, made now if nobody connected yet (a test writing what was there before the
  // controller); its changes reach the controller once it connects.
  FakeHeronStore& ZooKeeper();
  // false: connecting fails with kUnavailable (the cluster's ZooKeeper is down).
  void SetReachable(bool reachable);

  // aurora().Advance(), then Heron's side: a topology whose job has a RUNNING task gets its
  // topology manager's location and a physical plan with a stream manager for every container
  // of its packing plan (as Heron's executors and topology manager write them); one without gets
  // neither (the location is ephemeral, the plan is the manager's).
  void Advance();
  // The topology manager's HTTP endpoints, answered from Heron's nodes: the status code.
  StatusOr<int> CallTopologyManager(const std::string& url);

 private:
  friend class FakeConnector;
  void RunHeron(const std::string& topology, bool running, bool restarted);
  const std::string name_, root_;
  std::shared_ptr<FakeAurora> aurora_;
  std::shared_ptr<FakeHeronStore> heron_;
  std::function<void(const std::string&)> on_change_;  // the connected controller's
  bool reachable_ = true;
  std::map<std::string, std::string> manager_task_;  // topology -> its instance 0's task id
};

class FakeConnector final : public controller::ClusterConnector {
 public:
  explicit FakeConnector(const Clock& clock) : clock_(clock) {}
  // The cluster named as in the clusters file, rooted where its config says.
  FakeCluster& Add(const std::string& name, const std::string& root = "/heron");
  FakeCluster& operator[](const std::string& name) { return *clusters_.at(name); }
  // For ExecutorOptions::topology_manager: routes a URL to the cluster that serves it.
  StatusOr<int> CallTopologyManager(const std::string& url);

  StatusOr<std::shared_ptr<statestore::HeronStore>> ConnectHeron(
      const controller::ClusterSpec& cluster,
      std::function<void(const std::string&)> on_change) override;
  StatusOr<std::shared_ptr<aurora::AuroraApi>> ConnectAurora(
      const controller::ClusterSpec& cluster) override;

 private:
  const Clock& clock_;
  std::map<std::string, std::unique_ptr<FakeCluster>> clusters_;
};

// The clusters-file entry of a fake cluster: its Heron state at fake:2181 under /heron, its
// Aurora at http://fake-aurora (what FakeConnector serves for any name).
controller::ClusterSpec FakeClusterSpec(const std::string& name);

}  // namespace hgo::testing
