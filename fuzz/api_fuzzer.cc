// Fuzz target for the controller's HTTP API (controller/api/api.h): any request (method, path,
// query, headers, body, token) is answered, never crashes, and never answers 500; the 5xx by
// design are 503 (not the leader, not ready, unavailable) and 501. The controller runs on the
// loop's fakes (testing/fakes, a FakeClock, no thread) with one topology deployed, so that
// mutations of an existing topology are reached too.
//
// Input: byte 0 picks the Authorization header (none, admin, read, operate on the topology's
// role, an unknown token, a malformed one); the rest is a request in HTTP's own layout:
// "METHOD PATH[?QUERY]" on the first line, then header lines, an empty line, the body.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/logging.h"
#include "common/sha256.h"
#include "controller/api/api.h"
#include "crd/canonical.h"
#include "crd/parser.h"
#include "statestore/state_store.h"
#include "testing/fakes/fake_cluster.h"
#include "testing/fakes/fake_election.h"
#include "testing/fakes/static_source.h"
#include "testing/heron_packages.h"
#include "testing/spec_text.h"
#include "testing/temp_dir.h"

namespace {

using namespace hgo;
using namespace hgo::controller;

constexpr const char* kAdmin = "fuzz-admin-token";
constexpr const char* kRead = "fuzz-read-token";
constexpr const char* kOperate = "fuzz-operate-token";

// The controller and its fakes, built once for the whole run.
struct World {
  World() : connector(clock), dir("api-fuzz") {
    InitLogging(LogFormat::kHuman, LogLevel::kError);  // the passes' lines would drown a finding
    connector.Add("devcluster");
    options.clusters = {testing::FakeClusterSpec("devcluster")};
    options.workers = 0;
    options.executor.topology_manager = [this](const std::string& url) {
      return connector.CallTopologyManager(url);
    };
    elector = election.MakeElector("controller-1");
    auto src = std::make_unique<testing::StaticSource>();
    source = src.get();
    std::vector<std::unique_ptr<sources::SpecSource>> sources;
    sources.push_back(std::move(src));
    controller = std::make_unique<Controller>(options, std::move(sources), connector, clock, store,
                                              *elector, metrics);
    if (!controller->Start().ok()) Die("the controller did not start");
    Deploy("wc");

    const std::string tokens =
        "tokens:\n"
        "  - {name: admin, scope: admin, sha256: " +
        Sha256Hex(kAdmin) +
        "}\n"
        "  - {name: reader, scope: read, sha256: " +
        Sha256Hex(kRead) +
        "}\n"
        "  - {name: ops, scope: operate, roles: [www-data], sha256: " +
        Sha256Hex(kOperate) + "}\n";
    auto access = ParseTokensFile(tokens, "tokens.yaml");
    if (!access.ok()) Die(access.status().message());
    api = MakeApiHandler(*controller, metrics, ApiOptions{*access, nullptr});
  }
  ~World() {
    controller->Stop();
    controller.reset();
  }

  void Deploy(const std::string& name) {
    auto parsed =
        crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
    if (!parsed.ok()) Die("minimal.yaml does not parse");
    crd::Topology spec = parsed.Topologies().at(0);
    spec.metadata.name = name;
    const std::string package_dir = dir.path() + "/package-" + name;
    std::filesystem::create_directories(package_dir);
    if (!testing::PackageForTest(package_dir, spec).ok()) Die("cannot package the topology");
    source->Set(name + ".yaml", crd::SpecText(spec));
    for (int i = 0; i < 10; ++i) Step();
    auto status = controller->Get(crd::TopologyKey{"devcluster", "www-data", "devel", name});
    if (!status.ok() || status->phase != "Running") Die(name + " is not running");
  }
  void Step() {
    clock.Advance(std::chrono::seconds(6));
    connector["devcluster"].Advance();
    controller->RunReady();
  }
  [[noreturn]] static void Die(const std::string& why) {
    std::fprintf(stderr, "api fuzzer set-up: %s\n", why.c_str());
    std::abort();
  }

  FakeClock clock;
  testing::FakeConnector connector;
  testing::TempDir dir;
  testing::StaticSource* source = nullptr;
  statestore::InMemoryStateStore store;
  testing::FakeElection election;
  std::unique_ptr<statestore::LeaderElector> elector;
  Metrics metrics;
  ControllerOptions options;
  std::unique_ptr<Controller> controller;
  HttpHandler api;
};

World& TheWorld() {
  // Never destroyed: libFuzzer may exit from any thread. Its directory (the package) is removed
  // at exit, so that a run leaves nothing behind.
  static World* world = [] {
    auto* w = new World();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(TheWorld().dir.path(), ec);
    });
    return w;
  }();
  return *world;
}

std::string Authorization(uint8_t which) {
  switch (which % 6) {
    case 0:
      return "";
    case 1:
      return std::string("Bearer ") + kAdmin;
    case 2:
      return std::string("Bearer ") + kRead;
    case 3:
      return std::string("Bearer ") + kOperate;
    case 4:
      return "Bearer not-a-known-token";
    default:
      return "Basic Zm9vOmJhcg==";
  }
}

HttpRequest ParseRequest(const std::string& text) {
  HttpRequest r;
  size_t eol = text.find('\n');
  const std::string first = text.substr(0, eol);
  const size_t space = first.find(' ');
  r.method = first.substr(0, space);
  std::string target = space == std::string::npos ? "/" : first.substr(space + 1);
  if (const size_t q = target.find('?'); q != std::string::npos) {
    r.query = target.substr(q + 1);
    target.resize(q);
  }
  r.path = target;
  size_t at = eol == std::string::npos ? text.size() : eol + 1;
  while (at < text.size()) {
    eol = text.find('\n', at);
    const std::string line = text.substr(at, eol == std::string::npos ? eol : eol - at);
    at = eol == std::string::npos ? text.size() : eol + 1;
    if (line.empty()) break;
    const size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = colon == std::string::npos ? "" : line.substr(colon + 1);
  }
  r.body = text.substr(std::min(at, text.size()));
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  World& world = TheWorld();
  HttpRequest request =
      ParseRequest(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  if (const std::string auth = Authorization(data[0]); !auth.empty()) {
    request.headers["authorization"] = auth;
  }
  const HttpReply reply = world.api(request);
  // A deferred reply (a watch) is valid as such; what it would send later is the same JSON the
  // plain reads produce.
  if (!reply.defer && (reply.status < 100 || reply.status > 599 || reply.status == 500)) {
    std::fprintf(stderr, "%s %s?%s answered %d: %s\n", request.method.c_str(), request.path.c_str(),
                 request.query.c_str(), reply.status, reply.body.c_str());
    __builtin_trap();
  }
  if (request.method != "GET") world.Step();  // a mutation's pass runs
  return 0;
}
