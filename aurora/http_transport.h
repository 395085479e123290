// HttpTransport: one Thrift message per HTTP POST to a scheduler's /api, the way Aurora's own
// client talks to it.
//
// - Binary protocol by default (Content-Type and Accept: application/vnd.apache.thrift.binary);
//   TJSON (application/vnd.apache.thrift.json) selectable. Never application/x-thrift, which
//   Aurora reads as TJSON.
// - HTTPS when the URL says https; Basic auth when credentials are given (from a file or the
//   environment, never from a spec; they are never logged).
// - 307 from a non-leading scheduler: the request is sent again to the Location (it was not
//   processed), at most max_redirects times.
// - Retries with backoff: read-only and idempotent calls on refused connections, 503 and
//   timeouts; other calls only when the connection was refused, i.e. the request cannot have
//   reached a scheduler.
// - 401/403 -> kUnauthenticated; 503 and refused connections -> kUnavailable; a timeout ->
//   kDeadlineExceeded.
// - Keep-alive: one cpprest client per (scheduler URL, timeout), kept for the transport's life,
//   so calls reuse its pooled connections instead of resolving and connecting each time (a
//   converging controller makes hundreds of calls a second). A request that cannot be written
//   on a pooled connection (the scheduler closed it while idle, or restarted) was never
//   processed: it is sent once more at once on a new client, and the stale one is dropped.
// Post may be called from several threads at once. cpprest stays inside http_transport.cc.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aurora/wire_protocol.h"
#include "common/backoff.h"
#include "common/status.h"

namespace web::http::client {
class http_client;
}  // namespace web::http::client

namespace hgo::aurora {

struct BasicCredentials {
  std::string user;
  std::string password;
};
// "user:password" from the first line of a file (mode 0600 recommended).
StatusOr<BasicCredentials> CredentialsFromFile(const std::string& path);
// From two environment variables; kNotFound when either is unset.
StatusOr<BasicCredentials> CredentialsFromEnv(const std::string& user_var,
                                              const std::string& password_var);

struct HttpTransportOptions {
  // Where to send: returns the scheduler base URLs to try in order ("http://host:8081"). A
  // function so that a ZooKeeper serverset can change the answer between calls.
  std::function<std::vector<std::string>()> schedulers;
  WireProtocol protocol = WireProtocol::kBinary;
  std::optional<BasicCredentials> credentials;
  std::chrono::milliseconds timeout{30000};
  // For calls that may be retried (reads): a shorter wait, since another attempt follows.
  // Unset: timeout.
  std::optional<std::chrono::milliseconds> read_timeout;
  int max_attempts = 4;  // for calls that may be retried
  BackoffOptions backoff{std::chrono::milliseconds(250), std::chrono::milliseconds(5000), 2.0, 0.2};
  int max_redirects = 3;
  bool verify_tls = true;
  std::string ca_file;  // HTTPS: the CAs (PEM) the scheduler's certificate is checked against
};

class HttpTransport {
 public:
  explicit HttpTransport(HttpTransportOptions options);
  ~HttpTransport();

  // Sends body (one serialized Thrift message) and returns the reply body. method is for
  // messages only; retryable says the call is read-only or idempotent.
  StatusOr<std::string> Post(const std::string& method, const std::string& body, bool retryable);
  WireProtocol protocol() const { return options_.protocol; }

  // Attempts made by the last Post (for tests of the retry policy).
  int last_attempts() const { return last_attempts_; }

 private:
  struct Outcome;
  struct Clients;
  Outcome PostOnce(const std::string& url, const std::string& method, const std::string& body,
                   std::chrono::milliseconds timeout);
  Outcome Exchange(web::http::client::http_client& http_client, const std::string& url,
                   const std::string& method, const std::string& body,
                   std::chrono::milliseconds timeout);

  HttpTransportOptions options_;
  std::unique_ptr<Clients> clients_;
  std::atomic<int> last_attempts_{0};
};

}  // namespace hgo::aurora
