// Flags and files the controller reads: --source, clusters.yaml, durations; and metrics output.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "controller/cluster/clusters.h"
#include "controller/metrics.h"
#include "sources/sources.h"

namespace hgo::controller {
namespace {

TEST(SourceFlagTest, ParsesEveryKindAndOption) {
  auto d = sources::ParseSourceFlag("dir:/specs");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, sources::SourceConfig::Kind::kDir);
  EXPECT_EQ(d->location, "/specs");
  EXPECT_FALSE(d->allow_empty);

  auto g = sources::ParseSourceFlag(
      "git:https://git.example.com/team/specs.git#prod//heron/topologies?interval=30s&allowEmpty");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->kind, sources::SourceConfig::Kind::kGit);
  EXPECT_EQ(g->location, "https://git.example.com/team/specs.git");
  EXPECT_EQ(g->branch, "prod");
  EXPECT_EQ(g->subdir, "heron/topologies");
  EXPECT_EQ(g->interval, std::chrono::seconds(30));
  EXPECT_TRUE(g->allow_empty);

  auto local = sources::ParseSourceFlag("git:/srv/specs.git");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->location, "/srv/specs.git");
  EXPECT_TRUE(local->branch.empty());

  auto s = sources::ParseSourceFlag("spool:/var/spool/heron?credentials=/etc/x");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, sources::SourceConfig::Kind::kSpool);
  EXPECT_EQ(s->credentials_file, "/etc/x");

  auto w = sources::ParseSourceFlag("git:https://h/specs.git?webhookSecret=/etc/hook&interval=1h");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->webhook_secret_file, "/etc/hook");
}

TEST(SourceFlagTest, RejectsWhatItDoesNotKnow) {
  EXPECT_FALSE(sources::ParseSourceFlag("/specs").ok());
  EXPECT_FALSE(sources::ParseSourceFlag("s3:bucket").ok());
  EXPECT_FALSE(sources::ParseSourceFlag("dir:").ok());
  EXPECT_FALSE(sources::ParseSourceFlag("dir:/a?bogus").ok());
  EXPECT_FALSE(sources::ParseSourceFlag("git:/a#").ok());
  EXPECT_FALSE(sources::ParseSourceFlag("git:/a?interval=0s").ok());
  EXPECT_FALSE(sources::ParseSourceFlag("git:/a?interval=5d").ok());
  EXPECT_FALSE(sources::ParseSourceFlag("git:/a?webhookSecret=").ok());
}

TEST(DurationTest, SecondsMinutesHours) {
  EXPECT_EQ(*ParseDurationSeconds("90"), std::chrono::seconds(90));
  EXPECT_EQ(*ParseDurationSeconds("5m"), std::chrono::seconds(300));
  EXPECT_EQ(*ParseDurationSeconds("1h"), std::chrono::seconds(3600));
  EXPECT_FALSE(ParseDurationSeconds("").ok());
  EXPECT_FALSE(ParseDurationSeconds("m").ok());
  EXPECT_FALSE(ParseDurationSeconds("-1s").ok());
}

TEST(ClustersTest, ParsesUrlAndServersetClusters) {
  auto c = ParseClusters(R"(clusters:
  - name: devcluster
    aurora: {url: "http://127.0.0.1:8081"}
    credentials: /etc/heron-controller/aurora.cred
    heron: {zookeeper: "127.0.0.1:2181", root: /heron, version: "0.20.3-incubating",
            corePackage: "file:///var/heron/heron-core.tar.gz"}
  - name: prod
    aurora: {zookeeper: "zk1:2181,zk2:2181", path: /aurora/prod/scheduler}
    heron: {zookeeper: "zk1:2181"}
)",
                         "clusters.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].aurora_url, "http://127.0.0.1:8081");
  EXPECT_EQ((*c)[0].config.heron_version, "0.20.3-incubating");
  EXPECT_EQ((*c)[0].config.core_package_uri, "file:///var/heron/heron-core.tar.gz");
  EXPECT_EQ((*c)[0].credentials_file, "/etc/heron-controller/aurora.cred");
  EXPECT_EQ((*c)[0].config.job_link_template,
            "http://127.0.0.1:8081/scheduler/{role}/{env}/{name}");
  EXPECT_EQ((*c)[1].aurora_zookeeper, "zk1:2181,zk2:2181");
  EXPECT_EQ((*c)[1].aurora_path, "/aurora/prod/scheduler");
  EXPECT_EQ((*c)[1].config.statemgr_root, "/heron");
}

// Per-role identities and an HTTPS scheduler's CA file; a role mapped to nothing is an error at
// its line.
TEST(ClustersTest, RoleCredentialsAndTheSchedulersCaFile) {
  auto c = ParseClusters(R"(clusters:
  - name: devcluster
    aurora: {url: "https://aurora:8081", caFile: /etc/ssl/aurora-ca.crt}
    credentials: /etc/hc/default.cred
    roleCredentials:
      www-data: /etc/hc/www.cred
      ads: /etc/hc/ads.cred
    heron: {zookeeper: "127.0.0.1:2181"}
)",
                         "clusters.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ((*c)[0].aurora_ca_file, "/etc/ssl/aurora-ca.crt");
  EXPECT_EQ((*c)[0].credentials_file, "/etc/hc/default.cred");
  EXPECT_EQ((*c)[0].role_credentials,
            (std::map<std::string, std::string>{{"ads", "/etc/hc/ads.cred"},
                                                {"www-data", "/etc/hc/www.cred"}}));
  auto empty = ParseClusters(
      "clusters:\n  - name: a\n    aurora: {url: \"http://x\"}\n    roleCredentials:\n"
      "      ads:\n    heron: {zookeeper: z}\n",
      "c.yaml");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("clusters[0].roleCredentials.ads"), std::string::npos)
      << empty.status();
  auto list = ParseClusters(
      "clusters:\n  - name: a\n    aurora: {url: \"http://x\"}\n    roleCredentials: [x]\n"
      "    heron: {zookeeper: z}\n",
      "c.yaml");
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.status().message().find("c.yaml:4"), std::string::npos) << list.status();
}

// The clusters files the docs show are files the controller accepts.
TEST(ClustersTest, TheDocsExamplesParse) {
  for (const char* doc : {"docs/aurora.md", "docs/operations.md"}) {
    std::ifstream in(std::string(HGO_SOURCE_DIR) + "/" + doc);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    const size_t start = s.rfind("```yaml\n", s.find("\nclusters:\n"));
    ASSERT_NE(start, std::string::npos) << doc;
    const size_t body = start + 8;
    const std::string yaml = s.substr(body, s.find("```", body) - body);
    ASSERT_NE(yaml.find("clusters:"), std::string::npos) << doc;
    auto parsed = ParseClusters(yaml, doc);
    ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << yaml;
    EXPECT_EQ(parsed->at(0).config.name, "devcluster");
  }
}

TEST(ClustersTest, ErrorsNameTheFileLineAndField) {
  auto e = ParseClusters(
      "clusters:\n  - name: a\n    aurora: {url: \"ftp://x\"}\n"
      "    heron: {zookeeper: z}\n",
      "c.yaml");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("c.yaml:3"), std::string::npos) << e.status();
  EXPECT_NE(e.status().message().find("clusters[0].aurora.url"), std::string::npos);

  auto both = ParseClusters(
      "clusters:\n  - name: a\n    aurora: {url: \"http://x\", zookeeper: z}\n    heron: "
      "{zookeeper: z}\n",
      "c.yaml");
  EXPECT_FALSE(both.ok());
  auto unknown =
      ParseClusters("clusters:\n  - name: a\n    auroa: {url: \"http://x\"}\n", "c.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("clusters[0].auroa: unknown field"), std::string::npos)
      << unknown.status();
  auto dup = ParseClusters(
      "clusters:\n  - {name: a, aurora: {url: \"http://x\"}, heron: {zookeeper: z}}\n"
      "  - {name: a, aurora: {url: \"http://y\"}, heron: {zookeeper: z}}\n",
      "c.yaml");
  EXPECT_FALSE(dup.ok());
  EXPECT_FALSE(ParseClusters("clusters: [\n", "c.yaml").ok());
  EXPECT_FALSE(ParseClusters("clusters: []\n", "c.yaml").ok());
  // Read as specs are (crd::ConfigFile): a key written twice is refused, not silently replaced.
  auto twice = ParseClusters(
      "clusters:\n  - name: a\n    name: b\n    aurora: {url: \"http://x\"}\n"
      "    heron: {zookeeper: z}\n",
      "c.yaml");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("c.yaml:3"), std::string::npos) << twice.status();
  auto missing =
      ParseClusters("clusters:\n  - name: a\n    aurora: {url: \"http://x\"}\n", "c.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("c.yaml:2: clusters[0].heron: is required"),
            std::string::npos)
      << missing.status();
}

TEST(ClustersTest, AVersionWrittenAsANumberIsTakenAsWritten) {
  auto c = ParseClusters(
      "clusters:\n  - name: a\n    aurora: {url: \"http://x\"}\n"
      "    heron: {zookeeper: z, version: 0.20}\n",
      "c.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->at(0).config.heron_version, "0.20");
}

TEST(MetricsTest, RendersPrometheusText) {
  Metrics m;
  m.Describe("x_total", Metrics::Type::kCounter, "Things.");
  m.Inc("x_total", {{"result", "ok"}});
  m.Inc("x_total", {{"result", "ok"}});
  m.Describe("lat_seconds", Metrics::Type::kHistogram, "Latency.");
  m.Observe("lat_seconds", {}, 0.2);
  m.Observe("lat_seconds", {}, 3);
  const std::string text = m.Render();
  EXPECT_NE(text.find("# TYPE x_total counter\nx_total{result=\"ok\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.25\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"5\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_count 2\n"), std::string::npos) << text;
  EXPECT_EQ(m.Value("x_total", {{"result", "ok"}}), 2);
  EXPECT_EQ(m.Count("lat_seconds"), 2u);
  m.Set("g", {{"phase", "a\"b"}}, 1);
  EXPECT_NE(m.Render().find("g{phase=\"a\\\"b\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace hgo::controller
