// The git source: a bare clone kept in a cache directory, fetched on an interval or on a webhook,
// and read at the branch's commit without a working copy (libgit2).
#include <git2.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/file_util.h"
#include "common/sha256.h"
#include "sources/sources.h"

namespace hgo::sources {

namespace {

std::string GitError(const std::string& what) {
  const git_error* e = git_error_last();
  return what + ": " + (e && e->message ? e->message : "unknown libgit2 error");
}

// Frees a libgit2 object when it goes out of scope.
template <typename T, void (*Free)(T*)>
struct Owned {
  T* p = nullptr;
  ~Owned() {
    if (p) Free(p);
  }
};

struct Credentials {
  std::string user;
  std::string password;
  int attempts = 0;
};

int CredentialsCallback(git_credential** out, const char* /*url*/, const char* user_from_url,
                        unsigned int allowed, void* payload) {
  auto* c = static_cast<Credentials*>(payload);
  // libgit2 asks again after a refusal: give up instead of looping.
  if (!c || c->password.empty() || ++c->attempts > 1 ||
      !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
    return GIT_EAUTH;
  }
  const std::string user = !c->user.empty() ? c->user : (user_from_url ? user_from_url : "git");
  return git_credential_userpass_plaintext_new(out, user.c_str(), c->password.c_str());
}

struct WalkState {
  git_repository* repo;
  std::string prefix;  // the subdir, with a trailing '/', or ""
  SourceSnapshot* snapshot;
  std::string short_commit;
  ParseCache* cache;
};

int WalkCallback(const char* root, const git_tree_entry* entry, void* payload) {
  auto* w = static_cast<WalkState*>(payload);
  const std::string name = git_tree_entry_name(entry);
  if (git_tree_entry_type(entry) == GIT_OBJECT_TREE) return name[0] == '.' ? 1 : 0;  // 1: skip
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB || !IsSpecFileName(name)) return 0;
  const std::string path = w->prefix + root + name;
  Owned<git_blob, git_blob_free> blob;
  if (git_blob_lookup(&blob.p, w->repo, git_tree_entry_id(entry)) != 0) {
    w->snapshot->files.push_back(std::make_shared<const SpecFile>(
        SpecFile{path, {}, {}, true, {crd::FieldError{path, {}, "", GitError("reading blob")}}}));
    return 0;
  }
  const auto size = static_cast<size_t>(git_blob_rawsize(blob.p));
  const std::string content(static_cast<const char*>(git_blob_rawcontent(blob.p)), size);
  AddSpecFile(path + "@" + w->short_commit, content, *w->snapshot, w->cache);
  return 0;
}

class GitSource final : public SpecSource {
 public:
  GitSource(SourceConfig c, std::string cache_dir) : config_(std::move(c)) {
    git_libgit2_init();
    path_ =
        (std::filesystem::path(cache_dir) / (Sha256Hex(config_.location).substr(0, 16) + ".git"))
            .string();
  }
  ~GitSource() override {
    Stop();
    if (repo_) git_repository_free(repo_);
    git_libgit2_shutdown();
  }
  const SourceConfig& config() const override { return config_; }

  SourceSnapshot Read() override {
    SourceSnapshot s;
    s.source = config_.text;
    s.allow_empty = config_.allow_empty;
    const auto now = std::chrono::steady_clock::now();
    if (refresh_.exchange(false) || !fetched_ || now - last_fetch_ >= config_.interval) {
      Status f = Fetch();
      last_fetch_ = now;
      if (!f.ok()) {
        s.status = f;
        return s;
      }
      fetched_ = true;
    }
    s.status = ReadTree(s);
    return s;
  }

  Status Watch(std::function<void()> changed) override {
    changed_ = std::move(changed);
    thread_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!stop_) {
        cv_.wait_for(lock, config_.interval, [this] { return stop_; });
        if (stop_) break;
        lock.unlock();
        changed_();
        lock.lock();
      }
    });
    return Status::Ok();
  }
  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  void Refresh() override {
    refresh_ = true;
    if (changed_) changed_();
  }

 private:
  Status Open() {
    if (repo_) return Status::Ok();
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
    if (git_repository_open_bare(&repo_, path_.c_str()) != 0 &&
        git_repository_init(&repo_, path_.c_str(), 1) != 0) {
      return Status::Internal(GitError("opening the cache " + path_));
    }
    Owned<git_remote, git_remote_free> remote;
    if (git_remote_lookup(&remote.p, repo_, "origin") != 0) {
      if (git_remote_create(&remote.p, repo_, "origin", config_.location.c_str()) != 0) {
        return Status::Internal(GitError("adding remote " + config_.location));
      }
    } else if (git_remote_set_url(repo_, "origin", config_.location.c_str()) != 0) {
      return Status::Internal(GitError("setting remote " + config_.location));
    }
    return Status::Ok();
  }

  Status Fetch() {
    HGO_RETURN_IF_ERROR(Open());
    Credentials creds;
    if (!config_.credentials_file.empty()) {
      auto text = ReadFileLimited(config_.credentials_file, 4096);
      if (!text.ok()) return Status::Unauthenticated("git credentials: " + text.status().message());
      std::string line = *text;
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      const size_t colon = line.find(':');
      creds.user = colon == std::string::npos ? "" : line.substr(0, colon);
      creds.password = colon == std::string::npos ? line : line.substr(colon + 1);
    }
    Owned<git_remote, git_remote_free> remote;
    if (git_remote_lookup(&remote.p, repo_, "origin") != 0) {
      return Status::Internal(GitError("remote origin"));
    }
    git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
    options.callbacks.credentials = CredentialsCallback;
    options.callbacks.payload = &creds;
    options.prune = GIT_FETCH_PRUNE;
    char refspec[] = "+refs/heads/*:refs/remotes/origin/*";
    char* refspecs[] = {refspec};
    git_strarray specs{refspecs, 1};
    if (git_remote_fetch(remote.p, &specs, &options, "heron-controller fetch") != 0) {
      const git_error* e = git_error_last();
      const bool auth = creds.attempts > 0 || (e && e->klass == GIT_ERROR_HTTP);
      const std::string msg = GitError("fetching " + config_.location);
      return auth ? Status::Unauthenticated(msg) : Status::Unavailable(msg);
    }
    return Status::Ok();
  }

  Status ReadTree(SourceSnapshot& s) {
    std::vector<std::string> branches = {config_.branch};
    if (config_.branch.empty()) branches = {"main", "master"};
    git_oid oid;
    bool found = false;
    for (const auto& b : branches) {
      if (git_reference_name_to_id(&oid, repo_, ("refs/remotes/origin/" + b).c_str()) == 0) {
        found = true;
        break;
      }
    }
    if (!found) {
      return Status::NotFound("branch " +
                              (config_.branch.empty() ? "main (or master)" : config_.branch) +
                              " not found in " + config_.location);
    }
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, &oid);
    s.revision = hex;
    Owned<git_commit, git_commit_free> commit;
    Owned<git_tree, git_tree_free> tree;
    if (git_commit_lookup(&commit.p, repo_, &oid) != 0 || git_commit_tree(&tree.p, commit.p) != 0) {
      return Status::Internal(GitError("reading commit " + s.revision));
    }
    Owned<git_tree, git_tree_free> sub;
    git_tree* walk_root = tree.p;
    if (!config_.subdir.empty()) {
      Owned<git_tree_entry, git_tree_entry_free> entry;
      if (git_tree_entry_bypath(&entry.p, tree.p, config_.subdir.c_str()) != 0 ||
          git_tree_entry_type(entry.p) != GIT_OBJECT_TREE ||
          git_tree_lookup(&sub.p, repo_, git_tree_entry_id(entry.p)) != 0) {
        return Status::NotFound("no directory '" + config_.subdir + "' at commit " + s.revision);
      }
      walk_root = sub.p;
    }
    WalkState w{repo_, config_.subdir.empty() ? "" : config_.subdir + "/", &s,
                s.revision.substr(0, 12), &cache_};
    const int walked = git_tree_walk(walk_root, GIT_TREEWALK_PRE, WalkCallback, &w);
    cache_.Sweep();
    if (walked < 0) return Status::Internal(GitError("walking commit " + s.revision));
    return Status::Ok();
  }

  SourceConfig config_;
  ParseCache cache_;
  std::string path_;
  git_repository* repo_ = nullptr;
  bool fetched_ = false;
  std::chrono::steady_clock::time_point last_fetch_;
  std::atomic<bool> refresh_{false};
  std::function<void()> changed_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<SpecSource> MakeGitSource(SourceConfig config, std::string cache_dir) {
  return std::make_unique<GitSource>(std::move(config), std::move(cache_dir));
}

}  // namespace hgo::sources
