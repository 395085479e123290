// The planner's world: what is desired, what was observed, what the controller remembers, and
// the actions it may ask for. Plain data in our own terms: the reconciler links neither Thrift
// nor ZooKeeper (docs/development.md); the controller translates to and from Aurora and ZooKeeper.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crd/topology.h"

namespace hgo::reconciler {

// Whether the spec's revision may start on this cluster now (reconciler/rollout.h): a
// placement's later waves wait for the earlier ones, a halted rollout fails the revision
// everywhere, and update windows hold a new revision while they are closed. A gate never holds
// a rollback, a repair of the applied revision, or pausing and resuming.
struct Gate {
  enum class Kind {
    kOpen,
    kHold,  // run the applied revision on; the spec's waits
    kFail,  // the spec's revision failed elsewhere: remember it failed, return to the stable one
  };
  Kind kind = Kind::kOpen;
  std::string reason;          // for status and events: what it waits for, or why it failed
  int64_t recheck_ms = 0;      // when the gate may change by itself (a soak's or window's end)
  std::string opened_because;  // kOpen on a later wave: why the wave started (for its event)
};

// What the sources say about one key.
struct Desired {
  enum class Presence {
    kPresent,  // a valid spec
    kAbsent,   // no source holds it (any more)
    kFrozen,   // its source failed to read or parse: change nothing, delete nothing
  };
  Presence presence = Presence::kPresent;
  crd::TopologyPtr spec;        // kPresent
  std::string spec_hash;        // kPresent
  std::string source_revision;  // e.g. the git commit
  std::string source_error;     // kFrozen: what failed, with file:line
  // Aurora instances the desired revision needs (packing containers + 1), computed by the
  // controller with the packing algorithm.
  int32_t instances = 0;
  // The hash of the Aurora task the revision makes (aurora::JobHash): equal for two revisions
  // that differ only in parallelism or container count, so scaling restarts no container.
  std::string job_hash;
  // crd::StreamGraphHash of the spec: revisions with one graph keep one topology id.
  std::string graph_hash;
  Gate gate;
};

// One Aurora instance of the job as observed.
struct ObservedInstance {
  enum class State { kPending, kStarting, kRunning, kKilling, kEnded };
  State state = State::kPending;
  int64_t running_since_ms = 0;  // when it became RUNNING
  // From the task's metadata: both empty for a task the controller did not build.
  std::string job_hash;
  std::string topology_id;
  int32_t failures = 0;  // Aurora's failure count of the task
};

// An Aurora job update as observed.
struct ObservedUpdate {
  enum class State {
    kRollingForward,
    kRollingBack,
    kPaused,
    kAwaitingPulse,
    kSucceeded,
    kRolledBack,
    kAborted,
    kFailed
  };
  std::string id;
  State state = State::kRollingForward;
  std::string spec_hash;  // from the update's metadata
  int64_t last_modified_ms = 0;
  bool active() const {
    return state == State::kRollingForward || state == State::kRollingBack ||
           state == State::kPaused || state == State::kAwaitingPulse;
  }
};

// Heron's nodes for the topology in ZooKeeper.
struct ObservedHeron {
  bool topology = false;  // topologies/<name>
  bool packing_plan = false;
  bool execution_state = false;
  bool scheduler_location = false;
  std::string topology_id;  // from topologies/<name>
  std::string spec_hash;    // the revision Heron's state was written for
  bool paused = false;  // live state: pplans/<name>'s Topology when present, else topologies/<name>
  std::string tmanager_topology_id;  // from tmanagers/<name>; empty when none registered
  bool physical_plan = false;        // pplans/<name>: the topology manager runs the topology
  // The revision (spec hash) of the Topology inside pplans/<name>: the one the running topology
  // manager read when it started. Revisions that share a topology id differ here.
  std::string physical_plan_spec_hash;
  // Containers of packingplans/<name> whose stream manager is not in a physical plan of
  // tmanager_topology_id (all of them while there is none): the topology manager writes the
  // plan only once every one has registered, and a healthy revision has none absent.
  int absent_stream_managers = 0;
  // The runtime config in that physical plan ("[component:]key" -> value, from Heron's
  // `key:runtime` entries), when it is tmanager_topology_id's.
  std::map<std::string, std::string> runtime_config;
  bool any() const {
    return topology || packing_plan || execution_state || scheduler_location || physical_plan;
  }
};

// A change to the job the controller did not make, from Aurora's audit data: an update someone
// else started, or an instance someone killed.
struct ForeignChange {
  int64_t at_ms = 0;
  std::string user;  // Aurora's audit user
  std::string what;  // "update 5c1e…", "kill of instance 2"
};

// One field in which a live topology differs from what the spec makes.
struct Difference {
  std::string field;  // "spec.resources.ram", "executor flag --component-ram-map", ...
  std::string live;
  std::string desired;
  bool operator==(const Difference&) const = default;
};

// A live topology of the key that the controller did not create (its job carries none of the
// controller's metadata and no record names it: typically one submitted with heron-cli),
// compared with what the spec makes (shape/adoption.h).
struct ObservedForeign {
  std::string topology_id;  // Heron's id of it (topologies/<name>; heron-cli's is name + uuid)
  std::string live_task;    // aurora::LiveTaskHash of its task, as read whole
  std::vector<Difference> differences;  // empty: it is what the spec makes
  // Containers that taking it over as the spec says would restart (0 when it matches).
  int32_t restarts = 0;
  bool same_graph = true;  // its stream graph is the spec's: a replace keeps its topology id
  std::string unreadable;  // why it could not be compared (then it is left alone)
};

struct Observed {
  // False when Aurora or ZooKeeper could not be read: the planner then changes nothing.
  bool known = true;
  int64_t observed_at_ms = 0;
  std::map<int32_t, ObservedInstance> instances;  // active instances of the job, by id
  std::optional<ObservedUpdate> active_update;
  std::optional<ObservedUpdate> last_update;  // the most recent finished update, if any
  ObservedHeron heron;
  std::vector<ForeignChange> foreign_changes;  // oldest first
  // Set when the job is not the controller's and the controller has applied nothing to the key.
  std::optional<ObservedForeign> foreign;
  bool job_exists() const { return !instances.empty(); }
};

// A live topology the controller adopted rather than created. Its instances carry no metadata
// of the controller: until an update by someone else, they run the adopted task (in Aurora a
// task's config changes only through an update), with its topology id. A revision whose built
// task is the adopted revision's (a scale, a steering change) keeps running that live task.
struct Adoption {
  std::string hash;         // the revision adopted; empty: nothing was
  std::string live_task;    // aurora::LiveTaskHash of the task it ran
  std::string built_task;   // the job hash the controller builds for it ("" if it did not match)
  std::string topology_id;  // Heron's topology id it ran with
  int64_t at_ms = 0;        // when it was adopted
  bool operator==(const Adoption&) const = default;
};

// What the controller remembers of the topology (its record in ZooKeeper).
struct Memory {
  std::string applied_hash;  // the revision being rolled out or running
  std::string applied_topology_id;
  int64_t rollout_started_ms = 0;       // when applied_hash was applied
  std::string stable_hash;              // the last revision that became healthy
  std::set<std::string> failed_hashes;  // revisions not to apply again until the spec changes
  std::string pinned_hash;              // `rollout undo --to-revision`: run this one
  std::string pinned_for_spec_hash;     // the spec at pin time; a new spec clears the pin
  bool suspended = false;               // `heronctl suspend`: touch nothing
  int64_t absent_since_ms = 0;          // when the spec disappeared (0: present)
  std::map<std::string, int32_t> instances_of;     // Aurora instances of each applied revision
  std::map<std::string, std::string> job_hash_of;  // the job hash of each applied revision
  // The stream graph hash of applied revisions, where known (records from before 2026-12-03
  // have none until the revision is seen again).
  std::map<std::string, std::string> graph_of;
  // The runtime config of applied revisions that have one.
  std::map<std::string, std::map<std::string, std::string>> runtime_of;
  Adoption adoption;
  bool operator==(const Memory&) const = default;
};

struct Settings {
  bool prune = false;  // delete topologies whose spec is gone
  // Healthy needs the topology manager registered with the revision's topology id and its
  // physical plan of a revision with the same task (off only where no Heron runs, e.g. plain
  // Aurora jobs in tests).
  bool require_tmanager = true;
  int64_t tombstone_ms = 60000;  // how long a spec must be gone before pruning
  int64_t pulse_interval_ms = 60000;
  int64_t requeue_ms = 5000;  // how soon to look again while something is moving
};

enum class Phase {
  kPending,
  kDeploying,
  kRunning,
  kUpdating,
  kRollingBack,
  kDegraded,
  kFailed,
  kPaused,
  kSuspended,
  kOutOfSync,
  kDeleting,
  kDeleted,
  kUnknown,
};
const char* PhaseName(Phase p);

struct Action {
  enum class Kind {
    kWriteHeronState,  // topologies, packingplans, executionstate for `hash` with `topology_id`
    kCreateJob,        // the Aurora job of revision `hash`
    kStartUpdate,      // an Aurora update to revision `hash`
    kPulseUpdate,      // keep `update_id` going
    kAbortUpdate,      // stop `update_id`
    kRollbackUpdate,   // let Aurora roll `update_id` back
    kWriteSchedulerLocation,
    kSetTopologyState,  // pause or resume through the topology manager (`pause`)
    kSetRuntimeConfig,  // `runtime_config` through the topology manager: no container restarts
    kKillJob,
    kDeleteHeronState,
    kRemember,  // store the new Memory (below) in the record
    kForget,    // drop the record: the topology is gone
  };
  Kind kind = Kind::kRemember;
  std::string hash = {};      // the revision (spec hash)
  std::string job_hash = {};  // its Aurora task
  std::string topology_id = {};
  std::string update_id = {};
  bool pause = false;
  std::string reason = {};  // for events and dry-run output
  // kStartUpdate: the only instances the update may touch (Aurora's updateOnlyTheseInstances),
  // so containers the change does not concern are never restarted; empty means all.
  std::vector<int32_t> instances = {};
  // kSetRuntimeConfig: Heron's "[component:]key:value" entries to send.
  std::vector<std::string> runtime_config = {};
};
const char* ActionName(Action::Kind k);

struct Event {
  std::string type;  // "Normal" or "Warning"
  std::string reason;
  std::string message;
};

struct Plan {
  std::vector<Action> actions;
  Phase phase = Phase::kPending;
  std::string message;  // why the phase is what it is
  Memory memory;        // the memory after the actions (stored by a kRemember action)
  std::vector<Event> events;
  int64_t requeue_after_ms = 0;  // 0: only on the next change or resync
  // Which Aurora instances the plan restarts (for `diff` and the status line).
  int32_t instances_restarted = 0;
};

}  // namespace hgo::reconciler
