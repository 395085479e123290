// ZkClient against a real ZooKeeper server started by the harness.
#include "statestore/zk_client.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <netdb.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "testing/zk_test_server.h"

// Counts this process's name lookups (the ZooKeeper C client's among them): a definition in the
// executable is found before libc's, to which it forwards.
static std::atomic<int> g_lookups{0};
extern "C" int getaddrinfo(const char* name, const char* service, const struct addrinfo* hints,
                           struct addrinfo** out) {
  using Real = int (*)(const char*, const char*, const struct addrinfo*, struct addrinfo**);
  static const Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "getaddrinfo"));
  ++g_lookups;
  return real(name, service, hints, out);
}

namespace hgo::statestore {
namespace {

using namespace std::chrono_literals;

// Collects events from callbacks and lets the test wait for them.
template <typename T>
class EventLog {
 public:
  void Add(T e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(e);
    cv_.notify_all();
  }
  // Waits until pred(events) holds; false after the timeout.
  template <typename Pred>
  bool WaitFor(Pred pred, std::chrono::milliseconds timeout = 20s) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return pred(events_); });
  }
  bool WaitForEvent(T e, std::chrono::milliseconds timeout = 20s) {
    return WaitFor(
        [&](const std::vector<T>& v) { return std::find(v.begin(), v.end(), e) != v.end(); },
        timeout);
  }
  std::vector<T> Snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<T> events_;
};

class ZkClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = hgo::testing::ZkTestServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  std::unique_ptr<ZkClient> Connect(std::chrono::milliseconds session = 4000ms,
                                    const std::string& chroot = "") {
    ZkOptions options;
    options.servers = server_->connect_string() + chroot;
    options.session_timeout = session;
    auto client = ZkClient::Connect(options);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::move(*client) : nullptr;
  }
  std::unique_ptr<hgo::testing::ZkTestServer> server_;
};

TEST_F(ZkClientTest, CrudWithErrorsAsStatus) {
  auto zk = Connect();
  ASSERT_TRUE(zk);
  EXPECT_EQ(zk->Get("/missing").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(zk->Create("/a", "one", CreateMode::kPersistent).ok());
  EXPECT_EQ(zk->Create("/a", "x", CreateMode::kPersistent).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(zk->Create("/no/parent", "x", CreateMode::kPersistent).status().code(),
            StatusCode::kNotFound);
  auto node = zk->Get("/a");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->data, "one");
  EXPECT_EQ(node->stat.version, 0);
  ASSERT_TRUE(zk->Create("/a/child", "", CreateMode::kPersistent).ok());
  EXPECT_EQ(zk->Delete("/a", -1).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*zk->GetChildren("/a"), std::vector<std::string>{"child"});
  auto exists = zk->Exists("/a/child");
  ASSERT_TRUE(exists.ok());
  EXPECT_TRUE(exists->has_value());
  EXPECT_FALSE(zk->Exists("/a/none")->has_value());
}

TEST_F(ZkClientTest, TheServersAreNotLookedUpAgainForEveryRequest) {
  auto zk = Connect();
  ASSERT_TRUE(zk);
  ASSERT_TRUE(zk->Create("/lookups", "", CreateMode::kPersistent).ok());
  const int before = g_lookups.load();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(zk->Get("/lookups").ok());
  // The C client's default is a lookup every time it checks its socket: at least one a request.
  EXPECT_LE(g_lookups.load() - before, 2);
}

TEST_F(ZkClientTest, CompareAndSetConflicts) {
  auto zk = Connect();
  ASSERT_TRUE(zk->Create("/cas", "v0", CreateMode::kPersistent).ok());
  auto s1 = zk->Set("/cas", "v1", 0);
  ASSERT_TRUE(s1.ok()) << s1.status();
  EXPECT_EQ(s1->version, 1);
  // A second writer that read version 0 loses.
  auto stale = zk->Set("/cas", "stale", 0);
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ(zk->Delete("/cas", 0).code(), StatusCode::kConflict);
  EXPECT_EQ(zk->Get("/cas")->data, "v1");
  EXPECT_TRUE(zk->Delete("/cas", 1).ok());
}

// A create refused because the node exists is still a transaction of the ensemble (logged and
// synced): EnsurePath of a path that is there must not make any.
TEST_F(ZkClientTest, EnsurePathOfAnExistingPathMakesNoTransaction) {
  auto zk = Connect();
  ASSERT_TRUE(zk);
  ASSERT_TRUE(zk->EnsurePath("/deep/er/still").ok());
  ASSERT_TRUE(zk->Exists("/deep/er/still")->has_value());
  ASSERT_TRUE(zk->Create("/before", "", CreateMode::kPersistent).ok());
  ASSERT_TRUE(zk->EnsurePath("/deep/er/still").ok());
  ASSERT_TRUE(zk->Create("/after", "", CreateMode::kPersistent).ok());
  const int64_t before = zk->Exists("/before")->value().czxid;
  const int64_t after = zk->Exists("/after")->value().czxid;
  EXPECT_EQ(after - before, 1) << "EnsurePath made " << after - before - 1 << " transactions";
  // A missing part is still made.
  ASSERT_TRUE(zk->EnsurePath("/deep/er/too").ok());
  EXPECT_TRUE(zk->Exists("/deep/er/too")->has_value());
}

TEST_F(ZkClientTest, SequentialAndEphemeralNodes) {
  auto zk = Connect();
  ASSERT_TRUE(zk->EnsurePath("/election").ok());
  auto a = zk->Create("/election/n-", "", CreateMode::kEphemeralSequential);
  auto b = zk->Create("/election/n-", "", CreateMode::kEphemeralSequential);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LT(*a, *b);
  EXPECT_EQ(a->rfind("/election/n-", 0), 0u);
  EXPECT_EQ(zk->Exists(*a)->value().ephemeral_owner, zk->session_id());
  zk.reset();  // closing the session removes its ephemerals
  auto other = Connect();
  EXPECT_TRUE(other->GetChildren("/election")->empty());
}

TEST_F(ZkClientTest, WatchesFireOnceAndMayCallBackIntoTheClient) {
  auto zk = Connect();
  ASSERT_TRUE(zk->Create("/w", "0", CreateMode::kPersistent).ok());
  EventLog<std::string> log;
  ZkClient* client = zk.get();
  // The callback re-reads (and re-arms) from inside: this must not deadlock.
  std::function<void(WatchEvent, const std::string&)> watch;
  watch = [&](WatchEvent e, const std::string& path) {
    auto node = client->Get(path, watch);
    log.Add(node.ok() ? node->data : "gone");
  };
  ASSERT_TRUE(zk->Get("/w", watch).ok());
  ASSERT_TRUE(zk->Set("/w", "1", -1).ok());
  ASSERT_TRUE(log.WaitForEvent("1"));
  ASSERT_TRUE(zk->Set("/w", "2", -1).ok());
  ASSERT_TRUE(log.WaitForEvent("2"));

  EventLog<WatchEvent> children;
  ASSERT_TRUE(
      zk->GetChildren("/w", [&](WatchEvent e, const std::string&) { children.Add(e); }).ok());
  ASSERT_TRUE(zk->Create("/w/c", "", CreateMode::kPersistent).ok());
  EXPECT_TRUE(children.WaitForEvent(WatchEvent::kChildrenChanged));

  EventLog<WatchEvent> created;
  ASSERT_TRUE(zk->Exists("/later", [&](WatchEvent e, const std::string&) { created.Add(e); }).ok());
  ASSERT_TRUE(zk->Create("/later", "", CreateMode::kPersistent).ok());
  EXPECT_TRUE(created.WaitForEvent(WatchEvent::kCreated));
}

TEST_F(ZkClientTest, ForcedSessionExpiryIsReportedAndReplaced) {
  auto zk = Connect(2000ms);
  EventLog<SessionEvent> session;
  zk->AddSessionListener([&](SessionEvent e) { session.Add(e); });
  ASSERT_TRUE(zk->Create("/eph", "", CreateMode::kEphemeral).ok());
  EventLog<WatchEvent> watch;
  ASSERT_TRUE(zk->Exists("/never", [&](WatchEvent e, const std::string&) { watch.Add(e); }).ok());
  int64_t old_session = zk->session_id();

  auto [id, password] = zk->SessionCredentialsForTest();
  ASSERT_TRUE(
      hgo::testing::ZkTestServer::ExpireSession(server_->connect_string(), id, password).ok());

  ASSERT_TRUE(session.WaitForEvent(SessionEvent::kSessionLost));
  ASSERT_TRUE(session.WaitForEvent(SessionEvent::kNewSession));
  EXPECT_TRUE(watch.WaitForEvent(WatchEvent::kSessionLost));  // the old watch will never fire
  EXPECT_NE(zk->session_id(), old_session);
  EXPECT_FALSE(zk->Exists("/eph")->has_value());  // the ephemeral died with the session
  EXPECT_TRUE(zk->Create("/eph", "", CreateMode::kEphemeral).ok());  // the new session works
}

TEST_F(ZkClientTest, SurvivesAServerRestartWithinTheSessionTimeout) {
  auto zk = Connect(8000ms);
  EventLog<SessionEvent> session;
  zk->AddSessionListener([&](SessionEvent e) { session.Add(e); });
  ASSERT_TRUE(zk->Create("/keep", "k", CreateMode::kEphemeral).ok());
  int64_t sid = zk->session_id();
  Status restarted = server_->Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;
  ASSERT_TRUE(session.WaitForEvent(SessionEvent::kDisconnected));
  ASSERT_TRUE(session.WaitForEvent(SessionEvent::kConnected));
  EXPECT_EQ(zk->session_id(), sid);
  auto node = zk->Get("/keep");
  ASSERT_TRUE(node.ok()) << node.status() << " connected=" << zk->connected();
  EXPECT_EQ(node->data, "k");
}

TEST_F(ZkClientTest, CallsFailUnavailableWhileTheServerIsDown) {
  ZkOptions options;
  options.servers = server_->connect_string();
  options.wait_for_connection = 500ms;
  auto zk = ZkClient::Connect(options);
  ASSERT_TRUE(zk.ok());
  ASSERT_TRUE(server_->Stop().ok());
  auto start = std::chrono::steady_clock::now();
  auto r = (*zk)->Get("/");
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // bounded by wait_for_connection
  // The session event that flips connected() comes on the C client's event thread and may
  // arrive a moment after the failed call returned.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while ((*zk)->connected() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_FALSE((*zk)->connected());
}

TEST_F(ZkClientTest, ChrootIsCreatedAndUsed) {
  auto zk = Connect(4000ms, "/tenants/a");
  ASSERT_TRUE(zk);
  ASSERT_TRUE(zk->Create("/x", "in-chroot", CreateMode::kPersistent).ok());
  auto root = Connect();
  EXPECT_EQ(root->Get("/tenants/a/x")->data, "in-chroot");
}

TEST_F(ZkClientTest, LargeNodesAreReadWhole) {
  auto zk = Connect();
  std::string big(300 * 1024, 'z');
  big[12345] = 'q';
  ASSERT_TRUE(zk->Create("/big", big, CreateMode::kPersistent).ok());
  auto node = zk->Get("/big");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->data, big);
}

TEST_F(ZkClientTest, GetManyPipelinesReadsAndArmsEachWatch) {
  auto zk = Connect();
  ASSERT_TRUE(zk);
  ASSERT_TRUE(zk->EnsurePath("/many").ok());
  std::vector<std::string> paths;
  for (int i = 0; i < 300; ++i) {
    paths.push_back("/many/n" + std::to_string(i));
    if (i % 10 != 7) {  // every tenth-plus-seven node is missing
      ASSERT_TRUE(zk->Create(paths.back(), "v" + std::to_string(i), CreateMode::kPersistent).ok());
    }
  }
  EventLog<std::string> fired;
  std::vector<WatchCallback> watches;
  for (size_t i = 0; i < paths.size(); ++i) {
    watches.push_back([&fired](WatchEvent, const std::string& path) { fired.Add(path); });
  }
  auto results = zk->GetMany(paths, watches);
  ASSERT_EQ(results.size(), paths.size());
  for (int i = 0; i < 300; ++i) {
    if (i % 10 == 7) {
      EXPECT_EQ(results[i].status().code(), StatusCode::kNotFound) << paths[i];
    } else {
      ASSERT_TRUE(results[i].ok()) << results[i].status();
      EXPECT_EQ(results[i]->data, "v" + std::to_string(i));
      EXPECT_EQ(results[i]->stat.version, 0);
    }
  }
  // The watch of a read node fires on its change; a missing node's read set no watch.
  ASSERT_TRUE(zk->Set("/many/n3", "changed", -1).ok());
  ASSERT_TRUE(zk->Create("/many/n7", "late", CreateMode::kPersistent).ok());
  ASSERT_TRUE(fired.WaitForEvent("/many/n3"));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(fired.Snapshot(), std::vector<std::string>{"/many/n3"});
  EXPECT_TRUE(zk->GetMany({}).empty());
}

// Nodes of a digest-authenticated client: anyone reads them, only that user writes them.
TEST_F(ZkClientTest, DigestAclKeepsOtherUsersFromWriting) {
  ZkOptions options;
  options.servers = server_->connect_string();
  options.digest = "controller:s3cret";
  auto owner = ZkClient::Connect(options);
  ASSERT_TRUE(owner.ok()) << owner.status();
  ASSERT_TRUE((*owner)->Create("/guarded", "mine", CreateMode::kPersistent).ok());
  EXPECT_EQ((*owner)->Get("/guarded")->data, "mine");

  auto anonymous = Connect();
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->Get("/guarded")->data, "mine");
  EXPECT_EQ(anonymous->Set("/guarded", "theirs", -1).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(anonymous->Create("/guarded/child", "", CreateMode::kPersistent).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(anonymous->Delete("/guarded", -1).code(), StatusCode::kOk)
      << "deleting a node is its parent's permission: the root's is open";
  ASSERT_TRUE((*owner)->Create("/guarded", "mine", CreateMode::kPersistent).ok());
  options.digest = "controller:wrong";
  auto impostor = ZkClient::Connect(options);
  ASSERT_TRUE(impostor.ok()) << impostor.status();
  EXPECT_EQ((*impostor)->Set("/guarded", "theirs", -1).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ((*owner)->Get("/guarded")->data, "mine");
}

TEST_F(ZkClientTest, ConnectToNothingIsUnavailable) {
  ZkOptions options;
  options.servers = "127.0.0.1:" + std::to_string(hgo::testing::FreeLoopbackPort());
  options.connect_timeout = 1500ms;
  auto client = ZkClient::Connect(options);
  EXPECT_EQ(client.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace hgo::statestore
