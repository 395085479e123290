// RolloutE2E: the fixture of the progressive rollout tests (e2e/controller/rollout_test.cc, and
// the web UI's waves in e2e/ui): one ZooKeeper, three aurora-local schedulers as three clusters
// (canary, east, west; each with its own Heron root, a chroot of the one ZooKeeper) in the
// clusters file, and the spec placed over them in two waves (canary, then east and west).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crd/canonical.h"
#include "e2e/controller/controller_fixture.h"
#include "statestore/zk_client.h"
#include "testing/heron_packages.h"

namespace hgo::e2e {

inline constexpr int kSoakSeconds = 3;

inline std::string PathOf(const std::string& cluster) {
  return "/api/v1/topologies/" + cluster + "/www-data/devel/exclamation";
}

// The record's revision of hash in a full status (null when the history has none).
inline const Json* RevisionOf(const Json& status, const std::string& hash) {
  const Json* record = status.Find("record");
  const Json* history = record ? record->Find("history") : nullptr;
  if (!history || !history->is_array()) return nullptr;
  for (const auto& r : history->as_array()) {
    if (JsonStr(r, "specHash") == hash) return &r;
  }
  return nullptr;
}

inline bool HasEvent(const Json& status, const std::string& reason) {
  const Json* record = status.Find("record");
  const Json* events = record ? record->Find("events") : nullptr;
  if (!events || !events->is_array()) return false;
  for (const auto& e : events->as_array()) {
    if (JsonStr(e, "reason") == reason) return true;
  }
  return false;
}

class RolloutE2E : public ControllerE2E {
 protected:
  void SetUp() override {
    ControllerE2E::SetUp();
    if (HasFailure()) return;
    for (const char* name : {"east", "west"}) {
      auto a = testing::AuroraLocalProcess::Start();
      ASSERT_TRUE(a.ok()) << a.status();
      others_[name] = std::move(*a);
    }
    // Each cluster's Heron state under /heron of its own ZooKeeper: here a chroot of the one
    // server (one package, whose heron-conf says /heron, serves every cluster).
    statestore::ZkOptions o;
    o.servers = zk_->connect_string();
    auto zk = statestore::ZkClient::Connect(o);
    ASSERT_TRUE(zk.ok()) << zk.status();
    std::string clusters = "clusters:\n";
    auto add = [&](const std::string& name, const std::string& url) {
      ASSERT_TRUE((*zk)->Create("/" + name, "", statestore::CreateMode::kPersistent).ok());
      clusters += "  - name: " + name + "\n    aurora: {url: \"" + url +
                  "\"}\n    heron: {zookeeper: \"" + zk_->connect_string() + "/" + name +
                  "\", root: /heron, corePackage: \"" + testing::StandinCorePackageUri() + "\"}\n";
    };
    add("canary", aurora_->url());
    add("east", others_["east"]->url());
    add("west", others_["west"]->url());
    WriteFile(clusters_file_, clusters);
  }

  // The spec over the three clusters in two waves, as YAML.
  std::string Placed(const crd::Topology& t, int soak_seconds = kSoakSeconds) const {
    auto j = ParseJson(SpecYaml(t));
    EXPECT_TRUE(j.ok());
    Json spec = (*j)["spec"];
    spec.as_object().erase("cluster");
    Json placement = Json::MakeObject();
    Json clusters = Json::MakeArray();
    for (const char* name : {"canary", "east", "west"}) {
      Json c = Json::MakeObject();
      c["name"] = name;
      clusters.push_back(std::move(c));
    }
    placement["clusters"] = std::move(clusters);
    Json waves = Json::MakeArray();
    waves.push_back(Json(Json::Array{Json("canary")}));
    waves.push_back(Json(Json::Array{Json("east"), Json("west")}));
    placement["waves"] = std::move(waves);
    placement["soakSeconds"] = soak_seconds;
    spec["placement"] = std::move(placement);
    (*j)["spec"] = std::move(spec);
    return SerializePretty(*j) + "\n";
  }

  // Each cluster's revision of t.
  static std::string HashIn(crd::Topology t, const std::string& cluster) {
    t.spec.cluster = cluster;
    return crd::SpecHash(t);
  }

  Json WaitRunning(const testing::ControllerProcess& c, const crd::Topology& t,
                   const std::string& cluster, int timeout_s = 120) {
    const std::string hash = HashIn(t, cluster);
    return WaitFor(
        c, cluster + " running " + hash.substr(0, 8),
        [&](const Json& s) { return RunningAt(s, hash) && RunsRevision(s, hash, 3); }, timeout_s,
        PathOf(cluster));
  }

  // Waits until cluster has applied its revision of t (its rollout may still be under way).
  void WaitApplied(const testing::ControllerProcess& c, const crd::Topology& t,
                   const std::string& cluster) {
    const std::string hash = HashIn(t, cluster);
    WaitFor(
        c, cluster + " taking " + hash.substr(0, 8),
        [&](const Json& s) { return JsonStr(s, "appliedSpecHash") == hash; }, 60, PathOf(cluster));
  }

  Json Rollout(const testing::ControllerProcess& c) const {
    return Status(c, PathOf("canary") + "/rollout");
  }

  // build/cmd/heronctl against c; args after the verb, the connection flags last.
  CliResult Cli(const testing::ControllerProcess& c, std::vector<std::string> args) const {
    std::vector<std::string> argv = {std::string(HGO_BINARY_DIR) + "/cmd/heronctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    for (const std::string& flag :
         {std::string("--server"), c.url(), std::string("--token-file"), token_file_}) {
      argv.push_back(flag);
    }
    return RunHeronctl(argv, dir_);
  }

  std::map<std::string, std::unique_ptr<testing::AuroraLocalProcess>> others_;
};

}  // namespace hgo::e2e
