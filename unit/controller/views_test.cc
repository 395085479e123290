#include "controller/api/views.h"

#include "controller/api/api.h"
#include "controller/api/replies.h"

#include <gtest/gtest.h>

namespace hgo::controller {
namespace {

TopologyStatus S(const std::string& cluster, const std::string& name, const std::string& phase,
                 std::map<std::string, std::string> labels = {}) {
  TopologyStatus s;
  s.key = crd::TopologyKey{cluster, "ads", "prod", name};
  s.phase = phase;
  s.message = phase == "Failed" ? "update failed: instance 2 crashed" : "ok";
  s.labels = std::move(labels);
  return s;
}

std::vector<std::string> Names(const Json& overview) {
  std::vector<std::string> out;
  for (const auto& r : overview.Find("rows")->as_array())
    out.push_back(r.Find("name")->as_string());
  return out;
}

HttpRequest Query(const std::string& query) {
  HttpRequest r;
  r.method = "GET";
  r.path = "/api/v1/overview";
  r.query = query;
  return r;
}

const std::vector<TopologyStatus> kStatuses = {
    S("west", "clicks", "Running", {{"team", "ads"}}),
    S("west", "views", "Failed", {{"team", "ads"}}),
    S("east", "bids", "Updating"),
    S("east", "alerts", "RollingBack", {{"team", "sre"}}),
    S("east", "audit", "Running"),
    S("west", "fraud", "Degraded"),
};

TEST(OverviewTest, ProblemsComeFirstThenWhatIsMovingThenWhatIsAtRest) {
  Json o = Overview(kStatuses, OverviewQuery{}, 7);
  EXPECT_EQ(Names(o),
            (std::vector<std::string>{"views", "fraud", "alerts", "bids", "audit", "clicks"}));
  EXPECT_EQ(o["resourceVersion"].as_int(), 7);
  EXPECT_EQ(o["total"].as_int(), 6);
  EXPECT_EQ(o["counts"]["Running"].as_int(), 2);
  EXPECT_EQ(o["counts"]["Failed"].as_int(), 1);
  EXPECT_EQ(o["clusters"].as_array().size(), 2u);
}

struct FilterCase {
  std::string query;
  std::vector<std::string> names;
};

TEST(OverviewTest, FiltersByTextClusterPhaseAndLabel) {
  const std::vector<FilterCase> cases = {
      {"cluster=east", {"alerts", "bids", "audit"}},
      {"phase=Running", {"audit", "clicks"}},
      {"phase=Failed,Degraded", {"views", "fraud"}},
      {"label=team%3Dads", {"views", "clicks"}},
      {"label=team", {"views", "alerts", "clicks"}},
      {"q=CRASHED", {"views"}},  // the message, case-insensitive
      {"q=east%2Fads", {"alerts", "bids", "audit"}},
      {"cluster=west&phase=Running", {"clicks"}},
      {"role=nobody", {}},
  };
  for (const auto& c : cases) {
    auto q = ParseOverviewQuery(Query(c.query));
    ASSERT_TRUE(q.ok()) << c.query;
    Json o = Overview(kStatuses, *q, 0);
    EXPECT_EQ(Names(o), c.names) << c.query;
    EXPECT_EQ(o["matched"].as_int(), static_cast<int64_t>(c.names.size())) << c.query;
    EXPECT_EQ(o["total"].as_int(), 6) << "counts are of all topologies";
  }
}

TEST(OverviewTest, PagesThroughTheMatches) {
  auto q = ParseOverviewQuery(Query("offset=2&limit=3"));
  ASSERT_TRUE(q.ok());
  Json o = Overview(kStatuses, *q, 0);
  EXPECT_EQ(Names(o), (std::vector<std::string>{"alerts", "bids", "audit"}));
  q = ParseOverviewQuery(Query("offset=5&limit=3"));
  EXPECT_EQ(Names(Overview(kStatuses, *q, 0)), std::vector<std::string>{"clicks"});
  q = ParseOverviewQuery(Query("offset=50"));
  EXPECT_TRUE(Names(Overview(kStatuses, *q, 0)).empty());
}

TEST(OverviewTest, ABadParameterIsNamed) {
  for (const std::string bad : {"limit=0", "limit=5000", "offset=-1", "limit=ten"}) {
    auto q = ParseOverviewQuery(Query(bad));
    ASSERT_FALSE(q.ok()) << bad;
    EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(q.status().message().find(bad.substr(0, bad.find('='))), std::string::npos)
        << q.status().message();
  }
}

TEST(OverviewTest, QueryParametersArePercentDecoded) {
  HttpRequest r = Query("q=a+b%2Fc&empty=&flag");
  EXPECT_EQ(r.Param("q"), "a b/c");
  EXPECT_EQ(r.Param("empty"), "");
  EXPECT_EQ(r.Param("flag"), "");
  EXPECT_EQ(r.Param("missing"), "");
}

}  // namespace
}  // namespace hgo::controller

namespace hgo::controller {
namespace {

// Every API answer passes the redactor: a status message or error that carries a credential
// (an Aurora error quoting a URL, say) is masked in the body, which stays valid JSON.
TEST(RepliesTest, AnswersAreRedacted) {
  TopologyStatus s = S("dc", "wc", "Failed");
  s.message = "fetch https://bob:hunter2@blobs.example/wc.tgz: 401 (Authorization: Bearer abc)";
  const HttpReply ok = JsonReply(200, StatusToJson(s, false));
  EXPECT_EQ(ok.body.find("hunter2"), std::string::npos) << ok.body;
  EXPECT_EQ(ok.body.find("abc)"), std::string::npos) << ok.body;
  auto j = ParseJson(ok.body);
  ASSERT_TRUE(j.ok()) << ok.body;
  EXPECT_EQ(j->Find("message")->as_string(),
            "fetch https://***@blobs.example/wc.tgz: 401 (Authorization: Bearer ***)");
  const HttpReply error =
      ErrorReply(Status::InvalidArgument("bad config db.password=hunter2 in spec"));
  EXPECT_EQ(error.body.find("hunter2"), std::string::npos) << error.body;
}

}  // namespace
}  // namespace hgo::controller
