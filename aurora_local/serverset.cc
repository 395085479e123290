#include "aurora_local/serverset.h"

#include <spdlog/spdlog.h>

#include "common/json.h"

namespace hgo::aurora::local {

std::string ServerSetMemberJson(const std::string& host, int port) {
  Json endpoint = Json::MakeObject();
  endpoint["host"] = Json(host);
  endpoint["port"] = Json(port);
  Json member = Json::MakeObject();
  member["serviceEndpoint"] = endpoint;
  member["additionalEndpoints"]["http"] = endpoint;
  member["status"] = Json("ALIVE");
  return Serialize(member);
}

StatusOr<std::unique_ptr<ServerSetAnnouncer>> ServerSetAnnouncer::Start(statestore::ZkClient& zk,
                                                                        const std::string& path,
                                                                        const std::string& host,
                                                                        int port) {
  std::unique_ptr<ServerSetAnnouncer> a(
      new ServerSetAnnouncer(zk, path, ServerSetMemberJson(host, port)));
  HGO_RETURN_IF_ERROR(zk.EnsurePath(path));
  HGO_RETURN_IF_ERROR(a->Announce());
  ServerSetAnnouncer* self = a.get();
  a->listener_ = zk.AddSessionListener([self](statestore::SessionEvent e) {
    if (e != statestore::SessionEvent::kNewSession) return;
    if (Status s = self->Announce(); !s.ok()) {
      spdlog::error("aurora-local: cannot re-announce in ZooKeeper: {}", s.ToString());
    }
  });
  return a;
}

Status ServerSetAnnouncer::Announce() {
  HGO_ASSIGN_OR_RETURN(member_, zk_.Create(statestore::JoinZkPath(path_, "member_"), data_,
                                           statestore::CreateMode::kEphemeralSequential));
  spdlog::info("aurora-local: announced as {}", member_);
  return Status::Ok();
}

ServerSetAnnouncer::~ServerSetAnnouncer() {
  zk_.RemoveSessionListener(listener_);
  if (!member_.empty()) (void)zk_.Delete(member_, -1);
}

}  // namespace hgo::aurora::local
