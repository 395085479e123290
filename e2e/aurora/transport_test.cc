// HttpTransport and ThriftAuroraClient against a local HTTP server that plays a scheduler:
// headers, protocols, 307 to the leader, 401, 503, timeouts, and the retry policy (a call that
// may have reached the scheduler is retried only if it is read-only or idempotent).
#include "aurora/http_transport.h"

#include <gtest/gtest.h>
#include <thrift/protocol/TProtocol.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "aurora/codec.h"
#include "aurora/gen/AuroraSchedulerManager.h"
#include "aurora/thrift_client.h"
#include "common/http_server.h"

namespace hgo::aurora {
namespace {

using namespace std::chrono_literals;
using apache::thrift::protocol::T_REPLY;

// A Thrift reply carrying response for method, in the protocol the request asked for.
template <typename Result>
std::string EncodeReply(const std::string& method, const api::Response& response,
                        WireProtocol protocol) {
  auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
  auto p = MakeProtocol(protocol, buffer);
  Result result;
  result.success = response;
  result.__isset.success = true;
  p->writeMessageBegin(method, T_REPLY, 0);
  result.write(p.get());
  p->writeMessageEnd();
  return buffer->getBufferAsString();
}

api::Response OkWithJobs(int n) {
  api::Response r;
  r.responseCode = api::ResponseCode::OK;
  r.serverInfo.clusterName = "test";
  std::set<api::JobConfiguration> configs;
  for (int i = 0; i < n; ++i) {
    JobConfig j;
    j.key = JobKey{"www-data", "devel", "job" + std::to_string(i)};
    j.owner = "heron";
    j.task.job = j.key;
    j.task.owner = "heron";
    j.instance_count = i + 1;
    configs.insert(ToThrift(j));
  }
  r.result.getJobsResult.configs = configs;
  r.result.__isset.getJobsResult = true;
  r.__isset.result = true;
  return r;
}

// A scripted scheduler: reply(request) decides each answer; every request is recorded.
class FakeScheduler {
 public:
  explicit FakeScheduler(std::function<HttpReply(const HttpRequest&)> reply) {
    auto s = HttpServer::Start("127.0.0.1", 0, [this, reply](const HttpRequest& r) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(r);
      }
      return reply(r);
    });
    EXPECT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
  }
  std::string url() const { return server_->url(); }
  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::vector<HttpRequest> requests_;
  std::unique_ptr<HttpServer> server_;
};

HttpReply ThriftOk(const HttpRequest& r) {
  WireProtocol p = r.Header("Accept") == "application/vnd.apache.thrift.binary"
                       ? WireProtocol::kBinary
                       : WireProtocol::kJson;
  HttpReply reply;
  reply.body = EncodeReply<api::ReadOnlyScheduler_getJobs_result>("getJobs", OkWithJobs(2), p);
  reply.headers["Content-Type"] = ContentType(p);
  return reply;
}

HttpTransportOptions Options(std::vector<std::string> urls) {
  HttpTransportOptions o;
  o.schedulers = [urls] { return urls; };
  o.timeout = 2000ms;
  o.backoff = BackoffOptions{10ms, 50ms, 2.0, 0.0};
  return o;
}

TEST(AuroraTransportTest, BinaryByDefaultWithAurorasHeaders) {
  FakeScheduler scheduler(ThriftOk);
  ThriftAuroraClient client(Options({scheduler.url()}));
  auto jobs = client.GetJobs("www-data");
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  EXPECT_EQ(jobs->size(), 2u);
  auto requests = scheduler.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/api");
  EXPECT_EQ(requests[0].Header("Content-Type"), "application/vnd.apache.thrift.binary");
  EXPECT_EQ(requests[0].Header("Accept"), "application/vnd.apache.thrift.binary");
  EXPECT_EQ(requests[0].Header("Authorization"), "");
  // A strict binary message header: version 0x8001, type CALL.
  ASSERT_GE(requests[0].body.size(), 4u);
  EXPECT_EQ(static_cast<uint8_t>(requests[0].body[0]), 0x80);
  EXPECT_EQ(static_cast<uint8_t>(requests[0].body[1]), 0x01);
  EXPECT_EQ(static_cast<uint8_t>(requests[0].body[3]), 0x01);
}

TEST(AuroraTransportTest, TJsonWhenChosenAndBasicAuthWhenGiven) {
  FakeScheduler scheduler(ThriftOk);
  auto options = Options({scheduler.url()});
  options.protocol = WireProtocol::kJson;
  options.credentials = BasicCredentials{"aurora", "secret"};
  ThriftAuroraClient client(options);
  ASSERT_TRUE(client.GetJobs("www-data").ok());
  auto r = scheduler.requests().at(0);
  EXPECT_EQ(r.Header("Content-Type"), "application/vnd.apache.thrift.json");
  EXPECT_EQ(r.Header("Authorization"), "Basic YXVyb3JhOnNlY3JldA==");  // aurora:secret
  EXPECT_EQ(r.body.rfind(R"([1,"getJobs",1,0,{"1":{"str":"www-data"}}])", 0), 0u) << r.body;
}

TEST(AuroraTransportTest, FollowsA307ToTheLeader) {
  FakeScheduler leader(ThriftOk);
  std::string leader_url = leader.url();
  FakeScheduler follower([leader_url](const HttpRequest&) {
    HttpReply r = HttpReply::Text(307, "");
    r.headers["Location"] = leader_url + "/api";
    return r;
  });
  ThriftAuroraClient client(Options({follower.url()}));
  auto jobs = client.GetJobs("www-data");
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  EXPECT_EQ(follower.requests().size(), 1u);
  EXPECT_EQ(leader.requests().size(), 1u);
  EXPECT_EQ(leader.requests()[0].path, "/api");
}

TEST(AuroraTransportTest, RedirectLoopsEnd) {
  std::string self_url;
  FakeScheduler loop([&self_url](const HttpRequest&) {
    HttpReply r = HttpReply::Text(307, "");
    r.headers["Location"] = self_url + "/api";
    return r;
  });
  self_url = loop.url();
  ThriftAuroraClient client(Options({loop.url()}));
  auto jobs = client.GetJobs("r");
  EXPECT_EQ(jobs.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(jobs.status().message().find("redirects"), std::string::npos);
}

TEST(AuroraTransportTest, Unauthorized401IsAnAuthErrorAndNotRetried) {
  FakeScheduler scheduler([](const HttpRequest&) {
    HttpReply r = HttpReply::Text(401, "");
    r.headers["WWW-Authenticate"] = "Basic realm=\"Apache Aurora Scheduler\"";
    return r;
  });
  ThriftAuroraClient client(Options({scheduler.url()}));
  auto jobs = client.GetJobs("r");
  EXPECT_EQ(jobs.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(jobs.status().message().find("needs credentials"), std::string::npos);
  EXPECT_EQ(scheduler.requests().size(), 1u);
}

TEST(AuroraTransportTest, Unavailable503IsRetriedOnlyForIdempotentCalls) {
  FakeScheduler scheduler([](const HttpRequest&) { return HttpReply::Text(503, "no leader"); });
  ThriftAuroraClient client(Options({scheduler.url()}));
  EXPECT_EQ(client.GetJobs("r").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(client.transport().last_attempts(), 4);
  EXPECT_EQ(scheduler.requests().size(), 4u);

  JobConfig job;
  job.key = JobKey{"r", "devel", "j"};
  EXPECT_EQ(client.CreateJob(job).code(), StatusCode::kUnavailable);
  EXPECT_EQ(client.transport().last_attempts(), 1);
  EXPECT_EQ(scheduler.requests().size(), 5u);
}

TEST(AuroraTransportTest, TimeoutsAreRetriedOnlyForIdempotentCalls) {
  FakeScheduler slow([](const HttpRequest& r) {
    std::this_thread::sleep_for(700ms);
    return ThriftOk(r);
  });
  auto options = Options({slow.url()});
  options.timeout = 200ms;
  options.max_attempts = 2;
  ThriftAuroraClient client(options);
  EXPECT_EQ(client.GetJobs("r").status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(client.transport().last_attempts(), 2);
  JobConfig job;
  job.key = JobKey{"r", "devel", "j"};
  Status s = client.CreateJob(job);
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s;
  EXPECT_EQ(client.transport().last_attempts(), 1);  // it may have been applied: never resent
}

TEST(AuroraTransportTest, RefusedConnectionsAreRetriedEvenForMutatingCalls) {
  // Nothing listens on the first URL: the request cannot have reached a scheduler, so even
  // createJob moves on to the next one.
  FakeScheduler scheduler([](const HttpRequest& r) {
    api::Response ok;
    ok.responseCode = api::ResponseCode::OK;
    HttpReply reply;
    reply.body = EncodeReply<api::AuroraSchedulerManager_createJob_result>("createJob", ok,
                                                                           WireProtocol::kBinary);
    return reply;
  });
  std::string dead = "http://127.0.0.1:" + std::to_string(PickFreePort());
  ThriftAuroraClient client(Options({dead, scheduler.url()}));
  JobConfig job;
  job.key = JobKey{"r", "devel", "j"};
  Status s = client.CreateJob(job);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(client.transport().last_attempts(), 2);
  EXPECT_EQ(scheduler.requests().size(), 1u);
}

TEST(AuroraTransportTest, AnUnknownMethodIsUnimplemented) {
  FakeScheduler scheduler([](const HttpRequest&) {
    auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
    auto p = MakeProtocol(WireProtocol::kBinary, buffer);
    apache::thrift::TApplicationException e(apache::thrift::TApplicationException::UNKNOWN_METHOD,
                                            "Invalid method name: 'getJobs'");
    p->writeMessageBegin("getJobs", apache::thrift::protocol::T_EXCEPTION, 0);
    e.write(p.get());
    p->writeMessageEnd();
    HttpReply reply;
    reply.body = buffer->getBufferAsString();
    return reply;
  });
  ThriftAuroraClient client(Options({scheduler.url()}));
  EXPECT_EQ(client.GetJobs("r").status().code(), StatusCode::kUnimplemented);
}

TEST(AuroraTransportTest, CredentialsComeFromAFileOrTheEnvironment) {
  char path[] = "/tmp/hgo_cred_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "aurora:s3cr:et\n", 15), 15);
  close(fd);
  auto c = CredentialsFromFile(path);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->user, "aurora");
  EXPECT_EQ(c->password, "s3cr:et");
  ASSERT_EQ(write(fd = open(path, O_WRONLY | O_TRUNC), "nocolon\n", 8), 8);
  close(fd);
  auto bad = CredentialsFromFile(path);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().find("nocolon"), std::string::npos);  // never echo secrets
  unlink(path);
  setenv("HGO_TEST_USER", "u", 1);
  unsetenv("HGO_TEST_PASSWORD");
  EXPECT_EQ(CredentialsFromEnv("HGO_TEST_USER", "HGO_TEST_PASSWORD").status().code(),
            StatusCode::kNotFound);
  setenv("HGO_TEST_PASSWORD", "p", 1);
  EXPECT_EQ(CredentialsFromEnv("HGO_TEST_USER", "HGO_TEST_PASSWORD")->password, "p");
}

// Distinct TCP connections (any state, TIME_WAIT included) from this process's host to port:
// the local ports of /proc/net/tcp rows whose remote port is port.
std::set<std::string> ConnectionsTo(int port) {
  std::set<std::string> local_ports;
  std::ifstream tcp("/proc/net/tcp");
  std::string line;
  std::getline(tcp, line);  // header
  char remote_port[8];
  std::snprintf(remote_port, sizeof remote_port, "%04X", port);
  while (std::getline(tcp, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote;
    fields >> slot >> local >> remote;
    if (remote.substr(remote.find(':') + 1) == remote_port) {
      local_ports.insert(local.substr(local.find(':') + 1));
    }
  }
  return local_ports;
}

int PortOf(const std::string& url) { return std::stoi(url.substr(url.rfind(':') + 1)); }

TEST(AuroraTransportTest, CallsReuseOneConnection) {
  FakeScheduler scheduler(ThriftOk);
  ThriftAuroraClient client(Options({scheduler.url()}));
  const auto before = ConnectionsTo(PortOf(scheduler.url()));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client.GetJobs("www-data").ok());
  EXPECT_EQ(scheduler.requests().size(), 5u);
  auto after = ConnectionsTo(PortOf(scheduler.url()));
  for (const auto& p : before) after.erase(p);
  // cpprest puts a connection back in its pool just after the reply has been read, so the next
  // call may find it still out and open a second one; never more, as only one is ever in use.
  EXPECT_LE(after.size(), 2u) << "five calls opened " << after.size() << " connections";
}

TEST(AuroraTransportTest, AMutatingCallAfterTheSchedulerRestartedIsNotLostOnAStaleConnection) {
  auto first = std::make_unique<FakeScheduler>(ThriftOk);
  const std::string url = first->url();
  HttpTransport transport(Options({url}));
  const std::string body = "call";  // the fake answers any body
  ASSERT_TRUE(transport.Post("getJobs", body, /*retryable=*/false).ok());
  first.reset();  // the pooled connection's server is gone
  std::unique_ptr<HttpServer> second;
  for (int i = 0; i < 50 && !second; ++i) {  // the port may take a moment to be free again
    auto s = HttpServer::Start("127.0.0.1", PortOf(url), ThriftOk);
    if (s.ok())
      second = std::move(*s);
    else
      std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(second);
  auto reply = transport.Post("getJobs", body, /*retryable=*/false);
  EXPECT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(transport.last_attempts(), 1);
}

}  // namespace
}  // namespace hgo::aurora
