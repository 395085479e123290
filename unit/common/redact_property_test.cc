// The redactor's fuzzing properties (testing/redact_property.h) over 20,000 pseudo-random inputs
// each run, with a fixed seed so that a failure repeats; the fuzzer (scripts/fuzz redactor)
// searches far wider. Also every input the fuzzer once failed on (fuzz/regressions/redactor/).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "testing/redact_property.h"

namespace hgo::testing {
namespace {

TEST(RedactPropertyTest, RandomInputsKeepEveryProperty) {
  std::mt19937 rng(20261205);
  // Bytes biased towards what the forms are made of, so that collisions with them are likely.
  const std::string alphabet = "ab:/@=\"'\\{}[], \n-_.Dpasswordtokensecretkey0123456789xyz";
  for (int run = 0; run < 20000; ++run) {
    std::string bytes(std::uniform_int_distribution<int>(0, 96)(rng), '\0');
    for (char& c : bytes) {
      c = rng() % 4 == 0 ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    const std::string why =
        CheckRedactProperties(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ASSERT_EQ(why, "") << "run " << run;
  }
}

TEST(RedactPropertyTest, TheFuzzersFindingsStayFixed) {
  const std::filesystem::path dir =
      std::filesystem::path(HGO_SOURCE_DIR) / "fuzz" / "regressions" / "redactor";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no findings recorded";
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(f.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string s = bytes.str();
    EXPECT_EQ(CheckRedactProperties(reinterpret_cast<const uint8_t*>(s.data()), s.size()), "")
        << f.path();
  }
}

}  // namespace
}  // namespace hgo::testing
