#include "common/file_util.h"
#include "testing/temp_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace hgo {
namespace {

class FileUtilTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()); }
  testing::TempDir tmp_{"file_util"};  // before dir_, which is its path
  std::string dir_ = tmp_.path();
};

TEST_F(FileUtilTest, ReadsAndWritesAtomically) {
  std::string path = dir_ + "/a.yaml";
  ASSERT_TRUE(WriteFileAtomic(path, "hello").ok());
  auto data = ReadFileLimited(path, 100);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(*data, "hello");
  ASSERT_TRUE(WriteFileAtomic(path, "bye").ok());
  EXPECT_EQ(*ReadFileLimited(path, 100), "bye");
}

TEST_F(FileUtilTest, ErrorsNameThePathAndTheReason) {
  auto missing = ReadFileLimited(dir_ + "/nope.yaml", 100);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope.yaml"), std::string::npos);

  auto dir = ReadFileLimited(dir_, 100);
  EXPECT_EQ(dir.status().code(), StatusCode::kInvalidArgument);

  std::string big = dir_ + "/big";
  ASSERT_TRUE(WriteFileAtomic(big, std::string(1000, 'x')).ok());
  auto too_big = ReadFileLimited(big, 999);
  EXPECT_EQ(too_big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(too_big.status().message().find("1000 bytes"), std::string::npos);
}

TEST_F(FileUtilTest, RefusesFifosInsteadOfBlocking) {
  std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto r = ReadFileLimited(fifo, 100);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hgo
