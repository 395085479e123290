#include "bench/harness.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "common/file_util.h"
#include "crd/canonical.h"
#include "crd/parser.h"
#include "heron/messages.h"
#include "statestore/zk_client.h"
#include "testing/heron_packages.h"

namespace hgo::bench {

namespace fs = std::filesystem;

std::unique_ptr<BenchEnv> BenchEnv::Start(bool simulate_tasks, int clusters) {
  auto env = std::make_unique<BenchEnv>();
  auto zk = testing::ZkTestServer::Start();
  if (!zk.ok()) {
    std::fprintf(stderr, "ZooKeeper: %s\n", zk.status().ToString().c_str());
    return nullptr;
  }
  env->zk = std::move(*zk);
  testing::AuroraLocalOptions ao;
  if (simulate_tasks) ao.extra_args.push_back("--simulate-tasks");
  auto aurora = testing::AuroraLocalProcess::Start(ao);
  if (!aurora.ok()) {
    std::fprintf(stderr, "aurora-local: %s\n", aurora.status().ToString().c_str());
    return nullptr;
  }
  env->aurora = std::move(*aurora);
  aurora::HttpTransportOptions options;
  const std::string url = env->aurora->url();
  options.schedulers = [url] { return std::vector<std::string>{url}; };
  env->api = std::make_unique<aurora::ThriftAuroraClient>(options);

  char tmpl[] = "/tmp/hgo_bench_XXXXXX";
  env->dir = ::mkdtemp(tmpl);
  env->clusters_file_ = env->dir + "/clusters.yaml";
  std::string file = "clusters:\n";
  for (int i = 0; i < clusters; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "c%02d", i);
    env->cluster_names.push_back(clusters == 1 ? "devcluster" : name);
    // Each cluster's ZooKeeper is a chroot of the one server (the package roots Heron's state
    // at /heron, as every cluster does).
    const std::string chroot = clusters == 1 ? "" : std::string("/") + name;
    env->heron_roots.push_back(chroot + "/heron");
    if (!chroot.empty()) {
      statestore::ZkOptions zo;
      zo.servers = env->zk->connect_string();
      auto zk = statestore::ZkClient::Connect(zo);
      if (zk.ok()) (void)(*zk)->Create(chroot, "", statestore::CreateMode::kPersistent);
    }
    file += "  - name: " + env->cluster_names.back() + "\n    aurora: {url: \"" + url +
            "\"}\n    heron: {zookeeper: \"" + env->zk->connect_string() + chroot +
            "\", root: /heron, corePackage: \"" + testing::StandinCorePackageUri() + "\"}\n";
  }
  (void)hgo::WriteFileAtomic(env->clusters_file_, file);
  env->token_file_ = env->dir + "/token";
  (void)hgo::WriteFileAtomic(env->token_file_, env->token_ + "\n");
  auto parsed =
      crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
  env->base_ = parsed.Topologies().at(0);
  env->base_.spec.packing.algorithm = crd::PackingAlgorithm::kRoundRobin;
  env->base_.spec.packing.containers = 1;
  env->base_.spec.update.min_wait_in_running_seconds = 1;
  env->base_.spec.update.batch_size = 2;
  if (!testing::PackageForTest(env->dir, env->base_).ok()) return nullptr;
  return env;
}

BenchEnv::~BenchEnv() {
  if (aurora) aurora->KillTaskProcesses();
  std::error_code ec;
  if (!dir.empty() && !std::getenv("HGO_KEEP_TEST_DIRS")) fs::remove_all(dir, ec);
}

std::unique_ptr<testing::ControllerProcess> BenchEnv::StartController(
    const std::vector<std::string>& sources, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {
      "--clusters", clusters_file_, "--zookeeper",      zk->connect_string(), "--token-file",
      token_file_,  "--git-cache",  dir + "/git-cache", "--log-level",        "warn"};
  for (const auto& s : sources) {
    args.push_back("--source");
    args.push_back(s);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  auto c = testing::ControllerProcess::Start(args, dir);
  if (!c.ok()) {
    std::fprintf(stderr, "heron-controller: %s\n", c.status().ToString().c_str());
    return nullptr;
  }
  return std::move(*c);
}

std::string BenchEnv::WriteSpecs(int n, int roles) const {
  const std::string specs = dir + "/specs";
  std::filesystem::create_directories(specs);
  for (int i = 0; i < n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "t%05d", i);
    (void)WriteFileAtomic(specs + "/" + name + ".yaml",
                          Yaml(Spec(name, "role" + std::to_string(i % roles))));
  }
  return specs;
}

std::string BenchEnv::WriteSpecs(int n, int roles_per_cluster, int clusters) const {
  const std::string specs = dir + "/specs";
  std::filesystem::create_directories(specs);
  for (int i = 0; i < n; ++i) {
    char name[32], role[32];
    std::snprintf(name, sizeof name, "t%05d", i);
    const int cluster = i % clusters;
    std::snprintf(role, sizeof role, "c%02d-r%d", cluster, (i / clusters) % roles_per_cluster);
    crd::Topology t = Spec(name, role);
    t.spec.cluster = cluster_names.at(cluster);
    (void)WriteFileAtomic(specs + "/" + name + ".yaml", Yaml(t));
  }
  return specs;
}

crd::Topology BenchEnv::Spec(const std::string& name, const std::string& role) const {
  crd::Topology t = base_;
  t.metadata.name = name;
  t.spec.role = role;
  return t;
}

std::string BenchEnv::Yaml(const crd::Topology& t) {
  return SerializePretty(crd::CanonicalJson(t)) + "\n";
}

testing::HttpResult BenchEnv::Post(const testing::ControllerProcess& c,
                                   const std::string& path) const {
  return testing::HttpCall("POST", c.url() + path, "", {{"Authorization", "Bearer " + token_}});
}

class TManagerRegistrar::Impl {
 public:
  Impl(const std::string& servers, std::vector<std::string> roots) : roots_(std::move(roots)) {
    statestore::ZkOptions zo;
    zo.servers = servers;
    auto zk = statestore::ZkClient::Connect(zo);
    if (zk.ok()) zk_ = std::move(*zk);
    thread_ = std::thread([this] { Loop(); });
  }
  ~Impl() {
    stop_ = true;
    thread_.join();
  }

 private:
  void Loop() {
    while (!stop_ && zk_) {
      for (const auto& root : roots_) Sweep(root);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // New topologies of root and those whose node changed (a watch says so) are read, in
  // pipelined batches, and registered in one transaction per batch.
  void Sweep(const std::string& root) {
    auto names = zk_->GetChildren(root + "/topologies");
    if (!names.ok()) return;
    std::map<std::string, int32_t>& seen = seen_[root];
    // A topology gone (killed): its topology manager went with the job, and a topology of the
    // name created again is registered afresh.
    const std::set<std::string> live(names->begin(), names->end());
    for (auto it = seen.begin(); it != seen.end();) {
      if (live.count(it->first)) {
        ++it;
        continue;
      }
      (void)zk_->Delete(root + "/tmanagers/" + it->first, -1);
      it = seen.erase(it);
    }
    std::vector<std::string> todo;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& name : *names) {
        const std::string path = root + "/topologies/" + name;
        if (!seen.count(name) || changed_.erase(path)) todo.push_back(name);
      }
    }
    constexpr size_t kBatch = 200;
    for (size_t i = 0; i < todo.size() && !stop_; i += kBatch) {
      std::vector<std::string> batch(todo.begin() + i,
                                     todo.begin() + std::min(todo.size(), i + kBatch));
      Register(root, batch, seen);
    }
  }

  void Register(const std::string& root, const std::vector<std::string>& names,
                std::map<std::string, int32_t>& seen) {
    std::vector<std::string> topology_paths, packing_paths;
    std::vector<statestore::WatchCallback> watches;
    for (const auto& name : names) {
      topology_paths.push_back(root + "/topologies/" + name);
      packing_paths.push_back(root + "/packingplans/" + name);
      watches.push_back([this](statestore::WatchEvent, const std::string& path) {
        std::lock_guard<std::mutex> lock(mu_);
        changed_.insert(path);
      });
    }
    auto topologies = zk_->GetMany(topology_paths, std::move(watches));
    auto packings = zk_->GetMany(packing_paths);
    std::vector<statestore::ZkOp> ops;
    std::vector<std::pair<std::string, int32_t>> registered;
    for (size_t i = 0; i < names.size(); ++i) {
      if (!topologies[i].ok()) continue;
      heron::proto::api::Topology t;
      if (!t.ParseFromString(topologies[i]->data)) continue;
      const std::string& name = names[i];
      heron::proto::tmanager::TManagerLocation loc;
      loc.set_topology_name(name);
      loc.set_topology_id(t.id());
      loc.set_host("127.0.0.1");
      loc.set_controller_port(1);
      loc.set_server_port(2);
      // The physical plan a topology manager writes once every container's stream manager
      // has registered (the controller's health gate counts them).
      heron::proto::system::PhysicalPlan pplan;
      *pplan.mutable_topology() = t;
      heron::proto::system::PackingPlan plan;
      if (packings[i].ok() && plan.ParseFromString(packings[i]->data)) {
        for (const auto& c : plan.container_plans()) {
          auto* stmgr = pplan.add_stmgrs();
          stmgr->set_id("stmgr-" + std::to_string(c.id()));
          stmgr->set_host_name("127.0.0.1");
          stmgr->set_data_port(3);
          stmgr->set_local_endpoint("/unused");
        }
      }
      const bool known = seen.count(name) > 0;
      const std::string loc_path = root + "/tmanagers/" + name;
      const std::string pplan_path = root + "/pplans/" + name;
      if (known) {
        ops.push_back(statestore::ZkOp::Set(loc_path, loc.SerializeAsString(), -1));
        ops.push_back(statestore::ZkOp::Set(pplan_path, pplan.SerializeAsString(), -1));
      } else {
        ops.push_back(statestore::ZkOp::Create(loc_path, loc.SerializeAsString(),
                                               statestore::CreateMode::kEphemeral));
        ops.push_back(statestore::ZkOp::Create(pplan_path, pplan.SerializeAsString(),
                                               statestore::CreateMode::kPersistent));
      }
      registered.emplace_back(name, topologies[i]->stat.version);
    }
    if (ops.empty()) return;
    if (!zk_->Multi(ops).status.ok()) {
      // Some node was not as expected (one left from before, one gone): node by node.
      for (const auto& op : ops) {
        if (zk_->Set(op.path, op.data, -1).status().code() == StatusCode::kNotFound) {
          (void)zk_->Create(op.path, op.data, op.mode);
        }
      }
    }
    for (const auto& [name, version] : registered) seen[name] = version;
  }

  const std::vector<std::string> roots_;
  std::unique_ptr<statestore::ZkClient> zk_;
  std::map<std::string, std::map<std::string, int32_t>> seen_;  // by root
  std::mutex mu_;
  std::set<std::string> changed_;  // topology node paths whose watch fired
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TManagerRegistrar::TManagerRegistrar(const std::string& zk_servers, std::vector<std::string> roots)
    : impl_(std::make_unique<Impl>(zk_servers, std::move(roots))) {}
TManagerRegistrar::~TManagerRegistrar() = default;

double MetricSum(const std::string& text, const std::string& name,
                 const std::string& label_filter) {
  double sum = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind(name, 0) != 0) continue;
    const char next = line.size() > name.size() ? line[name.size()] : '\0';
    if (next != '{' && next != ' ') continue;
    const size_t space = line.rfind(' ');
    if (!label_filter.empty() && line.substr(0, space).find(label_filter) == std::string::npos) {
      continue;
    }
    sum += std::atof(line.c_str() + space + 1);
  }
  return sum;
}

std::string Metrics(const testing::ControllerProcess& c) {
  return testing::HttpCall("GET", c.url() + "/metrics").body;
}

double SecondsSince(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f;
  std::string x;
  while (fields >> x) f.push_back(x);
  // After the command: state is field 3 of stat(5); utime and stime are fields 14 and 15.
  if (f.size() < 13) return -1;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return (std::stod(f[11]) + std::stod(f[12])) / ticks;
}

namespace {
long StatusKib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
  }
  return -1;
}
}  // namespace

long RssKib(pid_t pid) { return StatusKib(pid, "VmRSS:"); }

long PeakRssKib(pid_t pid) { return StatusKib(pid, "VmHWM:"); }

bool ResetPeakRss(pid_t pid) {
  std::ofstream clear("/proc/" + std::to_string(pid) + "/clear_refs");
  clear << "5";  // resets VmHWM to the current RSS (Linux 4.0+)
  clear.flush();
  return static_cast<bool>(clear);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 3, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

void WriteJson(const std::string& path, const Json& j) {
  std::ofstream(path, std::ios::trunc) << SerializePretty(j) << "\n";
  std::printf("(JSON written to %s)\n", path.c_str());
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace hgo::bench
