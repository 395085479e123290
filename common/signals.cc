#include "common/signals.h"

#include <pthread.h>
#include <signal.h>

namespace hgo {

namespace {
sigset_t TerminationSignals() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGHUP);
  return s;
}
}  // namespace

void BlockTerminationSignals() {
  sigset_t s = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &s, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

int WaitForTerminationSignal(const std::function<void()>& on_hangup) {
  sigset_t s = TerminationSignals();
  while (true) {
    int sig = 0;
    sigwait(&s, &sig);
    if (sig != SIGHUP) return sig;
    if (on_hangup) on_hangup();
  }
}

}  // namespace hgo
