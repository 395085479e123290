#include "testing/blackhole.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hgo::testing {

StatusOr<std::unique_ptr<Blackhole>> Blackhole::Start() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Internal(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 64) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    return Status::Internal("blackhole: " + why);
  }
  int stop[2];
  if (pipe2(stop, O_CLOEXEC) != 0) {
    close(fd);
    return Status::Internal(std::string("pipe: ") + std::strerror(errno));
  }
  return std::unique_ptr<Blackhole>(new Blackhole(fd, ntohs(addr.sin_port), stop));
}

Blackhole::Blackhole(int listen_fd, int port, int stop_fd[2]) : listen_fd_(listen_fd), port_(port) {
  stop_[0] = stop_fd[0];
  stop_[1] = stop_fd[1];
  thread_ = std::thread([this] { Loop(); });
}

Blackhole::~Blackhole() {
  const char byte = 0;
  (void)!write(stop_[1], &byte, 1);
  thread_.join();
  for (int fd : held_) close(fd);
  close(listen_fd_);
  close(stop_[0]);
  close(stop_[1]);
}

void Blackhole::Loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (fds[0].revents & POLLIN) {
      const int conn = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn >= 0) {
        held_.push_back(conn);  // never read, never written: the client waits
        ++accepted_;
      }
    }
  }
}

}  // namespace hgo::testing
