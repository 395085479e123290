#include "aurora_local/main.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "aurora_local/server.h"
#include "aurora_local/serverset.h"
#include "common/failpoint.h"
#include "common/signals.h"
#include "common/version.h"

namespace hgo::aurora::local {

int AuroraLocalMain(int argc, char** argv) {
  CLI::App app{
      "aurora-local: an Apache Aurora scheduler for one machine. Serves Aurora's Thrift API at "
      "POST /api and runs each task's Thermos processes as local processes. Test and demo "
      "equipment: resource limits are not enforced."};
  ServerOptions options;
  std::string users_file, zk, serverset_path = "/aurora/scheduler", advertise_host;
  app.add_option("--state-dir", options.state_dir,
                 "directory for state.json and task sandboxes (required)")
      ->required();
  app.add_flag("--simulate-tasks", options.simulate_tasks,
               "run no processes: a launched task runs until killed (benchmarks at scale)");
  app.add_flag("--stop-tasks-on-exit", options.stop_tasks_on_exit,
               "kill every task when stopped (demos, tests); by default tasks keep running and "
               "a restarted aurora-local adopts them, as Aurora's scheduler does");
  app.add_option("--port", options.port, "HTTP port (0: a free port)")->capture_default_str();
  app.add_option("--bind", options.bind, "address to listen on")->capture_default_str();
  app.add_option("--cluster", options.scheduler.cluster, "the cluster name it reports")
      ->capture_default_str();
  app.add_option("--hostname", options.scheduler.hostname, "the agent host tasks report")
      ->capture_default_str();
  app.add_option("--allowed-environments", options.scheduler.allowed_environments,
                 "regex for job environments")
      ->capture_default_str();
  app.add_option("--users-file,--auth-file", users_file,
                 "file of 'user:password[:role,...]' lines; when given, mutating calls need Basic "
                 "auth, and a user with roles may change only those roles' jobs");
  auto* cert_flag = app.add_option("--tls-cert-file", options.tls.cert_file,
                                   "serve HTTPS with this certificate (PEM)");
  auto* key_flag =
      app.add_option("--tls-key-file", options.tls.key_file, "the certificate's key (PEM)");
  cert_flag->needs(key_flag);
  key_flag->needs(cert_flag);
  app.add_option("--zookeeper,--zk", zk, "ZooKeeper to announce in (host:port[,...][/chroot])");
  app.add_option("--serverset-path", serverset_path, "serverset path in ZooKeeper")
      ->capture_default_str();
  app.add_option("--advertise-host", advertise_host,
                 "host name to announce (default: the --bind address)");
  app.set_version_flag("--version",
                       std::string("aurora-local ") + kVersion + " (" + kGitCommit + ")");
  bool list_failpoints = false;
  app.add_flag("--list-failpoints", list_failpoints,
               "print the failpoints HGO_FAILPOINTS may arm (tests) and exit");
  CLI11_PARSE(app, argc, argv);
  failpoint::Register({kSnapshotWriteFailpoint, kSnapshotWrittenFailpoint});
  if (list_failpoints) {
    for (const auto& name : failpoint::Known()) std::cout << name << "\n";
    return 0;
  }
  if (Status armed = failpoint::ArmFromEnvironment(); !armed.ok()) {
    std::cerr << "aurora-local: " << armed.message() << "\n";
    return 2;
  }
  for (const auto& p : failpoint::ArmedPoints()) spdlog::warn("aurora-local: failpoint {}", p);

  if (!users_file.empty()) {
    auto users = LoadUsers(users_file);
    if (!users.ok()) {
      std::cerr << "aurora-local: " << users.status().message() << "\n";
      return 2;
    }
    options.users = std::move(*users);
  }
  // Handle SIGINT/SIGTERM in this thread only.
  BlockTerminationSignals();

  auto server = AuroraLocalServer::Start(options);
  if (!server.ok()) {
    std::cerr << "aurora-local: " << server.status().message() << "\n";
    return 1;
  }
  std::unique_ptr<statestore::ZkClient> zk_client;
  std::unique_ptr<ServerSetAnnouncer> announcer;
  if (!zk.empty()) {
    statestore::ZkOptions zo;
    zo.servers = zk;
    auto client = statestore::ZkClient::Connect(zo);
    if (!client.ok()) {
      std::cerr << "aurora-local: " << client.status().message() << "\n";
      return 1;
    }
    zk_client = std::move(*client);
    auto a = ServerSetAnnouncer::Start(*zk_client, serverset_path,
                                       advertise_host.empty() ? options.bind : advertise_host,
                                       (*server)->port());
    if (!a.ok()) {
      std::cerr << "aurora-local: " << a.status().message() << "\n";
      return 1;
    }
    announcer = std::move(*a);
  }
  std::cout << "aurora-local listening on " << (*server)->url() << std::endl;
  const int sig = WaitForTerminationSignal();
  spdlog::info("aurora-local: signal {}, stopping ({})", sig,
               options.stop_tasks_on_exit ? "killing its tasks" : "tasks keep running");
  announcer.reset();
  server->reset();
  return 0;
}

}  // namespace hgo::aurora::local
