#include <algorithm>

#include "statestore/state_store.h"

namespace hgo::statestore {

bool IsValidSpoolName(const std::string& name) {
  if (name.empty() || name.size() > 200 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

void InMemoryStateStore::FailNext(Status s) {
  std::lock_guard<std::mutex> lock(mu_);
  fault_ = std::move(s);
}

Status InMemoryStateStore::TakeFault() {
  if (!fault_) return Status::Ok();
  Status s = *fault_;
  fault_.reset();
  return s;
}

StatusOr<std::optional<VersionedRecord>> InMemoryStateStore::GetRecord(
    const crd::TopologyKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(TakeFault());
  auto it = records_.find(key);
  if (it == records_.end()) return std::optional<VersionedRecord>();
  HGO_ASSIGN_OR_RETURN(TopologyRecord r, ParseRecord(it->second.first));
  return std::optional<VersionedRecord>(VersionedRecord{std::move(r), it->second.second});
}

StatusOr<int64_t> InMemoryStateStore::PutRecord(const TopologyRecord& r, int64_t expected_version) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(TakeFault());
  auto it = records_.find(r.key);
  if (expected_version == kMustNotExist) {
    if (it != records_.end()) {
      return Status::Conflict("record " + r.key.ToString() + " already exists");
    }
    records_[r.key] = {SerializeRecord(r), 0};
    return int64_t{0};
  }
  if (it == records_.end() || it->second.second != expected_version) {
    return Status::Conflict("record " + r.key.ToString() + " changed (expected version " +
                            std::to_string(expected_version) + ")");
  }
  it->second = {SerializeRecord(r), expected_version + 1};
  return expected_version + 1;
}

Status InMemoryStateStore::DeleteRecord(const crd::TopologyKey& key, int64_t expected_version) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(TakeFault());
  auto it = records_.find(key);
  if (it == records_.end()) return Status::NotFound("no record " + key.ToString());
  if (expected_version != -1 && it->second.second != expected_version) {
    return Status::Conflict("record " + key.ToString() + " changed");
  }
  records_.erase(it);
  return Status::Ok();
}

StatusOr<std::vector<crd::TopologyKey>> InMemoryStateStore::ListRecords() {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(TakeFault());
  std::vector<crd::TopologyKey> keys;
  for (const auto& [k, v] : records_) keys.push_back(k);
  return keys;
}

Status InMemoryStateStore::PutSpoolSpec(const std::string& name, const std::string& yaml) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(TakeFault());
  if (!IsValidSpoolName(name)) return Status::InvalidArgument("bad spool name '" + name + "'");
  spool_[name] = yaml;
  return Status::Ok();
}

Status InMemoryStateStore::DeleteSpoolSpec(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(TakeFault());
  spool_.erase(name);
  return Status::Ok();
}

StatusOr<std::map<std::string, std::string>> InMemoryStateStore::ListSpoolSpecs() {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(TakeFault());
  return spool_;
}

}  // namespace hgo::statestore
