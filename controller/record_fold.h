// Between the controller's stored record of a topology (statestore::TopologyRecord, JSON in
// ZooKeeper) and the planner's Memory: the record is the durable form, the Memory what one pass
// plans with. After a pass the plan's new Memory, phase and events are folded back into the
// record, which also keeps the revision history (with each revision's spec, to roll back to).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "controller/cluster/executor.h"
#include "reconciler/types.h"
#include "statestore/records.h"

namespace hgo::controller {

reconciler::Memory MemoryFromRecord(const statestore::TopologyRecord& r);

// Recorded revisions' specs, parsed (crd::FromCanonicalJson) once per spec hash instead of on
// every pass that names them: the hash names the canonical text, so the parse never changes.
// Bounded: past max_entries it starts again empty. Thread-safe; the controller holds one.
class RecordedSpecs {
 public:
  explicit RecordedSpecs(size_t max_entries = 50000) : max_entries_(max_entries) {}
  // nullptr when the stored spec no longer parses (written by a newer controller, say).
  std::shared_ptr<const crd::Topology> Get(const statestore::Revision& v);
  size_t size() const;

 private:
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const crd::Topology>> specs_;
};

// Adds to out the revisions among wanted (the spec hashes a plan's actions name) that the record
// holds a spec for (applied, last stable, pinned), parsed back through specs. Only those: parsing
// is the cost, and most passes name none but the desired spec's, which the sources hold already.
// A spec that no longer parses is left out: an action naming it then fails as an unknown
// revision.
void AddRecordedRevisions(const statestore::TopologyRecord& r, const std::set<std::string>& wanted,
                          RecordedSpecs& specs, std::map<std::string, RevisionSource>& out);

// Folds a pass into the record. executed says whether the plan's actions all succeeded; when
// they did not, the memory is left as it was (the next pass observes what did happen) and the
// error becomes a Warning event.
struct PassOutcome {
  const reconciler::Plan* plan = nullptr;
  const std::map<std::string, RevisionSource>* revisions = nullptr;
  std::string desired_spec_hash;  // the spec the sources hold now, or ""
  std::string source;             // where it came from ("dir:/specs")
  std::string source_revision;    // its revision (a git commit) or ""
  Status executed;
  int64_t now_ms = 0;
  int64_t seen_ms = 0;  // when the sources' spec was first seen (0: not known)
  // The job hash every observed instance runs, RUNNING, and how many there are ("": not one).
  std::string running_job_hash;
  int32_t running_instances = 0;
};
void FoldPass(statestore::TopologyRecord& r, const PassOutcome& pass);

// The container size a revision of spec (spec_hash) runs in when applied is the applied
// revision: the applied one's recorded size when the revision is it or only scales it (the
// same crd::TaskHash, computed only then), else none (the packing sizes it).
std::optional<ContainerSize> KeptSize(const statestore::Revision* applied,
                                      const std::string& spec_hash, const crd::Topology& spec);
// The recorded size of a revision's task, as the shape takes it.
std::optional<ContainerSize> SizeOf(const statestore::Revision* v);

// The history entry for a spec hash (the newest one), or nullptr.
const statestore::Revision* FindRevision(const statestore::TopologyRecord& r,
                                         const std::string& spec_hash);

}  // namespace hgo::controller
