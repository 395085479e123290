// heron-executor stand-in: TEST EQUIPMENT, not Heron.
//
// The real heron-core cannot be installed here, so the e2e heron-core package carries this program
// as bin/heron-executor. It accepts exactly the flags the real executor takes (an unknown or
// missing required flag is an error, so the job builder's command line is checked for real) and
// plays the part of Heron that the controller watches:
// - container 0 reads topologies/<name> under the state-manager root, checks that its id equals
//   --topology-id (as Heron's topology manager does), and registers the topology manager location
//   as an ephemeral tmanagers/<name> (tmasters/<name> when run with --tmaster-* flags);
// - container 0 then writes pplans/<name> (a physical plan holding the Topology and its live
//   state) and serves the topology manager's /activate and /deactivate on
//   --tmanager-controller-port with Heron's checks (topologyid required and equal, 400 when not
//   PAUSED / not RUNNING); each flips the state in pplans/<name>;
// - other containers just run.
// Topology config keys (read from topologies/<name>) make it misbehave on purpose:
//   sim.crash.after.seconds=N  exit with status 1 after N seconds (every container)
//   sim.hang=true              never register (container 0)
//   sim.start.delay.seconds=N  wait N seconds before registering
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/http_server.h"
#include "statestore/heron_protos.h"
#include "statestore/heron_state.h"
#include "statestore/proto/tmanager.pb.h"
#include "statestore/zk_client.h"

namespace {

using hgo::statestore::HeronDir;

volatile std::sig_atomic_t g_stop = 0;
void OnTerm(int) { g_stop = 1; }

const std::set<std::string>& RequiredFlags() {
  static const std::set<std::string> flags = {"shard",
                                              "topology-name",
                                              "topology-id",
                                              "topology-defn-file",
                                              "state-manager-connection",
                                              "state-manager-root",
                                              "state-manager-config-file",
                                              "stmgr-binary",
                                              "metrics-manager-classpath",
                                              "instance-jvm-opts",
                                              "classpath",
                                              "heron-internals-config-file",
                                              "override-config-file",
                                              "component-ram-map",
                                              "component-jvm-opts",
                                              "pkg-type",
                                              "topology-binary-file",
                                              "heron-java-home",
                                              "shell-port",
                                              "heron-shell-binary",
                                              "metrics-manager-port",
                                              "cluster",
                                              "role",
                                              "environment",
                                              "instance-classpath",
                                              "metrics-sinks-config-file",
                                              "scheduler-classpath",
                                              "scheduler-port",
                                              "python-instance-binary",
                                              "cpp-instance-binary",
                                              "metricscache-manager-classpath",
                                              "metricscache-manager-server-port",
                                              "metricscache-manager-stats-port",
                                              "is-stateful",
                                              "checkpoint-manager-classpath",
                                              "checkpoint-manager-port",
                                              "stateful-config-file",
                                              "health-manager-mode",
                                              "health-manager-classpath",
                                              "server-port",
                                              "checkpoint-manager-ram"};
  return flags;
}

// Flags whose name depends on the release: tmanager (0.20.3+) or tmaster (before).
const std::set<std::string>& ManagerFlags() {
  static const std::set<std::string> flags = {"binary", "controller-port", "stats-port"};
  return flags;
}

const std::set<std::string>& OptionalFlags() {
  static const std::set<std::string> flags = {"metricscache-manager-mode", "verbose-gc",
                                              "jvm-remote-debugger-ports"};
  return flags;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "heron-executor (stand-in): %s\n", message.c_str());
  return 2;
}

std::string ConfigValue(const heron::proto::api::Topology& t, const std::string& key) {
  for (const auto& kv : t.topology_config().kvs()) {
    if (kv.key() == key) return kv.value();
  }
  return "";
}

// The topology manager's controller endpoints, as far as the controller uses them.
class TopologyManagerStandin {
 public:
  TopologyManagerStandin(hgo::statestore::HeronState& state, heron::proto::api::Topology topology)
      : state_(state), topology_(std::move(topology)) {}

  hgo::Status WritePhysicalPlan() {
    std::lock_guard<std::mutex> lock(mu_);
    return WriteLocked();
  }

  hgo::HttpReply Handle(const hgo::HttpRequest& req) {
    const bool activate = req.path == "/activate";
    if (!activate && req.path != "/deactivate") return hgo::HttpReply::Text(404, "no such path");
    const std::string prefix = "topologyid=";
    std::string id;
    for (size_t at = 0; at <= req.query.size();) {
      size_t end = req.query.find('&', at);
      if (end == std::string::npos) end = req.query.size();
      std::string kv = req.query.substr(at, end - at);
      if (kv.rfind(prefix, 0) == 0) id = kv.substr(prefix.size());
      at = end + 1;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (id.empty()) return hgo::HttpReply::Text(400, "topologyid is missing");
    if (id != topology_.id()) return hgo::HttpReply::Text(400, "topologyid mismatch");
    const auto from = activate ? heron::proto::api::PAUSED : heron::proto::api::RUNNING;
    if (topology_.state() != from) {
      return hgo::HttpReply::Text(400, activate ? "topology not paused" : "topology not running");
    }
    topology_.set_state(activate ? heron::proto::api::RUNNING : heron::proto::api::PAUSED);
    hgo::Status s = WriteLocked();
    if (!s.ok()) return hgo::HttpReply::Text(500, s.ToString());
    std::printf("%s\n", activate ? "activated" : "deactivated");
    std::fflush(stdout);
    return hgo::HttpReply::Text(200, "ok");
  }

 private:
  hgo::Status WriteLocked() {
    heron::proto::system::PhysicalPlan plan;
    *plan.mutable_topology() = topology_;
    return state_.Write(HeronDir::kPhysicalPlans, topology_.name(),
                        hgo::statestore::SerializeHeronMessage(plan));
  }

  hgo::statestore::HeronState& state_;
  std::mutex mu_;
  heron::proto::api::Topology topology_;
};

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGTERM, OnTerm);
  std::map<std::string, std::string> flags;
  std::string manager;  // "tmanager" or "tmaster"
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) return Fail("unexpected argument '" + arg + "'");
    size_t eq = arg.find('=');
    std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    for (const char* m : {"tmanager-", "tmaster-"}) {
      if (name.rfind(m, 0) == 0 && ManagerFlags().count(name.substr(std::strlen(m)))) {
        std::string kind = std::string(m).substr(0, std::strlen(m) - 1);
        if (!manager.empty() && manager != kind) return Fail("mixes tmanager and tmaster flags");
        manager = kind;
        name = "manager-" + name.substr(std::strlen(m));
      }
    }
    const bool known = RequiredFlags().count(name) || OptionalFlags().count(name) ||
                       name.rfind("manager-", 0) == 0;
    if (!known) return Fail("no such option: --" + name);
    flags[name] = value;
  }
  for (const auto& f : RequiredFlags()) {
    if (!flags.count(f)) return Fail("missing option --" + f);
  }
  for (const auto& f : ManagerFlags()) {
    if (!flags.count("manager-" + f)) return Fail("missing option --tmanager-" + f);
  }
  const std::string name = flags["topology-name"];
  const int shard = std::atoi(flags["shard"].c_str());
  std::printf("heron-executor stand-in: topology %s id %s shard %d (%s names)\n", name.c_str(),
              flags["topology-id"].c_str(), shard, manager.c_str());
  std::fflush(stdout);

  hgo::statestore::ZkOptions zo;
  zo.servers = flags["state-manager-connection"];
  auto zk = hgo::statestore::ZkClient::Connect(zo);
  if (!zk.ok()) return Fail("state manager: " + zk.status().ToString());
  hgo::statestore::HeronState state(**zk, {flags["state-manager-root"], manager == "tmaster"});
  auto bytes = state.Read(HeronDir::kTopologies, name);
  if (!bytes.ok() || !*bytes) return Fail("topologies/" + name + " is missing");
  auto topology = hgo::statestore::ParseHeronMessage<heron::proto::api::Topology>(
      **bytes, "topologies/" + name);
  if (!topology.ok()) return Fail(topology.status().ToString());
  if (topology->id() != flags["topology-id"]) {
    return Fail("topology id mismatch: ZooKeeper has " + topology->id() + ", flags say " +
                flags["topology-id"]);
  }
  const int crash_after = std::atoi(ConfigValue(*topology, "sim.crash.after.seconds").c_str());
  const bool hang = ConfigValue(*topology, "sim.hang") == "true";
  const int delay = std::atoi(ConfigValue(*topology, "sim.start.delay.seconds").c_str());
  const auto start = std::chrono::steady_clock::now();
  if (delay > 0) std::this_thread::sleep_for(std::chrono::seconds(delay));

  std::unique_ptr<TopologyManagerStandin> topology_manager;  // container 0's topology manager
  std::unique_ptr<hgo::HttpServer> controller_server;        // declared after: stops first
  if (shard == 0 && !hang) {
    heron::proto::tmanager::TManagerLocation location;
    location.set_topology_name(name);
    location.set_topology_id(topology->id());
    location.set_host("127.0.0.1");
    location.set_controller_port(std::atoi(flags["manager-controller-port"].c_str()));
    location.set_server_port(std::atoi(flags["server-port"].c_str()));
    location.set_stats_port(std::atoi(flags["manager-stats-port"].c_str()));
    auto created = (*zk)->Create(state.layout().NodePath(HeronDir::kTManagers, name),
                                 hgo::statestore::SerializeHeronMessage(location),
                                 hgo::statestore::CreateMode::kEphemeral);
    if (!created.ok())
      return Fail("cannot register the topology manager: " + created.status().ToString());
    std::printf("registered %s\n", created->c_str());
    std::fflush(stdout);
    topology_manager = std::make_unique<TopologyManagerStandin>(state, *topology);
    hgo::Status written = topology_manager->WritePhysicalPlan();
    if (!written.ok()) return Fail("cannot write the physical plan: " + written.ToString());
    auto server = hgo::HttpServer::Start(
        "127.0.0.1", location.controller_port(),
        [&topology_manager](const hgo::HttpRequest& req) { return topology_manager->Handle(req); });
    if (!server.ok()) return Fail("controller port: " + server.status().ToString());
    controller_server = std::move(*server);
  }
  while (!g_stop) {
    if (crash_after > 0 &&
        std::chrono::steady_clock::now() - start >= std::chrono::seconds(crash_after)) {
      std::fprintf(stderr, "heron-executor stand-in: crashing as sim.crash.after.seconds asks\n");
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // SIGTERM: closing the session removes the ephemeral registration at once, as Heron's
  // topology manager does on a clean stop.
  return 0;
}
