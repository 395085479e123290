// Each validation rule, with a failing example and its exact location and message.
#include "crd/validation.h"

#include <gtest/gtest.h>

#include "unit/crd/spec_fixture.h"

namespace hgo::crd {
namespace {

using testing::BaseSpec;
using testing::ErrorsOf;
using testing::Replace;

struct RuleCase {
  const char* name;
  std::string yaml;
  std::vector<std::string> errors;  // exactly, in order
};
// Keeps ctest's listing readable (gtest would print the struct's bytes).
void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }

std::string Append(const std::string& extra) { return BaseSpec() + extra; }

std::vector<RuleCase> Cases() {
  const std::string base = BaseSpec();
  return {
      {"BaseIsValid", base, {}},
      {"RamPaddingIsWholeBytes",
       Replace(base, "  topology:\n",
               "  topology:\n    config: {topology.container.ram.padding: 1.5}\n"),
       {"13:46: spec.topology.config[\"topology.container.ram.padding\"]: must be a whole "
        "number of bytes (Heron reads it as one), got '1.5'"}},
      {"RamPaddingAsDigitsIsFine",
       Replace(base, "  topology:\n",
               "  topology:\n    config: {topology.container.ram.padding: \"1073741824\"}\n"),
       {}},
      {"RuntimeConfigNamesAComponentOfTheTopology",
       Append("  runtimeConfig:\n    components:\n      count: {user.batch: 1}\n"),
       {"26:14: spec.runtimeConfig.components.count: no spout or bolt has id 'count'"}},
      {"RuntimeConfigValuesAreWhatHeronCanSplit",
       Append("  runtimeConfig:\n    topology: {user.url: \"http://x\"}\n"),
       {"25:26: spec.runtimeConfig.topology[\"user.url\"]: runtime config values use letters, "
        "digits, '_', '.' and '-' only, and may not be empty; got 'http://x'"}},
      {"NameCharacters",
       Replace(base, "name: wc", "name: \"w c\""),
       {"4:9: metadata.name: 'w c' is not a valid topology name: use letters, digits, '_', '-' "
        "and '.' only"}},
      {"NameLength",
       Replace(base, "name: wc", "name: " + std::string(256, 'n')),
       {"4:9: metadata.name: topology name is 256 characters long; Aurora allows at most 255"}},
      {"NameDotDot",
       Replace(base, "name: wc", "name: .."),
       {"4:9: metadata.name: '..' is not a valid topology name: use letters, digits, '_', '-' "
        "and '.' only"}},
      {"RoleCharacters",
       Replace(base, "role: www-data", "role: www/data"),
       {"7:9: spec.role: 'www/data' is not a valid role: use letters, digits, '_', '-' and '.' "
        "only"}},
      {"ClusterCharacters",
       Replace(base, "cluster: devcluster", "cluster: dev:cluster"),
       {"6:12: spec.cluster: 'dev:cluster' is not a valid cluster name: use letters, digits, "
        "'_', '-' and '.' only"}},
      {"EnvironmentPattern",
       Replace(base, "environment: devel", "environment: qa"),
       {"8:16: spec.environment: 'qa' is not an Aurora environment: use prod, devel, test or "
        "staging<N>"}},
      {"StagingWithNumberIsAnEnvironment",
       Replace(base, "environment: devel", "environment: staging7"),
       {}},
      {"MissingCluster",
       Replace(base, "  cluster: devcluster\n", ""),
       {"6:3: spec.cluster: is required"}},
      {"EmptyRole",
       Replace(base, "role: www-data", "role:"),
       {"7:3: spec.role: is required and must not be empty"}},
      {"ApiVersion",
       Replace(base, "apiVersion: heron/v1", "apiVersion: heron/v2"),
       {"1:13: apiVersion: must be 'heron/v1', got 'heron/v2'"}},
      {"Kind",
       Replace(base, "kind: Topology", "kind: Job"),
       {"2:7: kind: must be 'Topology', got 'Job'"}},
      {"UnknownFieldWithHint",
       Replace(base, "parallelism: 2", "paralelism: 2"),
       {"19:9: spec.topology.bolts[0].paralelism: unknown field 'paralelism'; did you mean "
        "'parallelism'?"}},
      {"UnknownFieldListsKnownOnes",
       Replace(base, "kind: Topology", "kind: Topology\nextra: 1"),
       {"3:1: extra: unknown field 'extra' (known fields: apiVersion, kind, metadata, spec)"}},
      {"DuplicateKey",
       Replace(base, "  role: www-data\n", "  role: www-data\n  role: ads\n"),
       {"8:3: spec.role: duplicate key 'role' (first at line 7)"}},
      {"ParallelismAtLeastOne",
       Replace(base, "parallelism: 2", "parallelism: 0"),
       {"19:22: spec.topology.bolts[0].parallelism: must be at least 1, got 0"}},
      {"ParallelismAtMost",
       Replace(base, "parallelism: 2", "parallelism: 10001"),
       {"19:22: spec.topology.bolts[0].parallelism: must be at most 10000, got 10001"}},
      {"ParallelismQuoted",
       Replace(base, "parallelism: 2", "parallelism: \"2\""),
       {"19:22: spec.topology.bolts[0].parallelism: must be a whole number, got a quoted string"}},
      {"ParallelismFraction",
       Replace(base, "parallelism: 2", "parallelism: 2.5"),
       {"19:22: spec.topology.bolts[0].parallelism: must be a whole number, got '2.5'"}},
      {"ClassName",
       Replace(base, "com.example.SplitBolt", "com..SplitBolt"),
       {"18:20: spec.topology.bolts[0].className: 'com..SplitBolt' is not a Java class name"}},
      {"ComponentIdCharacters",
       Replace(base, "id: split", "id: sp/lit"),
       {"17:13: spec.topology.bolts[0].id: 'sp/lit' is not a valid component id: use letters, "
        "digits, '_', '-' and '.' only",
        "22:13: spec.topology.streams[0].to: no bolt has id 'split'"}},
      {"DuplicateComponentId",
       Replace(base, "id: split", "id: sentence"),
       {"17:13: spec.topology.bolts[0].id: duplicate component id 'sentence' (spouts and bolts "
        "share one namespace)",
        "22:13: spec.topology.streams[0].to: no bolt has id 'split'"}},
      {"NoSpouts",
       Replace(base,
               "    spouts:\n      - id: sentence\n        className: "
               "com.example.SentenceSpout\n",
               "    spouts: []\n"),
       {"13:13: spec.topology.spouts: must list at least one spout",
        "19:15: spec.topology.streams[0].from: no spout or bolt has id 'sentence'"}},
      {"StreamFromUnknown",
       Replace(base, "from: sentence", "from: sentense"),
       {"21:15: spec.topology.streams[0].from: no spout or bolt has id 'sentense'"}},
      {"StreamToSpout",
       Replace(base, "to: split", "to: sentence"),
       {"22:13: spec.topology.streams[0].to: 'sentence' is a spout; only bolts receive streams"}},
      {"DuplicateStream",
       Append("      - from: sentence\n        to: split\n        grouping: {type: SHUFFLE}\n"),
       {"24:9: spec.topology.streams[1]: duplicate stream from 'sentence' to 'split'"}},
      {"GroupingType",
       Replace(base, "{type: SHUFFLE}", "{type: SHUFFEL}"),
       {"23:26: spec.topology.streams[0].grouping.type: must be one of SHUFFLE, FIELDS, ALL, "
        "GLOBAL, NONE, CUSTOM, got 'SHUFFEL'"}},
      {"GroupingTypeCase",
       Replace(base, "{type: SHUFFLE}", "{type: shuffle}"),
       {"23:26: spec.topology.streams[0].grouping.type: must be one of SHUFFLE, FIELDS, ALL, "
        "GLOBAL, NONE, CUSTOM, got 'shuffle'; did you mean 'SHUFFLE'?"}},
      {"FieldsNeedsArgs",
       Replace(base, "{type: SHUFFLE}", "{type: FIELDS}"),
       {"23:19: spec.topology.streams[0].grouping.args: FIELDS grouping needs a non-empty list "
        "of field names"}},
      {"ArgsOnlyForFields",
       Replace(base, "{type: SHUFFLE}", "{type: SHUFFLE, args: [w]}"),
       {"23:41: spec.topology.streams[0].grouping.args: only FIELDS grouping takes args; this is "
        "SHUFFLE"}},
      {"CustomNeedsClass",
       Replace(base, "{type: SHUFFLE}", "{type: CUSTOM}"),
       {"23:19: spec.topology.streams[0].grouping.customClass: CUSTOM grouping needs a "
        "customClass"}},
      {"MissingGrouping",
       Replace(base, "        grouping: {type: SHUFFLE}\n", ""),
       {"21:9: spec.topology.streams[0].grouping: is required"}},
      {"Sha256Length",
       Replace(base, testing::kSha, "abc"),
       {"11:13: spec.package.sha256: must be 64 hex digits (the SHA-256 of the package), got 3 "
        "characters"}},
      {"Sha256Case",
       Replace(base, testing::kSha,
               "3F1C6A7D4E2B9A8C5D0E1F2A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E"),
       {"11:13: spec.package.sha256: must be written in lower-case hex"}},
      {"PackageScheme",
       Replace(base, "file:///blobs/wc.tar.gz", "s3://blobs/wc.tar.gz"),
       {"10:10: spec.package.uri: 's3://blobs/wc.tar.gz' must be a file:///absolute/path, "
        "http:// or https:// URI"}},
      {"PackageRelativeFile",
       Replace(base, "file:///blobs/wc.tar.gz", "file://wc.tar.gz"),
       {"10:10: spec.package.uri: 'file://wc.tar.gz' must be a file:///absolute/path, http:// "
        "or https:// URI"}},
      {"HeronVersion",
       Append("  heron: {version: latest}\n"),
       {"24:20: spec.heron.version: 'latest' is not a Heron version such as 0.20.5"}},
      {"CpuPositive",
       Append("  resources: {cpu: 0}\n"),
       {"24:20: spec.resources.cpu: must be greater than 0"}},
      {"CpuPrecision",
       Append("  resources: {cpu: 0.0001}\n"),
       {"24:20: spec.resources.cpu: '0.0001' is not a CPU amount (more than three decimal "
        "places; use cores such as 2 or 0.5, or millicores such as 500m)"}},
      {"RamUnit",
       Append("  resources: {ram: 4GB}\n"),
       {"24:20: spec.resources.ram: '4GB' is not a byte quantity (unknown unit; use bytes or a "
        "unit: Ki, Mi, Gi, Ti, k, M, G, T, e.g. 4Gi)"}},
      {"DiskMinimum",
       Append("  resources: {disk: 1Ki}\n"),
       {"24:21: spec.resources.disk: must be at least 1Mi, got 1Ki"}},
      {"BatchSizeRange",
       Append("  update: {batchSize: 0}\n"),
       {"24:23: spec.update.batchSize: must be at least 1, got 0"}},
      {"MinWaitRange",
       Append("  update: {minWaitInRunningSeconds: -1}\n"),
       {"24:37: spec.update.minWaitInRunningSeconds: must be at least 0, got -1"}},
      {"DeadlineAfterMinWait",
       Append("  update: {minWaitInRunningSeconds: 600, progressDeadlineSeconds: 600}\n"),
       {"24:67: spec.update.progressDeadlineSeconds: must be greater than "
        "minWaitInRunningSeconds (600), got 600"}},
      {"StrategyName",
       Append("  update: {strategy: rolling}\n"),
       {"24:22: spec.update.strategy: must be one of Rolling, Recreate, got 'rolling'; did you "
        "mean 'Rolling'?"}},
      {"RollbackIsBoolean",
       Append("  update: {rollbackOnFailure: yes}\n"),
       {"24:31: spec.update.rollbackOnFailure: must be true or false, got 'yes'"}},
      {"SyncPolicy",
       Append("  syncPolicy: ignore\n"),
       {"24:15: spec.syncPolicy: must be one of repair, warn, got 'ignore'"}},
      {"State",
       Append("  state: Stopped\n"),
       {"24:10: spec.state: must be one of Running, Paused, got 'Stopped'"}},
      {"ContainersOnlyForRoundRobin",
       Append("  packing: {containers: 2}\n"),
       {"24:25: spec.packing.containers: only RoundRobin takes a container count; "
        "ResourceCompliantRR computes it from spec.resources"}},
      {"ContainersAtMostInstances",
       Append("  packing: {algorithm: RoundRobin, containers: 4}\n"),
       {"24:48: spec.packing.containers: 4 containers for 3 instances would leave containers "
        "empty"}},
      {"ConstraintLimit",
       Append("  constraints: {host: \"limit:0\"}\n"),
       {"24:23: spec.constraints.host: limit constraint must be limit:<N> with N >= 1, got "
        "'limit:0'"}},
      {"ConstraintEmptyValue",
       Append("  constraints: {rack: \"r1,,r2\"}\n"),
       {"24:23: spec.constraints.rack: value constraint must be [!]value[,value...] with "
        "no empty values, got 'r1,,r2'"}},
      {"DedicatedRole",
       Append("  constraints: {dedicated: \"ads/streaming\"}\n"),
       {"24:28: spec.constraints.dedicated: the dedicated constraint must be exactly one "
        "value 'www-data/<group>' or '*/<group>', got 'ads/streaming'"}},
      {"LabelValue",
       Replace(base, "  name: wc\n", "  name: wc\n  labels: {team: \"a b\"}\n"),
       {"5:18: metadata.labels.team: label value 'a b' must be at most 256 letters, digits, "
        "'_', '-' or '.'"}},
      {"LabelsAreStrings",
       Replace(base, "  name: wc\n", "  name: wc\n  labels: {team: [a]}\n"),
       {"5:18: metadata.labels.team: must be a string, got a list"}},
      {"EcoNameMatches",
       Replace(base, "  topology:\n", "  topology:\n    name: other\n"),
       {"13:11: spec.topology.name: must equal metadata.name ('wc'), got 'other'"}},
      {"EcoType",
       Replace(base, "  topology:\n", "  topology:\n    type: flink\n"),
       {"13:11: spec.topology.type: must be one of heron, storm, got 'flink'"}},
      {"ConfigIsAMap",
       Replace(base, "  topology:\n", "  topology:\n    config: [a]\n"),
       {"13:13: spec.topology.config: must be a map of config keys to values, got a list"}},
      {"SecretLiteral",
       Replace(base, "  topology:\n", "  topology:\n    config: {db.password: hunter2}\n"),
       {"13:27: spec.topology.config[\"db.password\"]: looks like a credential; specs must not "
        "hold secrets: give a reference (file:/path or env:NAME) that the topology resolves "
        "itself, or keep the value in a file on the hosts or in the package's own config"}},
      {"SecretReferenceIsFine",
       Replace(base, "  topology:\n", "  topology:\n    config: {db.password: \"env:DB_PW\"}\n"),
       {}},
      {"StmgrsWithResourceCompliant",
       Replace(base, "  topology:\n", "  topology:\n    config: {topology.stmgrs: 2}\n"),
       {"13:31: spec.topology.config[\"topology.stmgrs\"]: ResourceCompliantRR computes the "
        "container count; remove topology.stmgrs or use packing.algorithm RoundRobin with "
        "packing.containers"}},
      {"StormWorkersWithResourceCompliant",  // no type: ECO's storm, workers = containers
       Replace(base, "  topology:\n", "  topology:\n    config: {topology.workers: 2}\n"),
       {"13:32: spec.topology.config[\"topology.workers\"]: ResourceCompliantRR computes the "
        "container count; remove topology.workers or use packing.algorithm RoundRobin with "
        "packing.containers"}},
      {"HeronTypeIgnoresStormWorkers",
       Replace(base, "  topology:\n",
               "  topology:\n    type: heron\n    config: {topology.workers: 2}\n"),
       {}},
      {"ComponentRamBelowTheJvmReserve",
       Replace(base, "  topology:\n",
               "  topology:\n    config:\n      topology.component.resourcemap: [{id: split, ram: "
               "128MB}]\n      topology.component.rammap: \"split:1073741824,nope:1\"\n"),
       {"14:57: spec.topology.config[\"topology.component.resourcemap\"][0].ram: RAM of 'split' "
        "is 128Mi; a Heron instance needs more than 192Mi (its JVM reserves 64Mi of code cache "
        "and 128Mi of metaspace)",
        "15:34: spec.topology.config[\"topology.component.rammap\"]: no spout or bolt has id "
        "'nope'"}},
      {"ResourceMapNamesComponents",
       Replace(base, "  topology:\n",
               "  topology:\n    config:\n      topology.component.resourcemap: [{id: nope, ram: "
               "1GB}]\n"),
       {"14:45: spec.topology.config[\"topology.component.resourcemap\"][0].id: no spout or "
        "bolt has id 'nope'"}},
      {"RefNamesAComponent",
       Replace(base, "        parallelism: 2\n",
               "        parallelism: 2\n        constructorArgs: [{ref: cfg}]\n"),
       {"20:33: spec.topology.bolts[0].constructorArgs[0].ref: no component (in "
        "spec.topology.components) has id 'cfg'"}},
      {"PropertyNeedsOneOfValueAndRef",
       Replace(base, "        parallelism: 2\n",
               "        parallelism: 2\n        properties: [{name: x}]\n"),
       {"20:22: spec.topology.bolts[0].properties[0]: needs exactly one of value and ref"}},
      {"NotAMap", "- just\n- a list\n", {"1:1: must be a map, got a list"}},
  };
}

// Every place of a spec that can carry a credential, each rejected at its own location.
std::vector<RuleCase> CredentialCases() {
  const std::string base = BaseSpec();
  const std::string no =
      "specs must not hold secrets: give a reference (file:/path or env:NAME) that the "
      "topology resolves itself, or keep the value in a file on the hosts or in the package's "
      "own config";
  const std::string bolt = "        parallelism: 2\n";
  return {
      {"PropertyValue",
       Replace(base, bolt, bolt + "        properties: [{name: dbPassword, value: hunter2}]\n"),
       {"20:48: spec.topology.bolts[0].properties[0].value: property 'dbPassword' looks like a "
        "credential; " +
        no}},
      {"PropertyReferenceIsFine",
       Replace(base, bolt,
               bolt + "        properties: [{name: dbPassword, value: \"file:/etc/pw\"}]\n"),
       {}},
      {"ConstructorArgUri",
       Replace(base, bolt, bolt + "        constructorArgs: [\"jdbc:mysql://app:pw@db:3306/x\"]\n"),
       {"20:27: spec.topology.bolts[0].constructorArgs[0]: holds a user name or password in a "
        "URI; " +
        no + " (a URI's credentials belong in a .netrc or credential file on the hosts)"}},
      {"ConfigMethodArg",
       Replace(base, bolt,
               bolt + "        configMethods: [{name: withAuth, args: [\"token=abc123\"]}]\n"),
       {"20:49: spec.topology.bolts[0].configMethods[0].args[0]: holds a value for 'token', "
        "which looks like a credential; " +
        no}},
      {"BeanProperty",
       Replace(base, "  topology:\n",
               "  topology:\n    components:\n      - id: cfg\n        className: a.B\n"
               "        properties: [{name: secret, value: s3}]\n"),
       {"16:44: spec.topology.components[0].properties[0].value: property 'secret' looks like a "
        "credential; " +
        no}},
      {"PackageUriUserinfo",
       Replace(base, "uri: file:///blobs/wc.tar.gz", "uri: https://bob:pw@blobs.example/wc.tar.gz"),
       {"10:10: spec.package.uri: holds a user name or password in a URI; " + no +
        " (a URI's credentials belong in a .netrc or credential file on the hosts)"}},
      {"JvmOptionInChildopts",
       Replace(base, "  topology:\n",
               "  topology:\n    config: {topology.worker.childopts: \"-Xmx1g "
               "-Djavax.net.ssl.keyStorePassword=changeit\"}\n"),
       {"13:41: spec.topology.config[\"topology.worker.childopts\"]: holds a value for "
        "'javax.net.ssl.keyStorePassword', which looks like a credential; " +
        no}},
      {"ComponentJvmOptions",
       Replace(base, "  topology:\n",
               "  topology:\n    config:\n      topology.component.jvmoptions: [{id: split, "
               "options: \"-Dapi.key=k\"}]\n"),
       {"14:60: spec.topology.config[\"topology.component.jvmoptions\"][0].options: holds a "
        "value for 'api.key', which looks like a credential; " +
        no}},
      {"UrlQueryToken",
       Replace(base, "  topology:\n",
               "  topology:\n    config: {user.endpoint: \"https://h/x?access_token=t0k\"}\n"),
       {"13:29: spec.topology.config[\"user.endpoint\"]: holds a value for 'access_token', which "
        "looks like a credential; " +
        no}},
      {"RuntimeConfigKey",
       BaseSpec() + "  runtimeConfig:\n    topology: {user.token: abc}\n",
       {"25:28: spec.runtimeConfig.topology[\"user.token\"]: looks like a credential; " + no}},
      {"LabelKey",
       Replace(base, "  name: wc\n", "  name: wc\n  labels: {api-key: k1}\n"),
       {"5:21: metadata.labels.api-key: looks like a credential; " + no}},
      {"PlacementOverride",
       Replace(base, "  cluster: devcluster\n",
               "  placement:\n    clusters:\n      - name: east\n        overrides: {config: "
               "{db.password: pw1}}\n"),
       // Found in the cluster's spec (overrides applied), said with the cluster's name.
       {"16:5: spec.topology.config[\"db.password\"]: looks like a credential; " + no +
        " (in cluster east, with its overrides)"}},
      {"ProseIsFine",
       Replace(base, "  topology:\n",
               "  topology:\n    config: {user.note: \"rotate the token monthly\", "
               "user.flag: true}\n"),
       {}},
  };
}

class ValidationRuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(ValidationRuleTest, ReportsExactLocationAndMessage) {
  const RuleCase& c = GetParam();
  EXPECT_EQ(ErrorsOf(c.yaml), c.errors) << c.yaml;
}

INSTANTIATE_TEST_SUITE_P(Rules, ValidationRuleTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return std::string(info.param.name); });
INSTANTIATE_TEST_SUITE_P(Credentials, ValidationRuleTest, ::testing::ValuesIn(CredentialCases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ValidationTest, CredentialValuesNeverAppearInErrors) {
  auto errors = ErrorsOf(
      Replace(BaseSpec(), "  topology:\n", "  topology:\n    config: {api.token: s3cr3t-value}\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].find("s3cr3t-value"), std::string::npos);
}

TEST(ValidationTest, EveryErrorOfAFileIsReportedAtOnce) {
  std::string yaml = Replace(BaseSpec(), "environment: devel", "environment: qa");
  yaml = Replace(yaml, "parallelism: 2", "parallelism: 0");
  yaml = Replace(yaml, "from: sentence", "from: nobody");
  yaml += "  update: {batchSize: 0}\n";
  EXPECT_EQ(ErrorsOf(yaml).size(), 4u);
}

TEST(ValidationTest, Identifiers) {
  EXPECT_TRUE(IsAuroraIdentifier("word-count_2.v1"));
  EXPECT_FALSE(IsAuroraIdentifier(""));
  EXPECT_FALSE(IsAuroraIdentifier("a b"));
  EXPECT_FALSE(IsAuroraIdentifier(std::string(256, 'a')));
  EXPECT_TRUE(IsAuroraEnvironment("staging"));
  EXPECT_TRUE(IsAuroraEnvironment("staging12"));
  EXPECT_FALSE(IsAuroraEnvironment("staging-1"));
  EXPECT_FALSE(IsAuroraEnvironment("production"));
}

}  // namespace
}  // namespace hgo::crd
