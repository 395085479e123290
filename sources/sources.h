// Spec sources: where desired state comes from. Each source is read whole (level-triggered) into
// a SourceSnapshot; Watch() only says "read me again". Kinds: a directory tree (inotify), a spool
// directory (files consumed into ZooKeeper) and a git repository (libgit2, no working copy).
//
// A source that cannot be read at all (missing directory, failed fetch, bad credentials) gives a
// snapshot with a non-ok status: the controller then freezes what the source held instead of
// pruning it. A file that does not parse is reported per file, with line and field.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/duration.h"
#include "common/status.h"
#include "crd/field_error.h"
#include "crd/parser.h"
#include "crd/topology.h"

namespace hgo::sources {

struct SourceConfig {
  enum class Kind { kDir, kSpool, kGit };
  Kind kind = Kind::kDir;
  std::string text;          // the flag as given: "dir:/specs", the source's name everywhere
  std::string location;      // a path, or the git URL
  std::string branch;        // git: empty means main (then master)
  std::string subdir;        // git: only specs under this path
  bool allow_empty = false;  // an empty source may prune everything it held
  std::chrono::seconds interval{60};  // git: how often to fetch
  std::string credentials_file;       // git over HTTP(S): "user:password" (or a token) in a file
  // The secret the git host signs its webhook with, in a file (POST /api/v1/webhook/git
  // refreshes the sources whose secret verifies the request; docs/operations.md, "Sources").
  std::string webhook_secret_file;
};

// "dir:PATH", "spool:PATH", "git:URL[#BRANCH][//SUBDIR]", each optionally followed by
// "?allowEmpty", "?interval=30s", "?credentials=FILE", "?webhookSecret=FILE" (joined with '&').
StatusOr<SourceConfig> ParseSourceFlag(const std::string& flag);

// One spec file's outcome.
struct SpecFile {
  std::string file;
  std::vector<crd::TopologyKey> keys;         // valid documents
  std::vector<crd::TopologyKey> broken_keys;  // documents with errors whose key could be read
  bool file_error = false;  // the file as a whole failed (YAML syntax, unreadable): keys unknown
  std::vector<crd::FieldError> errors;
};

struct SourceSnapshot {
  std::string source;    // SourceConfig::text
  std::string revision;  // git: the commit read; otherwise empty
  Status status;         // not ok: the source could not be read at all
  bool allow_empty = false;
  std::vector<crd::TopologyPtr> topologies;  // every valid document
  // Shared with the source's parse cache: a resync of an unchanged source copies no file.
  std::vector<std::shared_ptr<const SpecFile>> files;
};

class SpecSource {
 public:
  virtual ~SpecSource() = default;
  virtual const SourceConfig& config() const = 0;
  // Reads the whole source now.
  virtual SourceSnapshot Read() = 0;
  // Calls changed() (from another thread) whenever the source may have changed.
  virtual Status Watch(std::function<void()> changed) = 0;
  virtual void Stop() = 0;
  // Asks for a fresh look at the origin (git: fetch on the next Read); a no-op elsewhere.
  virtual void Refresh() {}
};

// What a file parsed to, kept while its text stays the same: a resync re-reads every file, and
// parsing thousands of unchanged specs would cost more than the rest of the pass. A source holds
// one; entries of files not seen in a Read are dropped by Sweep. The text itself is not kept,
// only its digest.
class ParseCache {
 public:
  // What stat(2) says of a file, taken before its content is read. A file whose stamp is the
  // same as when it was read is not read again (as git's index does).
  struct Stamp {
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;  // changes with any write or rename, and cannot be set by hand
    int64_t size = 0;
    uint64_t inode = 0;
    uint64_t device = 0;
    friend bool operator==(const Stamp&, const Stamp&) = default;
  };
  // File times tick with the kernel's coarse clock (a few ms): a file written again within the
  // same tick after it was read keeps its stamp. So a stamp is trusted only when the file had
  // been left alone this long before it was taken.
  static constexpr int64_t kSettledNs = 2'000'000'000;

  struct Entry {
    std::string content_sha256;
    std::shared_ptr<const SpecFile> file;  // never null
    std::vector<crd::TopologyPtr> topologies;
    std::optional<Stamp> stamp;  // trusted: the content read had this stamp
    bool used = false;
  };
  // The parse of file's content: from the cache when the text is unchanged. stamp, if given,
  // was taken at taken_ns (wall clock) before content was read.
  const Entry& Parse(const std::string& file, const std::string& content,
                     const std::optional<Stamp>& stamp = std::nullopt, int64_t taken_ns = 0);
  // The cached parse of file if its stamp is trusted and equal to stamp (file need not be read
  // again); null otherwise. Marks the entry used.
  const Entry* Unchanged(const std::string& file, const Stamp& stamp);
  void Sweep();  // drops what was not used since the last Sweep
  size_t size() const { return entries_.size(); }

 private:
  std::map<std::string, Entry> entries_;
};

// Parses one file's text into snapshot (topologies and a SpecFile entry), through cache if given.
void AddSpecFile(const std::string& file, const std::string& content, SourceSnapshot& snapshot,
                 ParseCache* cache = nullptr);
// Adds a cached parse to snapshot.
void AddParsed(const ParseCache::Entry& e, SourceSnapshot& snapshot);
bool IsSpecFileName(const std::string& name);  // *.yaml or *.yml, not hidden

}  // namespace hgo::sources

namespace hgo::statestore {
class StateStore;
}

namespace hgo::sources {

std::unique_ptr<SpecSource> MakeDirSource(SourceConfig config);
// The spool keeps what it consumed in store (so a restart remembers it).
std::unique_ptr<SpecSource> MakeSpoolSource(SourceConfig config, statestore::StateStore& store);
// cache_dir holds the bare clone.
std::unique_ptr<SpecSource> MakeGitSource(SourceConfig config, std::string cache_dir);
// The sources the flags name (git clones are kept under git_cache_dir).
std::vector<std::unique_ptr<SpecSource>> MakeSources(const std::vector<SourceConfig>& configs,
                                                     statestore::StateStore& store,
                                                     const std::string& git_cache_dir);

}  // namespace hgo::sources
