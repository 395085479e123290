// Finding the leading Aurora scheduler through ZooKeeper, as Aurora's own client does
// (its Finagle ServerSet announcement): the first child named member_* under the serverset path
// holds the leader's ServerSet JSON; its additionalEndpoints["https"] gives https://host:port, else
// ["http"] gives http://host:port, else serviceEndpoint. A watch keeps the answer fresh, so a
// failover is followed without polling.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "statestore/zk_client.h"

namespace hgo::aurora {

// The scheduler URL of one member's JSON; kInvalidArgument for anything else.
StatusOr<std::string> UrlFromServerSetMember(const std::string& json);

class ServerSetDiscovery {
 public:
  // zk must outlive this object. Fails when the path holds no usable member.
  static StatusOr<std::shared_ptr<ServerSetDiscovery>> Start(statestore::ZkClient& zk,
                                                             const std::string& path);
  ~ServerSetDiscovery();
  // The leader's URL as last seen (empty while there is none); for HttpTransportOptions.
  std::vector<std::string> Urls() const;

 private:
  ServerSetDiscovery(statestore::ZkClient& zk, std::string path)
      : zk_(zk), path_(std::move(path)) {}
  Status Refresh();

  statestore::ZkClient& zk_;
  const std::string path_;
  std::weak_ptr<ServerSetDiscovery> self_;
  int listener_ = 0;
  mutable std::mutex mu_;
  std::string url_;
};

}  // namespace hgo::aurora
