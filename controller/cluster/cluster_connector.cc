#include "controller/cluster/cluster_connector.h"

#include "aurora/http_transport.h"
#include "aurora/thrift_client.h"
#include "controller/cluster/observe.h"

namespace hgo::controller {

namespace {
constexpr auto kConnectTimeout = std::chrono::seconds(3);
}  // namespace

ServerConnector::~ServerConnector() {
  for (auto& [name, d] : discoveries_) d.discovery.reset();
}

StatusOr<std::shared_ptr<statestore::HeronStore>> ServerConnector::ConnectHeron(
    const ClusterSpec& cluster, std::function<void(const std::string&)> on_change) {
  statestore::ZkOptions o;
  o.servers = cluster.config.statemgr_connection;
  o.connect_timeout = kConnectTimeout;
  auto store = statestore::ZkHeronStore::Open(o, cluster.config.statemgr_root, std::move(on_change),
                                              KeepObserved, fence_);
  if (!store.ok()) {
    return Status::Unavailable("cluster " + cluster.config.name +
                               ": Heron's state: " + store.status().message());
  }
  return std::shared_ptr<statestore::HeronStore>(std::move(*store));
}

StatusOr<std::shared_ptr<aurora::ServerSetDiscovery>> ServerConnector::DiscoveryOf(
    const ClusterSpec& cluster) {
  const std::string& name = cluster.config.name;
  std::lock_guard<std::mutex> lock(mu_);
  Discovery& d = discoveries_[name];
  if (d.discovery) return d.discovery;
  if (!d.zk) {
    statestore::ZkOptions o;
    o.servers = cluster.aurora_zookeeper;
    o.connect_timeout = kConnectTimeout;
    auto zk = statestore::ZkClient::Connect(o);
    if (!zk.ok()) {
      return Status::Unavailable("cluster " + name +
                                 ": Aurora's ZooKeeper: " + zk.status().message());
    }
    d.zk = std::move(*zk);
  }
  auto started = aurora::ServerSetDiscovery::Start(*d.zk, cluster.aurora_path);
  if (!started.ok()) {
    return Status::Unavailable("cluster " + name +
                               ": Aurora serverset: " + started.status().message());
  }
  d.discovery = *started;
  return d.discovery;
}

StatusOr<std::shared_ptr<aurora::AuroraApi>> ServerConnector::ConnectAurora(
    const ClusterSpec& cluster) {
  aurora::HttpTransportOptions options;
  if (!cluster.aurora_zookeeper.empty()) {
    HGO_ASSIGN_OR_RETURN(std::shared_ptr<aurora::ServerSetDiscovery> discovery,
                         DiscoveryOf(cluster));
    std::weak_ptr<aurora::ServerSetDiscovery> weak = discovery;
    options.schedulers = [weak] {
      auto d = weak.lock();
      return d ? d->Urls() : std::vector<std::string>{};
    };
  } else {
    const std::string url = cluster.aurora_url;
    options.schedulers = [url] { return std::vector<std::string>{url}; };
  }
  if (!cluster.credentials_file.empty()) {
    auto c = aurora::CredentialsFromFile(cluster.credentials_file);
    if (!c.ok()) {
      return Status::Unauthenticated("cluster " + cluster.config.name + ": " +
                                     c.status().message());
    }
    options.credentials = *c;
  }
  // Writes wait long (Aurora may take seconds to store a big job; a write that timed out is not
  // sent again). Reads are retried once, so each waits less: a scheduler that does not answer
  // costs an observation ~2 × 8 s before the cluster's breaker (breaker.h) counts it.
  options.timeout = std::chrono::seconds(20);
  options.read_timeout = std::chrono::seconds(8);
  options.max_attempts = 2;
  return std::shared_ptr<aurora::AuroraApi>(
      std::make_shared<aurora::ThriftAuroraClient>(std::move(options)));
}

}  // namespace hgo::controller
