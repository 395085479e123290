// SimulatedLauncher: tasks that run without processes (aurora-local --simulate-tasks).
//
// For benchmarks of the controller at scale (10,000 topologies are 20,000+ tasks, far more
// processes than one machine should start): a launched task runs until it is killed; nothing is
// executed, so nothing of the task's Thermos config is checked. Test and benchmark equipment.
#pragma once

#include <mutex>
#include <set>

#include "aurora_local/launcher.h"

namespace hgo::aurora::local {

class SimulatedLauncher final : public TaskLauncher {
 public:
  Status Launch(const LaunchSpec& spec) override {
    std::lock_guard<std::mutex> lock(mu_);
    running_.insert(spec.task_id);
    return Status::Ok();
  }
  void Kill(const std::string& task_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (running_.erase(task_id)) killed_.insert(task_id);
  }
  std::optional<TaskExit> Poll(const std::string& task_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (killed_.erase(task_id)) return TaskExit{TaskExit::Kind::kKilled, "killed"};
    if (running_.count(task_id)) return std::nullopt;
    return TaskExit{TaskExit::Kind::kLost, "unknown to the simulation"};
  }
  bool EndsOnlyWhenKilled() const override { return true; }
  bool Adopt(const std::string& task_id) override {
    // A restarted aurora-local keeps its simulated tasks running.
    std::lock_guard<std::mutex> lock(mu_);
    running_.insert(task_id);
    return true;
  }

 private:
  std::mutex mu_;
  std::set<std::string> running_, killed_;
};

}  // namespace hgo::aurora::local
