// Shards: TOPOLOGIES over CLUSTERS clusters (one aurora-local in --simulate-tasks serves every
// cluster name, as in bench_scale), REPLICAS heron-controllers started with --shards on the same
// ZooKeeper root and specs.
// 1. The split: clusters each replica leads once the elections settle.
// 2. Converge from nothing: time until every topology is Running; each replica's CPU, RSS
//    after and peak, and creates (their sum against TOPOLOGIES: no create made twice).
// 3. No-op resync on every replica at once: wall time until all are done, each one's CPU.
// 4. The last replica killed (SIGKILL: its clusters wait out its ZooKeeper session, 10 s):
//    time until the others lead every cluster, and until they have passed every topology of
//    the clusters they took; the actions those passes made (none is due).
//
// Usage: bench_shards [TOPOLOGIES=20000] [CLUSTERS=20] [REPLICAS=2] [JSON=bench-shards.json]
#include <cstdio>
#include <cstdlib>
#include <map>
#include <thread>

#include "bench/harness.h"

using namespace hgo;
using namespace hgo::bench;
using Steady = std::chrono::steady_clock;

namespace {

std::string PortOf(const testing::ControllerProcess& c) {
  return c.url().substr(c.url().rfind(':') + 1);
}

// cluster -> the port of the replica leading it ("" none), as c's API says.
std::map<std::string, std::string> Leaders(const testing::ControllerProcess& c) {
  std::map<std::string, std::string> out;
  auto r = testing::HttpCall("GET", c.url() + "/api/v1/clusters");
  auto j = ParseJson(r.body);
  const Json* list = j.ok() ? j->Find("clusters") : nullptr;
  if (!list || !list->is_array()) return out;
  for (const auto& cl : list->as_array()) {
    const Json* name = cl.Find("name");
    const Json* leader = cl.Find("leader");
    if (!name || !leader || !name->is_string() || !leader->is_string()) continue;
    const std::string& l = leader->as_string();
    out[name->as_string()] = l.empty() ? "" : l.substr(l.rfind(':') + 1);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  const int clusters = argc > 2 ? std::atoi(argv[2]) : 20;
  const int replicas = argc > 3 ? std::atoi(argv[3]) : 2;
  const std::string json_path = argc > 4 ? argv[4] : "bench-shards.json";
  if (replicas < 2 || clusters < replicas || n < clusters) {
    std::fprintf(stderr,
                 "usage: bench_shards TOPOLOGIES CLUSTERS REPLICAS (2 <= REPLICAS <= "
                 "CLUSTERS <= TOPOLOGIES)\n");
    return 2;
  }
  ::setenv("HGO_ZK_HEAP", "4g", /*overwrite=*/0);
  auto env = BenchEnv::Start(/*simulate_tasks=*/true, clusters);
  if (!env) return 1;
  const std::string specs = env->WriteSpecs(n, 1, clusters);
  TManagerRegistrar registrar(env->zk->connect_string(), env->heron_roots);
  std::vector<std::unique_ptr<testing::ControllerProcess>> rs;
  const auto t0 = Steady::now();
  for (int i = 0; i < replicas; ++i) {
    rs.push_back(
        env->StartController({"dir:" + specs}, {"--resync", "24h", "--workers", "8", "--shards"}));
    if (!rs.back()) return 1;
  }
  Json out = Json::MakeObject();
  out["benchmark"] = "shards";
  out["topologies"] = n;
  out["clusters"] = clusters;
  out["replicas"] = replicas;

  // 1 and 2: the split, and converging from nothing.
  std::vector<double> peak(replicas, 0);
  for (int i = 0;; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    double running = 0;
    bool drained = true;
    for (int r = 0; r < replicas; ++r) {
      const std::string m = Metrics(*rs[r]);
      running += MetricSum(m, "heron_controller_topologies", "phase=\"Running\"");
      drained &= MetricSum(m, "heron_controller_queue_depth") == 0;
      peak[r] = std::max(peak[r], RssKib(rs[r]->pid()) / 1024.0);
    }
    if (running >= n && drained) break;
    if (i % 20 == 0) std::fprintf(stderr, "  %.0f s: %.0f Running\n", SecondsSince(t0), running);
    if (SecondsSince(t0) > 3 * 3600) {
      std::fprintf(stderr, "not converged after 3 hours\n");
      return 1;
    }
  }
  const double converge_s = SecondsSince(t0);
  const auto leaders = Leaders(*rs[0]);
  std::vector<std::vector<std::string>> rows = {
      {"replica", "clusters led", "creates", "cpu s", "rss MiB", "peak rss MiB"}};
  Json per = Json::MakeArray();
  double creates = 0;
  for (int r = 0; r < replicas; ++r) {
    int led = 0;
    for (const auto& [c, port] : leaders) led += port == PortOf(*rs[r]) ? 1 : 0;
    const double made =
        MetricSum(Metrics(*rs[r]), "heron_controller_actions_total", "action=\"CreateJob\"");
    creates += made;
    const double cpu = CpuSeconds(rs[r]->pid()), rss = RssKib(rs[r]->pid()) / 1024.0;
    rows.push_back({std::to_string(r), std::to_string(led), Fixed(made, 0), Fixed(cpu), Fixed(rss),
                    Fixed(peak[r])});
    Json p = Json::MakeObject();
    p["clustersLed"] = led;
    p["creates"] = made;
    p["cpuSeconds"] = cpu;
    p["rssMiB"] = rss;
    p["peakRssMiB"] = peak[r];
    per.push_back(std::move(p));
  }
  std::printf("%d topologies over %d clusters, %d replicas with --shards (one aurora-local)\n", n,
              clusters, replicas);
  std::printf("converged from nothing in %.1f s; creates %.0f (of %d topologies)\n", converge_s,
              creates, n);
  PrintTable(rows);
  out["convergeSeconds"] = converge_s;
  out["creates"] = creates;
  out["replicaFigures"] = std::move(per);

  // 3. A no-op resync on every replica at once.
  std::this_thread::sleep_for(std::chrono::seconds(3));  // past the 2 s of sharing
  std::vector<double> before(replicas), cpu0(replicas), actions0(replicas);
  for (int r = 0; r < replicas; ++r) {
    const std::string m = Metrics(*rs[r]);
    before[r] = MetricSum(m, "heron_controller_reconciles_total");
    actions0[r] = MetricSum(m, "heron_controller_actions_total");
    cpu0[r] = CpuSeconds(rs[r]->pid());
  }
  const auto w0 = Steady::now();
  for (auto& r : rs) env->Post(*r, "/api/v1/resync");
  std::vector<std::vector<std::string>> resync_rows = {{"replica", "passes", "cpu ms", "actions"}};
  Json resync = Json::MakeArray();
  double done_passes = 0;
  while (done_passes < n && SecondsSince(w0) < 600) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    done_passes = 0;
    bool drained = true;
    for (int r = 0; r < replicas; ++r) {
      const std::string m = Metrics(*rs[r]);
      done_passes += MetricSum(m, "heron_controller_reconciles_total") - before[r];
      drained &= MetricSum(m, "heron_controller_queue_depth") == 0;
    }
    if (!drained) done_passes = std::min<double>(done_passes, n - 1);
  }
  const double resync_s = SecondsSince(w0);
  for (int r = 0; r < replicas; ++r) {
    const std::string m = Metrics(*rs[r]);
    const double passes = MetricSum(m, "heron_controller_reconciles_total") - before[r];
    const double cpu_ms = (CpuSeconds(rs[r]->pid()) - cpu0[r]) * 1000;
    const double acts = MetricSum(m, "heron_controller_actions_total") - actions0[r];
    resync_rows.push_back({std::to_string(r), Fixed(passes, 0), Fixed(cpu_ms), Fixed(acts, 0)});
    Json j = Json::MakeObject();
    j["passes"] = passes;
    j["cpuMs"] = cpu_ms;
    j["actions"] = acts;
    resync.push_back(std::move(j));
  }
  std::printf("no-op resync on every replica at once: %.1f s wall\n", resync_s);
  PrintTable(resync_rows);
  out["resyncSeconds"] = resync_s;
  out["resyncs"] = std::move(resync);

  // 4. The last replica killed: the others take its clusters over.
  const std::string dead_port = PortOf(*rs.back());
  int dead_led = 0;
  for (const auto& [c, port] : Leaders(*rs[0])) dead_led += port == dead_port ? 1 : 0;
  std::vector<double> before_kill(replicas - 1), actions_kill(replicas - 1);
  for (int r = 0; r + 1 < replicas; ++r) {
    const std::string m = Metrics(*rs[r]);
    before_kill[r] = MetricSum(m, "heron_controller_reconciles_total");
    actions_kill[r] = MetricSum(m, "heron_controller_actions_total");
  }
  const auto k0 = Steady::now();
  (void)rs.back()->Kill9();
  double led_all_s = -1, passed_s = -1;
  const double taken_keys = static_cast<double>(dead_led) * n / clusters;
  while (SecondsSince(k0) < 600) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (led_all_s < 0) {
      bool all = true;
      for (const auto& [c, port] : Leaders(*rs[0])) all &= !port.empty() && port != dead_port;
      if (all) led_all_s = SecondsSince(k0);
      continue;
    }
    double passes = 0;
    bool drained = true;
    for (int r = 0; r + 1 < replicas; ++r) {
      const std::string m = Metrics(*rs[r]);
      passes += MetricSum(m, "heron_controller_reconciles_total") - before_kill[r];
      drained &= MetricSum(m, "heron_controller_queue_depth") == 0;
    }
    if (passes >= taken_keys && drained) {
      passed_s = SecondsSince(k0);
      break;
    }
  }
  double actions = 0;
  for (int r = 0; r + 1 < replicas; ++r) {
    actions += MetricSum(Metrics(*rs[r]), "heron_controller_actions_total") - actions_kill[r];
  }
  std::printf(
      "replica %d killed (led %d clusters, %.0f topologies): every cluster led again after "
      "%.1f s, every topology of those passed after %.1f s; actions meanwhile %.0f\n",
      replicas - 1, dead_led, taken_keys, led_all_s, passed_s, actions);
  out["takeover"] = Json::MakeObject();
  out["takeover"]["clusters"] = dead_led;
  out["takeover"]["allLedSeconds"] = led_all_s;
  out["takeover"]["allPassedSeconds"] = passed_s;
  out["takeover"]["actions"] = actions;
  for (int r = 0; r + 1 < replicas; ++r) (void)rs[r]->Stop();
  WriteJson(json_path, out);
  return 0;
}
