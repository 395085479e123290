// Packages: deterministic archives, the manifest, opening ours and heron-cli's, pushing to and
// reading from a directory store, and the sha256 check the controller relies on.
#include "packager/package.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/file_util.h"
#include "common/sha256.h"
#include "heron/messages.h"
#include "packager/archive.h"
#include "packager/blob_store.h"

namespace hgo::packager {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Defn(const std::string& name = "word-count") {
  heronmsg::hp_api::Topology t;
  t.set_id("id-from-the-build");
  t.set_name(name);
  t.set_state(heronmsg::hp_api::RUNNING);
  auto* spout = t.add_spouts()->mutable_comp();
  spout->set_name("sentence");
  spout->set_class_name("com.example.SentenceSpout");
  auto* kv = spout->mutable_config()->add_kvs();
  kv->set_key("topology.component.parallelism");
  kv->set_value("2");
  kv->set_type(heronmsg::hp_api::STRING_VALUE);
  auto* bolt = t.add_bolts();
  bolt->mutable_comp()->set_name("split");
  bolt->mutable_comp()->set_class_name("com.example.SplitBolt");
  bolt->mutable_comp()->mutable_config();
  auto* in = bolt->add_inputs();
  in->mutable_stream()->set_id("default");
  in->mutable_stream()->set_component_name("sentence");
  in->set_gtype(heronmsg::hp_api::SHUFFLE);
  return heronmsg::SerializeHeronMessage(t);
}

PackageInputs Inputs() {
  PackageInputs in;
  in.binary_name = "word-count.jar";
  in.binary = "PK\x03\x04 pretend jar";
  in.defn = Defn();
  in.defn_source = "given";
  in.conf_files = {{"aurora/scheduler.yaml", "heron.class.scheduler: x\n"},
                   {"aurora/heron.aurora", "job = ...\n"},
                   {"heron_internals.yaml", "heron.logging.directory: \"log-files\"\n"},
                   {"metrics_sinks.yaml", "sinks: []\n"},
                   {"statemgr.yaml",
                    "heron.class.state.manager: "
                    "org.apache.heron.statemgr.zookeeper.curator.CuratorStateManager\n"
                    "heron.statemgr.root.path: \"/heron\"  # the cluster's\n"}};
  return in;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/hgo-package-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ArchiveTest, TheSameEntriesInAnyOrderGiveTheSameBytes) {
  std::vector<ArchiveEntry> a = {{"b/x.txt", "x"}, {"a.bin", "aaa", true}, {"b/c/y", ""}};
  std::vector<ArchiveEntry> b = {a[2], a[0], a[1]};
  auto first = WriteTarGz(a);
  auto second = WriteTarGz(b);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  // gzip header: magic, CM=8, and MTIME (bytes 4..7) zero, so the build time is not in it.
  ASSERT_GT(first->size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>((*first)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*first)[1]), 0x8b);
  EXPECT_EQ(first->substr(4, 4), std::string(4, '\0'));

  auto read = ReadArchive(*first, "t.tar.gz", 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 3u);
  EXPECT_EQ((*read)[0].path, "a.bin");
  EXPECT_TRUE((*read)[0].executable);
  EXPECT_EQ((*read)[1].path, "b/c/y");
  EXPECT_EQ((*read)[2].data, "x");
  EXPECT_FALSE((*read)[2].executable);
}

TEST(ArchiveTest, UnsafeOrDuplicatePathsAreRefused) {
  for (const std::string bad : {"", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a/"}) {
    auto r = WriteTarGz({{bad, "x"}});
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << "'" << bad << "'";
  }
  EXPECT_THAT(WriteTarGz({{"a", "1"}, {"a", "2"}}).status().message(), HasSubstr("twice"));
  EXPECT_THAT(WriteTarGz({{"a", "1"}, {"a/b", "2"}}).status().message(),
              HasSubstr("both a file and a directory"));
}

TEST(ArchiveTest, ReadingRefusesGarbageAndOversizedArchives) {
  auto garbage = ReadArchive("this is not a tarball at all", "x.tar.gz", 1 << 20);
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(garbage.status().message(), HasSubstr("x.tar.gz"));
  auto bytes = WriteTarGz({{"big", std::string(1000, 'b')}});
  ASSERT_TRUE(bytes.ok());
  EXPECT_THAT(ReadArchive(*bytes, "p", 999).status().message(), HasSubstr("more than 999 bytes"));
  auto truncated = ReadArchive(bytes->substr(0, bytes->size() / 2), "p", 1 << 20);
  EXPECT_FALSE(truncated.ok());
}

TEST(ArchiveTest, ReadsArchivesMadeByTarWithDotSlashPathsAndRefusesLinks) {
  TempDir dir;
  fs::create_directories(dir.path() + "/stage/heron-conf");
  std::ofstream(dir.path() + "/stage/wc.defn") << "d";
  std::ofstream(dir.path() + "/stage/heron-conf/a.yaml") << "a: 1\n";
  ASSERT_EQ(
      std::system(("tar czf " + dir.path() + "/p.tar.gz -C " + dir.path() + "/stage .").c_str()),
      0);
  auto bytes = ReadFileLimited(dir.path() + "/p.tar.gz", 1 << 20);
  ASSERT_TRUE(bytes.ok());
  auto read = ReadArchive(*bytes, "p.tar.gz", 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status();
  std::vector<std::string> paths;
  for (const auto& e : *read) paths.push_back(e.path);
  EXPECT_THAT(paths, ::testing::UnorderedElementsAre("wc.defn", "heron-conf/a.yaml"));

  fs::create_symlink("/etc/passwd", dir.path() + "/stage/link");
  ASSERT_EQ(
      std::system(("tar czf " + dir.path() + "/l.tar.gz -C " + dir.path() + "/stage .").c_str()),
      0);
  auto linked =
      ReadArchive(*ReadFileLimited(dir.path() + "/l.tar.gz", 1 << 20), "l.tar.gz", 1 << 20);
  EXPECT_THAT(linked.status().message(), HasSubstr("'link' is not a regular file"));
}

TEST(PackageTest, BinaryTypesFollowHeronCli) {
  EXPECT_EQ(*BinaryType("a.jar"), "jar");
  EXPECT_EQ(*BinaryType("a.tar.gz"), "tar");
  EXPECT_EQ(*BinaryType("a.tar"), "tar");
  EXPECT_EQ(*BinaryType("a.pex"), "pex");
  EXPECT_EQ(*BinaryType("a.so"), "so");
  EXPECT_THAT(BinaryType("a.zip").status().message(), HasSubstr("'a.zip' is not a topology"));
}

TEST(PackageTest, BuildIsByteIdenticalAndLaidOutLikeHeronCli) {
  auto a = BuildPackage(Inputs());
  auto b = BuildPackage(Inputs());
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->bytes, b->bytes);
  EXPECT_EQ(a->sha256, Sha256Hex(a->bytes));

  auto files = ReadArchive(a->bytes, "p", 1 << 20);
  ASSERT_TRUE(files.ok());
  std::vector<std::string> paths;
  for (const auto& f : *files) paths.push_back(f.path);
  // heron-cli's layout, with the override.yaml it always writes (empty without properties).
  EXPECT_THAT(paths, ::testing::ElementsAre(
                         "heron-conf/aurora/heron.aurora", "heron-conf/aurora/scheduler.yaml",
                         "heron-conf/heron_internals.yaml", "heron-conf/metrics_sinks.yaml",
                         "heron-conf/override.yaml", "heron-conf/statemgr.yaml",
                         "heron-gitops-manifest.json", "word-count.defn", "word-count.jar"));
  EXPECT_EQ(a->manifest.Find("topology")->as_string(), "word-count");
  EXPECT_EQ((*a->manifest.Find("binary")->Find("type")).as_string(), "jar");
  EXPECT_EQ(a->manifest.Find("files")->Find("word-count.defn")->Find("sha256")->as_string(),
            Sha256Hex(Defn()));

  PackageInputs changed = Inputs();
  changed.conf_files["aurora/scheduler.yaml"] += "# one more line\n";
  EXPECT_NE(BuildPackage(changed)->sha256, a->sha256);
}

TEST(PackageTest, BuildRefusesAnUnknownBinaryAndABadDefn) {
  PackageInputs in = Inputs();
  in.binary_name = "wc.zip";
  EXPECT_EQ(BuildPackage(in).status().code(), StatusCode::kInvalidArgument);
  in = Inputs();
  in.defn = "\xff\xff not a topology";
  EXPECT_THAT(BuildPackage(in).status().message(), HasSubstr(".defn"));
}

TEST(PackageTest, BuildRefusesWhatHeronsExecutorCouldNotRun) {
  PackageInputs in = Inputs();
  in.conf_files.clear();
  auto no_conf = BuildPackage(in);
  EXPECT_EQ(no_conf.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(no_conf.status().message(), HasSubstr("heron-conf/heron_internals.yaml is missing"));
  EXPECT_THAT(no_conf.status().message(), HasSubstr("--conf-dir"));

  in = Inputs();
  in.conf_files["statemgr.yaml"] = "heron.statemgr.root.path: /heron\n";
  EXPECT_THAT(BuildPackage(in).status().message(),
              HasSubstr("heron-conf/statemgr.yaml has no 'heron.class.state.manager'"));
  // A key inside a nested map or a comment is not the top-level key the executor reads.
  in = Inputs();
  in.conf_files["heron_internals.yaml"] =
      "# heron.logging.directory: x\nnested:\n  heron.logging.directory: y\n";
  EXPECT_THAT(BuildPackage(in).status().message(), HasSubstr("'heron.logging.directory'"));
}

TEST(PackageTest, TopLevelValuesAndTheStateManagerRoot) {
  EXPECT_EQ(TopLevelValue("a.b: 1\nc: \"x y\"  # why\n", "c"), "x y");
  EXPECT_EQ(TopLevelValue("'a.b': '/r'\n", "a.b"), "/r");
  EXPECT_EQ(TopLevelValue("a.bc: 1\n", "a.b"), std::nullopt);
  EXPECT_EQ(TopLevelValue(" a.b: 1\n", "a.b"), std::nullopt);

  auto built = BuildPackage(Inputs());
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(StateManagerRoot(*OpenPackage(built->bytes, "p")), "/heron");
  PackageInputs in = Inputs();
  in.conf_files["override.yaml"] = "heron.statemgr.root.path: /elsewhere\n";
  auto overridden = BuildPackage(in);
  ASSERT_TRUE(overridden.ok()) << overridden.status();
  EXPECT_EQ(StateManagerRoot(*OpenPackage(overridden->bytes, "p")), "/elsewhere");
}

TEST(PackageTest, OpenReadsTheDefnAndChecksTheManifest) {
  auto built = BuildPackage(Inputs());
  ASSERT_TRUE(built.ok());
  auto p = OpenPackage(built->bytes, "wc.tar.gz");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->topology_name, "word-count");
  EXPECT_EQ(p->defn_name, "word-count.defn");
  EXPECT_EQ(p->defn, Defn());
  EXPECT_EQ(p->binary_name, "word-count.jar");
  EXPECT_EQ(p->binary_type, "jar");

  const std::string text = DescribePackage(*p, built->sha256, built->bytes.size());
  EXPECT_THAT(text, HasSubstr("Topology:  word-count"));
  EXPECT_THAT(text, HasSubstr("sentence  x2  com.example.SentenceSpout"));
  EXPECT_THAT(text, HasSubstr("sentence -> split  SHUFFLE (stream default)"));
  EXPECT_THAT(text, HasSubstr("(from given)"));
  Json j = PackageJson(*p, built->sha256, built->bytes.size());
  EXPECT_EQ(j["bolts"].as_array().at(0)["id"].as_string(), "split");

  // A file changed after the build no longer matches the manifest.
  auto files = ReadArchive(built->bytes, "p", 1 << 20);
  for (auto& f : *files) {
    if (f.path == "word-count.jar") f.data += "tampered";
  }
  auto tampered = OpenPackage(*WriteTarGz(*files), "wc.tar.gz");
  EXPECT_THAT(tampered.status().message(),
              HasSubstr("'word-count.jar' does not match the sha256 in the manifest"));
}

TEST(PackageTest, OpenAcceptsAHeronCliPackageAndRefusesZeroOrTwoDefns) {
  auto heron_cli = WriteTarGz({{"wc.jar", "jar"}, {"word-count.defn", Defn()}});
  auto p = OpenPackage(*heron_cli, "wc.tar.gz");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->manifest.is_null());
  EXPECT_EQ(p->binary_name, "wc.jar");  // any name: the only binary at the top level
  EXPECT_EQ(p->binary_type, "jar");
  // ...but without heron-conf/ Heron's executor would not start.
  EXPECT_EQ(CheckDeployable(*p, "wc.tar.gz").code(), StatusCode::kFailedPrecondition);
  auto pex = WriteTarGz({{"wc.pex", "pex"}, {"word-count.defn", Defn()}, {"libs/x.jar", "x"}});
  EXPECT_EQ(OpenPackage(*pex, "p")->binary_type, "pex");
  auto ambiguous = WriteTarGz({{"a.jar", "a"}, {"b.pex", "b"}, {"word-count.defn", Defn()}});
  EXPECT_THAT(OpenPackage(*ambiguous, "p").status().message(),
              HasSubstr("more than one topology binary (a.jar, b.pex)"));
  EXPECT_THAT(DescribePackage(*p, "x", 1), HasSubstr("none (not built by heronctl)"));

  auto none = WriteTarGz({{"wc.jar", "jar"}});
  EXPECT_THAT(OpenPackage(*none, "wc.tar.gz").status().message(),
              HasSubstr("exactly one <topology>.defn at its top level; found 0"));
  auto two = WriteTarGz({{"a.defn", Defn()}, {"b.defn", Defn()}});
  EXPECT_THAT(OpenPackage(*two, "wc.tar.gz").status().message(), HasSubstr("found 2"));
  auto bad = WriteTarGz({{"a.defn", "\xff\xff garbage"}});
  EXPECT_THAT(OpenPackage(*bad, "wc.tar.gz").status().message(), HasSubstr("wc.tar.gz: a.defn"));
}

TEST(BlobStoreTest, PushToADirectoryIsContentAddressedAndIdempotent) {
  TempDir dir;
  auto built = BuildPackage(Inputs());
  auto uri = PushPackage(built->bytes, built->sha256, "file://" + dir.path() + "/store/");
  ASSERT_TRUE(uri.ok()) << uri.status();
  EXPECT_EQ(*uri, "file://" + dir.path() + "/store/" + built->sha256 + ".tar.gz");
  EXPECT_EQ(*FetchPackage(*uri), built->bytes);
  EXPECT_EQ(*PushPackage(built->bytes, built->sha256, "file://" + dir.path() + "/store"), *uri);
  EXPECT_EQ(PushPackage("x", "y", "s3://bucket").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FetchPackage("hdfs://x/y").status().code(), StatusCode::kInvalidArgument);
}

TEST(BlobStoreTest, TheReaderChecksTheSha256AndKeepsTheFacts) {
  TempDir dir;
  PackageInputs in = Inputs();
  in.binary_name = "wc-topology.pex";
  auto built = BuildPackage(in);
  auto uri = PushPackage(built->bytes, built->sha256, "file://" + dir.path());
  ASSERT_TRUE(uri.ok());
  FetchingPackageReader reader;
  auto facts = reader.Open(*uri, built->sha256);
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ((*facts)->defn, Defn());
  EXPECT_EQ((*facts)->defn_name, "word-count.defn");
  EXPECT_EQ((*facts)->binary_name, "wc-topology.pex");
  EXPECT_EQ((*facts)->binary_type, "pex");
  EXPECT_EQ((*facts)->statemgr_root, "/heron");
  EXPECT_EQ(*reader.Open(*uri, built->sha256), *facts) << "the same facts, shared";
  EXPECT_EQ(reader.fetches(), 1u);  // the second answer came from the cache
  EXPECT_TRUE(reader.Open(*uri, built->sha256, /*fresh=*/true).ok());
  EXPECT_EQ(reader.fetches(), 1u);  // a sha256 vouches for the bytes: no need to read again
  EXPECT_TRUE(reader.Open(*uri, "").ok());
  EXPECT_TRUE(reader.Open(*uri, "", /*fresh=*/true).ok());
  EXPECT_EQ(reader.fetches(), 3u);  // without one, fresh reads again

  // A package heron-cli laid out without heron-conf/ is refused, naming the file.
  const std::string bare = dir.path() + "/bare.tar.gz";
  ASSERT_TRUE(
      WriteFileAtomic(bare, *WriteTarGz({{"wc.jar", "j"}, {"word-count.defn", Defn()}})).ok());
  EXPECT_THAT(reader.Open("file://" + bare, "").status().message(),
              HasSubstr("heron-conf/heron_internals.yaml is missing"));

  // The same bytes at another URI are checked again: a right sha256 does not vouch for a
  // different location.
  const std::string copy = dir.path() + "/copy.tar.gz";
  ASSERT_TRUE(WriteFileAtomic(copy, built->bytes + "x").ok());
  EXPECT_EQ(reader.Open("file://" + copy, built->sha256).status().code(),
            StatusCode::kFailedPrecondition);

  const std::string wrong(64, 'a');
  auto mismatch = reader.Open(*uri, wrong);
  EXPECT_EQ(mismatch.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(mismatch.status().message(),
              HasSubstr("has sha256 " + built->sha256 + ", the spec says " + wrong));

  auto missing = reader.Open("file://" + dir.path() + "/nope.tar.gz", "");
  EXPECT_THAT(missing.status().message(), HasSubstr("spec.package.uri"));
  EXPECT_THAT(missing.status().message(), HasSubstr("nope.tar.gz"));
}

}  // namespace
}  // namespace hgo::packager
