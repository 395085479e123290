#include "aurora/aurora_api.h"

namespace hgo::aurora {

Status AuroraApi::ForEachTaskState(const TaskQuery& query,
                                   const std::function<void(const TaskStateView&)>& each) {
  HGO_ASSIGN_OR_RETURN(std::vector<Task> tasks, GetTaskStates(query));
  std::vector<std::pair<std::string, int32_t>> ports;
  std::vector<std::pair<std::string, std::string>> metadata;
  for (const Task& t : tasks) each(ViewOf(t, ports, metadata));
  return Status::Ok();
}

}  // namespace hgo::aurora
