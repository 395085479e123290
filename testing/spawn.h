// Starting a test server binary as a child process with its output appended to a log file and no
// inherited descriptors (an inherited listening socket would keep a port busy after it stops).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace hgo::testing {

// args[0] is the binary's path. Returns the child's pid.
// env: NAME=VALUE entries added to (or replacing) this process's environment for the child.
StatusOr<pid_t> SpawnWithLog(std::vector<std::string> args, const std::string& log_path,
                             const std::vector<std::string>& env = {});

}  // namespace hgo::testing
