// TaskLauncher: how aurora-local runs a task's processes. The scheduler decides; the launcher
// only starts, signals and watches. ProcessLauncher runs real processes the way Thermos does;
// unit tests use a fake.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "aurora/types.h"
#include "common/status.h"

namespace hgo::aurora::local {

struct LaunchSpec {
  std::string task_id;
  JobKey job;
  int32_t instance = 0;
  std::string cluster;
  std::string hostname;
  std::string executor_data;  // the Thermos JSON of the task
  std::map<std::string, int32_t> ports;
};

struct TaskExit {
  enum class Kind { kFinished, kFailed, kKilled, kLost };
  Kind kind = Kind::kFinished;
  std::string message;
};

class TaskLauncher {
 public:
  virtual ~TaskLauncher() = default;
  // An error means the task could not start (it becomes FAILED with the message).
  virtual Status Launch(const LaunchSpec& spec) = 0;
  // Stops the task: SIGTERM, then SIGKILL after its finalization wait. Poll then reports kKilled.
  virtual void Kill(const std::string& task_id) = 0;
  // nullopt while the task runs; its exit once it has ended (reported once, then forgotten).
  virtual std::optional<TaskExit> Poll(const std::string& task_id) = 0;
  // True when a started task runs until it is killed: Poll need not be asked about a RUNNING
  // task (the scheduler then polls only the tasks that are starting or being killed).
  virtual bool EndsOnlyWhenKilled() const { return false; }
  // After a restart of aurora-local: takes over a task still running from before, if it is.
  // false when it is gone (the scheduler marks it LOST).
  virtual bool Adopt(const std::string& task_id) = 0;
  // Stops every task it runs and waits for them (each SIGKILLed after its finalization wait):
  // for an aurora-local that should leave nothing behind when it stops (demos, tests).
  virtual void StopAll() {}
};

}  // namespace hgo::aurora::local
