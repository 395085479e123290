// ClusterConnector: how the controller reaches a cluster's servers. The loop asks it for Heron's
// state and for Aurora clients, and never dials a server itself, so it can be driven against
// fakes (testing/fake_cluster.h) as well as against ZooKeeper and Aurora.
//
// Connections are asked for lazily and again on every pass until they succeed: a cluster whose
// servers are down at start-up joins when they come back.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aurora/aurora_api.h"
#include "aurora/serverset_discovery.h"
#include "common/status.h"
#include "controller/cluster/clusters.h"
#include "statestore/heron_store.h"
#include "statestore/zk_client.h"

namespace hgo::controller {

class ClusterConnector {
 public:
  virtual ~ClusterConnector() = default;
  // Heron's state of the cluster, its view loaded; on_change(name) runs (on any thread) when a
  // topology's nodes change. kUnavailable when its ZooKeeper cannot be reached.
  virtual StatusOr<std::shared_ptr<statestore::HeronStore>> ConnectHeron(
      const ClusterSpec& cluster, std::function<void(const std::string&)> on_change) = 0;
  // One Aurora client; the loop asks for one per worker (a client serialises its calls).
  virtual StatusOr<std::shared_ptr<aurora::AuroraApi>> ConnectAurora(
      const ClusterSpec& cluster) = 0;
};

// The real servers: ZooKeeper (ZkHeronStore, filtered by observe.h's KeepObserved) and Aurora
// over HTTP at the cluster's URL or found through its serverset, with its credentials file.
// A serverset's discovery is shared by the cluster's clients and lives as long as this.
class ServerConnector final : public ClusterConnector {
 public:
  // The fence of each cluster's Heron state, by cluster name (nullopt: unfenced).
  using FenceOf = std::function<std::optional<statestore::FenceOptions>(const std::string&)>;

  // With fence, every cluster's Heron state is written through a fence at fence->path
  // (statestore/fence.h) under fence->term.
  explicit ServerConnector(std::optional<statestore::FenceOptions> fence = {})
      : fence_of_([fence](const std::string&) { return fence; }) {}
  // Each cluster's fence of its own (sharded controllers: each cluster's leadership).
  explicit ServerConnector(FenceOf fence_of) : fence_of_(std::move(fence_of)) {}
  ~ServerConnector() override;
  StatusOr<std::shared_ptr<statestore::HeronStore>> ConnectHeron(
      const ClusterSpec& cluster, std::function<void(const std::string&)> on_change) override;
  StatusOr<std::shared_ptr<aurora::AuroraApi>> ConnectAurora(const ClusterSpec& cluster) override;

 private:
  struct Discovery {
    std::unique_ptr<statestore::ZkClient> zk;
    std::shared_ptr<aurora::ServerSetDiscovery> discovery;  // released before zk
  };
  StatusOr<std::shared_ptr<aurora::ServerSetDiscovery>> DiscoveryOf(const ClusterSpec& cluster);
  const FenceOf fence_of_;
  std::mutex mu_;
  std::map<std::string, Discovery> discoveries_;  // by cluster name
};

}  // namespace hgo::controller
