#include "common/server_tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace hgo {

struct ServerTls::Pair {
  X509* leaf = nullptr;
  STACK_OF(X509) * chain = nullptr;  // intermediates, may be empty
  EVP_PKEY* key = nullptr;
  ~Pair() {
    X509_free(leaf);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
  }
};

namespace {

std::string OpenSslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "no PEM data";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

StatusOr<std::shared_ptr<const ServerTls::Pair>> ReadPair(const std::string& cert_file,
                                                          const std::string& key_file) {
  auto pair = std::make_shared<ServerTls::Pair>();
  ERR_clear_error();
  BIO* in = BIO_new_file(cert_file.c_str(), "r");
  if (!in) return Status::InvalidArgument(cert_file + ": cannot read: " + OpenSslError());
  pair->leaf = PEM_read_bio_X509(in, nullptr, nullptr, nullptr);
  if (!pair->leaf) {
    BIO_free(in);
    return Status::InvalidArgument(cert_file + ": not a PEM certificate: " + OpenSslError());
  }
  pair->chain = sk_X509_new_null();
  while (X509* next = PEM_read_bio_X509(in, nullptr, nullptr, nullptr)) {
    sk_X509_push(pair->chain, next);
  }
  ERR_clear_error();  // the end of the file ends the loop with an error on the stack
  BIO_free(in);

  in = BIO_new_file(key_file.c_str(), "r");
  if (!in) return Status::InvalidArgument(key_file + ": cannot read: " + OpenSslError());
  pair->key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  if (!pair->key) {
    return Status::InvalidArgument(key_file +
                                   ": not a PEM private key (an encrypted key is "
                                   "not supported): " +
                                   OpenSslError());
  }
  if (X509_check_private_key(pair->leaf, pair->key) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(key_file + ": the key does not match the certificate in " +
                                   cert_file);
  }
  return std::shared_ptr<const ServerTls::Pair>(std::move(pair));
}

}  // namespace

StatusOr<std::shared_ptr<ServerTls>> ServerTls::Load(const std::string& cert_file,
                                                     const std::string& key_file) {
  if (cert_file.empty() || key_file.empty()) {
    return Status::InvalidArgument("TLS needs both a certificate file and a key file");
  }
  HGO_ASSIGN_OR_RETURN(auto pair, ReadPair(cert_file, key_file));
  std::shared_ptr<ServerTls> tls(new ServerTls());
  tls->cert_file_ = cert_file;
  tls->key_file_ = key_file;
  tls->current_ = std::move(pair);
  return tls;
}

ServerTls::~ServerTls() = default;

Status ServerTls::Reload() {
  HGO_ASSIGN_OR_RETURN(auto pair, ReadPair(cert_file_, key_file_));
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(pair);
  return Status::Ok();
}

void ServerTls::Attach(ssl_ctx_st* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_cert_cb(
      ctx,
      [](SSL* ssl, void* arg) -> int {
        auto* self = static_cast<ServerTls*>(arg);
        std::shared_ptr<const Pair> pair;
        {
          std::lock_guard<std::mutex> lock(self->mu_);
          pair = self->current_;
        }
        // SSL_use_* take their own references: the pair may be replaced meanwhile.
        if (SSL_use_certificate(ssl, pair->leaf) != 1) return 0;
        if (SSL_use_PrivateKey(ssl, pair->key) != 1) return 0;
        return SSL_set1_chain(ssl, pair->chain) == 1 ? 1 : 0;
      },
      this);
}

}  // namespace hgo
