// Signals for daemons: SIGINT, SIGTERM and SIGHUP are blocked in every thread (call this before
// starting any) and taken synchronously by the main thread with WaitForTerminationSignal();
// SIGPIPE is ignored so a closed socket is an error code, not a death.
#pragma once

#include <functional>

namespace hgo {

void BlockTerminationSignals();
// Blocks until SIGINT or SIGTERM arrives; returns its number. Each SIGHUP meanwhile calls
// on_hangup (a reload), on this thread; without one, SIGHUP is ignored.
int WaitForTerminationSignal(const std::function<void()>& on_hangup = nullptr);

}  // namespace hgo
