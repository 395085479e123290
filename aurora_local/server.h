// AuroraLocalServer: aurora-local as a whole. Serves Aurora's Thrift API at POST /api (binary
// or TJSON chosen by Content-Type and Accept exactly as the real scheduler does), /health,
// /leaderhealth and /vars; optional Basic auth for mutating calls; drives the scheduler.
//
// Durable state in <state_dir>: state.json (a snapshot) and journal.jsonl (one line per change
// since that snapshot: the records that changed, numbered). A mutating call is answered only
// after its journal line is written and fdatasync'ed; the journal is folded into a new
// snapshot when it grows past a few MiB. A torn last line (a crash mid-write) is ignored.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "aurora_local/process_launcher.h"
#include "aurora_local/scheduler.h"
#include "common/clock.h"
#include "common/http_server.h"

namespace hgo::aurora::local {

// A Basic-auth user of aurora-local. roles: the roles whose jobs it may change (Aurora's Shiro
// permission thrift.AuroraSchedulerManager:*:<role>); empty: every role.
struct User {
  std::string password;
  std::set<std::string> roles;
};

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8081;  // 0: a free port
  std::string state_dir;
  SchedulerOptions scheduler;
  // Basic-auth users; empty: no authentication (audit user "UNSECURE").
  std::map<std::string, User> users;
  HttpServerTls tls;  // HTTPS when set
  std::chrono::milliseconds tick{50};
  // Tasks run without processes (aurora_local/simulated_launcher.h): benchmarks at scale.
  bool simulate_tasks = false;
  // On stop, kill every task and wait for them (demos, tests). Off by default: like Aurora's
  // scheduler, a restarted aurora-local adopts the tasks that kept running.
  bool stop_tasks_on_exit = false;
};

// Failpoints (common/failpoint.h) of the snapshot: before one is written, and after it is
// written but before the journal it covers is emptied. A crash at either loses nothing.
inline constexpr const char* kSnapshotWriteFailpoint = "aurora_local.snapshot.before_write";
inline constexpr const char* kSnapshotWrittenFailpoint =
    "aurora_local.snapshot.before_journal_reset";

// Loads "user:password[:role,role...]" lines (comments with #) from a file.
StatusOr<std::map<std::string, User>> LoadUsers(const std::string& path);

class AuroraLocalServer {
 public:
  static StatusOr<std::unique_ptr<AuroraLocalServer>> Start(ServerOptions options);
  // Stops serving; task processes keep running, to be adopted, unless stop_tasks_on_exit.
  ~AuroraLocalServer();

  std::string url() const { return http_->url(); }
  int port() const { return http_->port(); }
  Scheduler& scheduler() { return *scheduler_; }

  // The HTTP handler (exposed for in-process tests).
  HttpReply Handle(const HttpRequest& request);

 private:
  AuroraLocalServer() = default;
  HttpReply HandleApi(const HttpRequest& request);
  Status Persist();
  void DriveLoop();

  ServerOptions options_;
  RealClock clock_;
  std::unique_ptr<TaskLauncher> launcher_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<HttpServer> http_;
  Status Compact();  // REQUIRES: persist_mu_ held

  std::mutex persist_mu_;
  int journal_fd_ = -1;
  uint64_t journal_bytes_ = 0;
  uint64_t snapshot_bytes_ = 0;  // of the last snapshot written
  uint64_t seq_ = 0;             // number of the last journal line (or snapshot)
  std::atomic<bool> stopping_{false};
  std::thread driver_;
};

}  // namespace hgo::aurora::local
