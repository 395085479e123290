// The executor: carries out a plan's actions against Aurora and Heron's state in ZooKeeper. The
// only part of a pass that writes to servers; the controller's own record (kRemember, kForget)
// is written by the caller, after the actions succeeded.
//
// What it sends is what was planned: every revision an action names comes with its shape
// (shape/shape.h), computed once in the pass; the executor packs nothing and builds each job
// once, with the topology id the planner chose.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aurora/aurora_api.h"
#include "aurora/job_builder.h"
#include "common/clock.h"
#include "common/status.h"
#include "crd/topology.h"
#include "heron/packing.h"
#include "packager/blob_store.h"
#include "reconciler/types.h"
#include "shape/shape.h"
#include "statestore/heron_store.h"

namespace hgo::controller {

using shape::ContainerSize;
using shape::JobHashMemo;
using shape::RevisionSource;
using shape::Shape;
using shape::ShapeOf;

struct ExecutorOptions {
  // Every update is started with blockIfNoPulsesAfterMs: a controller that stops pulsing (dead,
  // partitioned, no longer leader) stops its own rollouts.
  int32_t block_if_no_pulses_after_ms = 120000;
  // activate/deactivate calls to Heron's topology manager.
  std::chrono::milliseconds topology_manager_timeout{5000};
  // How long a pass that changes Heron's state or the job waits for Heron's update lock
  // (statestore/heron_lock.h) before it fails and is retried; `heron update` tries for 5 s.
  std::chrono::milliseconds update_lock_timeout{2000};
  // Where revisions' packages are read: before Heron's state is written the package's sha256 is
  // checked against the spec and its .defn against spec.topology (heron/defn.h).
  std::shared_ptr<packager::PackageReader> packages =
      std::make_shared<packager::FetchingPackageReader>();
  // GETs a URL of a topology manager (activate, deactivate, runtime_config/update) and gives
  // the HTTP status; null: over HTTP within topology_manager_timeout. Tests answer in process.
  std::function<StatusOr<int>(const std::string& url)> topology_manager;
  // Asked before every call to Aurora or a topology manager (controller/lease.h): an error stops
  // the plan there. Null: no check. ZooKeeper writes are fenced on the server instead.
  std::function<Status()> lease;
  // Told how long each action took (failed ones too) and how long Heron's update lock took to
  // take (what "UpdateLock"): the metrics' heron_controller_action_seconds. Null: not told.
  std::function<void(const char* what, double seconds)> timed;
};

class Executor {
 public:
  Executor(aurora::AuroraApi& aurora, statestore::HeronStore& heron, aurora::ClusterConfig cluster,
           const Clock& clock, ExecutorOptions options = {});

  // Carries out the actions in order and stops at the first error. revisions must hold every
  // revision an action names, with its shape. *done (when given) is the number of actions
  // carried out whole: on an error, the action at index *done is the one that failed and those
  // after it were not attempted.
  Status Execute(const reconciler::Plan& plan, const aurora::JobKey& job,
                 const std::map<std::string, RevisionSource>& revisions, size_t* done = nullptr);

 private:
  Status Do(const reconciler::Action& a, const aurora::JobKey& job,
            const std::map<std::string, RevisionSource>& revisions);
  // Ok when the next call out may be made (ExecutorOptions.lease).
  Status CheckLease() const { return options_.lease ? options_.lease() : Status::Ok(); }
  // GET url on a topology manager; what names the call in errors.
  Status CallTopologyManager(const std::string& url, const std::string& what) const;
  // The config of the job's live task whose aurora::LiveTaskHash is live_task (an adopted
  // job's: a revision that runs it keeps it as it is); kFailedPrecondition when none runs it.
  StatusOr<aurora::TaskConfig> LiveTask(const aurora::JobKey& job, const std::string& live_task);

  aurora::AuroraApi& aurora_;
  statestore::HeronStore& heron_;
  const aurora::ClusterConfig cluster_;
  const Clock& clock_;
  const ExecutorOptions options_;
};

}  // namespace hgo::controller
