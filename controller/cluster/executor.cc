#include "controller/cluster/executor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "common/failpoint.h"
#include "common/http_client.h"
#include "controller/cluster/topology_manager.h"
#include "controller/failpoints.h"
#include "crd/heron_version.h"
#include "heron/defn.h"
#include "heron/messages.h"
#include "reconciler/planner.h"
#include "statestore/heron_state.h"

namespace hgo::controller {

using Kind = reconciler::Action::Kind;
using statestore::HeronDir;

Executor::Executor(aurora::AuroraApi& aurora, statestore::HeronStore& heron,
                   aurora::ClusterConfig cluster, const Clock& clock, ExecutorOptions options)
    : aurora_(aurora),
      heron_(heron),
      cluster_(std::move(cluster)),
      clock_(clock),
      options_(std::move(options)) {}

namespace {

// The cluster's Heron state under one action's layout (its Heron release's directory names).
class LaidOutState {
 public:
  LaidOutState(statestore::HeronStore& store, statestore::HeronLayout layout)
      : store_(store), layout_(std::move(layout)) {}
  Status EnsureTree() { return store_.EnsureTree(layout_); }
  StatusOr<std::optional<std::string>> Read(HeronDir d, const std::string& topology) {
    return store_.Read(layout_, d, topology);
  }
  Status Write(HeronDir d, const std::string& topology, const std::string& bytes) {
    return store_.Write(layout_, d, topology, bytes);
  }
  Status WriteAll(const std::string& topology,
                  const std::vector<std::pair<HeronDir, std::string>>& nodes) {
    return store_.WriteAll(layout_, topology, nodes);
  }
  Status Remove(HeronDir d, const std::string& topology) {
    return store_.Remove(layout_, d, topology);
  }
  Status RemoveTree(HeronDir d, const std::string& node) {
    return store_.RemoveTree(layout_, d, node);
  }

 private:
  statestore::HeronStore& store_;
  const statestore::HeronLayout layout_;
};

// What `heron update` does under Heron's update lock: Heron's state and the job's containers.
// Pulses, aborts and rollbacks steer an update already started; activation and runtime config
// go through the topology manager, which Heron does not lock either.
bool NeedsUpdateLock(const reconciler::Plan& plan) {
  return std::any_of(plan.actions.begin(), plan.actions.end(), [](const reconciler::Action& a) {
    return a.kind == Kind::kWriteHeronState || a.kind == Kind::kCreateJob ||
           a.kind == Kind::kStartUpdate || a.kind == Kind::kKillJob ||
           a.kind == Kind::kDeleteHeronState;
  });
}

}  // namespace

Status Executor::Execute(const reconciler::Plan& plan, const aurora::JobKey& job,
                         const std::map<std::string, RevisionSource>& revisions, size_t* done) {
  if (done) *done = 0;
  std::unique_ptr<statestore::HeronStore::Lease> lock;
  auto since = [this](std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(clock_.Now() - t0).count();
  };
  if (NeedsUpdateLock(plan)) {
    const auto t0 = clock_.Now();
    auto taken =
        heron_.LockForUpdate(cluster_.statemgr_root, job.name, options_.update_lock_timeout);
    if (options_.timed) options_.timed("UpdateLock", since(t0));
    if (!taken.ok()) {
      return Status(taken.status().code(),
                    "update lock for " + job.ToString() + ": " + taken.status().message());
    }
    lock = std::move(*taken);
  }
  for (const auto& a : plan.actions) {
    Status s = failpoint::Hit(kBeforeActionFailpoint);
    const auto t0 = clock_.Now();
    if (s.ok()) s = Do(a, job, revisions);
    if (options_.timed) options_.timed(reconciler::ActionName(a.kind), since(t0));
    if (!s.ok()) {
      return Status(s.code(), std::string(reconciler::ActionName(a.kind)) + " for " +
                                  job.ToString() + ": " + s.message());
    }
    if (done) ++*done;
  }
  if (lock) {
    // The actions happened, so the pass is not failed for this; an unreleased lease is
    // ephemeral and goes with the session at the latest.
    if (Status r = lock->Release(); !r.ok()) {
      spdlog::warn("{}: Heron's update lock was not released: {}", job.ToString(), r.message());
    }
  }
  return Status::Ok();
}

Status Executor::CallTopologyManager(const std::string& url, const std::string& what) const {
  int status = 0;
  std::string body;
  if (options_.topology_manager) {
    HGO_ASSIGN_OR_RETURN(status, options_.topology_manager(url));
  } else {
    HttpFetchOptions fetch;
    fetch.timeout = options_.topology_manager_timeout;
    HGO_ASSIGN_OR_RETURN(HttpResponse r, HttpFetch("GET", url, fetch));
    status = r.status;
    body = std::move(r.body);
  }
  if (status != 200) {
    return Status::Unavailable("the topology manager answered " + std::to_string(status) + " to " +
                               what + ": " + body.substr(0, 200));
  }
  return Status::Ok();
}

StatusOr<aurora::TaskConfig> Executor::LiveTask(const aurora::JobKey& job,
                                                const std::string& live_task) {
  aurora::TaskQuery query;
  query.job_keys = {job};
  query.statuses = {aurora::TaskStatus::kPending, aurora::TaskStatus::kAssigned,
                    aurora::TaskStatus::kStarting, aurora::TaskStatus::kRunning};
  HGO_ASSIGN_OR_RETURN(std::vector<aurora::Task> tasks,
                       aurora_.GetTasks(query, /*with_configs=*/true));
  for (auto& t : tasks) {
    if (aurora::LiveTaskHash(t.config) == live_task) return std::move(t.config);
  }
  return Status::FailedPrecondition("no task of " + job.ToString() + " runs the adopted task " +
                                    live_task.substr(0, 17) + " any more");
}

Status Executor::Do(const reconciler::Action& a, const aurora::JobKey& job,
                    const std::map<std::string, RevisionSource>& revisions) {
  const RevisionSource* revision = nullptr;
  if (!a.hash.empty()) {
    auto it = revisions.find(a.hash);
    if (it == revisions.end()) return Status::Internal("revision " + a.hash + " is unknown");
    revision = &it->second;
  }
  const std::string heron_version = revision && !revision->spec->spec.heron.version.empty()
                                        ? revision->spec->spec.heron.version
                                        : cluster_.heron_version;
  LaidOutState heron(heron_, statestore::HeronLayout{cluster_.statemgr_root,
                                                     crd::UsesTMasterNames(heron_version)});
  const std::string& name = job.name;
  // The revision's shape as the pass computed it, for the topology id the planner chose.
  auto shape = [&]() -> StatusOr<const Shape*> {
    if (!revision->shape) return Status::Internal("revision " + a.hash + " has no shape");
    // A revision planned onto an adopted job's live task has the packing of its shape and the
    // task that runs.
    if (revision->shape->inputs.job_hash != a.job_hash && !aurora::IsLiveTaskHash(a.job_hash)) {
      return Status::Internal("revision " + a.hash + " was planned with job hash " + a.job_hash +
                              ", its shape has " + revision->shape->inputs.job_hash);
    }
    return revision->shape.get();
  };
  aurora::UpdateKey update{job, a.update_id};
  switch (a.kind) {
    case Kind::kWriteHeronState: {
      HGO_ASSIGN_OR_RETURN(const Shape* s, shape());
      // The package first: a wrong sha256 or a .defn that does not match the spec stops the
      // action before anything is written, so nothing of the revision is deployed.
      const crd::PackageSpec& package = revision->spec->spec.package;
      HGO_ASSIGN_OR_RETURN(auto facts,
                           options_.packages->Open(package.uri, package.sha256, /*fresh=*/true));
      HGO_ASSIGN_OR_RETURN(
          heronmsg::hp_api::Topology topology,
          heronmsg::TopologyFromDefn(facts->defn, package.uri, *revision->spec, a.topology_id,
                                     s->inputs.containers, revision->spec_hash));
      HGO_RETURN_IF_ERROR(heron.EnsureTree());
      const int64_t now_s =
          std::chrono::duration_cast<std::chrono::seconds>(clock_.WallNow().time_since_epoch())
              .count();
      // One transaction where it can be (a submission, an update): one log sync, not three.
      // Node by node, the execution state and packing plan go before the topology: Heron's
      // tracker lists a topology only once its execution state exists.
      packing::PackingPlan packing = s->packing;
      packing.id = a.topology_id;
      return heron.WriteAll(
          name, {{HeronDir::kExecutionState,
                  heronmsg::SerializeHeronMessage(heronmsg::BuildExecutionState(
                      *revision->spec, a.topology_id, {now_s, cluster_.owner, heron_version}))},
                 {HeronDir::kPackingPlans,
                  heronmsg::SerializeHeronMessage(heronmsg::PackingPlanToProto(packing))},
                 {HeronDir::kTopologies, heronmsg::SerializeHeronMessage(topology)}});
    }
    case Kind::kCreateJob: {
      HGO_RETURN_IF_ERROR(CheckLease());
      HGO_ASSIGN_OR_RETURN(const Shape* s, shape());
      HGO_ASSIGN_OR_RETURN(aurora::JobConfig j,
                           shape::JobFor(*s, *revision->spec, cluster_, a.topology_id));
      return aurora_.CreateJob(j);
    }
    case Kind::kStartUpdate: {
      HGO_RETURN_IF_ERROR(CheckLease());
      HGO_ASSIGN_OR_RETURN(const Shape* s, shape());
      HGO_ASSIGN_OR_RETURN(aurora::UpdateRequest r,
                           shape::UpdateFor(*s, *revision->spec, cluster_, a.topology_id));
      if (aurora::IsLiveTaskHash(a.job_hash)) {
        // An adopted job scaled: its own task, untouched, on the shape's instance count.
        HGO_ASSIGN_OR_RETURN(r.task, LiveTask(job, a.job_hash));
        r.metadata[aurora::kMetaJobHash] = a.job_hash;
      }
      r.settings.block_if_no_pulses_after_ms = options_.block_if_no_pulses_after_ms;
      for (int32_t id : a.instances) {  // sorted: consecutive ids become one range
        if (!r.settings.update_only.empty() && r.settings.update_only.back().last + 1 == id) {
          r.settings.update_only.back().last = id;
        } else {
          r.settings.update_only.push_back(aurora::Range{id, id});
        }
      }
      HGO_ASSIGN_OR_RETURN(
          aurora::StartUpdateResult result,
          aurora_.StartJobUpdate(r, "heron-gitops: revision " + revision->spec_hash.substr(0, 12)));
      if (result.outcome == aurora::StartUpdateResult::Outcome::kBusy) {
        return Status::Conflict("another update is in progress: " + result.key->id);
      }
      return Status::Ok();
    }
    case Kind::kPulseUpdate:
      HGO_RETURN_IF_ERROR(CheckLease());
      return aurora_.PulseJobUpdate(update).status();
    case Kind::kAbortUpdate:
      HGO_RETURN_IF_ERROR(CheckLease());
      return aurora_.AbortJobUpdate(update, "heron-gitops: " + a.reason);
    case Kind::kRollbackUpdate:
      HGO_RETURN_IF_ERROR(CheckLease());
      return aurora_.RollbackJobUpdate(update, "heron-gitops: " + a.reason);
    case Kind::kWriteSchedulerLocation:
      HGO_RETURN_IF_ERROR(heron.EnsureTree());
      return heron.Write(HeronDir::kSchedulers, name,
                         heronmsg::SerializeHeronMessage(
                             heronmsg::BuildSchedulerLocation(name, cluster_.job_link_template)));
    case Kind::kSetTopologyState: {
      HGO_ASSIGN_OR_RETURN(auto pplan, heron.Read(HeronDir::kPhysicalPlans, name));
      HGO_ASSIGN_OR_RETURN(auto tmanager, heron.Read(HeronDir::kTManagers, name));
      HGO_ASSIGN_OR_RETURN(auto url, TopologyStateUrl(pplan, tmanager, a.pause, a.topology_id));
      if (!url) return Status::Ok();
      HGO_RETURN_IF_ERROR(CheckLease());
      return CallTopologyManager(*url, a.pause ? "deactivate" : "activate");
    }
    case Kind::kSetRuntimeConfig: {
      HGO_ASSIGN_OR_RETURN(auto tmanager, heron.Read(HeronDir::kTManagers, name));
      HGO_ASSIGN_OR_RETURN(auto url, RuntimeConfigUrl(tmanager, a.runtime_config, a.topology_id));
      HGO_RETURN_IF_ERROR(CheckLease());
      return CallTopologyManager(url, "runtime_config/update");
    }
    case Kind::kKillJob:
      HGO_RETURN_IF_ERROR(CheckLease());
      return aurora_.KillJob(job, "heron-gitops: " + a.reason);
    case Kind::kDeleteHeronState:
      // `heron kill`'s order (RuntimeManagerRunner.cleanState): the topology manager's location
      // (under either release's name) and the metrics cache's, packing plan, physical plan,
      // scheduler location, the update lock, execution state, and topologies/<name> last, since its
      // existence means "running". Heron leaves statefulcheckpoints/<name> behind; a killed
      // topology's checkpoints are of no use to a new one, so it goes too.
      for (HeronDir d :
           {HeronDir::kTManagers, HeronDir::kTMasters, HeronDir::kMetricsCaches,
            HeronDir::kPackingPlans, HeronDir::kPhysicalPlans, HeronDir::kSchedulers}) {
        HGO_RETURN_IF_ERROR(heron.Remove(d, name));
      }
      HGO_RETURN_IF_ERROR(heron.RemoveTree(HeronDir::kLocks, name + "__updateTopology"));
      HGO_RETURN_IF_ERROR(heron.RemoveTree(HeronDir::kStatefulCheckpoints, name));
      HGO_RETURN_IF_ERROR(heron.Remove(HeronDir::kExecutionState, name));
      return heron.Remove(HeronDir::kTopologies, name);
    case Kind::kRemember:
    case Kind::kForget:
      return Status::Ok();  // the caller's: records are written after the actions succeeded
  }
  return Status::Internal("unknown action");
}

}  // namespace hgo::controller
