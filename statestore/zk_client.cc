#include "statestore/zk_client.h"

#include <spdlog/spdlog.h>
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

namespace hgo::statestore {

Status ZkStatus(int rc, const std::string& what) {
  if (rc == ZOK) return Status::Ok();
  std::string msg = what + ": " + zerror(rc);
  switch (rc) {
    case ZNONODE:
      return Status::NotFound(msg);
    case ZNODEEXISTS:
      return Status::AlreadyExists(msg);
    case ZBADVERSION:
      return Status::Conflict(msg);
    case ZNOTEMPTY:
      return Status::FailedPrecondition(msg);
    case ZNOAUTH:
      return Status::PermissionDenied(msg);
    case ZAUTHFAILED:
      return Status::Unauthenticated(msg);
    case ZBADARGUMENTS:
    case ZNOCHILDRENFOREPHEMERALS:
      return Status::InvalidArgument(msg);
    case ZCONNECTIONLOSS:
    case ZOPERATIONTIMEOUT:
    case ZSESSIONEXPIRED:
    case ZINVALIDSTATE:
    case ZCLOSING:
    case ZSESSIONMOVED:
      return Status::Unavailable(msg);
    default:
      return Status::Internal(msg);
  }
}

std::string JoinZkPath(const std::string& parent, const std::string& child) {
  if (parent.empty() || parent == "/") return "/" + child;
  return parent + "/" + child;
}

namespace {

// With digest authentication: the authenticated creator may do anything, everyone may read
// (another client's fence check, a Heron connection's, must read the node; only writing is
// kept to the controller). Without it: open, as Heron's own nodes are.
const ACL_vector* AclFor(const ZkOptions& options) {
  static ACL kCreatorAllWorldRead[] = {{ZOO_PERM_ALL, ZOO_AUTH_IDS},
                                       {ZOO_PERM_READ, ZOO_ANYONE_ID_UNSAFE}};
  static ACL_vector kGuarded = {2, kCreatorAllWorldRead};
  return options.digest.empty() ? &ZOO_OPEN_ACL_UNSAFE : &kGuarded;
}

std::once_flag g_log_level_once;
constexpr int kServersResolutionDelayMs = 60000;

void AuthDone(int /*rc*/, const void* /*data*/) {}

// The C client's own messages (mostly expected connection drops) go to our log at debug level
// instead of straight to stderr.
void ForwardZkLog(const char* message) { spdlog::debug("zookeeper: {}", message); }

int ModeFlags(CreateMode mode) {
  switch (mode) {
    case CreateMode::kPersistent:
      return ZOO_PERSISTENT;
    case CreateMode::kEphemeral:
      return ZOO_EPHEMERAL;
    case CreateMode::kPersistentSequential:
      return ZOO_PERSISTENT_SEQUENTIAL;
    case CreateMode::kEphemeralSequential:
      return ZOO_EPHEMERAL_SEQUENTIAL;
  }
  return ZOO_PERSISTENT;
}

ZkStat ToStat(const Stat& s) {
  ZkStat out;
  out.version = s.version;
  out.cversion = s.cversion;
  out.ephemeral_owner = s.ephemeralOwner;
  out.num_children = s.numChildren;
  out.data_length = s.dataLength;
  out.mtime_ms = s.mtime;
  out.czxid = s.czxid;
  return out;
}

}  // namespace

class ZkClient::Impl {
 public:
  explicit Impl(ZkOptions options) : options_(std::move(options)) {
    dispatcher_ = std::thread([this] { DispatchLoop(); });
  }

  ~Impl() {
    {
      std::unique_lock<std::shared_mutex> lock(handle_mu_);
      closing_ = true;
      if (zh_) zookeeper_close(zh_);  // stops the C client's threads: no callbacks after this
      zh_ = nullptr;
    }
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    dispatcher_.join();
  }

  Status Open() {
    std::call_once(g_log_level_once, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_WARN); });
    std::unique_lock<std::shared_mutex> lock(handle_mu_);
    zh_ = zookeeper_init2(options_.servers.c_str(), &Impl::SessionWatcher,
                          static_cast<int>(options_.session_timeout.count()), nullptr, this, 0,
                          ForwardZkLog);
    if (!zh_) {
      return Status::Unavailable("zookeeper_init(" + options_.servers +
                                 ") failed: " + std::strerror(errno));
    }
    // By default the C client resolves its server list again every time it checks its socket
    // (zookeeper.h, zoo_set_servers_resolution_delay): a name lookup per request and reply,
    // a tenth of the controller's CPU while it starts thousands of updates. Once a minute
    // follows DNS changes well enough; a lost connection still resolves at once.
    zoo_set_servers_resolution_delay(zh_, kServersResolutionDelayMs);
    if (!options_.digest.empty()) {
      int rc = zoo_add_auth(zh_, "digest", options_.digest.data(),
                            static_cast<int>(options_.digest.size()), AuthDone, nullptr);
      if (rc != ZOK) return ZkStatus(rc, "zoo_add_auth");
    }
    return Status::Ok();
  }

  // Waits for a connection. Returns at once when the session is known to be expired: no call
  // can succeed on that handle, and waiting would only delay the callbacks queued behind a
  // caller on the dispatcher thread (among them the replacement of the session).
  bool WaitConnected(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(state_mu_);
    return state_cv_.wait_for(lock, timeout, [this] { return connected_ || replacing_expired_; }) &&
           connected_;
  }

  // Runs fn(zh) under the shared handle lock, after waiting (bounded) for a connection. A read
  // (retry_read) that fails with connection loss is tried once more after reconnection.
  template <typename Fn>
  Status WithHandle(Fn fn, bool retry_read = false) {
    for (int attempt = 0;; ++attempt) {
      WaitConnected(options_.wait_for_connection);
      Status s;
      {
        std::shared_lock<std::shared_mutex> lock(handle_mu_);
        if (!zh_) return Status::Unavailable("no ZooKeeper session (reconnecting)");
        s = fn(zh_);
      }
      if (!retry_read || attempt > 0 || s.code() != StatusCode::kUnavailable) return s;
    }
  }

  // Registers a watch callback; returns its id (the C client's watcher context).
  uint64_t AddWatch(WatchCallback cb) {
    std::lock_guard<std::mutex> lock(watch_mu_);
    uint64_t id = ++next_watch_id_;
    watches_[id] = std::move(cb);
    return id;
  }
  void DropWatch(uint64_t id) {
    std::lock_guard<std::mutex> lock(watch_mu_);
    watches_.erase(id);
  }

  // Sends every read at once (zoo_awget) and waits for all the answers; no retry.
  std::vector<StatusOr<ZkNode>> GetBatch(const std::vector<std::string>& paths,
                                         const std::vector<WatchCallback>& watches);

  static void WatchTrampoline(zhandle_t* zh, int type, int /*state*/, const char* path, void* ctx) {
    // Session changes are handled once, by SessionWatcher; a watch stays armed across a
    // reconnect within the same session.
    if (type == ZOO_SESSION_EVENT) return;
    auto* impl = static_cast<Impl*>(const_cast<void*>(zoo_get_context(zh)));
    WatchEvent event = WatchEvent::kDataChanged;
    if (type == ZOO_CREATED_EVENT) event = WatchEvent::kCreated;
    if (type == ZOO_DELETED_EVENT) event = WatchEvent::kDeleted;
    if (type == ZOO_CHILD_EVENT) event = WatchEvent::kChildrenChanged;
    impl->FireWatch(reinterpret_cast<uint64_t>(ctx), event, path ? path : "");
  }

  int AddListener(SessionListener l) {
    std::lock_guard<std::mutex> lock(listener_mu_);
    int id = ++next_listener_id_;
    listeners_[id] = std::move(l);
    return id;
  }
  void RemoveListener(int id) {
    std::lock_guard<std::mutex> lock(listener_mu_);
    listeners_.erase(id);
  }

  bool connected() const {
    std::lock_guard<std::mutex> lock(state_mu_);
    return connected_;
  }

  std::pair<int64_t, std::string> Credentials() const {
    std::shared_lock<std::shared_mutex> lock(handle_mu_);
    if (!zh_) return {0, ""};
    const clientid_t* id = zoo_client_id(zh_);
    return {id->client_id, std::string(id->passwd, sizeof(id->passwd))};
  }

  const ZkOptions& options() const { return options_; }

 private:
  static void SessionWatcher(zhandle_t* /*zh*/, int type, int state, const char* /*path*/,
                             void* ctx) {
    if (type != ZOO_SESSION_EVENT) return;
    auto* impl = static_cast<Impl*>(ctx);
    impl->OnSessionState(state);
  }

  void OnSessionState(int state) {
    std::optional<SessionEvent> event;
    bool expired = false;
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      if (state == ZOO_CONNECTED_STATE) {
        connected_ = true;
        event = replacing_expired_ ? SessionEvent::kNewSession : SessionEvent::kConnected;
        replacing_expired_ = false;
      } else if (state == ZOO_CONNECTING_STATE || state == ZOO_ASSOCIATING_STATE) {
        if (connected_) event = SessionEvent::kDisconnected;
        connected_ = false;
      } else if (state == ZOO_EXPIRED_SESSION_STATE) {
        connected_ = false;
        if (!replacing_expired_) {
          replacing_expired_ = true;
          expired = true;
        }
      }
    }
    state_cv_.notify_all();
    if (expired) {
      Post([this] { HandleExpiry(); });
    } else if (event) {
      Post([this, e = *event] { NotifyListeners(e); });
    }
  }

  // On the dispatcher thread: fail outstanding watches, tell listeners, open a new session.
  void HandleExpiry() {
    std::unordered_map<uint64_t, WatchCallback> lost;
    {
      std::lock_guard<std::mutex> lock(watch_mu_);
      lost.swap(watches_);
    }
    for (auto& [id, cb] : lost) cb(WatchEvent::kSessionLost, "");
    NotifyListeners(SessionEvent::kSessionLost);
    while (true) {
      {
        std::unique_lock<std::shared_mutex> lock(handle_mu_);
        if (closing_) return;
        if (zh_) zookeeper_close(zh_);
        zh_ = nullptr;
      }
      Status s = Open();
      if (s.ok()) return;  // kNewSession follows from SessionWatcher
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }

  void NotifyListeners(SessionEvent e) {
    std::vector<SessionListener> copy;
    {
      std::lock_guard<std::mutex> lock(listener_mu_);
      for (auto& [id, l] : listeners_) copy.push_back(l);
    }
    for (auto& l : copy) l(e);
  }

  void FireWatch(uint64_t id, WatchEvent event, std::string path) {
    WatchCallback cb;
    {
      std::lock_guard<std::mutex> lock(watch_mu_);
      auto it = watches_.find(id);
      if (it == watches_.end()) return;
      cb = std::move(it->second);
      watches_.erase(it);
    }
    Post([cb = std::move(cb), event, path = std::move(path)] { cb(event, path); });
  }

  void Post(std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      if (stopping_) return;
      queue_.push_back(std::move(fn));
    }
    queue_cv_.notify_one();
  }

  void DispatchLoop() {
    while (true) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(queue_mu_);
        queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      fn();
    }
  }

  const ZkOptions options_;

  mutable std::shared_mutex handle_mu_;
  zhandle_t* zh_ = nullptr;
  bool closing_ = false;

  mutable std::mutex state_mu_;
  std::condition_variable state_cv_;
  bool connected_ = false;
  bool replacing_expired_ = false;

  std::mutex watch_mu_;
  std::unordered_map<uint64_t, WatchCallback> watches_;
  uint64_t next_watch_id_ = 0;

  std::mutex listener_mu_;
  std::map<int, SessionListener> listeners_;
  int next_listener_id_ = 0;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread dispatcher_;
};

StatusOr<std::unique_ptr<ZkClient>> ZkClient::Connect(const ZkOptions& options) {
  // A chroot must exist before a session can use it: create it through a plain session first.
  size_t slash = options.servers.find('/');
  if (slash != std::string::npos && slash + 1 < options.servers.size()) {
    ZkOptions bare = options;
    bare.servers = options.servers.substr(0, slash);
    HGO_ASSIGN_OR_RETURN(auto root, Connect(bare));
    HGO_RETURN_IF_ERROR(root->EnsurePath(options.servers.substr(slash)));
  }
  auto impl = std::make_unique<Impl>(options);
  HGO_RETURN_IF_ERROR(impl->Open());
  if (!impl->WaitConnected(options.connect_timeout)) {
    return Status::Unavailable("no ZooKeeper session with " + options.servers + " within " +
                               std::to_string(options.connect_timeout.count()) + " ms");
  }
  return std::unique_ptr<ZkClient>(new ZkClient(std::move(impl)));
}

ZkClient::ZkClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ZkClient::~ZkClient() = default;

StatusOr<ZkNode> ZkClient::Get(const std::string& path, WatchCallback watch) {
  ZkNode node;
  Status s = impl_->WithHandle(
      [&](zhandle_t* zh) {
        uint64_t id = watch ? impl_->AddWatch(std::move(watch)) : 0;
        std::string buf(64 * 1024, '\0');
        int len = static_cast<int>(buf.size());
        struct Stat st;
        int rc = zoo_wget(zh, path.c_str(), id ? &Impl::WatchTrampoline : nullptr,
                          reinterpret_cast<void*>(id), buf.data(), &len, &st);
        if (rc == ZOK && st.dataLength > len) {
          // Larger than the first buffer: read again at the right size (the watch is already set).
          buf.assign(static_cast<size_t>(st.dataLength), '\0');
          len = st.dataLength;
          rc = zoo_get(zh, path.c_str(), 0, buf.data(), &len, &st);
        }
        if (rc != ZOK) {
          if (id) impl_->DropWatch(id);  // a failed get sets no watch
          return ZkStatus(rc, "get " + path);
        }
        buf.resize(len < 0 ? 0 : static_cast<size_t>(len));
        node.data = std::move(buf);
        node.stat = ToStat(st);
        return Status::Ok();
      },
      /*retry_read=*/true);
  if (!s.ok()) return s;
  return node;
}

namespace {

// One GetMany call: the C client's completion thread fills results and counts down.
struct PendingGets {
  std::mutex mu;
  std::condition_variable cv;
  size_t remaining = 0;
  std::vector<StatusOr<ZkNode>> results;
  const std::vector<std::string>* paths = nullptr;
};
struct GetRequest {
  PendingGets* batch;
  size_t index;
};

void GetManyDone(int rc, const char* value, int value_len, const struct Stat* stat,
                 const void* data) {
  std::unique_ptr<GetRequest> req(static_cast<GetRequest*>(const_cast<void*>(data)));
  PendingGets& b = *req->batch;
  std::lock_guard<std::mutex> lock(b.mu);
  if (rc == ZOK) {
    ZkNode node;
    if (value && value_len > 0) node.data.assign(value, static_cast<size_t>(value_len));
    if (stat) node.stat = ToStat(*stat);
    b.results[req->index] = std::move(node);
  } else {
    b.results[req->index] = ZkStatus(rc, "get " + (*b.paths)[req->index]);
  }
  if (--b.remaining == 0) b.cv.notify_all();
}

}  // namespace

std::vector<StatusOr<ZkNode>> ZkClient::Impl::GetBatch(const std::vector<std::string>& paths,
                                                       const std::vector<WatchCallback>& watches) {
  PendingGets batch;
  batch.paths = &paths;
  batch.results.assign(paths.size(), Status::Unavailable("not sent"));
  std::vector<uint64_t> watch_ids(paths.size(), 0);
  Status sent = WithHandle([&](zhandle_t* zh) {
    for (size_t i = 0; i < paths.size(); ++i) {
      uint64_t id = watches[i] ? AddWatch(watches[i]) : 0;
      auto* req = new GetRequest{&batch, i};
      {
        std::lock_guard<std::mutex> lock(batch.mu);
        ++batch.remaining;
      }
      int rc = zoo_awget(zh, paths[i].c_str(), id ? &Impl::WatchTrampoline : nullptr,
                         reinterpret_cast<void*>(id), GetManyDone, req);
      if (rc != ZOK) {  // not queued: no completion will come
        delete req;
        if (id) DropWatch(id);
        std::lock_guard<std::mutex> lock(batch.mu);
        --batch.remaining;
        batch.results[i] = ZkStatus(rc, "get " + paths[i]);
        continue;
      }
      watch_ids[i] = id;
    }
    return Status::Ok();
  });
  {
    // Every queued request completes, even on close or expiry (with ZCLOSING/ZSESSIONEXPIRED).
    std::unique_lock<std::mutex> lock(batch.mu);
    batch.cv.wait(lock, [&] { return batch.remaining == 0; });
  }
  if (!sent.ok()) {
    for (auto& r : batch.results) r = sent;
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    if (!batch.results[i].ok() && watch_ids[i]) DropWatch(watch_ids[i]);  // no watch was set
  }
  return std::move(batch.results);
}

std::vector<StatusOr<ZkNode>> ZkClient::GetMany(const std::vector<std::string>& paths,
                                                std::vector<WatchCallback> watches) {
  watches.resize(paths.size());
  std::vector<StatusOr<ZkNode>> results = impl_->GetBatch(paths, watches);
  // Reads lost to a connection drop: wait for the connection once, then send them again as one
  // batch (not one by one, which would multiply the wait).
  std::vector<std::string> again;
  std::vector<WatchCallback> again_watches;
  std::vector<size_t> again_index;
  for (size_t i = 0; i < paths.size(); ++i) {
    if (results[i].ok() || results[i].status().code() != StatusCode::kUnavailable) continue;
    again.push_back(paths[i]);
    again_watches.push_back(watches[i]);
    again_index.push_back(i);
  }
  if (again.empty()) return results;
  impl_->WaitConnected(impl_->options().wait_for_connection);
  auto retried = impl_->GetBatch(again, again_watches);
  for (size_t j = 0; j < again.size(); ++j) results[again_index[j]] = std::move(retried[j]);
  return results;
}

StatusOr<std::optional<ZkStat>> ZkClient::Exists(const std::string& path, WatchCallback watch) {
  std::optional<ZkStat> out;
  Status s = impl_->WithHandle(
      [&](zhandle_t* zh) {
        uint64_t id = watch ? impl_->AddWatch(std::move(watch)) : 0;
        struct Stat st;
        int rc = zoo_wexists(zh, path.c_str(), id ? &Impl::WatchTrampoline : nullptr,
                             reinterpret_cast<void*>(id), &st);
        if (rc == ZNONODE) return Status::Ok();  // the watch stays set, waiting for a create
        if (rc != ZOK) {
          if (id) impl_->DropWatch(id);
          return ZkStatus(rc, "exists " + path);
        }
        out = ToStat(st);
        return Status::Ok();
      },
      /*retry_read=*/true);
  if (!s.ok()) return s;
  return out;
}

StatusOr<std::vector<std::string>> ZkClient::GetChildren(const std::string& path,
                                                         WatchCallback watch) {
  std::vector<std::string> out;
  Status s = impl_->WithHandle(
      [&](zhandle_t* zh) {
        uint64_t id = watch ? impl_->AddWatch(std::move(watch)) : 0;
        out.clear();
        struct String_vector children = {0, nullptr};
        int rc = zoo_wget_children(zh, path.c_str(), id ? &Impl::WatchTrampoline : nullptr,
                                   reinterpret_cast<void*>(id), &children);
        if (rc != ZOK) {
          if (id) impl_->DropWatch(id);
          return ZkStatus(rc, "get children of " + path);
        }
        for (int i = 0; i < children.count; ++i) out.emplace_back(children.data[i]);
        deallocate_String_vector(&children);
        return Status::Ok();
      },
      /*retry_read=*/true);
  if (!s.ok()) return s;
  std::sort(out.begin(), out.end());
  return out;
}

StatusOr<std::string> ZkClient::Create(const std::string& path, std::string_view data,
                                       CreateMode mode) {
  std::string created;
  Status s = impl_->WithHandle([&](zhandle_t* zh) {
    std::string buf(path.size() + 64, '\0');
    const ACL_vector* acl = AclFor(impl_->options());
    int rc = zoo_create(zh, path.c_str(), data.data(), static_cast<int>(data.size()), acl,
                        ModeFlags(mode), buf.data(), static_cast<int>(buf.size()));
    if (rc != ZOK) return ZkStatus(rc, "create " + path);
    created = buf.c_str();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return created;
}

StatusOr<ZkStat> ZkClient::Set(const std::string& path, std::string_view data,
                               int32_t expected_version) {
  ZkStat out;
  Status s = impl_->WithHandle([&](zhandle_t* zh) {
    struct Stat st;
    int rc = zoo_set2(zh, path.c_str(), data.data(), static_cast<int>(data.size()),
                      expected_version, &st);
    if (rc != ZOK) return ZkStatus(rc, "set " + path);
    out = ToStat(st);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Status ZkClient::Delete(const std::string& path, int32_t expected_version) {
  return impl_->WithHandle([&](zhandle_t* zh) {
    return ZkStatus(zoo_delete(zh, path.c_str(), expected_version), "delete " + path);
  });
}

ZkOp ZkOp::Check(std::string path, int32_t version) {
  return ZkOp{Kind::kCheck, std::move(path), "", version};
}
ZkOp ZkOp::Create(std::string path, std::string data, CreateMode mode) {
  return ZkOp{Kind::kCreate, std::move(path), std::move(data), -1, mode};
}
ZkOp ZkOp::Set(std::string path, std::string data, int32_t version) {
  return ZkOp{Kind::kSet, std::move(path), std::move(data), version};
}
ZkOp ZkOp::Delete(std::string path, int32_t version) {
  return ZkOp{Kind::kDelete, std::move(path), "", version};
}

ZkMultiResult ZkClient::Multi(const std::vector<ZkOp>& ops) {
  ZkMultiResult out;
  out.created.resize(ops.size());
  out.stats.resize(ops.size());
  if (ops.empty()) return out;
  out.status = impl_->WithHandle([&](zhandle_t* zh) {
    const ACL_vector* acl = AclFor(impl_->options());
    std::vector<zoo_op_t> zops(ops.size());
    std::vector<zoo_op_result_t> results(ops.size());
    std::vector<std::string> path_buffers(ops.size());
    std::vector<struct Stat> stats(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
      const ZkOp& op = ops[i];
      switch (op.kind) {
        case ZkOp::Kind::kCheck:
          zoo_check_op_init(&zops[i], op.path.c_str(), op.version);
          break;
        case ZkOp::Kind::kCreate:
          path_buffers[i].assign(op.path.size() + 64, '\0');
          zoo_create_op_init(&zops[i], op.path.c_str(), op.data.data(),
                             static_cast<int>(op.data.size()), acl, ModeFlags(op.mode),
                             path_buffers[i].data(), static_cast<int>(path_buffers[i].size()));
          break;
        case ZkOp::Kind::kSet:
          zoo_set_op_init(&zops[i], op.path.c_str(), op.data.data(),
                          static_cast<int>(op.data.size()), op.version, &stats[i]);
          break;
        case ZkOp::Kind::kDelete:
          zoo_delete_op_init(&zops[i], op.path.c_str(), op.version);
          break;
      }
    }
    int rc = zoo_multi(zh, static_cast<int>(zops.size()), zops.data(), results.data());
    if (rc == ZOK) {
      for (size_t i = 0; i < ops.size(); ++i) {
        if (ops[i].kind == ZkOp::Kind::kCreate) out.created[i] = path_buffers[i].c_str();
        if (ops[i].kind == ZkOp::Kind::kSet) out.stats[i] = ToStat(stats[i]);
      }
      return Status::Ok();
    }
    // The server answers each op: the failing one with its error, the others with ZOK or
    // ZRUNTIMEINCONSISTENCY. A connection error leaves no per-op answer.
    for (size_t i = 0; i < ops.size(); ++i) {
      const int err = results[i].err;
      if (err != ZOK && err != ZRUNTIMEINCONSISTENCY) {
        out.failed = static_cast<int>(i);
        return ZkStatus(err, "multi: op " + std::to_string(i) + " on " + ops[i].path);
      }
    }
    return ZkStatus(rc, "multi of " + std::to_string(ops.size()) + " ops");
  });
  return out;
}

Status ZkClient::EnsurePath(const std::string& path) {
  // Mostly the path is there: one read then. A create that fails because the node exists is
  // still a transaction the ensemble logs and syncs to disk, a dozen of them ~50 ms under load.
  if (auto there = Exists(path); there.ok() && there->has_value()) return Status::Ok();
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string prefix = path.substr(0, pos);
    if (prefix.empty() || prefix == "/") continue;
    auto created = Create(prefix, "", CreateMode::kPersistent);
    if (!created.ok() && created.status().code() != StatusCode::kAlreadyExists) {
      return created.status();
    }
  }
  return Status::Ok();
}

int ZkClient::AddSessionListener(SessionListener listener) {
  return impl_->AddListener(std::move(listener));
}
void ZkClient::RemoveSessionListener(int id) { impl_->RemoveListener(id); }
bool ZkClient::connected() const { return impl_->connected(); }
int64_t ZkClient::session_id() const { return impl_->Credentials().first; }
std::pair<int64_t, std::string> ZkClient::SessionCredentialsForTest() const {
  return impl_->Credentials();
}

}  // namespace hgo::statestore
