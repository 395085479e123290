#include "testing/fakes/static_source.h"

namespace hgo::testing {

StaticSource::StaticSource(std::string name) {
  config_.kind = sources::SourceConfig::Kind::kDir;
  config_.text = std::move(name);
  config_.location = config_.text;
}

sources::SourceSnapshot StaticSource::Read() {
  std::lock_guard<std::mutex> lock(mu_);
  ++reads_;
  sources::SourceSnapshot snapshot;
  snapshot.source = config_.text;
  snapshot.allow_empty = config_.allow_empty;
  snapshot.status = failure_;
  if (!failure_.ok()) return snapshot;
  for (const auto& [file, yaml] : files_) {
    sources::AddSpecFile(file, yaml, snapshot, &cache_);
  }
  cache_.Sweep();
  return snapshot;
}

Status StaticSource::Watch(std::function<void()> changed) {
  std::lock_guard<std::mutex> lock(mu_);
  changed_ = std::move(changed);
  return Status::Ok();
}

void StaticSource::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  changed_ = nullptr;
}

void StaticSource::Changed() {
  std::function<void()> changed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    changed = changed_;
  }
  if (changed) changed();
}

void StaticSource::Set(const std::string& file, const std::string& yaml) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    files_[file] = yaml;
  }
  Changed();
}

void StaticSource::Remove(const std::string& file) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    files_.erase(file);
  }
  Changed();
}

void StaticSource::Fail(Status status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    failure_ = std::move(status);
  }
  Changed();
}

void StaticSource::AllowEmpty(bool allow) {
  std::lock_guard<std::mutex> lock(mu_);
  config_.allow_empty = allow;
}

int StaticSource::reads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reads_;
}

}  // namespace hgo::testing
