#include "testing/fakes/fake_election.h"

#include <algorithm>

namespace hgo::testing {

class FakeElection::Elector final : public statestore::LeaderElector {
 public:
  Elector(FakeElection& election, std::string identity)
      : election_(election), identity_(std::move(identity)) {}
  ~Elector() override { Resign(); }
  Status Start(std::function<void()> on_elected, std::function<void()> on_lost) override {
    election_.Join(Candidate{this, identity_, std::move(on_elected), std::move(on_lost)});
    return Status::Ok();
  }
  bool IsLeader() const override {
    std::lock_guard<std::mutex> lock(election_.mu_);
    return election_.told_ == this;
  }
  int64_t term() const override {
    std::lock_guard<std::mutex> lock(election_.mu_);
    return election_.told_ == this ? election_.term_ : 0;
  }
  void Resign() override { election_.Leave(this); }
  StatusOr<std::string> CurrentLeader() override {
    std::string leader = election_.Leader();
    if (leader.empty()) return Status::NotFound("no leader");
    return leader;
  }
  void Changed() { NotifyLeadershipChange(); }

 private:
  FakeElection& election_;
  const std::string identity_;
};

std::unique_ptr<statestore::LeaderElector> FakeElection::MakeElector(const std::string& identity) {
  return std::make_unique<Elector>(*this, identity);
}

std::string FakeElection::Leader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return told_ ? line_.front().identity : "";
}

void FakeElection::ElectFirst(std::unique_lock<std::mutex>& lock) {
  if (line_.empty() || told_ == line_.front().elector) return;
  told_ = line_.front().elector;
  ++term_;
  Elector* e = told_;
  auto elected = line_.front().on_elected;
  lock.unlock();
  if (elected) elected();
  e->Changed();
  lock.lock();
}

void FakeElection::Join(Candidate c) {
  std::unique_lock<std::mutex> lock(mu_);
  line_.push_back(std::move(c));
  ElectFirst(lock);
}

void FakeElection::Leave(Elector* e) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it =
      std::find_if(line_.begin(), line_.end(), [e](const Candidate& c) { return c.elector == e; });
  if (it == line_.end()) return;
  const bool led = told_ == e;
  auto lost = it->on_lost;
  line_.erase(it);
  if (led) {
    told_ = nullptr;
    lock.unlock();
    if (lost) lost();
    e->Changed();
    lock.lock();
  }
  ElectFirst(lock);
}

void FakeElection::Depose() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!told_) return;
  Candidate c = line_.front();
  line_.pop_front();
  told_ = nullptr;
  lock.unlock();
  if (c.on_lost) c.on_lost();
  c.elector->Changed();
  lock.lock();
  line_.push_back(c);  // campaigns again
  ElectFirst(lock);
}

}  // namespace hgo::testing
