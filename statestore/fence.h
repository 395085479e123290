// ZkFence: makes one ZooKeeper session's writes conditional on this controller's leadership, so
// a deposed leader (paused past its session timeout, partitioned, slow) cannot change anything
// once a newer leader has claimed the ensemble.
//
// The fence is a node (path) whose data is the term of the newest leader that claimed the
// ensemble, in decimal. A term is the sequence number of the leader's election node
// (ZkLeaderElector::term), so a later leader always has a larger one. Claim() raises the fence to
// our term, by compare-and-set, and never lowers it: it fails when the fence already holds a
// larger term. Every write is a multi-op {check the fence's version, the write}: once a newer
// leader has claimed the ensemble the fence's version has moved, and an older leader's writes
// fail on the server atomically, whatever session they come through (ZkClient replaces an
// expired session silently, so a session alone fences nothing).
//
// The controller's own ensemble and every cluster's ensemble have a fence at the same path (the
// controller's root + "/fence"): one node where they share an ensemble.
//
// Errors: kFailedPrecondition "fenced: ..." when a newer leader holds the fence, "not the
// leader" when term() is 0; the write's own error otherwise (kNotFound, kConflict, ...).
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "statestore/zk_client.h"

namespace hgo::statestore {

class ZkFence {
 public:
  // The term this process leads in, 0 when it does not lead.
  using TermFn = std::function<int64_t()>;

  ZkFence(ZkClient& zk, std::string path, TermFn term);

  // Makes sure the fence holds our term: one read and at most one write the first time in a
  // term, nothing after that. A newer leader's claim is seen at the next write.
  Status Claim();
  // Reads the fence: Ok when it holds our term (how a leader renews its lease).
  Status Confirm();

  // As ZkClient's, each in a multi-op with the check of the fence.
  StatusOr<std::string> Create(const std::string& path, std::string_view data, CreateMode mode);
  StatusOr<ZkStat> Set(const std::string& path, std::string_view data, int32_t expected_version);
  Status Delete(const std::string& path, int32_t expected_version);
  // Several writes in one multi-op with the check of the fence: all applied or none (one
  // transaction, one log sync on the servers); failed indexes ops.
  ZkMultiResult Multi(std::vector<ZkOp> ops);

  const std::string& path() const { return path_; }

 private:
  // The fence's version under our term; claims it when the term changed.
  StatusOr<int32_t> VersionForTerm(int64_t term);
  // Runs ops after the check of the fence; when the check fails, claims again once (the fence
  // moved: a newer leader, or ours after a reconnect) and retries.
  ZkMultiResult Write(std::vector<ZkOp> ops);
  Status Fenced(int64_t ours, int64_t theirs) const;

  ZkClient& zk_;
  const std::string path_;
  const TermFn term_;
  std::mutex mu_;
  int64_t claimed_term_ = 0;  // the term claimed_version_ was taken under
  int32_t claimed_version_ = -1;
};

// Where a ZooKeeper session writes: through a fence, or straight to the client when fence is
// null (a standalone controller, tools and tests).
struct ZkWriter {
  ZkClient& zk;
  ZkFence* fence = nullptr;

  StatusOr<std::string> Create(const std::string& path, std::string_view data,
                               CreateMode mode) const {
    return fence ? fence->Create(path, data, mode) : zk.Create(path, data, mode);
  }
  StatusOr<ZkStat> Set(const std::string& path, std::string_view data, int32_t version) const {
    return fence ? fence->Set(path, data, version) : zk.Set(path, data, version);
  }
  Status Delete(const std::string& path, int32_t version) const {
    return fence ? fence->Delete(path, version) : zk.Delete(path, version);
  }
  ZkMultiResult Multi(std::vector<ZkOp> ops) const {
    return fence ? fence->Multi(std::move(ops)) : zk.Multi(ops);
  }
};

// The fence's path for a controller whose root is root.
std::string FencePath(const std::string& root);

}  // namespace hgo::statestore
