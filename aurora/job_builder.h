// The job builder: a Topology spec plus the cluster's settings become the Aurora job that Heron's
// own `heron submit` would create from its heron.aurora template
// (heron/config/src/yaml/conf/aurora/heron.aurora, filled by
// AuroraScheduler.createAuroraProperties).
//
// - Instance 0 runs the topology manager, instance k >= 1 packing-plan container k; every
//   instance gets the same resources (the per-dimension maximum of the plan's containers).
// - The Thermos JSON (TaskConfig.executorConfig.data) has the template's processes in order:
//   fetch_heron_system, fetch_user_package (which also checks the package's sha256),
//   launch_heron_executor with every executor flag of the Heron release, discover_profiler_port;
//   the ten named ports; the announcer and the HTTP health check on the heron-shell port.
// - Bytes are stable: keys sorted, numbers in one format, so an unchanged spec never looks like
//   a new config to Aurora (which would restart every instance).
// - Task metadata carries only what shapes the task: the spec's task hash (crd::TaskHash: what
//   runs in a container, so a config change restarts containers even where the command line
//   does not show it), the job hash (below) and the topology id.
//   The spec hash and the source revision go in the update's metadata instead: anything in the
//   TaskConfig is part of Aurora's equality, and a new commit or a parallelism change must not
//   restart containers whose task did not change.
//
// The job hash is the hash of the TaskConfig built with a placeholder topology id, without the
// job hash and topology id metadata:
// equal for two specs exactly when Aurora would see the same task (a scale that changes only
// parallelism or the container count keeps it). The controller derives the topology id from it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "aurora/types.h"
#include "common/status.h"
#include "crd/topology.h"

namespace hgo::aurora {

// A cluster's settings (from the controller's clusters file).
struct ClusterConfig {
  std::string name;                                 // "devcluster"
  std::string owner = "heron";                      // Identity.user of every job; keep it constant
  std::string heron_version = "0.20.5-incubating";  // when the spec names none
  std::string core_package_uri;                     // heron-core tarball, when the spec names none
  std::string statemgr_connection;  // ZooKeeper "host:port,..." as the executors see it
  std::string statemgr_root = "/heron";
  std::string java_home = "/usr/lib/jvm/java-1.8.0-openjdk-amd64/";
  std::string tier;               // empty: preferred for prod, preemptible otherwise
  std::string job_link_template;  // e.g. "http://aurora:8081/scheduler/{role}/{env}/{name}"
};

// Per-container resources of the job (the maximum over the packing plan's containers).
struct ContainerResources {
  double cpus = 1;
  int64_t ram_bytes = 0;
  int64_t disk_bytes = 0;
};

// What the controller decided for this revision.
struct JobInputs {
  std::string topology_id;  // changes with every revision, as heron submit's does
  int32_t containers = 1;   // packing-plan containers (Aurora instances = containers + 1)
  ContainerResources resources;
  // component -> bytes per instance, every component of the topology: heron-cli passes the
  // packing plan's (PackingPlan.getComponentRamDistribution); see ComponentRamOf.
  std::map<std::string, int64_t> component_ram;
  std::string job_hash;         // JobHash() of these inputs; goes in the task metadata
  std::string spec_hash;        // update metadata only
  std::string source_revision;  // update metadata only
  std::string defn_file;        // basename in the package, default "<name>.defn"
  std::string topology_binary;  // basename in the package, default "<name>.jar"
  std::string package_type;     // --pkg-type: jar, tar, pex, so, dylib; default from the name
};

// A JVM instance's heap is its component's RAM less 64 MiB of code cache and 128 MiB of
// metaspace (heron_executor.py _get_jvm_instance_options): at or below this the JVM refuses to
// start with a negative -Xmx.
inline constexpr int64_t kJvmInstanceReservedBytes = int64_t{192} << 20;

// Heron's classpath for the topology's instances (TopologyUtils.makeClassPath): the jar itself,
// or libs/*:<base>.jar for a tar, then topology.additional.classpath.
std::string TopologyClassPath(const std::string& binary, const std::string& additional);

// Metadata keys the controller reads back from live jobs.
inline constexpr char kMetaJobHash[] = "heron-gitops/job-hash";
inline constexpr char kMetaTaskHash[] = "heron-gitops/task-hash";  // crd::TaskHash
inline constexpr char kMetaSpecHash[] = "heron-gitops/spec-hash";
inline constexpr char kMetaSourceRevision[] = "heron-gitops/source-revision";
inline constexpr char kMetaTopologyId[] = "heron-gitops/topology-id";

// The executor flags that are the same for every container, in Heron's order.
std::vector<std::string> ExecutorTopologyFlags(const crd::Topology& t, const ClusterConfig& c,
                                               const JobInputs& in);
// launch_heron_executor's command line (per-container flags use Thermos port templates).
std::string ExecutorCommandLine(const crd::Topology& t, const ClusterConfig& c,
                                const JobInputs& in);
// TaskConfig.executorConfig.data.
std::string ThermosJson(const crd::Topology& t, const ClusterConfig& c, const JobInputs& in);
// The hash of the task this spec makes, without topology id and metadata (see above).
StatusOr<std::string> JobHash(const crd::Topology& t, const ClusterConfig& c, JobInputs in);
// The job JobHash builds (placeholder topology id, one container, no id or hash metadata) and
// its hash, so that the wire job can be made from it by WithTopologyId without a second build.
struct HashedJob {
  JobConfig job;
  std::string hash;
};
StatusOr<HashedJob> BuildHashedJob(const crd::Topology& t, const ClusterConfig& c, JobInputs in);
// The wire job from a hashed one: in's topology id, containers and job hash set where BuildJob
// sets them. Equal to BuildJob(t, c, in) for the inputs the hashed job was built from; kInternal
// if the placeholder flag is not found exactly once (the caller then builds the job whole).
StatusOr<JobConfig> WithTopologyId(JobConfig hashed, const JobInputs& in);
// The whole job. kInvalidArgument when the inputs cannot make a valid job (among others: a
// component missing from the RAM map, or a JVM component at or below the reserved RAM).
StatusOr<JobConfig> BuildJob(const crd::Topology& t, const ClusterConfig& c, const JobInputs& in);
// The same job as an update request with the spec's update settings.
StatusOr<UpdateRequest> BuildUpdate(const crd::Topology& t, const ClusterConfig& c,
                                    const JobInputs& in);
// An update request for a job already built (BuildJob or WithTopologyId) from t and in.
UpdateRequest UpdateOfJob(const crd::Topology& t, JobConfig job, const JobInputs& in);
// The identity of a live task the controller did not build (a job without its job-hash
// metadata, e.g. heron-cli's), read whole (getTasksStatus): "live-" and the sha256 of its
// TaskConfig. It stands for the task's job hash once the controller adopted the job: the
// instances of one job with one config share it; any other config has another.
std::string LiveTaskHash(const TaskConfig& task);
bool IsLiveTaskHash(const std::string& hash);

// BuildJob calls so far in this process (each builds the Thermos JSON): for tests and
// benchmarks that count how often a pass builds a job.
uint64_t JobBuildsSoFar();

// Heron's encoding of JVM options for executor flags: base64, in double quotes, '=' as "(61)".
std::string EncodeJvmOptions(const std::string& options);

}  // namespace hgo::aurora
