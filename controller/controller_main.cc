#include "controller/controller_main.h"

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdlib>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "common/failpoint.h"
#include "common/file_util.h"
#include "common/http_server.h"
#include "common/logging.h"
#include "common/signals.h"
#include "common/version.h"
#include "controller/api/api.h"
#include "controller/controller.h"
#include "controller/failpoints.h"
#include "controller/shards.h"
#include "statestore/fence.h"
#include "statestore/leader_elector.h"
#include "statestore/state_store.h"
#include "statestore/zk_client.h"

namespace hgo::controller {

namespace {

int Usage(const std::string& msg) {
  std::cerr << "heron-controller: " << msg << "\n";
  return 2;
}

}  // namespace

int ControllerMain(int argc, char** argv) {
  // glibc gives each thread that allocates its own arena (up to 8 per core), and each keeps what
  // its passes freed: with a dozen workers and watchers that was a quarter of the resident size
  // at 3,000 topologies, for no measurable CPU. MALLOC_ARENA_MAX in the environment still wins.
  if (!std::getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 2);
  CLI::App app{
      "heron-controller: keeps Heron topologies on Aurora as their specs say (GitOps). "
      "See docs/operations.md."};
  std::string clusters_file, zookeeper, root = "/heron-gitops", listen = "127.0.0.1:8089";
  std::string token_file, tokens_file, audit_log, zookeeper_auth_file, identity, tls_cert, tls_key,
      resync = "5m", tombstone = "60s", git_cache;
  std::string log_format = "human", log_level = "info";
  std::vector<std::string> source_flags;
  ControllerOptions options;
  int pulse_timeout_s = 120;
  int requeue_ms = 2000;
  int shutdown_grace_ms = 1500;
  app.add_option("--clusters", clusters_file, "clusters.yaml (required)")->required();
  app.add_option("--zookeeper", zookeeper,
                 "ZooKeeper for the controller's records and election (host:port[,...][/chroot])")
      ->required();
  app.add_option("--root", root, "ZooKeeper path of the controller's nodes")->capture_default_str();
  app.add_option("--zookeeper-auth-file", zookeeper_auth_file,
                 "\"user:password\" for ZooKeeper digest authentication on --zookeeper: the "
                 "controller's nodes are then created readable and writable by that user only "
                 "(Heron's nodes, on the clusters' connections, keep Heron's open ACL)");
  app.add_option("--source", source_flags,
                 "dir:PATH | spool:PATH | git:URL[#BRANCH][//SUBDIR], options ?allowEmpty, "
                 "?interval=1m, ?credentials=FILE (repeatable, at least one)")
      ->required();
  app.add_option("--listen", listen, "HOST:PORT of the HTTP API (port 0: a free port)")
      ->capture_default_str();
  auto* cert_flag = app.add_option("--tls-cert-file", tls_cert,
                                   "serve the API over HTTPS with this certificate (PEM, then any "
                                   "intermediates); re-read with the key on SIGHUP");
  auto* key_flag = app.add_option("--tls-key-file", tls_key, "the certificate's private key (PEM)");
  cert_flag->needs(key_flag);
  key_flag->needs(cert_flag);
  app.add_option("--token-file", token_file,
                 "bearer token for mutating API calls (without it the API is read-only)");
  app.add_option("--tokens-file", tokens_file,
                 "API tokens with scopes (read, operate limited to roles or keys, admin), each "
                 "as its SHA-256 (docs/operations.md, \"API access\")");
  bool reads_need_token = false;
  app.add_flag("--reads-need-token", reads_need_token,
               "reads of the API and /metrics need a token too (any scope); /healthz, /readyz "
               "and the web UI's files stay open");
  app.add_option("--audit-log", audit_log,
                 "append one JSON line per change asked of the API (who, what, which topology, "
                 "when, the answer)");
  app.add_flag("--prune", options.settings.prune, "delete topologies whose spec is gone");
  app.add_option("--prune-budget", options.prune_budget, "topologies pruned per resync period")
      ->capture_default_str();
  app.add_option("--tombstone", tombstone, "how long a spec must be gone before pruning")
      ->capture_default_str();
  app.add_option("--resync", resync, "full resync period")->capture_default_str();
  app.add_option("--shutdown-grace-ms", shutdown_grace_ms,
                 "on SIGTERM, how long passes in flight may take to finish before they are "
                 "abandoned (the leadership is given up first; the next leader resumes them)")
      ->capture_default_str();
  app.add_option("--workers", options.workers, "topologies reconciled concurrently")
      ->capture_default_str();
  app.add_option("--workers-per-cluster", options.workers_per_cluster,
                 "at most this many workers on one cluster's topologies at once (0: workers - 1 "
                 "with several clusters)")
      ->capture_default_str();
  int session_timeout_s = 10;
  app.add_option("--session-timeout", session_timeout_s,
                 "seconds: the ZooKeeper session of the election and the records; a leader that "
                 "stops for longer is replaced, and its lease (Aurora calls) is half of this")
      ->check(CLI::Range(2, 120))
      ->capture_default_str();
  int breaker_open_s = 5;
  app.add_option("--breaker-open", breaker_open_s,
                 "seconds a cluster that does not answer is left alone before a probe (doubles "
                 "with each failed probe, up to 12 times this)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--identity", identity,
                 "this controller's name in the election (host:port; unique among replicas)");
  bool shards = false;
  app.add_flag("--shards", shards,
               "split the clusters with the other replicas started with --shards on the same "
               "--zookeeper and --root: one election per cluster, each replica leads its share "
               "and stands by for the rest (docs/operations.md, \"Shards\")");
  app.add_option("--git-cache", git_cache, "directory for git sources' bare clones");
  app.add_option("--pulse-timeout", pulse_timeout_s,
                 "seconds: Aurora blocks an update not pulsed for this long")
      ->capture_default_str();
  app.add_option("--requeue-ms", requeue_ms,
                 "how soon to look again at a topology that is changing")
      ->capture_default_str();
  app.add_option("--log-format", log_format, "human or json")->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  app.set_version_flag("--version",
                       std::string("heron-controller ") + kVersion + " (" + kGitCommit + ")");
  bool list_failpoints = false;
  app.add_flag("--list-failpoints", list_failpoints,
               "print the failpoints HGO_FAILPOINTS may arm (tests) and exit");
  failpoint::Register(ControllerFailpoints());
  // Before the parse, which asks for --clusters.
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--list-failpoints") {
      for (const auto& name : failpoint::Known()) std::cout << name << "\n";
      return 0;
    }
  }
  CLI11_PARSE(app, argc, argv);

  auto format = ParseLogFormat(log_format);
  auto level = ParseLogLevel(log_level);
  if (!format.ok()) return Usage(format.status().message());
  if (!level.ok()) return Usage(level.status().message());
  InitLogging(*format, *level);
  if (Status armed = failpoint::ArmFromEnvironment(); !armed.ok()) {
    return Usage(armed.message());
  }
  for (const auto& p : failpoint::ArmedPoints()) spdlog::warn("controller: failpoint {}", p);

  options.breaker.open_base = std::chrono::seconds(breaker_open_s);
  options.breaker.open_max = std::chrono::seconds(breaker_open_s * 12);
  auto clusters = LoadClustersFile(clusters_file);
  if (!clusters.ok()) return Usage(clusters.status().message());
  options.clusters = std::move(*clusters);
  std::vector<sources::SourceConfig> source_configs;
  for (const auto& f : source_flags) {
    auto c = sources::ParseSourceFlag(f);
    if (!c.ok()) return Usage(c.status().message());
    source_configs.push_back(*c);
  }
  auto resync_s = ParseDurationSeconds(resync);
  if (!resync_s.ok()) return Usage("--resync: " + resync_s.status().message());
  options.resync = *resync_s;
  auto tombstone_s = ParseDurationSeconds(tombstone);
  if (!tombstone_s.ok()) return Usage("--tombstone: " + tombstone_s.status().message());
  options.settings.tombstone_ms = tombstone_s->count() * 1000;
  if (options.workers < 1 || options.workers > 256) return Usage("--workers must be 1..256");
  if (options.prune_budget < 0) return Usage("--prune-budget must be >= 0");
  if (shutdown_grace_ms < 0) return Usage("--shutdown-grace-ms must be >= 0");
  options.executor.block_if_no_pulses_after_ms = pulse_timeout_s * 1000;
  // Pulse well within the timeout.
  options.settings.requeue_ms = std::min<int64_t>(requeue_ms, pulse_timeout_s * 1000 / 4);
  if (requeue_ms < 100) return Usage("--requeue-ms must be at least 100");
  const std::string git_cache_dir =
      !git_cache.empty()
          ? git_cache
          : (std::filesystem::temp_directory_path() / "heron-controller-git").string();
  ApiOptions api;
  if (!tokens_file.empty()) {
    auto access = LoadTokensFile(tokens_file);
    if (!access.ok()) return Usage("--tokens-file: " + access.status().message());
    api.access = std::move(*access);
  }
  if (!token_file.empty()) {
    auto token = ReadFileLimited(token_file, 4096);
    if (!token.ok()) return Usage("--token-file: " + token.status().message());
    std::string t = *token;
    while (!t.empty() && isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    if (t.empty()) return Usage("--token-file: the file is empty");
    api.access.tokens.push_back(AdminToken(t));
  }
  if (!audit_log.empty()) api.audit = std::make_shared<AuditLog>(audit_log);
  api.reads_need_token = reads_need_token;
  if (reads_need_token && api.access.empty()) {
    return Usage("--reads-need-token needs --tokens-file or --token-file (no token could read)");
  }
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Usage("--listen must be HOST:PORT");
  const std::string host = listen.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    return Usage("--listen must be HOST:PORT");
  }

  BlockTerminationSignals();  // before any thread starts

  statestore::ZkOptions zo;
  zo.servers = zookeeper;
  zo.session_timeout = std::chrono::seconds(session_timeout_s);
  if (!zookeeper_auth_file.empty()) {
    auto digest = ReadFileLimited(zookeeper_auth_file, 4096);
    if (!digest.ok()) return Usage("--zookeeper-auth-file: " + digest.status().message());
    zo.digest = *digest;
    while (!zo.digest.empty() && isspace(static_cast<unsigned char>(zo.digest.back()))) {
      zo.digest.pop_back();
    }
    if (zo.digest.find(':') == std::string::npos || zo.digest.front() == ':') {
      return Usage("--zookeeper-auth-file: expected \"user:password\"");
    }
  }
  auto zk = statestore::ZkClient::Connect(zo);
  if (!zk.ok()) {
    spdlog::error("controller: ZooKeeper {}: {}", zookeeper, zk.status().ToString());
    return 1;
  }
  RealClock clock;
  Metrics metrics;
  std::unique_ptr<Controller> controller;
  // The API is served from before the controller exists (503 "starting"); the HTTP threads see
  // the handler only once it is complete (release/acquire), never a half-assigned pointer.
  // Both outlive the server, which is declared after them.
  HttpHandler api_handler;
  std::atomic<bool> api_ready{false};
  auto server = HttpServer::Start(
      host, port,
      [&](const HttpRequest& r) {
        if (!api_ready.load(std::memory_order_acquire)) return HttpReply::Text(503, "starting\n");
        return api_handler(r);
      },
      HttpServerTls{tls_cert, tls_key});
  if (!server.ok()) {
    spdlog::error("controller: listening on {}: {}", listen, server.status().ToString());
    return 1;
  }
  if (identity.empty()) {
    char hostname[256] = {0};
    gethostname(hostname, sizeof hostname - 1);
    identity = std::string(hostname) + ":" + std::to_string((*server)->port());
  }
  // Every ZooKeeper write is fenced by the leader's term (statestore/fence.h): the records here,
  // Heron's nodes in each cluster's ZooKeeper, at the same fence path in each ensemble. One
  // election and one fence for everything; with --shards, each cluster's own.
  std::vector<std::string> cluster_names;
  for (const auto& c : options.clusters) cluster_names.push_back(c.config.name);
  statestore::ZkLeaderElector elector(**zk, root, identity);
  ShardLeadership sharded(**zk, ShardOptions{root, identity, cluster_names});
  WholeLeadership whole(elector);
  Leadership& leadership = shards ? static_cast<Leadership&>(sharded) : whole;
  std::map<std::string, statestore::FenceOptions> fencing;  // by cluster ("" unsharded)
  if (shards) {
    for (const auto& c : cluster_names) {
      fencing[c] =
          statestore::FenceOptions{statestore::FencePath(ShardLeadership::ClusterRoot(root, c)),
                                   [&sharded, c] { return sharded.Term(c); }};
    }
  } else {
    fencing[""] = statestore::FenceOptions{statestore::FencePath(root),
                                           [&elector] { return elector.term(); }};
  }
  std::map<std::string, std::unique_ptr<statestore::ZkFence>> fences;
  for (const auto& [c, f] : fencing) {
    fences[c] = std::make_unique<statestore::ZkFence>(**zk, f.path, f.term);
  }
  // Which fence guards a cluster's writes. Sharded, a cluster the clusters file does not name
  // has none and its records are never written (no replica leads it); the spool ("") is
  // written by whichever replica a file was dropped on.
  auto fence_of = [&fences, shards](const std::string& cluster) -> statestore::ZkFence* {
    auto it = fences.find(shards ? cluster : "");
    return it == fences.end() ? nullptr : it->second.get();
  };
  auto store = statestore::ZkStateStore::Create(**zk, root, fence_of);
  if (!store.ok()) {
    spdlog::error("controller: records under {}: {}", root, store.status().ToString());
    return 1;
  }
  options.confirm_leadership = [fence_of](const std::string& cluster) {
    statestore::ZkFence* f = fence_of(cluster);
    return f ? f->Confirm() : Status::FailedPrecondition("no leadership of cluster " + cluster);
  };
  options.lease = zo.session_timeout / 2;
  ServerConnector connector(
      [&fencing, shards](const std::string& cluster) -> std::optional<statestore::FenceOptions> {
        auto it = fencing.find(shards ? cluster : "");
        if (it == fencing.end()) return std::nullopt;
        return it->second;
      });
  controller = std::make_unique<Controller>(
      options, sources::MakeSources(source_configs, **store, git_cache_dir), connector, clock,
      **store, leadership, metrics);
  api_handler = MakeApiHandler(*controller, metrics, api);
  api_ready.store(true, std::memory_order_release);
  Status started = controller->Start();
  if (!started.ok()) {
    spdlog::error("controller: {}", started.ToString());
    return 1;
  }
  spdlog::info("controller {} listening on {}; {} source(s), {} cluster(s)", identity,
               (*server)->url(), source_configs.size(), options.clusters.size());
  // The port for scripts and tests that ask for port 0.
  std::cout << "listening on " << (*server)->url() << std::endl;

  const int sig = WaitForTerminationSignal([&server, &tls_cert] {
    if (tls_cert.empty()) return;
    Status reloaded = (*server)->ReloadTls();
    if (reloaded.ok()) {
      spdlog::info("controller: SIGHUP: TLS certificate re-read from {}", tls_cert);
    } else {
      spdlog::error("controller: SIGHUP: {}; the certificate in use stays", reloaded.ToString());
    }
  });
  spdlog::info("controller: signal {}: shutting down", sig);
  // Passes in flight get the grace period to finish. Past it they are abandoned: the leadership
  // is given up (so the next leader starts without waiting out this ZooKeeper session, and
  // the term fence refuses what they would still write) and the process exits. What they were
  // doing is observed and resumed by the next leader, as after a crash: passes are
  // level-triggered.
  std::promise<void> stopped;
  std::future<void> done = stopped.get_future();
  std::thread stopper([&] {
    controller->Stop();
    stopped.set_value();
  });
  if (done.wait_for(std::chrono::milliseconds(shutdown_grace_ms)) != std::future_status::ready) {
    spdlog::warn("controller: passes still running after {} ms; abandoned to the next leader",
                 shutdown_grace_ms);
    leadership.Resign();
    spdlog::default_logger()->flush();
    std::_Exit(0);
  }
  stopper.join();
  server->reset();  // no request runs past this
  controller.reset();
  return 0;
}

}  // namespace hgo::controller
