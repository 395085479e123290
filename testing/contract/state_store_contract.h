// One behaviour suite for every StateStore: instantiate it with a factory type that has
// `static std::unique_ptr<StateStore> Make()` (each call a fresh, empty store) via
//   INSTANTIATE_TYPED_TEST_SUITE_P(Name, StateStoreContract, FactoryType);
// It runs against InMemoryStateStore in the unit tier and ZkStateStore in the e2e tier, so the
// fake cannot drift from the real thing.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "statestore/state_store.h"

namespace hgo::statestore::contract {

inline TopologyRecord SampleRecord(const std::string& name = "wc") {
  TopologyRecord r;
  r.key = crd::TopologyKey{"devcluster", "www-data", "devel", name};
  r.phase = "Running";
  Revision v;
  v.spec_hash = std::string(64, 'a');
  v.source = "git:file:///repo#main";
  v.source_revision = "0123abcd";
  v.topology_id = name + "-rev1";
  v.spec_json = R"({"kind":"Topology"})";
  v.outcome = "Stable";
  AddRevision(r, v);
  r.applied = r.history.back();
  r.last_stable = r.history.back();
  RecordEvent(r, "Normal", "Created", "created the Aurora job", 1000);
  return r;
}

template <typename Factory>
class StateStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Factory::Make();
    ASSERT_TRUE(store_);
  }
  std::unique_ptr<StateStore> store_;
};

TYPED_TEST_SUITE_P(StateStoreContract);

TYPED_TEST_P(StateStoreContract, MissingRecordIsNulloptNotAnError) {
  auto got = this->store_->GetRecord(crd::TopologyKey{"c", "r", "devel", "none"});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());
}

TYPED_TEST_P(StateStoreContract, CreateThenReadBackEqual) {
  TopologyRecord r = SampleRecord();
  auto v = this->store_->PutRecord(r, kMustNotExist);
  ASSERT_TRUE(v.ok()) << v.status();
  auto got = this->store_->GetRecord(r.key);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->record, r);
  EXPECT_EQ((*got)->version, *v);
}

TYPED_TEST_P(StateStoreContract, CreateTwiceConflicts) {
  TopologyRecord r = SampleRecord();
  ASSERT_TRUE(this->store_->PutRecord(r, kMustNotExist).ok());
  EXPECT_EQ(this->store_->PutRecord(r, kMustNotExist).status().code(), StatusCode::kConflict);
}

TYPED_TEST_P(StateStoreContract, CompareAndSetLetsOnlyOneWriterWin) {
  TopologyRecord r = SampleRecord();
  auto v0 = this->store_->PutRecord(r, kMustNotExist);
  ASSERT_TRUE(v0.ok());
  TopologyRecord a = r, b = r;
  a.phase = "Updating";
  b.phase = "RollingBack";
  auto v1 = this->store_->PutRecord(a, *v0);  // first writer wins
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_NE(*v1, *v0);
  auto lost = this->store_->PutRecord(b, *v0);  // second writer read the same version: loses
  EXPECT_EQ(lost.status().code(), StatusCode::kConflict);
  EXPECT_EQ((*this->store_->GetRecord(r.key))->record.phase, "Updating");
  EXPECT_TRUE(this->store_->PutRecord(b, *v1).ok());  // after re-reading it may write
}

TYPED_TEST_P(StateStoreContract, UpdateOfADeletedRecordConflicts) {
  TopologyRecord r = SampleRecord();
  auto v0 = this->store_->PutRecord(r, kMustNotExist);
  ASSERT_TRUE(this->store_->DeleteRecord(r.key, *v0).ok());
  EXPECT_EQ(this->store_->PutRecord(r, *v0).status().code(), StatusCode::kConflict);
}

TYPED_TEST_P(StateStoreContract, DeleteChecksTheVersion) {
  TopologyRecord r = SampleRecord();
  auto v0 = this->store_->PutRecord(r, kMustNotExist);
  auto v1 = this->store_->PutRecord(r, *v0);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(this->store_->DeleteRecord(r.key, *v0).code(), StatusCode::kConflict);
  EXPECT_TRUE(this->store_->DeleteRecord(r.key, *v1).ok());
  EXPECT_EQ(this->store_->DeleteRecord(r.key, *v1).code(), StatusCode::kNotFound);
}

TYPED_TEST_P(StateStoreContract, ListsEveryRecordKey) {
  ASSERT_TRUE(this->store_->PutRecord(SampleRecord("a"), kMustNotExist).ok());
  ASSERT_TRUE(this->store_->PutRecord(SampleRecord("b"), kMustNotExist).ok());
  auto keys = this->store_->ListRecords();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].name, "a");
  EXPECT_EQ((*keys)[1].name, "b");
}

TYPED_TEST_P(StateStoreContract, SpoolSpecsPersistAndCanBeReplaced) {
  ASSERT_TRUE(this->store_->PutSpoolSpec("wc.yaml", "a: 1\n").ok());
  ASSERT_TRUE(this->store_->PutSpoolSpec("wc.yaml", "a: 2\n").ok());
  ASSERT_TRUE(this->store_->PutSpoolSpec("other.yml", "b: 1\n").ok());
  auto all = this->store_->ListSpoolSpecs();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at("wc.yaml"), "a: 2\n");
  ASSERT_TRUE(this->store_->DeleteSpoolSpec("wc.yaml").ok());
  ASSERT_TRUE(this->store_->DeleteSpoolSpec("wc.yaml").ok());  // absent is fine
  EXPECT_EQ(this->store_->ListSpoolSpecs()->size(), 1u);
  EXPECT_EQ(this->store_->PutSpoolSpec("../escape", "x").code(), StatusCode::kInvalidArgument);
}

REGISTER_TYPED_TEST_SUITE_P(StateStoreContract, MissingRecordIsNulloptNotAnError,
                            CreateThenReadBackEqual, CreateTwiceConflicts,
                            CompareAndSetLetsOnlyOneWriterWin, UpdateOfADeletedRecordConflicts,
                            DeleteChecksTheVersion, ListsEveryRecordKey,
                            SpoolSpecsPersistAndCanBeReplaced);

}  // namespace hgo::statestore::contract
