#include "reconciler/windows.h"

#include <algorithm>
#include <cstdio>

namespace hgo::reconciler {
namespace {

constexpr int64_t kHorizonS = 8 * 86400;

struct Interval {
  int64_t start_s, end_s;  // [start, end)
  const crd::UpdateWindow* window;
};

// The times window is open from `from_s` on, to the horizon: one interval per minute its
// schedule names, from a duration before from_s (a window opened earlier may still be open).
std::vector<Interval> OpenIntervals(const crd::UpdateWindow& w, int64_t from_s, int64_t to_s) {
  std::vector<Interval> out;
  int64_t t = (from_s - w.duration_seconds) / 60 * 60;
  for (; t <= to_s; t += 60) {
    if (!w.schedule.Matches(ToCivil(t, *w.zone))) continue;
    if (t + w.duration_seconds <= from_s) continue;
    if (!out.empty() && t <= out.back().end_s) {
      out.back().end_s = std::max(out.back().end_s, t + w.duration_seconds);
    } else {
      out.push_back(Interval{t, t + w.duration_seconds, &w});
    }
  }
  return out;
}

const Interval* Covering(const std::vector<Interval>& intervals, int64_t t) {
  for (const auto& i : intervals) {
    if (i.start_s <= t && t < i.end_s) return &i;
  }
  return nullptr;
}

}  // namespace

std::string UtcText(int64_t ms) {
  CivilTime c = ToCivil(ms / 1000, *TimeZone::Utc());
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d UTC", c.year, c.month, c.day,
                c.hour, c.minute, c.second);
  return buf;
}

WindowVerdict CheckWindows(const std::vector<const crd::UpdateWindow*>& windows, int64_t now_ms) {
  WindowVerdict v;
  if (windows.empty()) return v;
  const int64_t now_s = now_ms / 1000;
  std::vector<Interval> allow, deny;
  bool any_allow = false;
  for (const auto* w : windows) {
    auto open = OpenIntervals(*w, now_s, now_s + kHorizonS);
    auto& into = w->kind == crd::UpdateWindow::Kind::kDeny ? deny : allow;
    any_allow |= w->kind == crd::UpdateWindow::Kind::kAllow;
    into.insert(into.end(), open.begin(), open.end());
  }
  auto allowed = [&](int64_t t) {
    return !Covering(deny, t) && (!any_allow || Covering(allow, t));
  };
  if (allowed(now_s)) return v;
  v.open = false;
  if (const Interval* d = Covering(deny, now_s)) {
    v.why = "a Deny window (" + d->window->schedule.text() + ", " + d->window->zone->name() +
            ") is open until " + UtcText(d->end_s * 1000);
  } else {
    v.why = "outside every Allow window";
  }
  // The windows change only where an interval starts or ends.
  std::vector<int64_t> candidates;
  for (const auto& i : deny) candidates.push_back(i.end_s);
  for (const auto& i : allow) candidates.push_back(i.start_s);
  std::sort(candidates.begin(), candidates.end());
  for (int64_t t : candidates) {
    if (t > now_s && t <= now_s + kHorizonS && allowed(t)) {
      v.opens_ms = t * 1000;
      v.why += "; the next start is allowed at " + UtcText(v.opens_ms);
      break;
    }
  }
  if (v.opens_ms == 0) v.why += "; no start is allowed in the next 8 days";
  return v;
}

}  // namespace hgo::reconciler
