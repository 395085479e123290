// aurora-local at the scale of one busy role: 1,000 jobs of 4 `sleep` instances (4,000 real
// processes). Prints the scheduler's memory, the time of getTasksWithoutConfigs for the role in
// both protocols, createJob throughput and the size of the durable state.
//
// Usage: bench_aurora_local [JOBS] [INSTANCES]   (defaults 1000 and 4)
#include <sys/stat.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "aurora/thrift_client.h"
#include "bench/harness.h"
#include "testing/aurora_local_process.h"

using namespace hgo;
using namespace hgo::aurora;
using Clock = std::chrono::steady_clock;
using hgo::bench::RssKib;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string Thermos() {
  return R"({"cluster":"local","environment":"devel","name":"b","role":"bench","service":true,)"
         R"("task":{"constraints":[],"finalization_wait":1,"max_concurrency":0,"max_failures":1,)"
         R"("name":"b","processes":[{"cmdline":"exec sleep 3600","daemon":false,)"
         R"("ephemeral":false,"final":false,"max_failures":1,"min_duration":5,"name":"main"}],)"
         R"("resources":{"cpu":0.1,"disk":67108864,"gpu":0,"ram":67108864}}})";
}

}  // namespace

int main(int argc, char** argv) {
  const int jobs = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int instances = argc > 2 ? std::atoi(argv[2]) : 4;
  auto aurora = testing::AuroraLocalProcess::Start();
  if (!aurora.ok()) {
    std::fprintf(stderr, "cannot start aurora-local: %s\n", aurora.status().ToString().c_str());
    return 1;
  }
  const pid_t pid = (*aurora)->pid();
  std::printf("aurora-local idle: RSS %ld KiB\n", RssKib(pid));
  HttpTransportOptions options;
  const std::string url = (*aurora)->url();
  options.schedulers = [url] { return std::vector<std::string>{url}; };
  options.timeout = std::chrono::seconds(60);
  ThriftAuroraClient client(options);

  auto start = Clock::now();
  for (int j = 0; j < jobs; ++j) {
    JobConfig job;
    job.key = JobKey{"bench", "devel", "job" + std::to_string(j)};
    job.owner = "heron";
    job.task.job = job.key;
    job.task.owner = "heron";
    job.task.cpus = 0.1;
    job.task.ram_mb = 64;
    job.task.disk_mb = 64;
    job.task.executor_data = Thermos();
    job.instance_count = instances;
    if (Status s = client.CreateJob(job); !s.ok()) {
      std::fprintf(stderr, "createJob %d: %s\n", j, s.ToString().c_str());
      return 1;
    }
  }
  const auto created = Clock::now() - start;
  std::printf(
      "createJob: %d jobs x %d instances in %.0f ms (%.1f jobs/s, journal line fdatasync'ed before "
      "each reply)\n",
      jobs, instances, Ms(created), jobs / (Ms(created) / 1000.0));

  TaskQuery running;
  running.role = "bench";
  running.statuses = {TaskStatus::kRunning};
  const size_t want = static_cast<size_t>(jobs) * instances;
  size_t seen = 0;
  for (int i = 0; i < 600; ++i) {
    auto tasks = client.GetTasks(running, false);
    seen = tasks.ok() ? tasks->size() : 0;
    if (seen == want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::printf("running: %zu of %zu tasks %.0f ms after the first createJob\n", seen, want,
              Ms(Clock::now() - start));
  std::printf("aurora-local with %zu tasks: RSS %ld KiB\n", want, RssKib(pid));

  TaskQuery role;
  role.role = "bench";
  for (WireProtocol p : {WireProtocol::kBinary, WireProtocol::kJson}) {
    HttpTransportOptions o = options;
    o.protocol = p;
    ThriftAuroraClient c(o);
    std::vector<double> times;
    size_t count = 0;
    for (int i = 0; i < 20; ++i) {
      auto t0 = Clock::now();
      auto tasks = c.GetTasks(role, false);
      times.push_back(Ms(Clock::now() - t0));
      count = tasks.ok() ? tasks->size() : 0;
    }
    std::sort(times.begin(), times.end());
    std::printf(
        "getTasksWithoutConfigs(role=bench) %s: %zu tasks, median %.1f ms, p90 %.1f ms, "
        "min %.1f ms (20 calls, client decode included)\n",
        p == WireProtocol::kBinary ? "binary" : "TJSON", count, times[10], times[18], times[0]);
  }
  for (const char* file : {"state.json", "journal.jsonl"}) {
    struct stat st {};
    ::stat(((*aurora)->state_dir() + "/state/" + file).c_str(), &st);
    std::printf("%s: %lld KiB\n", file, static_cast<long long>(st.st_size / 1024));
  }
  std::printf("aurora-local after the reads: RSS %ld KiB\n", RssKib(pid));
  return 0;
}
