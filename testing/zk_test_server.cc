#include "testing/zk_test_server.h"

#include "common/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

namespace hgo::testing {
namespace {

void NoopWatcher(zhandle_t*, int, int, const char*, void*) {}
void QuietLog(const char*) {}  // expected connection noise of a throw-away handle

}  // namespace

int FreeLoopbackPort() { return PickFreePort(); }

std::string FourLetterWord(int port, const std::string& word) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::write(fd, word.data(), word.size()) == static_cast<ssize_t>(word.size())) {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

StatusOr<std::unique_ptr<ZkTestServer>> ZkTestServer::Start() {
  std::unique_ptr<ZkTestServer> server(new ZkTestServer());
  if (const char* external = std::getenv("E2E_ZK"); external && *external) {
    server->attached_ = external;
    std::string s = external;
    server->port_ = std::atoi(s.substr(s.rfind(':') + 1).c_str());
    return server;
  }
  char tmpl[] = "/tmp/hgo_zk_XXXXXX";
  if (!mkdtemp(tmpl)) return Status::Internal("mkdtemp failed");
  server->dir_ = tmpl;
  server->port_ = FreeLoopbackPort();
  std::ofstream cfg(server->dir_ + "/zoo.cfg");
  // tickTime 500 ms allows session timeouts down to 1 s, so expiry tests run quickly.
  cfg << "tickTime=500\n"
      << "dataDir=" << server->dir_ << "/data\n"
      << "clientPort=" << server->port_ << "\n"
      << "clientPortAddress=127.0.0.1\n"
      << "admin.enableServer=false\n"
      << "4lw.commands.whitelist=ruok,srvr,stat,mntr,cons\n"
      << "maxClientCnxns=0\n";
  cfg.close();
  HGO_RETURN_IF_ERROR(server->Launch());
  return server;
}

Status ZkTestServer::Launch() {
  // Made before the fork: the child of a threaded process only calls async-signal-safe functions.
  const char* heap = std::getenv("HGO_ZK_HEAP");
  const std::string xmx = std::string("-Xmx") + (heap && *heap ? heap : "256m");
  const std::string log = dir_ + "/zk.log";
  const std::string cfg = dir_ + "/zoo.cfg";
  pid_t pid = ::fork();
  if (pid < 0) return Status::Internal("fork failed");
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::close_range(3, ~0U, 0);
    ::setpgid(0, 0);
    ::execlp("java", "java", xmx.c_str(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
             "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-nop.jar",
             "org.apache.zookeeper.server.ZooKeeperServerMain", cfg.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pid_ = pid;
  return WaitHealthy(30000);
}

Status ZkTestServer::WaitHealthy(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (FourLetterWord(port_, "ruok") == "imok") return Status::Ok();
    int status;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("ZooKeeper exited at start; see " + dir_ + "/zk.log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::DeadlineExceeded("ZooKeeper did not answer ruok on port " + std::to_string(port_));
}

Status ZkTestServer::Stop() {
  if (!attached_.empty()) return Status::FailedPrecondition("attached to E2E_ZK; cannot stop it");
  if (pid_ <= 0) return Status::Ok();
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  // The port is free once the process is gone.
  for (int i = 0; i < 100 && FourLetterWord(port_, "ruok") == "imok"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Ok();
}

Status ZkTestServer::Restart() {
  HGO_RETURN_IF_ERROR(Stop());
  return Launch();
}

ZkTestServer::~ZkTestServer() {
  if (attached_.empty()) {
    (void)Stop();
    if (!dir_.empty()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }
}

namespace {

// Attaches a second handle to the session and closes it; answers the state the handle reached
// before closing: connected (the close ends the session), expired (it had already ended), or
// neither within 2 s.
int AttachAndClose(const std::string& servers, int64_t session_id, const std::string& password) {
  clientid_t id{};
  id.client_id = session_id;
  std::memcpy(id.passwd, password.data(), std::min(password.size(), sizeof(id.passwd)));
  zhandle_t* zh = zookeeper_init2(servers.c_str(), NoopWatcher, 10000, &id, nullptr, 0, QuietLog);
  if (!zh) return 0;
  int state = zoo_state(zh);
  for (int i = 0; i < 200 && state != ZOO_CONNECTED_STATE && state != ZOO_EXPIRED_SESSION_STATE;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    state = zoo_state(zh);
  }
  zookeeper_close(zh);
  return state;
}

}  // namespace

Status ZkTestServer::ExpireSession(const std::string& servers, int64_t session_id,
                                   const std::string& password) {
  // A close from a handle that no longer owns the session is refused by the server (session
  // moved): the session's own client may reconnect between our attach and our close and take it
  // back. So attach again after each close until the server answers that the session expired.
  for (int attempt = 0; attempt < 10; ++attempt) {
    int state = AttachAndClose(servers, session_id, password);
    if (state == ZOO_EXPIRED_SESSION_STATE) return Status::Ok();
    if (state != ZOO_CONNECTED_STATE) {
      return Status::Unavailable("could not attach to the session to expire it");
    }
  }
  return Status::Unavailable("the session survived 10 attempts to expire it");
}

}  // namespace hgo::testing
