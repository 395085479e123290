// The real heron-controller binary against real ZooKeeper, aurora-local and the heron-executor
// stand-in: the acceptance scenarios of the controller (docs/operations.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "crd/canonical.h"
#include "e2e/controller/controller_fixture.h"

namespace hgo::e2e {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string Str(const Json& j, const char* key) {
  const Json* v = j.Find(key);
  return v && v->is_string() ? v->as_string() : "";
}
int64_t Int(const Json& j, const char* key) {
  const Json* v = j.Find(key);
  return v && v->is_int() ? v->as_int() : -1;
}
bool Running(const Json& s, const std::string& hash) {
  return Str(s, "phase") == "Running" && Str(s, "appliedSpecHash") == hash;
}

TEST_F(ControllerE2E, DirSourceCreateScaleUpdateAndPrune) {
  auto c = StartController({"dir:" + specs_dir_ + "?allowEmpty"}, {"--prune", "--tombstone", "1s"});
  ASSERT_TRUE(c);
  const std::string file = specs_dir_ + "/exclamation.yaml";

  // Create.
  WriteFile(file, SpecYaml(spec_));
  Json s = WaitFor(*c, "created and running",
                   [&](const Json& j) { return Running(j, crd::SpecHash(spec_)); });
  auto created = RunningTaskIds();
  ASSERT_EQ(created.size(), 3u) << SerializePretty(s);
  EXPECT_EQ(Int(s, "revision"), 1);

  // Scale up: one more container; the running ones keep their task ids.
  crd::Topology scaled = spec_;
  scaled.spec.topology.bolts[0].parallelism = 2;
  scaled.spec.packing.containers = 3;
  WriteFile(file, SpecYaml(scaled));
  s = WaitFor(*c, "scaled", [&](const Json& j) { return Running(j, crd::SpecHash(scaled)); });
  auto after_scale = RunningTaskIds();
  ASSERT_EQ(after_scale.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(after_scale[i], created[i]) << "instance " << i;

  // Scale down again: the removed container goes, the others stay.
  WriteFile(file, SpecYaml(spec_));
  s = WaitFor(*c, "scaled down", [&](const Json& j) { return Running(j, crd::SpecHash(spec_)); });
  auto after_down = RunningTaskIds();
  ASSERT_EQ(after_down.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(after_down[i], created[i]) << "instance " << i;

  // Rolling update in batches of 2: every container restarts.
  crd::Topology updated = spec_;
  updated.spec.topology.config["topology.message.timeout.secs"] = Json(int64_t{45});
  updated.spec.update.batch_size = 2;
  WriteFile(file, SpecYaml(updated));
  s = WaitFor(*c, "updated", [&](const Json& j) { return Running(j, crd::SpecHash(updated)); });
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
  for (int i = 0; i < 240 && ActiveTaskCount() > 0; ++i) std::this_thread::sleep_for(250ms);
  EXPECT_EQ(ActiveTaskCount(), 0u);
  for (int i = 0; i < 120; ++i) {
    if (testing::HttpCall("GET", c->url() + KeyPath()).status == 404) break;
    std::this_thread::sleep_for(250ms);
  }
  EXPECT_EQ(testing::HttpCall("GET", c->url() + KeyPath()).status, 404);
  EXPECT_TRUE(c->Stop().ok()) << "a clean shutdown on SIGTERM";
}

}  // namespace
}  // namespace hgo::e2e
