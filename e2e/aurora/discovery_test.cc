// Leader discovery through a real ZooKeeper: aurora-local announces itself as Aurora's leading
// scheduler does, the client finds it through the serverset, and follows a failover.
#include "aurora/serverset_discovery.h"

#include <gtest/gtest.h>

#include <thread>

#include "aurora/thrift_client.h"
#include "testing/aurora_local_process.h"
#include "testing/zk_test_server.h"

namespace hgo::aurora {
namespace {

using namespace std::chrono_literals;

TEST(ServerSetMemberTest, ReadsAurorasJson) {
  EXPECT_EQ(*UrlFromServerSetMember(
                R"({"serviceEndpoint":{"host":"aurora.local","port":8081},)"
                R"("additionalEndpoints":{"http":{"host":"aurora.local","port":8081}},)"
                R"("status":"ALIVE"})"),
            "http://aurora.local:8081");
  EXPECT_EQ(
      *UrlFromServerSetMember(
          R"({"serviceEndpoint":{"host":"a","port":1},"additionalEndpoints":)"
          R"({"http":{"host":"a","port":1},"https":{"host":"a","port":443}},"status":"ALIVE"})"),
      "https://a:443");
  EXPECT_EQ(*UrlFromServerSetMember(R"({"serviceEndpoint":{"host":"b","port":2}})"), "http://b:2");
  EXPECT_FALSE(UrlFromServerSetMember("{}").ok());
  EXPECT_FALSE(UrlFromServerSetMember("not json").ok());
}

TEST(ServerSetDiscoveryTest, FindsAuroraLocalAndFollowsAFailover) {
  auto zk_server = hgo::testing::ZkTestServer::Start();
  ASSERT_TRUE(zk_server.ok()) << zk_server.status();
  const std::string zk_connect = (*zk_server)->connect_string();
  hgo::testing::AuroraLocalOptions o;
  o.extra_args = {"--zk", zk_connect, "--serverset-path", "/aurora/scheduler"};
  auto first = hgo::testing::AuroraLocalProcess::Start(o);
  ASSERT_TRUE(first.ok()) << first.status();

  statestore::ZkOptions zo;
  zo.servers = zk_connect;
  auto zk = statestore::ZkClient::Connect(zo);
  ASSERT_TRUE(zk.ok());
  // aurora-local announces itself just after it starts listening.
  auto discovery = ServerSetDiscovery::Start(**zk, "/aurora/scheduler");
  for (int i = 0; i < 100 && !discovery.ok(); ++i) {
    std::this_thread::sleep_for(100ms);
    discovery = ServerSetDiscovery::Start(**zk, "/aurora/scheduler");
  }
  ASSERT_TRUE(discovery.ok()) << discovery.status();
  EXPECT_EQ((*discovery)->Urls(), std::vector<std::string>{(*first)->url()});

  HttpTransportOptions options;
  std::shared_ptr<ServerSetDiscovery> d = *discovery;
  options.schedulers = [d] { return d->Urls(); };
  options.backoff = BackoffOptions{50ms, 500ms, 2.0, 0.0};
  ThriftAuroraClient client(options);
  EXPECT_TRUE(client.GetJobs("www-data").ok());

  auto second = hgo::testing::AuroraLocalProcess::Start(o);
  ASSERT_TRUE(second.ok()) << second.status();
  std::this_thread::sleep_for(500ms);                               // let the second one announce
  EXPECT_EQ(d->Urls(), std::vector<std::string>{(*first)->url()});  // the older member leads
  ASSERT_TRUE((*first)->Stop().ok());                               // withdraws its member node
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (d->Urls() != std::vector<std::string>{(*second)->url()} &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(d->Urls(), std::vector<std::string>{(*second)->url()});
  EXPECT_TRUE(client.GetJobs("www-data").ok());
}

}  // namespace
}  // namespace hgo::aurora
