// Convergence latency on aurora-local with real task processes (the heron-executor stand-in):
// a spec file written into the controller's directory source -> Aurora accepted the createJob
// (the tasks' first event), and -> every instance RUNNING. RUNS topologies are created one after
// another; each is deleted (pruned) before the next, so runs do not compete. One create before
// them warms the path up (the controller's first Aurora connection and role answer, the first
// task processes) and is reported on its own, not counted in the percentiles.
//
// In the same run, the floor a create cannot beat on this machine: what a create must do
// before Aurora accepts it, done directly, one step after another: Heron's update lock (an
// ephemeral node), Heron's three nodes (one transaction, fenced as the controller's are), and
// one createJob round trip to aurora-local. Each ZooKeeper write waits for the server's log
// sync. The p99 is printed as a multiple of the floor's median.
//
// Usage: bench_convergence [RUNS=100] [JSON=bench-convergence.json]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bench/harness.h"
#include "statestore/zk_client.h"

using namespace hgo;
using namespace hgo::bench;

namespace {

// Milliseconds of one floor sample (-1: a step failed).
const std::string kFloorRoot = "/hgo-floor";
const char* const kFloorDirs[] = {"executionstate", "packingplans", "topologies"};

// Makes the floor's directories and fence node.
bool FloorTree(statestore::ZkClient& zk) {
  for (std::string dir :
       {"", "/fence", "/locks", "/executionstate", "/packingplans", "/topologies"}) {
    auto made = zk.Create(kFloorRoot + dir, "", statestore::CreateMode::kPersistent);
    if (!made.ok() && made.status().code() != StatusCode::kAlreadyExists) return false;
  }
  return true;
}

double FloorSample(statestore::ZkClient& zk, aurora::AuroraApi& api, int i) {
  const std::string name = "floor" + std::to_string(i);
  const std::string blob(2048, 'x');  // about a topology's size in Heron's nodes
  const int64_t t0 = WallMs();
  auto lock = zk.Create(kFloorRoot + "/locks/" + name, "", statestore::CreateMode::kEphemeral);
  std::vector<statestore::ZkOp> ops = {statestore::ZkOp::Check(kFloorRoot + "/fence", -1)};
  for (const char* dir : kFloorDirs) {
    ops.push_back(statestore::ZkOp::Create(kFloorRoot + "/" + dir + "/" + name, blob,
                                           statestore::CreateMode::kPersistent));
  }
  auto written = zk.Multi(ops);
  aurora::JobConfig job;
  job.key = {"www-data", "devel", name};
  job.owner = "heron";
  job.task.job = job.key;
  job.task.owner = "heron";
  job.task.executor_data = "{}";  // never meant to run: killed at once
  job.task.cpus = 0.1;
  job.task.ram_mb = 16;
  job.task.disk_mb = 16;
  job.instance_count = 1;
  Status created = api.CreateJob(job);
  const int64_t t1 = WallMs();
  (void)api.KillJob(job.key, "floor sample");
  for (const char* dir : kFloorDirs) (void)zk.Delete(kFloorRoot + "/" + dir + "/" + name, -1);
  if (lock.ok()) (void)zk.Delete(*lock, -1);
  if (!lock.ok() || !written.status.ok() || !created.ok()) {
    std::fprintf(stderr, "floor sample %d: %s %s %s\n", i, lock.status().ToString().c_str(),
                 written.status.ToString().c_str(), created.ToString().c_str());
    return -1;
  }
  return static_cast<double>(t1 - t0);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 100;
  const std::string json_path = argc > 2 ? argv[2] : "bench-convergence.json";
  auto env = BenchEnv::Start(/*simulate_tasks=*/false);
  if (!env) return 1;
  const std::string specs = env->dir + "/specs";
  std::filesystem::create_directories(specs);
  auto c = env->StartController(
      {"dir:" + specs + "?allowEmpty"},
      {"--resync", "24h", "--prune", "--tombstone", "1s", "--prune-budget", "100000"});
  if (!c) return 1;
  std::this_thread::sleep_for(std::chrono::seconds(2));  // elected, sources read

  std::vector<double> to_accepted, to_running;
  Json samples = Json::MakeArray();
  Json warmup = Json::MakeObject();
  for (int i = -1; i < runs; ++i) {  // -1: the warm-up
    char name[32];
    if (i < 0) {
      std::snprintf(name, sizeof name, "warmup");
    } else {
      std::snprintf(name, sizeof name, "lat%03d", i);
    }
    const std::string file = specs + "/" + name + ".yaml";
    const std::string tmp = specs + "/." + name + ".yaml.tmp";
    {
      std::ofstream out(tmp);
      out << BenchEnv::Yaml(env->Spec(name, "www-data"));
    }
    const int64_t t0 = WallMs();
    std::filesystem::rename(tmp, file);

    aurora::TaskQuery q;
    q.role = "www-data";
    q.job_name = name;
    int64_t accepted = 0, running = 0;
    for (int polls = 0; polls < 60000 && running == 0; ++polls) {
      auto tasks = env->api->GetTasks(q, false);
      if (tasks.ok() && !tasks->empty()) {
        int64_t first = INT64_MAX, last_running = 0;
        int running_count = 0;
        for (const auto& t : *tasks) {
          if (!t.events.empty()) first = std::min(first, t.events.front().timestamp_ms);
          for (const auto& e : t.events) {
            if (e.status == aurora::TaskStatus::kRunning) {
              last_running = std::max(last_running, e.timestamp_ms);
            }
          }
          if (t.status == aurora::TaskStatus::kRunning) ++running_count;
        }
        if (accepted == 0 && first != INT64_MAX) accepted = first;
        if (running_count == 2) running = last_running;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(accepted ? 20 : 2));
    }
    if (running == 0) {
      std::fprintf(stderr, "%s never ran\n%s", name, c->LogTail().c_str());
      return 1;
    }
    Json s = Json::MakeObject();
    s["toAcceptedMs"] = accepted - t0;
    s["toRunningMs"] = running - t0;
    if (i < 0) {
      warmup = std::move(s);
    } else {
      to_accepted.push_back(static_cast<double>(accepted - t0));
      to_running.push_back(static_cast<double>(running - t0));
      samples.push_back(std::move(s));
    }

    // Delete it and wait until its tasks are gone (not measured).
    std::filesystem::remove(file);
    for (int w = 0; w < 600; ++w) {
      aurora::TaskQuery active = q;
      active.statuses = {aurora::TaskStatus::kPending, aurora::TaskStatus::kAssigned,
                         aurora::TaskStatus::kStarting, aurora::TaskStatus::kRunning,
                         aurora::TaskStatus::kKilling};
      auto left = env->api->GetTasks(active, false);
      if (left.ok() && left->empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if ((i + 1) % 10 == 0) std::fprintf(stderr, "  %d/%d runs\n", i + 1, runs);
  }
  // The floor, measured now, between the same servers.
  std::vector<double> floor_samples;
  {
    statestore::ZkOptions zo;
    zo.servers = env->zk->connect_string();
    auto zk = statestore::ZkClient::Connect(zo);
    if (!zk.ok() || !FloorTree(**zk)) {
      std::fprintf(stderr, "floor: ZooKeeper: %s\n", zk.status().ToString().c_str());
      return 1;
    }
    for (int i = 0; i < 30; ++i) {
      const double ms = FloorSample(**zk, *env->api, i);
      if (ms < 0) return 1;
      floor_samples.push_back(ms);
    }
  }
  const double floor_ms = Percentile(floor_samples, 50);
  // The controller's own view (from seeing the change in its source to the end of the pass that
  // created: createJob, the scheduler location, the lock's release and the record) tells the
  // watcher's share of the latency from the pass's.
  const std::string metrics = Metrics(*c);
  std::string seen_to_accepted;
  for (const char* le : {"0.01", "0.025", "0.05", "0.1", "0.25"}) {
    seen_to_accepted +=
        std::string(" <=") + le + "s:" +
        Fixed(MetricSum(metrics, "heron_controller_change_to_accepted_seconds_bucket",
                        std::string("le=\"") + le + "\""),
              0);
  }
  std::printf("convergence latency over %d creates (aurora-local, real task processes)\n", runs);
  std::printf("warm-up create (not counted): %lld ms to accepted, %lld ms to running\n",
              static_cast<long long>(warmup["toAcceptedMs"].as_int()),
              static_cast<long long>(warmup["toRunningMs"].as_int()));
  std::printf("controller, from seeing the change to the end of its creating pass:%s\n",
              seen_to_accepted.c_str());
  std::printf(
      "floor (update lock, Heron's nodes in one transaction, createJob; direct): p50 %.1f ms, "
      "p90 %.1f ms\n",
      floor_ms, Percentile(floor_samples, 90));
  std::printf("p99 to accepted / floor p50: %.2f\n", Percentile(to_accepted, 99) / floor_ms);
  std::vector<std::vector<std::string>> rows = {
      {"from spec file written to", "p50 ms", "p90 ms", "p99 ms", "max ms"}};
  Json out = Json::MakeObject();
  out["benchmark"] = "convergence";
  out["runs"] = runs;
  for (auto [label, key, v] : {std::tuple{"Aurora accepted the create", "toAccepted", &to_accepted},
                               std::tuple{"all instances RUNNING", "toRunning", &to_running}}) {
    rows.push_back({label, Fixed(Percentile(*v, 50), 0), Fixed(Percentile(*v, 90), 0),
                    Fixed(Percentile(*v, 99), 0), Fixed(Percentile(*v, 100), 0)});
    Json p = Json::MakeObject();
    p["p50"] = Percentile(*v, 50);
    p["p90"] = Percentile(*v, 90);
    p["p99"] = Percentile(*v, 99);
    p["max"] = Percentile(*v, 100);
    out[key] = std::move(p);
  }
  PrintTable(rows);
  out["floorP50Ms"] = floor_ms;
  out["floorP90Ms"] = Percentile(floor_samples, 90);
  out["samples"] = std::move(samples);
  out["warmup"] = std::move(warmup);
  WriteJson(json_path, out);
  return 0;
}
