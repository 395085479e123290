// Golden files for unit tests: compare output with a checked-in file, or rewrite the file when
// HGO_UPDATE_GOLDENS is set (then review the diff before committing).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "common/file_util.h"

namespace hgo::testing {

inline void CheckGolden(const std::string& path, const std::string& actual) {
  if (std::getenv("HGO_UPDATE_GOLDENS")) {
    ASSERT_TRUE(WriteFileAtomic(path, actual).ok()) << path;
    return;
  }
  auto expected = ReadFileLimited(path, 1 << 20);
  ASSERT_TRUE(expected.ok()) << expected.status();
  EXPECT_EQ(actual, *expected) << "golden " << path << " differs";
}

}  // namespace hgo::testing
