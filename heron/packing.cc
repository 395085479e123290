#include "heron/packing.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>

#include "crd/quantity.h"

namespace hgo::packing {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;
constexpr int64_t kMiB = int64_t{1} << 20;

struct Component {
  std::string name;
  int parallelism;
};

std::vector<Component> ComponentsInSpecOrder(const crd::Topology& t) {
  std::vector<Component> out;
  for (const auto& s : t.spec.topology.spouts) out.push_back({s.id, s.parallelism});
  for (const auto& b : t.spec.topology.bolts) out.push_back({b.id, b.parallelism});
  return out;
}

Resource Add(Resource a, const Resource& b) {
  a.cpu += b.cpu;
  a.ram += b.ram;
  a.disk += b.disk;
  return a;
}

bool Fits(const Resource& used, const Resource& capacity) {
  // A little slack on CPU: sums of decimals must not fail on rounding.
  return used.cpu <= capacity.cpu + 1e-9 && used.ram <= capacity.ram && used.disk <= capacity.disk;
}

std::string Describe(const Resource& r) {
  return crd::FormatCpuMillis(std::llround(r.cpu * 1000)) + " cpu, " + crd::FormatBytes(r.ram) +
         " ram, " + crd::FormatBytes(r.disk) + " disk";
}

void SetHomogeneousSchedule(PackingPlan& plan) {
  Resource max = plan.MaxRequired();
  for (auto& c : plan.containers) c.scheduled = max;
}

// ResourceCompliantRR's capacity, padding and per-instance resources.
struct CompliantModel {
  Resource capacity;
  Resource padding;
  std::map<std::string, int64_t> ram_map;
  Resource instance_default;

  Resource InstanceResource(const std::string& component) const {
    Resource r = instance_default;
    if (auto it = ram_map.find(component); it != ram_map.end()) r.ram = it->second;
    return r;
  }
  Resource Used(const ContainerPlan& c) const {
    Resource used = padding;
    for (const auto& i : c.instances) used = Add(used, i.resource);
    return used;
  }
  Resource Required(const ContainerPlan& c) const {
    Resource r = Used(c);
    r.cpu = std::round(r.cpu);  // Heron rounds the container CPU (Math.round)
    return r;
  }
};

StatusOr<CompliantModel> MakeCompliantModel(const crd::Topology& t, const PackingDefaults& d) {
  CompliantModel m;
  m.instance_default = d.instance;
  const auto& res = t.spec.resources;
  m.capacity.cpu = res.cpu_millis ? static_cast<double>(*res.cpu_millis) / 1000.0
                                  : d.instance.cpu * d.max_instances_per_container;
  m.capacity.ram = res.ram_bytes ? *res.ram_bytes : d.instance.ram * d.max_instances_per_container;
  m.capacity.disk =
      res.disk_bytes ? *res.disk_bytes : d.instance.disk * d.max_instances_per_container;
  const double pct = d.padding_percentage / 100.0;
  m.padding.cpu = std::max(1.0, m.capacity.cpu * pct);
  m.padding.ram = std::max<int64_t>(kGiB, static_cast<int64_t>(m.capacity.ram * pct));
  m.padding.disk = std::max<int64_t>(kGiB, static_cast<int64_t>(m.capacity.disk * pct));
  HGO_ASSIGN_OR_RETURN(m.ram_map, ComponentRamMap(t));
  for (const auto& c : ComponentsInSpecOrder(t)) {
    Resource r = m.InstanceResource(c.name);
    if (r.ram < d.min_instance_ram) {
      return Status::InvalidArgument("component '" + c.name + "' has " + crd::FormatBytes(r.ram) +
                                     " of RAM per instance; ResourceCompliantRR needs at least " +
                                     crd::FormatBytes(d.min_instance_ram));
    }
    if (!Fits(Add(r, m.padding), m.capacity)) {
      return Status::InvalidArgument("one instance of '" + c.name + "' (" + Describe(r) +
                                     ") plus padding (" + Describe(m.padding) +
                                     ") does not fit a container of " + Describe(m.capacity) +
                                     "; raise spec.resources");
    }
  }
  return m;
}

StatusOr<PackingPlan> PackCompliant(const crd::Topology& t, const std::string& id,
                                    const PackingDefaults& d) {
  HGO_ASSIGN_OR_RETURN(CompliantModel m, MakeCompliantModel(t, d));
  auto components = ComponentsInSpecOrder(t);
  int total = 0;
  for (const auto& c : components) total += c.parallelism;
  for (int n = 1; n <= total; ++n) {
    PackingPlan plan;
    plan.id = id;
    for (int i = 1; i <= n; ++i) plan.containers.push_back(ContainerPlan{i, {}, {}, {}});
    bool fits = true;
    int cursor = 0;
    int32_t task = 1;
    for (const auto& c : components) {
      for (int k = 0; k < c.parallelism && fits; ++k) {
        ContainerPlan& target = plan.containers[cursor];
        InstancePlan inst{c.name, task++, k, m.InstanceResource(c.name)};
        if (!Fits(Add(m.Used(target), inst.resource), m.capacity)) fits = false;
        target.instances.push_back(std::move(inst));
        cursor = (cursor + 1) % n;
      }
    }
    if (!fits) continue;  // one more container, from scratch (Heron's strict round robin)
    for (auto& c : plan.containers) c.required = m.Required(c);
    SetHomogeneousSchedule(plan);
    return plan;
  }
  return Status::InvalidArgument("cannot pack " + std::to_string(total) +
                                 " instances into containers of " + Describe(m.capacity));
}

StatusOr<PackingPlan> PackRoundRobin(const crd::Topology& t, const std::string& id,
                                     const PackingDefaults& d) {
  auto components = ComponentsInSpecOrder(t);
  int total = 0;
  for (const auto& c : components) total += c.parallelism;
  int n = t.spec.packing.containers.value_or(1);
  if (std::string key = crd::ContainerCountKey(t); !key.empty()) {
    n = std::atoi(crd::ConfigText(t, key).c_str());
  }
  if (n < 1 || n > total) {
    return Status::InvalidArgument("RoundRobin needs between 1 and " + std::to_string(total) +
                                   " containers (one per instance at most), got " +
                                   std::to_string(n));
  }
  HGO_ASSIGN_OR_RETURN(auto ram_map, ComponentRamMap(t));
  // Components with explicit RAM first, largest first (Heron's order); the rest keep spec order.
  std::stable_sort(components.begin(), components.end(),
                   [&](const Component& a, const Component& b) {
                     auto ra = ram_map.count(a.name) ? ram_map.at(a.name) : 0;
                     auto rb = ram_map.count(b.name) ? ram_map.at(b.name) : 0;
                     return ra > rb;
                   });
  PackingPlan plan;
  plan.id = id;
  for (int i = 1; i <= n; ++i) plan.containers.push_back(ContainerPlan{i, {}, {}, {}});
  int cursor = 0;
  int32_t task = 1;
  for (const auto& c : components) {
    for (int k = 0; k < c.parallelism; ++k) {
      plan.containers[cursor].instances.push_back(InstancePlan{c.name, task++, k, {}});
      cursor = (cursor + 1) % n;
    }
  }
  size_t largest = 0;
  for (const auto& c : plan.containers) largest = std::max(largest, c.instances.size());

  int64_t ram_padding = 2 * kGiB;  // stream manager + metrics manager
  if (crd::ConfigText(t, "topology.reliability.mode") == "EFFECTIVELY_ONCE") ram_padding += kGiB;
  if (auto p = crd::ConfigText(t, "topology.container.ram.padding"); !p.empty()) {
    ram_padding = std::atoll(p.c_str());
  }
  const double cpu_padding = 1.0;
  const int64_t disk_padding = 12 * kGiB;
  const auto& res = t.spec.resources;
  const int64_t container_ram =
      res.ram_bytes ? *res.ram_bytes : d.instance.ram * static_cast<int64_t>(largest) + ram_padding;
  const double container_cpu =
      res.cpu_millis ? static_cast<double>(*res.cpu_millis) / 1000.0
                     : std::round(d.instance.cpu * static_cast<double>(largest) + cpu_padding);
  const int64_t container_disk =
      res.disk_bytes ? *res.disk_bytes
                     : d.instance.disk * static_cast<int64_t>(largest) + disk_padding;

  for (auto& c : plan.containers) {
    int64_t specified_ram = 0;
    int unspecified = 0;
    for (const auto& i : c.instances) {
      if (ram_map.count(i.component)) {
        specified_ram += ram_map.at(i.component);
      } else {
        ++unspecified;
      }
    }
    int64_t left = container_ram - ram_padding - specified_ram;
    int64_t each = unspecified ? left / unspecified : 0;
    if (left < 0 || (unspecified && each < d.rr_min_instance_ram)) {
      return Status::InvalidArgument("container " + std::to_string(c.id) +
                                     " needs more RAM than spec.resources.ram (" +
                                     crd::FormatBytes(container_ram) + ") allows after " +
                                     crd::FormatBytes(ram_padding) + " of padding");
    }
    double cpu_each = (container_cpu - cpu_padding) / static_cast<double>(c.instances.size());
    if (cpu_each <= 0) {
      return Status::InvalidArgument("spec.resources.cpu leaves no CPU for instances after " +
                                     std::to_string(cpu_padding) + " core of padding");
    }
    Resource sum;
    for (auto& i : c.instances) {
      i.resource.ram = ram_map.count(i.component) ? ram_map.at(i.component) : each;
      i.resource.cpu = cpu_each;
      i.resource.disk = d.instance.disk;
      sum = Add(sum, i.resource);
    }
    c.required.ram = std::min(sum.ram + ram_padding, container_ram);
    c.required.cpu = res.cpu_millis ? container_cpu : sum.cpu + cpu_padding;
    c.required.disk = container_disk;
  }
  SetHomogeneousSchedule(plan);
  return plan;
}

// Heron's scorers for choosing where to remove an instance of component from.
ContainerPlan* PickContainerToShrink(std::vector<ContainerPlan>& containers,
                                     const std::string& component) {
  ContainerPlan* best = nullptr;
  auto key = [&](const ContainerPlan& c) {
    int mine = 0;
    for (const auto& i : c.instances) mine += i.component == component;
    bool only = mine == static_cast<int>(c.instances.size());
    double share = c.instances.empty() ? 0 : static_cast<double>(mine) / c.instances.size();
    // Larger is better: only-this-component, fewer instances, higher share, higher id.
    return std::make_tuple(only, -static_cast<int>(c.instances.size()), share, c.id);
  };
  for (auto& c : containers) {
    bool has = std::any_of(c.instances.begin(), c.instances.end(),
                           [&](const InstancePlan& i) { return i.component == component; });
    if (has && (!best || key(c) > key(*best))) best = &c;
  }
  return best;
}

StatusOr<PackingPlan> RepackCompliant(const PackingPlan& current, const crd::Topology& desired,
                                      const std::string& id, const PackingDefaults& d) {
  HGO_ASSIGN_OR_RETURN(CompliantModel m, MakeCompliantModel(desired, d));
  PackingPlan plan = current;
  plan.id = id;
  auto components = ComponentsInSpecOrder(desired);
  std::map<std::string, int> want;
  for (const auto& c : components) want[c.name] = c.parallelism;
  auto have = current.ComponentCounts();

  // Scale down first (and remove components that left the spec).
  for (const auto& [name, count] : have) {
    int target = want.count(name) ? want.at(name) : 0;
    for (int k = count; k > target; --k) {
      ContainerPlan* c = PickContainerToShrink(plan.containers, name);
      auto victim = c->instances.end();
      for (auto it = c->instances.begin(); it != c->instances.end(); ++it) {
        if (it->component == name &&
            (victim == c->instances.end() || it->component_index > victim->component_index)) {
          victim = it;
        }
      }
      c->instances.erase(victim);
    }
  }
  // Then scale up by flexible round robin from a cursor.
  int32_t next_task = 1;
  for (const auto& c : plan.containers) {
    for (const auto& i : c.instances) next_task = std::max(next_task, i.task_id + 1);
  }
  size_t cursor = 0;
  for (const auto& comp : components) {
    int count = have.count(comp.name) ? std::min(have.at(comp.name), comp.parallelism) : 0;
    int next_index = 0;
    for (const auto& c : plan.containers) {
      for (const auto& i : c.instances) {
        if (i.component == comp.name) next_index = std::max(next_index, i.component_index + 1);
      }
    }
    for (int k = count; k < comp.parallelism; ++k) {
      InstancePlan inst{comp.name, next_task++, next_index++, m.InstanceResource(comp.name)};
      bool placed = false;
      for (size_t tries = 0; tries < plan.containers.size() && !placed; ++tries) {
        ContainerPlan& c = plan.containers[(cursor + tries) % plan.containers.size()];
        if (Fits(Add(m.Used(c), inst.resource), m.capacity)) {
          c.instances.push_back(inst);
          cursor = (cursor + tries + 1) % plan.containers.size();
          placed = true;
        }
      }
      if (!placed) {
        int32_t new_id = plan.containers.empty() ? 1 : plan.containers.back().id + 1;
        plan.containers.push_back(ContainerPlan{new_id, {inst}, {}, {}});
        cursor = 0;
      }
    }
  }
  // Containers that ended up empty are dropped: the scheduler removes them.
  plan.containers.erase(std::remove_if(plan.containers.begin(), plan.containers.end(),
                                       [](const ContainerPlan& c) { return c.instances.empty(); }),
                        plan.containers.end());
  for (auto& c : plan.containers) {
    std::sort(c.instances.begin(), c.instances.end(),
              [](const InstancePlan& a, const InstancePlan& b) { return a.task_id < b.task_id; });
    c.required = m.Required(c);
  }
  SetHomogeneousSchedule(plan);
  return plan;
}

}  // namespace

int PackingPlan::InstanceCount() const {
  int n = 0;
  for (const auto& c : containers) n += static_cast<int>(c.instances.size());
  return n;
}

std::map<std::string, int> PackingPlan::ComponentCounts() const {
  std::map<std::string, int> out;
  for (const auto& c : containers) {
    for (const auto& i : c.instances) ++out[i.component];
  }
  return out;
}

Resource PackingPlan::MaxRequired() const {
  Resource max;
  for (const auto& c : containers) {
    max.cpu = std::max(max.cpu, c.required.cpu);
    max.ram = std::max(max.ram, c.required.ram);
    max.disk = std::max(max.disk, c.required.disk);
  }
  return max;
}

const ContainerPlan* PackingPlan::Find(int32_t container_id) const {
  for (const auto& c : containers) {
    if (c.id == container_id) return &c;
  }
  return nullptr;
}

std::map<std::string, int64_t> ComponentRamDistribution(const PackingPlan& plan) {
  std::map<std::string, int64_t> ram;
  for (const auto& c : plan.containers) {
    for (const auto& i : c.instances) {
      auto [it, added] = ram.emplace(i.component, i.resource.ram);
      if (!added) it->second = std::min(it->second, i.resource.ram);
    }
  }
  return ram;
}

StatusOr<std::map<std::string, int64_t>> ComponentRamMap(const crd::Topology& t) {
  std::map<std::string, int64_t> out;
  const Json& config = t.spec.topology.config;
  if (const Json* list = config.Find("topology.component.resourcemap"); list && list->is_array()) {
    for (const auto& entry : list->as_array()) {
      const Json* id = entry.Find("id");
      const Json* ram = entry.Find("ram");
      if (!id || !id->is_string() || !ram) continue;  // validation reports malformed entries
      std::string text = ram->is_string() ? ram->as_string()
                         : ram->is_int()  ? std::to_string(ram->as_int())
                                          : "";
      auto bytes = crd::ParseEcoBytes(text);
      if (!bytes.ok()) {
        return Status::InvalidArgument("topology.component.resourcemap: ram of '" +
                                       id->as_string() + "': " + bytes.status().message());
      }
      out[id->as_string()] = *bytes;
    }
  }
  if (const Json* rammap = config.Find("topology.component.rammap");
      rammap && rammap->is_string()) {
    const std::string& s = rammap->as_string();
    size_t start = 0;
    while (start < s.size()) {
      size_t comma = s.find(',', start);
      std::string item = s.substr(start, comma == std::string::npos ? comma : comma - start);
      size_t colon = item.rfind(':');
      auto bytes = colon == std::string::npos ? StatusOr<int64_t>(Status::InvalidArgument("no ':'"))
                                              : crd::ParseEcoBytes(item.substr(colon + 1));
      if (!bytes.ok()) {
        return Status::InvalidArgument("topology.component.rammap entry '" + item +
                                       "' is not component:bytes");
      }
      out[item.substr(0, colon)] = *bytes;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

namespace {
std::atomic<uint64_t> packings{0};
}  // namespace

uint64_t PackingsSoFar() { return packings.load(); }

StatusOr<PackingPlan> Pack(const crd::Topology& t, const std::string& topology_id,
                           const PackingDefaults& defaults) {
  ++packings;
  if (t.spec.packing.algorithm == crd::PackingAlgorithm::kRoundRobin) {
    return PackRoundRobin(t, topology_id, defaults);
  }
  return PackCompliant(t, topology_id, defaults);
}

StatusOr<PackingPlan> Repack(const PackingPlan& current, const crd::Topology& desired,
                             const std::string& topology_id, const PackingDefaults& defaults) {
  ++packings;
  if (desired.spec.packing.algorithm == crd::PackingAlgorithm::kRoundRobin) {
    return PackRoundRobin(desired, topology_id, defaults);
  }
  return RepackCompliant(current, desired, topology_id, defaults);
}

std::vector<int32_t> ChangedContainers(const PackingPlan& before, const PackingPlan& after) {
  std::set<int32_t> ids;
  for (const auto& c : before.containers) ids.insert(c.id);
  for (const auto& c : after.containers) ids.insert(c.id);
  std::vector<int32_t> changed;
  for (int32_t id : ids) {
    const ContainerPlan* a = before.Find(id);
    const ContainerPlan* b = after.Find(id);
    if (!a || !b || a->instances != b->instances) changed.push_back(id);
  }
  return changed;
}

}  // namespace hgo::packing
