#include "statestore/heron_lock.h"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

namespace hgo::statestore {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(50);

// Curator's protected-mode prefix: "_c_" and a random (version 4) UUID, so a client can find its
// own node after a connection loss in the middle of a create.
std::string ProtectedPrefix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t hi = rng(), lo = rng();
  char uuid[37];
  std::snprintf(uuid, sizeof uuid, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0x0fff),
                static_cast<unsigned>(0x8000 | ((lo >> 48) & 0x3fff)),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return std::string("_c_") + uuid + "-";
}

// Creates a persistent node whose parent may be missing (usually only the last two levels are:
// the topology's lock node and its leases/), without a round trip per level that exists.
Status MakeDir(ZkClient& zk, const std::string& dir) {
  auto created = zk.Create(dir, "", CreateMode::kPersistent);
  if (created.ok() || created.status().code() == StatusCode::kAlreadyExists) return Status::Ok();
  if (created.status().code() != StatusCode::kNotFound) return created.status();
  const std::string parent = dir.substr(0, dir.rfind('/'));
  if (parent.empty()) return created.status();
  HGO_RETURN_IF_ERROR(MakeDir(zk, parent));
  return MakeDir(zk, dir);
}

// Creates an ephemeral sequential child of dir, making dir (and its parents) when absent.
StatusOr<std::string> CreateSequential(ZkClient& zk, const std::string& dir,
                                       const std::string& name) {
  auto created = zk.Create(dir + "/" + name, "", CreateMode::kEphemeralSequential);
  if (created.ok() || created.status().code() != StatusCode::kNotFound) return created;
  HGO_RETURN_IF_ERROR(MakeDir(zk, dir));
  return zk.Create(dir + "/" + name, "", CreateMode::kEphemeralSequential);
}

std::string BaseName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// The leases this process made and has not deleted (held, or being tried): one session may hold
// the locks of several topologies, and two keys of one name (other role or environment) share
// a lock, so a lease of this session is another holder unless it is not one of these.
class LiveLeases {
 public:
  void Add(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    paths_.insert(path);
  }
  void Remove(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    paths_.erase(path);
  }
  bool Has(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mu_);
    return paths_.count(path) > 0;
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string> paths_;
};

LiveLeases& Live() {
  static auto* live = new LiveLeases();
  return *live;
}

void DeleteQuietly(ZkClient& zk, const std::string& path) {
  (void)zk.Delete(path, -1);
  Live().Remove(path);
}

// Whether `mine` is the only lease under dir. Every holder, Curator's or ours, added its lease
// and then counted at most one, so two leases mean someone else holds or is trying.
// A lease of this very session that this process does not know is one whose create answer was
// lost (the connection dropped after the server made it): it is deleted, as Curator's protected
// mode finds and deletes its own, rather than keeping this session out until it ends.
StatusOr<bool> OnlyLease(ZkClient& zk, const std::string& dir, const std::string& mine) {
  HGO_ASSIGN_OR_RETURN(std::vector<std::string> leases, zk.GetChildren(dir));
  if (std::find(leases.begin(), leases.end(), BaseName(mine)) == leases.end()) {
    return Status::Unavailable("the update lock's lease " + mine + " vanished");
  }
  size_t others = 0;
  for (const auto& lease : leases) {
    if (lease == BaseName(mine)) continue;
    auto stat = zk.Exists(dir + "/" + lease);
    if (stat.ok() && *stat && (*stat)->ephemeral_owner == zk.session_id() &&
        !Live().Has(dir + "/" + lease)) {
      DeleteQuietly(zk, dir + "/" + lease);
      continue;
    }
    ++others;
  }
  return others == 0;
}

}  // namespace

std::string UpdateLockPath(const std::string& root, const std::string& topology) {
  return (root == "/" ? "" : root) + "/locks/" + topology + "__updateTopology";
}

StatusOr<std::unique_ptr<HeronUpdateLock>> HeronUpdateLock::Acquire(
    ZkClient& zk, const std::string& path, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string dir = path + "/leases";
  const std::string name = ProtectedPrefix() + "lease-";
  while (true) {
    HGO_ASSIGN_OR_RETURN(std::string lease, CreateSequential(zk, dir, name));
    Live().Add(lease);
    auto only = OnlyLease(zk, dir, lease);
    if (only.ok() && *only) {
      return std::unique_ptr<HeronUpdateLock>(new HeronUpdateLock(zk, std::move(lease)));
    }
    // Someone else's lease: step back (a Curator client waiting on its own lease sees ours go)
    // and try again until the deadline.
    DeleteQuietly(zk, lease);
    if (!only.ok()) return only.status();
    if (Clock::now() >= deadline) {
      return Status::Conflict("Heron's update lock " + path +
                              " is held by another client (a `heron update`?)");
    }
    std::this_thread::sleep_for(kPoll);
  }
}

HeronUpdateLock::~HeronUpdateLock() { (void)Release(); }

Status HeronUpdateLock::Release() {
  if (lease_.empty()) return Status::Ok();
  Status s = zk_.Delete(lease_, -1);
  Live().Remove(lease_);
  lease_.clear();
  if (s.code() == StatusCode::kNotFound) return Status::Ok();
  return s;
}

}  // namespace hgo::statestore
