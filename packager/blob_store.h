// Where packages live: a directory (file:///DIR) or an HTTP store that takes PUT and serves GET
// (http(s)://BASE). Both are content-addressed: a package is stored as <sha256>.tar.gz, so a
// URI names exactly one content and pushing the same package twice is harmless.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "common/status.h"

namespace hgo::packager {

struct TransferOptions {
  std::map<std::string, std::string> headers;  // e.g. Authorization, for HTTP stores
  std::chrono::milliseconds timeout{120000};
};

// Stores bytes (whose sha256 is sha256) under `to` and returns the package's URI. kInvalidArgument
// for a `to` that is neither file:///absolute/dir nor http(s)://...; kUnavailable when the
// store cannot be reached or refuses (the answer's status is in the message).
StatusOr<std::string> PushPackage(const std::string& bytes, const std::string& sha256,
                                  const std::string& to, const TransferOptions& options = {});

// The bytes at a file:// or http(s):// URI (at most kMaxPackageBytes).
StatusOr<std::string> FetchPackage(const std::string& uri, const TransferOptions& options = {});

// What the controller needs from a package before deploying it.
class PackageReader {
 public:
  virtual ~PackageReader() = default;
  // The package's .defn. When sha256 is not empty the package's bytes must have it:
  // kFailedPrecondition otherwise, naming both digests.
  virtual StatusOr<std::string> Defn(const std::string& uri, const std::string& sha256) = 0;
};

// Fetches packages and keeps each checked package's .defn by (uri, sha256): a .defn is small and
// the package is not kept. Keeping it means a rollback to a revision checked before does not
// depend on the store being up; a package whose bytes change under the same URI afterwards is
// caught where it is fetched for a task (the job's fetch step checks the sha256). Packages
// without a sha256 in the spec are fetched every time. Safe to call from many threads.
class FetchingPackageReader : public PackageReader {
 public:
  explicit FetchingPackageReader(TransferOptions options = {}) : options_(std::move(options)) {}
  StatusOr<std::string> Defn(const std::string& uri, const std::string& sha256) override;
  uint64_t fetches() const;

 private:
  const TransferOptions options_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::string> defn_by_package_;  // (uri, sha)
  uint64_t fetches_ = 0;
};

}  // namespace hgo::packager
