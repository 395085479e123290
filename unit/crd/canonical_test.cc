#include "crd/canonical.h"

#include "common/sha256.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "crd/parser.h"
#include "unit/crd/spec_fixture.h"

namespace hgo::crd {
namespace {

using testing::BaseSpec;
using testing::Replace;

Topology ParseOne(const std::string& yaml) {
  ParseResult r = ParseTopologies(yaml, "h.yaml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.AllErrors()[0].ToString()) << "\n" << yaml;
  auto all = r.Topologies();
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? Topology{} : all[0];
}

std::string HashOf(const std::string& yaml) { return SpecHash(ParseOne(yaml)); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The canonical bytes are a contract (they feed every hash); a change here must be deliberate.
// Regenerate with HGO_UPDATE_GOLDENS=1 and review the diff.
TEST(CanonicalTest, MinimalExampleMatchesGolden) {
  const std::string golden_path =
      std::string(HGO_SOURCE_DIR) + "/unit/testdata/minimal.canonical.json";
  ParseResult r =
      ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/minimal.yaml");
  ASSERT_TRUE(r.ok());
  std::string pretty = SerializePretty(CanonicalJson(r.Topologies()[0])) + "\n";
  if (std::getenv("HGO_UPDATE_GOLDENS")) std::ofstream(golden_path) << pretty;
  EXPECT_EQ(pretty, ReadFile(golden_path));
  // The compact form is what is hashed; it is the pretty form without whitespace, with an absent
  // ECO type hashed as "heron" (HashInput): the hash minimal.yaml had before ECO's storm
  // default was honoured, so upgrading the controller moves no running topology's hash.
  const Topology t = r.Topologies()[0];
  EXPECT_EQ(SpecHash(t), "41ee822fb6fafa9ce63c8f9ac0bc1e3e0a48c15d19608afc5a39d79d85d61e52");
  EXPECT_EQ(SpecHash(t), Sha256Hex(Serialize(HashInput(t))));
  Topology explicit_storm = t;
  explicit_storm.spec.topology.type = "storm";
  EXPECT_NE(SpecHash(explicit_storm), SpecHash(t));
  const Json canonical = CanonicalJson(explicit_storm);
  const Json* type = canonical.Find("spec")->Find("topology")->Find("type");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->as_string(), "storm");
}

// What heronctl posts to /api/v1/plan and writes to the spool, and what a rollback re-parses
// from the record: SpecText parses back to the same topology, for every example.
TEST(CanonicalTest, SpecTextParsesBackToTheSameTopology) {
  for (const char* name : {"minimal.yaml", "full.yaml", "multi.yaml"}) {
    ParseResult r = ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/" + name);
    ASSERT_TRUE(r.ok()) << name;
    for (const Topology& t : r.Topologies()) {
      ParseResult again = ParseTopologies(SpecText(t), "again.yaml");
      ASSERT_TRUE(again.ok()) << name << ": " << again.AllErrors()[0].ToString();
      ASSERT_EQ(again.Topologies().size(), 1u);
      EXPECT_EQ(CanonicalString(again.Topologies()[0]), CanonicalString(t)) << name;
      EXPECT_EQ(SpecHash(again.Topologies()[0]), SpecHash(t)) << name;
    }
  }
  // The canonical form itself is not a spec: its resources are normalised.
  ParseResult full =
      ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/full.yaml");
  ASSERT_TRUE(full.ok());
  EXPECT_FALSE(ParseTopologies(CanonicalString(full.Topologies()[0]), "c.yaml").ok());
}

// What a record stores (CanonicalJson) comes back as the same topology, with errors named by
// origin when it does not.
TEST(CanonicalTest, FromCanonicalJsonIsCanonicalJsonsInverse) {
  ParseResult full =
      ParseTopologyFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/full.yaml");
  ASSERT_TRUE(full.ok());
  const Topology t = full.Topologies()[0];
  auto back = FromCanonicalJson(CanonicalJson(t), "record:x");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(CanonicalString(*back), CanonicalString(t));
  EXPECT_EQ(SpecHash(*back), SpecHash(t));

  Json broken = CanonicalJson(t);
  broken["spec"]["update"]["batchSize"] = Json(int64_t{0});
  auto bad = FromCanonicalJson(std::move(broken), "record:x");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("record:x"), std::string::npos) << bad.status();
  EXPECT_NE(bad.status().message().find("batchSize"), std::string::npos) << bad.status();
}

TEST(CanonicalTest, SameTextAlwaysGivesSameBytes) {
  std::string yaml = ReadFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/full.yaml");
  std::string first = CanonicalString(ParseOne(yaml));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(CanonicalString(ParseOne(yaml)), first);
}

struct Variant {
  const char* name;
  std::string yaml;
};

// Files that mean the same as BaseSpec().
std::vector<Variant> Equivalents() {
  const std::string b = BaseSpec();
  std::string reordered = b;
  reordered = Replace(reordered, "apiVersion: heron/v1\nkind: Topology\n",
                      "kind: Topology\napiVersion: heron/v1\n");
  reordered = Replace(reordered, "  cluster: devcluster\n  role: www-data\n",
                      "  role: www-data\n  cluster: devcluster\n");
  reordered = Replace(reordered, "      - id: split\n        className: com.example.SplitBolt\n",
                      "      - className: com.example.SplitBolt\n        id: split\n");
  return {
      {"Reordered", reordered},
      {"Comments", "# leading comment\n" + Replace(b, "  role: www-data\n",
                                                   "  role: www-data  # the owner\n# between\n")},
      {"DoubleQuoted", Replace(b, "role: www-data", "role: \"www-data\"")},
      {"SingleQuoted",
       Replace(b, "className: com.example.SplitBolt", "className: 'com.example.SplitBolt'")},
      {"DocumentMarkers", "---\n" + b + "...\n"},
      {"FlowStyle", Replace(b,
                            "  package:\n    uri: file:///blobs/wc.tar.gz\n    sha256: " +
                                std::string(testing::kSha) + "\n",
                            "  package: {uri: \"file:///blobs/wc.tar.gz\", sha256: " +
                                std::string(testing::kSha) + "}\n")},
      {"ExplicitDefaults",
       Replace(b + "  update: {strategy: Rolling, batchSize: 1, minWaitInRunningSeconds: 30, "
                   "maxPerInstanceFailures: 0, maxFailedInstances: 0, rollbackOnFailure: true, "
                   "progressDeadlineSeconds: 600}\n  syncPolicy: repair\n  state: Running\n"
                   "  packing: {algorithm: ResourceCompliantRR}\n  constraints: {}\n",
               "  topology:\n    spouts:\n      - id: sentence\n",
               "  topology:\n    name: wc\n    type: heron\n    config: {}\n    components: []\n"
               "    spouts:\n      - id: sentence\n        parallelism: 1\n")},
      {"BooleanSpelling", Replace(b + "  update: {rollbackOnFailure: true}\n", "true", "True")},
  };
}

TEST(CanonicalTest, EquivalentFilesHashEqual) {
  const std::string base_hash = HashOf(BaseSpec());
  for (const auto& v : Equivalents()) {
    EXPECT_EQ(HashOf(v.yaml), base_hash) << v.name << "\n" << v.yaml;
  }
}

TEST(CanonicalTest, EqualQuantitiesHashEqual) {
  const std::string with = BaseSpec() + "  resources: {cpu: 2, ram: 4Gi, disk: 1Gi}\n";
  for (const std::string& same :
       {std::string("  resources: {cpu: 2.0, ram: 4096Mi, disk: 1024Mi}\n"),
        std::string("  resources: {cpu: 2000m, ram: 4294967296, disk: 1073741824}\n"),
        std::string("  resources: {disk: 1Gi, ram: \"4Gi\", cpu: \"2\"}\n")}) {
    EXPECT_EQ(HashOf(BaseSpec() + same), HashOf(with)) << same;
  }
}

TEST(CanonicalTest, OrderOfComponentsAndStreamsDoesNotMatter) {
  std::string full = ReadFile(std::string(HGO_SOURCE_DIR) + "/manifests/examples/full.yaml");
  // Move the count bolt after the audit bolt.
  std::string count =
      "      - id: count\n        className: com.example.CountBolt\n        parallelism: 4\n"
      "        configMethods:\n          - {name: withWindow, args: [\"10s\"]}\n";
  std::string audit = "      - id: audit\n        className: com.example.AuditBolt\n";
  std::string swapped = Replace(full, count, "");
  swapped = Replace(swapped, audit, audit + count);
  std::string stream =
      "      - name: sentences\n        from: sentence\n        to: split\n        grouping: "
      "{type: SHUFFLE}\n";
  swapped = Replace(swapped, stream, "");
  swapped = Replace(swapped, "  packing:\n", "");
  swapped = Replace(swapped, "    algorithm: RoundRobin\n",
                    stream + "  packing:\n    algorithm: RoundRobin\n");
  ASSERT_NE(swapped, full);
  EXPECT_EQ(HashOf(swapped), HashOf(full));
}

// Each changes the meaning of BaseSpec() in one way.
std::vector<Variant> SemanticChanges() {
  const std::string b = BaseSpec();
  auto add = [&](const std::string& extra) { return b + extra; };
  auto config = [&](const std::string& c) {
    return Replace(b, "  topology:\n", "  topology:\n    config: " + c + "\n");
  };
  return {
      {"Name", Replace(b, "name: wc", "name: wc2")},
      {"Cluster", Replace(b, "cluster: devcluster", "cluster: prodcluster")},
      {"Role", Replace(b, "role: www-data", "role: ads")},
      {"Environment", Replace(b, "environment: devel", "environment: prod")},
      {"PackageUri", Replace(b, "wc.tar.gz", "wc2.tar.gz")},
      {"PackageSha", Replace(b, testing::kSha, std::string(64, 'a'))},
      {"Parallelism", Replace(b, "parallelism: 2", "parallelism: 3")},
      {"ClassName", Replace(b, "com.example.SplitBolt", "com.example.SplitBolt2")},
      {"ComponentId",
       Replace(Replace(b, "id: split", "id: splitter"), "to: split", "to: splitter")},
      {"Grouping", Replace(b, "{type: SHUFFLE}", "{type: ALL}")},
      {"FieldsArgs", Replace(b, "{type: SHUFFLE}", "{type: FIELDS, args: [a, b]}")},
      {"FieldsArgsOrder", Replace(b, "{type: SHUFFLE}", "{type: FIELDS, args: [b, a]}")},
      {"StreamId", Replace(b, "{type: SHUFFLE}", "{type: SHUFFLE, streamId: s2}")},
      {"StreamName",
       Replace(b, "      - from: sentence", "      - name: n\n        from: sentence")},
      {"ConfigValue", config("{topology.message.timeout.secs: 30}")},
      {"ConfigValueOther", config("{topology.message.timeout.secs: 31}")},
      {"ConfigValueAsString", config("{topology.message.timeout.secs: \"30\"}")},
      {"ConfigNull", config("{topology.message.timeout.secs: null}")},
      {"EcoTypeStorm", Replace(b, "  topology:\n", "  topology:\n    type: storm\n")},
      {"ConstructorArgs", Replace(b, "        parallelism: 2\n",
                                  "        parallelism: 2\n        constructorArgs: [1, 2]\n")},
      {"ConstructorArgsOrder",
       Replace(b, "        parallelism: 2\n",
               "        parallelism: 2\n        constructorArgs: [2, 1]\n")},
      {"Label", Replace(b, "  name: wc\n", "  name: wc\n  labels: {team: a}\n")},
      {"LabelOther", Replace(b, "  name: wc\n", "  name: wc\n  labels: {team: b}\n")},
      {"HeronVersion", add("  heron: {version: 0.20.5}\n")},
      {"CorePackage", add("  heron: {corePackage: \"file:///core.tar.gz\"}\n")},
      {"PackingRoundRobin", add("  packing: {algorithm: RoundRobin}\n")},
      {"PackingContainers", add("  packing: {algorithm: RoundRobin, containers: 2}\n")},
      {"Cpu", add("  resources: {cpu: 2}\n")},
      {"Ram", add("  resources: {ram: 4Gi}\n")},
      {"Disk", add("  resources: {disk: 4Gi}\n")},
      {"Constraint", add("  constraints: {host: \"limit:1\"}\n")},
      {"Strategy", add("  update: {strategy: Recreate}\n")},
      {"BatchSize", add("  update: {batchSize: 2}\n")},
      {"MinWait", add("  update: {minWaitInRunningSeconds: 31}\n")},
      {"MaxPerInstanceFailures", add("  update: {maxPerInstanceFailures: 1}\n")},
      {"MaxFailedInstances", add("  update: {maxFailedInstances: 1}\n")},
      {"Rollback", add("  update: {rollbackOnFailure: false}\n")},
      {"Deadline", add("  update: {progressDeadlineSeconds: 601}\n")},
      {"SyncPolicy", add("  syncPolicy: warn\n")},
      {"State", add("  state: Paused\n")},
      {"ExtraBolt", Replace(b, "    streams:\n",
                            "      - id: extra\n        className: com.example.X\n    streams:\n")},
  };
}

TEST(CanonicalTest, EachSemanticChangeHashesDifferently) {
  std::map<std::string, std::string> seen = {{HashOf(BaseSpec()), "base"}};
  for (const auto& v : SemanticChanges()) {
    std::string h = HashOf(v.yaml);
    auto [it, inserted] = seen.emplace(h, v.name);
    EXPECT_TRUE(inserted) << v.name << " hashes like " << it->second;
  }
}

TEST(CanonicalTest, ProvenanceIsNotHashed) {
  Topology a = ParseTopologies(BaseSpec(), "a.yaml").Topologies()[0];
  Topology b = ParseTopologies("\n\n" + BaseSpec(), "elsewhere/b.yaml").Topologies()[0];
  EXPECT_NE(a.location, b.location);
  EXPECT_EQ(SpecHash(a), SpecHash(b));
}

}  // namespace
}  // namespace hgo::crd

namespace hgo::crd {
namespace {

Topology OneOf(const std::string& yaml) {
  auto r = ParseTopologies(yaml, "t.yaml");
  EXPECT_TRUE(r.ok());
  return r.Topologies().at(0);
}

TEST(TaskHashTest, ScaleAndControllerPolicyDoNotChangeIt) {
  const std::string base = testing::BaseSpec();
  const std::string hash = TaskHash(OneOf(base));
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(TaskHash(OneOf(testing::Replace(base, "parallelism: 2", "parallelism: 7"))), hash);
  EXPECT_EQ(TaskHash(OneOf(base + "  state: Paused\n  syncPolicy: warn\n"
                                  "  update: {batchSize: 3}\n")),
            hash);
  EXPECT_NE(SpecHash(OneOf(testing::Replace(base, "parallelism: 2", "parallelism: 7"))),
            SpecHash(OneOf(base)));
}

TEST(TaskHashTest, WhatRunsInAContainerChangesIt) {
  const std::string base = testing::BaseSpec();
  const std::string hash = TaskHash(OneOf(base));
  EXPECT_NE(TaskHash(OneOf(base + "  resources: {ram: 4Gi}\n")), hash);
  EXPECT_NE(TaskHash(OneOf(testing::Replace(base, "com.example.SplitBolt", "com.example.Other"))),
            hash);
  EXPECT_NE(TaskHash(OneOf(testing::Replace(base, "  topology:\n",
                                            "  topology:\n    config: {topology.debug: true}\n"))),
            hash);
  EXPECT_NE(TaskHash(OneOf(base + "  heron: {version: 0.20.2-incubating}\n")), hash);
}

constexpr char kRuntime[] =
    "  runtimeConfig:\n"
    "    topology: {user.rate: 5}\n"
    "    components:\n"
    "      split: {user.batch: \"100\"}\n";

TEST(RuntimeConfigTest, IsPartOfTheRevisionButNotOfTheTask) {
  const std::string base = testing::BaseSpec();
  const Topology with = OneOf(base + kRuntime);
  EXPECT_EQ(with.spec.runtime_config,
            (std::map<std::string, std::string>{{"user.rate", "5"}, {"split:user.batch", "100"}}));
  EXPECT_EQ(TaskHash(with), TaskHash(OneOf(base)));
  EXPECT_NE(SpecHash(with), SpecHash(OneOf(base)));
  EXPECT_NE(SpecHash(with), SpecHash(OneOf(base + testing::Replace(kRuntime, "5", "6"))));
  // A spec without it keeps the canonical form (and hash) it had before the field existed.
  EXPECT_EQ(CanonicalJson(OneOf(base))["spec"].Find("runtimeConfig"), nullptr);
}

TEST(RuntimeConfigTest, SpecTextCarriesIt) {
  const Topology with = OneOf(testing::BaseSpec() + kRuntime);
  ParseResult again = ParseTopologies(SpecText(with), "again.yaml");
  ASSERT_TRUE(again.ok()) << again.AllErrors()[0].ToString();
  EXPECT_EQ(again.Topologies().at(0).spec.runtime_config, with.spec.runtime_config);
  EXPECT_EQ(SpecHash(again.Topologies().at(0)), SpecHash(with));
}

}  // namespace
}  // namespace hgo::crd
