#include "controller/record_fold.h"

#include <gtest/gtest.h>

#include "crd/canonical.h"
#include "crd/parser.h"
#include "reconciler/planner.h"

namespace hgo::controller {
namespace {

using reconciler::Plan;

crd::Topology Spec() {
  auto parsed =
      crd::ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/full.yaml");
  EXPECT_TRUE(parsed.ok());
  return parsed.Topologies().at(0);
}

// A plan whose memory applied `hash` (as the planner's create does).
Plan Applying(const reconciler::Memory& before, const std::string& hash, int64_t now) {
  Plan p;
  p.phase = reconciler::Phase::kDeploying;
  p.memory = before;
  p.memory.applied_hash = hash;
  p.memory.applied_topology_id = "t-" + hash.substr(0, 6);
  p.memory.rollout_started_ms = now;
  p.memory.instances_of[hash] = 3;
  p.memory.job_hash_of[hash] = "job-" + hash.substr(0, 6);
  p.actions.push_back(
      {reconciler::Action::Kind::kCreateJob, hash, "", "", "", false, "create", {}, {}});
  return p;
}

TEST(RecordMemoryTest, TheStoredSpecParsesBackToTheSameRevision) {
  const crd::Topology t = Spec();
  statestore::TopologyRecord r;
  r.key = t.key();
  statestore::Revision v;
  v.spec_hash = crd::SpecHash(t);
  v.spec_json = Serialize(crd::CanonicalJson(t));
  v.job_hash = "j";
  statestore::AddRevision(r, v);
  r.applied = r.history.back();
  std::map<std::string, RevisionSource> revisions;
  RecordedSpecs specs;
  AddRecordedRevisions(r, {"not-recorded"}, specs, revisions);
  EXPECT_TRUE(revisions.empty()) << "only the revisions asked for are parsed";
  EXPECT_EQ(specs.size(), 0u);
  AddRecordedRevisions(r, {v.spec_hash}, specs, revisions);
  EXPECT_EQ(specs.size(), 1u);
  ASSERT_EQ(revisions.count(v.spec_hash), 1u);
  EXPECT_EQ(crd::SpecHash(*revisions.at(v.spec_hash).spec), v.spec_hash)
      << "the canonical JSON is a valid spec with the same meaning";
}

TEST(RecordMemoryTest, FoldingAPassThenReadingBackGivesThePlansMemory) {
  const crd::Topology t = Spec();
  const std::string h1 = crd::SpecHash(t);
  std::map<std::string, RevisionSource> revisions{
      {h1, RevisionSource{std::make_shared<const crd::Topology>(t), h1, "c1"}}};
  statestore::TopologyRecord r;
  r.key = t.key();

  Plan create = Applying({}, h1, 1000);
  FoldPass(r, PassOutcome{&create, &revisions, h1, "dir:/specs", "c1", Status::Ok(), 1000});
  EXPECT_EQ(MemoryFromRecord(r), create.memory);
  ASSERT_TRUE(r.applied);
  EXPECT_EQ(r.applied->number, 1);
  EXPECT_EQ(r.applied->outcome, "Applying");
  EXPECT_EQ(r.applied->source, "dir:/specs");
  EXPECT_EQ(r.phase, "Deploying");
  EXPECT_EQ(r.events.back().reason, "CreateJob");

  Plan healthy;
  healthy.phase = reconciler::Phase::kRunning;
  healthy.memory = create.memory;
  healthy.memory.stable_hash = h1;
  healthy.actions.push_back(
      reconciler::Action{reconciler::Action::Kind::kRemember, "", "", "", "", false, "", {}, {}});
  FoldPass(r, PassOutcome{&healthy, &revisions, h1, "dir:/specs", "c1", Status::Ok(), 2000});
  EXPECT_EQ(MemoryFromRecord(r), healthy.memory);
  // Only remembering is nothing left to do: synced in the same pass, so that the next no-op
  // pass finds nothing to write.
  auto synced = std::find_if(r.conditions.begin(), r.conditions.end(),
                             [](const auto& c) { return c.type == "Synced"; });
  ASSERT_NE(synced, r.conditions.end());
  EXPECT_EQ(synced->status, "True");
  EXPECT_EQ(synced->reason, "Converged");
  statestore::TopologyRecord before_noop = r;
  Plan noop;
  noop.phase = reconciler::Phase::kRunning;
  noop.message = healthy.message;
  noop.memory = healthy.memory;
  FoldPass(r, PassOutcome{&noop, &revisions, h1, "dir:/specs", "c1", Status::Ok(), 2500});
  EXPECT_EQ(r, before_noop);
  ASSERT_TRUE(r.last_stable);
  EXPECT_EQ(r.last_stable->outcome, "Stable");
  EXPECT_EQ(r.applied->outcome, "Stable");

  // A second revision that fails: history keeps both, the failed one marked.
  crd::Topology t2 = t;
  t2.spec.topology.config["x"] = Json(int64_t{1});
  const std::string h2 = crd::SpecHash(t2);
  revisions[h2] = RevisionSource{std::make_shared<const crd::Topology>(t2), h2, "c2"};
  Plan update = Applying(healthy.memory, h2, 3000);
  FoldPass(r, PassOutcome{&update, &revisions, h2, "dir:/specs", "c2", Status::Ok(), 3000});
  Plan failed;
  failed.phase = reconciler::Phase::kFailed;
  failed.memory = update.memory;
  failed.memory.failed_hashes.insert(h2);
  FoldPass(r, PassOutcome{&failed, &revisions, h2, "dir:/specs", "c2", Status::Ok(), 4000});
  EXPECT_EQ(MemoryFromRecord(r), failed.memory);
  ASSERT_EQ(r.history.size(), 2u);
  EXPECT_EQ(r.history[1].outcome, "Failed");
  EXPECT_EQ(r.history[1].source_revision, "c2");
  EXPECT_EQ(r.failed_spec_hashes.count(h2), 1u);
  EXPECT_EQ(r.last_stable->spec_hash, h1);
}

TEST(RecordMemoryTest, AFailedExecutionKeepsTheOldMemoryAndRecordsTheError) {
  const crd::Topology t = Spec();
  const std::string h1 = crd::SpecHash(t);
  std::map<std::string, RevisionSource> revisions{
      {h1, RevisionSource{std::make_shared<const crd::Topology>(t), h1, ""}}};
  statestore::TopologyRecord r;
  r.key = t.key();
  Plan create = Applying({}, h1, 1000);
  FoldPass(r, PassOutcome{&create, &revisions, h1, "dir:/specs", "",
                          Status::Unavailable("aurora down"), 1000});
  EXPECT_EQ(MemoryFromRecord(r), reconciler::Memory{});
  EXPECT_FALSE(r.applied);
  EXPECT_EQ(r.events.back().reason, "ActionFailed");
  EXPECT_NE(r.events.back().message.find("aurora down"), std::string::npos);
}

TEST(RecordMemoryTest, APinNamesAHistoryRevision) {
  const crd::Topology t = Spec();
  statestore::TopologyRecord r;
  r.key = t.key();
  for (int i = 0; i < 3; ++i) {
    statestore::Revision v;
    v.spec_hash = std::string(64, static_cast<char>('a' + i));
    v.job_hash = "j" + std::to_string(i);
    v.instances = i + 2;
    statestore::AddRevision(r, v);
  }
  r.pinned_revision = 2;
  r.pinned_for_spec_hash = "current";
  auto m = MemoryFromRecord(r);
  EXPECT_EQ(m.pinned_hash, std::string(64, 'b'));
  EXPECT_EQ(m.pinned_for_spec_hash, "current");
  EXPECT_EQ(m.instances_of.at(std::string(64, 'b')), 3);
  EXPECT_EQ(m.job_hash_of.at(std::string(64, 'c')), "j2");
}

}  // namespace
}  // namespace hgo::controller

namespace hgo::controller {
namespace {

std::shared_ptr<const Shape> ShapeWithJob(const std::string& job_hash) {
  auto shape = std::make_shared<Shape>();
  shape->inputs.job_hash = job_hash;
  shape->inputs.resources = {3, int64_t{4} << 30, int64_t{14} << 30};
  shape->inputs.component_ram = {{"word", int64_t{1} << 30}};
  return shape;
}

TEST(RecordMemoryTest, TheAppliedRevisionsContainerSizeIsRecordedAndLearntByOlderRecords) {
  const crd::Topology t = Spec();
  const std::string h1 = crd::SpecHash(t);
  std::map<std::string, RevisionSource> revisions{
      {h1, RevisionSource{std::make_shared<const crd::Topology>(t), h1, "c1"}}};
  revisions[h1].shape = ShapeWithJob("job-" + h1.substr(0, 6));
  statestore::TopologyRecord r;
  r.key = t.key();
  Plan create = Applying({}, h1, 1000);
  FoldPass(r, PassOutcome{&create, &revisions, h1, "dir:/specs", "c1", Status::Ok(), 1000});
  ASSERT_TRUE(r.applied && r.applied->container_size);
  const statestore::ContainerSize expected{
      crd::TaskHash(t), 3, int64_t{4} << 30, int64_t{14} << 30, {{"word", int64_t{1} << 30}}};
  EXPECT_EQ(*r.applied->container_size, expected);
  EXPECT_EQ(r.history.back().container_size, r.applied->container_size);

  // A record from an older controller has none: a pass that shaped the applied revision with
  // the job it runs fills it in; a shape of another job (an adopted live task) does not.
  r.history.back().container_size.reset();
  r.applied->container_size.reset();
  Plan noop;
  noop.phase = reconciler::Phase::kDeploying;
  noop.memory = create.memory;
  revisions[h1].shape = ShapeWithJob("live-0123");
  FoldPass(r, PassOutcome{&noop, &revisions, h1, "dir:/specs", "c1", Status::Ok(), 1500});
  EXPECT_FALSE(r.applied->container_size);
  revisions[h1].shape = ShapeWithJob("job-" + h1.substr(0, 6));
  FoldPass(r, PassOutcome{&noop, &revisions, h1, "dir:/specs", "c1", Status::Ok(), 2000});
  ASSERT_TRUE(r.applied->container_size);
  EXPECT_EQ(*r.applied->container_size, expected);
  EXPECT_EQ(r.history.back().container_size, r.applied->container_size);
}

// A revision's latency, as the UI shows it: seen in the source, accepted (applied), all instances
// running it, stable; kept in the record (and so across a restart).
TEST(RecordMemoryTest, ARevisionsLatencyMilestonesAreRecordedOnce) {
  const crd::Topology t = Spec();
  const std::string h1 = crd::SpecHash(t);
  std::map<std::string, RevisionSource> revisions{
      {h1, RevisionSource{std::make_shared<const crd::Topology>(t), h1, "c1"}}};
  statestore::TopologyRecord r;
  r.key = t.key();
  Plan create = Applying({}, h1, 1000);
  PassOutcome pass{&create, &revisions, h1, "dir:/specs", "c1", Status::Ok(), 1000};
  pass.seen_ms = 400;
  FoldPass(r, pass);
  ASSERT_TRUE(r.applied);
  EXPECT_EQ(r.applied->seen_ms, 400);
  EXPECT_EQ(r.applied->applied_at_ms, 1000);
  EXPECT_EQ(r.applied->running_ms, 0);

  Plan wait;
  wait.phase = reconciler::Phase::kDeploying;
  wait.memory = create.memory;
  PassOutcome partly{&wait, &revisions, h1, "dir:/specs", "c1", Status::Ok(), 1500};
  partly.running_job_hash = "job-" + h1.substr(0, 6);
  partly.running_instances = 2;  // of 3
  FoldPass(r, partly);
  EXPECT_EQ(r.applied->running_ms, 0) << "not all instances run it";
  PassOutcome other = partly;
  other.now_ms = 1550;
  other.running_job_hash = "job-older";
  other.running_instances = 3;
  FoldPass(r, other);
  EXPECT_EQ(r.applied->running_ms, 0) << "they run another revision's job";
  PassOutcome all = partly;
  all.now_ms = 1600;
  all.running_instances = 3;
  FoldPass(r, all);
  EXPECT_EQ(r.applied->running_ms, 1600);
  all.now_ms = 1700;
  FoldPass(r, all);
  EXPECT_EQ(r.applied->running_ms, 1600) << "the first time, not the latest";

  Plan stable = wait;
  stable.phase = reconciler::Phase::kRunning;
  stable.memory.stable_hash = h1;
  FoldPass(r, PassOutcome{&stable, &revisions, h1, "dir:/specs", "c1", Status::Ok(), 2000});
  EXPECT_EQ(r.applied->stable_ms, 2000);
  ASSERT_TRUE(r.last_stable);
  EXPECT_EQ(r.last_stable->stable_ms, 2000);
  EXPECT_EQ(r.history.back().seen_ms, 400);

  auto back = statestore::ParseRecord(statestore::SerializeRecord(r));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->history.back().seen_ms, 400);
  EXPECT_EQ(back->history.back().running_ms, 1600);
  EXPECT_EQ(back->history.back().stable_ms, 2000);
}

}  // namespace
}  // namespace hgo::controller
