// Update windows: open or closed now, and when a held revision may start.
#include "reconciler/windows.h"

#include <gtest/gtest.h>

namespace hgo::reconciler {
namespace {

// 2026-12-07 10:30:00 UTC, a Monday.
constexpr int64_t kMonday1030 = 1796639400'000;

crd::UpdateWindow Window(const std::string& kind, const std::string& schedule,
                         const std::string& duration, const std::string& zone = "UTC") {
  Json j = Json::MakeObject();
  j["kind"] = kind;
  j["schedule"] = schedule;
  j["duration"] = duration;
  j["timeZone"] = zone;
  auto w = crd::WindowFromJson(j);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return *w;
}

TEST(Windows, NoneMeansOpen) { EXPECT_TRUE(CheckWindows({}, kMonday1030).open); }

TEST(Windows, AllowWindowOpenInsideClosedOutside) {
  const auto office = Window("Allow", "0 9 * * mon-fri", "8h");
  EXPECT_TRUE(CheckWindows({&office}, kMonday1030).open);
  // 18:00 the same Monday: closed until Tuesday 09:00.
  const WindowVerdict v = CheckWindows({&office}, kMonday1030 + 27'000'000);
  EXPECT_FALSE(v.open);
  EXPECT_EQ(v.opens_ms, kMonday1030 + (22 * 3600 + 30 * 60) * 1000LL);
  EXPECT_NE(v.why.find("outside every Allow window"), std::string::npos) << v.why;
  EXPECT_NE(v.why.find("2026-12-08 09:00:00 UTC"), std::string::npos) << v.why;
}

TEST(Windows, DenyWinsOverAllowAndSaysUntilWhen) {
  const auto office = Window("Allow", "0 9 * * mon-fri", "8h");
  const auto freeze = Window("Deny", "0 10 * * mon", "2h");
  const WindowVerdict v = CheckWindows({&office, &freeze}, kMonday1030);
  EXPECT_FALSE(v.open);
  EXPECT_EQ(v.opens_ms, kMonday1030 + 90 * 60 * 1000LL);  // 12:00, still office hours
  EXPECT_NE(v.why.find("Deny window (0 10 * * mon, UTC) is open until 2026-12-07 12:00:00 UTC"),
            std::string::npos)
      << v.why;
}

TEST(Windows, ADenyOpenedTheDayBeforeStillHolds) {
  // Friday 22:00 for 60 h: the weekend freeze still holds on Sunday.
  const auto weekend = Window("Deny", "0 22 * * fri", "60h");
  const int64_t sunday_noon = kMonday1030 - (22 * 3600 + 30 * 60) * 1000LL;
  const WindowVerdict v = CheckWindows({&weekend}, sunday_noon);
  EXPECT_FALSE(v.open);
  EXPECT_EQ(v.opens_ms, sunday_noon + 22 * 3600 * 1000LL);  // Monday 10:00 UTC
}

TEST(Windows, TimeZoneMovesTheWindow) {
  // 09:00 in Berlin is 08:00 UTC in winter: at 10:30 UTC a 2 h window from 09:00 Berlin has
  // closed (08:00-10:00 UTC), one in UTC has not.
  const auto berlin = Window("Allow", "0 9 * * *", "2h", "Europe/Berlin");
  const auto utc = Window("Allow", "0 9 * * *", "2h");
  EXPECT_FALSE(CheckWindows({&berlin}, kMonday1030).open);
  EXPECT_TRUE(CheckWindows({&utc}, kMonday1030).open);
}

TEST(Windows, NeverOpeningSaysSo) {
  const auto feb30 = Window("Allow", "0 0 30 2 *", "1h");
  const WindowVerdict v = CheckWindows({&feb30}, kMonday1030);
  EXPECT_FALSE(v.open);
  EXPECT_EQ(v.opens_ms, 0);
  EXPECT_NE(v.why.find("next 8 days"), std::string::npos) << v.why;
}

TEST(Windows, BadWindowsAreRefusedWithTheirField) {
  struct Case {
    Json j;
    const char* want;
  };
  auto make = [](const char* kind, const char* schedule, const char* duration, const char* zone) {
    Json j = Json::MakeObject();
    j["kind"] = kind;
    j["schedule"] = schedule;
    j["duration"] = duration;
    if (zone) j["timeZone"] = zone;
    return j;
  };
  for (const Case& c : {Case{make("Maybe", "* * * * *", "1h", nullptr), "kind"},
                        Case{make("Allow", "* * *", "1h", nullptr), "schedule"},
                        Case{make("Allow", "* * * * *", "soon", nullptr), "duration"},
                        Case{make("Allow", "* * * * *", "1000h", nullptr), "duration"},
                        Case{make("Allow", "* * * * *", "1h", "Nowhere/Land"), "timeZone"}}) {
    auto w = crd::WindowFromJson(c.j);
    ASSERT_FALSE(w.ok()) << c.want;
    EXPECT_EQ(w.status().message().rfind(c.want, 0), 0u) << w.status().message();
  }
}

}  // namespace
}  // namespace hgo::reconciler
