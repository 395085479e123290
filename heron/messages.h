// Building Heron's ZooKeeper messages from our types, and reading them back.
//
// What we write is what Heron's own submitter writes: the trimmed Topology (no serialized
// objects), the ExecutionState, the PackingPlan with homogeneous scheduled resources, and the
// SchedulerLocation of a library-mode scheduler (Aurora). Pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"
#include "crd/topology.h"
#include "heron/packing.h"
#include "heron/proto/execution_state.pb.h"
#include "heron/proto/packing_plan.pb.h"
#include "heron/proto/physical_plan.pb.h"
#include "heron/proto/scheduler.pb.h"
#include "heron/proto/tmanager.pb.h"
#include "heron/proto/topology.pb.h"

namespace hgo::heronmsg {

namespace hp_api = heron::proto::api;
namespace hp_system = heron::proto::system;

// ECO's grouping as Heron's enum (GLOBAL is Heron's LOWEST).
hp_api::Grouping ToProtoGrouping(crd::GroupingType g);

// The topology config the spec sets explicitly (its `config:` map, as strings, and the
// component RAM map from its resources); these override what a package's .defn says.
std::map<std::string, std::string> SpecConfigOverrides(const crd::Topology& t);
// What the controller always sets: topology.stmgrs (the container count), name, team, env,
// and (when given) heron-gitops.spec-hash, the revision the state was written for, which the
// controller reads back to know whether Heron's state is current.
inline constexpr char kSpecHashConfigKey[] = "heron-gitops.spec-hash";
std::map<std::string, std::string> ControllerConfig(const crd::Topology& t, int containers,
                                                    const std::string& spec_hash = "");

// The logical plan from the spec's ECO section. Config values become STRING_VALUE entries
// (every key Heron parses is read as a string); the Java API's defaults are added when the spec
// does not set them; topology.stmgrs is the container count; each component's parallelism is
// in its own config. Stream schemas list the fields that FIELDS groupings use. Entries are in a
// stable order, so the bytes are the same for the same spec.
hp_api::Topology BuildTopology(const crd::Topology& t, const std::string& topology_id,
                               int containers, const std::string& spec_hash = "");

struct SubmissionInfo {
  int64_t submission_time_s = 0;
  std::string user;             // who submitted: the controller's identity
  std::string release_version;  // the Heron version
};
hp_system::ExecutionState BuildExecutionState(const crd::Topology& t,
                                              const std::string& topology_id,
                                              const SubmissionInfo& info);

// Heron's runtime config (TopologyConfigHelper): an entry "[component:]key" -> value lives in
// the topology's or that component's config as the kv `key:runtime`, which the topology manager
// writes on `/runtime_config/update` and the topology's code reads.
inline constexpr char kRuntimeConfigSuffix[] = ":runtime";
bool IsRuntimeConfigKey(const std::string& key);  // ends in kRuntimeConfigSuffix
std::map<std::string, std::string> RuntimeConfigOf(const hp_api::Topology& t);
// Updates each entry's kv or appends it (UpdateRuntimeConfigFromKVMap); kNotFound, changing
// nothing, when an entry names a component the topology does not have.
Status SetRuntimeConfig(hp_api::Topology& t, const std::map<std::string, std::string>& entries);

hp_system::PackingPlan PackingPlanToProto(const packing::PackingPlan& plan);
packing::PackingPlan PackingPlanFromProto(const hp_system::PackingPlan& proto);

// What the Aurora scheduler writes in library mode (nothing listens at the endpoint).
heron::proto::scheduler::SchedulerLocation BuildSchedulerLocation(const std::string& name,
                                                                  const std::string& job_link);

// Parses bytes read from ZooKeeper into message M; kInvalidArgument names the path.
template <typename M>
StatusOr<M> ParseHeronMessage(const std::string& bytes, const std::string& path) {
  M m;
  if (!m.ParseFromString(bytes)) {
    return Status::InvalidArgument(path + ": not a valid " + M::descriptor()->full_name());
  }
  return m;
}

// Deterministic serialisation (stable field order), for writing and for comparing.
std::string SerializeHeronMessage(const google::protobuf::MessageLite& m);

}  // namespace hgo::heronmsg
