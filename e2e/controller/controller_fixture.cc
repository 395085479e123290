#include "e2e/controller/controller_fixture.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "crd/canonical.h"
#include "crd/parser.h"
#include "heron/proto/physical_plan.pb.h"
#include "statestore/zk_client.h"
#include "testing/heron_packages.h"

namespace hgo::e2e {

namespace fs = std::filesystem;

std::string JsonStr(const Json& j, const char* key) {
  const Json* v = j.Find(key);
  return v && v->is_string() ? v->as_string() : "";
}

int64_t JsonInt(const Json& j, const char* key) {
  const Json* v = j.Find(key);
  return v && v->is_int() ? v->as_int() : -1;
}

bool RunningAt(const Json& status, const std::string& spec_hash) {
  return JsonStr(status, "phase") == "Running" && JsonStr(status, "appliedSpecHash") == spec_hash;
}

bool MarkedFailed(const Json& status, const std::string& spec_hash) {
  const Json* f = status.Find("failedSpecHashes");
  if (!f || !f->is_array()) return false;
  for (const auto& h : f->as_array()) {
    if (h.is_string() && h.as_string() == spec_hash) return true;
  }
  return false;
}

void WaitUntilLeader(const testing::ControllerProcess& c) {
  for (int i = 0; i < 200; ++i) {
    if (testing::HttpCall("GET", c.url() + "/api/v1/leader").body.find("\"isLeader\": true") !=
        std::string::npos) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string LiveTopologyState(const std::string& zk_servers, const std::string& name) {
  statestore::ZkOptions o;
  o.servers = zk_servers;
  auto zk = statestore::ZkClient::Connect(o);
  if (!zk.ok()) return "ZooKeeper unreachable (" + zk.status().message() + ")";
  auto node = (*zk)->Get("/heron/pplans/" + name);
  if (!node.ok()) return "no physical plan (" + node.status().message() + ")";
  heron::proto::system::PhysicalPlan plan;
  if (!plan.ParseFromString(node->data)) return "unparsable";
  return heron::proto::api::TopologyState_Name(plan.topology().state());
}

void ChaosTally::Print(const std::string& suite) const {
  std::printf(
      "chaos (%s): points covered %d, trials %d, converged %d, duplicate jobs %d, orphan nodes "
      "%d, wrongful restarts %d\n",
      suite.c_str(), points, trials, converged, duplicates, orphans, wrongful);
}

void ChaosTally::Check(const std::string& suite, int min_points) const {
  Print(suite);
  EXPECT_GE(points, min_points) << suite;
  EXPECT_EQ(converged, trials) << suite;
  EXPECT_EQ(duplicates + orphans + wrongful, 0) << suite;
}

bool RunsRevision(const Json& status, const std::string& spec_hash, size_t instances) {
  if (JsonStr(status, "appliedSpecHash") != spec_hash) return false;
  const Json* list = status.Find("instances");
  if (!list || !list->is_array()) return false;
  size_t current = 0;
  for (const auto& i : list->as_array()) {
    const Json* c = i.Find("current");
    if (JsonStr(i, "state") == "RUNNING" && c && c->is_bool() && c->as_bool()) ++current;
  }
  return current == instances;
}

crd::Topology Crashing(crd::Topology t) {
  t.spec.topology.config["sim.crash.after.seconds"] = Json(std::string("2"));
  t.spec.update.min_wait_in_running_seconds = 10;
  return t;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CliResult RunHeronctl(std::vector<std::string> argv, const std::string& dir) {
  const std::string out_path = dir + "/cli.out", err_path = dir + "/cli.err";
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::setenv("HOME", "/nonexistent", 1);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return CliResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(out_path), Slurp(err_path)};
}

void ControllerE2E::SetUp() {
  auto zk = testing::ZkTestServer::Start();
  ASSERT_TRUE(zk.ok()) << zk.status();
  zk_ = std::move(*zk);
  auto aurora = testing::AuroraLocalProcess::Start();
  ASSERT_TRUE(aurora.ok()) << aurora.status();
  aurora_ = std::move(*aurora);
  aurora::HttpTransportOptions options;
  const std::string url = aurora_->url();
  options.schedulers = [url] { return std::vector<std::string>{url}; };
  // A real Aurora (docs/e2e.md): its credentials, for the test's own calls and the controller's.
  std::string credentials_line;
  if (const char* cred = std::getenv("E2E_AURORA_CREDENTIALS"); cred && *cred) {
    auto c = aurora::CredentialsFromFile(cred);
    ASSERT_TRUE(c.ok()) << c.status();
    options.credentials = *c;
    credentials_line = std::string("    credentials: ") + cred + "\n";
  }
  api_ = std::make_unique<aurora::ThriftAuroraClient>(options);

  char tmpl[] = "/tmp/hgo_controller_e2e_XXXXXX";
  ASSERT_TRUE(mkdtemp(tmpl));
  dir_ = tmpl;
  specs_dir_ = dir_ + "/specs";
  fs::create_directories(specs_dir_);
  clusters_file_ = dir_ + "/clusters.yaml";
  WriteFile(clusters_file_, "clusters:\n  - name: devcluster\n    aurora: {url: \"" + url +
                                "\"}\n" + credentials_line + "    heron: {zookeeper: \"" +
                                zk_->connect_string() + "\", root: /heron, corePackage: \"" +
                                testing::StandinCorePackageUri() + "\"}\n");
  token_file_ = dir_ + "/token";
  WriteFile(token_file_, token_ + "\n");

  auto parsed =
      crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
  ASSERT_TRUE(parsed.ok());
  spec_ = parsed.Topologies().at(0);
  spec_.spec.packing.algorithm = crd::PackingAlgorithm::kRoundRobin;
  spec_.spec.packing.containers = 2;
  spec_.spec.update.min_wait_in_running_seconds = 1;
  spec_.spec.update.progress_deadline_seconds = 30;
  ASSERT_TRUE(testing::PackageForTest(dir_, spec_).ok());
}

void ControllerE2E::TearDown() {
  if (HasFailure()) {
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.path().extension() == ".log") {
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        std::string s = ss.str();
        if (s.size() > 6000) s = s.substr(s.size() - 6000);
        std::cerr << "---- " << e.path() << " (tail)\n" << s << "\n";
      }
    }
  }
  if (!std::getenv("HGO_KEEP_TEST_DIRS")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::unique_ptr<testing::ControllerProcess> ControllerE2E::StartRunning(const crd::Topology& spec,
                                                                        const std::string& file) {
  auto c = StartController({"dir:" + specs_dir_});
  if (!c) return nullptr;
  WriteFile(file, SpecYaml(spec));
  const std::string hash = crd::SpecHash(spec);
  WaitFor(*c, "running", [&](const Json& j) { return RunningAt(j, hash); });
  if (::testing::Test::HasFailure()) return nullptr;
  return c;
}

std::unique_ptr<testing::ControllerProcess> ControllerE2E::StartController(
    const std::vector<std::string>& sources, const std::vector<std::string>& extra,
    const std::vector<std::string>& env, bool may_die) {
  std::vector<std::string> args = {"--clusters",      clusters_file_,
                                   "--zookeeper",     zk_->connect_string(),
                                   "--token-file",    token_file_,
                                   "--resync",        "10s",
                                   "--requeue-ms",    "500",
                                   "--pulse-timeout", "30",
                                   "--git-cache",     dir_ + "/git-cache",
                                   "--log-level",     "info"};
  for (const char* flag : {"--resync", "--requeue-ms", "--pulse-timeout", "--log-level"}) {
    if (std::find(extra.begin(), extra.end(), flag) != extra.end()) {
      auto ours = std::find(args.begin(), args.end(), flag);  // the test chose its own
      args.erase(ours, ours + 2);
    }
  }
  for (const auto& s : sources) {
    args.push_back("--source");
    args.push_back(s);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  auto c = testing::ControllerProcess::Start(args, dir_, env);
  if (!may_die) EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(*c) : nullptr;
}

std::string ControllerE2E::SpecYaml(const crd::Topology& t) const {
  auto spec = ParseJson(crd::SpecText(t));  // the spec format (quantities), pretty-printed
  return (spec.ok() ? SerializePretty(*spec) : crd::SpecText(t)) + "\n";
}

void ControllerE2E::WriteFile(const std::string& path, const std::string& content) const {
  const std::string tmp =
      fs::path(path).parent_path() / ("." + fs::path(path).filename().string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
  }
  fs::rename(tmp, path);
}

Json ControllerE2E::Status(const testing::ControllerProcess& c, const std::string& path) const {
  // With the admin token: a controller run with --reads-need-token answers reads only with one.
  auto r = testing::HttpCall("GET", c.url() + (path.empty() ? KeyPath() : path), "",
                             {{"Authorization", "Bearer " + token_}});
  if (r.status != 200) return Json();
  auto j = ParseJson(r.body);
  return j.ok() ? *j : Json();
}

Json ControllerE2E::WaitFor(const testing::ControllerProcess& c, const std::string& what,
                            const std::function<bool(const Json&)>& pred, int timeout_s,
                            const std::string& path) const {
  Json last;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    last = Status(c, path);
    if (!last.is_null() && pred(last)) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ADD_FAILURE() << "timed out waiting for " << what << "; last status:\n" << SerializePretty(last);
  return last;
}

Json ControllerE2E::WaitForPhase(const testing::ControllerProcess& c, const std::string& phase,
                                 int timeout_s) const {
  return WaitFor(
      c, "phase " + phase,
      [&](const Json& s) {
        const Json* p = s.Find("phase");
        return p && p->is_string() && p->as_string() == phase;
      },
      timeout_s);
}

testing::HttpResult ControllerE2E::Post(const testing::ControllerProcess& c,
                                        const std::string& path, const std::string& body) const {
  return testing::HttpCall("POST", c.url() + path, body, {{"Authorization", "Bearer " + token_}});
}

void ControllerE2E::ExpectPruned(const testing::ControllerProcess& c) const {
  using namespace std::chrono_literals;
  for (int i = 0; i < 240 && ActiveTaskCount() > 0; ++i) std::this_thread::sleep_for(250ms);
  EXPECT_EQ(ActiveTaskCount(), 0u);
  for (int i = 0; i < 120; ++i) {
    if (testing::HttpCall("GET", c.url() + KeyPath()).status == 404) break;
    std::this_thread::sleep_for(250ms);
  }
  EXPECT_EQ(testing::HttpCall("GET", c.url() + KeyPath()).status, 404);
}

std::map<int32_t, std::string> ControllerE2E::RunningTaskIds(const std::string& name) const {
  aurora::TaskQuery q;
  q.job_keys = {aurora::JobKey{"www-data", "devel", name}};
  q.statuses = {aurora::TaskStatus::kRunning};
  std::map<int32_t, std::string> out;
  auto tasks = api_->GetTasks(q, false);
  if (tasks.ok()) {
    for (const auto& t : *tasks) out[t.instance_id] = t.task_id;
  }
  return out;
}

int ControllerE2E::UpdatesFor(const std::string& spec_hash, aurora::AuroraApi* aurora) const {
  aurora::UpdateQuery q;
  q.job_key = aurora::JobKey{"www-data", "devel", "exclamation"};
  auto updates = (aurora ? aurora : api_.get())->GetJobUpdateSummaries(q);
  if (!updates.ok()) return -1;
  int n = 0;
  for (const auto& u : *updates) {
    auto it = u.metadata.find("heron-gitops/spec-hash");
    n += it != u.metadata.end() && it->second == spec_hash ? 1 : 0;
  }
  return n;
}

size_t ControllerE2E::ActiveTaskCount(const std::string& name, aurora::AuroraApi* aurora) const {
  aurora::TaskQuery q;
  q.job_keys = {aurora::JobKey{"www-data", "devel", name}};
  q.statuses = {aurora::TaskStatus::kPending, aurora::TaskStatus::kAssigned,
                aurora::TaskStatus::kStarting, aurora::TaskStatus::kRunning};
  auto tasks = (aurora ? aurora : api_.get())->GetTasks(q, false);
  return tasks.ok() ? tasks->size() : 0;
}

}  // namespace hgo::e2e
