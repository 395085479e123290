// Failpoints: named places between two external effects (a ZooKeeper write, an Aurora call, a
// snapshot write) where a test can make the process crash, fail or stop for a while, to prove
// that every step boundary is a safe place to die.
//
// Compiled in always; inert unless armed. Armed only from the environment variable
// HGO_FAILPOINTS (a main calls ArmFromEnvironment once, after Register) or by a test through
// Arm(). The variable holds
// `name=action` pairs separated by `;`, an action being
//   abort          the process dies at once (SIGKILL to itself: no destructor, no flush), like
//                  a kill -9 at that instant;
//   error          Hit returns kUnavailable "failpoint NAME", as a failed call would;
//   pause(MS)      Hit sleeps MS milliseconds, then returns Ok (the calling thread only: the
//                  process's other threads, its ZooKeeper pings among them, go on);
//   stop           the whole process stops (SIGSTOP to itself) until a SIGCONT, then Hit
//                  returns Ok: a GC pause or a frozen VM, long enough for its sessions to
//                  expire;
// optionally prefixed with `N*` to act on the first N hits only (then the point is inert), and
// before that with `K+` to let the first K hits pass: `2+1*abort` dies at the third hit (a
// chaos test crashes at the k-th action of a sequence that way).
// A process with armed points logs them at start (ArmedPoints()), so a test's log says why it
// died. Unknown names are refused (Arm) or reported (the variable), never ignored silently.
//
// Each component names its points in its own table (controller/failpoints.h, aurora-local's
// snapshot); the chaos test lists them from the binaries (`--list-failpoints`).
//
// Thread-safety: all functions may be called from any thread. Hit costs one relaxed atomic load
// when nothing is armed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hgo::failpoint {

// Declares the names a process knows (each component calls it at start with its table), so an
// armed name that no code knows is an error rather than a test that silently never fires.
void Register(const std::vector<std::string_view>& names);
// Every registered name, sorted.
std::vector<std::string> Known();

// Arms one point ("abort", "error", "pause(250)", "2*error", "3+1*abort", "off"). kInvalidArgument
// for an unknown name or action.
Status Arm(std::string_view name, std::string_view action);
// Arms from a `name=action;...` text (what HGO_FAILPOINTS holds).
Status ArmAll(std::string_view text);
// Arms what HGO_FAILPOINTS says (nothing when unset); an error names the bad entry.
Status ArmFromEnvironment();
// Disarms every point (tests).
void DisarmAll();
// "name=action" for each armed point, for the start-up log.
std::vector<std::string> ArmedPoints();

// The place itself: Ok, or the armed error; aborts or pauses when so armed.
Status Hit(std::string_view name);

}  // namespace hgo::failpoint
