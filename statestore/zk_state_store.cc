#include "statestore/fence.h"
#include "statestore/state_store.h"
#include "statestore/zk_client.h"

namespace hgo::statestore {

StatusOr<std::unique_ptr<ZkStateStore>> ZkStateStore::Create(ZkClient& zk, std::string root,
                                                             ZkFence* fence) {
  FenceFor fence_for;
  if (fence) fence_for = [fence](const std::string&) { return fence; };
  return Create(zk, std::move(root), std::move(fence_for));
}

StatusOr<std::unique_ptr<ZkStateStore>> ZkStateStore::Create(ZkClient& zk, std::string root,
                                                             FenceFor fence_for) {
  HGO_RETURN_IF_ERROR(zk.EnsurePath(JoinZkPath(root, "records")));
  HGO_RETURN_IF_ERROR(zk.EnsurePath(JoinZkPath(root, "spool")));
  return std::unique_ptr<ZkStateStore>(new ZkStateStore(zk, std::move(root), std::move(fence_for)));
}

std::string ZkStateStore::RecordPath(const crd::TopologyKey& key) const {
  return JoinZkPath(JoinZkPath(root_, "records"), KeyToNodeName(key));
}

StatusOr<std::optional<VersionedRecord>> ZkStateStore::GetRecord(const crd::TopologyKey& key) {
  auto node = zk_.Get(RecordPath(key));
  if (!node.ok()) {
    if (node.status().code() == StatusCode::kNotFound) return std::optional<VersionedRecord>();
    return node.status();
  }
  auto record = ParseRecord(node->data);
  if (!record.ok()) return record.status().WithContext(RecordPath(key));
  return std::optional<VersionedRecord>(VersionedRecord{std::move(*record), node->stat.version});
}

StatusOr<int64_t> ZkStateStore::PutRecord(const TopologyRecord& r, int64_t expected_version) {
  const std::string path = RecordPath(r.key);
  const std::string data = SerializeRecord(r);
  if (expected_version == kMustNotExist) {
    auto created =
        ZkWriter{zk_, FenceOf(r.key.cluster)}.Create(path, data, CreateMode::kPersistent);
    if (created.ok()) return int64_t{0};
    if (created.status().code() == StatusCode::kAlreadyExists) {
      return Status::Conflict("record " + r.key.ToString() + " already exists");
    }
    return created.status();
  }
  auto stat =
      ZkWriter{zk_, FenceOf(r.key.cluster)}.Set(path, data, static_cast<int32_t>(expected_version));
  if (stat.ok()) return int64_t{stat->version};
  // A record deleted behind us is a conflict too: the caller's view is stale.
  if (stat.status().code() == StatusCode::kNotFound) {
    return Status::Conflict("record " + r.key.ToString() + " was deleted");
  }
  return stat.status();
}

Status ZkStateStore::DeleteRecord(const crd::TopologyKey& key, int64_t expected_version) {
  return ZkWriter{zk_, FenceOf(key.cluster)}.Delete(RecordPath(key),
                                                    static_cast<int32_t>(expected_version));
}

StatusOr<std::vector<crd::TopologyKey>> ZkStateStore::ListRecords() {
  HGO_ASSIGN_OR_RETURN(auto names, zk_.GetChildren(JoinZkPath(root_, "records")));
  std::vector<crd::TopologyKey> keys;
  for (const auto& n : names) {
    auto key = NodeNameToKey(n);
    if (key.ok()) keys.push_back(*key);  // foreign nodes are ignored, not fatal
  }
  return keys;
}

Status ZkStateStore::PutSpoolSpec(const std::string& name, const std::string& yaml) {
  if (!IsValidSpoolName(name)) return Status::InvalidArgument("bad spool name '" + name + "'");
  const std::string path = JoinZkPath(JoinZkPath(root_, "spool"), name);
  auto created = ZkWriter{zk_, FenceOf("")}.Create(path, yaml, CreateMode::kPersistent);
  if (created.ok()) return Status::Ok();
  if (created.status().code() != StatusCode::kAlreadyExists) return created.status();
  return ZkWriter{zk_, FenceOf("")}.Set(path, yaml, -1).status();
}

Status ZkStateStore::DeleteSpoolSpec(const std::string& name) {
  Status s = ZkWriter{zk_, FenceOf("")}.Delete(JoinZkPath(JoinZkPath(root_, "spool"), name), -1);
  if (s.code() == StatusCode::kNotFound) return Status::Ok();
  return s;
}

StatusOr<std::map<std::string, std::string>> ZkStateStore::ListSpoolSpecs() {
  const std::string dir = JoinZkPath(root_, "spool");
  HGO_ASSIGN_OR_RETURN(auto names, zk_.GetChildren(dir));
  std::map<std::string, std::string> out;
  for (const auto& n : names) {
    auto node = zk_.Get(JoinZkPath(dir, n));
    if (node.ok()) {
      out[n] = node->data;
    } else if (node.status().code() != StatusCode::kNotFound) {
      return node.status();
    }
  }
  return out;
}

}  // namespace hgo::statestore
