// The real heron-controller binary against real ZooKeeper, aurora-local and the heron-executor
// stand-in: the acceptance scenarios of the controller (docs/operations.md).
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

#include "common/file_util.h"
#include "common/http_server.h"
#include "common/sha256.h"
#include "crd/canonical.h"
#include "e2e/controller/controller_fixture.h"
#include "heron/messages.h"
#include "packager/blob_store.h"
#include "statestore/zk_client.h"
#include "testing/heron_packages.h"
#include "testing/tls_cert.h"

namespace hgo::e2e {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_F(ControllerE2E, DirSourceCreateScaleUpdateAndPrune) {
  auto c = StartController({"dir:" + specs_dir_ + "?allowEmpty"}, {"--prune", "--tombstone", "1s"});
  ASSERT_TRUE(c);
  const std::string file = specs_dir_ + "/exclamation.yaml";

  // Create.
  WriteFile(file, SpecYaml(spec_));
  Json s = WaitFor(*c, "created and running",
                   [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });
  auto created = RunningTaskIds();
  ASSERT_EQ(created.size(), 3u) << SerializePretty(s);
  EXPECT_EQ(JsonInt(s, "revision"), 1);
  // The phase gauge follows (it is counted again only when a phase changes).
  const std::string running_gauge = "heron_controller_topologies{phase=\"Running\"} 1\n";
  EXPECT_NE(testing::HttpCall("GET", c->url() + "/metrics").body.find(running_gauge),
            std::string::npos);

  // Scale up: one more container; the running ones keep their task ids.
  crd::Topology scaled = spec_;
  scaled.spec.topology.bolts[0].parallelism = 2;
  scaled.spec.packing.containers = 3;
  WriteFile(file, SpecYaml(scaled));
  s = WaitFor(*c, "scaled", [&](const Json& j) { return RunningAt(j, crd::SpecHash(scaled)); });
  auto after_scale = RunningTaskIds();
  ASSERT_EQ(after_scale.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(after_scale[i], created[i]) << "instance " << i;

  // Scale down again: the removed container goes, the others stay.
  WriteFile(file, SpecYaml(spec_));
  s = WaitFor(*c, "scaled down", [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });
  auto after_down = RunningTaskIds();
  ASSERT_EQ(after_down.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(after_down[i], created[i]) << "instance " << i;

  // Rolling update in batches of 2: every container restarts.
  crd::Topology updated = spec_;
  updated.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  updated.spec.update.batch_size = 2;
  WriteFile(file, SpecYaml(updated));
  s = WaitFor(*c, "updated", [&](const Json& j) { return RunningAt(j, crd::SpecHash(updated)); });
  auto after_update = RunningTaskIds();
  ASSERT_EQ(after_update.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_NE(after_update[i], created[i]) << "instance " << i;
  aurora::UpdateQuery uq;
  uq.job_key = aurora::JobKey{"www-data", "devel", "exclamation"};
  auto details = api_->GetJobUpdateDetails(uq);
  ASSERT_TRUE(details.ok()) << details.status();
  bool batch_of_two = false;
  for (const auto& d : *details) {
    if (d.summary.metadata.count("heron-gitops/spec-hash") &&
        d.summary.metadata.at("heron-gitops/spec-hash") == crd::SpecHash(updated)) {
      batch_of_two = d.settings.group_size == 2 && d.settings.block_if_no_pulses_after_ms > 0;
    }
  }
  EXPECT_TRUE(batch_of_two) << "the update used the spec's batch size and pulses";

  // History: create, scale up, scale down, update.
  auto history = testing::HttpCall("GET", c->url() + KeyPath() + "/history");
  ASSERT_EQ(history.status, 200);
  auto hj = ParseJson(history.body);
  ASSERT_TRUE(hj.ok());
  EXPECT_EQ((*hj)["history"].as_array().size(), 4u) << history.body;

  // Delete the file: pruned after the tombstone delay; the record goes too.
  fs::remove(file);
  ExpectPruned(*c);
  EXPECT_EQ(testing::HttpCall("GET", c->url() + "/metrics").body.find(running_gauge),
            std::string::npos);
  // Heron's state goes with it, the topology manager's physical plan included.
  statestore::ZkOptions zo;
  zo.servers = zk_->connect_string();
  auto zk = statestore::ZkClient::Connect(zo);
  ASSERT_TRUE(zk.ok());
  for (const char* dir : {"topologies", "packingplans", "pplans", "executionstate", "schedulers"}) {
    auto children = (*zk)->GetChildren(std::string("/heron/") + dir);
    ASSERT_TRUE(children.ok()) << dir;
    EXPECT_TRUE(children->empty()) << dir << " still holds " << children->front();
  }
  EXPECT_TRUE(c->Stop().ok()) << "a clean shutdown on SIGTERM";
}

// One node's data, over a connection of its own (kUnavailable when ZooKeeper is not reachable).
StatusOr<std::string> ReadZkNode(const std::string& zk_servers, const std::string& path) {
  statestore::ZkOptions zo;
  zo.servers = zk_servers;
  HGO_ASSIGN_OR_RETURN(auto zk, statestore::ZkClient::Connect(zo));
  HGO_ASSIGN_OR_RETURN(auto node, zk->Get(path));
  return node.data;
}

bool HeronNodeExists(const std::string& zk_servers, const std::string& path) {
  return ReadZkNode(zk_servers, path).ok();
}

bool MessageHas(const Json& status, const std::string& text) {
  return JsonStr(status, "message").find(text) != std::string::npos;
}

TEST_F(ControllerE2E, APackageThatDoesNotMatchTheSpecDeploysNothing) {
  // An HTTP blob store: PUT stores, GET serves (what `heronctl package push --to http://` uses).
  std::mutex mu;
  std::map<std::string, std::string> blobs;
  auto store = HttpServer::Start("127.0.0.1", 0, [&](const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    if (r.method == "PUT") {
      blobs[r.path] = r.body;
      return HttpReply::Text(201, "stored\n");
    }
    auto it = blobs.find(r.path);
    return it == blobs.end() ? HttpReply::Text(404, "no such blob\n")
                             : HttpReply{200, it->second, {}, {}};
  });
  ASSERT_TRUE(store.ok()) << store.status();
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  const std::string file = specs_dir_ + "/exclamation.yaml";
  auto nothing_deployed = [&]() {
    EXPECT_EQ(ActiveTaskCount(), 0u);
    for (const char* dir : {"topologies", "packingplans", "executionstate", "schedulers"}) {
      EXPECT_FALSE(
          HeronNodeExists(zk_->connect_string(), std::string("/heron/") + dir + "/exclamation"))
          << dir;
    }
  };

  // A sha256 that is not the package's.
  crd::Topology wrong_sha = spec_;
  wrong_sha.spec.package.sha256 = std::string(64, '0');
  WriteFile(file, SpecYaml(wrong_sha));
  Json s = WaitFor(*c, "the sha256 mismatch reported",
                   [](const Json& j) { return MessageHas(j, "spec.package.sha256"); });
  EXPECT_TRUE(MessageHas(s, "has sha256 " + spec_.spec.package.sha256)) << JsonStr(s, "message");
  nothing_deployed();

  // A logical plan with a bolt and a stream the package's .defn does not have.
  crd::Topology extra_bolt = spec_;
  extra_bolt.spec.topology.bolts.push_back({"audit", "com.example.AuditBolt", 1, Json()});
  crd::StreamSpec stream;
  stream.from = "exclaim";
  stream.to = "audit";
  extra_bolt.spec.topology.streams.push_back(stream);
  WriteFile(file, SpecYaml(extra_bolt));
  s = WaitFor(*c, "the plan mismatch reported",
              [](const Json& j) { return MessageHas(j, "does not match spec.topology"); });
  EXPECT_TRUE(MessageHas(s, "bolt 'audit' is in the spec only")) << JsonStr(s, "message");
  EXPECT_TRUE(MessageHas(s, "stream exclaim -> audit")) << JsonStr(s, "message");
  nothing_deployed();

  // A spec committed before its package is pushed: frozen, nothing deployed, and deployed once
  // the package is there (a store that cannot serve it is asked again soon).
  auto bytes = ReadFileLimited(spec_.spec.package.uri.substr(7), 1 << 20);
  ASSERT_TRUE(bytes.ok());
  crd::Topology over_http = spec_;
  over_http.spec.package.uri = (*store)->url() + "/blobs/" + spec_.spec.package.sha256 + ".tar.gz";
  WriteFile(file, SpecYaml(over_http));
  s = WaitFor(*c, "the missing package reported",
              [](const Json& j) { return MessageHas(j, "package: spec.package.uri"); });
  EXPECT_TRUE(MessageHas(s, "answered 404")) << JsonStr(s, "message");
  nothing_deployed();
  auto uri = packager::PushPackage(*bytes, spec_.spec.package.sha256, (*store)->url() + "/blobs");
  ASSERT_TRUE(uri.ok()) << uri.status();
  ASSERT_EQ(*uri, over_http.spec.package.uri);
  WaitFor(*c, "running from the HTTP store",
          [&](const Json& j) { return RunningAt(j, crd::SpecHash(over_http)); });
  auto running = RunningTaskIds();
  ASSERT_EQ(running.size(), 3u);

  // An update to a rebuilt package whose sha256 the spec did not follow: refused, the topology
  // keeps running as it was, and Heron's state still names the running revision.
  auto rebuilt =
      packager::PushPackage(*bytes + "rebuilt", std::string(64, 'e'), (*store)->url() + "/blobs");
  ASSERT_TRUE(rebuilt.ok());
  crd::Topology update = over_http;
  update.spec.package.uri = *rebuilt;
  update.spec.topology.bolts[0].parallelism = 2;
  WriteFile(file, SpecYaml(update));
  s = WaitFor(*c, "the tampered package refused",
              [](const Json& j) { return MessageHas(j, "spec.package.sha256"); });
  EXPECT_EQ(RunningTaskIds(), running);
  auto topology = ReadZkNode(zk_->connect_string(), "/heron/topologies/exclamation");
  ASSERT_TRUE(topology.ok()) << topology.status();
  heron::proto::api::Topology t;
  ASSERT_TRUE(t.ParseFromString(*topology));
  std::string written_for;
  for (const auto& kv : t.topology_config().kvs()) {
    if (kv.key() == heronmsg::kSpecHashConfigKey) written_for = kv.value();
  }
  EXPECT_EQ(written_for, crd::SpecHash(over_http));
  // What is in ZooKeeper came from the package's .defn, trimmed, with the spec's parallelism.
  ASSERT_EQ(t.bolts_size(), 1);
  EXPECT_FALSE(t.bolts(0).comp().has_serialized_object());
}

TEST_F(ControllerE2E, DriftUnderWarnIsReportedWithWhoAndRepairedUnderRepair) {
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  const std::string file = specs_dir_ + "/exclamation.yaml";
  crd::Topology warn = spec_;
  warn.spec.sync_policy = crd::SyncPolicy::kWarn;
  WriteFile(file, SpecYaml(warn));
  WaitFor(*c, "running", [&](const Json& j) { return RunningAt(j, crd::SpecHash(warn)); });

  // Someone kills a container by hand: reported with the field and Aurora's audit user.
  const aurora::JobKey job{"www-data", "devel", "exclamation"};
  ASSERT_TRUE(api_->KillTasks(job, {2}, "maintenance").ok());
  Json s = WaitForPhase(*c, "OutOfSync");
  EXPECT_NE(JsonStr(s, "message").find("instance count 2 (want 3)"), std::string::npos)
      << JsonStr(s, "message");
  EXPECT_NE(JsonStr(s, "message").find("(kill of instance 2)"), std::string::npos)
      << JsonStr(s, "message");
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(RunningTaskIds().size(), 2u) << "warn does not touch the job";

  // Switching to syncPolicy repair is a new revision: its rollout puts the container back.
  WriteFile(file, SpecYaml(spec_));
  Json rolled =
      WaitFor(*c, "rolled out", [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });
  EXPECT_EQ(RunningTaskIds().size(), 3u);

  // Drift under repair, the spec unchanged: the controller itself puts the container back, as
  // the same revision.
  const std::map<int32_t, std::string> before = RunningTaskIds();
  ASSERT_EQ(before.size(), 3u);
  ASSERT_TRUE(api_->KillTasks(job, {2}, "maintenance").ok());
  Json repaired = WaitFor(*c, "repaired", [&](const Json& j) {
    const auto now = RunningTaskIds();
    return RunningAt(j, crd::SpecHash(spec_)) && now.size() == 3u && now.count(2) &&
           now.at(2) != before.at(2);
  });
  EXPECT_EQ(JsonInt(repaired, "revision"), JsonInt(rolled, "revision")) << "no new revision";
  const auto after = RunningTaskIds();
  EXPECT_EQ(after.at(0), before.at(0)) << "the others untouched";
  EXPECT_EQ(after.at(1), before.at(1)) << "the others untouched";
}

// With an hour between resyncs, only the directory's watch (inotify) can bring a new or changed
// spec file to the controller: both converge within the usual waits.
TEST_F(ControllerE2E, ADirectorysChangesAreSeenWithoutAResync) {
  auto c = StartController({"dir:" + specs_dir_ + "?allowEmpty"}, {"--resync", "1h"});
  ASSERT_TRUE(c);
  WaitUntilLeader(*c);
  const std::string file = specs_dir_ + "/exclamation.yaml";
  WriteFile(file, SpecYaml(spec_));
  WaitFor(
      *c, "created", [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); }, 30);
  crd::Topology scaled = spec_;
  scaled.spec.topology.bolts[0].parallelism += 1;
  scaled.spec.packing.containers = 3;
  WriteFile(file, SpecYaml(scaled));
  WaitFor(
      *c, "scaled", [&](const Json& j) { return RunningAt(j, crd::SpecHash(scaled)); }, 30);
  EXPECT_EQ(RunningTaskIds().size(), 4u);
}

// Container resources computed by RoundRobin follow the largest container; the bolt's third
// instance joins container 1 (word 1, exclaim 2 and 3 on containers 1 to 3, exclaim 4 back on
// 1), so the packing asks for bigger containers. As with Heron's UpdateTopologyManager the
// containers keep their size: containers 2 and 3, whose instances are unchanged, keep running,
// and Heron's packing plan places the new instance.
TEST_F(ControllerE2E, AScaleWithComputedResourcesRestartsNoContainerItDoesNotTouch) {
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  const std::string file = specs_dir_ + "/exclamation.yaml";
  crd::Topology spec = spec_;
  spec.spec.packing.containers = 3;
  spec.spec.topology.bolts[0].parallelism = 2;
  ASSERT_FALSE(spec.spec.resources.ram_bytes.has_value());
  WriteFile(file, SpecYaml(spec));
  WaitFor(*c, "created", [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec)); });
  const auto created = RunningTaskIds();
  ASSERT_EQ(created.size(), 4u);

  crd::Topology scaled = spec;
  scaled.spec.topology.bolts[0].parallelism = 3;
  WriteFile(file, SpecYaml(scaled));
  WaitFor(*c, "scaled", [&](const Json& j) { return RunningAt(j, crd::SpecHash(scaled)); });
  const auto after = RunningTaskIds();
  ASSERT_EQ(after.size(), 4u);
  for (int32_t untouched : {0, 2, 3}) {
    EXPECT_EQ(after.at(untouched), created.at(untouched)) << "instance " << untouched;
  }
  auto plan = ReadZkNode(zk_->connect_string(), "/heron/packingplans/exclamation");
  ASSERT_TRUE(plan.ok()) << plan.status();
  heron::proto::system::PackingPlan proto;
  ASSERT_TRUE(proto.ParseFromString(*plan));
  int instances = 0;
  for (const auto& container : proto.container_plans())
    instances += container.instance_plans_size();
  EXPECT_EQ(instances, 4);
}

// --prune-budget at the binary: three specs deleted at once within one resync period (an
// hour) and a budget of two (the default is one): two topologies are pruned, the third waits
// with the budget named in its status, its job running.
TEST_F(ControllerE2E, ThePruneBudgetHoldsBackPrunesPastItInAResyncPeriod) {
  std::vector<crd::Topology> specs = {spec_};
  for (const char* name : {"second", "third"}) {
    crd::Topology other = spec_;
    other.metadata.name = name;
    const std::string dir = dir_ + "/" + name;
    std::filesystem::create_directories(dir);
    ASSERT_TRUE(testing::PackageForTest(dir, other).ok());
    specs.push_back(other);
  }
  auto c =
      StartController({"dir:" + specs_dir_ + "?allowEmpty"},
                      {"--prune", "--tombstone", "1s", "--prune-budget", "2", "--resync", "1h"});
  ASSERT_TRUE(c);
  auto path = [](const crd::Topology& t) {
    return "/api/v1/topologies/devcluster/www-data/devel/" + t.metadata.name;
  };
  for (const auto& t : specs) WriteFile(specs_dir_ + "/" + t.metadata.name + ".yaml", SpecYaml(t));
  for (const auto& t : specs) {
    WaitFor(
        *c, t.metadata.name + " running",
        [&](const Json& j) { return RunningAt(j, crd::SpecHash(t)); }, 90, path(t));
  }
  auto active = [&](const crd::Topology& t) { return ActiveTaskCount(t.metadata.name); };
  auto pruned = [&] {
    int n = 0;
    for (const auto& t : specs) n += active(t) == 0 ? 1 : 0;
    return n;
  };
  for (const auto& t : specs) std::filesystem::remove(specs_dir_ + "/" + t.metadata.name + ".yaml");
  using namespace std::chrono_literals;
  for (int i = 0; i < 240 && pruned() < 2; ++i) std::this_thread::sleep_for(250ms);
  ASSERT_EQ(pruned(), 2);
  const crd::Topology& held = *std::find_if(specs.begin(), specs.end(),
                                            [&](const crd::Topology& t) { return active(t) > 0; });
  WaitFor(
      *c, "the third held back by the budget",
      [](const Json& j) { return MessageHas(j, "prune budget (2 per resync)"); }, 30, path(held));
  std::this_thread::sleep_for(3s);  // well past the tombstone
  EXPECT_EQ(active(held), 3u);
  EXPECT_EQ(pruned(), 2);
}

TEST_F(ControllerE2E, AnUnreachableClusterFreezesOnlyItself) {
  // A second cluster whose scheduler nobody answers for.
  std::ifstream in(clusters_file_);
  std::string clusters((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  clusters +=
      "  - name: faraway\n    aurora: {url: \"http://127.0.0.1:" + std::to_string(PickFreePort()) +
      "\"}\n    heron: {zookeeper: \"" + zk_->connect_string() + "\", root: /heron-faraway}\n";
  WriteFile(clusters_file_, clusters);
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  crd::Topology far = spec_;
  far.spec.cluster = "faraway";
  WriteFile(specs_dir_ + "/far.yaml", SpecYaml(far));
  WriteFile(specs_dir_ + "/exclamation.yaml", SpecYaml(spec_));

  WaitFor(*c, "the reachable cluster converges",
          [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });
  const std::string far_path = "/api/v1/topologies/faraway/www-data/devel/exclamation";
  Json far_status = WaitFor(
      *c, "the unreachable cluster's topology Unknown",
      [](const Json& j) { return JsonStr(j, "phase") == "Unknown"; }, 20, far_path);
  EXPECT_EQ(JsonStr(far_status, "phase"), "Unknown") << SerializePretty(far_status);
  EXPECT_NE(JsonStr(far_status, "message").find("faraway"), std::string::npos)
      << JsonStr(far_status, "message");
  EXPECT_NE(JsonStr(far_status, "message").find("never observed"), std::string::npos)
      << JsonStr(far_status, "message");
}

int64_t CreateJobCalls(const testing::AuroraLocalProcess& aurora) {
  auto vars = ParseJson(testing::HttpCall("GET", aurora.url() + "/vars.json").body);
  if (!vars.ok()) return -1;
  const Json* n = vars->Find("thrift_workload_createJob");
  return n && n->is_int() ? n->as_int() : 0;
}

// Aurora refusing the job for good (INVALID_REQUEST: a tier the scheduler does not have) is not
// retried forever: after the same failure twice the topology halts (no more calls, a Stalled
// condition) until `:retry` or a change of its spec.
TEST_F(ControllerE2E, AFailureRetryingCannotMendHaltsUntilRetryOrASpecChange) {
  std::ifstream in(clusters_file_);
  std::string clusters((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  clusters += "    tier: gold\n";
  WriteFile(clusters_file_, clusters);
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  const std::string file = specs_dir_ + "/exclamation.yaml";
  WriteFile(file, SpecYaml(spec_));
  Json s = WaitFor(*c, "halted", [](const Json& j) {
    return JsonStr(j, "message").find("(failed: halted: CreateJob") != std::string::npos;
  });
  EXPECT_NE(JsonStr(s, "message").find("Tier 'gold' does not exist"), std::string::npos)
      << SerializePretty(s);
  EXPECT_NE(Serialize(s).find("\"NotRetryable\""), std::string::npos) << "a Stalled condition";
  const int64_t halted_at = CreateJobCalls(*aurora_);
  EXPECT_EQ(halted_at, 2) << "the same failure twice, then no more";
  std::this_thread::sleep_for(3s);  // a dozen requeue periods
  EXPECT_EQ(CreateJobCalls(*aurora_), halted_at);

  // :retry tries again (and halts again: the tier is still wrong).
  testing::HttpResult retry = Post(*c, KeyPath() + ":retry");
  EXPECT_EQ(retry.status, 202) << retry.body;
  for (int i = 0; i < 200 && CreateJobCalls(*aurora_) < halted_at + 2; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(CreateJobCalls(*aurora_), halted_at + 2);

  // So does a new spec.
  std::this_thread::sleep_for(1s);
  const int64_t before_change = CreateJobCalls(*aurora_);
  EXPECT_EQ(before_change, halted_at + 2) << "halted again";
  crd::Topology next = spec_;
  next.metadata.labels["team"] = "streams";
  WriteFile(file, SpecYaml(next));
  for (int i = 0; i < 100 && CreateJobCalls(*aurora_) == before_change; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_GT(CreateJobCalls(*aurora_), before_change);
  EXPECT_TRUE(c->Stop().ok());
}

TEST_F(ControllerE2E, PauseAndResumeThroughTheTopologyManager) {
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  const std::string file = specs_dir_ + "/exclamation.yaml";

  // Submitted paused, as `heron submit --deploy-deactivated` does.
  crd::Topology paused = spec_;
  paused.spec.state = crd::DesiredState::kPaused;
  WriteFile(file, SpecYaml(paused));
  WaitForPhase(*c, "Paused");
  EXPECT_EQ(LiveTopologyState(zk_->connect_string()), "PAUSED");
  const auto tasks = RunningTaskIds();
  ASSERT_EQ(tasks.size(), 3u);

  // Resume: activated through the topology manager, no container restarts.
  WriteFile(file, SpecYaml(spec_));
  Json s =
      WaitFor(*c, "resumed", [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });
  EXPECT_EQ(LiveTopologyState(zk_->connect_string()), "RUNNING");
  EXPECT_EQ(RunningTaskIds(), tasks);

  // The API's mutations need the bearer token: none or a wrong one is 401 and changes nothing.
  EXPECT_EQ(testing::HttpCall("POST", c->url() + KeyPath() + ":suspend").status, 401);
  EXPECT_EQ(testing::HttpCall("POST", c->url() + KeyPath() + ":suspend", "",
                              {{"Authorization", "Bearer not-" + token_}})
                .status,
            401);
  EXPECT_EQ(JsonStr(Status(*c), "phase"), "Running");

  // Pause again: deactivated, still no restart.
  WriteFile(file, SpecYaml(paused));
  s = WaitForPhase(*c, "Paused");
  EXPECT_EQ(LiveTopologyState(zk_->connect_string()), "PAUSED");
  EXPECT_EQ(RunningTaskIds(), tasks);
  EXPECT_EQ(JsonStr(s, "appliedSpecHash"), crd::SpecHash(paused));
}

TEST_F(ControllerE2E, BrokenYamlFreezesInsteadOfKilling) {
  auto c = StartController({"dir:" + specs_dir_}, {"--prune", "--tombstone", "1s"});
  ASSERT_TRUE(c);
  const std::string file = specs_dir_ + "/exclamation.yaml";
  WriteFile(file, SpecYaml(spec_));
  WaitFor(*c, "running", [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });
  const auto before = RunningTaskIds();
  ASSERT_EQ(before.size(), 3u);

  // A broken file beside it: reported, nothing else changes.
  WriteFile(specs_dir_ + "/other.yaml", "apiVersion: heron/v1\nkind: Topology\nmetadata: [\n");
  // The topology's own file broken: its status shows the error with file and line.
  std::string broken = SpecYaml(spec_);
  const size_t p = broken.find("\"parallelism\": 1");
  ASSERT_NE(p, std::string::npos);
  broken.replace(p, 16, "\"parallelism\": 0");
  WriteFile(file, broken);
  Json s = WaitFor(*c, "a source error in status", [](const Json& j) {
    return JsonStr(j, "sourceError").find("parallelism") != std::string::npos;
  });
  EXPECT_NE(JsonStr(s, "sourceError").find("exclamation.yaml:"), std::string::npos)
      << JsonStr(s, "sourceError");
  auto list = testing::HttpCall("GET", c->url() + "/api/v1/topologies");
  EXPECT_NE(list.body.find("other.yaml"), std::string::npos) << list.body;
  std::this_thread::sleep_for(4s);  // several passes and more than the tombstone delay
  EXPECT_EQ(RunningTaskIds(), before);

  // The whole directory emptied (not marked allowEmpty): nothing is pruned either.
  fs::remove(file);
  fs::remove(specs_dir_ + "/other.yaml");
  std::this_thread::sleep_for(4s);
  EXPECT_EQ(RunningTaskIds(), before);
  auto all = testing::HttpCall("GET", c->url() + "/api/v1/topologies");
  EXPECT_NE(all.body.find("the source is empty"), std::string::npos) << all.body;

  // Fixed: converges again, nothing restarted.
  WriteFile(file, SpecYaml(spec_));
  WaitFor(*c, "running again", [&](const Json& j) {
    return RunningAt(j, crd::SpecHash(spec_)) && JsonStr(j, "sourceError").empty();
  });
  EXPECT_EQ(RunningTaskIds(), before);
}

TEST_F(ControllerE2E, CrashingUpdateIsRolledBackAndNotRetried) {
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  const std::string file = specs_dir_ + "/exclamation.yaml";
  WriteFile(file, SpecYaml(spec_));
  WaitFor(*c, "running", [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });

  const crd::Topology bad = Crashing(spec_);
  WriteFile(file, SpecYaml(bad));
  Json s = WaitFor(
      *c, "the crashing revision marked failed",
      [&](const Json& j) { return MarkedFailed(j, crd::SpecHash(bad)); }, 120);
  s = WaitFor(*c, "the old revision running again", [&](const Json& j) {
    return JsonStr(j, "phase") == "Failed" &&
           JsonStr(j, "message").find("not retried") != std::string::npos &&
           RunningTaskIds().size() == 3u;
  });
  // Not retried: after several more passes there is still one update for the bad revision.
  std::this_thread::sleep_for(5s);
  aurora::UpdateQuery uq;
  uq.job_key = aurora::JobKey{"www-data", "devel", "exclamation"};
  auto updates = api_->GetJobUpdateSummaries(uq);
  ASSERT_TRUE(updates.ok());
  int for_bad = 0;
  for (const auto& u : *updates) {
    auto it = u.metadata.find("heron-gitops/spec-hash");
    if (it == u.metadata.end() || it->second != crd::SpecHash(bad)) continue;
    ++for_bad;
    // Aurora's own rollback succeeded: the restored containers found Heron's state of their
    // revision, under the topology id they carry.
    EXPECT_EQ(u.status, aurora::UpdateStatus::kRolledBack) << aurora::UpdateStatusName(u.status);
  }
  EXPECT_EQ(for_bad, 1);
  EXPECT_EQ(RunningTaskIds().size(), 3u);

  // `rollout retry` lets it run again (and fail again).
  ASSERT_EQ(Post(*c, KeyPath() + ":retry").status, 202);
  WaitFor(
      *c, "a second Aurora update of the bad revision",
      [&](const Json&) { return UpdatesFor(crd::SpecHash(bad)) == 2; }, 30);
  // A fixed spec supersedes the failure.
  crd::Topology fixed = spec_;
  fixed.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{50});
  WriteFile(file, SpecYaml(fixed));
  WaitFor(
      *c, "the fixed revision running",
      [&](const Json& j) { return RunningAt(j, crd::SpecHash(fixed)); }, 120);
}

TEST_F(ControllerE2E, Kill9MidUpdateResumesWithoutDuplicates) {
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  const std::string file = specs_dir_ + "/exclamation.yaml";
  WriteFile(file, SpecYaml(spec_));
  WaitFor(*c, "running", [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });

  crd::Topology slow = spec_;
  slow.spec.topology.config["sim.start.delay.seconds"] = Json(std::string("3"));
  WriteFile(file, SpecYaml(slow));
  WaitFor(
      *c, "updating", [](const Json& j) { return JsonStr(j, "phase") == "Updating"; }, 30);
  ASSERT_TRUE(c->Kill9().ok());
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(c->Restart().ok());
  WaitFor(
      *c, "the update finished by the new process",
      [&](const Json& j) { return RunningAt(j, crd::SpecHash(slow)); }, 120);
  EXPECT_EQ(ActiveTaskCount(), 3u) << "one job, no duplicate instances";
  statestore::ZkOptions zo;
  zo.servers = zk_->connect_string();
  auto zk = statestore::ZkClient::Connect(zo);
  ASSERT_TRUE(zk.ok());
  for (const char* dir : {"topologies", "packingplans", "executionstate", "schedulers"}) {
    auto children = (*zk)->GetChildren(std::string("/heron/") + dir);
    ASSERT_TRUE(children.ok()) << dir;
    EXPECT_EQ(*children, std::vector<std::string>{"exclamation"}) << dir;
  }
  auto records = (*zk)->GetChildren("/heron-gitops/records");
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 1u);
}

TEST_F(ControllerE2E, TwoControllersOneLeaderAndFailover) {
  auto a = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(a);
  WaitUntilLeader(*a);
  auto b = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(b);
  std::this_thread::sleep_for(1s);
  EXPECT_NE(testing::HttpCall("GET", a->url() + "/api/v1/leader").body.find("\"isLeader\": true"),
            std::string::npos);
  EXPECT_NE(testing::HttpCall("GET", b->url() + "/api/v1/leader").body.find("\"isLeader\": false"),
            std::string::npos);

  const std::string file = specs_dir_ + "/exclamation.yaml";
  WriteFile(file, SpecYaml(spec_));
  WaitFor(*a, "running (leader a)",
          [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });
  // The follower serves the stored status, and refuses mutations.
  Json fs_status = WaitFor(
      *b, "the follower's view", [&](const Json& j) { return JsonStr(j, "phase") == "Running"; },
      20);
  EXPECT_EQ(Post(*b, KeyPath() + ":sync").status, 503);

  ASSERT_TRUE(a->Kill9().ok());
  crd::Topology updated = spec_;
  updated.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  WriteFile(file, SpecYaml(updated));
  WaitFor(
      *b, "the update applied by b after the failover",
      [&](const Json& j) { return RunningAt(j, crd::SpecHash(updated)); }, 120);
  EXPECT_EQ(ActiveTaskCount(), 3u);
}

// SIGTERM while a pass is in flight (paused between planning and acting): the process exits
// within 2 s, giving the leadership up, and the standby takes over at once (not after the
// ZooKeeper session timeout) and creates the topology once.
TEST_F(ControllerE2E, ASigtermWithAPassInFlightExitsWithinTwoSecondsAndTheStandbyResumes) {
  const std::string file = specs_dir_ + "/exclamation.yaml";
  auto a = StartController({"dir:" + specs_dir_}, {"--session-timeout", "30"},
                           {"HGO_FAILPOINTS=controller.pass.before_act=1*pause(60000)"});
  ASSERT_TRUE(a);
  WaitUntilLeader(*a);
  auto b = StartController({"dir:" + specs_dir_}, {"--session-timeout", "30"});
  ASSERT_TRUE(b);
  WriteFile(file, SpecYaml(spec_));
  for (int i = 0; i < 600 && a->LogTail(100000).find("failpoint: pause") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_NE(a->LogTail(100000).find("failpoint: pause"), std::string::npos) << a->LogTail();
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(a->Stop().ok()) << a->LogTail();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, 2s) << a->LogTail();
  EXPECT_NE(a->LogTail().find("abandoned to the next leader"), std::string::npos);
  WaitFor(
      *b, "the topology created by b",
      [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); }, 25);
  EXPECT_EQ(ActiveTaskCount(), 3u);
}

TEST_F(ControllerE2E, ADeposedLeaderResumedBetweenPlanningAndActingChangesNothing) {
  const std::string file = specs_dir_ + "/exclamation.yaml";
  {  // revision 1 runs (deployed by a controller that then stops)
    auto first = StartRunning(spec_, file);
    ASSERT_TRUE(first);
    ASSERT_TRUE(first->Stop().ok());
  }
  // a leads, armed to freeze (SIGSTOP) the first time one of its passes is about to act.
  auto a = StartController({"dir:" + specs_dir_}, {},
                           {"HGO_FAILPOINTS=controller.pass.before_act=1*stop"});
  ASSERT_TRUE(a);
  WaitUntilLeader(*a);
  auto b = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(b);
  crd::Topology rev2 = spec_;
  rev2.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  WriteFile(file, SpecYaml(rev2));
  ASSERT_TRUE(a->WaitStopped(60s)) << "a never planned revision 2: " << a->LogTail();
  // While a is frozen with revision 2 planned, the spec moves on and b takes over once a's
  // ZooKeeper session has expired.
  crd::Topology rev3 = spec_;
  rev3.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{50});
  WriteFile(file, SpecYaml(rev3));
  WaitFor(
      *b, "revision 3 applied by b",
      [&](const Json& j) { return RunningAt(j, crd::SpecHash(rev3)); }, 150);

  // Everything a could overwrite, as b left it.
  statestore::ZkOptions zo;
  zo.servers = zk_->connect_string();
  auto zk = statestore::ZkClient::Connect(zo);
  ASSERT_TRUE(zk.ok());
  const std::vector<std::string> nodes = {
      "/heron/topologies/exclamation", "/heron/packingplans/exclamation",
      "/heron/executionstate/exclamation", "/heron/schedulers/exclamation",
      "/heron-gitops/records/devcluster~www-data~devel~exclamation"};
  auto snapshot = [&] {
    std::vector<std::pair<std::string, int32_t>> out;
    for (const auto& path : nodes) {
      auto node = (*zk)->Get(path);
      out.emplace_back(node.ok() ? node->data : node.status().ToString(),
                       node.ok() ? node->stat.version : -1);
    }
    return out;
  };
  aurora::UpdateQuery updates;
  updates.job_key = aurora::JobKey{"www-data", "devel", "exclamation"};
  auto count_updates = [&] {
    auto summaries = api_->GetJobUpdateSummaries(updates);
    return summaries.ok() ? static_cast<int>(summaries->size()) : -1;
  };
  const auto nodes_before = snapshot();
  const int updates_before = count_updates();
  const auto tasks_before = RunningTaskIds();
  ASSERT_EQ(tasks_before.size(), 3u);

  ASSERT_TRUE(a->Continue().ok());
  // a's pass goes on where it froze and is refused at its first write: by its expired session,
  // by its elector (which has heard of the expiry by then) or by the fence, whichever comes
  // first (e2e/statestore/fence_test.cc shows the fence refusing through a live new session).
  std::string resumed;
  for (int i = 0; i < 150; ++i) {
    const std::string log = Slurp(a->log_path());
    const size_t stop = log.find("failpoint: stop");
    resumed = stop == std::string::npos ? "" : log.substr(stop);
    if (resumed.find(" FAILED: ") != std::string::npos) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_NE(resumed.find("WriteHeronState " + crd::SpecHash(rev2).substr(0, 12) + " FAILED: "),
            std::string::npos)
      << resumed;
  EXPECT_NE(resumed.find("not attempted"), std::string::npos) << resumed;
  std::this_thread::sleep_for(3s);  // time for any write that got through to show
  EXPECT_EQ(snapshot(), nodes_before) << "a deposed leader changed a node";
  EXPECT_EQ(count_updates(), updates_before) << "a deposed leader started an update";
  EXPECT_EQ(RunningTaskIds(), tasks_before);
  EXPECT_TRUE(RunningAt(Status(*b), crd::SpecHash(rev3)));
  EXPECT_NE(testing::HttpCall("GET", a->url() + "/api/v1/leader").body.find("\"isLeader\": false"),
            std::string::npos);
}

TEST_F(ControllerE2E, ConvergesThroughZooKeeperAndAuroraRestarts) {
  if (aurora_->attached() || std::getenv("E2E_ZK")) {
    GTEST_SKIP() << "restarts the servers, which it cannot do to a real cluster";
  }
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  const std::string file = specs_dir_ + "/exclamation.yaml";
  WriteFile(file, SpecYaml(spec_));
  std::this_thread::sleep_for(300ms);  // the create is under way
  ASSERT_TRUE(zk_->Stop().ok());
  std::this_thread::sleep_for(2s);
  ASSERT_TRUE(zk_->Restart().ok());
  WaitFor(
      *c, "running after the ZooKeeper restart",
      [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); }, 120);

  crd::Topology updated = spec_;
  updated.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  updated.spec.topology.config["sim.start.delay.seconds"] = Json(std::string("2"));
  // A scheduler restart may lose the instance being updated (aurora-local, like Aurora, marks
  // tasks it cannot find LOST); that is not the revision's fault, so the update may retry it.
  updated.spec.update.max_per_instance_failures = 3;
  WriteFile(file, SpecYaml(updated));
  WaitFor(
      *c, "updating", [](const Json& j) { return JsonStr(j, "phase") == "Updating"; }, 30);
  ASSERT_TRUE(aurora_->Restart().ok());
  WaitFor(
      *c, "running after the aurora-local restart",
      [&](const Json& j) { return RunningAt(j, crd::SpecHash(updated)); }, 120);
  EXPECT_EQ(ActiveTaskCount(), 3u);
}

class GitRepo {
 public:
  explicit GitRepo(std::string path) : path_(std::move(path)) {
    fs::create_directories(path_ + "/topologies");
    Run("git init -q -b main .");
  }
  // Writes topologies/exclamation.yaml and commits; returns the commit id.
  std::string Commit(const std::string& yaml, const std::string& message) {
    std::ofstream(path_ + "/topologies/exclamation.yaml", std::ios::trunc) << yaml;
    Run("git add -A && git -c user.name=e2e -c user.email=e2e@example.com commit -q -m '" +
        message + "'");
    return Head();
  }
  std::string Head() const {
    std::string out;
    FILE* p = popen(("git -C " + path_ + " rev-parse HEAD").c_str(), "r");
    char buf[128];
    while (p && fgets(buf, sizeof buf, p)) out += buf;
    if (p) pclose(p);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

 private:
  void Run(const std::string& cmd) const {
    ASSERT_EQ(std::system(("cd " + path_ + " && " + cmd + " >/dev/null 2>&1").c_str()), 0) << cmd;
  }
  std::string path_;
};

// Scoped API tokens (--tokens-file, each kept as its SHA-256) and the audit log: a read token
// cannot suspend; an operate token for the fixture's role acts on its topology but not on
// another role's, nor controller-wide; the --token-file token is admin; every change asked for
// is one audit line with who, what, which topology and the answer.
TEST_F(ControllerE2E, ApiTokensAreScopedAndEveryChangeIsAudited) {
  const std::string tokens = dir_ + "/tokens.yaml";
  WriteFile(tokens,
            "tokens:\n"
            "  - {name: dashboards, scope: read, sha256: " +
                Sha256Hex("read-t0k") +
                "}\n"
                "  - {name: www-oncall, scope: operate, roles: [www-data], sha256: " +
                Sha256Hex("ops-t0k") + "}\n");
  const std::string audit = dir_ + "/audit.log";
  auto c = StartController({"dir:" + specs_dir_}, {"--tokens-file", tokens, "--audit-log", audit});
  ASSERT_TRUE(c);
  WriteFile(specs_dir_ + "/exclamation.yaml", SpecYaml(spec_));
  WaitFor(*c, "running", [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });

  auto suspended = [](const Json& j) {
    const Json* v = j.Find("suspended");
    return v && v->is_bool() && v->as_bool();
  };
  auto post = [&](const std::string& path, const std::string& token) {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return testing::HttpCall("POST", c->url() + path, "", headers).status;
  };
  const std::string mine = KeyPath();
  const std::string theirs = "/api/v1/topologies/devcluster/ads/devel/exclamation";
  EXPECT_EQ(post(mine + ":suspend", ""), 401);
  EXPECT_EQ(post(mine + ":suspend", "wrong"), 401);
  EXPECT_EQ(post(mine + ":suspend", "read-t0k"), 403);
  EXPECT_EQ(post(theirs + ":suspend", "ops-t0k"), 403);
  EXPECT_EQ(post("/api/v1/resync", "ops-t0k"), 403);
  EXPECT_FALSE(suspended(Status(*c))) << "nothing refused took effect";
  EXPECT_EQ(post(mine + ":suspend", "ops-t0k"), 202);
  WaitFor(*c, "suspended", suspended);
  EXPECT_EQ(post(mine + ":resume", token_), 202) << "the --token-file token is admin";
  EXPECT_EQ(post("/api/v1/resync", token_), 202);

  std::ifstream in(audit);
  std::vector<std::string> seen;
  for (std::string line; std::getline(in, line);) {
    auto j = ParseJson(line);
    ASSERT_TRUE(j.ok()) << line;
    seen.push_back(JsonStr(*j, "who") + " " + JsonStr(*j, "path") + " " + JsonStr(*j, "topology") +
                   " " + std::to_string(JsonInt(*j, "status")));
    EXPECT_FALSE(JsonStr(*j, "ts").empty());
    EXPECT_EQ(line.find("t0k"), std::string::npos) << "no token in the audit log";
  }
  const std::string key = "devcluster/www-data/devel/exclamation";
  const std::string other = "devcluster/ads/devel/exclamation";
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "anonymous " + mine + ":suspend " + key + " 401",
                      "anonymous " + mine + ":suspend " + key + " 401",
                      "dashboards " + mine + ":suspend " + key + " 403",
                      "www-oncall " + theirs + ":suspend " + other + " 403",
                      "www-oncall /api/v1/resync  403",
                      "www-oncall " + mine + ":suspend " + key + " 202",
                      "admin " + mine + ":resume " + key + " 202",
                      "admin /api/v1/resync  202",
                  }));
}

// --zookeeper-auth-file: the controller authenticates with digest and creates its own nodes
// (records, election, fence, spool) writable by itself only; a client without the credential
// (or with a wrong one) can read them but not change, add or delete any, while Heron's nodes
// stay open for Heron's tools.
TEST_F(ControllerE2E, ZooKeeperDigestAuthLeavesTheControllersNodesWritableByItOnly) {
  const std::string auth = dir_ + "/zk.auth";
  WriteFile(auth, "heron-controller:zk-s3cret\n");
  auto c = StartController({"dir:" + specs_dir_},
                           {"--zookeeper-auth-file", auth, "--root", "/gitops-digest"});
  ASSERT_TRUE(c);
  WriteFile(specs_dir_ + "/exclamation.yaml", SpecYaml(spec_));
  WaitFor(*c, "running", [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });
  const std::string record = "/gitops-digest/records/devcluster~www-data~devel~exclamation";

  auto connect = [&](const std::string& digest) {
    statestore::ZkOptions o;
    o.servers = zk_->connect_string();
    o.digest = digest;
    auto zk = statestore::ZkClient::Connect(o);
    EXPECT_TRUE(zk.ok()) << zk.status();
    return zk.ok() ? std::move(*zk) : nullptr;
  };
  auto anonymous = connect("");
  auto wrong = connect("heron-controller:guess");
  auto controller = connect("heron-controller:zk-s3cret");
  ASSERT_TRUE(anonymous && wrong && controller);
  auto own = controller->Get(record);
  ASSERT_TRUE(own.ok()) << own.status();
  for (auto* zk : {anonymous.get(), wrong.get()}) {
    EXPECT_TRUE(zk->Get(record).ok()) << "readable: a fence check from Heron's connection reads";
    auto write = zk->Set(record, "{}", own->stat.version);
    EXPECT_EQ(write.status().code(), StatusCode::kPermissionDenied) << write.status();
    auto create =
        zk->Create("/gitops-digest/records/intruder", "{}", statestore::CreateMode::kPersistent);
    EXPECT_EQ(create.status().code(), StatusCode::kPermissionDenied) << create.status();
    EXPECT_EQ(zk->Delete(record, -1).code(), StatusCode::kPermissionDenied);
    EXPECT_TRUE(zk->Get("/heron/topologies/exclamation").ok()) << "Heron's nodes stay open";
  }
  EXPECT_EQ(controller->Get(record)->data, own->data) << "the record is as it was";
}

// A credential the controller is handed where it should not be (a git URL with a password, as
// people write them) never leaves the process: not in its log, not in its API's answers.
TEST_F(ControllerE2E, ACredentialInASourceUrlNeverLeavesTheProcess) {
  auto c =
      StartController({"dir:" + specs_dir_ + "?allowEmpty",
                       "git:https://bob:hunter2@127.0.0.1:9/heron/specs.git#main?interval=1s"});
  ASSERT_TRUE(c);
  std::string body;
  for (int i = 0; i < 100; ++i) {
    body = testing::HttpCall("GET", c->url() + "/api/v1/topologies").body;
    if (body.find("127.0.0.1:9") != std::string::npos) break;  // the source's error is there
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_NE(body.find("https://***@127.0.0.1:9/heron/specs.git"), std::string::npos) << body;
  EXPECT_EQ(body.find("hunter2"), std::string::npos) << body;
  const std::string log = c->LogTail(1 << 20);
  EXPECT_NE(log.find("127.0.0.1:9"), std::string::npos) << "the log names the source:\n" << log;
  EXPECT_EQ(log.find("hunter2"), std::string::npos) << log;
}

TEST_F(ControllerE2E, GitSourceCreateUpdateRollback) {
  GitRepo repo(dir_ + "/repo");
  const std::string first = repo.Commit(SpecYaml(spec_), "create");
  auto c = StartController({"git:file://" + dir_ + "/repo#main//topologies?interval=1s"});
  ASSERT_TRUE(c);
  Json s = WaitFor(*c, "created from git",
                   [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });
  EXPECT_EQ(JsonStr(s, "sourceRevision"), first);
  EXPECT_EQ(JsonStr(s, "source").rfind("git:", 0), 0u) << JsonStr(s, "source");

  crd::Topology updated = spec_;
  updated.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  const std::string second = repo.Commit(SpecYaml(updated), "update");
  // A webhook makes it fetch at once.
  EXPECT_EQ(Post(*c, "/api/v1/webhook/git").status, 202);
  s = WaitFor(*c, "updated from git",
              [&](const Json& j) { return RunningAt(j, crd::SpecHash(updated)); });
  EXPECT_EQ(JsonStr(s, "sourceRevision"), second);
  // The commit is in the Aurora update's metadata.
  aurora::UpdateQuery uq;
  uq.job_key = aurora::JobKey{"www-data", "devel", "exclamation"};
  auto updates = api_->GetJobUpdateSummaries(uq);
  ASSERT_TRUE(updates.ok());
  bool found = false;
  for (const auto& u : *updates) {
    auto it = u.metadata.find("heron-gitops/source-revision");
    found |= it != u.metadata.end() && it->second == second;
  }
  EXPECT_TRUE(found);

  const crd::Topology bad = Crashing(updated);
  repo.Commit(SpecYaml(bad), "break it");
  WaitFor(
      *c, "the bad commit rolled back",
      [&](const Json& j) {
        return MarkedFailed(j, crd::SpecHash(bad)) && JsonStr(j, "phase") == "Failed";
      },
      120);
  WaitFor(*c, "the previous revision running", [&](const Json& j) {
    return RunsRevision(j, crd::SpecHash(updated), 3) && RunningTaskIds().size() == 3u;
  });
}

// The git webhook as git hosts send it: no bearer token, the body signed with the source's
// secret (GitHub's X-Hub-Signature-256) or the secret itself (GitLab's X-Gitlab-Token). Unsigned
// or wrongly signed: 401 and no fetch (the source polls hourly, so only a webhook fetches).
TEST_F(ControllerE2E, GitWebhooksAreTakenOnlyWhenSigned) {
  GitRepo repo(dir_ + "/repo");
  repo.Commit(SpecYaml(spec_), "create");
  const std::string secret_file = dir_ + "/webhook.secret";
  WriteFile(secret_file, "s3cr3t-webhook\n");
  auto c = StartController(
      {"git:file://" + dir_ + "/repo#main//topologies?interval=1h&webhookSecret=" + secret_file});
  ASSERT_TRUE(c);
  WaitFor(*c, "created from git",
          [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });

  crd::Topology updated = spec_;
  updated.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{46});
  const std::string second = repo.Commit(SpecYaml(updated), "update");
  const std::string url = c->url() + "/api/v1/webhook/git";
  const std::string body = R"({"ref": "refs/heads/main", "after": ")" + second + R"("})";
  EXPECT_EQ(testing::HttpCall("POST", url, body).status, 401) << "unsigned";
  EXPECT_EQ(testing::HttpCall("POST", url, body,
                              {{"X-Hub-Signature-256", "sha256=" + HmacSha256Hex("wrong", body)}})
                .status,
            401);
  EXPECT_EQ(testing::HttpCall("POST", url, body, {{"X-Gitlab-Token", "wrong"}}).status, 401);
  // Signed for another body (a replay with a changed payload).
  EXPECT_EQ(testing::HttpCall(
                "POST", url, body + " ",
                {{"X-Hub-Signature-256", "sha256=" + HmacSha256Hex("s3cr3t-webhook", body)}})
                .status,
            401);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(JsonStr(Status(*c), "desiredSpecHash"), crd::SpecHash(spec_)) << "no fetch yet";

  const auto signed_call = testing::HttpCall(
      "POST", url, body,
      {{"X-Hub-Signature-256", "sha256=" + HmacSha256Hex("s3cr3t-webhook", body)}});
  EXPECT_EQ(signed_call.status, 202) << signed_call.body;
  WaitFor(*c, "updated on GitHub's signed webhook",
          [&](const Json& j) { return RunningAt(j, crd::SpecHash(updated)); });

  crd::Topology third = updated;
  third.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{47});
  repo.Commit(SpecYaml(third), "third");
  EXPECT_EQ(testing::HttpCall("POST", url, "{}", {{"X-Gitlab-Token", "s3cr3t-webhook"}}).status,
            202);
  WaitFor(*c, "updated on GitLab's webhook",
          [&](const Json& j) { return RunningAt(j, crd::SpecHash(third)); });
}

TEST_F(ControllerE2E, SpoolSourceCreateUpdateRollbackAndRestart) {
  const std::string spool = dir_ + "/spool";
  fs::create_directories(spool);
  // allowEmpty: withdrawing the last spec is meant to prune it.
  auto c = StartController({"spool:" + spool + "?allowEmpty"}, {"--prune", "--tombstone", "1s"});
  ASSERT_TRUE(c);
  WriteFile(spool + "/exclamation.yaml", SpecYaml(spec_));
  WaitFor(*c, "created from the spool",
          [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });
  EXPECT_TRUE(fs::exists(spool + "/done/exclamation.yaml"));
  EXPECT_FALSE(fs::exists(spool + "/exclamation.yaml"));
  const auto before = RunningTaskIds();

  // A broken file is moved to failed/ with its error beside it; the topology is untouched.
  WriteFile(spool + "/exclamation.yaml", "apiVersion: heron/v1\nkind: Topology\nspec: [\n");
  for (int i = 0; i < 40 && !fs::exists(spool + "/failed/exclamation.yaml.error"); ++i) {
    std::this_thread::sleep_for(250ms);
  }
  ASSERT_TRUE(fs::exists(spool + "/failed/exclamation.yaml.error"));
  std::ifstream err(spool + "/failed/exclamation.yaml.error");
  std::string why((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  EXPECT_NE(why.find("exclamation.yaml:"), std::string::npos) << why;
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(RunningTaskIds(), before);

  // A restart remembers the spool's specs (kept in ZooKeeper): nothing is pruned.
  ASSERT_TRUE(c->Restart().ok());
  std::this_thread::sleep_for(4s);
  EXPECT_EQ(RunningTaskIds(), before);
  WaitFor(*c, "still running", [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });

  crd::Topology updated = spec_;
  updated.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  WriteFile(spool + "/exclamation.yaml", SpecYaml(updated));
  WaitFor(*c, "updated from the spool",
          [&](const Json& j) { return RunningAt(j, crd::SpecHash(updated)); });

  const crd::Topology bad = Crashing(updated);
  WriteFile(spool + "/exclamation.yaml", SpecYaml(bad));
  WaitFor(
      *c, "the bad spec rolled back",
      [&](const Json& j) {
        return MarkedFailed(j, crd::SpecHash(bad)) && JsonStr(j, "phase") == "Failed";
      },
      120);

  // An empty file withdraws the spec: with pruning on, the topology is killed.
  WriteFile(spool + "/exclamation.yaml", "");
  for (int i = 0; i < 240 && ActiveTaskCount() > 0; ++i) std::this_thread::sleep_for(250ms);
  EXPECT_EQ(ActiveTaskCount(), 0u);
}

// Per-role Aurora identities (clusters file roleCredentials): each role's topology is created
// under its own credentials, so Aurora's per-role authorization applies (aurora-local's users
// file grants each user one role) and the job is owned by that identity; a role with no
// credentials, on a scheduler that needs them, is refused and says so.
TEST_F(ControllerE2E, EachRolesTopologyIsCreatedUnderThatRolesAuroraIdentity) {
  WriteFile(dir_ + "/users", "www:www-pw:www-data\nads:ads-pw:ads\n");
  WriteFile(dir_ + "/www.cred", "www:www-pw\n");
  WriteFile(dir_ + "/ads.cred", "ads:ads-pw\n");
  testing::AuroraLocalOptions o;
  o.extra_args = {"--users-file", dir_ + "/users", "--stop-tasks-on-exit"};
  auto secured = testing::AuroraLocalProcess::Start(o);
  ASSERT_TRUE(secured.ok()) << secured.status();
  WriteFile(clusters_file_,
            "clusters:\n  - name: devcluster\n    aurora: {url: \"" + (*secured)->url() +
                "\"}\n    roleCredentials: {www-data: " + dir_ + "/www.cred, ads: " + dir_ +
                "/ads.cred}\n    heron: {zookeeper: \"" + zk_->connect_string() +
                "\", root: /heron, corePackage: \"" + testing::StandinCorePackageUri() + "\"}\n");
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  // Heron's state is per topology name in a cluster: each role's topology has a name of its own.
  crd::Topology ads = spec_;
  ads.spec.role = "ads";
  ads.metadata.name = "ads-exclamation";
  std::filesystem::create_directories(dir_ + "/ads");
  ASSERT_TRUE(testing::PackageForTest(dir_ + "/ads", ads).ok());
  crd::Topology stranger = spec_;
  stranger.spec.role = "nobody";
  stranger.metadata.name = "nobody-exclamation";
  WriteFile(specs_dir_ + "/www.yaml", SpecYaml(spec_));
  WriteFile(specs_dir_ + "/ads.yaml", SpecYaml(ads));
  WriteFile(specs_dir_ + "/nobody.yaml", SpecYaml(stranger));
  const std::string ads_path = "/api/v1/topologies/devcluster/ads/devel/ads-exclamation";
  WaitFor(*c, "www-data running",
          [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });
  WaitFor(
      *c, "ads running", [&](const Json& j) { return RunningAt(j, crd::SpecHash(ads)); }, 90,
      ads_path);
  WaitFor(
      *c, "nobody refused", [](const Json& j) { return MessageHas(j, "needs credentials"); }, 60,
      "/api/v1/topologies/devcluster/nobody/devel/nobody-exclamation");

  aurora::HttpTransportOptions anonymous;  // reads need no identity
  const std::string url = (*secured)->url();
  anonymous.schedulers = [url] { return std::vector<std::string>{url}; };
  aurora::ThriftAuroraClient reader(anonymous);
  for (const auto& [role, owner] : {std::pair{"www-data", "www"}, std::pair{"ads", "ads"}}) {
    auto jobs = reader.GetJobs(role);
    ASSERT_TRUE(jobs.ok()) << jobs.status();
    ASSERT_EQ(jobs->size(), 1u) << role;
    EXPECT_EQ(jobs->front().owner, owner) << role;
    EXPECT_EQ(jobs->front().task.owner, owner) << role;
  }
  auto none = reader.GetJobs("nobody");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(c->Stop().ok());
}

// The API over TLS (--tls-cert-file/--tls-key-file): heronctl verifies the certificate against
// --ca-file and refuses the connection without it (a self-signed certificate is no system CA's),
// --insecure-skip-tls-verify skips the check; SIGHUP re-reads the files, so a renewed certificate
// is served without a restart, and a broken one leaves the old in place.
TEST_F(ControllerE2E, TheApiOverTlsIsVerifiedByHeronctlAndReloadedOnSighup) {
  auto first = testing::MakeSelfSignedCert(dir_, "first", "first");
  auto second = testing::MakeSelfSignedCert(dir_, "second", "second");
  ASSERT_TRUE(first.ok() && second.ok());
  const std::string crt = dir_ + "/served.crt", key = dir_ + "/served.key";
  auto serve = [&](const testing::TlsCert& from) {
    std::filesystem::copy_file(from.cert_file, crt,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(from.key_file, key,
                               std::filesystem::copy_options::overwrite_existing);
  };
  serve(*first);
  auto c = StartController({"dir:" + specs_dir_ + "?allowEmpty"},
                           {"--tls-cert-file", crt, "--tls-key-file", key});
  ASSERT_TRUE(c);
  ASSERT_EQ(c->url().rfind("https://127.0.0.1:", 0), 0u) << c->url();
  EXPECT_EQ(testing::HttpCall("GET", "http" + c->url().substr(5) + "/healthz").status, 0)
      << "plain HTTP is not served on a TLS listener";

  const std::string cli = std::string(HGO_BINARY_DIR) + "/cmd/heronctl";
  auto get = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = {cli, "get", "clusters", "--server", c->url()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunHeronctl(argv, dir_);
  };
  CliResult verified = get({"--ca-file", first->cert_file});
  EXPECT_EQ(verified.code, 0) << verified.err;
  EXPECT_NE(verified.out.find("devcluster"), std::string::npos) << verified.out;
  CliResult unverified = get({});
  EXPECT_NE(unverified.code, 0) << "a self-signed certificate passed the system's CAs";
  EXPECT_NE(unverified.err.find("cannot reach heron-controller"), std::string::npos)
      << unverified.err;
  EXPECT_NE(get({"--ca-file", second->cert_file}).code, 0) << "another CA's file was accepted";
  CliResult insecure = get({"--insecure-skip-tls-verify"});
  EXPECT_EQ(insecure.code, 0) << insecure.err;

  // Renewal: the files change, SIGHUP, and new connections see the new certificate.
  serve(*second);
  ASSERT_EQ(::kill(c->pid(), SIGHUP), 0);
  for (int i = 0; i < 100 && get({"--ca-file", second->cert_file}).code != 0; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(get({"--ca-file", second->cert_file}).code, 0) << c->LogTail();
  EXPECT_NE(get({"--ca-file", first->cert_file}).code, 0) << "the old certificate is still served";

  // A broken renewal (the key of another certificate): logged, and the served one stays.
  std::filesystem::copy_file(first->key_file, key,
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(::kill(c->pid(), SIGHUP), 0);
  for (int i = 0; i < 100 && c->LogTail().find("does not match") == std::string::npos; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(c->LogTail().find("the certificate in use stays"), std::string::npos) << c->LogTail();
  EXPECT_EQ(get({"--ca-file", second->cert_file}).code, 0);
  EXPECT_TRUE(c->running());
  EXPECT_TRUE(c->Stop().ok());
}

}  // namespace
}  // namespace hgo::e2e
