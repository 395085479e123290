// heron-controller's main, as a library function so cmd/ stays a one-liner.
#pragma once

namespace hgo::controller {

// Exit codes: 0 clean shutdown (SIGTERM/SIGINT); 1 could not start; 2 bad flags or files.
int ControllerMain(int argc, char** argv);

}  // namespace hgo::controller
