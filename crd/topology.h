// The heron/v1 Topology spec: the desired state of one Heron topology on one Aurora cluster.
// docs/spec.md describes every field for users; this header is the same thing for code.
//
// Values here are already defaulted and validated when they come out of ParseTopologies(), so
// consumers never re-check them. Absent optional values are std::nullopt or empty strings where
// the field's doc says "cluster default".
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/cron.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time_zone.h"

namespace hgo::crd {

inline constexpr char kApiVersion[] = "heron/v1";
inline constexpr char kKind[] = "Topology";

// A position in a source file, 1-based; 0 means unknown.
struct SourceLocation {
  int line = 0;
  int column = 0;
  friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

// Identifies a topology everywhere: cluster/role/environment/name, like an Aurora job key with
// the cluster in front. Unique across all spec sources.
struct TopologyKey {
  std::string cluster;
  std::string role;
  std::string environment;
  std::string name;

  std::string ToString() const;  // "devcluster/www-data/devel/word-count"
  // The inverse of ToString, or of record node names with separator '~': exactly four
  // non-empty parts, else kInvalidArgument.
  static StatusOr<TopologyKey> Parse(std::string_view text, char separator = '/');
  friend auto operator<=>(const TopologyKey&, const TopologyKey&) = default;
};

struct ObjectMeta {
  std::string name;
  std::map<std::string, std::string> labels;
};

struct HeronSpec {
  std::string version;       // empty: the cluster's default
  std::string core_package;  // empty: the cluster's default
};

struct PackageSpec {
  std::string uri;     // file://, http:// or https://
  std::string sha256;  // 64 lower-case hex digits
};

enum class GroupingType { kShuffle, kFields, kAll, kGlobal, kNone, kCustom };

struct GroupingSpec {
  GroupingType type = GroupingType::kShuffle;
  std::vector<std::string> args;     // the field names of FIELDS grouping, in order
  std::string stream_id;             // empty: Heron's default stream
  std::optional<Json> custom_class;  // CUSTOM: an ECO object definition
};

// A spout or a bolt in Heron ECO's shape. ECO object details (constructorArgs, properties,
// configMethods) are kept as data: the controller does not instantiate objects (the package's
// .defn carries them) but they are part of the spec's meaning and of its hash.
struct ComponentSpec {
  std::string id;
  std::string class_name;
  int32_t parallelism = 1;
  Json object;  // object with the optional keys constructorArgs, properties, configMethods
};

// An entry of ECO's `components:` list: a bean that spouts and bolts reference by id.
struct BeanSpec {
  std::string id;
  std::string class_name;
  Json object;
};

struct StreamSpec {
  std::string name;  // optional, informative (ECO's `name`)
  std::string id;    // optional, informative (ECO's `id`)
  std::string from;
  std::string to;
  GroupingSpec grouping;
};

// The logical plan, in Heron ECO's format.
struct LogicalPlanSpec {
  // As the file gives it: "heron", "storm", or "" when absent, which ECO reads as storm
  // (EcoTopologyDefinition.getType): Storm's config keys are then translated (storm()).
  std::string type;
  Json config = Json::MakeObject();  // topology config overrides, key -> value
  std::vector<BeanSpec> components;
  std::vector<ComponentSpec> spouts;
  std::vector<ComponentSpec> bolts;
  std::vector<StreamSpec> streams;

  bool storm() const { return type != "heron"; }
};

enum class PackingAlgorithm { kResourceCompliantRR, kRoundRobin };

struct PackingSpec {
  PackingAlgorithm algorithm = PackingAlgorithm::kResourceCompliantRR;
  std::optional<int32_t> containers;  // RoundRobin only; default 1
};

// Per container. Absent values are computed by the packing algorithm.
struct ResourcesSpec {
  std::optional<int64_t> cpu_millis;  // 1 core = 1000
  std::optional<int64_t> ram_bytes;
  std::optional<int64_t> disk_bytes;
};

enum class UpdateStrategy { kRolling, kRecreate };

struct UpdateSpec {
  UpdateStrategy strategy = UpdateStrategy::kRolling;
  int32_t batch_size = 1;
  int32_t min_wait_in_running_seconds = 30;
  int32_t max_per_instance_failures = 0;
  int32_t max_failed_instances = 0;
  bool rollback_on_failure = true;
  int32_t progress_deadline_seconds = 600;
  // Aurora's JobUpdateSettings.slaAware: the updater asks the task's SLA policy before taking
  // an instance down. Aurora refuses it without a policy (sla_policy).
  bool sla_aware = false;
  // Aurora's TaskConfig.slaPolicy (Percentage or Count): how many instances must stay RUNNING,
  // for how long, while the updater (slaAware) or a maintenance drain takes one down.
  struct SlaPolicy {
    std::optional<double> percentage;  // either this (0 < p <= 100)
    std::optional<int64_t> count;      // or this (>= 1)
    int64_t duration_seconds = 0;
  };
  std::optional<SlaPolicy> sla_policy;
};

// An update window (spec.windows, and a cluster's `windows` in the clusters file). A window opens
// at each time its cron schedule names, in its time zone, and stays open for its duration. A new
// revision starts only while no Deny window is open and, when there are Allow windows, one of
// them is. Rollbacks, repairs and pausing or resuming are never held by a window.
struct UpdateWindow {
  enum class Kind { kAllow, kDeny };
  Kind kind = Kind::kAllow;
  CronSchedule schedule;
  int64_t duration_seconds = 0;
  std::shared_ptr<const TimeZone> zone = TimeZone::Utc();
};

// What one cluster of a placement changes of the spec: the fields that legitimately differ by
// cluster. Given fields replace the spec's (resources field by field); parallelism, constraints
// and config are merged over the spec's, key by key.
struct ClusterOverrides {
  std::optional<int64_t> cpu_millis, ram_bytes, disk_bytes;
  std::map<std::string, int32_t> parallelism;  // spout or bolt id -> parallelism
  std::optional<PackingSpec> packing;
  std::map<std::string, std::string> constraints;
  Json config = Json::MakeObject();  // merged over spec.topology.config
  bool empty() const;
};

// spec.placement: one spec over several clusters, rolled out wave by wave. Each cluster's
// topology is the spec with that cluster's overrides (a key of its own: cluster/role/env/name),
// and a new revision starts in a wave only once every cluster of the waves before it is stable
// on its revision of the same spec and has soaked for soak_seconds.
enum class WaveFailure {
  kRollbackWave,  // the wave's clusters that took the failed revision return too
  kKeepWave,      // they keep it; only the later waves never receive it
};
struct Placement {
  struct Cluster {
    std::string name;
    ClusterOverrides overrides;
  };
  std::vector<Cluster> clusters;  // in the order written
  // Cluster names; each cluster in exactly one wave. Absent in the file: one wave of all.
  std::vector<std::vector<std::string>> waves;
  int32_t soak_seconds = 0;
  WaveFailure on_failure = WaveFailure::kRollbackWave;

  int WaveOf(const std::string& cluster) const;  // 0-based; -1 when in none
};
using PlacementPtr = std::shared_ptr<const Placement>;

enum class SyncPolicy { kRepair, kWarn };
// What to do with a live topology of the spec's key that the controller did not create (one
// submitted with heron-cli): adopt it when it matches the spec (no restart, its topology id
// kept), replace it by a rolling update onto the spec, or never touch it.
enum class AdoptPolicy { kIfMatching, kReplace, kNever };
enum class DesiredState { kRunning, kPaused };

struct TopologySpec {
  std::string cluster;
  std::string role;
  std::string environment;
  HeronSpec heron;
  PackageSpec package;
  LogicalPlanSpec topology;
  PackingSpec packing;
  ResourcesSpec resources;
  std::map<std::string, std::string>
      constraints;  // Aurora constraints: name -> "limit:N" or values
  UpdateSpec update;
  // Heron's runtime config (`heron update --runtime-config [component:]key:value`), keyed
  // "key" for the topology and "component:key" for a spout or bolt. Applied through the topology
  // manager without restarting a container; not part of the task (crd::TaskHash).
  std::map<std::string, std::string> runtime_config;
  SyncPolicy sync_policy = SyncPolicy::kRepair;
  AdoptPolicy adopt = AdoptPolicy::kIfMatching;
  DesiredState state = DesiredState::kRunning;
  std::vector<UpdateWindow> windows;
};

// One document of kind Topology, with where it came from.
struct Topology {
  std::string api_version = kApiVersion;
  std::string kind = kKind;
  ObjectMeta metadata;
  TopologySpec spec;

  // Provenance, not part of the spec's meaning (not hashed).
  std::string source_file;
  int document_index = 0;   // 0-based position in a multi-document file
  SourceLocation location;  // where the document starts
  // Where each decoded field's value is, by field path ("spec.topology.bolts[1].parallelism").
  std::map<std::string, SourceLocation> field_locations;
  // The placement this topology is one cluster of (spec.placement), shared by its clusters'
  // topologies; null for a spec that names one spec.cluster. Not part of the spec hash: a
  // cluster's revision is what that cluster runs, the rollout order only steers the controller.
  PlacementPtr placement;

  TopologyKey key() const {
    return TopologyKey{spec.cluster, spec.role, spec.environment, metadata.name};
  }
};

// A spec.topology.config value as Heron holds it (every Config value is a string there): strings
// as they are, integers, booleans and decimals in their text form, lists and maps as JSON text;
// "" for null.
std::string ConfigValueText(const Json& value);
// ConfigValueText of spec.topology.config[key]; "" when absent.
std::string ConfigText(const Topology& t, const std::string& key);

// A spec.constraints value: `limit:<N>`, or `[!]value[,value...]` (validated by crd).
struct ConstraintSpec {
  std::optional<int32_t> limit;
  bool negated = false;
  std::vector<std::string> values;  // in the order written, empty parts kept (for validation)
};
ConstraintSpec ParseConstraint(const std::string& value);

// The config key of spec.topology that sets the container count: topology.stmgrs, or in a
// Storm-type ECO file topology.workers when it is set (Storm's ConfigUtils.doStormTranslation
// makes stmgrs from it). "" when neither is set.
std::string ContainerCountKey(const Topology& t);

// A parsed spec shared read-only between the controller's parse cache, its desired set and the
// passes that plan with it: one copy per spec, however many holders.
using TopologyPtr = std::shared_ptr<const Topology>;

// Names used in YAML and in the canonical form.
const char* GroupingTypeName(GroupingType t);
const char* PackingAlgorithmName(PackingAlgorithm a);
const char* UpdateStrategyName(UpdateStrategy s);
const char* SyncPolicyName(SyncPolicy p);
const char* AdoptPolicyName(AdoptPolicy p);
const char* DesiredStateName(DesiredState s);
const char* WindowKindName(UpdateWindow::Kind k);
const char* WaveFailureName(WaveFailure f);

}  // namespace hgo::crd

namespace hgo::crd {

// One update window from its JSON form ({kind: Allow|Deny, schedule: "<cron>", duration: "8h",
// timeZone: "Europe/Berlin"}), the same in a spec and in the clusters file; kInvalidArgument
// "<field>: <what is wrong>" for a bad one. Loads the time zone from the system's tz database.
StatusOr<UpdateWindow> WindowFromJson(const Json& j);
// The JSON form of w, as WindowFromJson reads it.
Json WindowToJson(const UpdateWindow& w);

}  // namespace hgo::crd
