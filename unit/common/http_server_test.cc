// The HTTP server over loopback (real sockets, real cpprest on both ends; no other server).
#include "common/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "common/http_client.h"

namespace hgo {
namespace {

using namespace std::chrono_literals;

HttpFetchOptions Options(std::chrono::milliseconds timeout, std::string body = "") {
  HttpFetchOptions o;
  o.timeout = timeout;
  o.body = std::move(body);
  return o;
}

// Many requests held open (deferred, as the API's watch holds them) must leave the server
// answering others, and leave cpprest's pool free for the process's own HTTP calls: a handler
// that waited on that pool let ~40 open watches stop the controller's Aurora calls.
TEST(HttpServerTest, ManyHeldRequestsLeaveTheServerAndTheClientPoolAnswering) {
  auto other = HttpServer::Start(
      "127.0.0.1", 0, [](const HttpRequest&) { return HttpReply::Text(200, "other\n"); });
  ASSERT_TRUE(other.ok());
  const std::string other_url = (*other)->url();
  std::mutex mu;
  std::vector<HttpRespond> held;
  auto server = HttpServer::Start("127.0.0.1", 0, [&](const HttpRequest& r) {
    if (r.path == "/hold") {
      HttpReply reply;
      reply.defer = [&](HttpRespond respond) {
        std::lock_guard<std::mutex> lock(mu);
        held.push_back(std::move(respond));
      };
      return reply;
    }
    // A handler that calls out over HTTP itself, as the API's import and plan do.
    auto out = HttpFetch("GET", other_url + "/x", Options(5000ms));
    return HttpReply::Text(out.ok() ? 200 : 502, out.ok() ? out->body : out.status().message());
  });
  ASSERT_TRUE(server.ok());
  const std::string url = (*server)->url();

  constexpr int kHeld = 200;
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kHeld; ++i) {
    clients.emplace_back([&] {
      auto r = HttpFetch("GET", url + "/hold", Options(30000ms));
      if (r.ok() && r->status == 200) ++answered;
    });
  }
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (held.size() == kHeld) break;
    }
    std::this_thread::sleep_for(50ms);
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_EQ(held.size(), static_cast<size_t>(kHeld)) << "every request reached the handler";
  }
  auto ping = HttpFetch("GET", url + "/ping", Options(5000ms));
  ASSERT_TRUE(ping.ok()) << ping.status();
  EXPECT_EQ(ping->status, 200);
  EXPECT_EQ(ping->body, "other\n");
  {
    std::lock_guard<std::mutex> lock(mu);
    for (auto& respond : held) respond(HttpReply::Text(200, "released\n"));
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(answered, kHeld);
}

TEST(HttpServerTest, QueryParametersAndBodiesReachTheHandler) {
  auto server = HttpServer::Start("127.0.0.1", 0, [](const HttpRequest& r) {
    return HttpReply::Text(200, r.method + " " + r.path + " q=" + r.Param("q") + " " + r.body);
  });
  ASSERT_TRUE(server.ok());
  auto r = HttpFetch("POST", (*server)->url() + "/a?q=x%20y&z=1", Options(10000ms, "hello"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "POST /a q=x y hello");
}

}  // namespace
}  // namespace hgo
