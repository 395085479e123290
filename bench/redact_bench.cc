// The redactor's cost on what it sees most: API answers (Google Benchmark). The list of 10,000
// topologies' statuses as GET /api/v1/topologies serializes it (pretty JSON, ~600 bytes each),
// with no credential in it (the common case: nothing is copied) and with one per topology.
#include <benchmark/benchmark.h>

#include <string>

#include "common/json.h"
#include "common/redact.h"

namespace {

std::string Answer(int topologies, bool with_credentials) {
  hgo::Json list = hgo::Json::MakeArray();
  for (int i = 0; i < topologies; ++i) {
    hgo::Json t = hgo::Json::MakeObject();
    t["key"] = "eu1/ads-" + std::to_string(i % 10) + "/prod/topology-" + std::to_string(i);
    t["phase"] = "Running";
    t["message"] = with_credentials ? "fetch https://bob:pw" + std::to_string(i) + "@h/x failed"
                                    : "revision 3f2a9c1b4d5e is healthy";
    t["appliedSpecHash"] = std::string(64, 'a');
    t["desiredSpecHash"] = std::string(64, 'a');
    t["sourceRevision"] = std::string(40, 'c');
    t["revision"] = int64_t{7};
    t["instances"] = int64_t{3};
    t["ready"] = int64_t{3};
    t["labels"] = hgo::Json::MakeObject();
    t["labels"]["team"] = "ads";
    list.push_back(std::move(t));
  }
  hgo::Json j = hgo::Json::MakeObject();
  j["topologies"] = std::move(list);
  return hgo::SerializePretty(j);
}

void BM_RedactApiAnswer(benchmark::State& state) {
  const std::string text = Answer(static_cast<int>(state.range(0)), state.range(1) != 0);
  for (auto _ : state) {
    std::string copy = text;
    benchmark::DoNotOptimize(hgo::RedactInPlace(copy));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
  state.counters["bytes"] = static_cast<double>(text.size());
}
BENCHMARK(BM_RedactApiAnswer)->Args({10000, 0})->Args({10000, 1})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
