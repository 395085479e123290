// A server that accepts TCP connections and never answers: a cluster whose packets are dropped
// after the handshake (a hung scheduler, a ZooKeeper behind a stuck proxy). Unlike a closed
// port, which fails a client at once, it costs every client its full timeout.
// Stops (closing every connection it holds) when destroyed.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "common/status.h"

namespace hgo::testing {

class Blackhole {
 public:
  // Listens on 127.0.0.1 at a free port.
  static StatusOr<std::unique_ptr<Blackhole>> Start();
  ~Blackhole();
  int port() const { return port_; }
  int accepted() const { return accepted_; }  // connections taken so far

 private:
  Blackhole(int listen_fd, int port, int stop_fd[2]);
  void Loop();

  const int listen_fd_, port_;
  int stop_[2];  // a pipe: written to stop the loop
  std::atomic<int> accepted_{0};
  std::vector<int> held_;  // the loop's only
  std::thread thread_;
};

}  // namespace hgo::testing
