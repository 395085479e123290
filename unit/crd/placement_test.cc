// spec.placement: one document, one topology per cluster with its overrides; the placement's
// own rules; update windows and SLA-aware updates in the spec.
#include "crd/placement.h"

#include <gtest/gtest.h>

#include "crd/canonical.h"
#include "unit/crd/spec_fixture.h"

namespace hgo::crd {
namespace {

using testing::BaseSpec;
using testing::ErrorsOf;
using testing::Replace;

const char kPlacement[] =
    "  placement:\n"
    "    clusters:\n"
    "      - name: canary\n"
    "      - name: east\n"
    "        overrides:\n"
    "          resources: {ram: 3Gi}\n"
    "          parallelism: {split: 6}\n"
    "          constraints: {host: 'limit:1'}\n"
    "          config: {topology.message.timeout.secs: 60}\n"
    "      - name: west\n"
    "    waves: [[canary], [east, west]]\n"
    "    soakSeconds: 120\n";

std::string Placed(const std::string& placement = kPlacement) {
  return Replace(BaseSpec(), "  cluster: devcluster\n", placement);
}

TEST(Placement, ExpandsOneTopologyPerClusterWithItsOverrides) {
  ParseResult r = ParseTopologies(Placed(), "p.yaml");
  ASSERT_TRUE(r.ok()) << r.AllErrors().front().ToString();
  std::vector<Topology> ts = r.Topologies();
  ASSERT_EQ(ts.size(), 3u);
  EXPECT_EQ(ts[0].key().ToString(), "canary/www-data/devel/wc");
  EXPECT_EQ(ts[1].key().ToString(), "east/www-data/devel/wc");
  EXPECT_EQ(ts[2].key().ToString(), "west/www-data/devel/wc");
  EXPECT_EQ(ts[0].placement, ts[2].placement);  // one placement, shared
  ASSERT_TRUE(ts[0].placement);
  EXPECT_EQ(ts[0].placement->soak_seconds, 120);
  EXPECT_EQ(ts[0].placement->WaveOf("west"), 1);
  EXPECT_EQ(ts[0].placement->on_failure, WaveFailure::kRollbackWave);
  EXPECT_EQ(ts[1].spec.resources.ram_bytes, int64_t{3} << 30);
  EXPECT_FALSE(ts[0].spec.resources.ram_bytes);
  EXPECT_EQ(ts[1].spec.topology.bolts[0].parallelism, 6);
  EXPECT_EQ(ts[0].spec.topology.bolts[0].parallelism, 2);
  EXPECT_EQ(ts[1].spec.constraints.at("host"), "limit:1");
  EXPECT_EQ(ConfigText(ts[1], "topology.message.timeout.secs"), "60");
  EXPECT_EQ(ConfigText(ts[0], "topology.message.timeout.secs"), "");
}

TEST(Placement, AClusterOfAPlacementHashesAsTheSameSpecWithSpecCluster) {
  // Moving a topology into a placement restarts nothing: the canary's revision is the spec
  // that names it alone.
  ParseResult placed = ParseTopologies(Placed(), "p.yaml");
  ParseResult single =
      ParseTopologies(Replace(BaseSpec(), "cluster: devcluster", "cluster: canary"), "s.yaml");
  ASSERT_TRUE(placed.ok());
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(SpecHash(placed.Topologies()[0]), SpecHash(single.Topologies()[0]));
}

TEST(Placement, WithoutWavesEveryClusterIsInOne) {
  ParseResult r = ParseTopologies(
      Placed("  placement:\n    clusters: [{name: a}, {name: b}]\n    onFailure: KeepWave\n"),
      "p.yaml");
  ASSERT_TRUE(r.ok()) << r.AllErrors().front().ToString();
  const auto& p = *r.Topologies()[0].placement;
  ASSERT_EQ(p.waves.size(), 1u);
  EXPECT_EQ(p.waves[0], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.on_failure, WaveFailure::kKeepWave);
}

TEST(Placement, ErrorsNameTheFieldAndLine) {
  struct Case {
    std::string placement;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"  placement:\n    clusters: [{name: a}, {name: a}]\n", "cluster 'a' is named twice"},
      {"  placement:\n    clusters: [{name: a}, {name: b}]\n    waves: [[a]]\n",
       "spec.placement.waves: cluster 'b' is in no wave"},
      {"  placement:\n    clusters: [{name: a}]\n    waves: [[a], [a]]\n",
       "spec.placement.waves[1]: cluster 'a' is in more than one wave"},
      {"  placement:\n    clusters: [{name: a}]\n    waves: [[a], [c]]\n",
       "'c' is not one of spec.placement.clusters"},
      {"  placement:\n    clusters: [{name: a}]\n    waves: [[a], []]\n",
       "a wave names at least one cluster"},
      {"  placement:\n    clusters: [{name: a, overrides: {parallelism: {nope: 2}}}]\n",
       "spec.placement.clusters[0].overrides.parallelism.nope: no spout or bolt 'nope'"},
      {"  placement:\n    clusters: [{name: a, overrides: {image: x}}]\n", "unknown field"},
      {"  placement:\n    clusters: []\n", "must name at least one cluster"},
      {"  cluster: devcluster\n  placement:\n    clusters: [{name: a}]\n",
       "give either spec.cluster or spec.placement, not both"},
      {"  placement:\n    clusters: [{name: a, overrides: {resources: {ram: 1Ki}}}]\n",
       "(in cluster a, with its overrides)"},
  };
  for (const auto& c : cases) {
    const auto errors = ErrorsOf(Placed(c.placement));
    std::string all;
    for (const auto& e : errors) all += e + "\n";
    EXPECT_NE(all.find(c.want), std::string::npos) << c.placement << "got:\n" << all;
    // Every error has a line.
    for (const auto& e : errors) EXPECT_NE(e.substr(0, 1), "0") << e;
  }
}

TEST(Placement, ABrokenPlacementStillSaysWhichTopologiesItMeant) {
  ParseResult r = ParseTopologies(
      Placed("  placement:\n    clusters: [{name: a}, {name: b}]\n    waves: 3\n"), "p.yaml");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.documents.size(), 1u);
  ASSERT_EQ(r.documents[0].keys.size(), 2u);  // frozen, not pruned, by the controller
  EXPECT_EQ(r.documents[0].keys[1].ToString(), "b/www-data/devel/wc");
}

TEST(SpecWindows, ParsedHashedAndRoundTripped) {
  const std::string yaml = BaseSpec() +
                           "  windows:\n"
                           "    - {kind: Deny, schedule: '0 22 * * fri', duration: 58h, "
                           "timeZone: Europe/Berlin}\n";
  ParseResult r = ParseTopologies(yaml, "w.yaml");
  ASSERT_TRUE(r.ok()) << r.AllErrors().front().ToString();
  const Topology t = r.Topologies()[0];
  ASSERT_EQ(t.spec.windows.size(), 1u);
  EXPECT_EQ(t.spec.windows[0].kind, UpdateWindow::Kind::kDeny);
  EXPECT_EQ(t.spec.windows[0].duration_seconds, 58 * 3600);
  EXPECT_EQ(t.spec.windows[0].zone->name(), "Europe/Berlin");
  const Topology plain = ParseTopologies(BaseSpec(), "p.yaml").Topologies()[0];
  EXPECT_NE(SpecHash(t), SpecHash(plain));  // a new revision...
  EXPECT_EQ(TaskHash(t), TaskHash(plain));  // ...that restarts nothing
  auto back = FromCanonicalJson(CanonicalJson(t), "record");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(SpecHash(*back), SpecHash(t));

  const auto errors = ErrorsOf(BaseSpec() +
                               "  windows:\n    - {kind: Deny, schedule: '0 25 * * *', "
                               "duration: 1h}\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("25:7: spec.windows[0]: schedule: hour: 25 is out of range"),
            std::string::npos)
      << errors[0];
}

TEST(SpecSlaAware, NeedsAPolicyAndKeepsOldHashesWhenAbsent) {
  const std::string base = BaseSpec();
  const auto errors = ErrorsOf(base + "  update: {slaAware: true}\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("spec.update.slaAware: needs spec.update.slaPolicy"), std::string::npos)
      << errors[0];
  ParseResult r = ParseTopologies(
      base + "  update: {slaAware: true, slaPolicy: {percentage: 66.5, durationSeconds: 300}}\n",
      "s.yaml");
  ASSERT_TRUE(r.ok()) << r.AllErrors().front().ToString();
  const Topology t = r.Topologies()[0];
  EXPECT_TRUE(t.spec.update.sla_aware);
  EXPECT_EQ(t.spec.update.sla_policy->percentage, 66.5);
  auto back = FromCanonicalJson(CanonicalJson(t), "record");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(SpecHash(*back), SpecHash(t));
  // A spec that sets neither has the hash it had before either existed.
  const Topology plain = ParseTopologies(base, "p.yaml").Topologies()[0];
  EXPECT_EQ(CanonicalString(plain).find("sla"), std::string::npos);
  EXPECT_FALSE(ErrorsOf(base + "  update: {slaPolicy: {percentage: 50, count: 2}}\n").empty());
}

}  // namespace
}  // namespace hgo::crd
