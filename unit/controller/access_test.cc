// API access by token: the tokens file (located errors), who a header names, what each scope
// may change (table-driven).
#include "controller/api/access.h"

#include <gtest/gtest.h>

#include "common/sha256.h"

namespace hgo::controller {
namespace {

const std::string kReadHash = Sha256Hex("read-token");
const std::string kOpsHash = Sha256Hex("ops-token");

std::string File() {
  return "tokens:\n"
         "  - name: dashboards\n"
         "    sha256: " +
         kReadHash +
         "\n"
         "    scope: read\n"
         "  - name: ads-oncall\n"
         "    sha256: " +
         kOpsHash +
         "\n"
         "    scope: operate\n"
         "    roles: [ads]\n"
         "    keys: [dc/search/prod/index]\n";
}

TEST(AccessTest, ATokensFileGivesTokensByTheirHashes) {
  auto a = ParseTokensFile(File(), "tokens.yaml");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->tokens.size(), 2u);
  EXPECT_EQ(a->tokens[1].name, "ads-oncall");
  EXPECT_EQ(a->tokens[1].scope, Scope::kOperate);
  EXPECT_EQ(a->tokens[1].roles, std::set<std::string>{"ads"});
  const ApiToken* who = Identify(*a, "Bearer ops-token");
  ASSERT_NE(who, nullptr);
  EXPECT_EQ(who->name, "ads-oncall");
  EXPECT_EQ(Identify(*a, "Bearer read-token")->name, "dashboards");
  EXPECT_EQ(Identify(*a, "Bearer nope"), nullptr);
  EXPECT_EQ(Identify(*a, "ops-token"), nullptr) << "not a bearer header";
  EXPECT_EQ(Identify(*a, "Bearer "), nullptr);
}

struct FileCase {
  const char* name;
  std::string text;
  std::string error;
};
void PrintTo(const FileCase& c, std::ostream* os) { *os << c.name; }
class TokensFileTest : public ::testing::TestWithParam<FileCase> {};

TEST_P(TokensFileTest, BadFilesAreRefusedAtTheirField) {
  auto a = ParseTokensFile(GetParam().text, "tokens.yaml");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().message(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, TokensFileTest,
    ::testing::Values(
        FileCase{"PlainTokenInsteadOfHash",
                 "tokens:\n  - name: a\n    sha256: my-secret-token\n    scope: admin\n",
                 "tokens.yaml:3: tokens[0].sha256: must be the token's SHA-256 in lower-case hex "
                 "(sha256sum of the token, without a newline), never the token itself"},
        FileCase{"UnknownScope",
                 "tokens:\n  - name: a\n    sha256: " + kReadHash + "\n    scope: root\n",
                 "tokens.yaml:4: tokens[0].scope: must be read, operate or admin, got 'root'"},
        FileCase{"RolesOnlyForOperate",
                 "tokens:\n  - name: a\n    sha256: " + kReadHash +
                     "\n    scope: read\n    roles: [ads]\n",
                 "tokens.yaml:4: tokens[0].scope: only an operate token is limited to roles or "
                 "keys"},
        FileCase{"BadKey",
                 "tokens:\n  - name: a\n    sha256: " + kReadHash +
                     "\n    scope: operate\n    keys: [ads/wc]\n",
                 "tokens.yaml:5: tokens[0].keys: 'ads/wc' is not cluster/role/environment/name"},
        FileCase{"SameTokenTwice",
                 "tokens:\n  - {name: a, sha256: " + kReadHash +
                     ", scope: read}\n  - {name: b, "
                     "sha256: " +
                     kReadHash + ", scope: admin}\n",
                 "tokens.yaml:3: tokens[1].sha256: the same token as an earlier entry"}),
    [](const auto& info) { return std::string(info.param.name); });

struct ScopeCase {
  const char* name;
  Scope scope;
  std::set<std::string> roles, keys;
  std::optional<crd::TopologyKey> target;
  bool allowed;
};
void PrintTo(const ScopeCase& c, std::ostream* os) { *os << c.name; }
class MayChangeTest : public ::testing::TestWithParam<ScopeCase> {};

TEST_P(MayChangeTest, EachScopeChangesWhatItMay) {
  const ScopeCase& c = GetParam();
  ApiToken t{"t", kOpsHash, c.scope, c.roles, c.keys};
  const Status s = MayChange(t, c.target);
  EXPECT_EQ(s.ok(), c.allowed) << s;
  if (!s.ok()) EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
}

const crd::TopologyKey kAds{"dc", "ads", "prod", "wc"};
const crd::TopologyKey kSearch{"dc", "search", "prod", "index"};
const crd::TopologyKey kSearchOther{"dc", "search", "prod", "other"};

INSTANTIATE_TEST_SUITE_P(
    Scopes, MayChangeTest,
    ::testing::Values(
        ScopeCase{"ReadNothing", Scope::kRead, {}, {}, kAds, false},
        ScopeCase{"ReadNotControllerWide", Scope::kRead, {}, {}, std::nullopt, false},
        ScopeCase{"OperateItsRole", Scope::kOperate, {"ads"}, {}, kAds, true},
        ScopeCase{"OperateNotAnotherRole", Scope::kOperate, {"ads"}, {}, kSearch, false},
        ScopeCase{
            "OperateItsKey", Scope::kOperate, {"ads"}, {"dc/search/prod/index"}, kSearch, true},
        ScopeCase{"OperateNotAnotherKeyOfThatRole",
                  Scope::kOperate,
                  {},
                  {"dc/search/prod/index"},
                  kSearchOther,
                  false},
        ScopeCase{"OperateUnlimited", Scope::kOperate, {}, {}, kSearch, true},
        ScopeCase{"OperateNotControllerWide", Scope::kOperate, {}, {}, std::nullopt, false},
        ScopeCase{"AdminAnything", Scope::kAdmin, {}, {}, kSearch, true},
        ScopeCase{"AdminControllerWide", Scope::kAdmin, {}, {}, std::nullopt, true}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(AccessTest, TheTokenFileTokenIsAnAdminNamedAdmin) {
  AccessList a;
  a.tokens.push_back(AdminToken("t0k"));
  const ApiToken* who = Identify(a, "Bearer t0k");
  ASSERT_NE(who, nullptr);
  EXPECT_EQ(who->name, "admin");
  EXPECT_EQ(who->scope, Scope::kAdmin);
  EXPECT_NE(who->sha256, "t0k") << "kept hashed";
}

}  // namespace
}  // namespace hgo::controller
