// A real ZooKeeper server for tests: Debian's zookeeper jar, started as a plain java process on a
// free loopback port with its own data directory, stopped by its PID. Test equipment only.
//
// Set E2E_ZK=host:port to attach to an existing server instead (Stop/Restart then fail).
// The JVM's heap is 256 MiB, enough for every test; HGO_ZK_HEAP (a -Xmx size such as "4g")
// raises it for benchmarks that hold hundreds of thousands of nodes (the server dies of an
// OutOfMemoryError past its heap, and its sessions with it).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace hgo::testing {

class ZkTestServer {
 public:
  // Starts a server and waits until it answers "ruok" (at most 30 s).
  static StatusOr<std::unique_ptr<ZkTestServer>> Start();
  ~ZkTestServer();  // stops the server and removes its data directory

  std::string connect_string() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  // Kills the server (SIGKILL, like a crash) and waits for its exit; the data stays.
  Status Stop();
  // Starts it again on the same port with the same data; sessions within their timeout survive.
  Status Restart();

  // Expires a session from outside: connects with its id and password, then closes, which makes
  // the server end the session (the standard way to force expiry in ZooKeeper tests). Returns
  // once a further attach is answered "session expired".
  static Status ExpireSession(const std::string& servers, int64_t session_id,
                              const std::string& password);

 private:
  ZkTestServer() = default;
  Status Launch();
  Status WaitHealthy(int timeout_ms);

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string attached_;  // E2E_ZK when attached
};

// "imok" when a ZooKeeper server answers the four-letter word "ruok" at 127.0.0.1:port.
std::string FourLetterWord(int port, const std::string& word);

// A free TCP port on 127.0.0.1 (bound and released; a small race is acceptable in tests).
int FreeLoopbackPort();

}  // namespace hgo::testing
