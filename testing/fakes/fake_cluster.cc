#include "testing/fakes/fake_cluster.h"

#include <optional>

#include "controller/cluster/observe.h"
#include "heron/messages.h"
#include "heron/proto/packing_plan.pb.h"
#include "heron/proto/physical_plan.pb.h"
#include "heron/proto/tmanager.pb.h"

namespace hgo::testing {

using statestore::HeronDir;
using statestore::HeronLayout;

namespace {

constexpr char kManagerHostSuffix[] = ".tmanager.fake";

// A call to a fake topology manager:
// http://<topology>.<cluster>.tmanager.fake:1/<verb>?topologyid=ID[&runtime-config=k:v...]
struct ManagerCall {
  std::string topology, cluster, verb, id;
  std::map<std::string, std::string> runtime;  // runtime-config entries
};

std::optional<ManagerCall> ParseManagerCall(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return std::nullopt;
  const size_t host_start = scheme + 3;
  const size_t suffix = url.find(kManagerHostSuffix, host_start);
  const size_t dot = url.find('.', host_start);
  const size_t path_start = url.find('/', host_start);
  if (suffix == std::string::npos || dot >= suffix || path_start == std::string::npos) {
    return std::nullopt;
  }
  ManagerCall call;
  call.topology = url.substr(host_start, dot - host_start);
  call.cluster = url.substr(dot + 1, suffix - dot - 1);
  const size_t query_start = url.find('?', path_start);
  call.verb = url.substr(path_start, query_start - path_start);
  for (size_t at = query_start == std::string::npos ? url.size() + 1 : query_start + 1;
       at <= url.size();) {
    size_t end = url.find('&', at);
    if (end == std::string::npos) end = url.size();
    const std::string pair = url.substr(at, end - at);
    const size_t eq = pair.find('=');
    const std::string key = pair.substr(0, eq), value = pair.substr(eq + 1);
    if (key == "topologyid") call.id = value;
    if (key == "runtime-config") {
      const size_t colon = value.rfind(':');
      call.runtime[value.substr(0, colon)] = value.substr(colon + 1);
    }
    at = end + 1;
  }
  return call;
}

}  // namespace

FakeHeronStore& FakeCluster::ZooKeeper() {
  if (!heron_) {
    heron_ = std::make_shared<FakeHeronStore>(
        root_,
        [this](const std::string& topology) {
          if (on_change_) on_change_(topology);
        },
        controller::KeepObserved);
  }
  return *heron_;
}

void FakeCluster::SetReachable(bool reachable) {
  reachable_ = reachable;
  if (heron_) reachable ? heron_->Reconnect() : heron_->Disconnect();
  reachable ? aurora_->Heal() : aurora_->Break(Status::Unavailable("fake Aurora: unreachable"));
}

void FakeCluster::Advance() {
  aurora_->Advance();
  if (!heron_) return;
  aurora::TaskQuery q;
  q.statuses = {aurora::TaskStatus::kRunning};
  q.instance_ids = {0};
  auto running = aurora_->GetTasks(q, false);
  std::map<std::string, std::string> managers;  // topology -> task id of its instance 0
  if (running.ok()) {
    for (const auto& t : *running) managers[t.config.job.name] = t.task_id;
  }
  std::set<std::string> names;
  for (const auto& [path, bytes] : heron_->Nodes()) {
    const std::string dir = root_ + "/topologies/";
    if (path.compare(0, dir.size(), dir) == 0) names.insert(path.substr(dir.size()));
  }
  for (const auto& [name, task] : managers) names.insert(name);
  for (const auto& name : names) {
    auto it = managers.find(name);
    const bool restarted = it != managers.end() && manager_task_[name] != it->second;
    if (it == managers.end()) {
      manager_task_.erase(name);
      RunHeron(name, false, false);
    } else {
      manager_task_[name] = it->second;
      // A manager that did not restart registers stream managers of containers added since.
      RunHeron(name, true, restarted);
    }
  }
}

void FakeCluster::RunHeron(const std::string& name, bool running, bool restarted) {
  const HeronLayout layout{root_, false};
  if (!running) {
    (void)heron_->Remove(layout, HeronDir::kTManagers, name);
    (void)heron_->Remove(layout, HeronDir::kPhysicalPlans, name);
    return;
  }
  auto topology_bytes = heron_->Read(layout, HeronDir::kTopologies, name);
  auto packing_bytes = heron_->Read(layout, HeronDir::kPackingPlans, name);
  if (!topology_bytes.ok() || !*topology_bytes || !packing_bytes.ok() || !*packing_bytes) return;
  auto topology =
      heronmsg::ParseHeronMessage<heron::proto::api::Topology>(**topology_bytes, "topologies");
  auto packing = heronmsg::ParseHeronMessage<heron::proto::system::PackingPlan>(**packing_bytes,
                                                                                "packingplans");
  if (!topology.ok() || !packing.ok()) return;
  heron::proto::system::PhysicalPlan plan;
  auto current = heron_->Read(layout, HeronDir::kPhysicalPlans, name);
  auto manager = heron_->Read(layout, HeronDir::kTManagers, name);
  bool same_manager = false;
  if (!restarted && current.ok() && *current && manager.ok() && *manager) {
    auto loc = heronmsg::ParseHeronMessage<heron::proto::tmanager::TManagerLocation>(**manager,
                                                                                     "tmanagers");
    auto old = heronmsg::ParseHeronMessage<heron::proto::system::PhysicalPlan>(**current, "pplans");
    // The manager that runs keeps its plan (its live state and runtime config); a restarted
    // one reads topologies/<name> again.
    same_manager = loc.ok() && old.ok() && loc->topology_id() == topology->id() &&
                   old->topology().id() == topology->id();
    if (same_manager) plan = *old;
  }
  if (!same_manager) *plan.mutable_topology() = *topology;
  plan.clear_stmgrs();
  for (const auto& c : packing->container_plans()) {
    auto* s = plan.add_stmgrs();
    s->set_id("stmgr-" + std::to_string(c.id()));
    s->set_host_name("fake-agent");
    s->set_data_port(31000 + c.id());
    s->set_local_endpoint("/fake");
  }
  heron::proto::tmanager::TManagerLocation loc;
  loc.set_topology_name(name);
  loc.set_topology_id(topology->id());
  loc.set_host(name + "." + name_ + kManagerHostSuffix);
  loc.set_controller_port(1);
  loc.set_server_port(2);
  const std::string loc_bytes = heronmsg::SerializeHeronMessage(loc);
  const std::string plan_bytes = heronmsg::SerializeHeronMessage(plan);
  if (!(manager.ok() && *manager && **manager == loc_bytes)) {
    (void)heron_->Write(layout, HeronDir::kTManagers, name, loc_bytes);
  }
  if (!(current.ok() && *current && **current == plan_bytes)) {
    (void)heron_->Write(layout, HeronDir::kPhysicalPlans, name, plan_bytes);
  }
}

StatusOr<int> FakeCluster::CallTopologyManager(const std::string& url) {
  auto call = ParseManagerCall(url);
  if (!call) return Status::Unavailable("no such host");
  const std::string& topology = call->topology;
  const std::string& verb = call->verb;
  const HeronLayout layout{root_, false};
  auto current = heron_->Read(layout, HeronDir::kPhysicalPlans, topology);
  if (!current.ok() || !*current) return 500;  // no physical plan yet: Heron answers 500
  HGO_ASSIGN_OR_RETURN(auto plan, heronmsg::ParseHeronMessage<heron::proto::system::PhysicalPlan>(
                                      **current, "pplans"));
  if (plan.topology().id() != call->id) return 404;
  if (verb == "/activate" || verb == "/deactivate") {
    plan.mutable_topology()->set_state(verb == "/activate" ? heron::proto::api::RUNNING
                                                           : heron::proto::api::PAUSED);
  } else if (verb == "/runtime_config/update") {
    if (!heronmsg::SetRuntimeConfig(*plan.mutable_topology(), call->runtime).ok()) return 400;
  } else {
    return 404;
  }
  HGO_RETURN_IF_ERROR(heron_->Write(layout, HeronDir::kPhysicalPlans, topology,
                                    heronmsg::SerializeHeronMessage(plan)));
  return 200;
}

FakeCluster& FakeConnector::Add(const std::string& name, const std::string& root) {
  auto& c = clusters_[name];
  c = std::make_unique<FakeCluster>(name, root, clock_);
  return *c;
}

StatusOr<int> FakeConnector::CallTopologyManager(const std::string& url) {
  auto call = ParseManagerCall(url);
  if (!call) return Status::Unavailable("no such host");
  auto it = clusters_.find(call->cluster);
  if (it == clusters_.end()) return Status::Unavailable("no such host");
  return it->second->CallTopologyManager(url);
}

StatusOr<std::shared_ptr<statestore::HeronStore>> FakeConnector::ConnectHeron(
    const controller::ClusterSpec& cluster, std::function<void(const std::string&)> on_change) {
  auto it = clusters_.find(cluster.config.name);
  if (it == clusters_.end() || !it->second->reachable_) {
    return Status::Unavailable("cluster " + cluster.config.name + ": fake ZooKeeper unreachable");
  }
  FakeCluster& c = *it->second;
  c.on_change_ = std::move(on_change);
  c.ZooKeeper();
  return std::shared_ptr<statestore::HeronStore>(c.heron_);
}

StatusOr<std::shared_ptr<aurora::AuroraApi>> FakeConnector::ConnectAurora(
    const controller::ClusterSpec& cluster) {
  auto it = clusters_.find(cluster.config.name);
  if (it == clusters_.end()) {
    return Status::Unavailable("cluster " + cluster.config.name + ": no fake Aurora");
  }
  return std::shared_ptr<aurora::AuroraApi>(it->second->aurora_);
}

controller::ClusterSpec FakeClusterSpec(const std::string& name) {
  controller::ClusterSpec cluster;
  cluster.config.name = name;
  cluster.config.statemgr_connection = "fake:2181";
  cluster.config.statemgr_root = "/heron";
  cluster.aurora_url = "http://fake-aurora";
  return cluster;
}

}  // namespace hgo::testing
