// API access by token (docs/operations.md, "API access"): who a request's bearer token is, what
// it may change, and the audit log of every change asked for.
//
// Tokens come from a file (--tokens-file), each kept only as the SHA-256 of the token, with a
// scope:
// - read: nothing that changes anything (reads are open to anyone today, see the docs);
// - operate: the topology verbs (sync, suspend, resume, rollback, retry, restart, halt,
//   promote), on the topologies of its roles or its keys only (neither: every topology);
// - admin: everything, controller-wide calls too (resync, the webhook with a token).
// The token of --token-file is an admin token named "admin".
//
// Thread-safety: an AccessList is immutable once loaded; AuditLog serializes its writes.
#pragma once

#include <cstdint>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "crd/topology.h"

namespace hgo::controller {

enum class Scope { kRead, kOperate, kAdmin };
const char* ScopeName(Scope s);

struct ApiToken {
  std::string name;
  std::string sha256;  // of the token, lower-case hex
  Scope scope = Scope::kRead;
  std::set<std::string> roles;  // operate: these roles' topologies
  std::set<std::string> keys;   // operate: these topologies (cluster/role/env/name)
};

struct AccessList {
  std::vector<ApiToken> tokens;
  bool empty() const { return tokens.empty(); }
};

// tokens: [{name, sha256, scope, roles, keys}]: YAML or JSON, errors with file:line and field.
StatusOr<AccessList> ParseTokensFile(const std::string& text, const std::string& file);
StatusOr<AccessList> LoadTokensFile(const std::string& path);
// The --token-file token, as an admin token named "admin".
ApiToken AdminToken(const std::string& token);

// The token an Authorization header presents ("Bearer X"), or nullptr: none, or unknown.
const ApiToken* Identify(const AccessList& access, const std::string& authorization);

// Whether token may make a change: to the topology key, or (no key) controller-wide.
// kPermissionDenied says why not, without anything of the token itself.
Status MayChange(const ApiToken& token, const std::optional<crd::TopologyKey>& key);

// One JSON line per change asked for, allowed or not: {"ts", "who", "method", "path",
// "topology", "status"}. Appended and flushed at once; an unwritable file is logged, never fatal.
class AuditLog {
 public:
  explicit AuditLog(std::string path);
  void Write(int64_t now_ms, const std::string& who, const std::string& method,
             const std::string& path, const std::string& topology, int status);

 private:
  std::string path_;
  std::mutex mu_;
  std::ofstream out_;
};

}  // namespace hgo::controller
