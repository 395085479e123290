// The directory and spool sources.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include "common/file_util.h"
#include "sources/dir_watcher.h"
#include "sources/sources.h"
#include "statestore/state_store.h"

namespace hgo::sources {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxSpecFileBytes = 1 << 20;

std::string JoinErrors(const std::vector<crd::FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.ToString() + "\n";
  return out;
}

// Every spec file under root (recursively, hidden entries skipped), sorted.
StatusOr<std::vector<std::string>> ListSpecFiles(const std::string& root, bool recursive) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Status::NotFound("'" + root + "' is not a readable directory");
  }
  std::vector<std::string> files;
  auto consider = [&](const fs::directory_entry& e) {
    if (e.is_regular_file(ec) && IsSpecFileName(e.path().filename().string())) {
      files.push_back(e.path().string());
    }
  };
  if (recursive) {
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().filename().string()[0] == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      consider(*it);
    }
  } else {
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      consider(*it);
    }
  }
  if (ec) return Status::Unavailable("reading '" + root + "': " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

std::optional<ParseCache::Stamp> StampOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  auto ns = [](const timespec& t) { return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec; };
  return ParseCache::Stamp{ns(st.st_mtim), ns(st.st_ctim), static_cast<int64_t>(st.st_size),
                           static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_dev)};
}

// The real wall clock, not an injected one: it is compared with the file times the kernel sets.
int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class DirSource final : public SpecSource {
 public:
  explicit DirSource(SourceConfig c) : config_(std::move(c)), watcher_(config_.location, true) {}
  const SourceConfig& config() const override { return config_; }

  SourceSnapshot Read() override {
    SourceSnapshot s;
    s.source = config_.text;
    s.allow_empty = config_.allow_empty;
    auto files = ListSpecFiles(config_.location, true);
    if (!files.ok()) {
      s.status = files.status();
      return s;
    }
    for (const auto& f : *files) {
      // A file whose stamp has not moved since it was read is not read again: at 10,000 specs
      // reading and hashing every file was a tenth of a resync.
      const int64_t taken_ns = WallNowNs();
      const std::optional<ParseCache::Stamp> stamp = StampOf(f);
      if (stamp) {
        if (const ParseCache::Entry* e = cache_.Unchanged(f, *stamp)) {
          AddParsed(*e, s);
          continue;
        }
      }
      auto content = ReadFileLimited(f, kMaxSpecFileBytes);
      if (!content.ok()) {
        // Gone between the listing and the read (an editor's rename): the next event re-reads.
        if (content.status().code() == StatusCode::kNotFound) continue;
        s.files.push_back(std::make_shared<const SpecFile>(
            SpecFile{f, {}, {}, true, {crd::FieldError{f, {}, "", content.status().message()}}}));
        continue;
      }
      const ParseCache::Entry& e = cache_.Parse(f, *content, stamp, taken_ns);
      AddParsed(e, s);
    }
    cache_.Sweep();
    return s;
  }
  Status Watch(std::function<void()> changed) override { return watcher_.Start(changed); }
  void Stop() override { watcher_.Stop(); }

 private:
  SourceConfig config_;
  DirWatcher watcher_;
  ParseCache cache_;
};

class SpoolSource final : public SpecSource {
 public:
  SpoolSource(SourceConfig c, statestore::StateStore& store)
      : config_(std::move(c)), store_(store), watcher_(config_.location, false) {}
  const SourceConfig& config() const override { return config_; }

  SourceSnapshot Read() override {
    SourceSnapshot s;
    s.source = config_.text;
    s.allow_empty = config_.allow_empty;
    Status consumed = Consume();
    auto specs = store_.ListSpoolSpecs();
    if (!specs.ok()) {
      s.status = specs.status();
      return s;
    }
    if (!consumed.ok()) s.status = consumed;
    for (const auto& [name, yaml] : *specs) AddSpecFile("spool:" + name, yaml, s, &cache_);
    cache_.Sweep();
    // Rejected files are reported (their previous specs, if any, stay in force).
    for (const auto& [name, f] : rejected_) s.files.push_back(f);  // shared
    return s;
  }
  Status Watch(std::function<void()> changed) override { return watcher_.Start(changed); }
  void Stop() override { watcher_.Stop(); }

 private:
  // Moves each new file to done/ (its specs stored) or failed/ (with NAME.error beside it). An
  // empty file removes the specs stored under its name. A store failure leaves the file for
  // the next pass.
  Status Consume() {
    auto files = ListSpecFiles(config_.location, false);
    if (!files.ok()) return files.status();
    const fs::path root(config_.location);
    std::error_code ec;
    fs::create_directories(root / "done", ec);
    fs::create_directories(root / "failed", ec);
    for (const auto& path : *files) {
      const std::string name = fs::path(path).filename().string();
      auto content = ReadFileLimited(path, kMaxSpecFileBytes);
      if (!content.ok()) {
        if (content.status().code() == StatusCode::kNotFound) continue;
        Fail(path, name, content.status().message() + "\n");
        continue;
      }
      if (!statestore::IsValidSpoolName(name)) {
        Fail(path, name, name + ": not a valid spool file name ([A-Za-z0-9_.-], at most 200)\n");
        continue;
      }
      SourceSnapshot one;
      AddSpecFile(path, *content, one);
      const SpecFile& f = *one.files.at(0);
      if (!f.errors.empty()) {
        Fail(path, name, JoinErrors(f.errors), f.errors);
        continue;
      }
      Status stored = one.topologies.empty() ? store_.DeleteSpoolSpec(name)
                                             : store_.PutSpoolSpec(name, *content);
      if (!stored.ok()) return stored;
      fs::rename(path, root / "done" / name, ec);
      fs::remove(root / "failed" / (name + ".error"), ec);
      rejected_.erase(name);
    }
    return Status::Ok();
  }

  void Fail(const std::string& path, const std::string& name, const std::string& why,
            std::vector<crd::FieldError> errors = {}) {
    if (errors.empty()) errors.push_back(crd::FieldError{path, {}, "", why});
    rejected_[name] = std::make_shared<const SpecFile>(
        SpecFile{"spool:failed/" + name, {}, {}, false, std::move(errors)});
    const fs::path failed = fs::path(config_.location) / "failed";
    std::error_code ec;
    fs::rename(path, failed / name, ec);
    (void)WriteFileAtomic((failed / (name + ".error")).string(), why);
  }

  SourceConfig config_;
  statestore::StateStore& store_;
  DirWatcher watcher_;
  ParseCache cache_;
  std::map<std::string, std::shared_ptr<const SpecFile>>
      rejected_;  // by file name, until a good file replaces it
};

}  // namespace

std::unique_ptr<SpecSource> MakeDirSource(SourceConfig config) {
  return std::make_unique<DirSource>(std::move(config));
}

std::unique_ptr<SpecSource> MakeSpoolSource(SourceConfig config, statestore::StateStore& store) {
  return std::make_unique<SpoolSource>(std::move(config), store);
}

}  // namespace hgo::sources
