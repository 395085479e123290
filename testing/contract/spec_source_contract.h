// One behaviour suite for every SpecSource the loop is given: instantiate it with a factory type
// that has
//   static std::unique_ptr<SourceWorld> Make();   // a fresh, empty source
// via INSTANTIATE_TYPED_TEST_SUITE_P(Name, SpecSourceContract, FactoryType). It runs against
// testing/fakes/static_source.h and a dir: source on a temporary directory.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>

#include "sources/sources.h"

namespace hgo::testing::contract {

class SourceWorld {
 public:
  virtual ~SourceWorld() = default;
  virtual sources::SpecSource& source() = 0;
  virtual void Write(const std::string& file, const std::string& yaml) = 0;
  virtual void Delete(const std::string& file) = 0;
  // The source as a whole becomes unreadable (its directory gone, its fetch failing).
  virtual void Break() = 0;
  virtual void Settle() = 0;  // lets a watcher notice
};

inline std::string ContractSpec(const std::string& name) {
  return "apiVersion: heron/v1\nkind: Topology\nmetadata:\n  name: " + name +
         "\nspec:\n  cluster: devcluster\n  role: www-data\n  environment: devel\n"
         "  package:\n    uri: file:///var/blobs/p.tar.gz\n    sha256: " +
         std::string(64, 'a') +
         "\n  topology:\n    spouts:\n      - id: word\n"
         "        className: org.apache.heron.examples.api.spout.TestWordSpout\n"
         "    bolts:\n      - id: exclaim\n"
         "        className: org.apache.heron.examples.api.bolt.ExclamationBolt\n"
         "    streams:\n      - from: word\n        to: exclaim\n"
         "        grouping: {type: SHUFFLE}\n";
}

template <typename Factory>
class SpecSourceContract : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = Factory::Make();
    ASSERT_TRUE(world_);
    ASSERT_TRUE(world_->source().Watch([this] { ++changes_; }).ok());
  }
  void TearDown() override {
    if (world_) world_->source().Stop();
  }
  bool Eventually(const std::function<bool()>& pred) {
    for (int i = 0; i < 500; ++i) {
      if (pred()) return true;
      world_->Settle();
    }
    return pred();
  }
  std::vector<std::string> Names(const sources::SourceSnapshot& s) {
    std::vector<std::string> out;
    for (const auto& t : s.topologies) out.push_back(t->metadata.name);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::unique_ptr<SourceWorld> world_;
  std::atomic<int> changes_{0};
};

TYPED_TEST_SUITE_P(SpecSourceContract);

TYPED_TEST_P(SpecSourceContract, EveryValidDocumentIsReadAndAWriteIsNoticed) {
  const int before = this->changes_;
  this->world_->Write("a.yaml", ContractSpec("a"));
  this->world_->Write("b.yaml", ContractSpec("b"));
  EXPECT_TRUE(this->Eventually([&] { return this->changes_ > before; }));
  auto snapshot = this->world_->source().Read();
  ASSERT_TRUE(snapshot.status.ok()) << snapshot.status;
  EXPECT_EQ(this->Names(snapshot), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(snapshot.files.size(), 2u);
  EXPECT_EQ(snapshot.source, this->world_->source().config().text);
}

TYPED_TEST_P(SpecSourceContract, ABrokenFileIsReportedWithItsLineAndTheOthersStillRead) {
  this->world_->Write("a.yaml", ContractSpec("a"));
  std::string broken = ContractSpec("b");
  broken.replace(broken.find("role: www-data"), 14, "role: [unclosed");
  this->world_->Write("b.yaml", broken);
  auto snapshot = this->world_->source().Read();
  ASSERT_TRUE(snapshot.status.ok());
  EXPECT_EQ(this->Names(snapshot), (std::vector<std::string>{"a"}));
  bool reported = false;
  for (const auto& f : snapshot.files) {
    if (f->file.find("b.yaml") == std::string::npos) continue;
    ASSERT_FALSE(f->errors.empty());
    EXPECT_GT(f->errors.front().location.line, 0);
    reported = true;
  }
  EXPECT_TRUE(reported);
}

TYPED_TEST_P(SpecSourceContract, ADeletedFileIsGone) {
  this->world_->Write("a.yaml", ContractSpec("a"));
  this->world_->Write("b.yaml", ContractSpec("b"));
  ASSERT_EQ(this->Names(this->world_->source().Read()), (std::vector<std::string>{"a", "b"}));
  const int before = this->changes_;
  this->world_->Delete("b.yaml");
  EXPECT_TRUE(this->Eventually([&] { return this->changes_ > before; }));
  EXPECT_EQ(this->Names(this->world_->source().Read()), (std::vector<std::string>{"a"}));
}

TYPED_TEST_P(SpecSourceContract, ASourceThatCannotBeReadSaysSoInsteadOfBeingEmpty) {
  this->world_->Write("a.yaml", ContractSpec("a"));
  this->world_->Break();
  auto snapshot = this->world_->source().Read();
  EXPECT_FALSE(snapshot.status.ok());
}

REGISTER_TYPED_TEST_SUITE_P(SpecSourceContract, EveryValidDocumentIsReadAndAWriteIsNoticed,
                            ABrokenFileIsReportedWithItsLineAndTheOthersStillRead,
                            ADeletedFileIsGone, ASourceThatCannotBeReadSaysSoInsteadOfBeingEmpty);

}  // namespace hgo::testing::contract
