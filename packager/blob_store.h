// Where packages live: a directory (file:///DIR) or an HTTP store that takes PUT and serves GET
// (http(s)://BASE). Both are content-addressed: a package is stored as <sha256>.tar.gz, so a
// URI names exactly one content and pushing the same package twice is harmless.
#pragma once

#include <chrono>
#include <map>
#include <memory>
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

// What the controller needs from a package to deploy it.
struct PackageFacts {
  std::string defn;           // the serialized Topology
  std::string defn_name;      // <name>.defn
  std::string binary_name;    // the topology binary's base name
  std::string binary_type;    // jar, tar, pex, so, dylib: the executor's --pkg-type
  std::string statemgr_root;  // packager::StateManagerRoot: where the executor watches
};

class PackageReader {
 public:
  virtual ~PackageReader() = default;
  // The package's facts, once it is known to be deployable (packager::CheckDeployable). When
  // sha256 is not empty the package's bytes must have it: kFailedPrecondition otherwise, naming
  // both digests. fresh: read the package again even when its facts are known (the check before
  // Heron's state is written, for packages without a sha256).
  // Shared, never modified: a pass over many topologies of one package copies nothing.
  virtual StatusOr<std::shared_ptr<const PackageFacts>> Open(const std::string& uri,
                                                             const std::string& sha256,
                                                             bool fresh = false) = 0;
};

// Fetches packages and keeps each checked package's facts by (uri, sha256): they are small and
// the package is not kept. Keeping it means a rollback to a revision checked before does not
// depend on the store being up; a package whose bytes change under the same URI afterwards is
// caught where it is fetched for a task (the job's fetch step checks the sha256). Packages
// without a sha256 in the spec are kept too (planning reads the binary's name on every pass)
// but read again whenever fresh is asked. Safe to call from many threads.
class FetchingPackageReader : public PackageReader {
 public:
  explicit FetchingPackageReader(TransferOptions options = {}) : options_(std::move(options)) {}
  StatusOr<std::shared_ptr<const PackageFacts>> Open(const std::string& uri,
                                                     const std::string& sha256,
                                                     bool fresh = false) override;
  uint64_t fetches() const;

 private:
  const TransferOptions options_;
  mutable std::mutex mu_;
  // by (uri, sha256)
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const PackageFacts>> facts_;
  uint64_t fetches_ = 0;
};

}  // namespace hgo::packager
