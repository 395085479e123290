// Steady-state cost: N topologies (over R roles) Running on aurora-local with simulated tasks;
// then full no-op resyncs (POST /api/v1/resync), each measured for the controller's CPU and wall
// time, Aurora RPCs, ZooKeeper reads, actions (0 for a no-op), RSS after the pass and the peak
// RSS during it.
//
// Usage: bench_resync [TOPOLOGIES=1000] [ROLES=10] [PASSES=3] [JSON=bench-resync-N.json]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "bench/harness.h"
#include "common/file_util.h"

using namespace hgo;
using namespace hgo::bench;
using Steady = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int roles = argc > 2 ? std::atoi(argv[2]) : 10;
  const int passes = argc > 3 ? std::atoi(argv[3]) : 3;
  const std::string json_path = argc > 4 ? argv[4] : "bench-resync-" + std::to_string(n) + ".json";
  auto env = BenchEnv::Start(/*simulate_tasks=*/true);
  if (!env) return 1;
  const std::string specs = env->WriteSpecs(n, roles);
  TManagerRegistrar registrar(env->zk->connect_string());
  auto c = env->StartController({"dir:" + specs}, {"--resync", "24h", "--workers", "8"});
  if (!c) return 1;

  // Converge: every topology Running, the queue empty.
  const auto t0 = Steady::now();
  double running = 0;
  for (int i = 0;; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const std::string m = Metrics(*c);
    running = MetricSum(m, "heron_controller_topologies", "phase=\"Running\"");
    if (running >= n && MetricSum(m, "heron_controller_queue_depth") == 0) break;
    if (i % 10 == 0) std::fprintf(stderr, "  %d/%d Running\n", static_cast<int>(running), n);
    if (i > 3600) {
      std::fprintf(stderr, "not converged after an hour\n%s", c->LogTail().c_str());
      return 1;
    }
  }
  const double converge_s = std::chrono::duration<double>(Steady::now() - t0).count();

  std::vector<std::vector<std::string>> rows = {
      {"pass", "topologies", "roles", "wall ms", "cpu ms", "aurora rpcs", "zk reads (heron)",
       "zk reads (records)", "actions", "rss MiB", "peak rss MiB"}};
  Json results = Json::MakeArray();
  for (int p = 1; p <= passes; ++p) {
    // Past the controller's 2 s role cache, so the pass asks Aurora afresh.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    const std::string before = Metrics(*c);
    const double reconciles = MetricSum(before, "heron_controller_reconciles_total");
    const double rpcs = MetricSum(before, "heron_controller_aurora_observe_rpcs_total");
    const double heron_reads =
        MetricSum(before, "heron_controller_zookeeper_reads_total", "what=\"heron\"");
    const double record_reads =
        MetricSum(before, "heron_controller_zookeeper_reads_total", "what=\"records\"");
    const double actions = MetricSum(before, "heron_controller_actions_total");
    // The peak during the pass, not during convergence (creating every job) or earlier passes.
    const bool peak_reset = ResetPeakRss(c->pid());
    const double cpu0 = CpuSeconds(c->pid());
    const auto w0 = Steady::now();
    env->Post(*c, "/api/v1/resync");
    std::string after;
    Steady::time_point w1;
    while (true) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(100));  // scrapes cost the controller CPU
      after = Metrics(*c);
      if (MetricSum(after, "heron_controller_reconciles_total") >= reconciles + n &&
          MetricSum(after, "heron_controller_queue_depth") == 0) {
        w1 = Steady::now();
        break;
      }
    }
    const double cpu = CpuSeconds(c->pid()) - cpu0;
    const double wall_ms = std::chrono::duration<double, std::milli>(w1 - w0).count();
    Json r = Json::MakeObject();
    r["pass"] = p;
    r["topologies"] = n;
    r["roles"] = roles;
    r["wallMs"] = wall_ms;
    r["cpuMs"] = cpu * 1000;
    r["auroraRpcs"] = MetricSum(after, "heron_controller_aurora_observe_rpcs_total") - rpcs;
    r["zkReadsHeron"] =
        MetricSum(after, "heron_controller_zookeeper_reads_total", "what=\"heron\"") - heron_reads;
    r["zkReadsRecords"] =
        MetricSum(after, "heron_controller_zookeeper_reads_total", "what=\"records\"") -
        record_reads;
    r["actions"] = MetricSum(after, "heron_controller_actions_total") - actions;
    r["rssMiB"] = static_cast<double>(RssKib(c->pid())) / 1024.0;
    r["peakRssMiB"] = peak_reset ? static_cast<double>(PeakRssKib(c->pid())) / 1024.0 : -1.0;
    rows.push_back({std::to_string(p), std::to_string(n), std::to_string(roles), Fixed(wall_ms),
                    Fixed(cpu * 1000), Fixed(r["auroraRpcs"].as_double(), 0),
                    Fixed(r["zkReadsHeron"].as_double(), 0),
                    Fixed(r["zkReadsRecords"].as_double(), 0), Fixed(r["actions"].as_double(), 0),
                    Fixed(r["rssMiB"].as_double()), Fixed(r["peakRssMiB"].as_double())});
    results.push_back(std::move(r));
  }
  std::printf("no-op resync of %d topologies over %d roles (converged in %.1f s)\n", n, roles,
              converge_s);
  PrintTable(rows);
  Json out = Json::MakeObject();
  out["benchmark"] = "resync";
  out["convergeSeconds"] = converge_s;
  out["passes"] = std::move(results);
  WriteJson(json_path, out);
  return 0;
}
