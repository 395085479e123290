// StaticSource: a spec source whose files the test holds in memory (file name -> YAML text).
// Read() parses them as the directory source does (AddSpecFile: one SpecFile per file, errors
// with line and field); Set/Remove/Fail call the watcher at once, on the caller's thread.
// testing/contract/spec_source_contract.h runs the same tests against this and a dir: source.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "sources/sources.h"

namespace hgo::testing {

class StaticSource final : public sources::SpecSource {
 public:
  explicit StaticSource(std::string name = "static:test");

  const sources::SourceConfig& config() const override { return config_; }
  sources::SourceSnapshot Read() override;
  Status Watch(std::function<void()> changed) override;
  void Stop() override;

  // --- the test's side ---
  void Set(const std::string& file, const std::string& yaml);
  void Remove(const std::string& file);
  // The whole source cannot be read (a failed fetch): its snapshot carries status until
  // Fail(Status::Ok()).
  void Fail(Status status);
  void AllowEmpty(bool allow);
  int reads() const;

 private:
  void Changed();
  sources::SourceConfig config_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> files_;
  Status failure_;
  std::function<void()> changed_;
  sources::ParseCache cache_;
  int reads_ = 0;
};

}  // namespace hgo::testing
