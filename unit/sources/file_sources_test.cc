#include <gtest/gtest.h>

#include "testing/spec_text.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sources/sources.h"
#include "statestore/state_store.h"
#include "testing/temp_dir.h"

namespace hgo::sources {
namespace {

namespace fs = std::filesystem;

class FileSourcesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()); }
  void Write(const std::string& rel, const std::string& content) {
    fs::create_directories(fs::path(dir_ + "/" + rel).parent_path());
    std::ofstream(dir_ + "/" + rel) << content;
  }
  SourceConfig Config(const std::string& flag) {
    auto c = ParseSourceFlag(flag);
    EXPECT_TRUE(c.ok());
    return *c;
  }
  testing::TempDir tmp_{"sources"};  // before dir_, which is its path
  std::string dir_ = tmp_.path();
};

TEST_F(FileSourcesTest, DirSourceReadsYamlRecursivelyAndSkipsHiddenAndOtherFiles) {
  Write("a.yaml", testing::MinimalSpecText("a"));
  Write("team/b.yml", testing::MinimalSpecText("b"));
  Write("team/.c.yaml.tmp", testing::MinimalSpecText("c"));  // an editor's temporary file
  Write(".git/d.yaml", testing::MinimalSpecText("d"));
  Write("README.md", "not a spec");
  auto source = MakeDirSource(Config("dir:" + dir_));
  SourceSnapshot s = source->Read();
  ASSERT_TRUE(s.status.ok()) << s.status;
  ASSERT_EQ(s.topologies.size(), 2u);
  std::set<std::string> names;
  for (const auto& t : s.topologies) names.insert(t->metadata.name);
  EXPECT_EQ(names, (std::set<std::string>{"a", "b"}));
}

TEST_F(FileSourcesTest, DirSourceReportsBrokenFilesAndAMissingDirectory) {
  Write("a.yaml", "apiVersion: heron/v1\nkind: [\n");
  auto source = MakeDirSource(Config("dir:" + dir_));
  SourceSnapshot s = source->Read();
  ASSERT_TRUE(s.status.ok());
  ASSERT_EQ(s.files.size(), 1u);
  EXPECT_TRUE(s.files[0]->file_error);
  ASSERT_FALSE(s.files[0]->errors.empty());
  EXPECT_NE(s.files[0]->errors[0].ToString().find("a.yaml:"), std::string::npos);

  auto missing = MakeDirSource(Config("dir:" + dir_ + "/nope"));
  EXPECT_FALSE(missing->Read().status.ok());
}

TEST_F(FileSourcesTest, SpoolConsumesFilesIntoTheStore) {
  statestore::InMemoryStateStore store;
  auto spool = MakeSpoolSource(Config("spool:" + dir_), store);
  Write("a.yaml", testing::MinimalSpecText("a"));
  Write("bad.yaml", "kind: [\n");
  SourceSnapshot s = spool->Read();
  ASSERT_TRUE(s.status.ok()) << s.status;
  ASSERT_EQ(s.topologies.size(), 1u);
  EXPECT_EQ(s.topologies[0]->metadata.name, "a");
  EXPECT_TRUE(fs::exists(dir_ + "/done/a.yaml"));
  EXPECT_FALSE(fs::exists(dir_ + "/a.yaml"));
  EXPECT_TRUE(fs::exists(dir_ + "/failed/bad.yaml"));
  std::ifstream err(dir_ + "/failed/bad.yaml.error");
  std::string why((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  EXPECT_NE(why.find("bad.yaml:"), std::string::npos) << why;
  // The rejected file is reported in the snapshot.
  bool reported = false;
  for (const auto& f : s.files)
    reported |= f->file == "spool:failed/bad.yaml" && !f->errors.empty();
  EXPECT_TRUE(reported);
  ASSERT_EQ(store.ListSpoolSpecs()->size(), 1u);

  // A restart (a new source over the same store) remembers what was consumed.
  auto again = MakeSpoolSource(Config("spool:" + dir_), store);
  EXPECT_EQ(again->Read().topologies.size(), 1u);

  // A broken replacement keeps the stored spec; an empty file withdraws it.
  Write("a.yaml", "kind: [\n");
  EXPECT_EQ(again->Read().topologies.size(), 1u);
  Write("a.yaml", "");
  EXPECT_EQ(again->Read().topologies.size(), 0u);
  EXPECT_TRUE(store.ListSpoolSpecs()->empty());
}

TEST_F(FileSourcesTest, SpoolLeavesTheFileWhenTheStoreFails) {
  statestore::InMemoryStateStore store;
  auto spool = MakeSpoolSource(Config("spool:" + dir_), store);
  Write("a.yaml", testing::MinimalSpecText("a"));
  store.FailNext(Status::Unavailable("zk down"));
  SourceSnapshot s = spool->Read();
  EXPECT_FALSE(s.status.ok());
  EXPECT_TRUE(fs::exists(dir_ + "/a.yaml")) << "not consumed: tried again next time";
  s = spool->Read();
  EXPECT_TRUE(s.status.ok());
  EXPECT_EQ(s.topologies.size(), 1u);
}

}  // namespace
}  // namespace hgo::sources

namespace hgo::sources {
namespace {

// A file whose stamp is unchanged since it was read is not read again, but only when the stamp
// was settled (taken well after the file's last change): a write within the same tick of the
// kernel's clock would keep the stamp.
TEST(ParseCacheTest, ASettledUnchangedStampSparesTheRead) {
  ParseCache cache;
  const int64_t t = 1'700'000'000'000'000'000;
  const ParseCache::Stamp old{t, t, 120, 7, 1};
  const ParseCache::Entry& read =
      cache.Parse("a.yaml", testing::MinimalSpecText("a"), old, t + ParseCache::kSettledNs);
  EXPECT_EQ(cache.Unchanged("a.yaml", old), &read);
  ParseCache::Stamp moved = old;
  moved.mtime_ns += 1;
  EXPECT_EQ(cache.Unchanged("a.yaml", moved), nullptr);
  moved = old;
  moved.ctime_ns += 1;  // rewritten and its mtime put back
  EXPECT_EQ(cache.Unchanged("a.yaml", moved), nullptr);
  moved = old;
  moved.inode = 8;  // replaced by a rename
  EXPECT_EQ(cache.Unchanged("a.yaml", moved), nullptr);
  EXPECT_EQ(cache.Unchanged("b.yaml", old), nullptr) << "never read";

  // Read within the settling time of its last change: its stamp is not trusted.
  const ParseCache::Stamp fresh{t, t + 5, 120, 7, 1};
  (void)cache.Parse("a.yaml", testing::MinimalSpecText("a"), fresh, t + ParseCache::kSettledNs);
  EXPECT_EQ(cache.Unchanged("a.yaml", fresh), nullptr);
  // Read without a stamp (stat failed): not trusted either.
  (void)cache.Parse("a.yaml", testing::MinimalSpecText("a"), old, t + ParseCache::kSettledNs);
  (void)cache.Parse("a.yaml", testing::MinimalSpecText("a"));
  EXPECT_EQ(cache.Unchanged("a.yaml", old), nullptr);

  // An entry found unchanged counts as used: Sweep keeps it.
  (void)cache.Parse("a.yaml", testing::MinimalSpecText("a"), old, t + ParseCache::kSettledNs);
  cache.Sweep();
  ASSERT_NE(cache.Unchanged("a.yaml", old), nullptr);
  cache.Sweep();
  EXPECT_EQ(cache.size(), 1u);
  cache.Sweep();
  EXPECT_EQ(cache.size(), 0u);
}

// A resync re-reads every file; unchanged text must not be parsed again, changed text must.
TEST(ParseCacheTest, KeepsAParseWhileTheTextIsUnchangedAndSweepsUnusedFiles) {
  ParseCache cache;
  const std::string a = testing::MinimalSpecText("a");
  const ParseCache::Entry* first = &cache.Parse("a.yaml", a);
  ASSERT_EQ(first->topologies.size(), 1u);
  EXPECT_EQ(first->topologies[0]->metadata.name, "a");
  EXPECT_EQ(&cache.Parse("a.yaml", a), first);  // the same entry: no new parse

  const ParseCache::Entry& changed = cache.Parse("a.yaml", testing::MinimalSpecText("a2"));
  ASSERT_EQ(changed.topologies.size(), 1u);
  EXPECT_EQ(changed.topologies[0]->metadata.name, "a2");

  const ParseCache::Entry& broken = cache.Parse("b.yaml", "metadata: [");
  EXPECT_TRUE(broken.file->file_error);
  EXPECT_FALSE(broken.file->errors.empty());
  EXPECT_EQ(broken.file->errors[0].file, "b.yaml");  // errors still name their file

  // Sweep: what was used since the last sweep stays; b.yaml, not read again, goes.
  cache.Sweep();
  (void)cache.Parse("a.yaml", testing::MinimalSpecText("a2"));
  cache.Sweep();
  EXPECT_EQ(cache.size(), 1u);
  SourceSnapshot s;
  AddSpecFile("a.yaml", testing::MinimalSpecText("a2"), s, &cache);
  ASSERT_EQ(s.topologies.size(), 1u);
  ASSERT_EQ(s.files.size(), 1u);
  EXPECT_TRUE(s.files[0]->errors.empty());
}

}  // namespace
}  // namespace hgo::sources
