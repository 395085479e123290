#include "testing/fakes/fake_heron_store.h"

#include "statestore/heron_lock.h"

namespace hgo::testing {

using statestore::HeronDir;
using statestore::HeronLayout;

namespace {
// The view's layout: both tmanagers/ and tmasters/, as HeronStateCache watches them.
HeronLayout ViewLayout(const std::string& root) { return HeronLayout{root, false}; }
}  // namespace

// A lease node under the lock's leases/, as HeronUpdateLock's: deleting the lock node (as
// `heron kill` does) frees the lock, and releasing a lease already gone is fine.
class FakeHeronStore::FakeLease final : public statestore::HeronStore::Lease {
 public:
  FakeLease(FakeHeronStore& store, std::string path) : store_(store), path_(std::move(path)) {}
  ~FakeLease() override { (void)Release(); }
  Status Release() override {
    std::lock_guard<std::mutex> lock(store_.mu_);
    store_.nodes_.erase(path_);
    return Status::Ok();
  }

 private:
  FakeHeronStore& store_;
  const std::string path_;
};

FakeHeronStore::FakeHeronStore(std::string root, std::function<void(const std::string&)> on_change,
                               statestore::HeronStateCache::NodeFilter filter)
    : root_(std::move(root)), on_change_(std::move(on_change)), filter_(std::move(filter)) {
  // As HeronStateCache's start: the watched directories are made so they can be watched.
  nodes_.emplace(root_, "");
  for (HeronDir d : statestore::HeronStateCache::WatchedDirs()) {
    nodes_.emplace(ViewLayout(root_).DirPath(d), "");
  }
}

Status FakeHeronStore::Check() const {
  return connected_ ? Status::Ok() : Status::Unavailable("fake ZooKeeper: disconnected");
}

bool FakeHeronStore::connected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connected_;
}

bool FakeHeronStore::view_current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return view_current_;
}

void FakeHeronStore::SetViewCurrent(bool current) {
  std::lock_guard<std::mutex> lock(mu_);
  view_current_ = current;
}

void FakeHeronStore::Disconnect() {
  std::lock_guard<std::mutex> lock(mu_);
  connected_ = false;
}

void FakeHeronStore::Reconnect() {
  std::lock_guard<std::mutex> lock(mu_);
  connected_ = true;
}

bool FakeHeronStore::Locked(const std::string& topology) const {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string leases = statestore::UpdateLockPath(root_, topology) + "/leases/";
  auto it = nodes_.lower_bound(leases);
  return it != nodes_.end() && it->first.compare(0, leases.size(), leases) == 0;
}

std::map<std::string, std::string> FakeHeronStore::Nodes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return nodes_;
}

std::string FakeHeronStore::TopologyOf(const std::string& path) const {
  const HeronLayout view = ViewLayout(root_);
  for (HeronDir d : statestore::HeronStateCache::WatchedDirs()) {
    const std::string dir = view.DirPath(d) + "/";
    if (path.compare(0, dir.size(), dir) == 0 && path.find('/', dir.size()) == std::string::npos) {
      return path.substr(dir.size());
    }
  }
  return "";
}

void FakeHeronStore::Changed(const std::string& topology) {
  if (!topology.empty() && on_change_) on_change_(topology);
}

std::vector<std::string> FakeHeronStore::Names() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::set<std::string> names;
  for (const auto& [path, bytes] : nodes_) {
    if (std::string t = TopologyOf(path); !t.empty()) names.insert(t);
  }
  return {names.begin(), names.end()};
}

std::shared_ptr<const statestore::HeronSnapshot> FakeHeronStore::Get(
    const std::string& topology) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto snapshot = std::make_shared<statestore::HeronSnapshot>();
  const HeronLayout view = ViewLayout(root_);
  for (HeronDir d : statestore::HeronStateCache::WatchedDirs()) {
    auto it = nodes_.find(view.NodePath(d, topology));
    if (it == nodes_.end()) continue;
    snapshot->nodes[d] = filter_ ? filter_(d, it->second) : it->second;
  }
  if (snapshot->nodes.empty()) return nullptr;
  snapshot->version = version_;
  return snapshot;
}

Status FakeHeronStore::EnsureTree(const HeronLayout& layout) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Check());
  nodes_.emplace(layout.root, "");
  for (HeronDir d : HeronLayout::AllDirs()) nodes_.emplace(layout.DirPath(d), "");
  return Status::Ok();
}

StatusOr<std::optional<std::string>> FakeHeronStore::Read(const HeronLayout& layout, HeronDir d,
                                                          const std::string& topology) {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Check());
  auto it = nodes_.find(layout.NodePath(d, topology));
  if (it == nodes_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status FakeHeronStore::WriteAll(const HeronLayout& layout, const std::string& topology,
                                const std::vector<std::pair<HeronDir, std::string>>& nodes) {
  for (const auto& [d, bytes] : nodes) HGO_RETURN_IF_ERROR(Write(layout, d, topology, bytes));
  return Status::Ok();
}

Status FakeHeronStore::Write(const HeronLayout& layout, HeronDir d, const std::string& topology,
                             const std::string& bytes) {
  const std::string path = layout.NodePath(d, topology);
  {
    std::lock_guard<std::mutex> lock(mu_);
    HGO_RETURN_IF_ERROR(Check());
    // As ZooKeeper's create: the parent must exist (EnsureTree makes the directories).
    if (!nodes_.count(layout.DirPath(d))) {
      return Status::NotFound("fake ZooKeeper: no node " + layout.DirPath(d));
    }
    nodes_[path] = bytes;
    ++version_;
  }
  Changed(TopologyOf(path));
  return Status::Ok();
}

Status FakeHeronStore::Remove(const HeronLayout& layout, HeronDir d, const std::string& topology) {
  const std::string path = layout.NodePath(d, topology);
  {
    std::lock_guard<std::mutex> lock(mu_);
    HGO_RETURN_IF_ERROR(Check());
    auto it = nodes_.find(path);
    if (it == nodes_.end()) return Status::Ok();
    auto child = nodes_.lower_bound(path + "/");
    if (child != nodes_.end() && child->first.compare(0, path.size() + 1, path + "/") == 0) {
      return Status::FailedPrecondition("fake ZooKeeper: " + path + " has children");
    }
    nodes_.erase(it);
    ++version_;
  }
  Changed(TopologyOf(path));
  return Status::Ok();
}

Status FakeHeronStore::RemoveTree(const HeronLayout& layout, HeronDir d, const std::string& node) {
  const std::string path = layout.NodePath(d, node);
  {
    std::lock_guard<std::mutex> lock(mu_);
    HGO_RETURN_IF_ERROR(Check());
    bool removed = nodes_.erase(path) > 0;
    const std::string below = path + "/";
    auto it = nodes_.lower_bound(below);
    while (it != nodes_.end() && it->first.compare(0, below.size(), below) == 0) {
      it = nodes_.erase(it);
      removed = true;
    }
    if (!removed) return Status::Ok();
    ++version_;
  }
  Changed(TopologyOf(path));
  return Status::Ok();
}

StatusOr<std::unique_ptr<statestore::HeronStore::Lease>> FakeHeronStore::LockForUpdate(
    const std::string& root, const std::string& topology, std::chrono::milliseconds) {
  const std::string lock_node = statestore::UpdateLockPath(root, topology);
  const std::string leases = lock_node + "/leases";
  {
    std::lock_guard<std::mutex> lock(mu_);
    HGO_RETURN_IF_ERROR(Check());
    auto it = nodes_.lower_bound(leases + "/");
    if (it != nodes_.end() && it->first.compare(0, leases.size() + 1, leases + "/") == 0) {
      return Status::Conflict("another actor is performing an update of " + topology);
    }
    // The parents are made as they are needed, as HeronUpdateLock makes them.
    for (size_t slash = lock_node.find('/', 1); slash != std::string::npos;
         slash = lock_node.find('/', slash + 1)) {
      nodes_.emplace(lock_node.substr(0, slash), "");
    }
    nodes_.emplace(lock_node, "");
    nodes_.emplace(leases, "");
    const std::string lease = leases + "/_c_fake-lease-" + std::to_string(++leases_);
    nodes_.emplace(lease, "");
    return std::unique_ptr<Lease>(std::make_unique<FakeLease>(*this, lease));
  }
}

Status FakeHeronStore::Claim() {
  std::lock_guard<std::mutex> lock(mu_);
  HGO_RETURN_IF_ERROR(Check());
  ++claims_;
  return Status::Ok();
}

int FakeHeronStore::claims() const {
  std::lock_guard<std::mutex> lock(mu_);
  return claims_;
}

}  // namespace hgo::testing
