#include "sources/sources.h"

#include <cctype>

#include "common/sha256.h"

namespace hgo::sources {

StatusOr<SourceConfig> ParseSourceFlag(const std::string& flag) {
  SourceConfig c;
  c.text = flag;
  const size_t colon = flag.find(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument(
        "--source '" + flag + "': expected dir:PATH, spool:PATH or git:URL[#BRANCH][//SUBDIR]");
  }
  const std::string kind = flag.substr(0, colon);
  std::string rest = flag.substr(colon + 1);
  std::string options;
  if (size_t q = rest.rfind('?'); q != std::string::npos) {
    options = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (kind == "dir") {
    c.kind = SourceConfig::Kind::kDir;
  } else if (kind == "spool") {
    c.kind = SourceConfig::Kind::kSpool;
  } else if (kind == "git") {
    c.kind = SourceConfig::Kind::kGit;
  } else {
    return Status::InvalidArgument("--source '" + flag + "': unknown kind '" + kind +
                                   "' (dir, spool or git)");
  }
  if (c.kind == SourceConfig::Kind::kGit) {
    // URL[#BRANCH][//SUBDIR]: the subdir separator is the first "//" after the scheme's.
    const size_t scheme = rest.find("://");
    const size_t search_from = scheme == std::string::npos ? 0 : scheme + 3;
    if (size_t sub = rest.find("//", search_from); sub != std::string::npos) {
      c.subdir = rest.substr(sub + 2);
      rest = rest.substr(0, sub);
      while (!c.subdir.empty() && c.subdir.back() == '/') c.subdir.pop_back();
    }
    if (size_t hash = rest.find('#'); hash != std::string::npos) {
      c.branch = rest.substr(hash + 1);
      rest = rest.substr(0, hash);
      if (c.branch.empty()) return Status::InvalidArgument("--source '" + flag + "': empty branch");
    }
  }
  if (rest.empty()) return Status::InvalidArgument("--source '" + flag + "': empty location");
  c.location = rest;
  size_t start = 0;
  while (!options.empty() && start <= options.size()) {
    size_t amp = options.find('&', start);
    std::string opt = options.substr(start, amp == std::string::npos ? amp : amp - start);
    start = amp == std::string::npos ? options.size() + 1 : amp + 1;
    const size_t eq = opt.find('=');
    const std::string key = opt.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : opt.substr(eq + 1);
    if (key == "allowEmpty") {
      c.allow_empty = value.empty() || value == "true";
    } else if (key == "interval") {
      auto i = ParseDurationSeconds(value);
      if (!i.ok())
        return Status::InvalidArgument("--source '" + flag + "': " + i.status().message());
      c.interval = *i;
    } else if (key == "credentials") {
      c.credentials_file = value;
    } else if (key == "webhookSecret") {
      if (value.empty())
        return Status::InvalidArgument("--source '" + flag + "': webhookSecret needs a file");
      c.webhook_secret_file = value;
    } else {
      return Status::InvalidArgument("--source '" + flag + "': unknown option '" + key +
                                     "' (allowEmpty, interval, credentials, webhookSecret)");
    }
  }
  return c;
}

bool IsSpecFileName(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;
  auto ends = [&](const char* suffix) {
    const std::string s(suffix);
    return name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".yaml") || ends(".yml");
}

namespace {

ParseCache::Entry ParseSpecFile(const std::string& file, const std::string& content) {
  crd::ParseResult parsed = crd::ParseTopologies(content, file);
  ParseCache::Entry e;
  auto shared = std::make_shared<SpecFile>();
  e.file = shared;
  SpecFile& f = *shared;
  f.file = file;
  f.file_error = !parsed.file_errors.empty();
  for (auto& d : parsed.documents) {
    if (!d.topologies.empty()) {
      for (auto& t : d.topologies) {
        f.keys.push_back(t.key());
        // The field locations serve validation errors, which the parse has reported already;
        // the controller keeps the spec for as long as its file is unchanged.
        t.field_locations.clear();
        e.topologies.push_back(std::make_shared<const crd::Topology>(std::move(t)));
      }
    } else if (!d.keys.empty() && !d.errors.empty()) {
      f.broken_keys.insert(f.broken_keys.end(), d.keys.begin(), d.keys.end());
    } else if (!d.errors.empty()) {
      f.file_error = true;  // a broken document whose key is unknown: the file's keys are too
    }
  }
  f.errors = parsed.AllErrors();
  return e;
}

}  // namespace

const ParseCache::Entry& ParseCache::Parse(const std::string& file, const std::string& content,
                                           const std::optional<Stamp>& stamp, int64_t taken_ns) {
  std::string digest = Sha256Hex(content);
  auto it = entries_.find(file);
  if (it == entries_.end() || it->second.content_sha256 != digest) {
    it = entries_.insert_or_assign(file, ParseSpecFile(file, content)).first;
    it->second.content_sha256 = std::move(digest);
  }
  const bool settled = stamp && taken_ns - std::max(stamp->mtime_ns, stamp->ctime_ns) >= kSettledNs;
  it->second.stamp = settled ? stamp : std::nullopt;
  it->second.used = true;
  return it->second;
}

const ParseCache::Entry* ParseCache::Unchanged(const std::string& file, const Stamp& stamp) {
  auto it = entries_.find(file);
  if (it == entries_.end() || !it->second.stamp || !(*it->second.stamp == stamp)) return nullptr;
  it->second.used = true;
  return &it->second;
}

void ParseCache::Sweep() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (!it->second.used) {
      it = entries_.erase(it);
    } else {
      it->second.used = false;
      ++it;
    }
  }
}

void AddSpecFile(const std::string& file, const std::string& content, SourceSnapshot& snapshot,
                 ParseCache* cache) {
  ParseCache::Entry uncached;
  AddParsed(cache ? cache->Parse(file, content) : (uncached = ParseSpecFile(file, content)),
            snapshot);
}

void AddParsed(const ParseCache::Entry& e, SourceSnapshot& snapshot) {
  snapshot.topologies.insert(snapshot.topologies.end(), e.topologies.begin(), e.topologies.end());
  snapshot.files.push_back(e.file);
}

std::vector<std::unique_ptr<SpecSource>> MakeSources(const std::vector<SourceConfig>& configs,
                                                     statestore::StateStore& store,
                                                     const std::string& git_cache_dir) {
  std::vector<std::unique_ptr<SpecSource>> sources;
  for (const auto& c : configs) {
    switch (c.kind) {
      case SourceConfig::Kind::kDir:
        sources.push_back(MakeDirSource(c));
        break;
      case SourceConfig::Kind::kSpool:
        sources.push_back(MakeSpoolSource(c, store));
        break;
      case SourceConfig::Kind::kGit:
        sources.push_back(MakeGitSource(c, git_cache_dir));
        break;
    }
  }
  return sources;
}

}  // namespace hgo::sources
