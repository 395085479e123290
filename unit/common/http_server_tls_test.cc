// HTTPS on the HTTP server over loopback (real sockets, real OpenSSL on both ends): the client
// verifies the certificate against a CA file, refuses an unknown one unless told to check
// nothing, and a reload changes the certificate new connections see, keeping it on a bad file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/http_client.h"
#include "common/http_server.h"
#include "testing/temp_dir.h"
#include "testing/tls_cert.h"

namespace hgo {
namespace {

class HttpServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    auto a = testing::MakeSelfSignedCert(dir_.path(), "a", "first");
    auto b = testing::MakeSelfSignedCert(dir_.path(), "b", "second");
    ASSERT_TRUE(a.ok() && b.ok());
    a_ = *a;
    b_ = *b;
    // The files the server is configured with; a test replaces their contents.
    served_ = {dir_.path() + "/served.crt", dir_.path() + "/served.key"};
    Serve(a_);
  }
  void Serve(const testing::TlsCert& from) {
    std::filesystem::copy_file(from.cert_file, served_.cert_file,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(from.key_file, served_.key_file,
                               std::filesystem::copy_options::overwrite_existing);
  }
  StatusOr<HttpResponse> Get(const std::string& url, const std::string& ca_file,
                             bool verify = true) {
    HttpFetchOptions o;
    o.ca_file = ca_file;
    o.verify_tls = verify;
    return HttpFetch("GET", url + "/x", o);
  }
  StatusOr<std::unique_ptr<HttpServer>> Start() {
    return HttpServer::Start(
        "127.0.0.1", 0, [](const HttpRequest&) { return HttpReply::Text(200, "secure\n"); },
        HttpServerTls{served_.cert_file, served_.key_file});
  }

  hgo::testing::TempDir dir_{"tls"};
  testing::TlsCert a_, b_, served_;
};

TEST_F(HttpServerTlsTest, TheClientVerifiesTheCertificateAgainstItsCaFile) {
  auto server = Start();
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string url = (*server)->url();
  EXPECT_EQ(url.rfind("https://127.0.0.1:", 0), 0u) << url;

  auto trusted = Get(url, a_.cert_file);
  ASSERT_TRUE(trusted.ok()) << trusted.status();
  EXPECT_EQ(trusted->status, 200);
  EXPECT_EQ(trusted->body, "secure\n");

  auto other_ca = Get(url, b_.cert_file);
  EXPECT_FALSE(other_ca.ok()) << "a certificate of another CA was accepted";
  auto system_cas = Get(url, "");
  EXPECT_FALSE(system_cas.ok()) << "a self-signed certificate passed the system's CAs";
  auto unchecked = Get(url, "", /*verify=*/false);
  ASSERT_TRUE(unchecked.ok()) << unchecked.status();
  EXPECT_EQ(unchecked->status, 200);

  auto missing = Get(url, dir_.path() + "/nope.crt");
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("nope.crt"), std::string::npos);
}

TEST_F(HttpServerTlsTest, AReloadServesTheNewCertificateAndABadOneKeepsTheOld) {
  auto server = Start();
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string url = (*server)->url();
  ASSERT_TRUE(Get(url, a_.cert_file).ok());

  Serve(b_);
  ASSERT_TRUE((*server)->ReloadTls().ok());
  auto after = Get(url, b_.cert_file);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->status, 200);
  EXPECT_FALSE(Get(url, a_.cert_file).ok()) << "the old certificate is still served";

  // A key that does not match the certificate: refused, naming the file; b stays served.
  std::filesystem::copy_file(a_.key_file, served_.key_file,
                             std::filesystem::copy_options::overwrite_existing);
  Status bad = (*server)->ReloadTls();
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("served.key"), std::string::npos) << bad;
  EXPECT_NE(bad.message().find("does not match"), std::string::npos) << bad;
  EXPECT_TRUE(Get(url, b_.cert_file).ok());

  std::ofstream(served_.cert_file) << "not a certificate\n";
  bad = (*server)->ReloadTls();
  EXPECT_NE(bad.message().find("served.crt"), std::string::npos) << bad;
  EXPECT_TRUE(Get(url, b_.cert_file).ok());
}

TEST_F(HttpServerTlsTest, AServerWithABadKeyDoesNotStart) {
  std::filesystem::copy_file(b_.key_file, served_.key_file,
                             std::filesystem::copy_options::overwrite_existing);
  auto server = Start();
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("served.key"), std::string::npos) << server.status();
  auto no_key = HttpServer::Start(
      "127.0.0.1", 0, [](const HttpRequest&) { return HttpReply::Text(200, ""); },
      HttpServerTls{served_.cert_file, ""});
  EXPECT_FALSE(no_key.ok());
}

}  // namespace
}  // namespace hgo
