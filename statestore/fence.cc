#include "statestore/fence.h"

#include <cstdlib>

namespace hgo::statestore {

namespace {

// The term a fence node holds; a node that is not a number (never written by a controller) holds
// none, so any leader may claim it.
int64_t StoredTerm(const std::string& data) {
  char* end = nullptr;
  const long long v = std::strtoll(data.c_str(), &end, 10);
  if (data.empty() || end == nullptr || *end != '\0' || v < 0) return 0;
  return v;
}

Status NotLeader() {
  return Status::FailedPrecondition(
      "not the leader: this controller makes no ZooKeeper write outside its term");
}

std::string Parent(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

}  // namespace

std::string FencePath(const std::string& root) { return JoinZkPath(root, "fence"); }

ZkFence::ZkFence(ZkClient& zk, std::string path, TermFn term)
    : zk_(zk), path_(std::move(path)), term_(std::move(term)) {}

Status ZkFence::Fenced(int64_t ours, int64_t theirs) const {
  return Status::FailedPrecondition("fenced: a newer leader (term " + std::to_string(theirs) +
                                    ") holds " + path_ + "; this controller's term " +
                                    std::to_string(ours) + " is over, its write is refused");
}

StatusOr<int32_t> ZkFence::VersionForTerm(int64_t term) {
  if (term <= 0) return NotLeader();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (claimed_term_ == term) return claimed_version_;
  }
  for (int round = 0; round < 5; ++round) {
    auto node = zk_.Get(path_);
    int32_t version = -1;
    if (!node.ok()) {
      if (node.status().code() != StatusCode::kNotFound) return node.status();
      HGO_RETURN_IF_ERROR(zk_.EnsurePath(Parent(path_)));
      auto created = zk_.Create(path_, std::to_string(term), CreateMode::kPersistent);
      if (created.status().code() == StatusCode::kAlreadyExists) continue;  // another claim won
      if (!created.ok()) return created.status();
      version = 0;
    } else {
      const int64_t stored = StoredTerm(node->data);
      if (stored > term) return Fenced(term, stored);
      version = node->stat.version;
      if (stored < term) {
        auto set = zk_.Set(path_, std::to_string(term), node->stat.version);
        if (set.status().code() == StatusCode::kConflict) continue;  // moved: read it again
        if (!set.ok()) return set.status();
        version = set->version;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    claimed_term_ = term;
    claimed_version_ = version;
    return version;
  }
  return Status::Unavailable("the fence " + path_ + " kept moving while it was claimed");
}

Status ZkFence::Claim() { return VersionForTerm(term_()).status(); }

Status ZkFence::Confirm() {
  const int64_t term = term_();
  if (term <= 0) return NotLeader();
  HGO_ASSIGN_OR_RETURN(ZkNode node, zk_.Get(path_));
  const int64_t stored = StoredTerm(node.data);
  if (stored > term) return Fenced(term, stored);
  if (stored == term) return Status::Ok();
  {
    std::lock_guard<std::mutex> lock(mu_);
    claimed_term_ = 0;  // our claim is not there (yet): make it
  }
  return Claim();
}

ZkMultiResult ZkFence::Write(std::vector<ZkOp> ops) {
  ops.insert(ops.begin(), ZkOp::Check(path_, 0));
  ZkMultiResult result;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int64_t term = term_();
    auto version = VersionForTerm(term);
    if (!version.ok()) {
      result.status = version.status();
      return result;
    }
    ops.front() = ZkOp::Check(path_, *version);
    result = zk_.Multi(ops);
    if (result.failed != 0) {
      // Applied, or failed on a write itself: answer for the caller's ops.
      result.failed = result.failed < 0 ? -1 : result.failed - 1;
      result.created.erase(result.created.begin());
      result.stats.erase(result.stats.begin());
      return result;
    }
    // The fence moved since it was claimed: find out by whom.
    std::lock_guard<std::mutex> lock(mu_);
    if (claimed_term_ == term && claimed_version_ == *version) claimed_term_ = 0;
  }
  result.status = Status::Unavailable("the fence " + path_ + " moved twice during one write");
  return result;
}

StatusOr<std::string> ZkFence::Create(const std::string& path, std::string_view data,
                                      CreateMode mode) {
  ZkMultiResult r = Write({ZkOp::Create(path, std::string(data), mode)});
  if (!r.status.ok()) return r.status;
  return r.created.at(0);
}

StatusOr<ZkStat> ZkFence::Set(const std::string& path, std::string_view data,
                              int32_t expected_version) {
  ZkMultiResult r = Write({ZkOp::Set(path, std::string(data), expected_version)});
  if (!r.status.ok()) return r.status;
  return r.stats.at(0);
}

Status ZkFence::Delete(const std::string& path, int32_t expected_version) {
  return Write({ZkOp::Delete(path, expected_version)}).status;
}

ZkMultiResult ZkFence::Multi(std::vector<ZkOp> ops) { return Write(std::move(ops)); }

}  // namespace hgo::statestore
