// HeronStore: Heron's state of one cluster as the controller uses it: a watched view of each
// topology's nodes (what passes observe), the node writes of a pass, and Heron's update lock.
// The executor writes through this interface, never through a ZooKeeper client, so the loop can
// be unit-tested against testing/fake_heron_store.h. ZkHeronStore is the real one; both pass
// testing/contract/heron_store_contract.h.
//
// Layouts: a topology's Heron release decides whether its manager registers under tmanagers/ or
// tmasters/, so each write names its layout; the root is the cluster's.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "statestore/fence.h"
#include "statestore/heron_state.h"
#include "statestore/zk_client.h"

namespace hgo::statestore {

class HeronStore {
 public:
  // A held update lock; destroying it releases it.
  class Lease {
   public:
    virtual ~Lease() = default;
    // A lease already gone (its node deleted, the session lost) is not an error.
    virtual Status Release() = 0;
  };

  virtual ~HeronStore() = default;

  virtual bool connected() const = 0;
  // False from the loss of a ZooKeeper session until the view has been read again on the new
  // one: the view then holds the last snapshots read, which may be stale, and "no node" in it
  // does not mean the node is missing. Nothing may be decided on the view meanwhile.
  virtual bool view_current() const = 0;
  // The watched view: null when no node of the topology exists. It follows writes through
  // ZooKeeper's watches, so it may lag a write by a round trip.
  virtual std::shared_ptr<const HeronSnapshot> Get(const std::string& topology) const = 0;
  virtual uint64_t reads() const = 0;  // ZooKeeper reads made for the view so far
  // The topologies that have a node in the view, sorted.
  virtual std::vector<std::string> Names() const = 0;

  // As HeronState's, under layout.
  virtual Status EnsureTree(const HeronLayout& layout) = 0;
  virtual StatusOr<std::optional<std::string>> Read(const HeronLayout& layout, HeronDir d,
                                                    const std::string& topology) = 0;
  virtual Status Write(const HeronLayout& layout, HeronDir d, const std::string& topology,
                       const std::string& bytes) = 0;
  virtual Status WriteAll(const HeronLayout& layout, const std::string& topology,
                          const std::vector<std::pair<HeronDir, std::string>>& nodes) = 0;
  virtual Status Remove(const HeronLayout& layout, HeronDir d, const std::string& topology) = 0;
  virtual Status RemoveTree(const HeronLayout& layout, HeronDir d, const std::string& node) = 0;

  // Heron's update lock of the topology (heron_lock.h): kConflict when another holder keeps it
  // for timeout.
  virtual StatusOr<std::unique_ptr<Lease>> LockForUpdate(const std::string& root,
                                                         const std::string& topology,
                                                         std::chrono::milliseconds timeout) = 0;

  // Claims the ensemble for this controller's leadership term (statestore/fence.h), so that a
  // deposed leader's writes are refused from now on; kFailedPrecondition "fenced" when a newer
  // leader holds it. Ok and nothing done when writes are not fenced.
  virtual Status Claim() = 0;
};

// How a store fences its writes: the fence node's path and the leadership term.
struct FenceOptions {
  std::string path;
  ZkFence::TermFn term;
};

// Heron's state in a ZooKeeper ensemble: its own session, a HeronStateCache for the view (both
// tmanagers/ and tmasters/ watched), HeronState for writes and HeronUpdateLock for the lock.
class ZkHeronStore final : public HeronStore {
 public:
  // Connects (kUnavailable when the ensemble cannot be reached within connect_timeout) and
  // loads the view of everything under root. on_change and filter as HeronStateCache's.
  static StatusOr<std::unique_ptr<ZkHeronStore>> Open(
      const ZkOptions& options, const std::string& root,
      std::function<void(const std::string&)> on_change,
      HeronStateCache::NodeFilter filter = nullptr, std::optional<FenceOptions> fence = {});
  ~ZkHeronStore() override;

  bool connected() const override;
  bool view_current() const override;
  std::shared_ptr<const HeronSnapshot> Get(const std::string& topology) const override;
  uint64_t reads() const override;
  std::vector<std::string> Names() const override;
  Status EnsureTree(const HeronLayout& layout) override;
  StatusOr<std::optional<std::string>> Read(const HeronLayout& layout, HeronDir d,
                                            const std::string& topology) override;
  Status Write(const HeronLayout& layout, HeronDir d, const std::string& topology,
               const std::string& bytes) override;
  Status WriteAll(const HeronLayout& layout, const std::string& topology,
                  const std::vector<std::pair<HeronDir, std::string>>& nodes) override;
  Status Remove(const HeronLayout& layout, HeronDir d, const std::string& topology) override;
  Status RemoveTree(const HeronLayout& layout, HeronDir d, const std::string& node) override;
  StatusOr<std::unique_ptr<Lease>> LockForUpdate(const std::string& root,
                                                 const std::string& topology,
                                                 std::chrono::milliseconds timeout) override;
  Status Claim() override;

 private:
  explicit ZkHeronStore(std::unique_ptr<ZkClient> zk) : zk_(std::move(zk)) {}
  std::unique_ptr<ZkClient> zk_;
  std::unique_ptr<ZkFence> fence_;          // null: writes are not fenced
  std::unique_ptr<HeronStateCache> cache_;  // destroyed before zk_
};

}  // namespace hgo::statestore
