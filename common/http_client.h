// HttpFetch: one plain HTTP(S) request, no retries, for callers whose requests are small and whose
// failure handling is their own (the topology manager's activate/deactivate, heronctl, tests).
// cpprest stays inside http_client.cc. The Aurora client has its own transport (retries,
// redirects, Thrift content types): aurora/http_transport.h.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "common/status.h"

namespace hgo {

struct HttpFetchOptions {
  std::string body;
  std::string content_type = "application/octet-stream";  // sent only with a body
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds timeout{10000};
  // HTTPS: the server's certificate is verified against the system's CAs, or against the CA
  // certificates in ca_file (PEM) when given; verify_tls=false checks nothing (an explicit
  // choice of the user's, never a default).
  std::string ca_file;
  bool verify_tls = true;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
};

// Any HTTP answer, 4xx and 5xx included, is a response; an unreachable server is kUnavailable, a
// timeout kDeadlineExceeded, a malformed URL kInvalidArgument.
StatusOr<HttpResponse> HttpFetch(const std::string& method, const std::string& url,
                                 const HttpFetchOptions& options = {});

}  // namespace hgo
