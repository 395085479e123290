// The redactor: each form of credential masked, its name and the text around it kept, references
// and prose left alone, JSON left valid.
#include "common/redact.h"

#include <gtest/gtest.h>

#include "common/json.h"

namespace hgo {
namespace {

struct RedactCase {
  const char* name;
  std::string in;
  std::string out;
};
void PrintTo(const RedactCase& c, std::ostream* os) { *os << c.name; }

class RedactTableTest : public ::testing::TestWithParam<RedactCase> {};

TEST_P(RedactTableTest, MasksTheValueOnly) {
  const RedactCase& c = GetParam();
  EXPECT_EQ(Redact(c.in), c.out);
  EXPECT_EQ(Redact(c.out), c.out) << "masking twice changes nothing";
}

INSTANTIATE_TEST_SUITE_P(
    Forms, RedactTableTest,
    ::testing::Values(
        RedactCase{"UriPassword", "fetch https://bob:hunter2@blobs.example/wc.tar.gz failed",
                   "fetch https://***@blobs.example/wc.tar.gz failed"},
        RedactCase{"UriTokenAsUser", "git clone https://ghp_abc123@github.com/x/y.git",
                   "git clone https://***@github.com/x/y.git"},
        RedactCase{"UriWithoutUserinfo", "see https://example.com/a@b and file:///x@y",
                   "see https://example.com/a@b and file:///x@y"},
        RedactCase{"Bearer", "Authorization: Bearer abc.DEF-123_=", "Authorization: Bearer ***"},
        RedactCase{"Basic", "Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ***"},
        RedactCase{"ProseAboutTokens", "a valid bearer token is required",
                   "a valid bearer token is required"},
        RedactCase{"KeyEqualsValue", "db.password=hunter2 next", "db.password=*** next"},
        RedactCase{"JvmOption", "-Xmx1g -Djavax.net.ssl.trustStorePassword=changeit -Dx=1",
                   "-Xmx1g -Djavax.net.ssl.trustStorePassword=*** -Dx=1"},
        RedactCase{"Flag", "--api-key=XYZ --verbose", "--api-key=*** --verbose"},
        RedactCase{"QueryString", "GET /x?user=a&access_token=abc&page=2",
                   "GET /x?user=a&access_token=***&page=2"},
        RedactCase{"YamlValue", "config:\n  db.secret: s3cr3t\n  other: 1\n",
                   "config:\n  db.secret: ***\n  other: 1\n"},
        RedactCase{"JsonString", R"({"db.password": "hunter2", "a": "b"})",
                   R"({"db.password": "***", "a": "b"})"},
        RedactCase{"JsonNumber", R"({"pin_token":1234,"a":1})", R"({"pin_token":"***","a":1})"},
        RedactCase{"JsonInsideAString", R"({"message": "set {\"apiKey\": \"k1\"} now"})",
                   R"({"message": "set {\"apiKey\": \"***\"} now"})"},
        RedactCase{"EcoPropertyJson", R"([{"name": "password", "value": "hunter2"}])",
                   R"([{"name": "password", "value": "***"}])"},
        RedactCase{"EcoPropertyYaml", "- name: secretKey\n  value: abc\n",
                   "- name: secretKey\n  value: ***\n"},
        RedactCase{"ReferencesStay", "db.password: file:/etc/db/pw, token=env:TOKEN",
                   "db.password: file:/etc/db/pw, token=env:TOKEN"},
        RedactCase{"BooleansAndStructuresStay", R"({"secretsEnabled": true, "token": {"a": 1}})",
                   R"({"secretsEnabled": true, "token": {"a": 1}})"},
        RedactCase{"ANameWithoutAValue", "the token-file is /etc/t", "the token-file is /etc/t"},
        RedactCase{"SeveralInOneLine", "password=a secret=b https://u:p@h",
                   "password=*** secret=*** https://***@h"},
        RedactCase{"EmptyAndPlain", "", ""}));

TEST(RedactTest, JsonStaysJson) {
  const std::string text = R"({"token": 12, "list": [{"name": "db.password", "value": "x\"y"}], )"
                           R"("uri": "https://a:b@c/d", "msg": "Bearer qwerty", "ok": "fine"})";
  const std::string out = Redact(text);
  auto j = ParseJson(out);
  ASSERT_TRUE(j.ok()) << out;
  EXPECT_EQ((*j)["token"].as_string(), "***");
  EXPECT_EQ((*j)["list"].as_array()[0]["value"].as_string(), "***");
  EXPECT_EQ((*j)["uri"].as_string(), "https://***@c/d");
  EXPECT_EQ((*j)["msg"].as_string(), "Bearer ***");
  EXPECT_EQ((*j)["ok"].as_string(), "fine");
}

TEST(RedactTest, FindCredentialSaysWhatAndWhere) {
  const std::string text = "x -Ddb.password=abc";
  auto m = FindCredential(text);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, CredentialMatch::Kind::kNamedValue);
  EXPECT_EQ(m->name, "db.password");
  EXPECT_EQ(text.substr(m->begin, m->end - m->begin), "abc");
  EXPECT_FALSE(FindCredential("com.example.TokenBucketBolt"));
  auto u = FindCredential("https://u:p@h");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->kind, CredentialMatch::Kind::kUserinfo);
}

TEST(RedactTest, CredentialNames) {
  for (const char* n : {"password", "DB_PASSWD", "clientSecret", "auth.token", "credentials",
                        "apiKey", "api.key", "private_key", "AWS_ACCESS_KEY"}) {
    EXPECT_TRUE(LooksLikeCredentialName(n)) << n;
  }
  for (const char* n : {"topology.workers", "user.url", "passthrough", "accessor", "key"}) {
    EXPECT_FALSE(LooksLikeCredentialName(n)) << n;
  }
}

}  // namespace
}  // namespace hgo
