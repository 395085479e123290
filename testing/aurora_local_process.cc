#include "testing/aurora_local_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/http_server.h"
#include "testing/spawn.h"

namespace hgo::testing {

namespace fs = std::filesystem;

std::string BuiltBinary(const std::string& name) {
  return std::string(HGO_TESTING_BINARY_DIR) + "/cmd/" + name;
}

StatusOr<std::unique_ptr<AuroraLocalProcess>> AuroraLocalProcess::Start(
    AuroraLocalOptions options) {
  std::unique_ptr<AuroraLocalProcess> p(new AuroraLocalProcess());
  if (const char* external = std::getenv("E2E_AURORA_URL"); external && *external) {
    p->url_ = external;
    return p;
  }
  p->options_ = std::move(options);
  char tmpl[] = "/tmp/hgo_aurora_XXXXXX";
  if (!mkdtemp(tmpl)) return Status::Internal("mkdtemp failed");
  p->dir_ = tmpl;
  const auto& a = p->options_.extra_args;
  const bool tls = std::find(a.begin(), a.end(), "--tls-cert-file") != a.end();
  // A free port can be taken by another test's server before aurora-local binds it (tests run
  // in parallel): aurora-local then exits at start, and another port is tried.
  Status launched;
  for (int attempt = 0; attempt < 3; ++attempt) {
    p->port_ = PickFreePort();
    p->url_ = (tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(p->port_);
    launched = p->Launch();
    if (launched.ok() || launched.code() != StatusCode::kUnavailable) break;
  }
  HGO_RETURN_IF_ERROR(launched);
  return p;
}

Status AuroraLocalProcess::Launch() {
  std::vector<std::string> args = {
      BuiltBinary("aurora-local"), "--state-dir", dir_ + "/state", "--port",
      std::to_string(port_),       "--cluster",   "local"};
  for (const auto& a : options_.extra_args) args.push_back(a);
  const std::string log = dir_ + "/aurora-local.log";
  std::error_code ec;
  const auto logged_before = fs::exists(log, ec) ? fs::file_size(log, ec) : 0;  // Restart appends
  HGO_ASSIGN_OR_RETURN(pid_, SpawnWithLog(args, log, options_.env));
  // Ready when this aurora-local says it listens (main.cc prints it once its server is bound and
  // its serverset, if any, announced): a connect() alone also succeeds when another process got
  // the port. At most 20 s.
  for (int i = 0; i < 400; ++i) {
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("aurora-local exited at start; see " + log);
    }
    std::ifstream in(log);
    in.seekg(static_cast<std::streamoff>(logged_before));
    std::stringstream since;
    since << in.rdbuf();
    if (since.str().find("aurora-local listening on ") != std::string::npos) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::DeadlineExceeded("aurora-local did not listen on port " + std::to_string(port_));
}

static Status Signal(pid_t& pid, int sig) {
  if (pid <= 0) return Status::FailedPrecondition("aurora-local is not running here");
  ::kill(pid, sig);
  int status;
  ::waitpid(pid, &status, 0);
  pid = -1;
  return Status::Ok();
}

Status AuroraLocalProcess::Stop() { return Signal(pid_, SIGTERM); }
Status AuroraLocalProcess::Kill9() { return Signal(pid_, SIGKILL); }

Status AuroraLocalProcess::Restart() {
  if (pid_ > 0) HGO_RETURN_IF_ERROR(Stop());
  return Launch();
}

void AuroraLocalProcess::KillTaskProcesses() {
  if (dir_.empty()) return;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_ + "/state/sandboxes", ec)) {
    std::ifstream pids(entry.path() / ".aurora-local" / "pids");
    for (std::string line; std::getline(pids, line);) {  // "name pid runs state"
      std::istringstream fields(line);
      std::string name;
      pid_t pid = -1;
      if (fields >> name >> pid && pid > 0 && ::getpgid(pid) == pid) ::kill(-pid, SIGKILL);
    }
  }
  // A task started just before a kill -9 of aurora-local has no pids file yet: find every
  // process still working in one of this scheduler's sandboxes.
  const std::string sandboxes = dir_ + "/state/sandboxes/";
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::error_code link_ec;
    const fs::path cwd = fs::read_symlink(entry.path() / "cwd", link_ec);
    if (!link_ec && cwd.string().rfind(sandboxes, 0) == 0) ::kill(std::stoi(name), SIGKILL);
  }
}

AuroraLocalProcess::~AuroraLocalProcess() {
  if (pid_ > 0) (void)Kill9();
  KillTaskProcesses();
  if (!dir_.empty() && !std::getenv("HGO_KEEP_TEST_DIRS")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

}  // namespace hgo::testing
