// Soak: TOPOLOGIES topologies under random spec changes and random server faults for MINUTES
// minutes, against one heron-controller process (aurora-local with simulated tasks; Heron's
// topology manager played by TManagerRegistrar). Then the changes stop and every topology must
// converge to its last spec within five minutes. Prints the controller's RSS and CPU each
// minute (RSS should stay flat), the faults it went through and the topologies stuck.
//
// Changes, one a second on a random topology: a config change (a rolling update), a scale
// (bolt parallelism 1-3, one or two containers), the spec deleted (pruned) or written again, and
// a broken spec (the topology freezes) mended by its next change. Faults, one every FAULT_EVERY
// seconds in turn: ZooKeeper stopped 3 s and restarted, aurora-local restarted, the controller
// stopped (SIGSTOP) past its 10 s session and continued (its session expires; it is elected
// again). Pause and resume are left out: they go through a topology manager's HTTP port, which
// simulated tasks do not have.
//
// Usage: bench_soak [MINUTES=30] [TOPOLOGIES=50] [FAULT_EVERY=120] [JSON=bench-soak.json]
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "bench/harness.h"
#include "common/file_util.h"
#include "crd/canonical.h"

using namespace hgo;
using namespace hgo::bench;
using Steady = std::chrono::steady_clock;

namespace {

struct Topology {
  crd::Topology spec;
  bool present = true;
  bool broken = false;
};

std::string Path(const Topology& t) {
  const auto& s = t.spec.spec;
  return "/api/v1/topologies/" + s.cluster + "/" + s.role + "/" + s.environment + "/" +
         t.spec.metadata.name;
}

// Why the topology is not where its spec says ("" when it is).
std::string NotConverged(const testing::ControllerProcess& c, const Topology& t) {
  const testing::HttpResult got = testing::HttpCall("GET", c.url() + Path(t));
  if (!t.present)
    return got.status == 404 ? "" : "still there (" + std::to_string(got.status) + ")";
  if (got.status != 200) return "status " + std::to_string(got.status);
  auto j = ParseJson(got.body);
  if (!j.ok()) return "unreadable status";
  const Json* phase = j->Find("phase");
  const Json* applied = j->Find("appliedSpecHash");
  const std::string p = phase && phase->is_string() ? phase->as_string() : "";
  const std::string a = applied && applied->is_string() ? applied->as_string() : "";
  if (p == "Running" && a == crd::SpecHash(t.spec)) return "";
  const Json* message = j->Find("message");
  return p + " at " + a.substr(0, 12) + " (" +
         (message && message->is_string() ? message->as_string() : "") + ")";
}

}  // namespace

int main(int argc, char** argv) {
  const int minutes = argc > 1 ? std::atoi(argv[1]) : 30;
  const int n = argc > 2 ? std::atoi(argv[2]) : 50;
  const int fault_every_s = argc > 3 ? std::atoi(argv[3]) : 120;
  const std::string json_path = argc > 4 ? argv[4] : "bench-soak.json";
  auto env = BenchEnv::Start(/*simulate_tasks=*/true);
  if (!env) return 1;
  const std::string specs = env->dir + "/specs";
  std::filesystem::create_directories(specs);
  std::vector<Topology> topologies;
  auto write = [&](const Topology& t) {
    const std::string file = specs + "/" + t.spec.metadata.name + ".yaml";
    if (!t.present) {
      std::filesystem::remove(file);
    } else {
      (void)WriteFileAtomic(file, t.broken ? "spec: [broken\n" : BenchEnv::Yaml(t.spec));
    }
  };
  for (int i = 0; i < n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "s%03d", i);
    topologies.push_back(Topology{env->Spec(name, "role" + std::to_string(i % 5))});
    write(topologies.back());
  }
  TManagerRegistrar registrar(env->zk->connect_string());
  auto c = env->StartController(
      {"dir:" + specs}, {"--resync", "30s", "--prune", "--tombstone", "2s", "--prune-budget",
                         "100000", "--session-timeout", "10"});
  if (!c) return 1;
  std::fprintf(stderr, "soak: %d topologies, %d minutes, a fault every %d s\n", n, minutes,
               fault_every_s);

  std::mt19937 rng(20261204);
  auto pick = [&](int bound) { return std::uniform_int_distribution<int>(0, bound - 1)(rng); };
  std::vector<std::vector<std::string>> rows = {
      {"minute", "rss MiB", "cpu s", "Running", "other phases", "changes", "faults"}};
  Json samples = Json::MakeArray();
  Json faults = Json::MakeArray();
  int changes = 0, fault_count = 0, next_fault = 0;
  const auto start = Steady::now();
  auto elapsed_s = [&] {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::seconds>(Steady::now() - start).count());
  };
  int next_sample = 0;
  while (elapsed_s() < minutes * 60) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    Topology& t = topologies[pick(n)];
    const int kind = pick(10);
    if (t.broken || !t.present) {
      t.broken = false;  // mended, or written again
      t.present = true;
    } else if (kind < 4) {
      t.spec.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{30 + pick(31)});
    } else if (kind < 7) {
      t.spec.spec.topology.bolts[0].parallelism = 1 + pick(3);
      t.spec.spec.packing.containers = 1 + pick(2);
    } else if (kind < 9) {
      t.present = false;
    } else {
      t.broken = true;
    }
    write(t);
    ++changes;

    if (fault_every_s > 0 && elapsed_s() >= next_fault + fault_every_s) {
      next_fault = elapsed_s();
      const char* what = "";
      Status done;
      switch (fault_count % 3) {
        case 0:
          what = "ZooKeeper stopped 3 s and restarted";
          done = env->zk->Stop();
          std::this_thread::sleep_for(std::chrono::seconds(3));
          if (done.ok()) done = env->zk->Restart();
          break;
        case 1:
          what = "aurora-local restarted";
          done = env->aurora->Restart();
          break;
        case 2:
          what = "the controller stopped 15 s (past its session)";
          ::kill(c->pid(), SIGSTOP);
          std::this_thread::sleep_for(std::chrono::seconds(15));
          done = c->Continue();
          break;
      }
      ++fault_count;
      std::fprintf(stderr, "  %4d s: %s%s\n", elapsed_s(), what,
                   done.ok() ? "" : (": " + done.ToString()).c_str());
      Json f = Json::MakeObject();
      f["atSeconds"] = elapsed_s();
      f["fault"] = what;
      f["injected"] = done.ok();
      faults.push_back(std::move(f));
      if (!done.ok()) return 1;
    }

    if (elapsed_s() >= next_sample) {
      next_sample += 60;
      const std::string m = Metrics(*c);
      const double running = MetricSum(m, "heron_controller_topologies", "phase=\"Running\"");
      const double all = MetricSum(m, "heron_controller_topologies");
      const double rss = RssKib(c->pid()) / 1024.0, cpu = CpuSeconds(c->pid());
      rows.push_back({std::to_string(elapsed_s() / 60), Fixed(rss), Fixed(cpu), Fixed(running, 0),
                      Fixed(all - running, 0), std::to_string(changes),
                      std::to_string(fault_count)});
      Json s = Json::MakeObject();
      s["second"] = elapsed_s();
      s["rssMiB"] = rss;
      s["cpuSeconds"] = cpu;
      s["running"] = running;
      s["changes"] = changes;
      samples.push_back(std::move(s));
      std::fprintf(stderr, "  minute %d: rss %.1f MiB, cpu %.1f s, %d changes\n", elapsed_s() / 60,
                   rss, cpu, changes);
    }
  }

  // The changes stop: a broken spec is mended, and everything must converge.
  for (auto& t : topologies) {
    if (t.broken) {
      t.broken = false;
      write(t);
    }
  }
  const auto settle = Steady::now();
  std::vector<std::string> stuck;
  for (int i = 0; i < 300; ++i) {
    stuck.clear();
    for (const auto& t : topologies) {
      std::string why = NotConverged(*c, t);
      if (!why.empty()) stuck.push_back(t.spec.metadata.name + ": " + why);
    }
    if (stuck.empty()) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  const double settle_s = std::chrono::duration<double>(Steady::now() - settle).count();
  const double rss_end = RssKib(c->pid()) / 1024.0;
  rows.push_back({"end", Fixed(rss_end), Fixed(CpuSeconds(c->pid())), "", "",
                  std::to_string(changes), std::to_string(fault_count)});
  std::printf("soak: %d topologies, %d minutes, %d changes, %d faults\n", n, minutes, changes,
              fault_count);
  PrintTable(rows);
  std::printf("converged %.1f s after the last change; stuck: %zu\n", settle_s, stuck.size());
  for (const auto& s : stuck) std::printf("  %s\n", s.c_str());
  const bool alive = c->running();
  if (!alive) std::printf("the controller died:\n%s\n", c->LogTail().c_str());
  Json out = Json::MakeObject();
  out["benchmark"] = "soak";
  out["topologies"] = n;
  out["minutes"] = minutes;
  out["changes"] = changes;
  out["faults"] = std::move(faults);
  out["samples"] = std::move(samples);
  out["settleSeconds"] = settle_s;
  out["stuck"] = static_cast<int64_t>(stuck.size());
  out["controllerAlive"] = alive;
  WriteJson(json_path, out);
  return stuck.empty() && alive ? 0 : 1;
}
