// Mass change: TOPOLOGIES specs in a git repository, Running on aurora-local (simulated tasks);
// one commit changes every spec; time from the commit (and the webhook) until every Aurora update
// has started, with the controller's bounded concurrency (--workers).
//
// Usage: bench_mass_change [TOPOLOGIES=1000] [ROLES=10] [WORKERS=8] [JSON=bench-mass-change.json]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bench/harness.h"

using namespace hgo;
using namespace hgo::bench;

namespace {

bool Sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int roles = argc > 2 ? std::atoi(argv[2]) : 10;
  const int workers = argc > 3 ? std::atoi(argv[3]) : 8;
  const std::string json_path = argc > 4 ? argv[4] : "bench-mass-change.json";
  auto env = BenchEnv::Start(/*simulate_tasks=*/true);
  if (!env) return 1;
  const std::string repo = env->dir + "/repo";
  std::filesystem::create_directories(repo + "/topologies");
  auto write_all = [&](int timeout_secs) {
    for (int i = 0; i < n; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "m%05d", i);
      crd::Topology t = env->Spec(name, "role" + std::to_string(i % roles));
      t.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{timeout_secs});
      std::ofstream(repo + "/topologies/" + name + ".yaml", std::ios::trunc) << BenchEnv::Yaml(t);
    }
  };
  write_all(30);
  const std::string git = "cd " + repo + " && git -c user.name=bench -c user.email=b@example.com ";
  if (!Sh("cd " + repo + " && git init -q -b main .") || !Sh(git + "add -A") ||
      !Sh(git + "commit -q -m create")) {
    std::fprintf(stderr, "git failed\n");
    return 1;
  }
  TManagerRegistrar registrar(env->zk->connect_string());
  auto c = env->StartController({"git:file://" + repo + "#main//topologies?interval=1h"},
                                {"--resync", "24h", "--workers", std::to_string(workers)});
  if (!c) return 1;
  for (int i = 0;; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const std::string m = Metrics(*c);
    const double running = MetricSum(m, "heron_controller_topologies", "phase=\"Running\"");
    if (running >= n && MetricSum(m, "heron_controller_queue_depth") == 0) break;
    if (i % 10 == 0) std::fprintf(stderr, "  %d/%d Running\n", static_cast<int>(running), n);
    if (i > 3600) return 1;
  }

  write_all(45);
  if (!Sh(git + "commit -q -am 'change every spec'")) return 1;
  const int64_t t0 = WallMs();
  env->Post(*c, "/api/v1/webhook/git");
  std::vector<double> started;
  for (int polls = 0; polls < 3000; ++polls) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    started.clear();
    for (int r = 0; r < roles; ++r) {
      aurora::UpdateQuery uq;
      uq.role = "role" + std::to_string(r);
      auto updates = env->api->GetJobUpdateSummaries(uq);
      if (!updates.ok()) continue;
      for (const auto& u : *updates) {
        if (u.created_ms >= t0) started.push_back(static_cast<double>(u.created_ms - t0));
      }
    }
    if (static_cast<int>(started.size()) >= n) break;
  }
  const double all_started = Percentile(started, 100);
  std::printf("%d specs changed in one commit (%d roles, %d workers)\n", n, roles, workers);
  PrintTable({{"updates started", "first ms", "p50 ms", "p99 ms", "all started ms"},
              {std::to_string(started.size()) + "/" + std::to_string(n),
               Fixed(Percentile(started, 0), 0), Fixed(Percentile(started, 50), 0),
               Fixed(Percentile(started, 99), 0), Fixed(all_started, 0)}});
  Json out = Json::MakeObject();
  out["benchmark"] = "mass-change";
  out["topologies"] = n;
  out["roles"] = roles;
  out["workers"] = workers;
  out["updatesStarted"] = static_cast<int64_t>(started.size());
  out["firstMs"] = Percentile(started, 0);
  out["p50Ms"] = Percentile(started, 50);
  out["p99Ms"] = Percentile(started, 99);
  out["allStartedMs"] = all_started;
  WriteJson(json_path, out);
  return static_cast<int>(started.size()) >= n ? 0 : 1;
}
