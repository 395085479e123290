// The pure planner's cost per topology (Google Benchmark): a steady topology (nothing to do, the
// case of every no-op resync), a create, a rolling update in progress, and a scale.
//
// Usage: bench_planner [--benchmark_format=json --benchmark_out=bench-planner.json ...]
#include <benchmark/benchmark.h>

#include "crd/parser.h"
#include "reconciler/planner.h"
#include "unit/crd/spec_fixture.h"

namespace hgo::reconciler {
namespace {

constexpr int64_t kNow = 1'000'000'000;
const std::string kA(64, 'a');
const std::string kB(64, 'b');

crd::Topology Spec() {
  auto r = crd::ParseTopologies(crd::testing::BaseSpec(), "wc.yaml");
  return r.Topologies().at(0);
}

Desired Want(const std::string& hash, int instances) {
  Desired d;
  d.spec = std::make_shared<const crd::Topology>(Spec());
  d.spec_hash = hash;
  d.job_hash = hash;
  d.graph_hash = "one-graph";  // revisions share it: updates keep the topology id
  d.instances = instances;
  return d;
}

Observed Running(const std::string& hash, int count) {
  Observed o;
  const std::string tid = TopologyIdFor("wc", hash);
  for (int i = 0; i < count; ++i) {
    o.instances[i] =
        ObservedInstance{ObservedInstance::State::kRunning, kNow - 3600'000, hash, tid, 0};
  }
  o.heron = ObservedHeron{true, true, true, true, tid, hash, false, tid, true, hash, 0, {}};
  return o;
}

Memory Stable(const std::string& hash, int count) {
  Memory m;
  m.applied_hash = m.stable_hash = hash;
  m.applied_topology_id = TopologyIdFor("wc", hash);
  m.rollout_started_ms = kNow - 3600'000;
  m.instances_of[hash] = count;
  m.job_hash_of[hash] = hash;
  m.graph_of[hash] = "one-graph";
  return m;
}

void Run(benchmark::State& state, const Desired& d, const Observed& o, const Memory& m) {
  Settings settings;
  for (auto _ : state) {
    Plan p = MakePlan(d, o, m, settings, kNow);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SteadyNoOp(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Run(state, Want(kA, n), Running(kA, n), Stable(kA, n));
}
BENCHMARK(BM_SteadyNoOp)->Arg(3)->Arg(33)->Arg(301);

void BM_Create(benchmark::State& state) { Run(state, Want(kA, 3), Observed{}, Memory{}); }
BENCHMARK(BM_Create);

void BM_NewRevision(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Run(state, Want(kB, n), Running(kA, n), Stable(kA, n));
}
BENCHMARK(BM_NewRevision)->Arg(3)->Arg(33);

void BM_UpdateInProgress(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Observed o = Running(kA, n);
  const std::string tid = TopologyIdFor("wc", kA);  // kept: same stream graph
  for (int i = 0; i < n / 2; ++i) {
    o.instances[i] = ObservedInstance{ObservedInstance::State::kRunning, kNow - 1000, kB, tid, 0};
  }
  ObservedUpdate u;
  u.id = "u1";
  u.spec_hash = kB;
  u.state = ObservedUpdate::State::kRollingForward;
  o.active_update = u;
  Memory m = Stable(kA, n);
  m.applied_hash = kB;
  m.applied_topology_id = tid;
  m.rollout_started_ms = kNow - 5000;
  m.instances_of[kB] = n;
  m.job_hash_of[kB] = kB;
  m.graph_of[kB] = "one-graph";
  Run(state, Want(kB, n), o, m);
}
BENCHMARK(BM_UpdateInProgress)->Arg(3)->Arg(33);

}  // namespace
}  // namespace hgo::reconciler

BENCHMARK_MAIN();
