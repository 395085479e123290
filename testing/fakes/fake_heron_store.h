// FakeHeronStore: Heron's state of one cluster in memory (statestore/heron_store.h), for unit
// tests of the loop. Nodes are keyed by their ZooKeeper path, so layouts behave as they do in
// ZooKeeper (tmanagers/ and tmasters/ are different nodes); the view is updated within the write
// and on_change runs on the writer's thread, after the store's lock is released. The update
// lock is a lease node where HeronUpdateLock puts it, one holder at a time, without waiting (a
// held lock answers kConflict at once).
// testing/contract/heron_store_contract.h runs the same tests against this and ZkHeronStore.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "statestore/heron_store.h"

namespace hgo::testing {

class FakeHeronStore final : public statestore::HeronStore {
 public:
  // root: the cluster's (the view covers topologies under it); filter as HeronStateCache's.
  FakeHeronStore(std::string root, std::function<void(const std::string&)> on_change,
                 statestore::HeronStateCache::NodeFilter filter = nullptr);

  bool connected() const override;
  bool view_current() const override;
  std::shared_ptr<const statestore::HeronSnapshot> Get(const std::string& topology) const override;
  uint64_t reads() const override { return 0; }
  std::vector<std::string> Names() const override;
  Status EnsureTree(const statestore::HeronLayout& layout) override;
  StatusOr<std::optional<std::string>> Read(const statestore::HeronLayout& layout,
                                            statestore::HeronDir d,
                                            const std::string& topology) override;
  Status Write(const statestore::HeronLayout& layout, statestore::HeronDir d,
               const std::string& topology, const std::string& bytes) override;
  // Node by node (a fake has no transaction to save).
  Status WriteAll(const statestore::HeronLayout& layout, const std::string& topology,
                  const std::vector<std::pair<statestore::HeronDir, std::string>>& nodes) override;
  Status Remove(const statestore::HeronLayout& layout, statestore::HeronDir d,
                const std::string& topology) override;
  Status RemoveTree(const statestore::HeronLayout& layout, statestore::HeronDir d,
                    const std::string& node) override;
  StatusOr<std::unique_ptr<Lease>> LockForUpdate(const std::string& root,
                                                 const std::string& topology,
                                                 std::chrono::milliseconds timeout) override;
  // Fails as other calls do while disconnected; counted.
  Status Claim() override;

  // --- the test's side ---
  void Disconnect();  // calls fail with kUnavailable and connected() is false until Reconnect
  void Reconnect();
  // A session lost and its view not read again yet (view_current() false) until set back.
  void SetViewCurrent(bool current);
  bool Locked(const std::string& topology) const;
  std::map<std::string, std::string> Nodes() const;  // path -> bytes
  int claims() const;

 private:
  class FakeLease;
  Status Check() const;  // mu_ held
  void Changed(const std::string& topology);
  std::string TopologyOf(const std::string& path) const;  // "" when not a topology's node

  const std::string root_;
  std::function<void(const std::string&)> on_change_;
  statestore::HeronStateCache::NodeFilter filter_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> nodes_;  // every node, directories with empty data
  bool connected_ = true;
  bool view_current_ = true;
  uint64_t version_ = 0;
  uint64_t leases_ = 0;
  int claims_ = 0;
};

}  // namespace hgo::testing
