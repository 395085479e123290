// What `heron submit` leaves on Aurora and in ZooKeeper, for tests of adoption: a topology
// submitted before the controller, made independently of the controller's job builder from
// Heron's own sources (reference/heron-state.md §3.4–3.6):
// - the topology id is the name followed by a random UUID (SubmitterMain);
// - the nodes are written in LaunchRunner's order: topologies (the .defn's Topology, no
//   serialized objects), packingplans (AuroraScheduler's homogeneous plan, every container
//   scheduled at the maximum), executionstate (the submitting user); then the job is created;
//   then schedulers/<name> (LauncherUtils.onScheduleAsLibrary, library mode);
// - the job is heron.aurora rendered by AuroraLauncher: owned by the submitting user, no
//   metadata and no tier (the template binds none), the processes fetch with plain
//   `curl URI -o FILE`, launch_heron_executor runs with the flags of
//   SchedulerUtils.addExecutorTopologyArgs in their order (empty JVM options as ""),
//   the Announcer and the HTTP health check on heron-shell's port.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "aurora/aurora_api.h"
#include "aurora/types.h"
#include "common/status.h"
#include "crd/topology.h"
#include "statestore/heron_store.h"

namespace hgo::testing {

struct HeronCliOptions {
  std::string user = "alice";  // who ran heron submit: the job's owner, submission_user
  std::string statemgr_connection;
  std::string statemgr_root = "/heron";
  std::string java_home = "/usr/lib/jvm/java-1.8.0-openjdk-amd64/";
  std::string heron_version = "0.20.5-incubating";
  std::string core_package_uri;  // "" = spec.heron.corePackage
  std::string uuid;              // the topology id's suffix; random when empty
};

struct HeronCliSubmission {
  std::string topology_id;
  aurora::JobConfig job;
  // Heron's nodes in the order heron submit writes them: before the job, and after it.
  std::vector<std::pair<statestore::HeronDir, std::string>> before_job;
  std::pair<statestore::HeronDir, std::string> after_job;
};

// The submission of spec (its name, key, package, logical plan, packing and resources) as
// heron-cli makes it.
StatusOr<HeronCliSubmission> HeronCliSubmit(const crd::Topology& spec,
                                            const HeronCliOptions& options = {});

// Writes the nodes and creates the job in heron submit's order.
Status SubmitLikeHeronCli(const HeronCliSubmission& submission, statestore::HeronStore& heron,
                          const std::string& statemgr_root, aurora::AuroraApi& aurora);

}  // namespace hgo::testing
