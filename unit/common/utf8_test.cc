#include "common/utf8.h"

#include <gtest/gtest.h>

namespace hgo {
namespace {

TEST(Utf8Test, AcceptsValidText) {
  EXPECT_FALSE(FirstInvalidUtf8("plain ascii").has_value());
  EXPECT_FALSE(FirstInvalidUtf8("h\xC3\xA9ron \xE2\x82\xAC \xF0\x9F\x98\x80").has_value());
}

TEST(Utf8Test, ReportsOffsetOfFirstBadByte) {
  EXPECT_EQ(FirstInvalidUtf8("ab\xFFz"), 2u);
  EXPECT_EQ(FirstInvalidUtf8("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("x\xED\xA0\x80"), 1u);     // UTF-16 surrogate
  EXPECT_EQ(FirstInvalidUtf8("xy\xE2\x82"), 2u);        // truncated
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
}

TEST(Utf8Test, EncodesCodePoints) {
  std::string s;
  AppendUtf8(0x41, s);
  AppendUtf8(0xE9, s);
  AppendUtf8(0x20AC, s);
  AppendUtf8(0x1F600, s);
  EXPECT_EQ(s, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(Utf8Test, PositionsAreOneBased) {
  std::string_view text = "ab\ncd\nef";
  EXPECT_EQ(PositionAt(text, 0).line, 1);
  EXPECT_EQ(PositionAt(text, 0).column, 1);
  EXPECT_EQ(PositionAt(text, 4).line, 2);
  EXPECT_EQ(PositionAt(text, 4).column, 2);
}

TEST(Utf8Test, EditDistance) {
  EXPECT_EQ(EditDistance("parallelism", "parallelism"), 0u);
  EXPECT_EQ(EditDistance("paralelism", "parallelism"), 1u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
}

}  // namespace
}  // namespace hgo
