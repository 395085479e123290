// The web UI in a real headless browser (Debian's chromium + chromium-driver, driven by
// python3-selenium in e2e/ui/browser_check.py) against the real controller, ZooKeeper,
// aurora-local and the heron-executor stand-in running three topologies. This side starts them,
// tells the script what Aurora and the spec say, and checks the API after it; the script
// checks what the page shows (docs/ui.md). Screenshots land in build/Testing/ui/.
#include <sys/stat.h>

#include <filesystem>

#include "controller_fixture.h"
#include "crd/canonical.h"
#include "e2e/controller/rollout_fixture.h"
#include "testing/heron_packages.h"

namespace hgo::e2e {
namespace {

namespace fs = std::filesystem;

class UiE2E : public ControllerE2E {};

TEST_F(UiE2E, TheUiShowsAndDrivesTheTopologiesLive) {
  for (const char* tool : {"/usr/bin/chromium", "/usr/bin/chromedriver"}) {
    ASSERT_TRUE(fs::exists(tool)) << tool << " is missing: scripts/setup installs chromium, "
                                  << "chromium-driver and python3-selenium";
  }
  // The focus topology has three components and two streams, so that its graph says something.
  crd::Topology focus = spec_;
  crd::ComponentSpec count;
  count.id = "count";
  count.class_name = "org.apache.heron.examples.api.bolt.CountBolt";
  focus.spec.topology.bolts.push_back(count);
  crd::StreamSpec to_count;
  to_count.from = "exclaim";
  to_count.to = "count";
  to_count.grouping.type = crd::GroupingType::kGlobal;
  focus.spec.topology.streams.push_back(to_count);
  fs::create_directories(dir_ + "/focus");
  ASSERT_TRUE(testing::PackageForTest(dir_ + "/focus", focus).ok());
  std::vector<crd::Topology> specs = {focus};
  for (const char* name : {"second", "third"}) {
    crd::Topology other = spec_;
    other.metadata.name = name;
    const std::string dir = dir_ + "/" + name;
    fs::create_directories(dir);
    ASSERT_TRUE(testing::PackageForTest(dir, other).ok());
    specs.push_back(other);
  }
  auto c = StartController({"dir:" + specs_dir_ + "?allowEmpty"});
  ASSERT_TRUE(c);
  for (const auto& t : specs) WriteFile(specs_dir_ + "/" + t.metadata.name + ".yaml", SpecYaml(t));
  Json keys = Json::MakeObject();
  for (const auto& t : specs) {
    const std::string key = t.key().ToString();
    keys[t.metadata.name] = key;
    WaitFor(
        *c, t.metadata.name + " running",
        [&](const Json& j) { return RunsRevision(j, crd::SpecHash(t), 3); }, 90,
        "/api/v1/topologies/" + key);
  }

  // The change the script commits while the page is open: a config key (a rolling update).
  crd::Topology changed = focus;
  changed.spec.topology.config["topology.message.timeout.secs"] = int64_t{45};
  Json cfg = Json::MakeObject();
  cfg["url"] = c->url();
  cfg["token"] = token_;
  cfg["keys"] = Json(Json::Array{});
  for (const auto& t : specs) cfg["keys"].push_back(t.key().ToString());
  cfg["focus"] = focus.key().ToString();
  cfg["focus_name"] = focus.metadata.name;
  Json components = Json::MakeArray();
  for (const auto& s : focus.spec.topology.spouts) components.push_back(s.id);
  for (const auto& b : focus.spec.topology.bolts) components.push_back(b.id);
  cfg["components"] = std::move(components);
  Json streams = Json::MakeArray();
  for (const auto& s : focus.spec.topology.streams)
    streams.push_back(Json(Json::Array{s.from, s.to}));
  cfg["streams"] = std::move(streams);
  Json tasks = Json::MakeObject();
  for (const auto& [instance, task] : RunningTaskIds(focus.metadata.name)) {
    tasks[std::to_string(instance)] = task;
  }
  ASSERT_EQ(tasks.as_object().size(), 3u);
  cfg["tasks"] = std::move(tasks);
  Json change = Json::MakeObject();
  change["path"] = specs_dir_ + "/" + focus.metadata.name + ".yaml";
  change["content"] = SpecYaml(changed);
  change["marker"] = "topology.message.timeout.secs";
  cfg["change"] = std::move(change);
  cfg["screenshots"] = std::string(HGO_BINARY_DIR) + "/Testing/ui";
  const std::string cfg_path = dir_ + "/browser.json";
  WriteFile(cfg_path, Serialize(cfg));

  CliResult run = RunHeronctl(
      {"/usr/bin/python3", std::string(HGO_SOURCE_DIR) + "/e2e/ui/browser_check.py", cfg_path},
      dir_);
  std::cout << run.out << run.err;
  EXPECT_EQ(run.code, 0) << "the browser check failed (its output is above; a screenshot of the "
                            "page is in build/Testing/ui/failure.png)";

  // What the script did through the page, as the API and Aurora see it.
  const std::string path = "/api/v1/topologies/" + focus.key().ToString();
  Json s = WaitFor(
      *c, "the changed spec running",
      [&](const Json& j) { return RunsRevision(j, crd::SpecHash(changed), 3); }, 60, path);
  EXPECT_EQ(JsonInt(s, "revision"), 2);
  EXPECT_FALSE(s.Find("suspended") && s.Find("suspended")->as_bool());
  EXPECT_EQ(UpdatesFor(crd::SpecHash(changed)), 1) << "one rolling update";
}

// A controller run with --reads-need-token: the page's reads are refused until it has a token,
// it asks for one once, and with it shows the topologies (e2e/ui/token_check.py).
TEST_F(UiE2E, WhenReadsNeedATokenThePageAsksForItOnce) {
  auto c = StartController({"dir:" + specs_dir_}, {"--reads-need-token"});
  ASSERT_TRUE(c);
  WriteFile(specs_dir_ + "/exclamation.yaml", SpecYaml(spec_));
  WaitFor(*c, "running", [&](const Json& j) { return RunningAt(j, crd::SpecHash(spec_)); });
  EXPECT_EQ(testing::HttpCall("GET", c->url() + "/healthz").status, 200) << "probes stay open";
  EXPECT_EQ(testing::HttpCall("GET", c->url() + "/metrics").status, 401);
  Json cfg = Json::MakeObject();
  cfg["url"] = c->url();
  cfg["token"] = token_;
  cfg["key"] = spec_.key().ToString();
  cfg["screenshots"] = std::string(HGO_BINARY_DIR) + "/Testing/ui";
  const std::string cfg_path = dir_ + "/token.json";
  WriteFile(cfg_path, Serialize(cfg));
  CliResult run = RunHeronctl(
      {"/usr/bin/python3", std::string(HGO_SOURCE_DIR) + "/e2e/ui/token_check.py", cfg_path}, dir_);
  std::cout << run.out << run.err;
  EXPECT_EQ(run.code, 0) << "the token check failed (its output is above)";
}

// A placed topology's page shows its waves and drives the rollout: halt from the page holds
// wave 2 after the canary took the change, promote from the page lets it through (and, again,
// skips wave 2's soak). The page follows the other clusters live (its watch wakes for every
// cluster of the placement). The change soaks long (the soak is not part of a revision), so
// that the page's halt surely comes before wave 2 would start.
TEST_F(RolloutE2E, TheTopologyPageShowsTheWavesAndHaltsAndPromotesThem) {
  constexpr int kLongSoak = 300;
  WriteFile(specs_dir_ + "/exclamation.yaml", Placed(spec_));
  auto c = StartController({"dir:" + specs_dir_});
  ASSERT_TRUE(c);
  for (const char* cluster : {"canary", "east", "west"}) WaitRunning(*c, spec_, cluster);
  crd::Topology changed = spec_;
  changed.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{37});
  WriteFile(specs_dir_ + "/exclamation.yaml", Placed(changed, kLongSoak));
  WaitApplied(*c, changed, "canary");

  Json cfg = Json::MakeObject();
  cfg["url"] = c->url();
  cfg["token"] = token_;
  cfg["key"] = "canary/www-data/devel/exclamation";
  Json revisions = Json::MakeObject();
  for (const char* cluster : {"canary", "east", "west"})
    revisions[cluster] = HashIn(changed, cluster);
  cfg["revisions"] = std::move(revisions);
  cfg["waves"] = Json(Json::Array{Json(Json::Array{Json("canary")}),
                                  Json(Json::Array{Json("east"), Json("west")})});
  cfg["screenshots"] = std::string(HGO_BINARY_DIR) + "/Testing/ui";
  const std::string cfg_path = dir_ + "/waves.json";
  WriteFile(cfg_path, Serialize(cfg));
  CliResult run = RunHeronctl(
      {"/usr/bin/python3", std::string(HGO_SOURCE_DIR) + "/e2e/ui/waves_check.py", cfg_path}, dir_);
  std::cout << run.out << run.err;
  EXPECT_EQ(run.code, 0) << "the browser check failed (its output is above; a screenshot of the "
                            "page is in build/Testing/ui/failure.png)";

  // What the page did, as the API and Aurora see it: the halt held wave 2 (no Aurora update of
  // the change there before the promote), the promote let it through.
  const Json rollout = Status(*c, PathOf("canary") + "/rollout");
  EXPECT_TRUE(rollout.Find("complete") && rollout.Find("complete")->as_bool())
      << SerializePretty(rollout);
  for (const char* cluster : {"east", "west"}) {
    EXPECT_TRUE(RunsRevision(Status(*c, PathOf(cluster)), HashIn(changed, cluster), 3)) << cluster;
  }
}

}  // namespace
}  // namespace hgo::e2e
