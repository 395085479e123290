// A fresh directory under /tmp for one test, removed with everything in it when the test ends.
// Fixtures hold one instead of each repeating mkdtemp and a removal in TearDown.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace hgo::testing {

class TempDir {
 public:
  // prefix names the directory (/tmp/hgo_<prefix>_XXXXXX) so that a leftover says whose it is.
  explicit TempDir(const std::string& prefix) {
    std::string tmpl = "/tmp/hgo_" + prefix + "_XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace hgo::testing
