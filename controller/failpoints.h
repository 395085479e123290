// The controller's failpoints (common/failpoint.h): the step boundaries of a pass, where a
// crash, an error or a stop must leave nothing the next pass (of this controller or another)
// cannot converge from. `heron-controller --list-failpoints` prints them.
#pragma once

#include <string_view>
#include <vector>

namespace hgo::controller {

// A pass has planned and is about to execute (nothing of the plan has reached a server).
inline constexpr std::string_view kBeforeActFailpoint = "controller.pass.before_act";
// Before each action of a plan (the ones before it were carried out whole).
inline constexpr std::string_view kBeforeActionFailpoint = "controller.executor.before_action";
// The plan's actions were carried out and the record changed: it is about to be written (or
// deleted with the topology). Passes that change nothing do not reach it.
inline constexpr std::string_view kBeforeRecordFailpoint = "controller.pass.before_record";

inline std::vector<std::string_view> ControllerFailpoints() {
  return {kBeforeActFailpoint, kBeforeActionFailpoint, kBeforeRecordFailpoint};
}

}  // namespace hgo::controller
