#include "common/shared_text.h"

#include <gtest/gtest.h>

namespace hgo {
namespace {

TEST(SharedTextTest, CopiesShareTheTextAndCompareByContent) {
  SharedText a(std::string(4096, 'x'));
  SharedText b = a;
  EXPECT_EQ(&a.str(), &b.str()) << "a copy shares, not duplicates";
  SharedText c(std::string(4096, 'x'));
  EXPECT_NE(&a.str(), &c.str());
  EXPECT_TRUE(a == c) << "equal texts are equal, shared or not";
  EXPECT_FALSE(a == SharedText("y"));
}

TEST(SharedTextTest, EmptyIsTheEmptyString) {
  SharedText none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.str(), "");
  EXPECT_TRUE(none == SharedText(std::string()));
  EXPECT_FALSE(none == SharedText("{}"));
  EXPECT_FALSE(SharedText("{}").empty());
}

}  // namespace
}  // namespace hgo
