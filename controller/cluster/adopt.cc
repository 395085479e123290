#include "controller/cluster/adopt.h"

#include "crd/heron_version.h"
#include "heron/defn.h"
#include "heron/messages.h"
#include "shape/adoption.h"

namespace hgo::controller {

bool ForeignJob(const reconciler::Observed& observed) {
  if (!observed.job_exists()) return false;
  for (const auto& [id, inst] : observed.instances) {
    if (!inst.job_hash.empty() || !inst.topology_id.empty()) return false;
  }
  return true;
}

reconciler::ObservedForeign CompareForeign(ClusterRuntime& c, const crd::TopologyKey& key,
                                           int worker, const shape::RevisionSource& revision) {
  reconciler::ObservedForeign unreadable;
  auto fail = [&unreadable](const std::string& why) {
    unreadable.unreadable = why;
    return unreadable;
  };
  if (!revision.shape) return fail("the spec's revision has no shape");
  const crd::Topology& spec = *revision.spec;
  const aurora::JobKey job{key.role, key.environment, key.name};
  aurora::TaskQuery query;
  query.job_keys = {job};
  for (auto s : {aurora::TaskStatus::kPending, aurora::TaskStatus::kAssigned,
                 aurora::TaskStatus::kStarting, aurora::TaskStatus::kRunning}) {
    query.statuses.insert(s);
  }
  auto tasks = c.aurora(worker).GetTasks(query, /*with_configs=*/true);
  if (!tasks.ok()) return fail("Aurora: " + tasks.status().message());
  shape::LiveTopology live;
  live.tasks = std::move(*tasks);

  std::shared_ptr<statestore::HeronStore> heron = c.heron_store();
  if (!heron) return fail("Heron's ZooKeeper is not connected");
  const std::string version =
      spec.spec.heron.version.empty() ? c.spec().config.heron_version : spec.spec.heron.version;
  const statestore::HeronLayout layout{c.spec().config.statemgr_root,
                                       crd::UsesTMasterNames(version)};
  using statestore::HeronDir;
  auto topology = heron->Read(layout, HeronDir::kTopologies, key.name);
  if (!topology.ok()) return fail("topologies/" + key.name + ": " + topology.status().message());
  if (*topology) {
    auto t = heronmsg::ParseHeronMessage<heronmsg::hp_api::Topology>(**topology, "topologies");
    if (!t.ok()) return fail(t.status().message());
    live.topology = std::move(*t);
  }
  auto packing = heron->Read(layout, HeronDir::kPackingPlans, key.name);
  if (!packing.ok()) return fail("packingplans/" + key.name + ": " + packing.status().message());
  if (*packing) {
    auto p =
        heronmsg::ParseHeronMessage<heron::proto::system::PackingPlan>(**packing, "packingplans");
    if (!p.ok()) return fail(p.status().message());
    live.packing = heronmsg::PackingPlanFromProto(*p);
  }
  if (!live.topology) return fail("Heron's topologies/" + key.name + " is missing");
  const std::string& id = live.topology->id();

  // What the controller would write and run for the spec, with the live topology id.
  const crd::PackageSpec& package = spec.spec.package;
  auto facts = c.packages().Open(package.uri, package.sha256);
  if (!facts.ok()) return fail("package: " + facts.status().message());
  auto desired = heronmsg::TopologyFromDefn((*facts)->defn, package.uri, spec, id,
                                            revision.shape->inputs.containers);
  if (!desired.ok()) return fail(desired.status().message());
  auto built = shape::JobFor(*revision.shape, spec, c.spec().config, id);
  if (!built.ok()) return fail(built.status().message());
  return shape::CompareLive(spec, *revision.shape, *built, *desired, live);
}

}  // namespace hgo::controller
