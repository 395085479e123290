// ServerTls: the certificate and key an HTTPS listener presents, read from PEM files and
// re-read on demand (SIGHUP) without dropping a connection: each TLS handshake takes the pair
// current at that moment (OpenSSL's certificate callback), so a reload changes what new
// connections see and leaves open ones alone. A reload that fails (a file missing, unreadable,
// or a key that does not match the certificate) keeps the pair in use.
// Internal to hgo_http_server: HttpServer takes the file names (common/http_server.h).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace hgo {

class ServerTls {
 public:
  // Reads cert_file (the certificate, then any intermediates, PEM) and key_file (PEM); errors
  // name the file and what is wrong with it.
  static StatusOr<std::shared_ptr<ServerTls>> Load(const std::string& cert_file,
                                                   const std::string& key_file);
  ~ServerTls();

  // Reads the same files again; on error the current pair stays.
  Status Reload();
  // Sets up ctx for serving: TLS 1.2 or later, and this pair chosen at every handshake. The
  // ServerTls must outlive ctx's connections.
  void Attach(ssl_ctx_st* ctx);

  const std::string& cert_file() const { return cert_file_; }

  struct Pair;

 private:
  ServerTls() = default;
  std::string cert_file_, key_file_;
  std::mutex mu_;
  std::shared_ptr<const Pair> current_;
};

}  // namespace hgo
