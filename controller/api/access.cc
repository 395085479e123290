#include "controller/api/access.h"

#include <spdlog/spdlog.h>

#include "common/file_util.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "crd/config_file.h"

namespace hgo::controller {
namespace {

StatusOr<std::set<std::string>> Strings(const crd::ConfigFile& f, const Json& entry,
                                        const std::string& path, const std::string& key) {
  std::set<std::string> out;
  const Json* list = entry.Find(key);
  if (!list) return out;
  if (!list->is_array()) return f.Error(path + "." + key, "must be a list of strings");
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    const Json& v = list->as_array()[i];
    if (!v.is_string() || v.as_string().empty()) {
      return f.Error(path + "." + key + "[" + std::to_string(i) + "]", "must be a string");
    }
    out.insert(v.as_string());
  }
  return out;
}

StatusOr<ApiToken> ParseToken(const crd::ConfigFile& f, const Json& entry,
                              const std::string& path) {
  HGO_RETURN_IF_ERROR(f.OnlyKeys(entry, path, {"name", "sha256", "scope", "roles", "keys"}));
  ApiToken t;
  HGO_ASSIGN_OR_RETURN(t.name, f.String(entry, path, "name", true));
  HGO_ASSIGN_OR_RETURN(t.sha256, f.String(entry, path, "sha256", true));
  if (!IsSha256Hex(t.sha256)) {
    return f.Error(path + ".sha256",
                   "must be the token's SHA-256 in lower-case hex (sha256sum of the token, "
                   "without a newline), never the token itself");
  }
  HGO_ASSIGN_OR_RETURN(std::string scope, f.String(entry, path, "scope", true));
  if (scope == "read") {
    t.scope = Scope::kRead;
  } else if (scope == "operate") {
    t.scope = Scope::kOperate;
  } else if (scope == "admin") {
    t.scope = Scope::kAdmin;
  } else {
    return f.Error(path + ".scope", "must be read, operate or admin, got '" + scope + "'");
  }
  HGO_ASSIGN_OR_RETURN(t.roles, Strings(f, entry, path, "roles"));
  HGO_ASSIGN_OR_RETURN(t.keys, Strings(f, entry, path, "keys"));
  for (const auto& k : t.keys) {
    if (!crd::TopologyKey::Parse(k).ok()) {
      return f.Error(path + ".keys", "'" + k + "' is not cluster/role/environment/name");
    }
  }
  if (t.scope != Scope::kOperate && (!t.roles.empty() || !t.keys.empty())) {
    return f.Error(path + ".scope", "only an operate token is limited to roles or keys");
  }
  return t;
}

}  // namespace

const char* ScopeName(Scope s) {
  switch (s) {
    case Scope::kRead:
      return "read";
    case Scope::kOperate:
      return "operate";
    case Scope::kAdmin:
      return "admin";
  }
  return "read";
}

StatusOr<AccessList> ParseTokensFile(const std::string& text, const std::string& file) {
  HGO_ASSIGN_OR_RETURN(crd::ConfigFile f, crd::ConfigFile::Parse(text, file));
  const Json& root = f.root();
  if (!root.is_object()) return Status::InvalidArgument(file + ": expected 'tokens:'");
  HGO_RETURN_IF_ERROR(f.OnlyKeys(root, "", {"tokens"}));
  const Json* list = root.Find("tokens");
  if (!list || !list->is_array() || list->as_array().empty()) {
    return f.Error("tokens", "must be a non-empty list");
  }
  AccessList access;
  std::set<std::string> names, hashes;
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    const std::string path = "tokens[" + std::to_string(i) + "]";
    HGO_ASSIGN_OR_RETURN(ApiToken t, ParseToken(f, list->as_array()[i], path));
    if (!names.insert(t.name).second) return f.Error(path + ".name", "appears twice");
    if (!hashes.insert(t.sha256).second) {
      return f.Error(path + ".sha256", "the same token as an earlier entry");
    }
    access.tokens.push_back(std::move(t));
  }
  return access;
}

StatusOr<AccessList> LoadTokensFile(const std::string& path) {
  HGO_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(path, 1 << 20));
  return ParseTokensFile(text, path);
}

ApiToken AdminToken(const std::string& token) {
  ApiToken t;
  t.name = "admin";
  t.sha256 = Sha256Hex(token);
  t.scope = Scope::kAdmin;
  return t;
}

const ApiToken* Identify(const AccessList& access, const std::string& authorization) {
  if (authorization.rfind("Bearer ", 0) != 0 || authorization.size() == 7) return nullptr;
  const std::string hash = Sha256Hex(authorization.substr(7));
  const ApiToken* found = nullptr;
  for (const auto& t : access.tokens) {  // every entry compared: the time says nothing
    if (SameSecret(hash, t.sha256)) found = &t;
  }
  return found;
}

Status MayChange(const ApiToken& token, const std::optional<crd::TopologyKey>& key) {
  switch (token.scope) {
    case Scope::kAdmin:
      return Status::Ok();
    case Scope::kRead:
      return Status(StatusCode::kPermissionDenied,
                    "token '" + token.name + "' may only read (scope read)");
    case Scope::kOperate:
      break;
  }
  if (!key) {
    return Status(StatusCode::kPermissionDenied,
                  "token '" + token.name + "' may act on topologies only; this call needs admin");
  }
  if ((token.roles.empty() && token.keys.empty()) || token.roles.count(key->role) ||
      token.keys.count(key->ToString())) {
    return Status::Ok();
  }
  return Status(StatusCode::kPermissionDenied, "token '" + token.name + "' may not act on " +
                                                   key->ToString() +
                                                   " (not among its roles or keys)");
}

AuditLog::AuditLog(std::string path) : path_(std::move(path)) {
  out_.open(path_, std::ios::app);
  if (!out_) spdlog::error("audit log {}: cannot open it for appending", path_);
}

void AuditLog::Write(int64_t now_ms, const std::string& who, const std::string& method,
                     const std::string& path, const std::string& topology, int status) {
  Json j = Json::MakeObject();
  j["ts"] =
      FormatTimestamp(std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms)));
  j["who"] = who;
  j["method"] = method;
  j["path"] = path;
  if (!topology.empty()) j["topology"] = topology;
  j["status"] = static_cast<int64_t>(status);
  const std::string line = Serialize(j) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  out_ << line;
  out_.flush();
  if (!out_) spdlog::error("audit log {}: write failed", path_);
}

}  // namespace hgo::controller
