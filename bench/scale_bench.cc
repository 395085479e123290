// Scale: TOPOLOGIES over CLUSTERS clusters, ROLES roles per cluster, on one aurora-local in
// --simulate-tasks that serves every cluster name (one scheduler per cluster would not fit
// beside the controller on 2 cores; every cluster still has its own Heron root, ZooKeeper
// session, Aurora clients and role answers in the controller). Heron's topology managers are
// played by TManagerRegistrar.
// 1. Converge from nothing: every spec is there at start. The create rate (createJob calls, from
//    the controller's metrics) per 1,000 topologies as the estate grows, and the time until every
//    topology is Running.
// 2. No-op resyncs (PASSES): the controller's CPU and wall time, RSS after and peak during,
//    Aurora RPCs per pass.
// 3. A mass change: CHANGE% of the specs rewritten at once: time until every update started.
// 4. SIGTERM: time until the controller has exited.
//
// Usage: bench_scale [TOPOLOGIES=50000] [CLUSTERS=50] [ROLES=1] [PASSES=2] [CHANGE=10]
//                    [JSON=bench-scale.json]
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "bench/harness.h"
#include "common/file_util.h"

using namespace hgo;
using namespace hgo::bench;
using Steady = std::chrono::steady_clock;

namespace {}  // namespace

int main(int argc, char** argv) {
  // Line-buffered even into a file: a run takes many minutes, and whoever watches it (or
  // attaches a profiler when a phase begins) reads the tables as they are printed.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const int n = argc > 1 ? std::atoi(argv[1]) : 50000;
  const int clusters = argc > 2 ? std::atoi(argv[2]) : 50;
  const int roles = argc > 3 ? std::atoi(argv[3]) : 1;
  const int passes = argc > 4 ? std::atoi(argv[4]) : 2;
  const int change_pct = argc > 5 ? std::atoi(argv[5]) : 10;
  const std::string json_path = argc > 6 ? argv[6] : "bench-scale.json";
  // ZooKeeper holds ~12 nodes per topology (Heron's, the records, the registrations): past
  // ~20,000 topologies the test server's default heap (256 MiB) is not enough and it dies.
  ::setenv("HGO_ZK_HEAP", "4g", /*overwrite=*/0);
  auto env = BenchEnv::Start(/*simulate_tasks=*/true, clusters);
  if (!env) return 1;
  const std::string specs = env->WriteSpecs(n, roles, clusters);
  TManagerRegistrar registrar(env->zk->connect_string(), env->heron_roots);
  auto c = env->StartController({"dir:" + specs}, {"--resync", "24h", "--workers", "8"});
  if (!c) return 1;
  Json out = Json::MakeObject();
  out["benchmark"] = "scale";
  out["topologies"] = n;
  out["clusters"] = clusters;
  out["rolesPerCluster"] = roles;

  // 1. Converge, noting when each 1,000th createJob was made.
  const auto t0 = Steady::now();
  std::vector<double> block_at;  // seconds since t0 at which creates reached 1,000 × (i + 1)
  // The controller's counters at each of those moments: where a block's time went.
  struct Counters {
    double passes = 0, pass_s = 0, execute_s = 0, executes = 0, observe_s = 0, observes = 0;
    double errors = 0;
  };
  auto counters = [](const std::string& m) {
    Counters k;
    k.passes = MetricSum(m, "heron_controller_reconcile_seconds_count");
    k.pass_s = MetricSum(m, "heron_controller_reconcile_seconds_sum");
    k.executes = MetricSum(m, "heron_controller_execute_seconds_count");
    k.execute_s = MetricSum(m, "heron_controller_execute_seconds_sum");
    k.observes = MetricSum(m, "heron_controller_aurora_observe_seconds_count");
    k.observe_s = MetricSum(m, "heron_controller_aurora_observe_seconds_sum");
    k.errors = MetricSum(m, "heron_controller_reconciles_total", "result=\"error\"") +
               MetricSum(m, "heron_controller_reconciles_total", "result=\"conflict\"");
    return k;
  };
  std::vector<Counters> block_counters;
  double running = 0, peak_during_converge = 0;
  for (int i = 0;; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const std::string m = Metrics(*c);
    const double created = MetricSum(m, "heron_controller_actions_total", "action=\"CreateJob\"");
    while (block_at.size() < static_cast<size_t>(created / 1000)) {
      block_at.push_back(SecondsSince(t0));
      block_counters.push_back(counters(m));
    }
    running = MetricSum(m, "heron_controller_topologies", "phase=\"Running\"");
    peak_during_converge = std::max(peak_during_converge, RssKib(c->pid()) / 1024.0);
    if (running >= n && MetricSum(m, "heron_controller_queue_depth") == 0) break;
    if (i % 20 == 0) {
      std::fprintf(stderr, "  %.0f s: %.0f created, %.0f Running, controller %.0f MiB\n",
                   SecondsSince(t0), created, running, RssKib(c->pid()) / 1024.0);
    }
    if (SecondsSince(t0) > 3 * 3600) {
      std::fprintf(stderr, "not converged after 3 hours\n%s", c->LogTail().c_str());
      return 1;
    }
  }
  const double converge_s = SecondsSince(t0);
  std::vector<std::vector<std::string>> rate_rows = {
      {"creates", "at s", "creates/s", "passes", "failed", "pass ms", "execute ms", "observe ms"}};
  Json rates = Json::MakeArray();
  for (size_t i = 0; i < block_at.size(); ++i) {
    const double span = block_at[i] - (i == 0 ? 0.0 : block_at[i - 1]);
    const double rate = span > 0 ? 1000.0 / span : 0;
    Json r = Json::MakeObject();
    r["created"] = static_cast<int64_t>((i + 1) * 1000);
    r["atSeconds"] = block_at[i];
    r["perSecond"] = rate;
    const Counters& now = block_counters[i];
    const Counters before = i == 0 ? Counters{} : block_counters[i - 1];
    r["passes"] = now.passes - before.passes;
    rates.push_back(std::move(r));
    // Every 5,000th in the table (all in the JSON), with the passes of those 5,000 (or fewer).
    const bool last = i + 1 == block_at.size();
    const size_t step = block_at.size() >= 10 ? 5 : 1;
    if ((i + 1) % step == 0 || last) {
      const size_t back = std::min(i + 1, step);
      const double from = i >= back ? block_at[i - back] : 0.0;
      const Counters was = i >= back ? block_counters[i - back] : Counters{};
      auto mean_ms = [](double s, double n) { return Fixed(n > 0 ? 1000.0 * s / n : 0.0); };
      rate_rows.push_back({std::to_string((i + 1) * 1000), Fixed(block_at[i]),
                           Fixed(1000.0 * back / std::max(1e-9, block_at[i] - from)),
                           Fixed(now.passes - was.passes), Fixed(now.errors - was.errors),
                           mean_ms(now.pass_s - was.pass_s, now.passes - was.passes),
                           mean_ms(now.execute_s - was.execute_s, now.executes - was.executes),
                           mean_ms(now.observe_s - was.observe_s, now.observes - was.observes)});
    }
  }
  // The rate over the first and the last tenth of the estate (10,000 each at 50,000).
  const size_t tenth = std::max<size_t>(1, block_at.size() / 5);
  auto rate_over = [&](size_t first, size_t last) {  // blocks [first, last)
    const double from = first == 0 ? 0.0 : block_at[first - 1];
    return 1000.0 * (last - first) / std::max(1e-9, block_at[last - 1] - from);
  };
  const double first_rate = block_at.empty() ? 0 : rate_over(0, std::min(tenth, block_at.size()));
  const double last_rate =
      block_at.size() < tenth ? 0 : rate_over(block_at.size() - tenth, block_at.size());
  std::printf("%d topologies over %d clusters (%d role(s) each; one aurora-local serves all)\n", n,
              clusters, roles);
  std::printf("converged from nothing in %.1f s; controller peak RSS while converging %.0f MiB\n",
              converge_s, peak_during_converge);
  PrintTable(rate_rows);
  std::printf(
      "create rate over the first %zu,000: %.1f/s, over the last %zu,000: %.1f/s (%+.0f%%)\n",
      tenth, first_rate, tenth, last_rate, 100.0 * (last_rate - first_rate) / first_rate);
  {  // Where a create's execution went: each action's mean over the whole convergence.
    const std::string m = Metrics(*c);
    std::vector<std::vector<std::string>> rows = {{"action", "count", "mean ms"}};
    for (const char* what :
         {"UpdateLock", "WriteHeronState", "CreateJob", "WriteSchedulerLocation"}) {
      const std::string label = std::string("action=\"") + what + "\"";
      const double count = MetricSum(m, "heron_controller_action_seconds_count", label);
      const double sum = MetricSum(m, "heron_controller_action_seconds_sum", label);
      rows.push_back({what, Fixed(count, 0), Fixed(count > 0 ? 1000.0 * sum / count : 0.0)});
    }
    PrintTable(rows);
  }
  out["convergeSeconds"] = converge_s;
  out["peakRssConvergingMiB"] = peak_during_converge;
  out["createRates"] = std::move(rates);
  out["firstRate"] = first_rate;
  out["lastRate"] = last_rate;

  // 2. No-op resyncs.
  std::vector<std::vector<std::string>> rows = {{"pass", "wall ms", "cpu ms", "aurora rpcs",
                                                 "role reads", "actions", "rss MiB",
                                                 "peak rss MiB"}};
  Json results = Json::MakeArray();
  for (int p = 1; p <= passes; ++p) {
    std::this_thread::sleep_for(std::chrono::seconds(3));  // past the 2 s of sharing
    const std::string before = Metrics(*c);
    const double reconciles = MetricSum(before, "heron_controller_reconciles_total");
    const double rpcs = MetricSum(before, "heron_controller_aurora_observe_rpcs_total");
    const double role_reads = MetricSum(before, "heron_controller_aurora_role_reads_total");
    const double actions = MetricSum(before, "heron_controller_actions_total");
    const bool peak_reset = ResetPeakRss(c->pid());
    const double cpu0 = CpuSeconds(c->pid());
    const auto w0 = Steady::now();
    env->Post(*c, "/api/v1/resync");
    std::string after;
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      after = Metrics(*c);
      if (MetricSum(after, "heron_controller_reconciles_total") >= reconciles + n &&
          MetricSum(after, "heron_controller_queue_depth") == 0) {
        break;
      }
    }
    const double wall_ms = SecondsSince(w0) * 1000;
    const double cpu_ms = (CpuSeconds(c->pid()) - cpu0) * 1000;
    Json r = Json::MakeObject();
    r["pass"] = p;
    r["wallMs"] = wall_ms;
    r["cpuMs"] = cpu_ms;
    r["auroraRpcs"] = MetricSum(after, "heron_controller_aurora_observe_rpcs_total") - rpcs;
    r["roleReads"] = MetricSum(after, "heron_controller_aurora_role_reads_total") - role_reads;
    r["actions"] = MetricSum(after, "heron_controller_actions_total") - actions;
    r["rssMiB"] = RssKib(c->pid()) / 1024.0;
    r["peakRssMiB"] = peak_reset ? PeakRssKib(c->pid()) / 1024.0 : -1.0;
    rows.push_back({std::to_string(p), Fixed(wall_ms), Fixed(cpu_ms),
                    Fixed(r["auroraRpcs"].as_double(), 0), Fixed(r["roleReads"].as_double(), 0),
                    Fixed(r["actions"].as_double(), 0), Fixed(r["rssMiB"].as_double()),
                    Fixed(r["peakRssMiB"].as_double())});
    results.push_back(std::move(r));
  }
  std::printf("no-op resync\n");
  PrintTable(rows);
  out["resyncs"] = std::move(results);

  // 3. A mass change: every (100 / CHANGE)th spec gets a new message timeout.
  const int step = std::max(1, 100 / std::max(1, change_pct));
  const std::string m0 = Metrics(*c);
  const double updates0 = MetricSum(m0, "heron_controller_actions_total", "action=\"StartUpdate\"");
  int changed = 0;
  const auto c0 = Steady::now();
  for (int i = 0; i < n; i += step) {
    char name[32], role[32];
    std::snprintf(name, sizeof name, "t%05d", i);
    const int cluster = i % clusters;
    std::snprintf(role, sizeof role, "c%02d-r%d", cluster, (i / clusters) % roles);
    crd::Topology t = env->Spec(name, role);
    t.spec.cluster = env->cluster_names.at(cluster);
    t.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
    (void)WriteFileAtomic(specs + "/" + name + ".yaml", BenchEnv::Yaml(t));
    ++changed;
  }
  const double written_s = SecondsSince(c0);
  double started = 0, all_started_s = -1;
  while (SecondsSince(c0) < 600) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    started = MetricSum(Metrics(*c), "heron_controller_actions_total", "action=\"StartUpdate\"") -
              updates0;
    if (started >= changed) {
      all_started_s = SecondsSince(c0);
      break;
    }
  }
  std::printf(
      "mass change: %d specs rewritten (in %.1f s); %.0f updates started, all within %.1f s "
      "of the first write\n",
      changed, written_s, started, all_started_s);
  out["massChange"] = Json::MakeObject();
  out["massChange"]["specs"] = changed;
  out["massChange"]["writeSeconds"] = written_s;
  out["massChange"]["started"] = started;
  out["massChange"]["allStartedSeconds"] = all_started_s;

  // 4. SIGTERM, with the updates' passes still going on.
  const long rss_aurora = RssKib(env->aurora->pid());
  const auto s0 = Steady::now();
  Status stopped = c->Stop();
  const double stop_s = SecondsSince(s0);
  std::printf("SIGTERM to exit: %.2f s (%s); aurora-local RSS %.0f MiB\n", stop_s,
              stopped.ToString().c_str(), rss_aurora / 1024.0);
  out["sigtermToExitSeconds"] = stop_s;
  out["auroraLocalRssMiB"] = rss_aurora / 1024.0;
  WriteJson(json_path, out);
  return 0;
}
