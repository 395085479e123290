// heron-executor stand-in: TEST EQUIPMENT, not Heron.
//
// The real heron-core cannot be installed here, so the e2e heron-core package carries this program
// as bin/heron-executor. It accepts exactly the flags the real executor takes (an unknown or
// missing required flag is an error, so the job builder's command line is checked for real),
// decodes their values and opens the sandbox's files the way heron_executor.py does (its click
// options, init_from_parsed_args, initialize, start_state_manager_watches, _untar_if_needed and
// the per-instance commands), and exits with an error wherever the real one would raise:
// - --component-ram-map split on ',' then ':' (an empty value or an entry without ':' fails),
//   every component this container runs must be in it, and a JVM component (jar, tar) needs
//   more than 192 MiB (its -Xmx would be negative); --shard and --checkpoint-manager-ram are
//   integers; both JVM-option flags are base64 in quotes with '=' as (61), the component one a
//   JSON map;
// - heron-conf files named by the flags: the internals file with heron.logging.directory, the
//   override file, the state-manager file with heron.class.state.manager (which must be
//   Curator's ZooKeeper manager, or the executor watches a local file and never starts
//   anything); the packing-plan watch's root comes from those files, and a root other than
//   --state-manager-root is an error here (the real executor would wait forever);
// - the heron-core binaries (topology manager, stream manager, shell) exist; --pkg-type is
//   jar, tar, pex, so or dylib; the topology binary exists (a tar is unpacked) and so does the
//   jar --classpath names first; the .defn exists and names the topology.
// Then it plays the part of Heron that the controller watches:
// - container 0 reads topologies/<name> under the state-manager root, checks that its id equals
//   --topology-id (as Heron's topology manager does), and registers the topology manager location
//   as an ephemeral tmanagers/<name> (tmasters/<name> when run with --tmaster-* flags);
// - container 0 then writes pplans/<name> (a physical plan holding the Topology and its live
//   state) and serves the topology manager's /activate and /deactivate on
//   --tmanager-controller-port with Heron's checks (topologyid required and equal, 400 when not
//   PAUSED / not RUNNING); each flips the state in pplans/<name>; /runtime_config/update
//   parses, checks and stores [component:]key:value entries as Heron's TController does;
// - the other containers' stream managers fetch tmanagers/<name> every second and register with
//   it; a location naming another topology id ends the container with an error, at any time, as
//   Heron's stream manager does (stmgr.cpp, OnTManagerLocationFetch).
// Topology config keys (read from topologies/<name>) make it misbehave on purpose:
//   sim.crash.after.seconds=N  exit with status 1 after N seconds (every container)
//   sim.hang=true              never register (container 0)
//   sim.start.delay.seconds=N  wait N seconds before registering
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/base64.h"
#include "common/http_client.h"
#include "common/http_server.h"
#include "common/json.h"
#include "heron/messages.h"
#include "heron/proto/tmanager.pb.h"
#include "statestore/heron_state.h"
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

// What init_from_parsed_args and the state-manager set-up make of the flags and conf files.
struct Executor {
  std::map<std::string, std::string> flags;
  std::string manager;  // "tmanager" or "tmaster"
  int shard = 0;
  std::map<std::string, int64_t> component_ram;
  std::string statemgr_root;  // where the packing-plan watch looks (the conf files)
};

// Python's str.split(sep): every part, empty ones too.
std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  for (size_t at = 0;;) {
    const size_t end = text.find(sep, at);
    parts.push_back(text.substr(at, end == std::string::npos ? end : end - at));
    if (end == std::string::npos) return parts;
    at = end + 1;
  }
}

bool ParseInt(const std::string& text, int64_t* out) {
  // Python's int(): optional sign, digits, surrounding whitespace.
  std::string t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  size_t at = 0;
  while (at < t.size() && std::isspace(static_cast<unsigned char>(t[at]))) ++at;
  t = t.substr(at);
  if (t.empty()) return false;
  size_t digits = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  if (digits == t.size()) return false;
  for (size_t i = digits; i < t.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
  }
  *out = std::stoll(t);
  return true;
}

// The executor's decoding of a JVM-options flag: strip quotes, (61) and &equals; back to '='.
std::optional<std::string> DecodeJvmOptions(std::string value) {
  value.erase(std::remove(value.begin(), value.end(), '"'), value.end());
  for (const char* escape : {"(61)", "&equals;"}) {
    for (size_t at; (at = value.find(escape)) != std::string::npos;) {
      value.replace(at, std::strlen(escape), "=");
    }
  }
  auto decoded = hgo::Base64Decode(value);
  if (!decoded.ok()) return std::nullopt;
  return *decoded;
}

// yaml.safe_load of a conf file named by a flag; nullopt (with why) when it cannot be opened.
std::optional<YAML::Node> LoadYaml(const std::string& path, std::string* why) {
  std::ifstream in(path);
  if (!in) {
    *why = "[Errno 2] No such file or directory: '" + path + "'";
    return std::nullopt;
  }
  try {
    return YAML::Load(in);
  } catch (const YAML::Exception& e) {
    *why = path + ": " + e.what();
    return std::nullopt;
  }
}

std::string Scalar(const YAML::Node& map, const std::string& key) {
  if (!map.IsMap() || !map[key] || !map[key].IsScalar()) return "";
  return map[key].as<std::string>();
}

// init_from_parsed_args: the values the real executor converts, as it converts them.
std::optional<std::string> DecodeFlags(Executor& e) {
  int64_t shard = 0;
  if (!ParseInt(e.flags["shard"], &shard)) {
    return "Invalid value for '--shard': '" + e.flags["shard"] + "' is not a valid integer";
  }
  e.shard = static_cast<int>(shard);
  int64_t ckptmgr_ram = 0;
  if (!ParseInt(e.flags["checkpoint-manager-ram"], &ckptmgr_ram)) {
    return "Invalid value for '--checkpoint-manager-ram': '" + e.flags["checkpoint-manager-ram"] +
           "' is not a valid integer";
  }
  if (!DecodeJvmOptions(e.flags["instance-jvm-opts"])) {
    return "--instance-jvm-opts: not base64 (binascii.Error)";
  }
  auto component_jvm = DecodeJvmOptions(e.flags["component-jvm-opts"]);
  if (!component_jvm) return "--component-jvm-opts: not base64 (binascii.Error)";
  if (!component_jvm->empty()) {
    auto map = hgo::ParseJson(*component_jvm);
    if (!map.ok() || !map->is_object()) return "--component-jvm-opts: not a JSON map";
  }
  // [{x.split(':')[0]: int(x.split(':')[1])} for x in value.split(',')]
  const std::string& ram_map = e.flags["component-ram-map"];
  size_t at = 0;
  while (true) {
    size_t comma = ram_map.find(',', at);
    std::string item = ram_map.substr(at, comma == std::string::npos ? comma : comma - at);
    const std::vector<std::string> parts = Split(item, ':');
    if (parts.size() < 2) {
      return "--component-ram-map '" + ram_map + "': IndexError: list index out of range";
    }
    int64_t bytes = 0;
    if (!ParseInt(parts[1], &bytes)) {
      return "--component-ram-map '" + ram_map + "': ValueError: invalid literal for int(): '" +
             parts[1] + "'";
    }
    e.component_ram[parts[0]] = bytes;
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  const std::string& type = e.flags["pkg-type"];
  if (type != "jar" && type != "tar" && type != "pex" && type != "so" && type != "dylib") {
    return "ValueError: Unrecognized package type: " + type;
  }
  return std::nullopt;
}

// The files the executor opens from its sandbox before it starts anything.
std::optional<std::string> CheckSandbox(Executor& e) {
  namespace fs = std::filesystem;
  std::string why;
  auto internals = LoadYaml(e.flags["heron-internals-config-file"], &why);
  if (!internals) return why;
  if (Scalar(*internals, "heron.logging.directory").empty()) {
    return "KeyError: 'heron.logging.directory' (" + e.flags["heron-internals-config-file"] + ")";
  }
  for (const char* binary : {"manager-binary", "stmgr-binary", "heron-shell-binary"}) {
    std::error_code ec;
    if (!fs::exists(e.flags[binary], ec)) {
      return "FileNotFoundError: [Errno 2] No such file or directory: '" + e.flags[binary] + "'";
    }
  }
  auto overrides = LoadYaml(e.flags["override-config-file"], &why);
  if (!overrides) return why;
  auto statemgr = LoadYaml(e.flags["state-manager-config-file"], &why);
  if (!statemgr) return why;
  const std::string manager_class = Scalar(*statemgr, "heron.class.state.manager");
  if (manager_class.empty()) {
    return "KeyError: 'heron.class.state.manager' (" + e.flags["state-manager-config-file"] + ")";
  }
  if (manager_class != "org.apache.heron.statemgr.zookeeper.curator.CuratorStateManager") {
    return "heron.class.state.manager is " + manager_class +
           ": the executor would watch a local file for its packing plan and never start";
  }
  e.statemgr_root = Scalar(*statemgr, "heron.statemgr.root.path");
  if (std::string over = Scalar(*overrides, "heron.statemgr.root.path"); !over.empty()) {
    e.statemgr_root = over;
  }
  if (e.statemgr_root != e.flags["state-manager-root"]) {
    return "the executor would watch packingplans under '" + e.statemgr_root +
           "' (heron-conf), the topology manager writes under --state-manager-root '" +
           e.flags["state-manager-root"] + "': it would never start (the real one waits forever)";
  }
  const std::string& binary = e.flags["topology-binary-file"];
  std::error_code ec;
  if (!fs::exists(binary, ec)) {
    return "the topology binary '" + binary + "' is not in the sandbox";
  }
  const std::string& type = e.flags["pkg-type"];
  if (type == "tar") {
    // _untar_if_needed: tar -xvf BINARY
    if (std::system(("tar -xf '" + binary + "' >/dev/null 2>&1").c_str()) != 0) {
      return "tar -xvf " + binary + " failed";
    }
  }
  if (type == "jar" || type == "tar") {
    const std::string& classpath = e.flags["classpath"];
    std::string jar;
    for (size_t at = 0; at <= classpath.size();) {
      size_t colon = classpath.find(':', at);
      if (colon == std::string::npos) colon = classpath.size();
      std::string entry = classpath.substr(at, colon - at);
      if (entry.size() > 4 && entry.compare(entry.size() - 4, 4, ".jar") == 0) {
        jar = entry;
        break;
      }
      at = colon + 1;
    }
    if (jar.empty() || !fs::exists(jar, ec)) {
      return "--classpath '" + classpath + "' names no topology jar in the sandbox" +
             (jar.empty() ? "" : " ('" + jar + "' is missing)");
    }
  }
  const std::string& defn = e.flags["topology-defn-file"];
  std::ifstream in(defn, std::ios::binary);
  if (!in) return "the .defn '" + defn + "' is not in the sandbox";
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto topology = hgo::heronmsg::ParseHeronMessage<heron::proto::api::Topology>(bytes.str(), defn);
  if (!topology.ok()) return topology.status().ToString();
  if (topology->name() != e.flags["topology-name"]) {
    return "the .defn names topology '" + topology->name() + "', not '" + e.flags["topology-name"] +
           "'";
  }
  return std::nullopt;
}

// The instance processes of this container (the executor's per-instance commands): every
// component must be in the RAM map, a JVM one with more than its reserved 192 MiB.
std::optional<std::string> CheckInstances(const Executor& e,
                                          const heron::proto::system::PackingPlan& plan) {
  const std::string& type = e.flags.at("pkg-type");
  for (const auto& container : plan.container_plans()) {
    if (container.id() != e.shard) continue;
    for (const auto& instance : container.instance_plans()) {
      auto ram = e.component_ram.find(instance.component_name());
      if (ram == e.component_ram.end()) {
        return "KeyError: '" + instance.component_name() + "' (--component-ram-map)";
      }
      const int64_t heap_mb = ram->second / (1024 * 1024) - 64 - 128;
      if ((type == "jar" || type == "tar") && heap_mb <= 0) {
        return "instance of " + instance.component_name() + ": -Xmx" + std::to_string(heap_mb) +
               "M: the JVM refuses to start";
      }
    }
  }
  return std::nullopt;
}

std::string ConfigValue(const heron::proto::api::Topology& t, const std::string& key) {
  for (const auto& kv : t.topology_config().kvs()) {
    if (kv.key() == key) return kv.value();
  }
  return "";
}

// Every value of key in the query, in order.
std::vector<std::string> QueryValues(const std::string& query, const std::string& key) {
  const std::string prefix = key + "=";
  std::vector<std::string> out;
  for (size_t at = 0; at <= query.size();) {
    size_t end = query.find('&', at);
    if (end == std::string::npos) end = query.size();
    std::string kv = query.substr(at, end - at);
    if (kv.rfind(prefix, 0) == 0) out.push_back(kv.substr(prefix.size()));
    at = end + 1;
  }
  return out;
}

std::string QueryValue(const std::string& query, const std::string& key) {
  auto values = QueryValues(query, key);
  return values.empty() ? "" : values.front();
}

// Heron's TController::ParseRuntimeConfig: each value split on ':', two parts for the topology
// (its reserved component "_topology_"), three for a component; anything else fails the request.
std::optional<std::map<std::string, std::string>> ParseRuntimeConfig(
    const std::vector<std::string>& values) {
  std::map<std::string, std::string> out;
  for (const auto& v : values) {
    const std::vector<std::string> parts = Split(v, ':');
    if (parts.size() == 2 || (parts.size() == 3 && parts[0] == "_topology_")) {
      out[parts[parts.size() - 2]] = parts.back();
    } else if (parts.size() == 3) {
      out[parts[0] + ":" + parts[1]] = parts[2];
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// Container 0's topology manager, as far as the controller and Heron's tools see it (Heron's
// tmanager.cpp, tcontroller.cpp and stats-interface.cpp):
// - stream managers register (here over HTTP, POST /standin/register_stmgr on the controller
//   port; Heron's own stream managers use its RPC on the server port);
// - once every container of packingplans/<name> has its stmgr-<id>, pplans/<name> is written:
//   the Topology (with its config and live state), one StMgr per container and every instance
//   of the packing plan (container_<id>_<component>_<task id>, its task id, component index
//   and stream manager); a new packing plan drops it until its containers have registered;
// - /activate and /deactivate flip the state in it; /get_current_physical_plan answers its
//   base64 (400 while a stream manager is absent); the stats port answers
//   /stmgrsregistrationsummary.
class TopologyManagerStandin {
 public:
  TopologyManagerStandin(hgo::statestore::HeronState& state, heron::proto::api::Topology topology)
      : state_(state), topology_(std::move(topology)) {}

  // Re-reads the packing plan and writes the physical plan when it is complete.
  hgo::Status Refresh() {
    auto bytes = state_.Read(HeronDir::kPackingPlans, topology_.name());
    if (!bytes.ok()) return bytes.status();
    heron::proto::system::PackingPlan packing;
    if (*bytes && !packing.ParseFromString(**bytes)) {
      return hgo::Status::InvalidArgument("packingplans/" + topology_.name() + " does not parse");
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (packing.SerializePartialAsString() != packing_.SerializePartialAsString()) {
      packing_ = std::move(packing);
      if (written_) {
        // Heron's topology manager drops the physical plan when the packing plan changes and
        // builds it again once the new plan's stream managers have registered.
        HGO_RETURN_IF_ERROR(state_.Remove(HeronDir::kPhysicalPlans, topology_.name()));
        written_ = false;
      }
    }
    return WriteIfComplete();
  }

  hgo::HttpReply HandleController(const hgo::HttpRequest& req) {
    if (req.path == "/standin/register_stmgr") return Register(req);
    const bool activate = req.path == "/activate";
    const bool get_plan = req.path == "/get_current_physical_plan";
    const bool runtime = req.path == "/runtime_config/update";
    if (!activate && !get_plan && !runtime && req.path != "/deactivate") {
      return hgo::HttpReply::Text(404, "no such path");
    }
    const std::string id = QueryValue(req.query, "topologyid");
    std::lock_guard<std::mutex> lock(mu_);
    if (id.empty()) return hgo::HttpReply::Text(400, "topologyid is missing");
    if (id != topology_.id()) return hgo::HttpReply::Text(400, "topologyid mismatch");
    if (get_plan) {
      if (!Absent().empty()) return hgo::HttpReply::Text(400, "a stream manager is absent");
      return hgo::HttpReply::Text(200, hgo::Base64Encode(PlanLocked().SerializeAsString()));
    }
    if (!written_) return hgo::HttpReply::Text(500, "no physical plan yet");
    if (runtime) return UpdateRuntimeConfig(req);
    const auto from = activate ? heron::proto::api::PAUSED : heron::proto::api::RUNNING;
    if (topology_.state() != from) {
      return hgo::HttpReply::Text(400, activate ? "topology not paused" : "topology not running");
    }
    topology_.set_state(activate ? heron::proto::api::RUNNING : heron::proto::api::PAUSED);
    hgo::Status s = Write();
    if (!s.ok()) return hgo::HttpReply::Text(500, s.ToString());
    std::printf("%s\n", activate ? "activated" : "deactivated");
    std::fflush(stdout);
    return hgo::HttpReply::Text(200, "ok");
  }

  hgo::HttpReply HandleStats(const hgo::HttpRequest& req) {
    if (req.path != "/stmgrsregistrationsummary") return hgo::HttpReply::Text(404, "no such path");
    heron::proto::tmanager::StmgrsRegistrationSummaryRequest request;
    if (!request.ParseFromString(req.body)) return hgo::HttpReply::Text(400, "bad request");
    heron::proto::tmanager::StmgrsRegistrationSummaryResponse response;
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, stmgr] : stmgrs_) response.add_registered_stmgrs(id);
    for (const auto& id : Absent()) response.add_absent_stmgrs(id);
    hgo::HttpReply reply;
    reply.body = response.SerializeAsString();
    reply.headers["Content-Type"] = "application/octet-stream";
    return reply;
  }

 private:
  // TController::HandleUpdateRuntimeConfigRequest and TManager::UpdateRuntimeConfig: the
  // entries become `key:runtime` kvs of the physical plan's topology or component (mu_ held).
  hgo::HttpReply UpdateRuntimeConfig(const hgo::HttpRequest& req) {
    const auto values = QueryValues(req.query, "runtime-config");
    if (values.empty()) return hgo::HttpReply::Text(400, "No runtime config is found.");
    auto entries = ParseRuntimeConfig(values);
    if (!entries) return hgo::HttpReply::Text(400, "Failed to parse runtime configs.");
    heron::proto::api::Topology updated = topology_;
    if (!hgo::heronmsg::SetRuntimeConfig(updated, *entries).ok()) {
      return hgo::HttpReply::Text(400, "Failed to validate runtime configs");
    }
    topology_ = std::move(updated);
    hgo::Status s = Write();
    if (!s.ok()) return hgo::HttpReply::Text(500, s.ToString());
    std::printf("runtime config updated: %zu entries\n", entries->size());
    std::fflush(stdout);
    return hgo::HttpReply::Text(200, "Runtime config updated");
  }

  hgo::HttpReply Register(const hgo::HttpRequest& req) {
    heron::proto::system::StMgr stmgr;
    stmgr.set_id(QueryValue(req.query, "id"));
    stmgr.set_host_name(QueryValue(req.query, "host"));
    stmgr.set_data_port(std::atoi(QueryValue(req.query, "data_port").c_str()));
    stmgr.set_local_endpoint("/unused");
    stmgr.set_cwd(QueryValue(req.query, "cwd"));
    stmgr.set_pid(std::atoi(QueryValue(req.query, "pid").c_str()));
    stmgr.set_shell_port(std::atoi(QueryValue(req.query, "shell_port").c_str()));
    stmgr.set_local_data_port(std::atoi(QueryValue(req.query, "local_data_port").c_str()));
    if (stmgr.id().rfind("stmgr-", 0) != 0) return hgo::HttpReply::Text(400, "bad stmgr id");
    std::lock_guard<std::mutex> lock(mu_);
    auto& known = stmgrs_[stmgr.id()];
    if (known.SerializePartialAsString() != stmgr.SerializePartialAsString()) {
      known = stmgr;
      if (written_) written_ = false;  // a stream manager came back: the plan is written again
    }
    hgo::Status s = WriteIfComplete();
    return s.ok() ? hgo::HttpReply::Text(200, "registered")
                  : hgo::HttpReply::Text(500, s.ToString());
  }

  // stmgr-<id> of every container of the packing plan that has not registered.
  std::vector<std::string> Absent() const {
    std::vector<std::string> absent;
    if (packing_.container_plans_size() == 0) absent.push_back("(no packing plan)");
    for (const auto& c : packing_.container_plans()) {
      const std::string id = "stmgr-" + std::to_string(c.id());
      if (!stmgrs_.count(id)) absent.push_back(id);
    }
    return absent;
  }

  heron::proto::system::PhysicalPlan PlanLocked() const {
    heron::proto::system::PhysicalPlan plan;
    *plan.mutable_topology() = topology_;
    for (const auto& c : packing_.container_plans()) {
      const std::string stmgr = "stmgr-" + std::to_string(c.id());
      if (auto it = stmgrs_.find(stmgr); it != stmgrs_.end()) *plan.add_stmgrs() = it->second;
      for (const auto& i : c.instance_plans()) {
        auto* instance = plan.add_instances();
        instance->set_instance_id("container_" + std::to_string(c.id()) + "_" + i.component_name() +
                                  "_" + std::to_string(i.task_id()));
        instance->set_stmgr_id(stmgr);
        instance->mutable_info()->set_task_id(i.task_id());
        instance->mutable_info()->set_component_index(i.component_index());
        instance->mutable_info()->set_component_name(i.component_name());
      }
    }
    return plan;
  }

  hgo::Status WriteIfComplete() {
    if (written_ || !Absent().empty()) return hgo::Status::Ok();
    HGO_RETURN_IF_ERROR(Write());
    written_ = true;
    std::printf("physical plan written with %d stream managers\n", packing_.container_plans_size());
    std::fflush(stdout);
    return hgo::Status::Ok();
  }

  hgo::Status Write() {
    return state_.Write(HeronDir::kPhysicalPlans, topology_.name(),
                        hgo::heronmsg::SerializeHeronMessage(PlanLocked()));
  }

  hgo::statestore::HeronState& state_;
  std::mutex mu_;
  heron::proto::api::Topology topology_;
  heron::proto::system::PackingPlan packing_;
  std::map<std::string, heron::proto::system::StMgr> stmgrs_;  // by id
  bool written_ = false;
};

// A worker container's stream manager registering with the topology manager that
// tmanagers/<name> advertises; again every second, so a restarted topology manager hears from
// it at once.
// A worker's stream manager: fetches the topology manager's location and registers with it.
// Returns why the container must die: as Heron's stmgr.cpp (OnTManagerLocationFetch) does, a
// location naming another topology name or id is fatal, whenever it is seen.
std::optional<std::string> RegisterStreamManager(hgo::statestore::HeronState& state,
                                                 const Executor& e) {
  const std::string& name = e.flags.at("topology-name");
  auto bytes = state.Read(HeronDir::kTManagers, name);
  if (!bytes.ok() || !*bytes) return std::nullopt;
  heron::proto::tmanager::TManagerLocation location;
  if (!location.ParseFromString(**bytes)) return std::nullopt;
  if (location.topology_name() != name || location.topology_id() != e.flags.at("topology-id")) {
    return "Topology name/id mismatch between stmgr and TManager: the topology manager runs " +
           location.topology_name() + " id " + location.topology_id() + ", this container " + name +
           " id " + e.flags.at("topology-id");
  }
  const std::string url = "http://" + location.host() + ":" +
                          std::to_string(location.controller_port()) +
                          "/standin/register_stmgr?id=stmgr-" + std::to_string(e.shard) +
                          "&host=127.0.0.1&data_port=" + e.flags.at("server-port") +
                          "&shell_port=" + e.flags.at("shell-port") +
                          "&local_data_port=" + e.flags.at("manager-controller-port") +
                          "&pid=" + std::to_string(::getpid()) + "&cwd=.";
  hgo::HttpFetchOptions options;
  options.timeout = std::chrono::milliseconds(2000);
  options.body = " ";
  (void)hgo::HttpFetch("POST", url, options);
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGTERM, OnTerm);
  Executor e;
  std::map<std::string, std::string>& flags = e.flags;
  std::string& manager = e.manager;
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
  if (auto bad = DecodeFlags(e)) return Fail(*bad);
  if (auto bad = CheckSandbox(e)) return Fail(*bad);
  const std::string name = flags["topology-name"];
  const int shard = e.shard;
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
  auto topology =
      hgo::heronmsg::ParseHeronMessage<heron::proto::api::Topology>(**bytes, "topologies/" + name);
  if (!topology.ok()) return Fail(topology.status().ToString());
  if (topology->id() != flags["topology-id"]) {
    return Fail("topology id mismatch: ZooKeeper has " + topology->id() + ", flags say " +
                flags["topology-id"]);
  }
  auto packing_bytes = state.Read(HeronDir::kPackingPlans, name);
  if (!packing_bytes.ok() || !*packing_bytes) return Fail("packingplans/" + name + " is missing");
  auto packing = hgo::heronmsg::ParseHeronMessage<heron::proto::system::PackingPlan>(
      **packing_bytes, "packingplans/" + name);
  if (!packing.ok()) return Fail(packing.status().ToString());
  if (auto bad = CheckInstances(e, *packing)) return Fail(*bad);
  const int crash_after = std::atoi(ConfigValue(*topology, "sim.crash.after.seconds").c_str());
  const bool hang = ConfigValue(*topology, "sim.hang") == "true";
  const int delay = std::atoi(ConfigValue(*topology, "sim.start.delay.seconds").c_str());
  const auto start = std::chrono::steady_clock::now();
  if (delay > 0) std::this_thread::sleep_for(std::chrono::seconds(delay));

  std::unique_ptr<TopologyManagerStandin> topology_manager;  // container 0's topology manager
  std::unique_ptr<hgo::HttpServer> controller_server;        // declared after: stops first
  std::unique_ptr<hgo::HttpServer> stats_server;
  if (shard == 0 && !hang) {
    heron::proto::tmanager::TManagerLocation location;
    location.set_topology_name(name);
    location.set_topology_id(topology->id());
    location.set_host("127.0.0.1");
    location.set_controller_port(std::atoi(flags["manager-controller-port"].c_str()));
    location.set_server_port(std::atoi(flags["server-port"].c_str()));
    location.set_stats_port(std::atoi(flags["manager-stats-port"].c_str()));
    // A topology manager that died left its ephemeral location until its session expires; the
    // new one retries until then, as Heron's does.
    auto created = (*zk)->Create(state.layout().NodePath(HeronDir::kTManagers, name),
                                 hgo::heronmsg::SerializeHeronMessage(location),
                                 hgo::statestore::CreateMode::kEphemeral);
    for (int i = 0;
         i < 120 && !g_stop && created.status().code() == hgo::StatusCode::kAlreadyExists; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      created = (*zk)->Create(state.layout().NodePath(HeronDir::kTManagers, name),
                              hgo::heronmsg::SerializeHeronMessage(location),
                              hgo::statestore::CreateMode::kEphemeral);
    }
    if (!created.ok())
      return Fail("cannot register the topology manager: " + created.status().ToString());
    std::printf("registered %s\n", created->c_str());
    std::fflush(stdout);
    topology_manager = std::make_unique<TopologyManagerStandin>(state, *topology);
    hgo::Status refreshed = topology_manager->Refresh();
    if (!refreshed.ok()) return Fail("cannot write the physical plan: " + refreshed.ToString());
    auto server = hgo::HttpServer::Start("127.0.0.1", location.controller_port(),
                                         [&topology_manager](const hgo::HttpRequest& req) {
                                           return topology_manager->HandleController(req);
                                         });
    if (!server.ok()) return Fail("controller port: " + server.status().ToString());
    controller_server = std::move(*server);
    auto stats = hgo::HttpServer::Start("127.0.0.1", location.stats_port(),
                                        [&topology_manager](const hgo::HttpRequest& req) {
                                          return topology_manager->HandleStats(req);
                                        });
    if (!stats.ok()) return Fail("stats port: " + stats.status().ToString());
    stats_server = std::move(*stats);
  }
  auto next_tick = std::chrono::steady_clock::now();
  while (!g_stop) {
    if (std::chrono::steady_clock::now() >= next_tick) {
      next_tick += std::chrono::seconds(1);
      if (topology_manager) {
        hgo::Status s = topology_manager->Refresh();
        if (!s.ok()) std::fprintf(stderr, "topology manager: %s\n", s.ToString().c_str());
      } else if (shard > 0) {
        if (auto fatal = RegisterStreamManager(state, e)) return Fail(*fatal);
      }
    }
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
