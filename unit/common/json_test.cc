#include "common/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace hgo {
namespace {

TEST(JsonTest, SerializesWithSortedKeysAndNoWhitespace) {
  Json j = Json::MakeObject();
  j["zeta"] = 1;
  j["alpha"] = Json::Array{true, nullptr, "x"};
  j["mid"]["inner"] = 2.5;
  EXPECT_EQ(Serialize(j), R"({"alpha":[true,null,"x"],"mid":{"inner":2.5},"zeta":1})");
}

TEST(JsonTest, NumbersHaveOneFixedForm) {
  EXPECT_EQ(Serialize(Json(3.0)), "3.0");
  EXPECT_EQ(Serialize(Json(0.1)), "0.1");
  EXPECT_EQ(Serialize(Json(1e21)), "1e+21");
  EXPECT_EQ(Serialize(Json(-0.5)), "-0.5");
  EXPECT_EQ(Serialize(Json(int64_t{-42})), "-42");
  EXPECT_EQ(Serialize(Json(std::numeric_limits<double>::infinity())), "null");
  EXPECT_EQ(Serialize(Json(std::nan(""))), "null");
}

TEST(JsonTest, EscapesControlCharactersAndReplacesInvalidUtf8) {
  EXPECT_EQ(Serialize(Json("a\"b\\c\n\t\x01")), R"("a\"b\\c\n\t\u0001")");
  EXPECT_EQ(Serialize(Json("ok \xC3\xA9")), "\"ok \xC3\xA9\"");
  EXPECT_EQ(Serialize(Json("bad \xFF")), R"("bad \ufffd")");
}

TEST(JsonTest, ParsesWhatItWrites) {
  std::string text = R"({"a":[1,2.5,"s",true,false,null],"b":{"c":-7}})";
  auto j = ParseJson(text);
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ(Serialize(*j), text);
  EXPECT_TRUE(j->Find("a")->as_array()[0].is_int());
  EXPECT_TRUE(j->Find("a")->as_array()[1].is_double());
}

TEST(JsonTest, ParsesEscapesAndSurrogatePairs) {
  auto j = ParseJson(R"("\u00e9\ud83d\ude00\n\/")");
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ(j->as_string(), "\xC3\xA9\xF0\x9F\x98\x80\n/");
}

TEST(JsonTest, RejectsMalformedInputWithOffset) {
  auto expect_error = [](std::string_view text, std::string_view fragment) {
    auto j = ParseJson(text);
    ASSERT_FALSE(j.ok()) << text;
    EXPECT_NE(j.status().message().find(fragment), std::string::npos)
        << text << " -> " << j.status().message();
  };
  expect_error("{\"a\":1,\"a\":2}", "duplicate key");
  expect_error("[1,]", "unexpected character");
  expect_error("01", "unexpected data");
  expect_error("\"\\ud800\"", "lone high surrogate");
  expect_error("\"\xFF\"", "invalid UTF-8");
  expect_error("[1] x", "at byte 4");
  expect_error(std::string(200, '['), "nesting deeper than 128");
}

TEST(JsonTest, PrettyFormIsStable) {
  Json j = Json::MakeObject();
  j["b"] = Json::Array{1, 2};
  j["a"] = "x";
  EXPECT_EQ(SerializePretty(j), "{\n  \"a\": \"x\",\n  \"b\": [\n    1,\n    2\n  ]\n}");
}

}  // namespace
}  // namespace hgo
