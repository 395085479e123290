#include "packager/defn_maker.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/file_util.h"

extern char** environ;

namespace hgo::packager {
namespace {

namespace fs = std::filesystem;

std::string Java(const MainClassRun& run) {
  if (!run.java.empty()) return run.java;
  if (const char* home = std::getenv("JAVA_HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/bin/java";
  }
  return "java";
}

std::string Tail(const std::string& s, size_t n) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

}  // namespace

std::string EncodeHeronOptions(const std::map<std::string, std::string>& options) {
  std::string out;
  for (const auto& [k, v] : options) {
    if (!out.empty()) out += ',';
    out += k + '=';
    for (char c : v) {
      if (c == ' ') {
        out += "%%%%";
      } else {
        out += c;
      }
    }
  }
  return out;
}

std::vector<std::string> MainClassCommand(const MainClassRun& run) {
  std::vector<std::string> argv = {
      Java(run), "-client", "-Xmx1g", "-cp",
      fs::absolute(run.binary).string() + ":" + run.heron_home + "/lib/third_party/*"};
  if (!run.eco_file.empty()) {
    argv.push_back(kEcoMainClass);
    argv.push_back("--eco-config-file");
    argv.push_back(fs::absolute(run.eco_file).string());
  } else {
    argv.push_back(run.main_class);
  }
  argv.insert(argv.end(), run.args.begin(), run.args.end());
  return argv;
}

StatusOr<std::string> MakeDefnByRunningMainClass(const MainClassRun& run) {
  if (run.heron_home.empty()) return Status::InvalidArgument("--heron-home is required");
  if (run.eco_file.empty() && run.main_class.empty()) {
    return Status::InvalidArgument("--main-class or --eco is required to make a .defn");
  }
  char tmpl[] = "/tmp/heronctl-defn-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return Status::Internal("mkdtemp failed");
  const std::string tmp = tmpl;
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{tmp};
  const std::string defn_dir = tmp + "/defn";
  fs::create_directories(defn_dir);

  const std::map<std::string, std::string> options = {
      {"cmdline.topologydefn.tmpdirectory", defn_dir},
      {"cmdline.topology.initial.state", run.deactivated ? "PAUSED" : "RUNNING"},
      {"cmdline.topology.role", run.role},
      {"cmdline.topology.environment", run.environment},
      {"cmdline.topology.cluster", run.cluster},
      {"cmdline.topology.file_name", fs::path(run.binary).filename().string()},
      {"cmdline.topology.class_name", run.eco_file.empty() ? run.main_class : kEcoMainClass},
      {"cmdline.topology.submit_user", run.submit_user},
  };
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("HERON_OPTIONS=", 0) != 0) env_strings.emplace_back(*e);
  }
  env_strings.push_back("HERON_OPTIONS=" + EncodeHeronOptions(options));
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = MainClassCommand(run);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const std::string log = tmp + "/output.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Status::FailedPrecondition("cannot run " + args[0] + ": " + std::strerror(rc));
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  const std::string output = ReadFileLimited(log, 1 << 20).value_or("");
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return Status::FailedPrecondition(args[0] + " " + args[5] + " failed (" +
                                      (WIFEXITED(wstatus)
                                           ? "exit " + std::to_string(WEXITSTATUS(wstatus))
                                           : "signal " + std::to_string(WTERMSIG(wstatus))) +
                                      "); its output:\n" + Tail(output, 2000));
  }
  std::vector<fs::path> defns;
  for (const auto& e : fs::directory_iterator(defn_dir)) {
    if (e.path().extension() == ".defn") defns.push_back(e.path());
  }
  if (defns.size() != 1) {
    return Status::FailedPrecondition(
        args[5] + " wrote " + std::to_string(defns.size()) +
        " .defn files (want one; does main() call HeronSubmitter.submitTopology?); its output:\n" +
        Tail(output, 2000));
  }
  return ReadFileLimited(defns[0].string(), 256 << 20);
}

}  // namespace hgo::packager
