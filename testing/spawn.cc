#include "testing/spawn.h"

#include <fcntl.h>
#include <unistd.h>

namespace hgo::testing {

StatusOr<pid_t> SpawnWithLog(std::vector<std::string> args, const std::string& log_path,
                             const std::vector<std::string>& env) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The environment is made before fork: the child only calls async-signal-safe functions.
  std::vector<std::string> entries = env;
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& x : env) replaced |= x.rfind(name + "=", 0) == 0;
    if (!replaced) entries.push_back(entry);
  }
  std::vector<char*> envp;
  for (auto& e : entries) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return Status::Internal("fork failed");
  if (pid == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::close_range(3, ~0U, 0);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace hgo::testing
