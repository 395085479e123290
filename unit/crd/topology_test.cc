// The small helpers every layer shares instead of writing its own: key parsing, config values as
// Heron's strings, constraint values.
#include "crd/topology.h"

#include <gtest/gtest.h>

namespace hgo::crd {
namespace {

TEST(TopologyKeyTest, ParsesWhatToStringWritesAndRejectsTheRest) {
  const TopologyKey key{"devcluster", "www-data", "devel", "wc"};
  auto back = TopologyKey::Parse(key.ToString());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, key);
  auto node = TopologyKey::Parse("devcluster~www-data~devel~wc", '~');
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(*node, key);
  for (const char* bad : {"", "a/b/c", "a/b/c/d/e", "a//c/d", "a/b/c/", "/b/c/d"}) {
    EXPECT_EQ(TopologyKey::Parse(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ConfigValueTextTest, IsHeronsStringForm) {
  EXPECT_EQ(ConfigValueText(Json("x")), "x");
  EXPECT_EQ(ConfigValueText(Json(int64_t{42})), "42");
  EXPECT_EQ(ConfigValueText(Json(true)), "true");
  EXPECT_EQ(ConfigValueText(Json(0.5)), "0.5");
  EXPECT_EQ(ConfigValueText(Json()), "");
  Json list = Json::MakeArray();
  list.push_back(Json("a"));
  EXPECT_EQ(ConfigValueText(list), "[\"a\"]");
}

TEST(ParseConstraintTest, LimitsAndValueLists) {
  EXPECT_EQ(ParseConstraint("limit:3").limit, 3);
  EXPECT_EQ(ParseConstraint("limit:x").limit, 0);  // present but not valid
  const ConstraintSpec values = ParseConstraint("!a,b");
  EXPECT_FALSE(values.limit);
  EXPECT_TRUE(values.negated);
  EXPECT_EQ(values.values, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ParseConstraint("a,,b").values, (std::vector<std::string>{"a", "", "b"}));
}

}  // namespace
}  // namespace hgo::crd
