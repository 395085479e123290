#include "packager/blob_store.h"

#include <filesystem>

#include "common/file_util.h"
#include "common/http_client.h"
#include "common/sha256.h"
#include "packager/package.h"

namespace hgo::packager {
namespace {

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool IsHttp(const std::string& uri) {
  return StartsWith(uri, "http://") || StartsWith(uri, "https://");
}

}  // namespace

StatusOr<std::string> PushPackage(const std::string& bytes, const std::string& sha256,
                                  const std::string& to, const TransferOptions& options) {
  std::string base = to;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  const std::string name = sha256 + ".tar.gz";
  if (StartsWith(base, "file:///")) {
    const std::string dir = base.substr(7);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::Unavailable("cannot create " + dir + ": " + ec.message());
    const std::string path = dir + "/" + name;
    auto existing = ReadFileLimited(path, kMaxPackageBytes);
    if (!existing.ok() || Sha256Hex(*existing) != sha256) {
      HGO_RETURN_IF_ERROR(WriteFileAtomic(path, bytes));
    }
    return "file://" + path;
  }
  if (IsHttp(base)) {
    const std::string uri = base + "/" + name;
    HttpFetchOptions fetch;
    fetch.body = bytes;
    fetch.content_type = "application/gzip";
    fetch.headers = options.headers;
    fetch.timeout = options.timeout;
    HGO_ASSIGN_OR_RETURN(HttpResponse r, HttpFetch("PUT", uri, fetch));
    if (r.status != 200 && r.status != 201 && r.status != 204) {
      return Status::Unavailable("PUT " + uri + " answered " + std::to_string(r.status) + ": " +
                                 r.body.substr(0, 200));
    }
    return uri;
  }
  return Status::InvalidArgument("--to '" + to +
                                 "' must be file:///absolute/dir or http(s)://host/path");
}

StatusOr<std::string> FetchPackage(const std::string& uri, const TransferOptions& options) {
  if (StartsWith(uri, "file:///")) return ReadFileLimited(uri.substr(7), kMaxPackageBytes);
  if (IsHttp(uri)) {
    HttpFetchOptions fetch;
    fetch.headers = options.headers;
    fetch.timeout = options.timeout;
    HGO_ASSIGN_OR_RETURN(HttpResponse r, HttpFetch("GET", uri, fetch));
    if (r.status != 200) {
      return Status::Unavailable("GET " + uri + " answered " + std::to_string(r.status));
    }
    if (r.body.size() > kMaxPackageBytes) {
      return Status::ResourceExhausted(uri + " is larger than " + std::to_string(kMaxPackageBytes) +
                                       " bytes");
    }
    return std::move(r.body);
  }
  return Status::InvalidArgument("cannot fetch '" + uri +
                                 "': the controller reads packages from file:// and http(s)://");
}

StatusOr<std::shared_ptr<const PackageFacts>> FetchingPackageReader::Open(const std::string& uri,
                                                                          const std::string& sha256,
                                                                          bool fresh) {
  if (!fresh || !sha256.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = facts_.find({uri, sha256});
    if (it != facts_.end()) return it->second;
  }
  auto bytes = FetchPackage(uri, options_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++fetches_;
  }
  if (!bytes.ok()) {
    return Status(bytes.status().code(), "spec.package.uri: " + bytes.status().message());
  }
  if (!sha256.empty()) {
    const std::string actual = Sha256Hex(*bytes);
    if (actual != sha256) {
      return Status::FailedPrecondition("spec.package.sha256: the package at " + uri +
                                        " has sha256 " + actual + ", the spec says " + sha256);
    }
  }
  HGO_ASSIGN_OR_RETURN(PackageContents contents, OpenPackage(*bytes, uri));
  HGO_RETURN_IF_ERROR(CheckDeployable(contents, uri));
  auto facts = std::make_shared<const PackageFacts>(PackageFacts{
      std::move(contents.defn), std::move(contents.defn_name), std::move(contents.binary_name),
      std::move(contents.binary_type), StateManagerRoot(contents)});
  std::lock_guard<std::mutex> lock(mu_);
  facts_[{uri, sha256}] = facts;
  return facts;
}

uint64_t FetchingPackageReader::fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

}  // namespace hgo::packager
