// A leader election in memory: FakeElection holds the candidates in the order they joined, the
// first leads. Electors made from one election compete as ZkLeaderElector's candidates do
// (testing/contract/leader_elector_contract.h runs the same tests against both). Callbacks run
// on the thread that caused them (Start, Resign, Depose). Each election counts one term up.
// Thread-safe.
#pragma once

#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "statestore/leader_elector.h"

namespace hgo::testing {

class FakeElection {
 public:
  std::unique_ptr<statestore::LeaderElector> MakeElector(const std::string& identity);
  // The leader loses its session: on_lost runs, it campaigns again at the back of the line and
  // the next candidate (if any) is elected. No-op without a leader.
  void Depose();
  std::string Leader() const;  // "" when none

 private:
  class Elector;
  struct Candidate {
    Elector* elector;
    std::string identity;
    std::function<void()> on_elected, on_lost;
  };
  void Join(Candidate c);
  void Leave(Elector* e);
  // Elects the first candidate if it has not been told yet (mu_ not held while it is told).
  void ElectFirst(std::unique_lock<std::mutex>& lock);
  mutable std::mutex mu_;
  std::list<Candidate> line_;
  Elector* told_ = nullptr;  // the candidate last told it leads
  int64_t term_ = 0;         // told_'s term: one more at each election
};

}  // namespace hgo::testing
