// heronctl's renderings: goldens for the table, wide, JSON and YAML lists and for describe,
// history and events, from fixed API answers and a fixed "now". Regenerate with
// HGO_UPDATE_GOLDENS=1 and review the diff.
#include "cli/render.h"

#include <gtest/gtest.h>

#include "cli/diff.h"
#include "common/file_util.h"
#include "testing/golden.h"

namespace hgo::cli {
namespace {

constexpr int64_t kNow = 1767225600000;  // 2026-01-01T00:00:00Z

std::string Dir() { return std::string(HGO_SOURCE_DIR) + "/unit/testdata/cli/"; }

Json Load(const std::string& name) {
  auto text = ReadFileLimited(Dir() + name, 1 << 20);
  EXPECT_TRUE(text.ok()) << text.status();
  auto j = ParseJson(text.ok() ? *text : "{}");
  EXPECT_TRUE(j.ok()) << name << ": " << j.status();
  return j.ok() ? *j : Json();
}

TEST(RenderTest, TopologyListGoldens) {
  const Json list = Load("topologies.json");
  for (const char* output : {"table", "wide", "json", "yaml"}) {
    testing::CheckGolden(Dir() + "get." + output + ".golden", RenderTopologies(list, output, kNow));
  }
}

TEST(RenderTest, ClusterListGoldens) {
  const Json list = Load("clusters.json");
  for (const char* output : {"table", "wide"}) {
    testing::CheckGolden(Dir() + "clusters." + output + ".golden",
                         RenderClusters(list, output, kNow));
  }
}

TEST(RenderTest, DescribeHistoryAndEventsGoldens) {
  const Json status = Load("status.json");
  testing::CheckGolden(Dir() + "describe.golden", RenderDescribe(status, kNow));
  testing::CheckGolden(Dir() + "history.golden", RenderHistory(Load("history.json"), status, kNow));
  std::vector<std::pair<std::string, Json>> events;
  for (const auto& e : status.Find("record")->Find("events")->as_array()) {
    events.emplace_back("word-count", e);
  }
  testing::CheckGolden(Dir() + "events.golden", RenderEvents(events, kNow));
}

TEST(RenderTest, EmptyAnswersSaySo) {
  Json list = Json::MakeObject();
  list["topologies"] = Json::MakeArray();
  EXPECT_EQ(RenderTopologies(list, "table", kNow), "No topologies found.\n");
  EXPECT_EQ(RenderEvents({}, kNow), "No events found.\n");
  EXPECT_EQ(RenderHistory(Json::MakeObject(), Json::MakeObject(), kNow), "No revisions yet.\n");
}

TEST(RenderTest, HumanAgesAsKubectlPrintsThem) {
  const struct {
    int64_t seconds;
    const char* want;
  } cases[] = {{0, "0s"},
               {45, "45s"},
               {119, "119s"},
               {120, "2m"},
               {200, "3m20s"},
               {600, "10m"},
               {179 * 60, "179m"},
               {3 * 3600, "3h"},
               {5 * 3600 + 600, "5h10m"},
               {30 * 3600, "30h"},
               {76 * 3600, "3d4h"},
               {20 * 86400, "20d"},
               {800 * 86400, "2y70d"},
               {9 * 365 * 86400, "9y"}};
  for (const auto& c : cases) EXPECT_EQ(HumanAge(c.seconds * 1000), c.want) << c.seconds;
  EXPECT_EQ(HumanAge(-5000), "0s") << "clock skew never shows a negative age";
}

TEST(RenderTest, TablesAlignWithThreeSpacesAndNoTrailingBlanks) {
  EXPECT_EQ(RenderTable({{"NAME", "PHASE"}, {"word-count", "Running"}, {"x", ""}}),
            "NAME         PHASE\nword-count   Running\nx\n");
}

TEST(RenderTest, YamlQuotesWhatYamlWouldMisread) {
  Json j = Json::MakeObject();
  j["plain"] = "word-count";
  j["bool"] = "true";
  j["number"] = "0123";
  j["colon"] = "a: b";
  j["empty"] = "";
  j["list"] = Json(Json::Array{Json(1), Json("x")});
  j["nested"]["k"] = Json(Json::Array{Json::MakeObject()});
  j["objs"] = Json(Json::Array{Json(Json::Object{{"a", Json(1)}, {"b", Json(2)}})});
  EXPECT_EQ(ToYaml(j),
            "bool: \"true\"\n"
            "colon: \"a: b\"\n"
            "empty: \"\"\n"
            "list:\n"
            "- 1\n"
            "- x\n"
            "nested:\n"
            "  k:\n"
            "  - {}\n"
            "number: \"0123\"\n"
            "objs:\n"
            "- a: 1\n"
            "  b: 2\n"
            "plain: word-count\n");
}

TEST(RenderTest, ShortNamesOnlyWhenUnique) {
  const std::vector<std::string> keys = {"a/r/e/word-count", "a/r/e/x", "b/r/e/x"};
  EXPECT_EQ(DisplayName("a/r/e/word-count", keys), "word-count");
  EXPECT_EQ(DisplayName("b/r/e/x", keys), "b/r/e/x");
}

TEST(DiffTest, UnifiedHunksWithContext) {
  // Changes 6 lines apart share a hunk (as diff -u); further apart they do not.
  const std::string a = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
  const std::string b = "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n";
  EXPECT_EQ(UnifiedDiff(a, b, "live", "desired", false),
            "--- live\n+++ desired\n"
            "@@ -1,10 +1,11 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n h\n i\n j\n+k\n");
  std::string from, to;
  for (int i = 1; i <= 20; ++i) {
    from += std::to_string(i) + "\n";
    to += (i == 2 || i == 18 ? "changed" : std::to_string(i)) + "\n";
  }
  EXPECT_EQ(UnifiedDiff(from, to, "live", "desired", false),
            "--- live\n+++ desired\n"
            "@@ -1,5 +1,5 @@\n 1\n-2\n+changed\n 3\n 4\n 5\n"
            "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+changed\n 19\n 20\n");
  EXPECT_EQ(UnifiedDiff(a, a, "live", "desired", false), "");
  // A new topology: everything is added.
  EXPECT_EQ(UnifiedDiff("", "x\ny\n", "live", "desired", false),
            "--- live\n+++ desired\n@@ -0,0 +1,2 @@\n+x\n+y\n");
  EXPECT_NE(UnifiedDiff("x\n", "y\n", "l", "d", true).find("\033[31m-x"), std::string::npos);
}

TEST(RenderTest, ADiffShowsAChangedCredentialWithoutItsValues) {
  EXPECT_EQ(UnifiedDiff("a: 1\ndb.password: old-pw\n", "a: 1\ndb.password: new-pw\n", "live",
                        "desired", false),
            "--- live\n+++ desired\n@@ -1,2 +1,2 @@\n a: 1\n-db.password: ***\n"
            "+db.password: ***\n");
}

}  // namespace
}  // namespace hgo::cli
