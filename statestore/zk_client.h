// ZkClient: a ZooKeeper session over the C client (zookeeper_mt), with errors as Status.
//
// What it adds to the C client:
// - Blocking calls with ZooKeeper's error codes mapped to Status: ZNONODE -> kNotFound,
//   ZNODEEXISTS -> kAlreadyExists, ZBADVERSION -> kConflict, ZNOTEMPTY -> kFailedPrecondition,
//   connection loss, timeouts and an expired session -> kUnavailable, ZNOAUTH ->
//   kPermissionDenied, ZAUTHFAILED -> kUnauthenticated.
// - Watch callbacks and session events run on a dispatcher thread of this client, never on the C
//   client's own threads, so a callback may call back into ZkClient (a sync call from the C
//   client's completion thread would deadlock).
// - An expired session is replaced by a new one automatically. Listeners hear kSessionLost when
//   the old session is known dead (its ephemeral nodes are gone, its watches will never fire)
//   and kNewSession when the new one is up: owners then re-create ephemerals and re-arm watches.
//   Outstanding watches get WatchEvent::kSessionLost.
// - A chroot in the connect string ("zk:2181/heron-gitops") is created if missing.
// - Optional digest authentication; nodes are then created writable by that user only (and
//   readable by anyone: a fence check from another connection reads them).
//
// Thread-safety: all methods may be called from any thread, including from callbacks.
// Blocking: every call waits for the server (bounded by the session timeout when disconnected).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hgo::statestore {

struct ZkOptions {
  std::string servers;  // "host:port[,host:port...][/chroot]"
  std::chrono::milliseconds session_timeout{10000};
  // How long Connect() waits for the first session.
  std::chrono::milliseconds connect_timeout{15000};
  // While disconnected, a call waits this long for the connection to come back before it fails
  // with kUnavailable. Reads that lose the connection mid-call are retried once after it returns;
  // writes are not (they may have been applied).
  std::chrono::milliseconds wait_for_connection{5000};
  // "user:password" for digest authentication; empty for none. Never logged. With it, the
  // nodes this client creates are writable by that user only, readable by anyone.
  std::string digest;
};

enum class CreateMode { kPersistent, kEphemeral, kPersistentSequential, kEphemeralSequential };

struct ZkStat {
  int32_t version = 0;          // data version, for compare-and-set
  int32_t cversion = 0;         // children version
  int64_t ephemeral_owner = 0;  // session id, 0 for persistent nodes
  int32_t num_children = 0;
  int32_t data_length = 0;
  int64_t mtime_ms = 0;
  int64_t czxid = 0;  // the transaction that created it (every transaction takes the next id)
};

struct ZkNode {
  std::string data;
  ZkStat stat;
};

// One step of a Multi: all of them are applied, or none.
struct ZkOp {
  enum class Kind { kCheck, kCreate, kSet, kDelete };
  Kind kind = Kind::kCheck;
  std::string path;
  std::string data;                           // kCreate, kSet
  int32_t version = -1;                       // kCheck, kSet, kDelete: -1 means any
  CreateMode mode = CreateMode::kPersistent;  // kCreate

  static ZkOp Check(std::string path, int32_t version);
  static ZkOp Create(std::string path, std::string data, CreateMode mode);
  static ZkOp Set(std::string path, std::string data, int32_t version);
  static ZkOp Delete(std::string path, int32_t version);
};

struct ZkMultiResult {
  Status status;    // the first failing op's error, mapped as the single calls map it
  int failed = -1;  // the index of that op; -1 when all were applied or none was tried
  std::vector<std::string> created;  // per op: the created path (kCreate), else empty
  std::vector<ZkStat> stats;         // per op: the node's stat after a kSet
};

enum class WatchEvent { kCreated, kDeleted, kDataChanged, kChildrenChanged, kSessionLost };
// Called once, on the dispatcher thread, with the event and the watched path.
using WatchCallback = std::function<void(WatchEvent, const std::string& path)>;

enum class SessionEvent {
  kConnected,     // (re)connected within the same session: watches and ephemerals intact
  kDisconnected,  // connection lost; the session may still be alive
  kSessionLost,   // the session expired: its ephemerals are gone
  kNewSession,    // a fresh session replaced an expired one
};
using SessionListener = std::function<void(SessionEvent)>;

class ZkClient {
 public:
  // Connects and waits (up to options.connect_timeout) for a session; kUnavailable otherwise.
  static StatusOr<std::unique_ptr<ZkClient>> Connect(const ZkOptions& options);
  ~ZkClient();
  ZkClient(const ZkClient&) = delete;
  ZkClient& operator=(const ZkClient&) = delete;

  // Reads a node; a watch (if given) fires on its change or deletion.
  StatusOr<ZkNode> Get(const std::string& path, WatchCallback watch = nullptr);
  // Reads many nodes in one round trip: the requests are pipelined (zoo_awget) and the call
  // returns when every answer is in. results[i] is the answer for paths[i]; watches, when not
  // empty, has one callback (or nullptr) per path. A read lost to a connection drop is retried
  // once after reconnection, as in Get.
  std::vector<StatusOr<ZkNode>> GetMany(const std::vector<std::string>& paths,
                                        std::vector<WatchCallback> watches = {});
  // The node's stat, or nullopt when it does not exist; a watch fires on create, change, delete.
  StatusOr<std::optional<ZkStat>> Exists(const std::string& path, WatchCallback watch = nullptr);
  // Child names (not paths), sorted; a watch fires when the set of children changes.
  StatusOr<std::vector<std::string>> GetChildren(const std::string& path,
                                                 WatchCallback watch = nullptr);
  // Returns the created path (with the sequence suffix for sequential modes). The parent must
  // exist (kNotFound otherwise).
  StatusOr<std::string> Create(const std::string& path, std::string_view data, CreateMode mode);
  // Compare-and-set: expected_version -1 means any version. kConflict when it does not match.
  StatusOr<ZkStat> Set(const std::string& path, std::string_view data, int32_t expected_version);
  // expected_version -1 means any version. kNotFound, kConflict, kFailedPrecondition (children).
  Status Delete(const std::string& path, int32_t expected_version);
  // Applies ops in one transaction (zoo_multi): every op or none. Like the single writes it is
  // not retried after a lost connection (it may have been applied).
  ZkMultiResult Multi(const std::vector<ZkOp>& ops);
  // Creates path and its missing parents as persistent empty nodes; existing ones are fine.
  Status EnsurePath(const std::string& path);

  // Returns an id for RemoveSessionListener. Listeners run on the dispatcher thread.
  int AddSessionListener(SessionListener listener);
  void RemoveSessionListener(int id);

  bool connected() const;
  int64_t session_id() const;

  // The current session's id and password, so a test can expire it from another connection.
  std::pair<int64_t, std::string> SessionCredentialsForTest() const;

  class Impl;

 private:
  explicit ZkClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Maps a ZooKeeper C client return code to a Status; what says which call and path failed.
Status ZkStatus(int rc, const std::string& what);

// "/a/b" + "c" -> "/a/b/c"; handles a root of "/" or "".
std::string JoinZkPath(const std::string& parent, const std::string& child);

}  // namespace hgo::statestore
