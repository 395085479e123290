#include "aurora_local/process_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "common/file_util.h"

namespace hgo::aurora::local {

namespace fs = std::filesystem;

struct ProcessLauncher::Proc {
  explicit Proc(ThermosProcess p) : spec(std::move(p)) {}
  ThermosProcess spec;
  pid_t pid = -1;
  int runs = 0;
  bool done = false;  // finished for good (success, or failed past max_failures)
  bool ok = false;
  bool adopted = false;  // started by an earlier aurora-local: not our child, status unknown
  int last_status = 0;
  std::set<std::string> after;  // processes that must finish successfully first
};

struct ProcessLauncher::RunningTask {
  LaunchSpec spec;
  std::string sandbox;
  std::chrono::seconds finalization_wait{30};
  std::vector<Proc> procs;
  bool killing = false;
  std::chrono::steady_clock::time_point kill_deadline;
  bool sigkilled = false;
  std::optional<TaskExit> failure;  // set once a process failed for good
};

namespace {

std::string Str(const Json& o, const char* key, const std::string& fallback = "") {
  const Json* v = o.Find(key);
  return v && v->is_string() ? v->as_string() : fallback;
}

int64_t Int(const Json& o, const char* key, int64_t fallback) {
  const Json* v = o.Find(key);
  if (!v) return fallback;
  if (v->is_int()) return v->as_int();
  if (v->is_double()) return static_cast<int64_t>(v->as_double());
  return fallback;
}

bool Bool(const Json& o, const char* key) {
  const Json* v = o.Find(key);
  return v && v->is_bool() && v->as_bool();
}

// Alive and not a zombie (an ended process nobody has reaped yet).
bool Alive(pid_t pid) {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM)) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  size_t close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

}  // namespace

StatusOr<ThermosTask> ParseThermosTask(const std::string& executor_data) {
  auto parsed = ParseJson(executor_data);
  if (!parsed.ok()) {
    return Status::InvalidArgument("executor config is not JSON: " + parsed.status().message());
  }
  const Json* task = parsed->Find("task");
  if (!task || !task->is_object()) {
    return Status::InvalidArgument("executor config has no task");
  }
  ThermosTask out;
  out.name = Str(*task, "name");
  out.finalization_wait = std::chrono::seconds(Int(*task, "finalization_wait", 30));
  const Json* processes = task->Find("processes");
  if (!processes || !processes->is_array() || processes->as_array().empty()) {
    return Status::InvalidArgument("executor config: task.processes is empty");
  }
  std::set<std::string> names;
  for (const auto& p : processes->as_array()) {
    ThermosProcess proc;
    proc.name = Str(p, "name");
    proc.cmdline = Str(p, "cmdline");
    proc.max_failures = static_cast<int>(Int(p, "max_failures", 1));
    proc.daemon = Bool(p, "daemon");
    proc.ephemeral = Bool(p, "ephemeral");
    proc.final = Bool(p, "final");
    if (proc.name.empty() || proc.name.find('/') != std::string::npos) {
      return Status::InvalidArgument("executor config: a process needs a file-name-safe name");
    }
    if (!names.insert(proc.name).second) {
      return Status::InvalidArgument("executor config: duplicate process " + proc.name);
    }
    out.processes.push_back(std::move(proc));
  }
  if (const Json* constraints = task->Find("constraints"); constraints && constraints->is_array()) {
    for (const auto& c : constraints->as_array()) {
      const Json* order = c.Find("order");
      if (!order || !order->is_array()) continue;
      std::vector<std::string> chain;
      for (const auto& n : order->as_array()) {
        if (!n.is_string() || !names.count(n.as_string())) {
          return Status::InvalidArgument("executor config: order names an unknown process");
        }
        chain.push_back(n.as_string());
      }
      out.orders.push_back(std::move(chain));
    }
  }
  return out;
}

std::string SubstituteTemplates(const std::string& text, const LaunchSpec& spec) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    out.append(text, pos, open - pos);
    std::string var = text.substr(open + 2, close - open - 2);
    std::string value;
    bool known = true;
    if (var.rfind("thermos.ports[", 0) == 0 && var.back() == ']') {
      auto it = spec.ports.find(var.substr(14, var.size() - 15));
      known = it != spec.ports.end();
      if (known) value = std::to_string(it->second);
    } else if (var == "mesos.instance") {
      value = std::to_string(spec.instance);
    } else if (var == "mesos.hostname") {
      value = spec.hostname;
    } else if (var == "thermos.task_id") {
      value = spec.task_id;
    } else if (var == "thermos.user" || var == "role" || var == "mesos.role") {
      value = spec.job.role;
    } else if (var == "environment") {
      value = spec.job.environment;
    } else if (var == "cluster" || var == "mesos.cluster") {
      value = spec.cluster;
    } else if (var == "name") {
      value = spec.job.name;
    } else {
      known = false;
    }
    out += known ? value : text.substr(open, close + 2 - open);
    pos = close + 2;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

ProcessLauncher::ProcessLauncher(std::string sandbox_root, const Clock& clock)
    : root_(std::move(sandbox_root)), clock_(clock) {}

ProcessLauncher::~ProcessLauncher() = default;  // processes outlive us, to be adopted

std::string ProcessLauncher::SandboxOf(const std::string& task_id) const {
  return root_ + "/" + task_id;
}

Status ProcessLauncher::StartProcess(RunningTask& t, Proc& p) {
  const std::string logs = t.sandbox + "/.logs/" + p.spec.name + "/" + std::to_string(p.runs);
  std::error_code ec;
  fs::create_directories(logs, ec);
  if (ec) return Status::Internal("cannot create " + logs + ": " + ec.message());
  const std::string cmdline = SubstituteTemplates(p.spec.cmdline, t.spec);
  pid_t pid = ::fork();
  if (pid < 0) return Status::Internal(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // aurora-local blocks SIGTERM/SIGINT (its main waits for them) and ignores SIGPIPE; both
    // would be inherited through exec, and a task that never sees SIGTERM can only be SIGKILLed.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::setsid();
    if (::chdir(t.sandbox.c_str()) != 0) ::_exit(126);
    int out = ::open((logs + "/stdout").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err = ::open((logs + "/stderr").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null = ::open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || null < 0) ::_exit(126);
    ::dup2(null, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    // Nothing of aurora-local's (its listening socket above all) may live on in the task.
    ::close_range(3, ~0U, 0);
    ::setenv("MESOS_SANDBOX", t.sandbox.c_str(), 1);
    ::execl("/bin/bash", "bash", "-c", cmdline.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  p.pid = pid;
  ++p.runs;
  WritePids(t);
  return Status::Ok();
}

// One line per process: name, pid (-1 when not running), runs so far, and whether it finished
// successfully. Finished processes are kept so that a restarted aurora-local neither runs them
// again nor takes them for processes that died while it was down.
void ProcessLauncher::WritePids(const RunningTask& t) {
  std::ostringstream pids;
  for (const auto& p : t.procs) {
    pids << p.spec.name << " " << (p.pid > 0 ? p.pid : -1) << " " << p.runs << " "
         << (p.done      ? (p.ok ? "ok" : "failed")
             : p.pid > 0 ? "running"
                         : "waiting")
         << "\n";
  }
  (void)WriteFileAtomic(t.sandbox + "/.aurora-local/pids", pids.str());
}

Status ProcessLauncher::Launch(const LaunchSpec& spec) {
  HGO_ASSIGN_OR_RETURN(ThermosTask task, ParseThermosTask(spec.executor_data));
  auto t = std::make_unique<RunningTask>();
  t->spec = spec;
  t->sandbox = SandboxOf(spec.task_id);
  t->finalization_wait = task.finalization_wait;
  std::error_code ec;
  fs::create_directories(t->sandbox + "/.aurora-local", ec);
  if (ec) return Status::Internal("cannot create sandbox " + t->sandbox + ": " + ec.message());
  for (const auto& p : task.processes) t->procs.emplace_back(p);
  for (const auto& chain : task.orders) {
    for (size_t i = 1; i < chain.size(); ++i) {
      for (auto& p : t->procs) {
        if (p.spec.name == chain[i]) p.after.insert(chain[i - 1]);
      }
    }
  }
  // What a restarted aurora-local needs to adopt the task.
  Json launch = Json::MakeObject();
  launch["executor_data"] = Json(spec.executor_data);
  launch["instance"] = Json(static_cast<int64_t>(spec.instance));
  launch["cluster"] = Json(spec.cluster);
  launch["hostname"] = Json(spec.hostname);
  launch["role"] = Json(spec.job.role);
  launch["environment"] = Json(spec.job.environment);
  launch["name"] = Json(spec.job.name);
  Json ports = Json::MakeObject();
  for (const auto& [name, port] : spec.ports) ports[name] = Json(static_cast<int64_t>(port));
  launch["ports"] = std::move(ports);
  HGO_RETURN_IF_ERROR(
      WriteFileAtomic(t->sandbox + "/.aurora-local/launch.json", Serialize(launch)));
  std::lock_guard<std::mutex> lock(mu_);
  RunningTask& ref = *t;
  tasks_[spec.task_id] = std::move(t);
  for (auto& p : ref.procs) {
    if (p.after.empty()) HGO_RETURN_IF_ERROR(StartProcess(ref, p));
  }
  return Status::Ok();
}

void ProcessLauncher::Kill(const std::string& task_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end() || it->second->killing) return;
  RunningTask& t = *it->second;
  t.killing = true;
  t.kill_deadline = clock_.Now() + t.finalization_wait;
  for (const auto& p : t.procs) {
    if (p.pid > 0) ::kill(-p.pid, SIGTERM);
  }
}

std::optional<TaskExit> ProcessLauncher::Poll(const std::string& task_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return TaskExit{TaskExit::Kind::kLost, "unknown to the launcher"};
  RunningTask& t = *it->second;
  // Reap what ended.
  bool changed = false;
  for (auto& p : t.procs) {
    if (p.pid <= 0) continue;
    int status = 0;
    bool ended = false;
    if (p.adopted) {
      // Normally not our child (its parent was the previous aurora-local); reap it if it is.
      ended = ::waitpid(p.pid, &status, WNOHANG) == p.pid || !Alive(p.pid);
    } else if (::waitpid(p.pid, &status, WNOHANG) == p.pid) {
      ended = true;
    }
    if (!ended) continue;
    changed = true;
    p.pid = -1;
    p.last_status = status;
    const bool success = !p.adopted && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (success) {
      p.done = p.ok = true;
    } else if (!t.killing && !p.adopted &&
               (p.spec.max_failures == 0 || p.runs < p.spec.max_failures)) {
      (void)StartProcess(t, p);  // Thermos runs a failed process again
    } else {
      p.done = true;
      if (!t.failure && !t.killing) {
        std::string why = p.adopted ? "ended (exit status unknown after a restart)"
                          : WIFSIGNALED(status)
                              ? "was killed by signal " + std::to_string(WTERMSIG(status))
                              : "exited with status " + std::to_string(WEXITSTATUS(status));
        t.failure = TaskExit{p.adopted ? TaskExit::Kind::kLost : TaskExit::Kind::kFailed,
                             "Process " + p.spec.name + " " + why};
      }
    }
  }
  if (changed) WritePids(t);
  if (t.failure && !t.killing) {  // one process failed for good: stop the others
    t.killing = true;
    t.kill_deadline = clock_.Now() + t.finalization_wait;
    for (const auto& p : t.procs) {
      if (p.pid > 0) ::kill(-p.pid, SIGTERM);
    }
  }
  bool any_running = false;
  for (const auto& p : t.procs) any_running |= p.pid > 0;
  if (t.killing) {
    if (any_running) {
      if (!t.sigkilled && clock_.Now() >= t.kill_deadline) {
        for (const auto& p : t.procs) {
          if (p.pid > 0) ::kill(-p.pid, SIGKILL);
        }
        t.sigkilled = true;
      }
      return std::nullopt;
    }
    TaskExit exit = t.failure ? *t.failure : TaskExit{TaskExit::Kind::kKilled, "Killed"};
    tasks_.erase(it);
    return exit;
  }
  // Start processes whose predecessors all succeeded.
  for (auto& p : t.procs) {
    if (p.done || p.pid > 0 || p.runs > 0) continue;
    bool ready = true;
    for (const auto& name : p.after) {
      for (const auto& q : t.procs) {
        if (q.spec.name == name && !q.ok) ready = false;
      }
    }
    if (ready) {
      if (Status s = StartProcess(t, p); !s.ok()) {
        TaskExit exit{TaskExit::Kind::kFailed, s.message()};
        tasks_.erase(it);
        return exit;
      }
      any_running = true;
    }
  }
  bool all_done = true;
  for (const auto& p : t.procs) all_done &= p.done;
  if (all_done) {
    tasks_.erase(it);
    return TaskExit{TaskExit::Kind::kFinished, "Task finished"};
  }
  return std::nullopt;
}

void ProcessLauncher::StopAll() {
  std::vector<std::string> ids;
  std::chrono::seconds longest{0};
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, t] : tasks_) {
      ids.push_back(id);
      longest = std::max(longest, t->finalization_wait);
    }
  }
  for (const auto& id : ids) Kill(id);
  // Poll sends SIGKILL once a task's finalization wait is over; past that, give up waiting.
  const auto limit = std::chrono::steady_clock::now() + longest + std::chrono::seconds(5);
  while (!ids.empty() && std::chrono::steady_clock::now() < limit) {
    ids.erase(std::remove_if(ids.begin(), ids.end(),
                             [this](const std::string& id) { return Poll(id).has_value(); }),
              ids.end());
    if (!ids.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool ProcessLauncher::Adopt(const std::string& task_id) {
  const std::string sandbox = SandboxOf(task_id);
  auto launch_text = ReadFileLimited(sandbox + "/.aurora-local/launch.json", 16 << 20);
  auto pids_text = ReadFileLimited(sandbox + "/.aurora-local/pids", 1 << 20);
  if (!launch_text.ok() || !pids_text.ok()) return false;
  auto launch = ParseJson(*launch_text);
  if (!launch.ok()) return false;
  LaunchSpec spec;
  spec.task_id = task_id;
  spec.executor_data = Str(*launch, "executor_data");
  spec.instance = static_cast<int32_t>(Int(*launch, "instance", 0));
  spec.cluster = Str(*launch, "cluster");
  spec.hostname = Str(*launch, "hostname");
  spec.job = JobKey{Str(*launch, "role"), Str(*launch, "environment"), Str(*launch, "name")};
  auto task = ParseThermosTask(spec.executor_data);
  if (!task.ok()) return false;
  auto t = std::make_unique<RunningTask>();
  t->spec = spec;
  t->sandbox = sandbox;
  t->finalization_wait = task->finalization_wait;
  struct Recorded {
    pid_t pid = -1;
    int runs = 0;
    std::string state;
  };
  std::map<std::string, Recorded> recorded;
  std::istringstream in(*pids_text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string name;
    Recorded r;
    if (fields >> name >> r.pid >> r.runs >> r.state) recorded[name] = r;
  }
  bool any_alive = false;
  for (const auto& p : task->processes) {
    Proc proc{p};
    auto found = recorded.find(p.name);
    if (found == recorded.end()) {  // not started yet: Poll starts it when its turn comes
      t->procs.push_back(std::move(proc));
      continue;
    }
    const Recorded& r = found->second;
    proc.runs = r.runs;
    // Alive and still in its own process group: ours (a recycled pid would not be a leader).
    if (r.pid > 0 && Alive(r.pid) && ::getpgid(r.pid) == r.pid) {
      proc.pid = r.pid;
      proc.adopted = true;
      any_alive = true;
    } else if (r.state == "ok" || r.state == "failed") {
      proc.done = true;
      proc.ok = r.state == "ok";
    } else if (r.state == "running" && !t->failure) {
      // It ended while no aurora-local watched it: how is unknown, as for a lost agent.
      proc.done = true;
      t->failure = TaskExit{TaskExit::Kind::kLost, "Process " + p.name +
                                                       " ended while aurora-local was down (exit "
                                                       "status unknown after a restart)"};
    }
    t->procs.push_back(std::move(proc));
  }
  if (!any_alive) return false;  // how it ended is unknown: the scheduler reports it LOST
  std::lock_guard<std::mutex> lock(mu_);
  tasks_[task_id] = std::move(t);
  return true;
}

}  // namespace hgo::aurora::local
