// The real aurora-local binary, run as a child process on a free loopback port with its own
// state directory, for e2e tests: stopped with SIGTERM, crashed with SIGKILL, restarted on the
// same port and state. On destruction every task process it started is killed too (tasks run in
// sessions of their own and would otherwise outlive the test).
//
// E2E_AURORA_URL=http://host:port makes Start() attach to an existing scheduler instead (Stop,
// Kill and Restart then fail).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace hgo::testing {

struct AuroraLocalOptions {
  // e.g. {"--users-file", path}; with --tls-cert-file the URL is https://
  std::vector<std::string> extra_args;
  std::vector<std::string> env;  // NAME=VALUE, e.g. HGO_FAILPOINTS=...
};

class AuroraLocalProcess {
 public:
  static StatusOr<std::unique_ptr<AuroraLocalProcess>> Start(AuroraLocalOptions options = {});
  ~AuroraLocalProcess();

  std::string url() const { return url_; }
  const std::string& state_dir() const { return dir_; }
  pid_t pid() const { return pid_; }
  bool attached() const { return pid_ < 0 && !url_.empty() && dir_.empty(); }

  Status Stop();     // SIGTERM, wait
  Status Kill9();    // SIGKILL, wait
  Status Restart();  // start again on the same port and state
  // The environment of the next starts (NAME=VALUE entries), e.g. to arm a failpoint.
  void SetEnv(std::vector<std::string> env) { options_.env = std::move(env); }
  // Kills the process groups of every task started so far (their pids files in the sandboxes).
  void KillTaskProcesses();

 private:
  AuroraLocalProcess() = default;
  Status Launch();

  AuroraLocalOptions options_;
  std::string dir_;
  std::string url_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// The path of a binary built by this project (build/cmd/NAME).
std::string BuiltBinary(const std::string& name);

}  // namespace hgo::testing
