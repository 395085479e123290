// StateStore: the controller's versioned records, with compare-and-set on every write, so a
// deposed leader can never overwrite the new leader's work.
//
// Implementations: InMemoryStateStore (unit tests, single-node dry runs) and ZkStateStore. Both
// pass testing/contract/state_store_contract.h.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "crd/topology.h"
#include "statestore/records.h"

namespace hgo::statestore {

// expected_version for "must not exist yet".
inline constexpr int64_t kMustNotExist = -1;

struct VersionedRecord {
  TopologyRecord record;
  int64_t version = 0;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // nullopt when there is no record for key.
  virtual StatusOr<std::optional<VersionedRecord>> GetRecord(const crd::TopologyKey& key) = 0;
  // Writes r if the stored version is expected_version (kMustNotExist: if there is none).
  // Returns the new version; kConflict when the version does not match (re-read and retry).
  virtual StatusOr<int64_t> PutRecord(const TopologyRecord& r, int64_t expected_version) = 0;
  // kConflict when the version does not match; kNotFound when there is no record.
  virtual Status DeleteRecord(const crd::TopologyKey& key, int64_t expected_version) = 0;
  virtual StatusOr<std::vector<crd::TopologyKey>> ListRecords() = 0;

  // Specs received through the spool directory, by file name, so a restart remembers them.
  virtual Status PutSpoolSpec(const std::string& name, const std::string& yaml) = 0;
  virtual Status DeleteSpoolSpec(const std::string& name) = 0;  // absent is fine
  virtual StatusOr<std::map<std::string, std::string>> ListSpoolSpecs() = 0;
};

// Spool names become node names: 1-200 of [A-Za-z0-9_.-], not "." or "..".
bool IsValidSpoolName(const std::string& name);

class InMemoryStateStore final : public StateStore {
 public:
  StatusOr<std::optional<VersionedRecord>> GetRecord(const crd::TopologyKey& key) override;
  StatusOr<int64_t> PutRecord(const TopologyRecord& r, int64_t expected_version) override;
  Status DeleteRecord(const crd::TopologyKey& key, int64_t expected_version) override;
  StatusOr<std::vector<crd::TopologyKey>> ListRecords() override;
  Status PutSpoolSpec(const std::string& name, const std::string& yaml) override;
  Status DeleteSpoolSpec(const std::string& name) override;
  StatusOr<std::map<std::string, std::string>> ListSpoolSpecs() override;

  // The next call of any method returns s instead of doing its work (fault injection).
  void FailNext(Status s);

 private:
  Status TakeFault();
  std::mutex mu_;
  // Stored serialised, as in ZooKeeper, so the (de)serialisation is exercised too.
  std::map<crd::TopologyKey, std::pair<std::string, int64_t>> records_;
  std::map<std::string, std::string> spool_;
  std::optional<Status> fault_;
};

class ZkClient;

class ZkFence;

// Layout under root: records/<cluster~role~environment~name> (JSON), spool/<name> (YAML).
class ZkStateStore final : public StateStore {
 public:
  // The fence a write goes through, by the cluster of the record it writes ("" for the spool);
  // null: unfenced. Sharded controllers fence each cluster's records by that cluster's
  // leadership (controller/shards.h).
  using FenceFor = std::function<ZkFence*(const std::string& cluster)>;

  // Creates root/records and root/spool if missing. zk (and fence) must outlive the store;
  // with a fence, every write is made through it (statestore/fence.h).
  static StatusOr<std::unique_ptr<ZkStateStore>> Create(ZkClient& zk, std::string root,
                                                        ZkFence* fence = nullptr);
  static StatusOr<std::unique_ptr<ZkStateStore>> Create(ZkClient& zk, std::string root,
                                                        FenceFor fence_for);

  StatusOr<std::optional<VersionedRecord>> GetRecord(const crd::TopologyKey& key) override;
  StatusOr<int64_t> PutRecord(const TopologyRecord& r, int64_t expected_version) override;
  Status DeleteRecord(const crd::TopologyKey& key, int64_t expected_version) override;
  StatusOr<std::vector<crd::TopologyKey>> ListRecords() override;
  Status PutSpoolSpec(const std::string& name, const std::string& yaml) override;
  Status DeleteSpoolSpec(const std::string& name) override;
  StatusOr<std::map<std::string, std::string>> ListSpoolSpecs() override;

 private:
  ZkStateStore(ZkClient& zk, std::string root, FenceFor fence_for)
      : zk_(zk), fence_for_(std::move(fence_for)), root_(std::move(root)) {}
  std::string RecordPath(const crd::TopologyKey& key) const;
  ZkFence* FenceOf(const std::string& cluster) const {
    return fence_for_ ? fence_for_(cluster) : nullptr;
  }
  ZkClient& zk_;
  const FenceFor fence_for_;
  std::string root_;
};

}  // namespace hgo::statestore
