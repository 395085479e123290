#include "statestore/heron_lock.h"

#include <algorithm>
#include <cstdio>
#include <random>
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

// Creates an ephemeral sequential child of dir, making dir (and its parents) when absent.
StatusOr<std::string> CreateSequential(ZkClient& zk, const std::string& dir,
                                       const std::string& name) {
  auto created = zk.Create(dir + "/" + name, "", CreateMode::kEphemeralSequential);
  if (created.ok() || created.status().code() != StatusCode::kNotFound) return created;
  HGO_RETURN_IF_ERROR(zk.EnsurePath(dir));
  return zk.Create(dir + "/" + name, "", CreateMode::kEphemeralSequential);
}

// The sequence part of a Curator lock node name: what follows `marker` ("lock-").
std::string SequenceOf(const std::string& node, const std::string& marker) {
  const size_t at = node.rfind(marker);
  return at == std::string::npos ? node : node.substr(at + marker.size());
}

std::string BaseName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

void DeleteQuietly(ZkClient& zk, const std::string& path) { (void)zk.Delete(path, -1); }

// The semaphore's internal mutex (Curator's InterProcessMutex over `<lock>/locks`): true once
// `mine` has the lowest sequence number, false when the deadline passes first.
StatusOr<bool> WaitForMutex(ZkClient& zk, const std::string& dir, const std::string& mine,
                            Clock::time_point deadline) {
  const std::string name = BaseName(mine);
  while (true) {
    HGO_ASSIGN_OR_RETURN(std::vector<std::string> children, zk.GetChildren(dir));
    std::sort(children.begin(), children.end(), [](const std::string& a, const std::string& b) {
      return SequenceOf(a, "lock-") < SequenceOf(b, "lock-");
    });
    if (children.empty() || std::find(children.begin(), children.end(), name) == children.end()) {
      return Status::Unavailable("the update lock's mutex node " + mine + " vanished");
    }
    if (children.front() == name) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPoll);
  }
}

// The lease is held once at most one lease exists (a semaphore of one), false at the deadline.
StatusOr<bool> WaitForLease(ZkClient& zk, const std::string& dir, Clock::time_point deadline) {
  while (true) {
    HGO_ASSIGN_OR_RETURN(std::vector<std::string> leases, zk.GetChildren(dir));
    if (leases.size() <= 1) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPoll);
  }
}

}  // namespace

std::string UpdateLockPath(const std::string& root, const std::string& topology) {
  return (root == "/" ? "" : root) + "/locks/" + topology + "__updateTopology";
}

StatusOr<std::unique_ptr<HeronUpdateLock>> HeronUpdateLock::Acquire(
    ZkClient& zk, const std::string& path, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string prefix = ProtectedPrefix();
  HGO_ASSIGN_OR_RETURN(std::string mutex, CreateSequential(zk, path + "/locks", prefix + "lock-"));
  auto held = WaitForMutex(zk, path + "/locks", mutex, deadline);
  if (!held.ok() || !*held) {
    DeleteQuietly(zk, mutex);
    if (!held.ok()) return held.status();
    return Status::Conflict("Heron's update lock " + path +
                            " is held by another client (a `heron update`?)");
  }
  auto lease = CreateSequential(zk, path + "/leases", prefix + "lease-");
  StatusOr<bool> leased =
      lease.ok() ? WaitForLease(zk, path + "/leases", deadline) : StatusOr<bool>(lease.status());
  DeleteQuietly(zk, mutex);  // the mutex only guards taking a lease
  if (!leased.ok() || !*leased) {
    if (lease.ok()) DeleteQuietly(zk, *lease);
    if (!leased.ok()) return leased.status();
    return Status::Conflict("Heron's update lock " + path +
                            " is held by another client (a `heron update`?)");
  }
  return std::unique_ptr<HeronUpdateLock>(new HeronUpdateLock(zk, std::move(*lease)));
}

HeronUpdateLock::~HeronUpdateLock() { (void)Release(); }

Status HeronUpdateLock::Release() {
  if (lease_.empty()) return Status::Ok();
  Status s = zk_.Delete(lease_, -1);
  lease_.clear();
  if (s.code() == StatusCode::kNotFound) return Status::Ok();
  return s;
}

}  // namespace hgo::statestore
