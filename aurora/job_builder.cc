#include "aurora/job_builder.h"

#include <algorithm>
#include <atomic>

#include "aurora/codec.h"
#include "common/base64.h"
#include "common/json.h"
#include "common/sha256.h"
#include "crd/canonical.h"
#include "crd/heron_version.h"

namespace hgo::aurora {

namespace {

constexpr int64_t kMiB = 1024 * 1024;

// The ten named ports of Heron's Aurora template.
const std::vector<std::string>& HeronPorts() {
  static const std::vector<std::string> ports = {"ckptmgr_port",
                                                 "http",
                                                 "metricscachemgr_serverport",
                                                 "metricscachemgr_statsport",
                                                 "port1",
                                                 "port2",
                                                 "port3",
                                                 "port4",
                                                 "scheduler",
                                                 "yourkit"};
  return ports;
}

// A shell word: single quotes, with embedded single quotes closed and reopened.
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

std::string OptionsOf(const Json& entry) {
  const Json* options = entry.Find("options");
  if (!options) return "";
  if (options->is_string()) return options->as_string();
  std::string out;
  if (options->is_array()) {
    for (const auto& o : options->as_array()) {
      if (!o.is_string()) continue;
      if (!out.empty()) out += " ";
      out += o.as_string();
    }
  }
  return out;
}

// --component-jvm-opts: base64 of a JSON map base64(component) -> base64(options).
std::string ComponentJvmOptions(const crd::Topology& t) {
  Json map = Json::MakeObject();
  if (const Json* list = t.spec.topology.config.Find("topology.component.jvmoptions");
      list && list->is_array()) {
    for (const auto& entry : list->as_array()) {
      const Json* id = entry.Find("id");
      if (id && id->is_string())
        map[Base64Encode(id->as_string())] = Json(Base64Encode(OptionsOf(entry)));
    }
  }
  return EncodeJvmOptions(Serialize(map));
}

std::string HeronVersion(const crd::Topology& t, const ClusterConfig& c) {
  return t.spec.heron.version.empty() ? c.heron_version : t.spec.heron.version;
}

std::string Tier(const crd::Topology& t, const ClusterConfig& c) {
  if (!c.tier.empty()) return c.tier;
  return t.spec.environment == "prod" ? "preferred" : "preemptible";
}

}  // namespace

std::string EncodeJvmOptions(const std::string& options) {
  std::string encoded = Base64Encode(options);
  std::string out = "\"";
  for (char ch : encoded) {
    if (ch == '=') {
      out += "(61)";
    } else {
      out.push_back(ch);
    }
  }
  return out + "\"";
}

std::string TopologyClassPath(const std::string& binary, const std::string& additional) {
  std::string classpath;
  if (binary.size() >= 4 && binary.compare(binary.size() - 4, 4, ".jar") == 0) {
    classpath = binary;
  } else {
    std::string base = binary;
    for (const char* ext : {".tar.gz", ".tar"}) {
      const std::string e = ext;
      if (base.size() > e.size() && base.compare(base.size() - e.size(), e.size(), e) == 0) {
        base.resize(base.size() - e.size());
        break;
      }
    }
    classpath = "libs/*:" + base + ".jar";
  }
  if (!additional.empty()) classpath += ":" + additional;
  return classpath;
}

namespace {

std::string BinaryOf(const crd::Topology& t, const JobInputs& in) {
  return in.topology_binary.empty() ? t.metadata.name + ".jar" : in.topology_binary;
}

std::string PackageTypeOf(const crd::Topology& t, const JobInputs& in) {
  if (!in.package_type.empty()) return in.package_type;
  const std::string binary = BinaryOf(t, in);
  for (const char* ext : {"jar", "tar", "pex", "so", "dylib"}) {
    const std::string e = std::string(".") + ext;
    if (binary.size() > e.size() && binary.compare(binary.size() - e.size(), e.size(), e) == 0) {
      return ext;
    }
  }
  return binary.size() > 7 && binary.compare(binary.size() - 7, 7, ".tar.gz") == 0 ? "tar" : "jar";
}

}  // namespace

std::vector<std::string> ExecutorTopologyFlags(const crd::Topology& t, const ClusterConfig& c,
                                               const JobInputs& in) {
  const bool tmaster = crd::UsesTMasterNames(HeronVersion(t, c));
  const std::string& name = t.metadata.name;
  const std::string binary = BinaryOf(t, in);
  const std::string defn = in.defn_file.empty() ? name + ".defn" : in.defn_file;
  const std::string classpath =
      TopologyClassPath(binary, crd::ConfigText(t, "topology.additional.classpath"));
  std::string ram_map;
  for (const auto& [component, bytes] : in.component_ram) {
    ram_map += (ram_map.empty() ? "" : ",") + component + ":" + std::to_string(bytes);
  }
  const bool stateful = crd::ConfigText(t, "topology.reliability.mode") == "EFFECTIVELY_ONCE";
  std::string ckptmgr_ram = crd::ConfigText(t, "topology.stateful.checkpointmanager.ram");
  if (ckptmgr_ram.empty()) ckptmgr_ram = std::to_string(int64_t{1} << 30);
  return {
      "--topology-name=" + name,
      "--topology-id=" + in.topology_id,
      "--topology-defn-file=" + defn,
      "--state-manager-connection=" + c.statemgr_connection,
      "--state-manager-root=" + c.statemgr_root,
      "--state-manager-config-file=./heron-conf/statemgr.yaml",
      std::string(tmaster ? "--tmaster-binary=./heron-core/bin/heron-tmaster"
                          : "--tmanager-binary=./heron-core/bin/heron-tmanager"),
      "--stmgr-binary=./heron-core/bin/heron-stmgr",
      "--metrics-manager-classpath=./heron-core/lib/metricsmgr/*",
      "--instance-jvm-opts=" + EncodeJvmOptions(crd::ConfigText(t, "topology.worker.childopts")),
      "--classpath=" + classpath,
      "--heron-internals-config-file=./heron-conf/heron_internals.yaml",
      "--override-config-file=./heron-conf/override.yaml",
      "--component-ram-map=" + ram_map,
      "--component-jvm-opts=" + ComponentJvmOptions(t),
      "--pkg-type=" + PackageTypeOf(t, in),
      "--topology-binary-file=" + binary,
      "--heron-java-home=" + c.java_home,
      "--heron-shell-binary=./heron-core/bin/heron-shell",
      "--cluster=" + t.spec.cluster,
      "--role=" + t.spec.role,
      "--environment=" + t.spec.environment,
      "--instance-classpath=./heron-core/lib/instance/*",
      "--metrics-sinks-config-file=./heron-conf/metrics_sinks.yaml",
      "--scheduler-classpath=./heron-core/lib/scheduler/*:./heron-core/lib/packing/*:"
      "./heron-core/lib/statemgr/*",
      "--python-instance-binary=./heron-core/bin/heron-python-instance",
      "--cpp-instance-binary=./heron-core/bin/heron-cpp-instance",
      "--metricscache-manager-classpath=./heron-core/lib/metricscachemgr/*",
      "--metricscache-manager-mode=disabled",
      std::string("--is-stateful=") + (stateful ? "true" : "false"),
      "--checkpoint-manager-classpath=./heron-core/lib/ckptmgr/*:"
      "./heron-core/lib/statefulstorage/*:",
      "--stateful-config-file=./heron-conf/stateful.yaml",
      "--checkpoint-manager-ram=" + ckptmgr_ram,
      "--health-manager-mode=disabled",
      "--health-manager-classpath=./heron-core/lib/healthmgr/*",
  };
}

std::string ExecutorCommandLine(const crd::Topology& t, const ClusterConfig& c,
                                const JobInputs& in) {
  const bool tmaster = crd::UsesTMasterNames(HeronVersion(t, c));
  const std::string manager = tmaster ? "tmaster" : "tmanager";
  std::string cmd = "./heron-core/bin/heron-executor --shard={{mesos.instance}}";
  cmd += " --server-port={{thermos.ports[port1]}}";
  cmd += " --" + manager + "-controller-port={{thermos.ports[port2]}}";
  cmd += " --" + manager + "-stats-port={{thermos.ports[port3]}}";
  cmd += " --shell-port={{thermos.ports[http]}}";
  cmd += " --metrics-manager-port={{thermos.ports[port4]}}";
  cmd += " --scheduler-port={{thermos.ports[scheduler]}}";
  cmd += " --metricscache-manager-server-port={{thermos.ports[metricscachemgr_serverport]}}";
  cmd += " --metricscache-manager-stats-port={{thermos.ports[metricscachemgr_statsport]}}";
  cmd += " --checkpoint-manager-port={{thermos.ports[ckptmgr_port]}}";
  for (const auto& flag : ExecutorTopologyFlags(t, c, in)) cmd += " " + flag;
  return cmd;
}

std::string ThermosJson(const crd::Topology& t, const ClusterConfig& c, const JobInputs& in) {
  const std::string core =
      t.spec.heron.core_package.empty() ? c.core_package_uri : t.spec.heron.core_package;
  auto process = [](const std::string& name, const std::string& cmdline) {
    Json p = Json::MakeObject();
    p["cmdline"] = Json(cmdline);
    p["daemon"] = Json(false);
    p["ephemeral"] = Json(false);
    p["final"] = Json(false);
    p["max_failures"] = Json(1);
    p["min_duration"] = Json(5);
    p["name"] = Json(name);
    return p;
  };
  Json processes = Json::MakeArray();
  processes.push_back(
      process("fetch_heron_system",
              "curl -sSfL " + Quote(core) + " -o heron-core.tar.gz && tar zxf heron-core.tar.gz"));
  processes.push_back(
      process("fetch_user_package", "curl -sSfL " + Quote(t.spec.package.uri) +
                                        " -o topology.tar.gz && echo " +
                                        Quote(t.spec.package.sha256 + "  topology.tar.gz") +
                                        " | sha256sum -c - && tar zxf topology.tar.gz"));
  processes.push_back(process("launch_heron_executor", ExecutorCommandLine(t, c, in)));
  processes.push_back(
      process("discover_profiler_port", "echo {{thermos.ports[yourkit]}} > yourkit.port"));
  Json order = Json::MakeArray();
  for (const char* n : {"fetch_heron_system", "fetch_user_package", "launch_heron_executor",
                        "discover_profiler_port"}) {
    order.push_back(Json(n));
  }
  Json constraint = Json::MakeObject();
  constraint["order"] = std::move(order);
  Json constraints = Json::MakeArray();
  constraints.push_back(std::move(constraint));

  Json task = Json::MakeObject();
  task["constraints"] = std::move(constraints);
  task["finalization_wait"] = Json(30);
  task["max_concurrency"] = Json(0);
  task["max_failures"] = Json(1);
  task["name"] = Json("setup_and_run");
  task["processes"] = std::move(processes);
  task["resources"]["cpu"] = Json(in.resources.cpus);
  task["resources"]["disk"] = Json(in.resources.disk_bytes);
  task["resources"]["gpu"] = Json(0);
  task["resources"]["ram"] = Json(in.resources.ram_bytes);

  Json job = Json::MakeObject();
  job["announce"]["primary_port"] = Json("http");
  job["announce"]["portmap"]["admin"] = Json("http");
  job["announce"]["portmap"]["health"] = Json("http");
  job["cluster"] = Json(t.spec.cluster);
  job["cron_collision_policy"] = Json("KILL_EXISTING");
  job["enable_hooks"] = Json(false);
  job["environment"] = Json(t.spec.environment);
  job["executor_config"]["data"] = Json("");
  job["executor_config"]["name"] = Json("AuroraExecutor");
  Json& health = job["health_check_config"];
  health["health_checker"]["http"]["endpoint"] = Json("/health");
  health["health_checker"]["http"]["expected_response"] = Json("ok");
  health["health_checker"]["http"]["expected_response_code"] = Json(200);
  health["initial_interval_secs"] = Json(30.0);
  health["interval_secs"] = Json(10.0);
  health["max_consecutive_failures"] = Json(2);
  health["min_consecutive_successes"] = Json(1);
  health["timeout_secs"] = Json(5.0);
  Json& lifecycle = job["lifecycle"]["http"];
  lifecycle["graceful_shutdown_endpoint"] = Json("/quitquitquit");
  lifecycle["graceful_shutdown_wait_secs"] = Json(5);
  lifecycle["port"] = Json("health");
  lifecycle["shutdown_endpoint"] = Json("/abortabortabort");
  lifecycle["shutdown_wait_secs"] = Json(5);
  job["max_task_failures"] = Json(1);
  job["metadata"] = Json::MakeArray();
  job["name"] = Json(t.metadata.name);
  job["priority"] = Json(0);
  job["production"] = Json(Tier(t, c) == "preferred");
  job["role"] = Json(t.spec.role);
  job["service"] = Json(true);
  job["task"] = std::move(task);
  job["tier"] = Json(Tier(t, c));
  return Serialize(job);
}

namespace {
std::atomic<uint64_t> job_builds{0};
constexpr char kPlaceholderIdFlag[] = " --topology-id=- ";  // JobHash's placeholder id
}  // namespace

uint64_t JobBuildsSoFar() { return job_builds.load(); }

StatusOr<JobConfig> BuildJob(const crd::Topology& t, const ClusterConfig& c, const JobInputs& in) {
  ++job_builds;
  if (in.topology_id.empty()) return Status::InvalidArgument("job builder: no topology id");
  if (in.containers < 1) return Status::InvalidArgument("job builder: no containers");
  if (in.resources.cpus <= 0 || in.resources.ram_bytes < kMiB || in.resources.disk_bytes < kMiB) {
    return Status::InvalidArgument("job builder: container resources must be positive");
  }
  // Heron's executor looks every component up in --component-ram-map; an empty map does not
  // even parse there.
  std::vector<std::string> components;
  for (const auto& c : t.spec.topology.spouts) components.push_back(c.id);
  for (const auto& c : t.spec.topology.bolts) components.push_back(c.id);
  for (const std::string& component : components) {
    auto ram = in.component_ram.find(component);
    if (ram == in.component_ram.end()) {
      return Status::InvalidArgument("job builder: component '" + component +
                                     "' has no RAM in the component RAM map");
    }
    const std::string type = PackageTypeOf(t, in);
    if ((type == "jar" || type == "tar") && ram->second <= kJvmInstanceReservedBytes) {
      return Status::InvalidArgument(
          "component '" + component + "' gets " + std::to_string(ram->second / kMiB) +
          " MiB per instance; a JVM instance needs more than 192 MiB (Heron reserves 64 MiB of "
          "code cache and 128 MiB of metaspace from it)");
    }
  }
  const std::string core =
      t.spec.heron.core_package.empty() ? c.core_package_uri : t.spec.heron.core_package;
  if (core.empty()) {
    return Status::InvalidArgument("cluster " + c.name +
                                   " has no heron-core package and the spec names none "
                                   "(spec.heron.corePackage)");
  }
  JobConfig job;
  job.key = JobKey{t.spec.role, t.spec.environment, t.metadata.name};
  job.owner = c.owner;
  job.instance_count = in.containers + 1;
  TaskConfig& task = job.task;
  task.job = job.key;
  task.owner = c.owner;
  task.is_service = true;
  task.max_task_failures = 1;
  task.tier = Tier(t, c);
  if (const auto& sla = t.spec.update.sla_policy) {
    task.sla_kind =
        sla->percentage ? TaskConfig::SlaKind::kPercentage : TaskConfig::SlaKind::kCount;
    task.sla_percentage = sla->percentage.value_or(0);
    task.sla_count = sla->count.value_or(0);
    task.sla_duration_secs = sla->duration_seconds;
  }
  task.cpus = in.resources.cpus;
  // Aurora counts MiB; round up so the container never gets less than the plan asked for.
  task.ram_mb = (in.resources.ram_bytes + kMiB - 1) / kMiB;
  task.disk_mb = (in.resources.disk_bytes + kMiB - 1) / kMiB;
  task.named_ports = {HeronPorts().begin(), HeronPorts().end()};
  for (const auto& [name, value] : t.spec.constraints) {
    Constraint constraint;
    constraint.name = name;
    crd::ConstraintSpec parsed = crd::ParseConstraint(value);  // validated by crd
    if (parsed.limit) {
      constraint.limit = *parsed.limit;
    } else {
      constraint.negated = parsed.negated;
      for (auto& v : parsed.values) {
        if (!v.empty()) constraint.values.push_back(std::move(v));
      }
      std::sort(constraint.values.begin(), constraint.values.end());
    }
    task.constraints.push_back(std::move(constraint));
  }
  std::sort(task.constraints.begin(), task.constraints.end());
  task.executor_data = ThermosJson(t, c, in);
  task.metadata[kMetaTaskHash] = crd::TaskHash(t);
  if (!in.job_hash.empty()) task.metadata[kMetaJobHash] = in.job_hash;
  if (!in.topology_id.empty()) task.metadata[kMetaTopologyId] = in.topology_id;
  return job;
}

StatusOr<HashedJob> BuildHashedJob(const crd::Topology& t, const ClusterConfig& c, JobInputs in) {
  in.topology_id = "-";  // a placeholder: the id is derived from this hash
  in.job_hash.clear();
  in.containers = 1;  // the instance count is not part of the task
  HashedJob out;
  HGO_ASSIGN_OR_RETURN(out.job, BuildJob(t, c, in));
  out.job.task.metadata.erase(kMetaJobHash);
  out.job.task.metadata.erase(kMetaTopologyId);
  out.hash = Sha256Hex(SerializeThrift(ToThrift(out.job.task), WireProtocol::kBinary));
  return out;
}

std::string LiveTaskHash(const TaskConfig& task) {
  return "live-" + Sha256Hex(SerializeThrift(ToThrift(task), WireProtocol::kBinary));
}

bool IsLiveTaskHash(const std::string& hash) { return hash.rfind("live-", 0) == 0; }

StatusOr<std::string> JobHash(const crd::Topology& t, const ClusterConfig& c, JobInputs in) {
  HGO_ASSIGN_OR_RETURN(HashedJob hashed, BuildHashedJob(t, c, std::move(in)));
  return hashed.hash;
}

StatusOr<JobConfig> WithTopologyId(JobConfig job, const JobInputs& in) {
  if (in.topology_id.empty()) return Status::InvalidArgument("job builder: no topology id");
  if (in.containers < 1) return Status::InvalidArgument("job builder: no containers");
  // The id is in the executor's command line (ExecutorTopologyFlags, between --topology-name
  // and --topology-defn-file) and in the metadata.
  std::string& data = job.task.executor_data;
  const size_t at = data.find(kPlaceholderIdFlag);
  if (at == std::string::npos || data.find(kPlaceholderIdFlag, at + 1) != std::string::npos) {
    return Status::Internal(
        "job builder: the placeholder topology id is not in the command line "
        "exactly once");
  }
  data.replace(at, sizeof kPlaceholderIdFlag - 1, " --topology-id=" + in.topology_id + " ");
  job.instance_count = in.containers + 1;
  if (!in.job_hash.empty()) job.task.metadata[kMetaJobHash] = in.job_hash;
  job.task.metadata[kMetaTopologyId] = in.topology_id;
  return job;
}

StatusOr<UpdateRequest> BuildUpdate(const crd::Topology& t, const ClusterConfig& c,
                                    const JobInputs& in) {
  HGO_ASSIGN_OR_RETURN(JobConfig job, BuildJob(t, c, in));
  return UpdateOfJob(t, std::move(job), in);
}

UpdateRequest UpdateOfJob(const crd::Topology& t, JobConfig job, const JobInputs& in) {
  const crd::UpdateSpec& u = t.spec.update;
  UpdateRequest r;
  r.task = std::move(job.task);
  r.instance_count = job.instance_count;
  r.settings.group_size = u.batch_size;
  r.settings.max_per_instance_failures = u.max_per_instance_failures;
  r.settings.max_failed_instances = u.max_failed_instances;
  r.settings.min_wait_in_running_ms = u.min_wait_in_running_seconds * 1000;
  r.settings.rollback_on_failure = u.rollback_on_failure;
  r.settings.sla_aware = u.sla_aware;
  r.settings.wait_for_batch_completion = false;
  if (!in.spec_hash.empty()) r.metadata[kMetaSpecHash] = in.spec_hash;
  if (!in.source_revision.empty()) r.metadata[kMetaSourceRevision] = in.source_revision;
  r.metadata[kMetaJobHash] = in.job_hash;
  return r;
}

}  // namespace hgo::aurora
