// heronctl as a library: the verbs, their flags and their exit codes, so tests run them in-process
// and cmd/heronctl_main.cc stays a one-liner.
//
// Exit codes (docs/cli.md): 0 success; 1 the command ran and found a problem (invalid specs, a
// failed operation); 2 usage error (unknown verb or flag, missing argument, unreadable path).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hgo::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitProblem = 1;
inline constexpr int kExitUsage = 2;

// args[0] is the program name.
int HeronctlMain(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                 std::ostream& err);

}  // namespace hgo::cli
