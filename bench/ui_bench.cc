// The web UI at scale: N topologies Running (simulated tasks), then
// - the overview's first screen: the API's answer for its first page (server time, bytes), and
//   the page itself in headless Chromium from navigation to its first rows drawn
//   (bench/ui_first_screen.py; skipped when Chromium is not installed);
// - what W open watchers cost the controller: its CPU and RSS over an idle spell with none and
//   with W waiting, then over a burst of C changes (suspends through the API) with W answered
//   and re-armed as the UI does, and a no-op resync's CPU with W waiting.
//
// Usage: bench_ui [TOPOLOGIES=10000] [WATCHERS=100] [CHANGES=50] [JSON=bench-ui.json]
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "bench/harness.h"
#include "common/file_util.h"
#include "common/http_client.h"

using namespace hgo;
using namespace hgo::bench;
using Steady = std::chrono::steady_clock;

namespace {

// W clients of the API's watch, each re-armed as soon as answered (as the UI's overview does).
class Watchers {
 public:
  Watchers(const std::string& url, int count) {
    for (int i = 0; i < count; ++i) {
      threads_.emplace_back([this, url] {
        HttpFetchOptions options;
        options.timeout = std::chrono::seconds(40);
        int64_t version = 0;
        while (!stop_) {
          auto r = HttpFetch("GET",
                             url + "/api/v1/topologies?watch=true&keys=true&timeoutSeconds=5" +
                                 "&resourceVersion=" + std::to_string(version),
                             options);
          if (!r.ok() || r->status != 200) continue;
          auto j = ParseJson(r->body);
          if (!j.ok()) continue;
          if (const Json* v = j->Find("resourceVersion")) version = v->as_int();
          if (const Json* c = j->Find("changed"); c && !c->as_array().empty()) ++answers_;
        }
      });
    }
  }
  ~Watchers() {
    stop_ = true;
    for (auto& t : threads_) t.join();  // each returns within its 5 s timeout
  }
  int64_t answers() const { return answers_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> answers_{0};
  std::vector<std::thread> threads_;
};

struct Spell {
  double cpu_ms = 0, rss_mib = 0;
};

Spell Idle(const testing::ControllerProcess& c, int seconds) {
  const double cpu0 = CpuSeconds(c.pid());
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  return {(CpuSeconds(c.pid()) - cpu0) * 1000, static_cast<double>(RssKib(c.pid())) / 1024.0};
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int watchers = argc > 2 ? std::atoi(argv[2]) : 100;
  const int changes = argc > 3 ? std::atoi(argv[3]) : 50;
  const std::string json_path = argc > 4 ? argv[4] : "bench-ui.json";
  auto env = BenchEnv::Start(/*simulate_tasks=*/true);
  if (!env) return 1;
  const std::string specs = env->WriteSpecs(n, 10);
  TManagerRegistrar registrar(env->zk->connect_string());
  auto c = env->StartController({"dir:" + specs}, {"--resync", "24h", "--workers", "8"});
  if (!c) return 1;
  for (int i = 0;; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const std::string m = Metrics(*c);
    if (MetricSum(m, "heron_controller_topologies", "phase=\"Running\"") >= n &&
        MetricSum(m, "heron_controller_queue_depth") == 0) {
      break;
    }
    if (i > 3600) return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  Json out = Json::MakeObject();
  out["benchmark"] = "ui";
  out["topologies"] = n;
  out["watchers"] = watchers;
  std::vector<std::vector<std::string>> rows = {{"what", "figure"}};

  // The overview's first page, as the UI asks for it.
  std::vector<double> api_ms;
  size_t bytes = 0;
  for (int i = 0; i < 10; ++i) {
    const auto t0 = Steady::now();
    auto r = HttpFetch("GET", c->url() + "/api/v1/overview?limit=100");
    api_ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
    if (r.ok()) bytes = r->body.size();
  }
  out["overviewApiMsP50"] = Percentile(api_ms, 50);
  out["overviewApiBytes"] = static_cast<int64_t>(bytes);
  rows.push_back({"overview API, first page (p50 of 10)",
                  Fixed(Percentile(api_ms, 50)) + " ms, " + std::to_string(bytes / 1024) + " KiB"});
  if (std::filesystem::exists("/usr/bin/chromium")) {
    const std::string cmd = "/usr/bin/python3 " + std::string(HGO_SOURCE_DIR) +
                            "/bench/ui_first_screen.py " + c->url() + " > " + env->dir +
                            "/first.txt 2>&1";
    if (std::system(cmd.c_str()) == 0) {
      auto text = ReadFileLimited(env->dir + "/first.txt", 1 << 20);
      std::string figures = text.ok() ? *text : "";
      while (!figures.empty() && figures.back() == '\n') figures.pop_back();
      out["firstScreen"] = figures;
      rows.push_back({"overview page in Chromium (first rows drawn, ms)", figures});
    }
  }

  // Watchers: idle with none, idle with W, a burst of changes with W, a resync with W.
  const Spell none = Idle(*c, 20);
  rows.push_back(
      {"idle 20 s, no watcher", Fixed(none.cpu_ms) + " ms CPU, " + Fixed(none.rss_mib) + " MiB"});
  Spell waiting, burst;
  double resync_cpu_ms = 0;
  int64_t answers = 0;
  {
    Watchers w(c->url(), watchers);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    waiting = Idle(*c, 20);
    const double cpu0 = CpuSeconds(c->pid());
    for (int i = 0; i < changes; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "t%05d", i);
      env->Post(*c, "/api/v1/topologies/devcluster/role" + std::to_string(i % 10) + "/devel/" +
                        name + ":suspend");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));
    burst = {(CpuSeconds(c->pid()) - cpu0) * 1000, static_cast<double>(RssKib(c->pid())) / 1024.0};
    answers = w.answers();
    const double reconciles = MetricSum(Metrics(*c), "heron_controller_reconciles_total");
    const double cpu1 = CpuSeconds(c->pid());
    env->Post(*c, "/api/v1/resync");
    while (MetricSum(Metrics(*c), "heron_controller_reconciles_total") < reconciles + n) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    resync_cpu_ms = (CpuSeconds(c->pid()) - cpu1) * 1000;
  }
  rows.push_back({"idle 20 s, " + std::to_string(watchers) + " watchers waiting",
                  Fixed(waiting.cpu_ms) + " ms CPU, " + Fixed(waiting.rss_mib) + " MiB"});
  rows.push_back({std::to_string(changes) + " changes in 5 s, " + std::to_string(watchers) +
                      " watchers (" + std::to_string(answers) + " answers with changes)",
                  Fixed(burst.cpu_ms) + " ms CPU, " + Fixed(burst.rss_mib) + " MiB"});
  rows.push_back({"no-op resync with " + std::to_string(watchers) + " watchers waiting",
                  Fixed(resync_cpu_ms) + " ms CPU"});
  out["idleNone"] = Json::Object{{"cpuMs", none.cpu_ms}, {"rssMiB", none.rss_mib}};
  out["idleWatching"] = Json::Object{{"cpuMs", waiting.cpu_ms}, {"rssMiB", waiting.rss_mib}};
  out["burst"] = Json::Object{{"cpuMs", burst.cpu_ms},
                              {"rssMiB", burst.rss_mib},
                              {"answers", answers},
                              {"changes", changes}};
  out["resyncWatchingCpuMs"] = resync_cpu_ms;
  std::printf("the web UI at %d topologies\n", n);
  PrintTable(rows);
  WriteJson(json_path, out);
  return 0;
}
