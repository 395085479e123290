// heronctl package push and the controller's package fetch against an HTTP store (a real HTTP
// server on loopback): the PUT's path, body and Basic credentials, and the errors a store's
// refusals become.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "cli/package_verbs.h"
#include "common/base64.h"
#include "common/file_util.h"
#include "common/http_server.h"
#include "common/sha256.h"
#include "crd/parser.h"
#include "packager/blob_store.h"
#include "packager/package.h"
#include "testing/heron_packages.h"
#include "testing/temp_dir.h"

namespace hgo {
namespace {

namespace fs = std::filesystem;

class PackageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    auto parsed =
        crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
    ASSERT_TRUE(parsed.ok());
    crd::Topology spec = parsed.Topologies().at(0);
    auto package = testing::PackageForTest(dir_, spec);
    ASSERT_TRUE(package.ok()) << package.status();
    file_ = package->uri.substr(7);
    auto bytes = ReadFileLimited(file_, packager::kMaxPackageBytes);
    ASSERT_TRUE(bytes.ok());
    bytes_ = *bytes;
    auto server = HttpServer::Start("127.0.0.1", 0, [this](const HttpRequest& r) {
      std::lock_guard<std::mutex> lock(mu_);
      if (r.method == "PUT") {
        puts_.push_back(r);
        if (r.path.find("/full/") == 0) return HttpReply::Text(507, "store is full");
        if (r.Header("Authorization") != "Basic " + Base64Encode("ci:s3cret")) {
          return HttpReply::Text(401, "who are you");
        }
        stored_[r.path] = r.body;
        return HttpReply::Text(201, "");
      }
      auto it = stored_.find(r.path);
      if (it == stored_.end()) return HttpReply::Text(404, "no such blob");
      return HttpReply::Text(200, it->second);
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  void TearDown() override { server_.reset(); }

  int Push(const std::string& to, const std::string& auth_file, std::string* err_text) {
    cli::PackagePushOptions o;
    o.file = file_;
    o.to = to;
    o.auth_file = auth_file;
    std::ostringstream out, err;
    const int code = cli::RunPackagePush(o, out, err);
    *err_text = err.str();
    return code;
  }

  testing::TempDir tmp_{"store"};  // before dir_, which is its path
  std::string dir_ = tmp_.path();
  std::string file_, bytes_;
  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::vector<HttpRequest> puts_;
  std::map<std::string, std::string> stored_;
};

TEST_F(PackageStoreTest, PushSendsTheBytesWithBasicCredentialsUnderTheirHash) {
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/auth", "ci:s3cret\n").ok());
  std::string err;
  ASSERT_EQ(Push(server_->url() + "/blobs/", dir_ + "/auth", &err), 0) << err;
  const std::string path = "/blobs/" + Sha256Hex(bytes_) + ".tar.gz";
  {
    std::lock_guard<std::mutex> lock(mu_);
    ASSERT_EQ(puts_.size(), 1u);
    EXPECT_EQ(puts_[0].path, path);
    EXPECT_EQ(puts_[0].body, bytes_);
  }
  // What the controller fetches back is what was pushed; a missing blob is an error.
  auto fetched = packager::FetchPackage(server_->url() + path, {});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(*fetched, bytes_);
  auto missing = packager::FetchPackage(server_->url() + "/blobs/nothing.tar.gz", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("404"), std::string::npos) << missing.status();
}

TEST_F(PackageStoreTest, AStoreThatRefusesIsAnErrorNamingItsAnswer) {
  std::string err;
  // No credentials: the store's 401 is reported, not taken for success.
  EXPECT_NE(Push(server_->url() + "/blobs", "", &err), 0);
  EXPECT_NE(err.find("401"), std::string::npos) << err;
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/auth", "ci:s3cret").ok());
  EXPECT_NE(Push(server_->url() + "/full", dir_ + "/auth", &err), 0);
  EXPECT_NE(err.find("507"), std::string::npos) << err;
  EXPECT_NE(err.find("store is full"), std::string::npos) << err;
  // A credentials file that is not user:password is refused before anything is sent.
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/bad-auth", "just-a-token\n").ok());
  const size_t sent = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    return puts_.size();
  }();
  EXPECT_NE(Push(server_->url() + "/blobs", dir_ + "/bad-auth", &err), 0);
  EXPECT_NE(err.find("must hold user:password"), std::string::npos) << err;
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(puts_.size(), sent);
  EXPECT_TRUE(stored_.empty());
}

}  // namespace
}  // namespace hgo
