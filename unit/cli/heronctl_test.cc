#include "cli/heronctl.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/json.h"
#include "testing/temp_dir.h"
#include "unit/crd/spec_fixture.h"

namespace hgo::cli {
namespace {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun Heronctl(std::vector<std::string> args, const std::string& stdin_text = "") {
  args.insert(args.begin(), "heronctl");
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  int code = HeronctlMain(args, in, out, err);
  return {code, out.str(), err.str()};
}

class HeronctlTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()); }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  testing::TempDir tmp_{"cli"};  // before dir_, which is its path
  std::string dir_ = tmp_.path();
};

TEST_F(HeronctlTest, ValidExamplesExitZero) {
  CliRun r = Heronctl({"validate", "-f", std::string(HGO_SOURCE_DIR) + "/manifests/examples"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_NE(r.out.find("3 files, 4 valid topologies, 0 invalid, 0 errors"), std::string::npos)
      << r.out;
}

TEST_F(HeronctlTest, InvalidSpecExitsOneWithLocatedErrors) {
  std::string path = Write("bad.yaml", crd::testing::Replace(crd::testing::BaseSpec(),
                                                             "parallelism: 2", "parallelism: 0"));
  CliRun r = Heronctl({"validate", "-f", path});
  EXPECT_EQ(r.code, kExitProblem);
  EXPECT_NE(
      r.out.find(path + ":19:22: spec.topology.bolts[0].parallelism: must be at least 1, got 0"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 file, 0 valid topologies, 1 invalid, 1 error"), std::string::npos);
}

TEST_F(HeronctlTest, DirectoriesAreSearchedRecursivelySkippingHiddenOnes) {
  Write("a.yaml", crd::testing::BaseSpec());
  std::system(("mkdir -p " + dir_ + "/team/sub " + dir_ + "/.git").c_str());
  Write("team/sub/b.yml", crd::testing::Replace(crd::testing::BaseSpec(), "name: wc", "name: wc2"));
  Write(".git/c.yaml", "not: a spec");
  Write("team/readme.txt", "ignored");
  CliRun r = Heronctl({"validate", "-f", dir_});
  EXPECT_EQ(r.code, kExitOk) << r.out;
  EXPECT_NE(r.out.find("2 files, 2 valid topologies"), std::string::npos) << r.out;
}

TEST_F(HeronctlTest, DuplicateKeysAcrossFilesAreInvalid) {
  std::string a = Write("a.yaml", crd::testing::BaseSpec());
  std::string b = Write("b.yaml", crd::testing::BaseSpec());
  CliRun r = Heronctl({"validate", "-f", a, "-f", b});
  EXPECT_EQ(r.code, kExitProblem);
  EXPECT_NE(r.out.find("is already defined at " + a + ":1"), std::string::npos) << r.out;
}

TEST_F(HeronctlTest, ReadsStandardInput) {
  CliRun r = Heronctl({"validate", "-f", "-"}, crd::testing::BaseSpec());
  EXPECT_EQ(r.code, kExitOk) << r.out;
  EXPECT_NE(r.out.find("<stdin>:1"), std::string::npos) << r.out;
}

TEST_F(HeronctlTest, JsonReportIsValidJson) {
  std::string path = Write(
      "bad.yaml",
      crd::testing::Replace(crd::testing::BaseSpec(), "environment: devel", "environment: qa"));
  CliRun r = Heronctl({"validate", "-f", path, "-o", "json"});
  EXPECT_EQ(r.code, kExitProblem);
  auto j = ParseJson(r.out);
  ASSERT_TRUE(j.ok()) << j.status() << r.out;
  EXPECT_FALSE(j->Find("valid")->as_bool());
  const Json& e = j->Find("errors")->as_array().at(0);
  EXPECT_EQ(e.Find("line")->as_int(), 8);
  EXPECT_EQ(e.Find("column")->as_int(), 16);
  EXPECT_EQ(e.Find("path")->as_string(), "spec.environment");
}

TEST_F(HeronctlTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Heronctl({"validate"}).code, kExitUsage);
  EXPECT_EQ(Heronctl({"validate", "-f", dir_ + "/missing.yaml"}).code, kExitUsage);
  EXPECT_EQ(Heronctl({"validate", "-f", "x", "-o", "xml"}).code, kExitUsage);
  EXPECT_EQ(Heronctl({}).code, kExitUsage);
  CliRun unknown = Heronctl({"frobnicate"});
  EXPECT_EQ(unknown.code, kExitUsage);
  EXPECT_NE(unknown.err.find("unknown verb 'frobnicate'"), std::string::npos) << unknown.err;
  EXPECT_EQ(Heronctl({"validate", "--bogus-flag"}).code, kExitUsage);
}

TEST_F(HeronctlTest, HelpOnEveryVerb) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--help"}, std::vector<std::string>{"validate", "--help"},
        std::vector<std::string>{"version", "--help"}}) {
    CliRun r = Heronctl(args);
    EXPECT_EQ(r.code, kExitOk) << args[0];
    EXPECT_NE(r.out.find("Usage: heronctl"), std::string::npos) << r.out;
  }
  EXPECT_NE(Heronctl({"validate", "--help"}).out.find("--filename"), std::string::npos);
}

TEST_F(HeronctlTest, CompletionScriptsForBashAndZsh) {
  CliRun bash = Heronctl({"completion", "bash"});
  EXPECT_EQ(bash.code, kExitOk);
  EXPECT_NE(bash.out.find("complete -F _heronctl heronctl"), std::string::npos);
  // The script is valid bash.
  const std::string script = Write("heronctl.bash", bash.out);
  EXPECT_EQ(std::system(("bash -n " + script).c_str()), 0) << bash.out;
  CliRun zsh = Heronctl({"completion", "zsh"});
  EXPECT_EQ(zsh.code, kExitOk);
  EXPECT_EQ(zsh.out.rfind("#compdef heronctl", 0), 0u);
  EXPECT_EQ(Heronctl({"completion", "fish"}).code, kExitUsage);
}

TEST_F(HeronctlTest, VerbsThatNeedTheControllerCheckTheirFlagsFirst) {
  EXPECT_EQ(Heronctl({"get"}).code, kExitUsage) << "the resource is required";
  EXPECT_EQ(Heronctl({"get", "pods"}).code, kExitUsage);
  EXPECT_EQ(Heronctl({"get", "topologies", "-o", "xml"}).code, kExitUsage);
  EXPECT_EQ(Heronctl({"rollout"}).code, kExitUsage);
  EXPECT_EQ(Heronctl({"wait", "wc"}).code, kExitUsage) << "--for is required";
  EXPECT_EQ(Heronctl({"rollout", "status", "wc", "--timeout", "soon"}).code, kExitUsage);
  EXPECT_EQ(Heronctl({"get", "topologies", "--server", "ftp://x"}).code, kExitUsage);
  EXPECT_EQ(
      Heronctl({"get", "topologies", "-l", "noequals", "--server", "http://127.0.0.1:1"}).code,
      kExitUsage);
}

TEST_F(HeronctlTest, VersionInTextAndJson) {
  CliRun text = Heronctl({"version"});
  EXPECT_EQ(text.code, kExitOk);
  EXPECT_EQ(text.out.rfind("heronctl 0.", 0), 0u) << text.out;
  auto j = ParseJson(Heronctl({"version", "-o", "json"}).out);
  ASSERT_TRUE(j.ok());
  EXPECT_TRUE(j->Find("version")->is_string());
  EXPECT_TRUE(j->Find("gitCommit")->is_string());
}

}  // namespace
}  // namespace hgo::cli
