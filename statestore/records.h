// The controller's own memory of each topology, stored in ZooKeeper beside (not inside) Heron's
// state: what it applied, what was last stable (the full spec, to roll back to), phase and
// conditions, a bounded revision history and a bounded event list.
//
// Records are plain values; (de)serialisation is JSON, so an operator can read them with any
// ZooKeeper CLI. Unknown JSON fields are ignored on read (forward compatibility); missing ones
// take their defaults.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/shared_text.h"
#include "common/status.h"
#include "crd/topology.h"

namespace hgo::statestore {

inline constexpr size_t kMaxHistory = 20;       // revisions kept per topology
inline constexpr size_t kMaxEvents = 50;        // events kept per topology
inline constexpr size_t kMaxFailedHashes = 32;  // poisoned revisions remembered

// One applied revision of a topology.
// What a revision's Aurora task gives each container: its resources and the per-component RAM
// of launch_heron_executor's --component-ram-map, with the crd::TaskHash of the spec it was
// sized for. A later revision of the same task hash (a scale) keeps these sizes: Heron's
// UpdateTopologyManager never resizes a running container, and new ones clone instance 0.
struct ContainerSize {
  std::string task_hash;
  double cpus = 0;
  int64_t ram_bytes = 0;
  int64_t disk_bytes = 0;
  std::map<std::string, int64_t> component_ram;
  friend bool operator==(const ContainerSize&, const ContainerSize&) = default;
};

struct Revision {
  int64_t number = 0;           // 1, 2, 3... per topology
  std::string spec_hash;        // crd::SpecHash of the spec
  std::string source;           // where the spec came from ("git:URL#branch", "dir:/path")
  std::string source_revision;  // the git commit, or empty
  std::string package_sha256;
  // Heron's topology id for this revision: the same as the revision before while the stream
  // graph stays (graph_hash), a new one when it changes.
  std::string topology_id;
  // The canonical spec (crd::CanonicalJson) as compact JSON text, to roll back to; empty when
  // not recorded. Text, not a Json tree: a controller holds one record per topology in memory,
  // and the tree costs ten times the text; shared, because records are copied on every pass.
  SharedText spec_json;
  // Its latency, kept so that it survives restarts (0: not reached, or not known): when the
  // source's change was first seen, when Aurora accepted its job or update (applied_at_ms),
  // when all its instances first ran it, when it was marked stable. A revision the controller
  // returned to by itself (a rollback) has no seen_ms.
  int64_t seen_ms = 0;
  int64_t applied_at_ms = 0;
  int64_t running_ms = 0;
  int64_t stable_ms = 0;
  std::string outcome;  // "Applying", "Stable", "Failed", "Superseded"
  std::string message;
  std::string job_hash;    // aurora::JobHash of the revision's task (equal across a pure scale)
  int32_t instances = 0;   // Aurora instances it runs (containers + 1)
  std::string graph_hash;  // crd::StreamGraphHash of the spec; empty in records before 2026-12
  // The spec's runtime config ("[component:]key" -> value), which the topology manager holds
  // while this revision runs; kept beside the spec so a pass needs not parse the spec for it.
  std::map<std::string, std::string> runtime_config;
  // The container size its task carries; absent in records before 2026-12-04 (and for an
  // adopted revision, whose task is the live one) until a pass learns it.
  std::optional<ContainerSize> container_size;

  friend bool operator==(const Revision&, const Revision&) = default;
};

struct Condition {
  std::string type;    // "Synced", "Healthy", "Progressing", "SourceError", ...
  std::string status;  // "True", "False", "Unknown"
  std::string reason;
  std::string message;
  int64_t last_transition_ms = 0;
  friend bool operator==(const Condition&, const Condition&) = default;
};

// Like a Kubernetes event: repeats of the same (type, reason, message) are counted, not added.
struct Event {
  std::string type;  // "Normal" or "Warning"
  std::string reason;
  std::string message;
  int32_t count = 1;
  int64_t first_ms = 0;
  int64_t last_ms = 0;
  friend bool operator==(const Event&, const Event&) = default;
};

// A live topology the controller adopted rather than created (reconciler::Adoption).
struct Adoption {
  std::string spec_hash;    // the revision adopted; empty: nothing was
  std::string live_task;    // aurora::LiveTaskHash of the task it ran
  std::string built_task;   // the job hash the controller builds for it ("" if it did not match)
  std::string topology_id;  // Heron's topology id it ran with
  int64_t at_ms = 0;
  friend bool operator==(const Adoption&, const Adoption&) = default;
};

struct TopologyRecord {
  crd::TopologyKey key;
  std::string phase;  // Pending, Deploying, Running, Updating, RollingBack, ... (reconciler/)
  std::optional<Revision> applied;
  std::optional<Revision> last_stable;
  std::vector<Revision> history;  // oldest first, at most kMaxHistory
  std::vector<Condition> conditions;
  std::vector<Event> events;                 // oldest first, at most kMaxEvents
  std::set<std::string> failed_spec_hashes;  // not re-applied until the spec changes
  std::optional<int64_t> pinned_revision;    // `rollout undo --to-revision N`
  bool suspended = false;
  int64_t next_revision = 1;
  // The controller's memory between passes (reconciler::Memory is derived from the record).
  std::string pinned_for_spec_hash;  // the spec when the pin was set; a new spec clears it
  int64_t rollout_started_ms = 0;    // when `applied` was applied
  int64_t absent_since_ms = 0;       // when the spec disappeared (0: present)
  std::string message;               // why the phase is what it is
  int64_t phase_since_ms = 0;        // the last phase transition
  std::string source_revision;       // of the desired spec last seen (e.g. the git commit)
  Adoption adoption;                 // a topology taken over from heron-cli
  // A placement's rollout, as operators steer it (reconciler/rollout.h), each for one revision
  // of this cluster (a new spec ends both): `heronctl rollout halt` holds the waves after the
  // current one; `heronctl rollout promote` waives this cluster's soak.
  std::string rollout_halted_for;
  std::string soak_waived_for;

  friend bool operator==(const TopologyRecord&, const TopologyRecord&) = default;
};

Json RecordToJson(const TopologyRecord& r);
StatusOr<TopologyRecord> RecordFromJson(const Json& j);
std::string SerializeRecord(const TopologyRecord& r);
StatusOr<TopologyRecord> ParseRecord(std::string_view text);

// Appends rev to the history (dropping the oldest beyond kMaxHistory) and assigns its number.
void AddRevision(TopologyRecord& r, Revision rev);
// Adds an event, or bumps the count of the newest identical one; keeps at most kMaxEvents.
// The message passes the redactor (common/redact.h) first, as a condition's does.
void RecordEvent(TopologyRecord& r, std::string type, std::string reason, std::string message,
                 int64_t now_ms);
// Sets a condition; last_transition_ms changes only when its status changes.
void SetCondition(TopologyRecord& r, Condition c);
// Remembers a failed spec hash. Bounded: when kMaxFailedHashes are remembered the set is
// cleared first (a set has no age order; forgetting old failures only allows a retry).
void MarkFailed(TopologyRecord& r, const std::string& spec_hash);

// Flat node names for keys: "cluster~role~environment~name". '~' cannot appear in identifiers.
std::string KeyToNodeName(const crd::TopologyKey& key);
StatusOr<crd::TopologyKey> NodeNameToKey(std::string_view name);

}  // namespace hgo::statestore
