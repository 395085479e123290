#include "common/file_util.h"
#include "testing/temp_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
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

// Pieces of every size (a buffer's worth and more, many small ones) arrive whole and in order;
// a producer that fails leaves the old contents and no temporary file behind.
TEST_F(FileUtilTest, WritesInPiecesAndAFailedProducerChangesNothing) {
  const std::string path = dir_ + "/state.json";
  std::string expected;
  Status s = WriteFileAtomicWith(path, [&](const ChunkWriter& write) {
    for (size_t size : {size_t{1}, size_t{3} << 20, size_t{7}, size_t{1} << 20, size_t{0}}) {
      for (int i = 0; i < 3; ++i) {
        std::string piece(size, static_cast<char>('a' + (expected.size() % 26)));
        expected += piece;
        HGO_RETURN_IF_ERROR(write(piece));
      }
    }
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s;
  auto read = ReadFileLimited(path, 64 << 20);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->size(), expected.size());
  EXPECT_TRUE(*read == expected);

  s = WriteFileAtomicWith(path, [](const ChunkWriter& write) {
    HGO_RETURN_IF_ERROR(write(std::string(2 << 20, 'z')));  // past the buffer: written out
    return Status::Internal("the producer failed");
  });
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s;
  EXPECT_TRUE(*ReadFileLimited(path, 64 << 20) == expected) << "the old contents stay";
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    ++files;
    EXPECT_EQ(e.path().filename(), "state.json");
  }
  EXPECT_EQ(files, 1u) << "no temporary file left";
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
