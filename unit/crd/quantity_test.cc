#include "crd/quantity.h"

#include <gtest/gtest.h>

namespace hgo::crd {
namespace {

TEST(QuantityTest, ByteQuantities) {
  const std::vector<std::pair<std::string, int64_t>> good = {
      {"0", 0},
      {"1048576", 1048576},
      {"512Mi", 512LL << 20},
      {"4Gi", 4LL << 30},
      {"4096Mi", 4LL << 30},
      {"1.5Gi", 3LL << 29},
      {"2G", 2000000000LL},
      {"1000k", 1000000LL},
      {"1Ti", 1LL << 40},
      {"0.5Ki", 512},
  };
  for (const auto& [text, bytes] : good) {
    auto r = ParseByteQuantity(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.status();
    EXPECT_EQ(*r, bytes) << text;
  }
  for (std::string bad : {"", "4GB", "4K", "-1Gi", "1.3Ki", "Gi", "1e9", "4 Gi", "0x10",
                          "99999999999999999999", "8Pi0", "5000000Pi"}) {
    EXPECT_FALSE(ParseByteQuantity(bad).ok()) << bad;
  }
}

TEST(QuantityTest, CpuAmounts) {
  EXPECT_EQ(*ParseCpuMillis("2"), 2000);
  EXPECT_EQ(*ParseCpuMillis("0.5"), 500);
  EXPECT_EQ(*ParseCpuMillis("2.50"), 2500);
  EXPECT_EQ(*ParseCpuMillis("500m"), 500);
  EXPECT_EQ(*ParseCpuMillis("0.001"), 1);
  for (std::string bad : {"", "-1", "0.0005", "1.5m", "two", "1e3", "99999999"}) {
    EXPECT_FALSE(ParseCpuMillis(bad).ok()) << bad;
  }
}

TEST(QuantityTest, FormatsExactly) {
  EXPECT_EQ(FormatBytes(4LL << 30), "4Gi");
  EXPECT_EQ(FormatBytes(1536LL << 20), "1536Mi");
  EXPECT_EQ(FormatBytes(1000), "1000");
  EXPECT_EQ(FormatBytes(0), "0");
  EXPECT_EQ(FormatCpuMillis(2000), "2");
  EXPECT_EQ(FormatCpuMillis(2500), "2.5");
  EXPECT_EQ(FormatCpuMillis(1), "0.001");
}

}  // namespace
}  // namespace hgo::crd
