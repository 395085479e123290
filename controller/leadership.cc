#include "controller/leadership.h"

namespace hgo::controller {

Status WholeLeadership::Start(ClusterFn on_gained, ClusterFn on_lost) {
  return elector_.Start([on_gained] { on_gained(""); }, [on_lost] { on_lost(""); });
}

std::string WholeLeadership::LeaderOf(const std::string&) {
  auto leader = elector_.CurrentLeader();
  return leader.ok() ? *leader : "";
}

}  // namespace hgo::controller
