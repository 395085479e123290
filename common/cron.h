// Cron schedules, the five-field form of crontab(5): minute hour day-of-month month day-of-week,
// each `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a list of those separated by
// commas; months and weekdays also by their three-letter English names; weekday 0 and 7 are
// Sunday. As in cron, when both day fields are restricted a day matches either of them.
// Used for update windows (a window opens at each time the schedule names).
#pragma once

#include <bitset>
#include <string>

#include "common/status.h"
#include "common/time_zone.h"

namespace hgo {

class CronSchedule {
 public:
  // kInvalidArgument naming the field that is wrong ("hour: 25 is out of range 0-23").
  static StatusOr<CronSchedule> Parse(const std::string& text);

  // Whether the schedule fires at the minute t is in (seconds are ignored).
  bool Matches(const CivilTime& t) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;    // 1-31
  std::bitset<13> months_;  // 1-12
  std::bitset<7> weekdays_;
  bool any_day_ = true, any_weekday_ = true;
};

}  // namespace hgo
