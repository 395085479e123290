#include "common/shared_text.h"

#include <gtest/gtest.h>

namespace hgo {
namespace {

std::string SpecLike() {
  std::string s = R"({"apiVersion":"heron.apache.org/v1","kind":"Topology","spec":{"components":[)";
  for (int i = 0; i < 30; ++i) {
    s += R"({"name":"bolt-)" + std::to_string(i) + R"(","parallelism":)" + std::to_string(i % 7) +
         R"(,"ram":"1Gi"},)";
  }
  return s + "]}}";
}

TEST(SharedTextTest, KeepsTheTextDeflatedAndGivesItBackWhole) {
  const std::string text = SpecLike();
  SharedText t(text);
  EXPECT_EQ(t.str(), text);
  EXPECT_LT(t.stored_bytes(), text.size() / 2) << "a spec deflates to well under half";
  const std::string binary("\0\x01\xff zz\0", 7);
  EXPECT_EQ(SharedText(binary).str(), binary) << "any bytes, NULs included";
  EXPECT_EQ(SharedText("{}").str(), "{}");
}

TEST(SharedTextTest, CopiesShareTheTextAndCompareByContent) {
  SharedText a(std::string(4096, 'x'));
  SharedText b = a;
  EXPECT_TRUE(a.SharesWith(b)) << "a copy shares, not duplicates";
  SharedText c(std::string(4096, 'x'));
  EXPECT_FALSE(a.SharesWith(c));
  EXPECT_TRUE(a == c) << "equal texts are equal, shared or not";
  EXPECT_FALSE(a == SharedText("y"));
  EXPECT_FALSE(SharedText(SpecLike()) == SharedText(SpecLike() + " "));
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
