// What the controller benchmarks share: a real ZooKeeper, aurora-local (real task processes or
// simulated ones) and the real heron-controller binary, specs made from the minimal example,
// /metrics parsing, the controller's CPU time and RSS from /proc, percentiles, and output as a
// table on stdout plus JSON in a file. Benchmark equipment: nothing here is asserted.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "aurora/thrift_client.h"
#include "common/json.h"
#include "crd/topology.h"
#include "testing/aurora_local_process.h"
#include "testing/controller_process.h"
#include "testing/zk_test_server.h"

namespace hgo::bench {

class BenchEnv {
 public:
  // simulate_tasks: aurora-local runs no processes (for thousands of topologies). clusters > 1:
  // that many clusters (c00, c01, ...) in the clusters file, all served by the one aurora-local
  // and the one ZooKeeper, each in its own chroot (/c00, ...; heron_roots: /c00/heron, ...); one
  // cluster is devcluster at /heron.
  static std::unique_ptr<BenchEnv> Start(bool simulate_tasks, int clusters = 1);
  ~BenchEnv();

  std::unique_ptr<testing::ControllerProcess> StartController(
      const std::vector<std::string>& sources, const std::vector<std::string>& extra = {});
  // The minimal example with a package, named name, in role role, one container (2 instances).
  crd::Topology Spec(const std::string& name, const std::string& role) const;
  // Writes n specs, t00000 … (role "roleK", K = i % roles), into a new directory dir/specs;
  // returns it.
  std::string WriteSpecs(int n, int roles) const;
  // The same over the clusters: topology i in cluster i % clusters, in one of that cluster's
  // roles ("cNN-rK": a role is one cluster's, so a role-wide answer holds no other's jobs).
  std::string WriteSpecs(int n, int roles_per_cluster, int clusters) const;
  std::vector<std::string> cluster_names, heron_roots;
  static std::string Yaml(const crd::Topology& t);
  // POST with the controller's token.
  testing::HttpResult Post(const testing::ControllerProcess& c, const std::string& path) const;

  std::unique_ptr<testing::ZkTestServer> zk;
  std::unique_ptr<testing::AuroraLocalProcess> aurora;
  std::unique_ptr<aurora::ThriftAuroraClient> api;
  std::string dir;

 private:
  std::string clusters_file_, token_file_, token_ = "bench-token";
  crd::Topology base_;
};

// Plays the part of Heron's topology manager for simulated tasks: registers tmanagers/<name>
// for every topologies/<name> with its topology id, as container 0's executor would, and
// writes pplans/<name> with a stream manager for every container of its packing plan.
class TManagerRegistrar {
 public:
  // roots: the clusters' Heron roots.
  explicit TManagerRegistrar(const std::string& zk_servers,
                             std::vector<std::string> roots = {"/heron"});
  ~TManagerRegistrar();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// The sum of every series of a metric whose label text contains label_filter ("" = all).
double MetricSum(const std::string& metrics_text, const std::string& name,
                 const std::string& label_filter = "");
std::string Metrics(const testing::ControllerProcess& c);

double CpuSeconds(pid_t pid);  // user + system time so far
long RssKib(pid_t pid);
long PeakRssKib(pid_t pid);  // VmHWM: the highest RSS since start or since ResetPeakRss
bool ResetPeakRss(pid_t pid);
double Percentile(std::vector<double> values, double p);  // p in [0, 100]; nearest rank
int64_t WallMs();
double SecondsSince(std::chrono::steady_clock::time_point since);

// Prints rows (first row = header) aligned, and writes json to path.
void PrintTable(const std::vector<std::vector<std::string>>& rows);
void WriteJson(const std::string& path, const Json& j);
std::string Fixed(double v, int digits = 1);

}  // namespace hgo::bench
