#include "sources/desired_set.h"

#include <gtest/gtest.h>

#include "crd/canonical.h"
#include "testing/spec_text.h"

#include <fstream>
#include <sstream>

namespace hgo::sources {
namespace {

crd::TopologyKey Key(const std::string& name) {
  return crd::TopologyKey{"devcluster", "www-data", "devel", name};
}

SourceSnapshot Snap(const std::string& source,
                    std::vector<std::pair<std::string, std::string>> files,
                    bool allow_empty = false) {
  SourceSnapshot s;
  s.source = source;
  s.allow_empty = allow_empty;
  for (const auto& [f, content] : files) AddSpecFile(f, content, s);
  return s;
}

TEST(DesiredSetTest, ValidSpecsArePresentWithTheirSource) {
  LastGoodFiles m;
  DesiredSet d = MergeSources({Snap("dir:/a", {{"a.yaml", testing::MinimalSpecText("a")},
                                               {"b.yaml", testing::MinimalSpecText("b")}})},
                              m);
  ASSERT_EQ(d.present.size(), 2u);
  EXPECT_EQ(d.present.at(Key("a")).source, "dir:/a");
  EXPECT_FALSE(d.present.at(Key("a")).spec_hash.empty());
  EXPECT_TRUE(d.frozen.empty());
  EXPECT_FALSE(d.freeze_absent);
}

TEST(DesiredSetTest, AnInvalidDocumentFreezesItsKeyWithFileAndLine) {
  LastGoodFiles m;
  std::string bad = testing::MinimalSpecText("a");
  bad.replace(bad.find("role: www-data"), 14, "role: www-data\n  bogus: 1");
  DesiredSet d = MergeSources(
      {Snap("dir:/a", {{"a.yaml", bad}, {"b.yaml", testing::MinimalSpecText("b")}})}, m);
  EXPECT_EQ(d.present.count(Key("a")), 0u);
  ASSERT_EQ(d.frozen.count(Key("a")), 1u);
  EXPECT_NE(d.frozen.at(Key("a")).find("a.yaml:"), std::string::npos) << d.frozen.at(Key("a"));
  EXPECT_NE(d.frozen.at(Key("a")).find("spec.bogus"), std::string::npos) << d.frozen.at(Key("a"));
  EXPECT_EQ(d.present.count(Key("b")), 1u);
}

TEST(DesiredSetTest, ASyntaxErrorFreezesWhatTheFileHeldLastTime) {
  LastGoodFiles m;
  MergeSources({Snap("dir:/a", {{"a.yaml", testing::MinimalSpecText("a")},
                                {"b.yaml", testing::MinimalSpecText("b")}})},
               m);
  DesiredSet d = MergeSources(
      {Snap("dir:/a", {{"a.yaml", "kind: [\n"}, {"b.yaml", testing::MinimalSpecText("b")}})}, m);
  EXPECT_EQ(d.frozen.count(Key("a")), 1u);
  EXPECT_FALSE(d.freeze_absent);
  // Still frozen on the next read (the memory of the file's keys is kept while it is broken).
  d = MergeSources(
      {Snap("dir:/a", {{"a.yaml", "kind: [\n"}, {"b.yaml", testing::MinimalSpecText("b")}})}, m);
  EXPECT_EQ(d.frozen.count(Key("a")), 1u);
}

TEST(DesiredSetTest, ABrokenFileNeverSeenBeforeFreezesEverythingAbsent) {
  LastGoodFiles m;
  DesiredSet d = MergeSources(
      {Snap("dir:/a", {{"a.yaml", "kind: [\n"}, {"b.yaml", testing::MinimalSpecText("b")}})}, m);
  EXPECT_TRUE(d.freeze_absent) << "the broken file may hold any topology: prune nothing";
  EXPECT_EQ(d.present.count(Key("b")), 1u);
}

TEST(DesiredSetTest, AnUnreadableSourceFreezesWhatItHeld) {
  LastGoodFiles m;
  MergeSources({Snap("git:x", {{"a.yaml", testing::MinimalSpecText("a")}}),
                Snap("dir:/b", {{"b.yaml", testing::MinimalSpecText("b")}})},
               m);
  SourceSnapshot failed;
  failed.source = "git:x";
  failed.status = Status::Unauthenticated("fetch refused");
  DesiredSet d =
      MergeSources({failed, Snap("dir:/b", {{"b.yaml", testing::MinimalSpecText("b")}})}, m);
  ASSERT_EQ(d.frozen.count(Key("a")), 1u);
  EXPECT_NE(d.frozen.at(Key("a")).find("fetch refused"), std::string::npos);
  EXPECT_EQ(d.present.count(Key("b")), 1u);
  EXPECT_FALSE(d.freeze_absent) << "what the source held is known";
}

TEST(DesiredSetTest, ASourceThatFailsBeforeItsFirstReadFreezesAllAbsentKeys) {
  LastGoodFiles m;
  SourceSnapshot failed;
  failed.source = "git:x";
  failed.status = Status::Unavailable("no route");
  DesiredSet d = MergeSources({failed}, m);
  EXPECT_TRUE(d.freeze_absent);
}

TEST(DesiredSetTest, AnEmptySourcePrunesNothingUnlessAllowed) {
  LastGoodFiles m;
  MergeSources({Snap("dir:/a", {{"a.yaml", testing::MinimalSpecText("a")}})}, m);
  DesiredSet d = MergeSources({Snap("dir:/a", {})}, m);
  EXPECT_EQ(d.frozen.count(Key("a")), 1u);
  EXPECT_TRUE(d.freeze_absent);
  EXPECT_NE(d.errors.at(0).find("empty"), std::string::npos);
  LastGoodFiles m2;
  MergeSources({Snap("dir:/a", {{"a.yaml", testing::MinimalSpecText("a")}}, true)}, m2);
  d = MergeSources({Snap("dir:/a", {}, true)}, m2);
  EXPECT_TRUE(d.frozen.empty());
  EXPECT_FALSE(d.freeze_absent);
  EXPECT_TRUE(d.present.empty());
}

TEST(DesiredSetTest, AKeyDefinedTwiceIsFrozenNamingBothPlaces) {
  LastGoodFiles m;
  DesiredSet d = MergeSources({Snap("dir:/a", {{"a.yaml", testing::MinimalSpecText("a")}}),
                               Snap("dir:/b", {{"copy.yaml", testing::MinimalSpecText("a")}})},
                              m);
  ASSERT_EQ(d.frozen.count(Key("a")), 1u);
  EXPECT_NE(d.frozen.at(Key("a")).find("a.yaml"), std::string::npos);
  EXPECT_NE(d.frozen.at(Key("a")).find("copy.yaml"), std::string::npos);
  EXPECT_EQ(d.present.count(Key("a")), 0u);
}

// Heron's state in a cluster is keyed by the topology's name alone: two roles (or environments)
// using one name in one cluster are both frozen, naming both places; the same name in another
// cluster is fine.
TEST(DesiredSetTest, OneNameInTwoRolesOfOneClusterFreezesBoth) {
  LastGoodFiles m;
  std::string ads = testing::MinimalSpecText("a");
  ads.replace(ads.find("role: www-data"), 14, "role: ads");
  DesiredSet d = MergeSources({Snap("dir:/a", {{"a.yaml", testing::MinimalSpecText("a")},
                                               {"ads.yaml", ads},
                                               {"b.yaml", testing::MinimalSpecText("b")}})},
                              m);
  const crd::TopologyKey ads_key{"devcluster", "ads", "devel", "a"};
  ASSERT_EQ(d.frozen.count(Key("a")), 1u);
  ASSERT_EQ(d.frozen.count(ads_key), 1u);
  for (const auto& why : {d.frozen.at(Key("a")), d.frozen.at(ads_key)}) {
    EXPECT_NE(why.find("a.yaml:"), std::string::npos) << why;
    EXPECT_NE(why.find("ads.yaml:"), std::string::npos) << why;
    EXPECT_NE(why.find("two topologies named a"), std::string::npos) << why;
  }
  EXPECT_EQ(d.present.count(Key("a")), 0u);
  EXPECT_EQ(d.present.count(ads_key), 0u);
  EXPECT_EQ(d.present.count(Key("b")), 1u);

  std::string elsewhere = ads;
  elsewhere.replace(elsewhere.find("cluster: devcluster"), 18, "cluster: other");
  d = MergeSources(
      {Snap("dir:/a", {{"a.yaml", testing::MinimalSpecText("a")}, {"ads.yaml", elsewhere}})}, m);
  EXPECT_TRUE(d.frozen.empty()) << d.frozen.begin()->second;
  EXPECT_EQ(d.present.size(), 2u);
}

TEST(DesiredSetTest, GitFileNamesCarryTheCommitButAreTrackedByPath) {
  LastGoodFiles m;
  MergeSources({Snap("git:x", {{"t/a.yaml@abc", testing::MinimalSpecText("a")}})}, m);
  DesiredSet d = MergeSources({Snap("git:x", {{"t/a.yaml@def", "kind: [\n"}})}, m);
  EXPECT_EQ(d.frozen.count(Key("a")), 1u);
  EXPECT_FALSE(d.freeze_absent);
}

TEST(DesiredSetTest, SpecHashesFollowTheParsedSpecsAcrossMerges) {
  LastGoodFiles m;
  ParseCache cache;
  auto snap = [&](const std::string& text) {
    SourceSnapshot s;
    s.source = "dir:/a";
    AddSpecFile("a.yaml", text, s, &cache);
    return s;
  };
  const std::string v1 = testing::MinimalSpecText("a");
  std::string v2 = v1;
  v2.replace(v2.find("role: www-data"), 14, "role: www-data\n  syncPolicy: warn");
  DesiredSet d = MergeSources({snap(v1)}, m);
  const std::string h1 = d.present.at(Key("a")).spec_hash;
  EXPECT_EQ(h1, crd::SpecHash(*d.present.at(Key("a")).spec));
  // Unchanged text: the cache gives the same parsed spec and the merge the previous set's hash.
  DesiredSet lent = d;
  lent.present.at(Key("a")).spec_hash = "lent";  // to see that it is taken, not recomputed
  d = MergeSources({snap(v1)}, m, &lent);
  EXPECT_EQ(d.present.at(Key("a")).spec_hash, "lent");
  d = MergeSources({snap(v1)}, m, nullptr);
  EXPECT_EQ(d.present.at(Key("a")).spec_hash, h1) << "without a previous set: computed";
  // Changed text: a new parse, a new hash, never the previous one.
  DesiredSet before = d;
  d = MergeSources({snap(v2)}, m, &before);
  ASSERT_EQ(d.present.count(Key("a")), 1u) << (d.errors.empty() ? "" : d.errors[0]);
  EXPECT_NE(d.present.at(Key("a")).spec_hash, h1);
  EXPECT_EQ(d.present.at(Key("a")).spec_hash, crd::SpecHash(*d.present.at(Key("a")).spec));
}

}  // namespace
}  // namespace hgo::sources
