// Shutdown signals for daemons: SIGINT and SIGTERM are blocked in every thread (call this before
// starting any) and taken synchronously by the main thread with WaitForTerminationSignal();
// SIGPIPE is ignored so a closed socket is an error code, not a death.
#pragma once

namespace hgo {

void BlockTerminationSignals();
// Blocks until SIGINT or SIGTERM arrives; returns its number.
int WaitForTerminationSignal();

}  // namespace hgo
