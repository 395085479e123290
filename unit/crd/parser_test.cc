#include "crd/parser.h"

#include <gtest/gtest.h>

#include "crd/canonical.h"
#include "crd/quantity.h"
#include "unit/crd/spec_fixture.h"

namespace hgo::crd {
namespace {

std::string Example(const std::string& name) {
  return std::string(HGO_SOURCE_DIR) + "/manifests/examples/" + name;
}

TEST(ParserTest, MinimalExampleGetsEveryDefault) {
  ParseResult r = ParseTopologyFile(Example("minimal.yaml"));
  ASSERT_TRUE(r.ok()) << r.AllErrors()[0].ToString();
  ASSERT_EQ(r.documents.size(), 1u);
  const Topology& t = r.documents[0].topologies.at(0);
  EXPECT_EQ(t.key().ToString(), "devcluster/www-data/devel/exclamation");
  EXPECT_EQ(t.spec.heron.version, "");
  EXPECT_EQ(t.spec.topology.type, "");  // as ECO reads it: a Storm topology
  EXPECT_TRUE(t.spec.topology.storm());
  EXPECT_EQ(t.spec.topology.spouts[0].parallelism, 1);
  EXPECT_EQ(t.spec.packing.algorithm, PackingAlgorithm::kResourceCompliantRR);
  EXPECT_FALSE(t.spec.packing.containers.has_value());
  EXPECT_FALSE(t.spec.resources.cpu_millis.has_value());
  EXPECT_EQ(t.spec.update.strategy, UpdateStrategy::kRolling);
  EXPECT_EQ(t.spec.update.batch_size, 1);
  EXPECT_EQ(t.spec.update.min_wait_in_running_seconds, 30);
  EXPECT_EQ(t.spec.update.max_per_instance_failures, 0);
  EXPECT_EQ(t.spec.update.max_failed_instances, 0);
  EXPECT_TRUE(t.spec.update.rollback_on_failure);
  EXPECT_EQ(t.spec.update.progress_deadline_seconds, 600);
  EXPECT_EQ(t.spec.sync_policy, SyncPolicy::kRepair);
  EXPECT_EQ(t.spec.state, DesiredState::kRunning);
}

TEST(ParserTest, FullExampleFieldsLandWhereTheyBelong) {
  ParseResult r = ParseTopologyFile(Example("full.yaml"));
  ASSERT_TRUE(r.ok()) << r.AllErrors()[0].ToString();
  const Topology& t = r.documents[0].topologies.at(0);
  const TopologySpec& s = t.spec;
  EXPECT_EQ(t.metadata.labels.at("team"), "search");
  EXPECT_EQ(s.environment, "staging2");
  EXPECT_EQ(s.heron.version, "0.20.5-incubating");
  EXPECT_EQ(s.heron.core_package, "file:///var/heron/heron-core-0.20.5.tar.gz");
  EXPECT_EQ(s.package.sha256, "9b2f6c1e0d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678");
  EXPECT_EQ(s.topology.config.Find("topology.message.timeout.secs")->as_int(), 30);
  EXPECT_EQ(s.topology.config.Find("topology.debug")->as_bool(), false);
  ASSERT_EQ(s.topology.components.size(), 2u);
  EXPECT_EQ(s.topology.components[0].object.Find("constructorArgs")->as_array()[1].as_int(), 100);
  ASSERT_EQ(s.topology.spouts.size(), 1u);
  EXPECT_EQ(s.topology.spouts[0].parallelism, 2);
  EXPECT_EQ(Serialize(*s.topology.spouts[0].object.Find("configMethods")),
            R"([{"args":[1000],"name":"withRateLimit"}])");
  EXPECT_EQ(s.topology.bolts[0].object.Find("properties")->as_array().size(), 2u);
  ASSERT_EQ(s.topology.bolts.size(), 3u);
  EXPECT_EQ(s.topology.bolts[2].id, "audit");
  ASSERT_EQ(s.topology.streams.size(), 3u);
  EXPECT_EQ(s.topology.streams[0].name, "sentences");
  EXPECT_EQ(s.topology.streams[1].id, "words");
  EXPECT_EQ(s.topology.streams[1].grouping.type, GroupingType::kFields);
  EXPECT_EQ(s.topology.streams[1].grouping.args, std::vector<std::string>{"word"});
  EXPECT_EQ(s.topology.streams[2].grouping.type, GroupingType::kCustom);
  EXPECT_EQ(s.topology.streams[2].grouping.stream_id, "audit");
  EXPECT_TRUE(s.topology.streams[2].grouping.custom_class.has_value());
  EXPECT_EQ(s.packing.algorithm, PackingAlgorithm::kRoundRobin);
  EXPECT_EQ(s.packing.containers, 3);
  EXPECT_EQ(s.resources.cpu_millis, 2500);
  EXPECT_EQ(s.resources.ram_bytes, 4LL << 30);
  EXPECT_EQ(s.resources.disk_bytes, 8LL << 30);
  EXPECT_EQ(s.constraints.at("host"), "limit:1");
  EXPECT_EQ(s.constraints.at("rack"), "!r13,r14");
  EXPECT_EQ(s.update.strategy, UpdateStrategy::kRecreate);
  EXPECT_EQ(s.update.batch_size, 2);
  EXPECT_EQ(s.update.min_wait_in_running_seconds, 45);
  EXPECT_EQ(s.update.max_per_instance_failures, 1);
  EXPECT_EQ(s.update.max_failed_instances, 1);
  EXPECT_FALSE(s.update.rollback_on_failure);
  EXPECT_EQ(s.update.progress_deadline_seconds, 900);
  EXPECT_EQ(s.sync_policy, SyncPolicy::kWarn);
  EXPECT_EQ(s.state, DesiredState::kPaused);
}

TEST(ParserTest, SeveralDocumentsPerFile) {
  ParseResult r = ParseTopologyFile(Example("multi.yaml"));
  ASSERT_TRUE(r.ok()) << r.AllErrors()[0].ToString();
  auto topologies = r.Topologies();
  ASSERT_EQ(topologies.size(), 2u);
  EXPECT_EQ(topologies[0].metadata.name, "clicks-ingest");
  EXPECT_EQ(topologies[1].metadata.name, "clicks-aggregate");
  EXPECT_EQ(topologies[1].document_index, 1);
  EXPECT_EQ(topologies[1].location.line, 21);
  EXPECT_TRUE(CheckUniqueKeys(topologies).empty());
}

TEST(ParserTest, ABrokenDocumentDoesNotHideItsNeighbours) {
  std::string good = testing::BaseSpec();
  std::string bad = testing::Replace(good, "name: wc", "name: wc2");
  bad = testing::Replace(bad, "parallelism: 2", "parallelism: 0");
  ParseResult r = ParseTopologies(good + "---\n" + bad + "---\n", "two.yaml");
  ASSERT_EQ(r.documents.size(), 2u);
  EXPECT_EQ(r.documents[0].topologies.size(), 1u);
  EXPECT_TRUE(r.documents[1].topologies.empty());
  ASSERT_EQ(r.documents[1].errors.size(), 1u);
  EXPECT_EQ(r.documents[1].errors[0].location.line, 24 + 19);
  // The broken document still says which topology it meant, so it is frozen, not pruned.
  ASSERT_EQ(r.documents[1].keys.size(), 1u);
  EXPECT_EQ(r.documents[1].keys[0].ToString(), "devcluster/www-data/devel/wc2");
  EXPECT_EQ(r.Topologies().size(), 1u);
}

TEST(ParserTest, EmptyFilesAndEmptyDocumentsHoldNoTopologies) {
  EXPECT_TRUE(ParseTopologies("", "e.yaml").ok());
  EXPECT_TRUE(ParseTopologies("# only a comment\n", "e.yaml").documents.empty());
  ParseResult r = ParseTopologies("---\n---\n" + testing::BaseSpec(), "e.yaml");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_EQ(r.documents[0].index, 1);  // the first "---" opens document 0
}

TEST(ParserTest, DuplicateKeysAcrossFilesNameBothPlaces) {
  auto a = ParseTopologies(testing::BaseSpec(), "a.yaml").Topologies();
  auto b = ParseTopologies(testing::BaseSpec(), "team/b.yaml").Topologies();
  std::vector<Topology> all = {a[0], b[0]};
  auto errors = CheckUniqueKeys(all);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].ToString(),
            "team/b.yaml:1:1: metadata.name: topology devcluster/www-data/devel/wc is already "
            "defined at a.yaml:1 (a key must be unique across all sources)");
}

TEST(ParserTest, OneNameInTwoRolesOfOneClusterIsAnError) {
  std::string ads = testing::BaseSpec();
  ads.replace(ads.find("role: www-data"), 14, "role: ads");
  auto a = ParseTopologies(testing::BaseSpec(), "a.yaml").Topologies();
  auto b = ParseTopologies(ads, "ads.yaml").Topologies();
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  auto errors = CheckUniqueKeys({a[0], b[0]});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].ToString(),
            "ads.yaml:1:1: metadata.name: topology devcluster/ads/devel/wc: cluster devcluster "
            "already has a topology named wc (devcluster/www-data/devel/wc at a.yaml:1); Heron "
            "keeps one topology of a name per cluster");
  std::string other = ads;
  other.replace(other.find("cluster: devcluster"), 18, "cluster: other");
  auto c = ParseTopologies(other, "other.yaml").Topologies();
  EXPECT_TRUE(CheckUniqueKeys({a[0], c[0]}).empty()) << "the same name in another cluster";
}

TEST(ParserTest, SyntaxErrorsAreLocated) {
  ParseResult r = ParseTopologies("spec:\n  role: [unclosed\n", "s.yaml");
  ASSERT_EQ(r.file_errors.size(), 1u);
  EXPECT_EQ(r.file_errors[0].location.line, 3);
  EXPECT_NE(r.file_errors[0].message.find("YAML syntax error"), std::string::npos);
}

TEST(ParserTest, MissingFileIsAFileError) {
  ParseResult r = ParseTopologyFile("/nonexistent/x.yaml");
  ASSERT_EQ(r.file_errors.size(), 1u);
  EXPECT_NE(r.file_errors[0].ToString().find("/nonexistent/x.yaml"), std::string::npos);
}

TEST(ParserTest, FieldLocationsAreRecorded) {
  auto t = ParseTopologies(testing::BaseSpec(), "a.yaml").Topologies().at(0);
  EXPECT_EQ(t.field_locations.at("spec.topology.bolts[0].parallelism"), (SourceLocation{19, 22}));
  EXPECT_EQ(t.field_locations.at("spec.role"), (SourceLocation{7, 9}));
}

TEST(ParserTest, ConfigValuesKeepTheirYamlTypes) {
  std::string yaml = testing::Replace(
      testing::BaseSpec(), "  topology:\n",
      "  topology:\n    config: {i: 30, s: \"30\", f: 0.5, b: true, n: null, h: 0x1f, t: !!str 7,"
      " l: [1, two], e: 1e3}\n");
  auto r = ParseTopologies(yaml, "c.yaml");
  ASSERT_TRUE(r.ok()) << r.AllErrors()[0].ToString();
  EXPECT_EQ(
      Serialize(r.Topologies()[0].spec.topology.config),
      R"({"b":true,"e":1000.0,"f":0.5,"h":31,"i":30,"l":[1,"two"],"n":null,"s":"30","t":"7"})");
}

TEST(ParserTest, ADocumentMarkerPastedUnderTopologyIsNamed) {
  // Six of Heron's eight ECO examples open with "---"; pasted under spec.topology it breaks the
  // mapping a few lines further down. The error names the marker's own line.
  const std::string yaml =
      "apiVersion: heron/v1\nkind: Topology\nmetadata: {name: wc}\nspec:\n"
      "  cluster: devcluster\n  role: www-data\n  environment: devel\n"
      "  topology:\n    ---\n    name: \"wc\"\n    config:\n      topology.workers: 2\n";
  ParseResult r = ParseTopologies(yaml, "eco.yaml");
  ASSERT_FALSE(r.ok());
  const auto errors = r.AllErrors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].location.line, 9);
  EXPECT_EQ(errors[0].location.column, 5);
  EXPECT_NE(errors[0].message.find("a '---' document marker inside a document"), std::string::npos)
      << errors[0].message;
  EXPECT_NE(errors[0].message.find("spec.topology"), std::string::npos);
}

}  // namespace
}  // namespace hgo::crd
