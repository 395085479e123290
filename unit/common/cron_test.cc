// Cron schedules and time zones: the fields crontab(5) allows, the errors it does not, and
// wall-clock readings across daylight-saving changes from the system's tz database.
#include "common/cron.h"

#include <gtest/gtest.h>

#include "common/time_zone.h"

namespace hgo {
namespace {

CivilTime At(int month, int day, int weekday, int hour, int minute) {
  CivilTime t;
  t.year = 2026;
  t.month = month;
  t.day = day;
  t.weekday = weekday;
  t.hour = hour;
  t.minute = minute;
  return t;
}

TEST(CronSchedule, MatchesFieldsRangesStepsListsAndNames) {
  auto s = CronSchedule::Parse("*/15 9-17 * * mon-fri");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->Matches(At(12, 7, 1, 9, 0)));    // Monday 09:00
  EXPECT_TRUE(s->Matches(At(12, 7, 1, 17, 45)));  // Monday 17:45
  EXPECT_FALSE(s->Matches(At(12, 7, 1, 9, 10)));  // not a quarter
  EXPECT_FALSE(s->Matches(At(12, 5, 6, 9, 0)));   // Saturday
  EXPECT_FALSE(s->Matches(At(12, 7, 1, 18, 0)));

  auto sunday = CronSchedule::Parse("0 0 * * 7");  // 7 is Sunday, as 0
  ASSERT_TRUE(sunday.ok());
  EXPECT_TRUE(sunday->Matches(At(12, 6, 0, 0, 0)));

  auto list = CronSchedule::Parse("5,35 22 24 DEC *");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->Matches(At(12, 24, 4, 22, 35)));
  EXPECT_FALSE(list->Matches(At(11, 24, 2, 22, 35)));
}

TEST(CronSchedule, BothDayFieldsRestrictedMatchEither) {
  // crontab(5): "30 4 1,15 * 5" runs on the 1st, the 15th and every Friday.
  auto s = CronSchedule::Parse("30 4 1,15 * 5");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->Matches(At(12, 15, 2, 4, 30)));  // the 15th, a Tuesday
  EXPECT_TRUE(s->Matches(At(12, 4, 5, 4, 30)));   // a Friday, the 4th
  EXPECT_FALSE(s->Matches(At(12, 8, 2, 4, 30)));  // neither
}

TEST(CronSchedule, BadSchedulesNameTheField) {
  struct Case {
    const char* text;
    const char* want;
  };
  for (const Case& c : {Case{"* * * *", "five"}, Case{"61 * * * *", "minute: 61 is out of range"},
                        Case{"0 25 * * *", "hour: 25"}, Case{"0 0 0 * *", "day of month: 0"},
                        Case{"0 0 * foo *", "month: 'foo'"}, Case{"0 0 * * 8", "day of week: 8"},
                        Case{"10-5 * * * *", "backwards"}, Case{"*/0 * * * *", "minute: 0"}}) {
    auto s = CronSchedule::Parse(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.status().message().find(c.want), std::string::npos)
        << c.text << ": " << s.status().message();
  }
}

TEST(TimeZone, BerlinAcrossDaylightSavingChanges) {
  auto berlin = TimeZone::Load("Europe/Berlin");
  ASSERT_TRUE(berlin.ok()) << berlin.status().ToString();
  // 2026-03-29 01:00 UTC: CET (+1) becomes CEST (+2); 2026-10-25 01:00 UTC back.
  const int64_t spring = 1774746000, autumn = 1792890000;
  EXPECT_EQ((*berlin)->OffsetAt(spring - 1), 3600);
  EXPECT_EQ((*berlin)->OffsetAt(spring), 7200);
  EXPECT_EQ((*berlin)->OffsetAt(autumn - 1), 7200);
  EXPECT_EQ((*berlin)->OffsetAt(autumn), 3600);
  CivilTime t = ToCivil(spring, **berlin);
  EXPECT_EQ(t.hour, 3);  // 02:00 local does not exist that night
  EXPECT_EQ(t.day, 29);
  EXPECT_EQ(t.weekday, 0);  // a Sunday
}

TEST(TimeZone, UtcAndBadNames) {
  EXPECT_EQ(ToCivil(0, *TimeZone::Utc()).weekday, 4);   // 1970-01-01, a Thursday
  CivilTime t = ToCivil(1796083200, *TimeZone::Utc());  // 2026-12-01 00:00:00
  EXPECT_EQ(t.year, 2026);
  EXPECT_EQ(t.month, 12);
  EXPECT_EQ(t.day, 1);
  EXPECT_EQ(t.weekday, 2);
  for (const char* bad : {"Mars/Olympus", "../etc/passwd", "/etc/localtime", ""}) {
    auto z = TimeZone::Load(bad);
    EXPECT_FALSE(z.ok()) << bad;
  }
  EXPECT_FALSE(TimeZone::FromTzif("x", "not a tz file").ok());
}

}  // namespace
}  // namespace hgo
