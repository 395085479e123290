#include "statestore/heron_store.h"

#include "statestore/heron_lock.h"

namespace hgo::statestore {

namespace {

class ZkLease final : public HeronStore::Lease {
 public:
  explicit ZkLease(std::unique_ptr<HeronUpdateLock> lock) : lock_(std::move(lock)) {}
  Status Release() override { return lock_->Release(); }

 private:
  std::unique_ptr<HeronUpdateLock> lock_;
};

}  // namespace

StatusOr<std::unique_ptr<ZkHeronStore>> ZkHeronStore::Open(
    const ZkOptions& options, const std::string& root,
    std::function<void(const std::string&)> on_change, HeronStateCache::NodeFilter filter,
    std::optional<FenceOptions> fence) {
  HGO_ASSIGN_OR_RETURN(std::unique_ptr<ZkClient> zk, ZkClient::Connect(options));
  std::unique_ptr<ZkHeronStore> store(new ZkHeronStore(std::move(zk)));
  if (fence) {
    store->fence_ = std::make_unique<ZkFence>(*store->zk_, fence->path, std::move(fence->term));
  }
  // Both tmanagers/ and tmasters/ are watched: each topology's release picks its own.
  store->cache_ =
      std::make_unique<HeronStateCache>(*store->zk_, HeronLayout{root, /*tmaster_names=*/false},
                                        std::move(on_change), std::move(filter));
  HGO_RETURN_IF_ERROR(store->cache_->Start());
  return store;
}

ZkHeronStore::~ZkHeronStore() { cache_.reset(); }

Status ZkHeronStore::Claim() { return fence_ ? fence_->Claim() : Status::Ok(); }

bool ZkHeronStore::connected() const { return zk_->connected(); }
bool ZkHeronStore::view_current() const { return cache_->fresh(); }

std::vector<std::string> ZkHeronStore::Names() const { return cache_->Names(); }

std::shared_ptr<const HeronSnapshot> ZkHeronStore::Get(const std::string& topology) const {
  return cache_->Get(topology);
}

uint64_t ZkHeronStore::reads() const { return cache_->reads(); }

Status ZkHeronStore::EnsureTree(const HeronLayout& layout) {
  return HeronState(*zk_, layout, fence_.get()).EnsureTree();
}

StatusOr<std::optional<std::string>> ZkHeronStore::Read(const HeronLayout& layout, HeronDir d,
                                                        const std::string& topology) {
  return HeronState(*zk_, layout, fence_.get()).Read(d, topology);
}

Status ZkHeronStore::Write(const HeronLayout& layout, HeronDir d, const std::string& topology,
                           const std::string& bytes) {
  return HeronState(*zk_, layout, fence_.get()).Write(d, topology, bytes);
}

Status ZkHeronStore::WriteAll(const HeronLayout& layout, const std::string& topology,
                              const std::vector<std::pair<HeronDir, std::string>>& nodes) {
  return HeronState(*zk_, layout, fence_.get()).WriteAll(topology, nodes);
}

Status ZkHeronStore::Remove(const HeronLayout& layout, HeronDir d, const std::string& topology) {
  return HeronState(*zk_, layout, fence_.get()).Remove(d, topology);
}

Status ZkHeronStore::RemoveTree(const HeronLayout& layout, HeronDir d, const std::string& node) {
  return HeronState(*zk_, layout, fence_.get()).RemoveTree(d, node);
}

StatusOr<std::unique_ptr<HeronStore::Lease>> ZkHeronStore::LockForUpdate(
    const std::string& root, const std::string& topology, std::chrono::milliseconds timeout) {
  HGO_ASSIGN_OR_RETURN(auto lock,
                       HeronUpdateLock::Acquire(*zk_, UpdateLockPath(root, topology), timeout));
  return std::unique_ptr<Lease>(std::make_unique<ZkLease>(std::move(lock)));
}

}  // namespace hgo::statestore
