// ProcessLauncher: runs a task's Thermos processes as local processes, the way Thermos does.
//
// - The executor JSON (a MesosJob, Thermos's own config schema) gives the processes, their order
//   constraints, max_failures and the task's finalization_wait.
// - Each task gets a sandbox <root>/<task id>/; each process runs `bash -c <cmdline>` there in a
//   process group of its own, with stdout and stderr in .logs/<process>/0/.
// - Template variables are substituted: {{thermos.ports[NAME]}}, {{thermos.task_id}},
//   {{thermos.user}}, {{mesos.instance}}, {{mesos.hostname}}, {{role}}, {{environment}},
//   {{cluster}}, {{name}}.
// - A process starts when every process ordered before it has finished successfully. A failed
//   process is run again up to max_failures runs (0: without limit); then the task fails.
// - Kill: SIGTERM to every process group, SIGKILL after finalization_wait.
// - What was launched, and each process's state (pid, runs, finished ok or failed), is written
//   to the sandbox, so a restarted aurora-local adopts tasks whose processes are still alive:
//   finished processes are not run again, processes not started yet start in their turn, and the
//   end of a process started before the restart (exit status unknown) is reported LOST. Aurora's
//   agents keep tasks through a scheduler restart the same way (the executor is their parent).
// Resource limits are not enforced.
//
// Thread-safety: one mutex; all methods may be called from any thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aurora_local/launcher.h"
#include "common/clock.h"
#include "common/json.h"

namespace hgo::aurora::local {

// One Thermos process as the executor JSON describes it.
struct ThermosProcess {
  std::string name;
  std::string cmdline;
  int max_failures = 1;
  bool daemon = false;
  bool ephemeral = false;
  bool final = false;
};

struct ThermosTask {
  std::string name;
  std::vector<ThermosProcess> processes;
  std::vector<std::vector<std::string>> orders;  // each: process names, in order
  std::chrono::seconds finalization_wait{30};
};

// Parses the executor data (a MesosJob; a legacy MesosTaskInstance with "instance" too).
StatusOr<ThermosTask> ParseThermosTask(const std::string& executor_data);
// Replaces the template variables Thermos resolves on the agent.
std::string SubstituteTemplates(const std::string& text, const LaunchSpec& spec);

class ProcessLauncher : public TaskLauncher {
 public:
  ProcessLauncher(std::string sandbox_root, const Clock& clock);
  ~ProcessLauncher() override;

  Status Launch(const LaunchSpec& spec) override;
  void Kill(const std::string& task_id) override;
  std::optional<TaskExit> Poll(const std::string& task_id) override;
  bool Adopt(const std::string& task_id) override;
  void StopAll() override;

  // The sandbox of a task (for tests and `aurora-local` users reading logs).
  std::string SandboxOf(const std::string& task_id) const;

  struct Proc;
  struct RunningTask;

 private:
  Status StartProcess(RunningTask& t, Proc& p);
  void WritePids(const RunningTask& t);

  const std::string root_;
  const Clock& clock_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<RunningTask>> tasks_;
};

}  // namespace hgo::aurora::local
