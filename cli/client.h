// heronctl's connection to heron-controller: where it is and the token (flags, then environment,
// then the config file, then defaults), and the HTTP calls with the controller's errors turned
// into Status with a hint of what to do.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace hgo::cli {

inline constexpr char kDefaultServer[] = "http://127.0.0.1:8089";

struct ConnectionFlags {
  std::string server;      // --server
  std::string token_file;  // --token-file
  std::string spool;       // --spool (apply and delete)
  std::string config;      // --config
  std::string ca_file;     // --ca-file
  bool insecure = false;   // --insecure-skip-tls-verify
};

struct Connection {
  std::string server = kDefaultServer;
  std::string token;  // may be empty: reads need none
  std::string spool;
  std::string config_file;  // the file that was read, if any
  std::string ca_file;      // HTTPS: verify the controller's certificate against these CAs
  bool verify_tls = true;   // false only by --insecure-skip-tls-verify
};

using GetEnv = std::function<const char*(const char*)>;

// Flags win over HERONCTL_SERVER / HERONCTL_TOKEN_FILE / HERONCTL_TOKEN / HERONCTL_SPOOL /
// HERONCTL_CA_FILE, which win over the config file (--config, HERONCTL_CONFIG, or
// ~/.config/heronctl/config.yaml when it exists: keys server, tokenFile, spool, caFile). A named
// config or token file that cannot be read is an error; a token is never taken from a flag's
// value, so it stays out of shell history. Not checking the certificate is a flag only
// (--insecure-skip-tls-verify), never a setting that outlives the command.
StatusOr<Connection> ResolveConnection(const ConnectionFlags& flags, const GetEnv& getenv);

class ApiClient {
 public:
  explicit ApiClient(Connection c) : c_(std::move(c)) {}
  const Connection& connection() const { return c_; }

  StatusOr<Json> Get(const std::string& path) const;
  StatusOr<Json> Post(const std::string& path, const std::string& body = "") const;

  // The topology key ("cluster/role/env/name") a name stands for: a full key, or a name unique
  // among the controller's topologies.
  // With any_cluster, a name the clusters of one placement share (same role, environment and
  // name) gives the first of them: the rollout verbs act on the placement as a whole.
  StatusOr<std::string> Resolve(const std::string& name, bool any_cluster = false) const;
  static std::string TopologyPath(const std::string& key) { return "/api/v1/topologies/" + key; }

 private:
  StatusOr<Json> Call(const std::string& method, const std::string& path,
                      const std::string& body) const;
  Connection c_;
};

}  // namespace hgo::cli
