#include "testing/heron_cli.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "common/json.h"
#include "crd/heron_version.h"
#include "heron/defn.h"
#include "heron/messages.h"
#include "heron/packing.h"

namespace hgo::testing {

namespace {

using statestore::HeronDir;

std::string RandomUuid() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  char buf[40];
  const uint64_t a = gen(), b = gen();
  std::snprintf(
      buf, sizeof buf, "%08llx-%04llx-4%03llx-a%03llx-%012llx",
      static_cast<unsigned long long>(a >> 32), static_cast<unsigned long long>((a >> 16) & 0xffff),
      static_cast<unsigned long long>(a & 0xfff), static_cast<unsigned long long>(b >> 52),
      static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

// SchedulerUtils.addExecutorTopologyArgs, in its order (reference/heron-state.md §3.6).
std::string TopologyArguments(const crd::Topology& spec, const HeronCliOptions& o,
                              const std::string& id, const std::string& binary,
                              const std::string& ram_map, bool tmaster) {
  const std::string& name = spec.metadata.name;
  const std::vector<std::string> args = {
      "--topology-name=" + name,
      "--topology-id=" + id,
      "--topology-defn-file=" + name + ".defn",
      "--state-manager-connection=" + o.statemgr_connection,
      "--state-manager-root=" + o.statemgr_root,
      "--state-manager-config-file=./heron-conf/statemgr.yaml",
      tmaster ? "--tmaster-binary=./heron-core/bin/heron-tmaster"
              : "--tmanager-binary=./heron-core/bin/heron-tmanager",
      "--stmgr-binary=./heron-core/bin/heron-stmgr",
      "--metrics-manager-classpath=./heron-core/lib/metricsmgr/*",
      "--instance-jvm-opts=\"\"",
      "--classpath=" + binary,
      "--heron-internals-config-file=./heron-conf/heron_internals.yaml",
      "--override-config-file=./heron-conf/override.yaml",
      "--component-ram-map=" + ram_map,
      "--component-jvm-opts=\"\"",
      "--pkg-type=jar",
      "--topology-binary-file=" + binary,
      "--heron-java-home=" + o.java_home,
      "--heron-shell-binary=./heron-core/bin/heron-shell",
      "--cluster=" + spec.spec.cluster,
      "--role=" + spec.spec.role,
      "--environment=" + spec.spec.environment,
      "--instance-classpath=./heron-core/lib/instance/*",
      "--metrics-sinks-config-file=./heron-conf/metrics_sinks.yaml",
      "--scheduler-classpath=./heron-core/lib/scheduler/*:./heron-core/lib/packing/*:"
      "./heron-core/lib/statemgr/*",
      "--python-instance-binary=./heron-core/bin/heron-python-instance",
      "--cpp-instance-binary=./heron-core/bin/heron-cpp-instance",
      "--metricscache-manager-classpath=./heron-core/lib/metricscachemgr/*",
      "--metricscache-manager-mode=disabled",
      "--is-stateful=false",
      "--checkpoint-manager-classpath=./heron-core/lib/ckptmgr/*:"
      "./heron-core/lib/statefulstorage/*:",
      "--stateful-config-file=./heron-conf/stateful.yaml",
      "--checkpoint-manager-ram=1073741824",
      "--health-manager-mode=disabled",
      "--health-manager-classpath=./heron-core/lib/healthmgr/*",
  };
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

// heron.aurora as the Aurora client renders it into Thermos JSON.
std::string ThermosJson(const crd::Topology& spec, const std::string& core_uri,
                        const std::string& executor_cmdline, const packing::Resource& max) {
  auto process = [](const std::string& name, const std::string& cmdline, int max_failures) {
    Json p = Json::MakeObject();
    p["cmdline"] = Json(cmdline);
    p["daemon"] = Json(false);
    p["ephemeral"] = Json(false);
    p["final"] = Json(false);
    p["max_failures"] = Json(max_failures);
    p["min_duration"] = Json(5);
    p["name"] = Json(name);
    return p;
  };
  Json processes = Json::MakeArray();
  processes.push_back(
      process("fetch_heron_system",
              "curl " + core_uri + " -o heron-core.tar.gz && tar zxf heron-core.tar.gz", 1));
  processes.push_back(process(
      "fetch_user_package",
      "curl " + spec.spec.package.uri + " -o topology.tar.gz && tar zxf topology.tar.gz", 1));
  processes.push_back(process("launch_heron_executor", executor_cmdline, 1));
  processes.push_back(
      process("discover_profiler_port", "echo {{thermos.ports[yourkit]}} > yourkit.port", 1));
  Json order = Json::MakeArray();
  for (const char* n : {"fetch_heron_system", "fetch_user_package", "launch_heron_executor",
                        "discover_profiler_port"}) {
    order.push_back(Json(n));
  }
  Json task = Json::MakeObject();
  task["constraints"] = Json::MakeArray();
  Json constraint = Json::MakeObject();
  constraint["order"] = std::move(order);
  task["constraints"].push_back(std::move(constraint));
  task["finalization_wait"] = Json(30);
  task["max_concurrency"] = Json(0);
  task["max_failures"] = Json(1);
  task["name"] = Json("setup_and_run");
  task["processes"] = std::move(processes);
  task["resources"]["cpu"] = Json(max.cpu);
  task["resources"]["disk"] = Json(max.disk);
  task["resources"]["ram"] = Json(max.ram);
  Json job = Json::MakeObject();
  job["announce"]["primary_port"] = Json("http");
  job["announce"]["portmap"]["admin"] = Json("http");
  job["announce"]["portmap"]["health"] = Json("http");
  job["cluster"] = Json(spec.spec.cluster);
  job["environment"] = Json(spec.spec.environment);
  Json& health = job["health_check_config"];
  health["health_checker"]["http"]["endpoint"] = Json("/health");
  health["health_checker"]["http"]["expected_response"] = Json("ok");
  health["health_checker"]["http"]["expected_response_code"] = Json(200);
  health["initial_interval_secs"] = Json(30.0);
  health["interval_secs"] = Json(10.0);
  health["max_consecutive_failures"] = Json(2);
  health["timeout_secs"] = Json(5.0);
  job["max_task_failures"] = Json(1);
  job["name"] = Json(spec.metadata.name);
  job["priority"] = Json(0);
  job["production"] = Json(false);
  job["role"] = Json(spec.spec.role);
  job["service"] = Json(true);
  job["task"] = std::move(task);
  return Serialize(job);
}

}  // namespace

StatusOr<HeronCliSubmission> HeronCliSubmit(const crd::Topology& spec, const HeronCliOptions& o) {
  HeronCliSubmission out;
  const std::string& name = spec.metadata.name;
  out.topology_id = name + (o.uuid.empty() ? RandomUuid() : o.uuid);
  HGO_ASSIGN_OR_RETURN(packing::PackingPlan plan, packing::Pack(spec, out.topology_id));
  // AuroraScheduler.onSchedule makes the plan homogeneous before it writes it again.
  const packing::Resource max = plan.MaxRequired();
  for (auto& c : plan.containers) c.scheduled = max;
  const int containers = static_cast<int>(plan.containers.size());
  // getComponentRamDistribution walks a HashMap: its order is not the controller's.
  std::string ram_map;
  const auto ram = packing::ComponentRamDistribution(plan);
  for (auto it = ram.rbegin(); it != ram.rend(); ++it) {
    ram_map += (ram_map.empty() ? "" : ",") + it->first + ":" + std::to_string(it->second);
  }
  const bool tmaster = crd::UsesTMasterNames(o.heron_version);
  const std::string manager = tmaster ? "tmaster" : "tmanager";
  const std::string binary = name + ".jar";
  const std::string cmdline =
      "./heron-core/bin/heron-executor --shard={{mesos.instance}}"
      " --server-port={{thermos.ports[port1]}} --" +
      manager + "-controller-port={{thermos.ports[port2]}} --" + manager +
      "-stats-port={{thermos.ports[port3]}} --shell-port={{thermos.ports[http]}}"
      " --metrics-manager-port={{thermos.ports[port4]}} "
      "--scheduler-port={{thermos.ports[scheduler]}}"
      " --metricscache-manager-server-port={{thermos.ports[metricscachemgr_serverport]}}"
      " --metricscache-manager-stats-port={{thermos.ports[metricscachemgr_statsport]}}"
      " --checkpoint-manager-port={{thermos.ports[ckptmgr_port]}} " +
      TopologyArguments(spec, o, out.topology_id, binary, ram_map, tmaster);
  const std::string core =
      o.core_package_uri.empty() ? spec.spec.heron.core_package : o.core_package_uri;

  aurora::TaskConfig& task = out.job.task;
  task.job = aurora::JobKey{spec.spec.role, spec.spec.environment, name};
  task.owner = o.user;
  task.is_service = true;
  task.max_task_failures = 1;
  task.cpus = max.cpu;
  task.ram_mb = max.ram >> 20;
  task.disk_mb = max.disk >> 20;
  task.named_ports = {"port1",
                      "port2",
                      "port3",
                      "port4",
                      "http",
                      "scheduler",
                      "metricscachemgr_serverport",
                      "metricscachemgr_statsport",
                      "ckptmgr_port",
                      "yourkit"};
  task.executor_name = "AuroraExecutor";
  task.executor_data = ThermosJson(spec, core, cmdline, max);
  out.job.key = task.job;
  out.job.owner = o.user;
  out.job.instance_count = containers + 1;

  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  auto topology = heronmsg::ParseHeronMessage<heronmsg::hp_api::Topology>(
      heronmsg::DefnFromSpec(spec, out.topology_id, containers), "defn");
  if (!topology.ok()) return topology.status();
  out.before_job = {
      {HeronDir::kTopologies, heronmsg::SerializeHeronMessage(*topology)},
      {HeronDir::kPackingPlans,
       heronmsg::SerializeHeronMessage(heronmsg::PackingPlanToProto(plan))},
      {HeronDir::kExecutionState, heronmsg::SerializeHeronMessage(heronmsg::BuildExecutionState(
                                      spec, out.topology_id, {now_s, o.user, o.heron_version}))},
  };
  out.after_job = {HeronDir::kSchedulers,
                   heronmsg::SerializeHeronMessage(heronmsg::BuildSchedulerLocation(name, ""))};
  return out;
}

Status SubmitLikeHeronCli(const HeronCliSubmission& s, statestore::HeronStore& heron,
                          const std::string& statemgr_root, aurora::AuroraApi& aurora) {
  const statestore::HeronLayout layout{statemgr_root, false};
  HGO_RETURN_IF_ERROR(heron.EnsureTree(layout));
  const std::string& name = s.job.key.name;
  for (const auto& [dir, bytes] : s.before_job) {
    HGO_RETURN_IF_ERROR(heron.Write(layout, dir, name, bytes));
  }
  HGO_RETURN_IF_ERROR(aurora.CreateJob(s.job));
  return heron.Write(layout, s.after_job.first, name, s.after_job.second);
}

}  // namespace hgo::testing
