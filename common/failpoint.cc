#include "common/failpoint.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace hgo::failpoint {

namespace {

enum class Kind { kAbort, kError, kPause, kStop };

struct Armed {
  Kind kind = Kind::kError;
  int pause_ms = 0;
  int skip = 0;        // hits to let pass before acting
  int remaining = -1;  // hits left to act on; -1: every hit
  std::string text;    // as given, for the log
};

struct Registry {
  std::mutex mu;
  std::set<std::string, std::less<>> known;
  std::map<std::string, Armed, std::less<>> armed;
};

Registry& Points() {
  static Registry* registry = new Registry();  // never destroyed: hit from any thread at exit
  return *registry;
}

std::atomic<bool> any_armed{false};

StatusOr<Armed> ParseAction(std::string_view action) {
  Armed a;
  a.text = std::string(action);
  if (size_t plus = action.find('+'); plus != std::string_view::npos) {
    const std::string count(action.substr(0, plus));
    char* end = nullptr;
    long k = std::strtol(count.c_str(), &end, 10);
    if (count.empty() || *end != '\0' || k < 0 || k > 1000000) {
      return Status::InvalidArgument("failpoint action '" + a.text +
                                     "': K in K+action must be a count of hits to let pass");
    }
    a.skip = static_cast<int>(k);
    action.remove_prefix(plus + 1);
  }
  if (size_t star = action.find('*'); star != std::string_view::npos) {
    const std::string count(action.substr(0, star));
    char* end = nullptr;
    long n = std::strtol(count.c_str(), &end, 10);
    if (count.empty() || *end != '\0' || n <= 0 || n > 1000000) {
      return Status::InvalidArgument("failpoint action '" + a.text +
                                     "': N in N*action must be "
                                     "a positive count");
    }
    a.remaining = static_cast<int>(n);
    action.remove_prefix(star + 1);
  }
  if (action == "abort") {
    a.kind = Kind::kAbort;
  } else if (action == "error") {
    a.kind = Kind::kError;
  } else if (action == "stop") {
    a.kind = Kind::kStop;
  } else if (action.rfind("pause(", 0) == 0 && action.size() > 7 && action.back() == ')') {
    const std::string ms(action.substr(6, action.size() - 7));
    char* end = nullptr;
    long n = std::strtol(ms.c_str(), &end, 10);
    if (*end != '\0' || n < 0 || n > 3600000) {
      return Status::InvalidArgument("failpoint action '" + a.text +
                                     "': pause(MS) needs milliseconds");
    }
    a.kind = Kind::kPause;
    a.pause_ms = static_cast<int>(n);
  } else {
    return Status::InvalidArgument("failpoint action '" + a.text +
                                   "': expected abort, error, stop, pause(MS) or off");
  }
  return a;
}

}  // namespace

void Register(const std::vector<std::string_view>& names) {
  Registry& r = Points();
  std::lock_guard<std::mutex> lock(r.mu);
  for (auto n : names) r.known.emplace(n);
}

std::vector<std::string> Known() {
  Registry& r = Points();
  std::lock_guard<std::mutex> lock(r.mu);
  return {r.known.begin(), r.known.end()};
}

Status Arm(std::string_view name, std::string_view action) {
  Registry& r = Points();
  std::lock_guard<std::mutex> lock(r.mu);
  if (!r.known.count(name)) {
    return Status::InvalidArgument("unknown failpoint '" + std::string(name) + "'");
  }
  if (action == "off") {
    r.armed.erase(std::string(name));
  } else {
    HGO_ASSIGN_OR_RETURN(Armed a, ParseAction(action));
    r.armed[std::string(name)] = std::move(a);
  }
  any_armed = !r.armed.empty();
  return Status::Ok();
}

Status ArmAll(std::string_view text) {
  while (!text.empty()) {
    size_t end = text.find(';');
    std::string_view entry = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (entry.empty()) continue;
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("failpoint entry '" + std::string(entry) +
                                     "': expected name=action");
    }
    HGO_RETURN_IF_ERROR(Arm(entry.substr(0, eq), entry.substr(eq + 1)));
  }
  return Status::Ok();
}

Status ArmFromEnvironment() {
  const char* text = std::getenv("HGO_FAILPOINTS");
  if (!text || !*text) return Status::Ok();
  Status s = ArmAll(text);
  if (!s.ok()) return Status::InvalidArgument("HGO_FAILPOINTS: " + s.message());
  return s;
}

void DisarmAll() {
  Registry& r = Points();
  std::lock_guard<std::mutex> lock(r.mu);
  r.armed.clear();
  any_armed = false;
}

std::vector<std::string> ArmedPoints() {
  Registry& r = Points();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<std::string> out;
  for (const auto& [name, a] : r.armed) out.push_back(name + "=" + a.text);
  return out;
}

Status Hit(std::string_view name) {
  if (!any_armed.load(std::memory_order_relaxed)) return Status::Ok();
  Armed a;
  {
    Registry& r = Points();
    std::lock_guard<std::mutex> lock(r.mu);
    auto it = r.armed.find(name);
    if (it == r.armed.end()) return Status::Ok();
    if (it->second.skip > 0) {
      --it->second.skip;
      return Status::Ok();
    }
    a = it->second;
    if (it->second.remaining > 0 && --it->second.remaining == 0) {
      r.armed.erase(it);
      any_armed = !r.armed.empty();
    }
  }
  switch (a.kind) {
    case Kind::kAbort: {
      // What a kill -9 does: nothing after this line runs, nothing is flushed.
      static const char msg[] = "failpoint: abort\n";
      (void)!::write(2, msg, sizeof(msg) - 1);
      ::kill(::getpid(), SIGKILL);
      ::_exit(137);
    }
    case Kind::kPause: {
      static const char msg[] = "failpoint: pause\n";  // tests wait for it
      (void)!::write(2, msg, sizeof(msg) - 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(a.pause_ms));
      return Status::Ok();
    }
    case Kind::kStop: {
      static const char msg[] = "failpoint: stop (SIGSTOP; SIGCONT resumes)\n";
      (void)!::write(2, msg, sizeof(msg) - 1);
      ::kill(::getpid(), SIGSTOP);  // returns once the process is continued
      return Status::Ok();
    }
    case Kind::kError:
      break;
  }
  return Status::Unavailable("failpoint " + std::string(name));
}

}  // namespace hgo::failpoint
