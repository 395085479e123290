#include "heron/messages.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <map>
#include <set>

namespace hgo::heronmsg {
namespace {

constexpr char kDefaultStream[] = "default";

void AddKv(hp_api::Config* config, const std::string& key, const std::string& value) {
  auto* kv = config->add_kvs();
  kv->set_key(key);
  kv->set_value(value);
  kv->set_type(hp_api::STRING_VALUE);
}

}  // namespace

hp_api::Grouping ToProtoGrouping(crd::GroupingType g) {
  switch (g) {
    case crd::GroupingType::kShuffle:
      return hp_api::SHUFFLE;
    case crd::GroupingType::kFields:
      return hp_api::FIELDS;
    case crd::GroupingType::kAll:
      return hp_api::ALL;
    case crd::GroupingType::kGlobal:
      return hp_api::LOWEST;  // ECO's GLOBAL
    case crd::GroupingType::kNone:
      return hp_api::NONE;
    case crd::GroupingType::kCustom:
      return hp_api::CUSTOM;
  }
  return hp_api::SHUFFLE;
}

namespace {

void FillComponent(hp_api::Component* comp, const crd::ComponentSpec& c) {
  comp->set_name(c.id);
  comp->set_class_name(c.class_name);
  comp->set_spec(hp_api::JAVA_CLASS_NAME);  // no serialized object in what ZooKeeper holds
  AddKv(comp->mutable_config(), "topology.component.parallelism", std::to_string(c.parallelism));
}

void SetResource(hp_system::Resource* out, const packing::Resource& r) {
  out->set_cpu(r.cpu);
  out->set_ram(r.ram);
  out->set_disk(r.disk);
}

packing::Resource GetResource(const hp_system::Resource& r) {
  return packing::Resource{r.cpu(), r.ram(), r.disk()};
}

}  // namespace

std::map<std::string, std::string> SpecConfigOverrides(const crd::Topology& t) {
  std::map<std::string, std::string> config;
  const Json& spec_config = t.spec.topology.config;
  if (spec_config.is_object()) {
    for (const auto& [key, value] : spec_config.as_object()) {
      if (value.is_null() || key == "topology.component.resourcemap") continue;
      config[key] = crd::ConfigValueText(value);
    }
  }
  if (auto ram = packing::ComponentRamMap(t); ram.ok() && !ram->empty()) {
    std::string rammap;
    for (const auto& [component, bytes] : *ram) {
      rammap += (rammap.empty() ? "" : ",") + component + ":" + std::to_string(bytes);
    }
    config["topology.component.rammap"] = rammap;
  }
  return config;
}

std::map<std::string, std::string> ControllerConfig(const crd::Topology& t, int containers,
                                                    const std::string& spec_hash) {
  std::map<std::string, std::string> config = {
      {"topology.stmgrs", std::to_string(containers)},
      {"topology.name", t.metadata.name},
      {"topology.team.name", t.spec.role},
      {"topology.team.environment", t.spec.environment},
  };
  if (!spec_hash.empty()) config[kSpecHashConfigKey] = spec_hash;
  return config;
}

namespace {

void RuntimeEntries(const hp_api::Config& config, const std::string& prefix,
                    std::map<std::string, std::string>& out) {
  const size_t suffix = sizeof(kRuntimeConfigSuffix) - 1;
  for (const auto& kv : config.kvs()) {
    const std::string& key = kv.key();
    if (IsRuntimeConfigKey(key)) out[prefix + key.substr(0, key.size() - suffix)] = kv.value();
  }
}

void SetRuntimeKv(hp_api::Config* config, const std::string& key, const std::string& value) {
  const std::string runtime_key = key + kRuntimeConfigSuffix;
  for (auto& kv : *config->mutable_kvs()) {
    if (kv.key() == runtime_key) {
      kv.set_value(value);
      return;
    }
  }
  auto* kv = config->add_kvs();
  kv->set_key(runtime_key);
  kv->set_value(value);
  kv->set_type(hp_api::STRING_VALUE);
}

hp_api::Component* FindComponent(hp_api::Topology& t, const std::string& name) {
  for (auto& s : *t.mutable_spouts()) {
    if (s.comp().name() == name) return s.mutable_comp();
  }
  for (auto& b : *t.mutable_bolts()) {
    if (b.comp().name() == name) return b.mutable_comp();
  }
  return nullptr;
}

}  // namespace

bool IsRuntimeConfigKey(const std::string& key) {
  const std::string suffix = kRuntimeConfigSuffix;
  return key.size() > suffix.size() &&
         key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::map<std::string, std::string> RuntimeConfigOf(const hp_api::Topology& t) {
  std::map<std::string, std::string> out;
  RuntimeEntries(t.topology_config(), "", out);
  for (const auto& s : t.spouts()) RuntimeEntries(s.comp().config(), s.comp().name() + ":", out);
  for (const auto& b : t.bolts()) RuntimeEntries(b.comp().config(), b.comp().name() + ":", out);
  return out;
}

Status SetRuntimeConfig(hp_api::Topology& t, const std::map<std::string, std::string>& entries) {
  for (const auto& [entry, value] : entries) {
    const size_t colon = entry.find(':');
    if (colon != std::string::npos && !FindComponent(t, entry.substr(0, colon))) {
      return Status::NotFound("the topology has no component '" + entry.substr(0, colon) + "'");
    }
  }
  for (const auto& [entry, value] : entries) {
    const size_t colon = entry.find(':');
    if (colon == std::string::npos) {
      SetRuntimeKv(t.mutable_topology_config(), entry, value);
    } else {
      SetRuntimeKv(FindComponent(t, entry.substr(0, colon))->mutable_config(),
                   entry.substr(colon + 1), value);
    }
  }
  return Status::Ok();
}

hp_api::Topology BuildTopology(const crd::Topology& t, const std::string& topology_id,
                               int containers, const std::string& spec_hash) {
  const crd::LogicalPlanSpec& plan = t.spec.topology;
  hp_api::Topology out;
  out.set_id(topology_id);
  out.set_name(t.metadata.name);
  out.set_state(t.spec.state == crd::DesiredState::kPaused ? hp_api::PAUSED : hp_api::RUNNING);

  // Stream schemas: every (component, stream) that something consumes, with the fields that
  // FIELDS groupings on it name.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> outputs;
  for (const auto& s : plan.streams) {
    auto& fields =
        outputs[{s.from, s.grouping.stream_id.empty() ? kDefaultStream : s.grouping.stream_id}];
    for (const auto& f : s.grouping.args) {
      if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.push_back(f);
    }
  }
  auto add_outputs = [&](const std::string& component, auto* message) {
    for (const auto& [key, fields] : outputs) {
      if (key.first != component) continue;
      auto* o = message->add_outputs();
      o->mutable_stream()->set_id(key.second);
      o->mutable_stream()->set_component_name(component);
      auto* schema = o->mutable_schema();
      for (const auto& f : fields) {
        auto* k = schema->add_keys();
        k->set_key(f);
        k->set_type(hp_api::OBJECT);
      }
    }
  };
  for (const auto& s : plan.spouts) {
    auto* spout = out.add_spouts();
    FillComponent(spout->mutable_comp(), s);
    add_outputs(s.id, spout);
  }
  for (const auto& b : plan.bolts) {
    auto* bolt = out.add_bolts();
    FillComponent(bolt->mutable_comp(), b);
    for (const auto& s : plan.streams) {
      if (s.to != b.id) continue;
      auto* in = bolt->add_inputs();
      in->mutable_stream()->set_id(s.grouping.stream_id.empty() ? kDefaultStream
                                                                : s.grouping.stream_id);
      in->mutable_stream()->set_component_name(s.from);
      in->set_gtype(ToProtoGrouping(s.grouping.type));
      if (s.grouping.type == crd::GroupingType::kFields) {
        for (const auto& f : s.grouping.args) {
          auto* k = in->mutable_grouping_fields()->add_keys();
          k->set_key(f);
          k->set_type(hp_api::OBJECT);
        }
      }
    }
    add_outputs(b.id, bolt);
  }

  // Topology config: the spec's values, then what Heron's API and CLI add.
  std::map<std::string, std::string> config = SpecConfigOverrides(t);
  const std::map<std::string, std::string> defaults = {
      {"topology.debug", "false"},
      {"topology.message.timeout.secs", "30"},
      {"topology.max.spout.pending", "100"},
      {"topology.reliability.mode", "ATMOST_ONCE"},
      {"topology.enable.message.timeouts", "true"},
  };
  for (const auto& [k, v] : defaults) config.emplace(k, v);
  for (const auto& [k, v] : ControllerConfig(t, containers, spec_hash)) config[k] = v;
  for (const auto& [k, v] : config) AddKv(out.mutable_topology_config(), k, v);
  return out;
}

hp_system::ExecutionState BuildExecutionState(const crd::Topology& t,
                                              const std::string& topology_id,
                                              const SubmissionInfo& info) {
  hp_system::ExecutionState out;
  out.set_topology_name(t.metadata.name);
  out.set_topology_id(topology_id);
  out.set_submission_time(info.submission_time_s);
  out.set_submission_user(info.user);
  out.set_cluster(t.spec.cluster);
  out.set_environ(t.spec.environment);
  out.set_role(t.spec.role);
  auto* release = out.mutable_release_state();
  release->set_release_username(info.user);
  release->set_release_tag("");
  release->set_release_version(info.release_version);
  return out;
}

hp_system::PackingPlan PackingPlanToProto(const packing::PackingPlan& plan) {
  hp_system::PackingPlan out;
  out.set_id(plan.id);
  for (const auto& c : plan.containers) {
    auto* cp = out.add_container_plans();
    cp->set_id(c.id);
    for (const auto& i : c.instances) {
      auto* ip = cp->add_instance_plans();
      ip->set_component_name(i.component);
      ip->set_task_id(i.task_id);
      ip->set_component_index(i.component_index);
      SetResource(ip->mutable_resource(), i.resource);
    }
    SetResource(cp->mutable_requiredresource(), c.required);
    if (c.scheduled) SetResource(cp->mutable_scheduledresource(), *c.scheduled);
  }
  return out;
}

packing::PackingPlan PackingPlanFromProto(const hp_system::PackingPlan& proto) {
  packing::PackingPlan plan;
  plan.id = proto.id();
  for (const auto& cp : proto.container_plans()) {
    packing::ContainerPlan c;
    c.id = cp.id();
    for (const auto& ip : cp.instance_plans()) {
      c.instances.push_back(packing::InstancePlan{
          ip.component_name(), ip.task_id(), ip.component_index(), GetResource(ip.resource())});
    }
    c.required = GetResource(cp.requiredresource());
    if (cp.has_scheduledresource()) c.scheduled = GetResource(cp.scheduledresource());
    plan.containers.push_back(std::move(c));
  }
  std::sort(plan.containers.begin(), plan.containers.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return plan;
}

heron::proto::scheduler::SchedulerLocation BuildSchedulerLocation(const std::string& name,
                                                                  const std::string& job_link) {
  heron::proto::scheduler::SchedulerLocation out;
  out.set_topology_name(name);
  out.set_http_endpoint("scheduler_as_lib_no_endpoint");
  if (!job_link.empty()) out.add_job_page_link(job_link);
  return out;
}

std::string SerializeHeronMessage(const google::protobuf::MessageLite& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
  }
  return out;
}

}  // namespace hgo::heronmsg
