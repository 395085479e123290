#include "common/base64.h"

#include <gtest/gtest.h>

namespace hgo {
namespace {

TEST(Base64Test, RoundTripsAndPads) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_EQ(Base64Encode("-Xmx1g"), "LVhteDFn");
  for (std::string s : {std::string(""), std::string("a"), std::string("ab"), std::string("abc"),
                        std::string("\0\xff\x10", 3)}) {
    auto back = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(Base64Decode("abc").ok());
  EXPECT_FALSE(Base64Decode("a*b=").ok());
}

}  // namespace
}  // namespace hgo
