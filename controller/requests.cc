// What the HTTP API asks of the controller: status, and the few mutations (sync, suspend,
// resume, rollback, retry) that are stored in the topology's record with compare-and-set.
#include <set>

#include "controller/cluster/adopt.h"
#include "controller/cluster/observe.h"
#include "controller/controller.h"
#include "controller/record_fold.h"
#include "crd/canonical.h"
#include "crd/parser.h"
#include "reconciler/planner.h"

namespace hgo::controller {

namespace {

Status NotLeader(const std::string& leader) {
  return Status::FailedPrecondition("this controller is not the leader" +
                                    (leader.empty() ? "" : "; the leader is " + leader));
}

}  // namespace

std::vector<TopologyStatus> Controller::List() {
  std::set<crd::TopologyKey> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [k, e] : desired_.present) keys.insert(k);
    for (const auto& [k, why] : desired_.frozen) keys.insert(k);
  }
  for (const auto& k : board_.KeysWithStatus()) keys.insert(k);
  if (!LeadsEveryCluster()) {
    // Of the clusters another controller leads, only what is stored is known here.
    auto stored = store_.ListRecords();
    if (stored.ok()) keys.insert(stored->begin(), stored->end());
  }
  std::vector<TopologyStatus> out;
  for (const auto& k : keys) {
    auto s = Get(k);
    if (s.ok()) out.push_back(std::move(*s));
  }
  return out;
}

StatusOr<TopologyStatus> Controller::Get(const crd::TopologyKey& key) {
  TopologyStatus st;
  st.key = key;
  bool known = false;
  {
    auto [status, generation] = board_.StatusOf(key);
    if (status && Leads(key.cluster)) {
      st = std::move(*status);
      known = true;
    }
    st.generation = generation;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    // What the sources hold now, from the desired set (not kept per status: a copy per
    // topology for what is one lookup away).
    st.desired_spec_hash.clear();
    if (auto it = desired_.present.find(key); it != desired_.present.end()) {
      st.desired_spec_hash = it->second.spec_hash;
      st.labels = it->second.spec->metadata.labels;
      st.source = it->second.source;
      st.source_error.clear();
      known = true;
    } else if (auto f = desired_.frozen.find(key); f != desired_.frozen.end()) {
      st.source_error = f->second;
      known = true;
    }
  }
  if (!st.record) {
    HGO_ASSIGN_OR_RETURN(auto stored, store_.GetRecord(key));
    if (stored) {
      st.record = std::make_shared<const statestore::TopologyRecord>(std::move(stored->record));
      known = true;
    }
  }
  if (!known) return Status::NotFound("no topology " + key.ToString());
  if (st.phase.empty()) {
    st.phase = st.record && !st.record->phase.empty() ? st.record->phase : "Pending";
    st.message = st.record ? st.record->message : "not reconciled yet";
  }
  return st;
}

Status Controller::Mutate(const crd::TopologyKey& key,
                          const std::function<Status(statestore::TopologyRecord&)>& change) {
  if (!Leads(key.cluster)) return NotLeader(leadership_.LeaderOf(key.cluster));
  for (int attempt = 0; attempt < 5; ++attempt) {
    HGO_ASSIGN_OR_RETURN(auto stored, store_.GetRecord(key));
    statestore::TopologyRecord r;
    r.key = key;
    int64_t version = statestore::kMustNotExist;
    if (stored) {
      r = stored->record;
      version = stored->version;
    }
    HGO_RETURN_IF_ERROR(change(r));
    auto put = store_.PutRecord(r, version);
    if (put.ok()) {
      board_.BumpGeneration(key);  // also makes the record cache's entry for key stale
      queue_.Add(key);
      return Status::Ok();
    }
    if (put.status().code() != StatusCode::kConflict) return put.status();
  }
  return Status::Conflict("the record of " + key.ToString() + " kept changing; try again");
}

Status Controller::Sync(const crd::TopologyKey& key) {
  if (!Leads(key.cluster)) return NotLeader(leadership_.LeaderOf(key.cluster));
  HGO_RETURN_IF_ERROR(Get(key).status());
  RefreshSources();
  queue_.Add(key);
  return Status::Ok();
}

Status Controller::SetSuspended(const crd::TopologyKey& key, bool suspended) {
  HGO_RETURN_IF_ERROR(Get(key).status());
  const int64_t now = NowMs();
  return Mutate(key, [&](statestore::TopologyRecord& r) {
    r.suspended = suspended;
    statestore::RecordEvent(r, "Normal", suspended ? "Suspended" : "Resumed",
                            suspended ? "reconciliation suspended by an operator"
                                      : "reconciliation resumed by an operator",
                            now);
    return Status::Ok();
  });
}

std::string Controller::DesiredHash(const crd::TopologyKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = desired_.present.find(key);
  return it == desired_.present.end() ? "" : it->second.spec_hash;
}

Status Controller::Rollback(const crd::TopologyKey& key, int64_t revision) {
  const std::string desired_hash = DesiredHash(key);
  const int64_t now = NowMs();
  return Mutate(key, [&](statestore::TopologyRecord& r) {
    const statestore::Revision* target = nullptr;
    for (const auto& v : r.history) {
      if (v.number == revision) target = &v;
    }
    if (!target) {
      return Status::NotFound("revision " + std::to_string(revision) + " of " + key.ToString() +
                              " is not in its history");
    }
    if (target->spec_json.empty() || target->job_hash.empty()) {
      return Status::FailedPrecondition("revision " + std::to_string(revision) +
                                        " has no stored spec to roll back to");
    }
    r.pinned_revision = revision;
    r.pinned_for_spec_hash = desired_hash;
    statestore::RecordEvent(
        r, "Normal", "RollbackRequested",
        "pinned to revision " + std::to_string(revision) + " until the spec changes", now);
    return Status::Ok();
  });
}

Status Controller::Retry(const crd::TopologyKey& key) {
  const std::string desired_hash = DesiredHash(key);
  const int64_t now = NowMs();
  const bool was_halted = board_.ClearHalt(key, desired_hash);
  return Mutate(key, [&](statestore::TopologyRecord& r) {
    const bool failed = !desired_hash.empty() && r.failed_spec_hashes.count(desired_hash);
    if (!failed && !was_halted) {
      return Status::FailedPrecondition("the current spec of " + key.ToString() +
                                        " is neither marked failed nor halted; nothing to retry");
    }
    r.failed_spec_hashes.erase(desired_hash);
    statestore::RecordEvent(r, "Normal", "RetryRequested",
                            "revision " + desired_hash.substr(0, 12) + " may be applied again",
                            now);
    return Status::Ok();
  });
}

Status Controller::Restart(const crd::TopologyKey& key, const std::set<int32_t>& containers) {
  if (!Leads(key.cluster)) return NotLeader(leadership_.LeaderOf(key.cluster));
  HGO_ASSIGN_OR_RETURN(TopologyStatus status, Get(key));
  for (const char* busy : {"Deploying", "Updating", "RollingBack", "Deleting"}) {
    if (status.phase == busy) {
      return Status::FailedPrecondition(key.ToString() + " is " + status.phase +
                                        ": an update is in progress; restart it once it is done");
    }
  }
  auto cluster = clusters_.find(key.cluster);
  if (cluster == clusters_.end()) {
    return Status::NotFound("cluster '" + key.cluster + "' is not in the clusters file");
  }
  ClusterRuntime& c = *cluster->second;
  HGO_RETURN_IF_ERROR(c.Ensure());
  const aurora::JobKey job{key.role, key.environment, key.name};
  aurora::TaskQuery q;
  q.job_keys = {job};
  q.statuses = {aurora::TaskStatus::kPending, aurora::TaskStatus::kAssigned,
                aurora::TaskStatus::kStarting, aurora::TaskStatus::kRunning};
  HGO_ASSIGN_OR_RETURN(std::vector<aurora::Task> tasks, c.aurora(0).GetTaskStates(q));
  std::set<int32_t> active;
  for (const auto& t : tasks) active.insert(t.instance_id);
  if (active.empty()) return Status::FailedPrecondition(key.ToString() + " runs no container");
  for (int32_t id : containers) {
    if (!active.count(id)) {
      return Status::InvalidArgument("container " + std::to_string(id) + " of " + key.ToString() +
                                     " is not running (it runs 0 to " +
                                     std::to_string(*active.rbegin()) + ")");
    }
  }
  const std::set<int32_t>& restart = containers.empty() ? active : containers;
  HGO_RETURN_IF_ERROR(LeaseOf(key.cluster).Check());
  Status s = c.aurora(0).RestartShards(job, restart);
  if (s.code() == StatusCode::kFailedPrecondition) {
    return Status::FailedPrecondition("an update is in progress in Aurora: " + s.message());
  }
  HGO_RETURN_IF_ERROR(s);
  std::string which;
  for (int32_t id : restart) which += (which.empty() ? "" : ",") + std::to_string(id);
  const int64_t now = NowMs();
  return Mutate(key, [&](statestore::TopologyRecord& r) {
    statestore::RecordEvent(r, "Normal", "Restarted",
                            "container" + std::string(restart.size() > 1 ? "s " : " ") + which +
                                " restarted by an operator",
                            now);
    return Status::Ok();
  });
}

StatusOr<std::vector<UnmanagedTopology>> Controller::Unmanaged() {
  std::set<std::pair<std::string, std::string>> known;  // cluster, name
  auto claim = [&known](const crd::TopologyKey& k) { known.insert({k.cluster, k.name}); };
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [k, e] : desired_.present) claim(k);
    for (const auto& [k, why] : desired_.frozen) claim(k);
  }
  for (const auto& k : board_.KeysWithStatus()) claim(k);
  HGO_ASSIGN_OR_RETURN(auto stored, store_.ListRecords());
  for (const auto& k : stored) claim(k);
  std::vector<UnmanagedTopology> out;
  for (const auto& [name, c] : clusters_) {
    auto found = controller::Unmanaged(*c, [&, cluster = name](const std::string& topology) {
      return known.count({cluster, topology}) > 0;
    });
    if (!found.ok()) {
      return Status(found.status().code(), "cluster " + name + ": " + found.status().message());
    }
    out.insert(out.end(), found->begin(), found->end());
  }
  return out;
}

StatusOr<Imported> Controller::Import(const crd::TopologyKey& key) {
  auto cluster = clusters_.find(key.cluster);
  if (cluster == clusters_.end()) {
    return Status::NotFound("cluster '" + key.cluster + "' is not in the clusters file");
  }
  return controller::Import(*cluster->second, key, 0);
}

StatusOr<DryRun> Controller::Plan(const std::string& yaml) {
  crd::ParseResult parsed = crd::ParseTopologies(yaml, "<request>");
  if (!parsed.ok()) {
    std::string msg;
    for (const auto& e : parsed.AllErrors()) msg += e.ToString() + "\n";
    return Status::InvalidArgument(msg);
  }
  auto specs = parsed.Topologies();
  if (specs.size() != 1) return Status::InvalidArgument("post exactly one Topology document");
  const crd::Topology& spec = specs[0];
  DryRun out;
  out.key = spec.key();
  auto cluster = clusters_.find(out.key.cluster);
  if (cluster == clusters_.end()) {
    return Status::InvalidArgument("cluster '" + out.key.cluster + "' is not in the clusters file");
  }
  ClusterRuntime& c = *cluster->second;
  std::shared_ptr<const statestore::HeronSnapshot> heron;
  HGO_ASSIGN_OR_RETURN(reconciler::Observed observed, pass_->Observe(c, out.key, 0, &heron));
  RevisionSource rev{std::make_shared<const crd::Topology>(spec), crd::SpecHash(spec), "dry-run"};
  HGO_ASSIGN_OR_RETURN(auto facts,
                       c.packages().Open(spec.spec.package.uri, spec.spec.package.sha256));
  HGO_ASSIGN_OR_RETURN(auto stored, store_.GetRecord(out.key));
  const statestore::Revision* applied =
      stored && stored->record.applied ? &*stored->record.applied : nullptr;
  const std::optional<ContainerSize> keep = KeptSize(applied, rev.spec_hash, spec);
  HGO_ASSIGN_OR_RETURN(Shape shape, ShapeOf(rev, c.spec().config, CurrentPacking(heron.get()),
                                            *facts, nullptr, keep ? &*keep : nullptr));
  reconciler::Desired d;
  d.spec = rev.spec;
  d.spec_hash = rev.spec_hash;
  d.instances = shape.instances;
  d.job_hash = shape.inputs.job_hash;
  d.graph_hash = crd::StreamGraphHash(spec);
  reconciler::Memory memory;
  if (stored) memory = MemoryFromRecord(stored->record);
  if (memory.applied_hash.empty() && ForeignJob(observed)) {
    // As a pass would: a live topology the controller did not create is compared whole, so
    // the plan says whether it would be adopted as it runs.
    rev.shape = std::make_shared<const Shape>(shape);
    observed.foreign = CompareForeign(c, out.key, 0, rev);
  }
  out.plan = reconciler::MakePlan(d, observed, memory, options_.settings, NowMs());
  return out;
}

}  // namespace hgo::controller
