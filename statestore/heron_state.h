// Heron's state in ZooKeeper: the directories under the root (Heron's CuratorStateManager), reads,
// writes and deletes of a topology's nodes, and a cache kept fresh by watches so the controller
// reads without polling.
//
// Writes replace a node's data in place (setData) when it exists, so there is no window in which
// a watched node (the packing plan the executors follow) is missing. The order in which a
// topology's nodes are created and deleted is the controller's business (docs/operations.md).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "crd/heron_version.h"
#include "statestore/fence.h"
#include "statestore/zk_client.h"

namespace hgo::statestore {

enum class HeronDir {
  kTopologies,
  kPackingPlans,
  kExecutionState,
  kSchedulers,
  kTManagers,  // "tmasters" for Heron <= 0.20.2
  kPhysicalPlans,
  kMetricsCaches,
  kStatefulCheckpoints,
  kLocks,
  // "tmasters" whatever the layout: the cache watches both names, since each topology's own
  // Heron release (spec.heron.version) picks the one its topology manager registers under.
  kTMasters,
};

using crd::UsesTMasterNames;

struct HeronLayout {
  std::string root = "/heron";
  bool tmaster_names = false;

  std::string DirName(HeronDir d) const;
  std::string DirPath(HeronDir d) const;
  std::string NodePath(HeronDir d, const std::string& topology) const;
  static std::vector<HeronDir> AllDirs();
};

class HeronState {
 public:
  // Writes go through fence when given (statestore/fence.h), straight to zk otherwise.
  HeronState(ZkClient& zk, HeronLayout layout, ZkFence* fence = nullptr)
      : zk_(zk), writer_{zk, fence}, layout_(std::move(layout)) {}

  // Creates the root and all nine directories as persistent nodes (Heron's own tools may create
  // them as container nodes, which the server deletes when empty).
  Status EnsureTree();
  // nullopt when the node does not exist.
  StatusOr<std::optional<std::string>> Read(HeronDir d, const std::string& topology);
  // Creates the node, or replaces its data when it exists.
  Status Write(HeronDir d, const std::string& topology, const std::string& bytes);
  // Writes several of the topology's nodes in one transaction when they all exist or none
  // does (one log sync instead of one per node; a submission and an update are both); node
  // by node, in order, when some exist.
  Status WriteAll(const std::string& topology,
                  const std::vector<std::pair<HeronDir, std::string>>& nodes);
  // Deletes the node; a missing node is fine.
  Status Remove(HeronDir d, const std::string& topology);
  // Deletes d/<node> and everything under it (a Curator lock's holders, a topology's stateful
  // checkpoints); a missing node is fine.
  Status RemoveTree(HeronDir d, const std::string& node);
  StatusOr<std::vector<std::string>> List(HeronDir d);
  const HeronLayout& layout() const { return layout_; }

 private:
  ZkClient& zk_;
  const ZkWriter writer_;
  HeronLayout layout_;
};

// What the cache knows of one topology: the bytes of each node that exists (as the cache's
// filter, if any, left them).
struct HeronSnapshot {
  std::map<HeronDir, std::string> nodes;
  // Changes whenever any of the topology's nodes does (a counter over the whole cache, so a
  // topology deleted and created again gets a new one); 0 when not from a cache.
  uint64_t version = 0;
  bool Has(HeronDir d) const { return nodes.count(d) > 0; }
  const std::string* Get(HeronDir d) const {
    auto it = nodes.find(d);
    return it == nodes.end() ? nullptr : &it->second;
  }
};

// Mirrors topologies, packingplans, executionstate, schedulers, tmanagers and tmasters (give it a
// layout without tmaster_names: both directories are watched, a topology's release picks one)
// and pplans through watches. on_change(name) runs on the ZkClient's dispatcher thread after any
// node of that topology appears, changes or disappears. A new session (after expiry) reloads
// everything; until that reload has completed the cache keeps serving its last snapshots and
// fresh() is false, so a reader can tell "missing" from "not known yet".
// Thread-safety: Get and Names may be called from any thread.
class HeronStateCache {
 public:
  // What of a node's bytes the cache keeps (a reader that needs a few fields of large nodes
  // need not hold them whole); by default, everything.
  using NodeFilter = std::function<std::string(HeronDir, std::string bytes)>;
  HeronStateCache(ZkClient& zk, HeronLayout layout,
                  std::function<void(const std::string&)> on_change, NodeFilter filter = nullptr);
  ~HeronStateCache();

  // Loads everything and arms the watches; returns when the initial load is done.
  Status Start();
  // Null when no node of the topology exists. Shared, never modified: a change replaces it.
  std::shared_ptr<const HeronSnapshot> Get(const std::string& topology) const;
  std::vector<std::string> Names() const;
  // ZooKeeper reads done so far (for the benchmarks: reads per pass should be zero at rest).
  uint64_t reads() const;
  // True once a load has completed since the cache's session began; false from a session's
  // loss until the reload on its successor completes (the snapshots are then the last ones
  // read, and may be stale).
  bool fresh() const;

  static std::vector<HeronDir> WatchedDirs();
  // Failpoint at the start of each (re)load: error makes it fail and be retried.
  static const char* const kReloadFailpoint;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace hgo::statestore
