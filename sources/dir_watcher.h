// DirWatcher: calls a function when anything changes under a directory tree (inotify), on a
// thread of its own. Coarse on purpose: sources re-read the whole tree, so the watcher only has
// to notice; a missed event is covered by the controller's periodic resync.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"

namespace hgo::sources {

class DirWatcher {
 public:
  // recursive: also watch subdirectories (new ones are added as they appear).
  DirWatcher(std::string root, bool recursive);
  ~DirWatcher();
  Status Start(std::function<void()> changed);
  void Stop();

 private:
  void AddWatches();  // watches root and, if recursive, every directory below it
  void Run();

  const std::string root_;
  const bool recursive_;
  std::function<void()> changed_;
  int fd_ = -1;
  std::map<int, std::string> watches_;  // inotify descriptor -> directory
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace hgo::sources
