// Where heronctl finds the controller and its token: flags, then the environment, then the
// config file, then the default.
#include "cli/client.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>

#include "common/file_util.h"
#include "testing/temp_dir.h"

namespace hgo::cli {
namespace {

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    env_["HOME"] = dir_;
  }
  GetEnv Env() {
    return [this](const char* n) -> const char* {
      auto it = env_.find(n);
      return it == env_.end() ? nullptr : it->second.c_str();
    };
  }
  void Write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(dir_ + "/" + rel).parent_path());
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/" + rel, text).ok());
  }
  testing::TempDir tmp_{"cli_config"};  // before dir_, which is its path
  std::string dir_ = tmp_.path();
  std::map<std::string, std::string> env_;
};

TEST_F(ConnectionTest, DefaultsWithoutAnything) {
  auto c = ResolveConnection({}, Env());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, kDefaultServer);
  EXPECT_EQ(c->token, "");
  EXPECT_EQ(c->config_file, "");
}

TEST_F(ConnectionTest, FlagsBeatTheEnvironmentWhichBeatsTheConfigFile) {
  Write(".config/heronctl/config.yaml",
        "server: http://from-file:1\ntokenFile: ~/file.token\nspool: ~/spool\n");
  Write("file.token", "file-secret\n");
  Write("env.token", "env-secret\n");
  Write("flag.token", "flag-secret\n");
  auto c = ResolveConnection({}, Env());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, "http://from-file:1");
  EXPECT_EQ(c->token, "file-secret");
  EXPECT_EQ(c->spool, dir_ + "/spool");

  env_["HERONCTL_SERVER"] = "http://from-env:2/";
  env_["HERONCTL_TOKEN_FILE"] = dir_ + "/env.token";
  c = ResolveConnection({}, Env());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, "http://from-env:2");
  EXPECT_EQ(c->token, "env-secret");

  ConnectionFlags flags;
  flags.server = "https://from-flag:3";
  flags.token_file = dir_ + "/flag.token";
  c = ResolveConnection(flags, Env());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, "https://from-flag:3");
  EXPECT_EQ(c->token, "flag-secret");
}

TEST_F(ConnectionTest, ATokenFromTheEnvironment) {
  env_["HERONCTL_TOKEN"] = "env-token";
  auto c = ResolveConnection({}, Env());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->token, "env-token");
}

TEST_F(ConnectionTest, BadConfigurationIsAClearError) {
  Write("bad.yaml", "server: http://x\nsurver: typo\n");
  ConnectionFlags flags;
  flags.config = dir_ + "/bad.yaml";
  auto c = ResolveConnection(flags, Env());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("bad.yaml:2: unknown key 'surver'"), std::string::npos)
      << c.status();

  flags.config = dir_ + "/missing.yaml";
  EXPECT_FALSE(ResolveConnection(flags, Env()).ok()) << "a named config file must exist";

  Write("broken.yaml", "server: [\n");
  flags.config = dir_ + "/broken.yaml";
  c = ResolveConnection(flags, Env());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("broken.yaml:"), std::string::npos) << c.status();

  ConnectionFlags no_scheme;
  no_scheme.server = "controller:8089";
  EXPECT_FALSE(ResolveConnection(no_scheme, Env()).ok());

  Write("empty.token", "\n");
  ConnectionFlags empty_token;
  empty_token.token_file = dir_ + "/empty.token";
  c = ResolveConnection(empty_token, Env());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("empty"), std::string::npos);
}

}  // namespace
}  // namespace hgo::cli
