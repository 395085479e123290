// The real heron-controller binary as a child process for e2e tests: started on a free loopback
// port, stopped with SIGTERM, crashed with SIGKILL, restarted with the same flags. Its log is
// <dir>/controller-N.log. Also a small HTTP client for its API.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace hgo::testing {

class ControllerProcess {
 public:
  // args: everything but --listen (added here). log_dir: where the log goes. env: NAME=VALUE
  // entries for its environment (HGO_FAILPOINTS). With --tls-cert-file in args the URL is
  // https:// and that certificate (self-signed in tests) is the CA its health check trusts.
  static StatusOr<std::unique_ptr<ControllerProcess>> Start(std::vector<std::string> args,
                                                            std::string log_dir,
                                                            std::vector<std::string> env = {});
  ~ControllerProcess();

  std::string url() const { return url_; }
  const std::string& ca_file() const { return ca_file_; }  // "" unless over TLS
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_; }
  bool running();

  Status Stop();  // SIGTERM, wait; an error when it does not exit cleanly in time
  Status Kill9();
  // Waits until the process has stopped itself (a failpoint's stop) or timeout passes.
  bool WaitStopped(std::chrono::milliseconds timeout);
  Status Continue();  // SIGCONT
  Status Restart();   // same flags and port
  std::string LogTail(size_t bytes = 4000) const;

 private:
  ControllerProcess() = default;
  Status Launch();
  std::vector<std::string> args_, env_;
  std::string dir_, log_, url_, ca_file_;
  int port_ = 0;
  pid_t pid_ = -1;
  int launches_ = 0;
};

struct HttpResult {
  int status = 0;
  std::string body;
};
// A plain HTTP(S) call (no retries); status 0 when the server could not be reached. ca_file: the
// CAs an https:// server's certificate is checked against ("": the system's).
HttpResult HttpCall(const std::string& method, const std::string& url, const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {},
                    const std::string& ca_file = "");

}  // namespace hgo::testing
