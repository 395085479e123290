// Announces aurora-local in ZooKeeper the way Aurora's leading scheduler does (its
// Finagle ServerSet announcement): an ephemeral sequential <path>/member_NNNNNNNNNN whose data is
// the ServerSet JSON
// {"serviceEndpoint":{...},"additionalEndpoints":{"http":{...}},"status":"ALIVE"}. Re-announced
// on a new session, so clients finding the leader through ZooKeeper always find it.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "statestore/zk_client.h"

namespace hgo::aurora::local {

std::string ServerSetMemberJson(const std::string& host, int port);

class ServerSetAnnouncer {
 public:
  // zk must outlive the announcer.
  static StatusOr<std::unique_ptr<ServerSetAnnouncer>> Start(statestore::ZkClient& zk,
                                                             const std::string& path,
                                                             const std::string& host, int port);
  ~ServerSetAnnouncer();  // withdraws the member node
  const std::string& member_path() const { return member_; }

 private:
  ServerSetAnnouncer(statestore::ZkClient& zk, std::string path, std::string data)
      : zk_(zk), path_(std::move(path)), data_(std::move(data)) {}
  Status Announce();

  statestore::ZkClient& zk_;
  const std::string path_;
  const std::string data_;
  std::string member_;
  int listener_ = 0;
};

}  // namespace hgo::aurora::local
