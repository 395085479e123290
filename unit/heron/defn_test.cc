// A package's .defn checked against the spec, and the trimmed Topology built from it.
#include "heron/defn.h"

#include <gtest/gtest.h>

#include "crd/parser.h"
#include "unit/crd/spec_fixture.h"

namespace hgo::heronmsg {
namespace {

crd::Topology Spec(const std::string& extra_config = "") {
  std::string yaml = crd::testing::BaseSpec();
  yaml = crd::testing::Replace(
      yaml, "    spouts:\n",
      "    config: {topology.debug: true" + extra_config + "}\n    spouts:\n");
  auto r = crd::ParseTopologies(yaml, "wc.yaml");
  EXPECT_TRUE(r.ok());
  return r.Topologies().at(0);
}

void AddKv(hp_api::Config* c, const std::string& key, const std::string& value,
           hp_api::ConfigValueType type = hp_api::STRING_VALUE) {
  auto* kv = c->add_kvs();
  kv->set_key(key);
  if (type == hp_api::STRING_VALUE) {
    kv->set_value(value);
  } else {
    kv->set_serialized_value(value);
  }
  kv->set_type(type);
}

// What heron-cli's run of the main class writes: serialized objects, its own id, the
// parallelism the code set, config of its own.
hp_api::Topology PackageDefn() {
  hp_api::Topology t;
  t.set_id("wc-from-the-build");
  t.set_name("WordCount");
  t.set_state(hp_api::RUNNING);
  auto* spout = t.add_spouts()->mutable_comp();
  spout->set_name("sentence");
  spout->set_spec(hp_api::JAVA_SERIALIZED_OBJECT);
  spout->set_serialized_object(std::string("\xac\xed\x00\x05spout", 9));
  AddKv(spout->mutable_config(), "topology.component.parallelism", "1");
  auto* bolt = t.add_bolts();
  bolt->mutable_comp()->set_name("split");
  bolt->mutable_comp()->set_spec(hp_api::JAVA_SERIALIZED_OBJECT);
  bolt->mutable_comp()->set_serialized_object(std::string("\xac\xed\x00\x05split", 9));
  AddKv(bolt->mutable_comp()->mutable_config(), "topology.component.parallelism", "8");
  AddKv(bolt->mutable_comp()->mutable_config(), "custom.bolt.key", "kept");
  auto* in = bolt->add_inputs();
  in->mutable_stream()->set_id("default");
  in->mutable_stream()->set_component_name("sentence");
  in->set_gtype(hp_api::SHUFFLE);
  auto* config = t.mutable_topology_config();
  AddKv(config, "topology.debug", "false");
  AddKv(config, "topology.worker.childopts", "-XX:+UseG1GC");
  AddKv(config, "topology.kryo.register", "\x01\x02", hp_api::JAVA_SERIALIZED_VALUE);
  AddKv(config, "topology.stmgrs", "1");
  return t;
}

std::map<std::string, std::string> ConfigMap(const hp_api::Config& c) {
  std::map<std::string, std::string> out;
  for (const auto& kv : c.kvs()) {
    out[kv.key()] = kv.type() == hp_api::STRING_VALUE ? kv.value() : "<serialized>";
  }
  return out;
}

TEST(DefnTest, MatchingDefnIsTrimmedAndTheSpecOverrides) {
  auto out = TopologyFromDefn(SerializeHeronMessage(PackageDefn()), "wc.defn", Spec(),
                              "wc-0123abcd", 3, "f00d");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->id(), "wc-0123abcd");
  EXPECT_EQ(out->name(), "wc");
  EXPECT_EQ(out->state(), hp_api::RUNNING);
  ASSERT_EQ(out->spouts_size(), 1);
  ASSERT_EQ(out->bolts_size(), 1);
  EXPECT_FALSE(out->spouts(0).comp().has_serialized_object());
  EXPECT_FALSE(out->bolts(0).comp().has_serialized_object());
  EXPECT_EQ(ConfigMap(out->spouts(0).comp().config()).at("topology.component.parallelism"), "1");
  auto bolt_config = ConfigMap(out->bolts(0).comp().config());
  EXPECT_EQ(bolt_config.at("topology.component.parallelism"), "2");  // the spec's, not 8
  EXPECT_EQ(bolt_config.at("custom.bolt.key"), "kept");
  auto config = ConfigMap(out->topology_config());
  EXPECT_EQ(config.at("topology.debug"), "true");  // the spec overrides the package
  EXPECT_EQ(config.at("topology.worker.childopts"), "-XX:+UseG1GC");  // the package's own
  EXPECT_EQ(config.at("topology.kryo.register"), "<serialized>");
  EXPECT_EQ(config.at("topology.stmgrs"), "3");
  EXPECT_EQ(config.at("topology.name"), "wc");
  EXPECT_EQ(config.at("topology.team.name"), "www-data");
  EXPECT_EQ(config.at("heron-gitops.spec-hash"), "f00d");  // read back by the controller
  // An overridden key appears once.
  int stmgrs = 0;
  for (const auto& kv : out->topology_config().kvs()) stmgrs += kv.key() == "topology.stmgrs";
  EXPECT_EQ(stmgrs, 1);
}

// Heron keeps runtime config as `key:runtime` kvs (TopologyConfigHelper); written into
// topologies/<name>, a restarted topology manager starts with the revision's values.
TEST(DefnTest, RuntimeConfigIsWrittenAsHeronsRuntimeKvs) {
  auto r = crd::ParseTopologies(crd::testing::BaseSpec() +
                                    "  runtimeConfig:\n"
                                    "    topology: {user.rate: 5}\n"
                                    "    components: {split: {user.batch: 100}}\n",
                                "wc.yaml");
  ASSERT_TRUE(r.ok());
  auto out = TopologyFromDefn(SerializeHeronMessage(PackageDefn()), "wc.defn", r.Topologies().at(0),
                              "wc-1", 2);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(ConfigMap(out->topology_config()).at("user.rate:runtime"), "5");
  EXPECT_EQ(ConfigMap(out->bolts(0).comp().config()).at("user.batch:runtime"), "100");
  EXPECT_EQ(ConfigMap(out->spouts(0).comp().config()).count("user.batch:runtime"), 0u);
  EXPECT_EQ(RuntimeConfigOf(*out), r.Topologies().at(0).spec.runtime_config);

  // Set again, a value is replaced, not added twice; an unknown component changes nothing.
  hp_api::Topology t = *out;
  ASSERT_TRUE(SetRuntimeConfig(t, {{"user.rate", "6"}}).ok());
  EXPECT_EQ(RuntimeConfigOf(t).at("user.rate"), "6");
  EXPECT_EQ(t.topology_config().kvs_size(), out->topology_config().kvs_size());
  const std::string before = t.SerializeAsString();
  EXPECT_EQ(SetRuntimeConfig(t, {{"user.rate", "7"}, {"count:user.batch", "1"}}).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(t.SerializeAsString(), before);
}

TEST(DefnTest, EveryDifferenceOfThePlanIsListed) {
  hp_api::Topology defn = PackageDefn();
  defn.mutable_bolts(0)->mutable_inputs(0)->set_gtype(hp_api::FIELDS);
  auto* extra = defn.add_bolts();
  extra->mutable_comp()->set_name("count");
  AddKv(extra->mutable_comp()->mutable_config(), "topology.component.parallelism", "1");
  defn.mutable_spouts(0)->mutable_comp()->set_name("sentences");
  auto out = TopologyFromDefn(SerializeHeronMessage(defn), "pkg/wc.defn", Spec(), "id", 1);
  ASSERT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  const std::string msg = out.status().message();
  EXPECT_NE(msg.find("pkg/wc.defn"), std::string::npos) << msg;
  EXPECT_NE(msg.find("spout 'sentence' is in the spec only"), std::string::npos) << msg;
  EXPECT_NE(msg.find("spout 'sentences' is in the package only"), std::string::npos) << msg;
  EXPECT_NE(msg.find("bolt 'count' is in the package only"), std::string::npos) << msg;
  EXPECT_NE(msg.find("stream sentence -> split (stream default, grouping SHUFFLE) is in the spec"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("stream sentence -> split (stream default, grouping FIELDS) is in the "
                     "package only"),
            std::string::npos)
      << msg;
}

TEST(DefnTest, GarbageIsAnErrorNamingTheFile) {
  auto out = TopologyFromDefn(std::string("\xff\xff\xff\xff", 4), "bad.defn", Spec(), "id", 1);
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("bad.defn"), std::string::npos);
}

TEST(DefnTest, ADefnMadeFromTheSpecGivesWhatBuildTopologyWrites) {
  crd::Topology spec = Spec();
  auto out = TopologyFromDefn(DefnFromSpec(spec, "wc-1", 2), "gen.defn", spec, "wc-1", 2);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(SerializeHeronMessage(*out), SerializeHeronMessage(BuildTopology(spec, "wc-1", 2)));
}

}  // namespace
}  // namespace hgo::heronmsg
