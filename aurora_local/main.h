// aurora-local's command line (the binary's main only calls this).
#pragma once

namespace hgo::aurora::local {
int AuroraLocalMain(int argc, char** argv);
}  // namespace hgo::aurora::local
