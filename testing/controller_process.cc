#include "testing/controller_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/http_client.h"
#include "common/http_server.h"
#include "testing/aurora_local_process.h"
#include "testing/spawn.h"

namespace hgo::testing {

StatusOr<std::unique_ptr<ControllerProcess>> ControllerProcess::Start(
    std::vector<std::string> args, std::string log_dir, std::vector<std::string> env) {
  std::unique_ptr<ControllerProcess> p(new ControllerProcess());
  p->args_ = std::move(args);
  p->env_ = std::move(env);
  p->dir_ = std::move(log_dir);
  p->port_ = PickFreePort();
  for (size_t i = 0; i + 1 < p->args_.size(); ++i) {
    if (p->args_[i] == "--tls-cert-file") p->ca_file_ = p->args_[i + 1];
  }
  p->url_ =
      (p->ca_file_.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(p->port_);
  HGO_RETURN_IF_ERROR(p->Launch());
  return p;
}

Status ControllerProcess::Launch() {
  std::vector<std::string> args = {BuiltBinary("heron-controller"), "--listen",
                                   "127.0.0.1:" + std::to_string(port_)};
  args.insert(args.end(), args_.begin(), args_.end());
  log_ = dir_ + "/controller-" + std::to_string(port_) + "-" + std::to_string(++launches_) + ".log";
  HGO_ASSIGN_OR_RETURN(pid_, SpawnWithLog(args, log_, env_));
  for (int i = 0; i < 600; ++i) {
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("heron-controller exited at start: " + LogTail());
    }
    if (HttpCall("GET", url_ + "/healthz", "", {}, ca_file_).status == 200) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::DeadlineExceeded("heron-controller did not answer /healthz: " + LogTail());
}

bool ControllerProcess::running() {
  if (pid_ <= 0) return false;
  int status;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

Status ControllerProcess::Stop() {
  if (pid_ <= 0) return Status::FailedPrecondition("not running");
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 300; ++i) {
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
      return Status::Internal("heron-controller did not exit cleanly (status " +
                              std::to_string(status) + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  (void)Kill9();
  return Status::DeadlineExceeded("heron-controller ignored SIGTERM for 15 s");
}

bool ControllerProcess::WaitStopped(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG | WUNTRACED);
    if (r == pid_ && WIFSTOPPED(status)) return true;
    if (r == pid_) {  // exited
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

Status ControllerProcess::Continue() {
  if (pid_ <= 0) return Status::FailedPrecondition("not running");
  if (::kill(pid_, SIGCONT) != 0) return Status::Internal("SIGCONT failed");
  return Status::Ok();
}

Status ControllerProcess::Kill9() {
  if (pid_ <= 0) return Status::FailedPrecondition("not running");
  ::kill(pid_, SIGKILL);
  int status;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return Status::Ok();
}

Status ControllerProcess::Restart() {
  if (pid_ > 0) HGO_RETURN_IF_ERROR(Stop());
  return Launch();
}

std::string ControllerProcess::LogTail(size_t bytes) const {
  std::ifstream in(log_);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

ControllerProcess::~ControllerProcess() {
  if (pid_ > 0) (void)Kill9();
}

HttpResult HttpCall(const std::string& method, const std::string& url, const std::string& body,
                    const std::map<std::string, std::string>& headers, const std::string& ca_file) {
  HttpFetchOptions options;
  options.ca_file = ca_file;
  options.body = body;
  options.headers = headers;
  options.timeout = std::chrono::seconds(30);
  auto r = HttpFetch(method, url, options);
  if (!r.ok()) return HttpResult{};
  return HttpResult{r->status, std::move(r->body)};
}

}  // namespace hgo::testing
