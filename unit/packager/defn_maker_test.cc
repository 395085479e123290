// Making a .defn the way heron-cli does, with a stand-in for java that records how it was run.
#include "packager/defn_maker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/file_util.h"

namespace hgo::packager {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class DefnMakerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hgo-defn-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    fs::create_directories(dir_ + "/heron/lib/third_party");
    std::ofstream(dir_ + "/wc.jar") << "jar";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A `java` that logs its argv and HERON_OPTIONS, then acts as `body` says.
  std::string FakeJava(const std::string& body) {
    const std::string path = dir_ + "/java";
    std::ofstream(path) << "#!/bin/sh\n"
                        << "echo \"$@\" > " << dir_ << "/argv\n"
                        << "echo \"$HERON_OPTIONS\" > " << dir_ << "/options\n"
                        << "out=$(echo \"$HERON_OPTIONS\" | tr ',' '\\n' | "
                           "sed -n 's/^cmdline.topologydefn.tmpdirectory=//p')\n"
                        << body;
    ::chmod(path.c_str(), 0755);
    return path;
  }

  MainClassRun Run(const std::string& java) {
    MainClassRun run;
    run.heron_home = dir_ + "/heron";
    run.java = java;
    run.binary = dir_ + "/wc.jar";
    run.main_class = "com.example.WordCountTopology";
    run.args = {"word-count", "--fast"};
    run.cluster = "devcluster";
    run.role = "www-data";
    run.environment = "devel";
    run.submit_user = "alice smith";
    return run;
  }

  std::string dir_;
};

TEST(HeronOptionsTest, CommaSeparatedWithSpacesEncoded) {
  EXPECT_EQ(EncodeHeronOptions({{"b", "x y"}, {"a", "1"}}), "a=1,b=x%%%%y");
}

TEST_F(DefnMakerTest, RunsTheMainClassWithHeronOptionsAndReturnsTheDefn) {
  auto defn = MakeDefnByRunningMainClass(
      Run(FakeJava("printf 'DEFN' > \"$out/word-count.defn\"\necho submitted\n")));
  ASSERT_TRUE(defn.ok()) << defn.status();
  EXPECT_EQ(*defn, "DEFN");
  const std::string argv = *ReadFileLimited(dir_ + "/argv", 4096);
  EXPECT_EQ(argv, "-client -Xmx1g -cp " + dir_ + "/wc.jar:" + dir_ +
                      "/heron/lib/third_party/* com.example.WordCountTopology word-count --fast\n");
  const std::string options = *ReadFileLimited(dir_ + "/options", 4096);
  EXPECT_THAT(options, HasSubstr("cmdline.topology.class_name=com.example.WordCountTopology,"));
  EXPECT_THAT(options, HasSubstr("cmdline.topology.cluster=devcluster,"));
  EXPECT_THAT(options, HasSubstr("cmdline.topology.initial.state=RUNNING,"));
  EXPECT_THAT(options, HasSubstr("cmdline.topology.submit_user=alice%%%%smith,"));
  EXPECT_THAT(options, HasSubstr("cmdline.topology.file_name=wc.jar,"));
  EXPECT_THAT(options, HasSubstr("cmdline.topologydefn.tmpdirectory=/tmp/heronctl-defn-"));
}

TEST_F(DefnMakerTest, AnEcoFileRunsThroughHeronsEcoMainClass) {
  std::ofstream(dir_ + "/wc.yaml") << "name: wc\n";
  MainClassRun run = Run(FakeJava("printf 'ECO' > \"$out/wc.defn\"\n"));
  run.eco_file = dir_ + "/wc.yaml";
  run.args.clear();
  ASSERT_EQ(*MakeDefnByRunningMainClass(run), "ECO");
  EXPECT_THAT(*ReadFileLimited(dir_ + "/argv", 4096),
              HasSubstr("org.apache.heron.eco.Eco --eco-config-file " + dir_ + "/wc.yaml\n"));
}

TEST_F(DefnMakerTest, AFailingMainClassReportsItsOutput) {
  auto r = MakeDefnByRunningMainClass(
      Run(FakeJava("echo 'Exception in thread main: ClassNotFoundException' >&2\nexit 3\n")));
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("com.example.WordCountTopology failed (exit 3)"));
  EXPECT_THAT(r.status().message(), HasSubstr("ClassNotFoundException"));
}

TEST_F(DefnMakerTest, AMainClassThatWritesNoDefnIsAnError) {
  auto r = MakeDefnByRunningMainClass(Run(FakeJava("echo forgot to submit\n")));
  EXPECT_THAT(r.status().message(), HasSubstr("wrote 0 .defn files"));
  EXPECT_THAT(r.status().message(), HasSubstr("forgot to submit"));
  auto missing = MakeDefnByRunningMainClass(Run(dir_ + "/no-such-java"));
  EXPECT_THAT(missing.status().message(), HasSubstr("cannot run"));
}

}  // namespace
}  // namespace hgo::packager
