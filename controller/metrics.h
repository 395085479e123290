// Metrics: counters, gauges and histograms rendered in Prometheus' text format (/metrics).
// Small on purpose (a few dozen series); names and help texts are in docs/operations.md.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace hgo::controller {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  enum class Type { kCounter, kGauge, kHistogram };
  void Describe(const std::string& name, Type type, const std::string& help);
  void Inc(const std::string& name, const Labels& labels = {}, double by = 1);
  void Set(const std::string& name, const Labels& labels, double value);
  // Replaces every series of a gauge (e.g. topologies by phase) at once.
  void SetAll(const std::string& name, const std::map<Labels, double>& values);
  void Observe(const std::string& name, const Labels& labels, double seconds);
  double Value(const std::string& name, const Labels& labels = {}) const;    // counter or gauge
  uint64_t Count(const std::string& name, const Labels& labels = {}) const;  // histogram
  std::string Render() const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // cumulative counts are computed when rendering
    uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::map<Labels, double> values;
    std::map<Labels, Histogram> histograms;
  };
  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

// The latency buckets of every histogram, in seconds.
const std::vector<double>& HistogramBuckets();

}  // namespace hgo::controller
