#include "shape/shape.h"

#include <cstdio>

#include "crd/quantity.h"

namespace hgo::shape {

namespace {

// Everything of JobInputs that JobHash reads (it overrides the topology id, the job hash and the
// container count), and the spec by its hash; strings length-prefixed, so no two differ alike.
std::string JobHashInputs(const aurora::JobInputs& in) {
  std::string s;
  auto add = [&s](const std::string& field) { s += std::to_string(field.size()) + ":" + field; };
  char resources[96];
  std::snprintf(resources, sizeof resources, "%.17g/%lld/%lld", in.resources.cpus,
                static_cast<long long>(in.resources.ram_bytes),
                static_cast<long long>(in.resources.disk_bytes));
  for (const std::string* field :
       {&in.spec_hash, &in.source_revision, &in.defn_file, &in.topology_binary, &in.package_type}) {
    add(*field);
  }
  add(resources);
  for (const auto& [component, bytes] : in.component_ram) {
    add(component);
    add(std::to_string(bytes));
  }
  return s;
}

// The shape runs in containers of the kept size: the job's inputs and the plan's scheduled
// resources are that size; the instances keep what the packing gave them.
void KeepSize(const ContainerSize& keep, Shape& shape) {
  shape.inputs.resources = keep.resources;
  shape.inputs.component_ram = keep.component_ram;
  const packing::Resource kept{keep.resources.cpus, keep.resources.ram_bytes,
                               keep.resources.disk_bytes};
  for (auto& c : shape.packing.containers) {
    if (c.required.ram > kept.ram && shape.outgrown.empty()) {
      shape.outgrown = "container " + std::to_string(c.id) + " now needs " +
                       crd::FormatBytes(c.required.ram) + " of RAM and keeps " +
                       crd::FormatBytes(kept.ram);
    }
    c.scheduled = kept;
  }
}

}  // namespace

StatusOr<std::string> JobHashMemo::Get(const crd::Topology& t, const aurora::ClusterConfig& cluster,
                                       const aurora::JobInputs& in,
                                       std::optional<aurora::JobConfig>* built) {
  auto build = [&]() -> StatusOr<std::string> {
    HGO_ASSIGN_OR_RETURN(aurora::HashedJob hashed, aurora::BuildHashedJob(t, cluster, in));
    if (built) *built = std::move(hashed.job);
    return hashed.hash;
  };
  if (in.spec_hash.empty()) return build();
  const crd::TopologyKey key = t.key();
  std::string inputs = JobHashInputs(in);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = hashes_.find(key);
    if (it != hashes_.end() && it->second.first == inputs) return it->second.second;
  }
  HGO_ASSIGN_OR_RETURN(std::string hash, build());
  std::lock_guard<std::mutex> lock(mu_);
  hashes_[key] = {std::move(inputs), hash};
  return hash;
}

void JobHashMemo::Forget(const crd::TopologyKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  hashes_.erase(key);
}

size_t JobHashMemo::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hashes_.size();
}

StatusOr<Shape> ShapeOf(const RevisionSource& revision, const aurora::ClusterConfig& cluster,
                        const std::optional<packing::PackingPlan>& current,
                        const packager::PackageFacts& package, JobHashMemo* memo,
                        const ContainerSize* keep) {
  const crd::Topology& t = *revision.spec;
  if (package.statemgr_root != cluster.statemgr_root) {
    // Heron's executor watches its packing plan where the package's conf says, the topology
    // manager writes where the flags say: with two roots the containers never start.
    return Status::FailedPrecondition(
        "the package's heron-conf/statemgr.yaml roots Heron's state at '" + package.statemgr_root +
        "', cluster " + cluster.name + " keeps it under '" + cluster.statemgr_root +
        "' (build the package with the cluster's conf directory)");
  }
  Shape shape;
  auto packed = current ? packing::Repack(*current, t, "pending") : packing::Pack(t, "pending");
  if (!packed.ok()) {
    // heronctl validate gives the same message (cli/validate.h PackingError).
    return Status(packed.status().code(), "cannot be packed: " + packed.status().message());
  }
  shape.packing = std::move(*packed);
  shape.inputs.defn_file = package.defn_name;
  shape.inputs.topology_binary = package.binary_name;
  shape.inputs.package_type = package.binary_type;
  shape.inputs.containers = static_cast<int32_t>(shape.packing.containers.size());
  if (keep) {
    KeepSize(*keep, shape);
  } else {
    const packing::Resource max = shape.packing.MaxRequired();
    shape.inputs.component_ram = packing::ComponentRamDistribution(shape.packing);
    shape.inputs.resources = aurora::ContainerResources{max.cpu, max.ram, max.disk};
  }
  shape.inputs.spec_hash = revision.spec_hash;
  shape.inputs.source_revision = revision.source_revision;
  if (memo) {
    HGO_ASSIGN_OR_RETURN(shape.inputs.job_hash,
                         memo->Get(t, cluster, shape.inputs, &shape.hashed_job));
  } else {
    HGO_ASSIGN_OR_RETURN(aurora::HashedJob hashed,
                         aurora::BuildHashedJob(t, cluster, shape.inputs));
    shape.inputs.job_hash = std::move(hashed.hash);
    shape.hashed_job = std::move(hashed.job);
  }
  shape.instances = shape.inputs.containers + 1;
  return shape;
}

StatusOr<aurora::JobConfig> JobFor(const Shape& shape, const crd::Topology& spec,
                                   const aurora::ClusterConfig& cluster,
                                   const std::string& topology_id) {
  aurora::JobInputs in = shape.inputs;
  in.topology_id = topology_id;
  if (shape.hashed_job) {
    auto job = aurora::WithTopologyId(*shape.hashed_job, in);
    if (job.ok() || job.status().code() != StatusCode::kInternal) return job;
  }
  // The hash was remembered from an earlier pass (or the placeholder could not be found): the
  // job is built whole, once.
  return aurora::BuildJob(spec, cluster, in);
}

StatusOr<aurora::UpdateRequest> UpdateFor(const Shape& shape, const crd::Topology& spec,
                                          const aurora::ClusterConfig& cluster,
                                          const std::string& topology_id) {
  HGO_ASSIGN_OR_RETURN(aurora::JobConfig job, JobFor(shape, spec, cluster, topology_id));
  aurora::JobInputs in = shape.inputs;
  in.topology_id = topology_id;
  return aurora::UpdateOfJob(spec, std::move(job), in);
}

}  // namespace hgo::shape
