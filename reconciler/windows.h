// Update windows (crd::UpdateWindow): whether a new revision may start now, and if not, when it
// may. Pure: the windows carry their loaded time zones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crd/topology.h"

namespace hgo::reconciler {

struct WindowVerdict {
  bool open = true;
  int64_t opens_ms = 0;  // !open: when the windows next allow a start; 0 when not in 8 days
  std::string why;       // !open: which window holds it
};

// Looks 8 days ahead; windows open at whole minutes of their schedules.
WindowVerdict CheckWindows(const std::vector<const crd::UpdateWindow*>& windows, int64_t now_ms);

// "2026-12-05 14:00:00 UTC"
std::string UtcText(int64_t ms);

}  // namespace hgo::reconciler
