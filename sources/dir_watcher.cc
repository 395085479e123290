#include "sources/dir_watcher.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <set>

namespace hgo::sources {

namespace fs = std::filesystem;

namespace {
constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE |
                           IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB;
}

DirWatcher::DirWatcher(std::string root, bool recursive)
    : root_(std::move(root)), recursive_(recursive) {}

DirWatcher::~DirWatcher() { Stop(); }

Status DirWatcher::Start(std::function<void()> changed) {
  changed_ = std::move(changed);
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return Status::Internal("inotify_init1 failed");
  AddWatches();
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void DirWatcher::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void DirWatcher::AddWatches() {
  std::set<std::string> watched;
  for (const auto& [wd, dir] : watches_) watched.insert(dir);
  auto add = [&](const std::string& dir) {
    if (watched.count(dir)) return;
    int wd = inotify_add_watch(fd_, dir.c_str(), kMask);
    if (wd >= 0) watches_[wd] = dir;
  };
  add(root_);
  if (!recursive_) return;
  std::error_code ec;
  for (fs::recursive_directory_iterator
           it(root_, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && it->path().filename().string()[0] != '.') {
      add(it->path().string());
    } else if (it->is_directory(ec)) {
      it.disable_recursion_pending();
    }
  }
}

void DirWatcher::Run() {
  alignas(inotify_event) char buf[16384];
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    // A short timeout so Stop() is prompt; also re-adds the root's watch when the directory
    // appears after a start without it.
    int n = poll(&p, 1, 200);
    if (n <= 0) {
      if (watches_.empty()) {
        AddWatches();
        if (!watches_.empty()) changed_();
      }
      continue;
    }
    bool any = false;
    ssize_t len;
    while ((len = read(fd_, buf, sizeof buf)) > 0) {
      for (char* ptr = buf; ptr < buf + len;) {
        auto* ev = reinterpret_cast<inotify_event*>(ptr);
        if (ev->mask & IN_IGNORED) watches_.erase(ev->wd);
        any = true;
        ptr += sizeof(inotify_event) + ev->len;
      }
    }
    if (any) {
      AddWatches();
      changed_();
    }
  }
}

}  // namespace hgo::sources
