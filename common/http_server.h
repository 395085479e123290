// HttpServer: a small HTTP/1.1 server with one handler function, over cpprest's listener (whose
// headers stay in http_server.cc). The handler runs on the server's own eight threads (never on
// cpprest's pool, which must not wait), several at once, so it must be thread-safe; past 1,000
// requests waiting for one of them, a request is answered 503 at once.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/status.h"

namespace hgo {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // "/api"
  std::string query;                           // without the '?'
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  // The value of a header (name in any case), or "" when absent.
  std::string Header(const std::string& name) const;
  // The first value of a query parameter, percent-decoded ('+' is a space), or "" when absent.
  std::string Param(const std::string& name) const;
};

struct HttpReply;
using HttpRespond = std::function<void(HttpReply)>;

struct HttpReply {
  int status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
  // A reply sent later (a long-poll): when set, the rest of this reply is ignored and the
  // server calls defer with a function that sends the real one. It must be called exactly
  // once, from any thread; no listener thread waits meanwhile.
  std::function<void(HttpRespond)> defer;
  static HttpReply Text(int status, std::string body);
};

using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

// HTTPS: the certificate (then any intermediates) and the private key, PEM files. Both empty:
// plain HTTP.
struct HttpServerTls {
  std::string cert_file;
  std::string key_file;
  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

class ServerTls;  // common/server_tls.h

class HttpServer {
 public:
  // Listens on host:port (port 0: a free port) and serves every path with handler; over TLS
  // when tls is enabled (TLS 1.2 or later; a bad file is an error naming it).
  static StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& host, int port,
                                                     HttpHandler handler,
                                                     const HttpServerTls& tls = {});
  ~HttpServer();  // stops listening; requests in flight finish first
  int port() const { return port_; }
  std::string url() const;  // "http://host:port" or "https://host:port"

  // Reads the certificate and key files again (SIGHUP): new connections get the new pair, open
  // ones keep theirs; on error the pair in use stays. Plain HTTP: nothing to do.
  Status ReloadTls();

  class Impl;

 private:
  HttpServer() = default;
  std::unique_ptr<Impl> impl_;
  std::shared_ptr<ServerTls> tls_;
  std::string host_;
  int port_ = 0;
};

// A free TCP port on 127.0.0.1 (bound and released; a small race is acceptable).
int PickFreePort();

}  // namespace hgo
