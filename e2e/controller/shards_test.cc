// Shards (controller/shards.h) against a real ZooKeeper: ShardLeadership in process, then two
// heron-controller replicas started with --shards over four clusters (four aurora-local
// schedulers, each cluster's Heron state in a chroot of the one ZooKeeper).
#include "controller/shards.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "crd/canonical.h"
#include "e2e/controller/controller_fixture.h"
#include "statestore/zk_client.h"
#include "testing/heron_packages.h"
#include "testing/zk_test_server.h"

namespace hgo::e2e {
namespace {

using namespace std::chrono_literals;
using controller::ShardLeadership;
using controller::ShardOptions;

const std::vector<std::string> kClusters = {"c0", "c1", "c2", "c3"};

// One replica's leadership and what its callbacks said. The leadership is destroyed first (its
// Resign reports losses into the maps), the ZooKeeper client last.
struct Replica {
  std::unique_ptr<statestore::ZkClient> zk;
  std::mutex mu;
  std::map<std::string, int> gained, lost;  // by cluster
  std::unique_ptr<ShardLeadership> shards;

  std::set<std::string> Led() const {
    std::set<std::string> out;
    for (const auto& c : kClusters) {
      if (shards->Leads(c)) out.insert(c);
    }
    return out;
  }
  int Lost(const std::string& c) {
    std::lock_guard<std::mutex> lock(mu);
    return lost[c];
  }
};

class ShardLeadershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::ZkTestServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  std::unique_ptr<Replica> Join(const std::string& identity) {
    auto r = std::make_unique<Replica>();
    statestore::ZkOptions o;
    o.servers = server_->connect_string();
    auto zk = statestore::ZkClient::Connect(o);
    EXPECT_TRUE(zk.ok()) << zk.status();
    if (!zk.ok()) return nullptr;
    r->zk = std::move(*zk);
    r->shards = std::make_unique<ShardLeadership>(
        *r->zk, ShardOptions{"/controller", identity, kClusters, 100ms});
    Replica* raw = r.get();
    Status s = r->shards->Start(
        [raw](const std::string& c) {
          std::lock_guard<std::mutex> lock(raw->mu);
          ++raw->gained[c];
        },
        [raw](const std::string& c) {
          std::lock_guard<std::mutex> lock(raw->mu);
          ++raw->lost[c];
        });
    EXPECT_TRUE(s.ok()) << s;
    return r;
  }

  // Waits until pred holds for a second on end (ten balancing rounds).
  static bool Settles(const std::function<bool()>& pred, std::chrono::seconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto held_since = std::chrono::steady_clock::now();
    bool held = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!pred()) {
        held = false;
      } else if (!held) {
        held = true;
        held_since = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - held_since >= 1s) {
        return true;
      }
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  std::unique_ptr<testing::ZkTestServer> server_;
};

TEST_F(ShardLeadershipTest, TwoReplicasSplitTheClustersAndTheSurvivorTakesOnlyTheOthers) {
  auto a = Join("a:1");
  ASSERT_TRUE(a);
  ASSERT_TRUE(Settles([&] { return a->Led().size() == 4; })) << "a alone leads every cluster";

  auto b = Join("b:2");
  ASSERT_TRUE(b);
  ASSERT_TRUE(Settles([&] { return a->Led().size() == 2 && b->Led().size() == 2; }))
      << "a leads " << a->Led().size() << ", b " << b->Led().size();
  const std::set<std::string> a_led = a->Led(), b_led = b->Led();
  for (const auto& c : kClusters) {
    EXPECT_NE(a_led.count(c), b_led.count(c)) << c << ": led by exactly one";
    EXPECT_EQ(a->shards->LeaderOf(c), a_led.count(c) ? "a:1" : "b:2") << c;
  }
  std::map<std::string, int> a_lost_before, b_terms;
  for (const auto& c : a_led) a_lost_before[c] = a->Lost(c);
  for (const auto& c : b_led) {
    b_terms[c] = b->shards->Term(c);
    EXPECT_GT(b_terms[c], 0) << c;
    EXPECT_EQ(a->shards->Term(c), 0) << c << ": a does not lead it";
  }

  b.reset();  // b leaves: its member node, then its elections
  ASSERT_TRUE(Settles([&] { return a->Led().size() == 4; })) << "a takes b's clusters";
  for (const auto& c : a_led) {
    EXPECT_EQ(a->Lost(c), a_lost_before[c]) << c << " was a's all along: it never moved";
  }
  for (const auto& [c, term] : b_terms) {
    EXPECT_GT(a->shards->Term(c), term) << c << ": a newer term fences b's writes";
  }
}

TEST_F(ShardLeadershipTest, AReplicaWithinItsShareGivesNothingUp) {
  auto a = Join("a:1");
  ASSERT_TRUE(a);
  ASSERT_TRUE(Settles([&] { return a->Led().size() == 4; }));
  // Alone, a's share is every cluster: a balancing round gives nothing up.
  EXPECT_EQ(a->shards->Balance(), 0);
  auto b = Join("b:2");
  ASSERT_TRUE(b);
  ASSERT_TRUE(Settles([&] { return a->Led().size() == 2 && b->Led().size() == 2; }));
  EXPECT_EQ(a->shards->Balance(), 0);
  EXPECT_EQ(b->shards->Balance(), 0);
}

// The controller's Stop and main's shutdown past the grace period may resign at once.
TEST_F(ShardLeadershipTest, TwoResignsAtOnceLeaveEverythingOnce) {
  auto a = Join("a:1");
  ASSERT_TRUE(a);
  ASSERT_TRUE(Settles([&] { return a->Led().size() == 4; }));
  std::thread other([&] { a->shards->Resign(); });
  a->shards->Resign();
  other.join();
  EXPECT_FALSE(a->shards->LeadsAny());
  auto members = a->zk->GetChildren("/controller/shards/members");
  ASSERT_TRUE(members.ok()) << members.status();
  EXPECT_TRUE(members->empty()) << "the member node is gone";
  for (const auto& c : kClusters) {
    auto candidates = a->zk->GetChildren("/controller/shards/" + c + "/leader");
    ASSERT_TRUE(candidates.ok()) << candidates.status();
    EXPECT_TRUE(candidates->empty()) << c;
    EXPECT_EQ(a->Lost(c), 1) << c << ": lost once";
  }
}

TEST_F(ShardLeadershipTest, AnIdentityWithASlashIsRefused) {
  statestore::ZkOptions o;
  o.servers = server_->connect_string();
  auto zk = statestore::ZkClient::Connect(o);
  ASSERT_TRUE(zk.ok()) << zk.status();
  ShardLeadership shards(**zk, ShardOptions{"/controller", "a/b", kClusters, 100ms});
  Status s = shards.Start([](const std::string&) {}, [](const std::string&) {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("a/b"), std::string::npos) << s;
  EXPECT_FALSE(shards.LeadsAny());
}

// Two heron-controller replicas with --shards over four clusters.
class ShardE2E : public ControllerE2E {
 protected:
  void SetUp() override {
    ControllerE2E::SetUp();
    if (HasFailure()) return;
    statestore::ZkOptions o;
    o.servers = zk_->connect_string();
    auto zk = statestore::ZkClient::Connect(o);
    ASSERT_TRUE(zk.ok()) << zk.status();
    std::string clusters = "clusters:\n";
    for (const auto& name : kClusters) {
      std::string url = aurora_->url();
      if (name != kClusters.front()) {
        auto a = testing::AuroraLocalProcess::Start();
        ASSERT_TRUE(a.ok()) << a.status();
        url = (*a)->url();
        others_.push_back(std::move(*a));
      }
      aurora::HttpTransportOptions options;
      options.schedulers = [url] { return std::vector<std::string>{url}; };
      clients_[name] = std::make_unique<aurora::ThriftAuroraClient>(options);
      ASSERT_TRUE((*zk)->Create("/" + name, "", statestore::CreateMode::kPersistent).ok());
      clusters += "  - name: " + name + "\n    aurora: {url: \"" + url +
                  "\"}\n    heron: {zookeeper: \"" + zk_->connect_string() + "/" + name +
                  "\", root: /heron, corePackage: \"" + testing::StandinCorePackageUri() + "\"}\n";
    }
    WriteFile(clusters_file_, clusters);
  }

  std::unique_ptr<testing::ControllerProcess> StartReplica() {
    return StartController({"dir:" + specs_dir_}, {"--shards", "--session-timeout", "4"});
  }

  // cluster -> the identity leading it, as replica c's API says.
  std::map<std::string, std::string> Leaders(const testing::ControllerProcess& c) const {
    std::map<std::string, std::string> out;
    auto r = testing::HttpCall("GET", c.url() + "/api/v1/clusters");
    auto j = ParseJson(r.body);
    if (r.status != 200 || !j.ok()) return out;
    const Json* list = j->Find("clusters");
    if (!list || !list->is_array()) return out;
    for (const auto& cl : list->as_array()) out[JsonStr(cl, "name")] = JsonStr(cl, "leader");
    return out;
  }

  static std::string PathIn(const std::string& cluster) {
    return "/api/v1/topologies/" + cluster + "/www-data/devel/exclamation";
  }
  crd::Topology SpecIn(const std::string& cluster, int64_t timeout_secs) const {
    crd::Topology t = spec_;
    t.spec.cluster = cluster;
    t.spec.topology.config["topology.message.timeout.secs"] = Json(timeout_secs);
    return t;
  }
  void WriteSpecs(int64_t timeout_secs) {
    for (const auto& c : kClusters) {
      WriteFile(specs_dir_ + "/exclamation-" + c + ".yaml", SpecYaml(SpecIn(c, timeout_secs)));
    }
  }

  size_t ActiveTasks(const std::string& cluster) const {
    return ActiveTaskCount("exclamation", clients_.at(cluster).get());
  }
  int Updates(const std::string& cluster, const std::string& spec_hash) const {
    return UpdatesFor(spec_hash, clients_.at(cluster).get());
  }

  std::vector<std::unique_ptr<testing::AuroraLocalProcess>> others_;
  std::map<std::string, std::unique_ptr<aurora::ThriftAuroraClient>> clients_;
};

TEST_F(ShardE2E, TwoReplicasShareFourClustersAndTheSurvivorTakesOverWithNoDuplicateAction) {
  auto a = StartReplica();
  ASSERT_TRUE(a);
  WaitUntilLeader(*a);
  auto b = StartReplica();
  ASSERT_TRUE(b);
  // The clusters split two and two (b takes what a holds past its share).
  std::map<std::string, std::string> leaders;
  std::map<std::string, int> per_replica;
  for (int i = 0; i < 150; ++i) {
    leaders = Leaders(*a);
    per_replica.clear();
    for (const auto& [c, l] : leaders) ++per_replica[l];
    if (leaders.size() == 4 && per_replica.size() == 2 && per_replica.begin()->second == 2 &&
        !per_replica.count("")) {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(per_replica.size(), 2u) << a->LogTail() << b->LogTail();
  for (const auto& [replica, n] : per_replica) EXPECT_EQ(n, 2) << replica;
  EXPECT_EQ(Leaders(*b), leaders) << "both replicas say the same";

  // Each replica runs its own clusters' topologies; either one answers for all four.
  WriteSpecs(30);
  std::set<std::string> b_clusters;
  for (const auto& c : kClusters) {
    const std::string hash = crd::SpecHash(SpecIn(c, 30));
    // The leader's answer shows the live instances; the other's is the stored record.
    for (const testing::ControllerProcess* r : {a.get(), b.get()}) {
      WaitFor(
          *r, c + " running (as " + r->url() + " says)",
          [&](const Json& j) { return RunningAt(j, hash); }, 120, PathIn(c));
    }
    EXPECT_EQ(ActiveTasks(c), 3u) << c;
  }
  // Mutations go to the cluster's leader; the other replica answers 503, naming it.
  for (const auto& c : kClusters) {
    const int on_a = Post(*a, PathIn(c) + ":sync").status;
    const int on_b = Post(*b, PathIn(c) + ":sync").status;
    EXPECT_TRUE((on_a == 202 && on_b == 503) || (on_a == 503 && on_b == 202))
        << c << ": a " << on_a << ", b " << on_b;
    if (on_b == 202) b_clusters.insert(c);
  }
  ASSERT_EQ(b_clusters.size(), 2u);
  std::string a_identity;
  for (const auto& [c, l] : leaders) {
    if (!b_clusters.count(c)) a_identity = l;
  }

  // b dies (no goodbye: its ZooKeeper session expires after 4 s); a new commit changes all four.
  ASSERT_TRUE(b->Kill9().ok());
  WriteSpecs(45);
  for (const auto& c : kClusters) {
    const std::string hash = crd::SpecHash(SpecIn(c, 45));
    WaitFor(
        *a, c + " updated by a",
        [&](const Json& j) { return RunningAt(j, hash) && RunsRevision(j, hash, 3); }, 120,
        PathIn(c));
    EXPECT_EQ(ActiveTasks(c), 3u) << c << ": no second job, no extra instance";
    EXPECT_EQ(Updates(c, hash), 1) << c << ": one update of the new revision";
    EXPECT_EQ(Updates(c, crd::SpecHash(SpecIn(c, 30))), 0)
        << c << ": the first revision was created, never updated to";
  }
  for (const auto& [c, l] : Leaders(*a)) EXPECT_EQ(l, a_identity) << c;
  const std::string log = a->LogTail(1000000);
  for (const auto& c : b_clusters) {
    EXPECT_NE(log.find("controller: leading cluster " + c), std::string::npos) << c;
  }
}

}  // namespace
}  // namespace hgo::e2e
