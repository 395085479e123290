#include "controller/cluster/adopt.h"

#include "common/sha256.h"
#include "crd/canonical.h"
#include "crd/heron_version.h"
#include "crd/parser.h"
#include "heron/defn.h"
#include "heron/messages.h"
#include "packager/blob_store.h"

namespace hgo::controller {

using statestore::HeronDir;

namespace {

statestore::HeronLayout LayoutOf(ClusterRuntime& c, const std::string& heron_version) {
  return statestore::HeronLayout{c.spec().config.statemgr_root,
                                 crd::UsesTMasterNames(heron_version)};
}

}  // namespace

bool ForeignJob(const reconciler::Observed& observed) {
  if (!observed.job_exists()) return false;
  for (const auto& [id, inst] : observed.instances) {
    if (!inst.job_hash.empty() || !inst.topology_id.empty()) return false;
  }
  return true;
}

StatusOr<shape::LiveTopology> ReadLive(ClusterRuntime& c, const crd::TopologyKey& key, int worker,
                                       const std::string& heron_version) {
  aurora::TaskQuery query;
  query.job_keys = {aurora::JobKey{key.role, key.environment, key.name}};
  query.statuses = {aurora::TaskStatus::kPending, aurora::TaskStatus::kAssigned,
                    aurora::TaskStatus::kStarting, aurora::TaskStatus::kRunning};
  auto tasks = c.aurora(worker).GetTasks(query, /*with_configs=*/true);
  if (!tasks.ok()) return Status(tasks.status().code(), "Aurora: " + tasks.status().message());
  shape::LiveTopology live;
  live.tasks = std::move(*tasks);
  std::shared_ptr<statestore::HeronStore> heron = c.heron_store();
  if (!heron) return Status::Unavailable("Heron's ZooKeeper is not connected");
  const statestore::HeronLayout layout = LayoutOf(c, heron_version);
  HGO_ASSIGN_OR_RETURN(auto topology, heron->Read(layout, HeronDir::kTopologies, key.name));
  if (topology) {
    HGO_ASSIGN_OR_RETURN(live.topology, heronmsg::ParseHeronMessage<heronmsg::hp_api::Topology>(
                                            *topology, "topologies/" + key.name));
  }
  HGO_ASSIGN_OR_RETURN(auto packing, heron->Read(layout, HeronDir::kPackingPlans, key.name));
  if (packing) {
    HGO_ASSIGN_OR_RETURN(auto plan, heronmsg::ParseHeronMessage<heron::proto::system::PackingPlan>(
                                        *packing, "packingplans/" + key.name));
    live.packing = heronmsg::PackingPlanFromProto(plan);
  }
  return live;
}

reconciler::ObservedForeign CompareWith(ClusterRuntime& c, const shape::RevisionSource& revision,
                                        const shape::LiveTopology& live) {
  reconciler::ObservedForeign unreadable;
  auto fail = [&unreadable](const std::string& why) {
    unreadable.unreadable = why;
    return unreadable;
  };
  if (!revision.shape) return fail("the spec's revision has no shape");
  if (!live.topology) return fail("Heron's topologies node is missing");
  const crd::Topology& spec = *revision.spec;
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

reconciler::ObservedForeign CompareForeign(ClusterRuntime& c, const crd::TopologyKey& key,
                                           int worker, const shape::RevisionSource& revision) {
  const std::string& version = revision.spec->spec.heron.version;
  auto live = ReadLive(c, key, worker, version.empty() ? c.spec().config.heron_version : version);
  if (!live.ok()) {
    reconciler::ObservedForeign f;
    f.unreadable = live.status().message();
    return f;
  }
  return CompareWith(c, revision, *live);
}

StatusOr<std::vector<UnmanagedTopology>> Unmanaged(
    ClusterRuntime& c, const std::function<bool(const std::string& name)>& known) {
  HGO_RETURN_IF_ERROR(c.Ensure());
  std::shared_ptr<statestore::HeronStore> heron = c.heron_store();
  if (!heron) return Status::Unavailable("Heron's ZooKeeper is not connected");
  const statestore::HeronLayout layout = LayoutOf(c, c.spec().config.heron_version);
  std::vector<UnmanagedTopology> out;
  for (const std::string& name : heron->Names()) {
    if (known(name)) continue;
    HGO_ASSIGN_OR_RETURN(auto bytes, heron->Read(layout, HeronDir::kExecutionState, name));
    if (!bytes) continue;  // being submitted or killed: no role or environment to name it by
    HGO_ASSIGN_OR_RETURN(auto state,
                         heronmsg::ParseHeronMessage<heronmsg::hp_system::ExecutionState>(
                             *bytes, "executionstate/" + name));
    UnmanagedTopology u;
    u.key = crd::TopologyKey{c.spec().config.name, state.role(), state.environ(), name};
    u.topology_id = state.topology_id();
    u.submission_user = state.submission_user();
    u.submission_time_s = state.submission_time();
    if (auto snapshot = heron->Get(name)) {
      if (const std::string* p = snapshot->Get(HeronDir::kPackingPlans)) {
        auto plan = heronmsg::ParseHeronMessage<heron::proto::system::PackingPlan>(*p, "packing");
        if (plan.ok()) u.containers = plan->container_plans_size();
      }
    }
    out.push_back(std::move(u));
  }
  return out;
}

StatusOr<Imported> Import(ClusterRuntime& c, const crd::TopologyKey& key, int worker) {
  HGO_RETURN_IF_ERROR(c.Ensure());
  HGO_ASSIGN_OR_RETURN(shape::LiveTopology live,
                       ReadLive(c, key, worker, c.spec().config.heron_version));
  if (!live.topology && live.tasks.empty()) {
    return Status::NotFound("no live topology " + key.ToString());
  }
  Imported best;
  bool have = false;
  std::string sha256;
  for (bool explicit_resources : {false, true}) {
    Imported attempt;
    HGO_ASSIGN_OR_RETURN(attempt.spec, shape::ImportSpec(key, live, c.spec().config, sha256,
                                                         explicit_resources, &attempt.notes));
    if (sha256.empty() && !explicit_resources) {
      // The package's digest, from its bytes.
      auto bytes = packager::FetchPackage(attempt.spec.spec.package.uri);
      if (!bytes.ok()) {
        attempt.notes.push_back("package.sha256: the package could not be fetched (" +
                                bytes.status().message() + "); fill it in");
        return attempt;
      }
      sha256 = Sha256Hex(*bytes);
      attempt.spec.spec.package.sha256 = sha256;
    }
    // As the controller will read it.
    crd::ParseResult parsed = crd::ParseTopologies(crd::SpecText(attempt.spec), key.name + ".yaml");
    if (!parsed.ok()) {
      attempt.notes.push_back("not a valid spec: " + parsed.AllErrors().front().ToString());
      return attempt;
    }
    auto spec = std::make_shared<const crd::Topology>(parsed.Topologies().at(0));
    shape::RevisionSource rev{spec, crd::SpecHash(*spec), "import"};
    auto facts = c.packages().Open(spec->spec.package.uri, spec->spec.package.sha256);
    if (!facts.ok()) {
      attempt.notes.push_back("package: " + facts.status().message());
      return attempt;
    }
    auto shaped = shape::ShapeOf(rev, c.spec().config, live.packing, **facts);
    if (!shaped.ok()) {
      attempt.notes.push_back(shaped.status().message());
    } else {
      rev.shape = std::make_shared<const shape::Shape>(std::move(*shaped));
      reconciler::ObservedForeign f = CompareWith(c, rev, live);
      if (!f.unreadable.empty()) attempt.notes.push_back(f.unreadable);
      attempt.differences = std::move(f.differences);
      if (f.unreadable.empty() && attempt.differences.empty()) return attempt;
    }
    if (!have || attempt.differences.size() < best.differences.size()) {
      best = std::move(attempt);
      have = true;
    }
  }
  return best;
}

}  // namespace hgo::controller
