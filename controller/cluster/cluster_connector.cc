#include "controller/cluster/cluster_connector.h"

#include "aurora/http_transport.h"
#include "aurora/role_routed_client.h"
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
                                              KeepObserved, fence_of_(cluster.config.name));
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
  options.ca_file = cluster.aurora_ca_file;
  // Writes wait long (Aurora may take seconds to store a big job; a write that timed out is not
  // sent again). Reads are retried once, so each waits less: a scheduler that does not answer
  // costs an observation ~2 × 8 s before the cluster's breaker (breaker.h) counts it.
  options.timeout = std::chrono::seconds(20);
  options.read_timeout = std::chrono::seconds(8);
  options.max_attempts = 2;
  auto identity = [&](const std::string& file,
                      const std::string& whose) -> StatusOr<aurora::BasicCredentials> {
    auto c = aurora::CredentialsFromFile(file);
    if (!c.ok()) {
      return Status::Unauthenticated("cluster " + cluster.config.name + whose + ": " +
                                     c.status().message());
    }
    return *c;
  };
  if (!cluster.credentials_file.empty()) {
    HGO_ASSIGN_OR_RETURN(options.credentials, identity(cluster.credentials_file, ""));
  }
  auto client = std::make_shared<aurora::ThriftAuroraClient>(options);
  if (cluster.role_credentials.empty()) return std::shared_ptr<aurora::AuroraApi>(client);
  std::map<std::string, aurora::RoleIdentity> by_role;
  for (const auto& [role, file] : cluster.role_credentials) {
    aurora::HttpTransportOptions role_options = options;
    HGO_ASSIGN_OR_RETURN(role_options.credentials, identity(file, ", role " + role));
    by_role[role] =
        aurora::RoleIdentity{role_options.credentials->user,
                             std::make_shared<aurora::ThriftAuroraClient>(std::move(role_options))};
  }
  return std::shared_ptr<aurora::AuroraApi>(
      std::make_shared<aurora::RoleRoutedAurora>(std::move(client), std::move(by_role)));
}

}  // namespace hgo::controller
