#include "statestore/records.h"

#include <gtest/gtest.h>

#include "testing/contract/state_store_contract.h"

namespace hgo::statestore {
namespace {

TEST(RecordsTest, JsonRoundTripKeepsEverything) {
  TopologyRecord r = contract::SampleRecord();
  r.failed_spec_hashes.insert(std::string(64, 'f'));
  r.pinned_revision = 1;
  r.suspended = true;
  r.pinned_for_spec_hash = std::string(64, 'a');
  r.rollout_started_ms = 17;
  r.absent_since_ms = 18;
  r.message = "rolling out";
  r.phase_since_ms = 19;
  r.source_revision = "abc123";
  r.history[0].job_hash = "j1";
  r.history[0].instances = 3;
  r.history[0].graph_hash = "g1";
  r.history[0].runtime_config = {{"user.rate", "5"}, {"split:user.batch", "100"}};
  r.history[0].container_size =
      ContainerSize{"t1", 2.5, int64_t{3} << 30, int64_t{13} << 30, {{"word", int64_t{1} << 30}}};
  SetCondition(r, Condition{"Healthy", "True", "AllRunning", "4/4 instances RUNNING", 5});
  r.adoption = Adoption{std::string(64, 'a'), "live-1", "j1", "wc3e1f0a52", 20};
  auto back = ParseRecord(SerializeRecord(r));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, r);
}

TEST(RecordsTest, StoredFormIsReadableJsonWithStableFieldNames) {
  TopologyRecord r;
  r.key = crd::TopologyKey{"c", "r", "devel", "n"};
  r.phase = "Pending";
  EXPECT_EQ(
      SerializeRecord(r),
      R"({"absentSinceMs":0,"conditions":[],"events":[],"failedSpecHashes":[],"history":[],)"
      R"("key":"c/r/devel/n","message":"","nextRevision":1,"phase":"Pending","phaseSinceMs":0,)"
      R"("pinnedForSpecHash":"","rolloutStartedMs":0,"sourceRevision":"","suspended":false})");
}

TEST(RecordsTest, BadJsonIsAnErrorNotACrash) {
  EXPECT_FALSE(ParseRecord("not json").ok());
  EXPECT_FALSE(ParseRecord("[]").ok());
  EXPECT_FALSE(ParseRecord(R"({"key":"a/b"})").ok());
  EXPECT_FALSE(ParseRecord(R"({"key":"a/b/c/d","phase":3})").ok());
  EXPECT_FALSE(ParseRecord(R"({"key":"a/b/c/d","history":[1]})").ok());
  // The field is named, with where it is.
  auto size = ParseRecord(
      R"({"key":"a/b/c/d","history":[{"specHash":"h","containerSize":{"componentRam":{"w":"1G"}}}]})");
  ASSERT_FALSE(size.ok());
  EXPECT_NE(size.status().message().find("containerSize.componentRam.w must be an integer"),
            std::string::npos)
      << size.status();
  // Unknown fields are ignored (a newer controller may add some).
  EXPECT_TRUE(ParseRecord(R"({"key":"a/b/c/d","futureField":{"x":1}})").ok());
}

TEST(RecordsTest, HistoryIsBoundedAndNumbered) {
  TopologyRecord r;
  for (int i = 0; i < 30; ++i) AddRevision(r, Revision{});
  ASSERT_EQ(r.history.size(), kMaxHistory);
  EXPECT_EQ(r.history.front().number, 11);
  EXPECT_EQ(r.history.back().number, 30);
  EXPECT_EQ(r.next_revision, 31);
}

TEST(RecordsTest, RepeatedEventsAreCountedLikeKubernetes) {
  TopologyRecord r;
  RecordEvent(r, "Warning", "AuroraUnavailable", "connection refused", 1);
  RecordEvent(r, "Normal", "Synced", "ok", 2);
  RecordEvent(r, "Warning", "AuroraUnavailable", "connection refused", 3);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events.back().reason, "AuroraUnavailable");
  EXPECT_EQ(r.events.back().count, 2);
  EXPECT_EQ(r.events.back().first_ms, 1);
  EXPECT_EQ(r.events.back().last_ms, 3);
  for (int i = 0; i < 100; ++i) RecordEvent(r, "Normal", "R" + std::to_string(i), "m", i);
  EXPECT_EQ(r.events.size(), kMaxEvents);
}

TEST(RecordsTest, ConditionTransitionTimeMovesOnlyOnStatusChange) {
  TopologyRecord r;
  SetCondition(r, Condition{"Healthy", "False", "Starting", "", 10});
  SetCondition(r, Condition{"Healthy", "False", "Starting", "still", 20});
  EXPECT_EQ(r.conditions[0].last_transition_ms, 10);
  EXPECT_EQ(r.conditions[0].message, "still");
  SetCondition(r, Condition{"Healthy", "True", "AllRunning", "", 30});
  EXPECT_EQ(r.conditions[0].last_transition_ms, 30);
}

TEST(RecordsTest, FailedHashesAreBounded) {
  TopologyRecord r;
  for (size_t i = 0; i < kMaxFailedHashes + 5; ++i) MarkFailed(r, "h" + std::to_string(i));
  EXPECT_LE(r.failed_spec_hashes.size(), kMaxFailedHashes);
  EXPECT_TRUE(r.failed_spec_hashes.count("h" + std::to_string(kMaxFailedHashes + 4)));
}

TEST(RecordsTest, NodeNamesRoundTrip) {
  crd::TopologyKey k{"devcluster", "www-data", "staging2", "word-count.v2"};
  EXPECT_EQ(KeyToNodeName(k), "devcluster~www-data~staging2~word-count.v2");
  EXPECT_EQ(*NodeNameToKey(KeyToNodeName(k)), k);
  EXPECT_FALSE(NodeNameToKey("a~b~c").ok());
  EXPECT_FALSE(NodeNameToKey("a~~c~d").ok());
}

}  // namespace
}  // namespace hgo::statestore
