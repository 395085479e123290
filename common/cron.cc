#include "common/cron.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace hgo {
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) out.push_back(part);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

struct Field {
  const char* name;
  int min, max;
  const char* const* names;  // names[i] is value min + i, or null
};

constexpr const char* kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};

StatusOr<int> Value(const Field& f, const std::string& text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (f.names) {
    for (int v = f.min; v <= f.max; ++v) {
      if (lower == f.names[v - f.min]) return v;
    }
  }
  if (text.empty() || text.size() > 4 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(c); })) {
    return Status::InvalidArgument(std::string(f.name) + ": '" + text + "' is not a number");
  }
  const int v = std::stoi(text);
  if (v < f.min || v > f.max) {
    return Status::InvalidArgument(std::string(f.name) + ": " + text + " is out of range " +
                                   std::to_string(f.min) + "-" + std::to_string(f.max));
  }
  return v;
}

// Sets the bits of one field; *any is whether it was `*`.
template <size_t N>
Status ParseField(const Field& f, const std::string& text, std::bitset<N>& bits, bool* any) {
  *any = text == "*";
  for (const std::string& item : Split(text, ',')) {
    std::string range = item;
    int step = 1;
    if (auto slash = item.find('/'); slash != std::string::npos) {
      range = item.substr(0, slash);
      HGO_ASSIGN_OR_RETURN(step, Value(Field{f.name, 1, f.max, nullptr}, item.substr(slash + 1)));
    }
    int lo = f.min, hi = f.max;
    if (range != "*") {
      auto dash = range.find('-');
      HGO_ASSIGN_OR_RETURN(lo, Value(f, range.substr(0, dash)));
      hi = lo;
      if (dash != std::string::npos) {
        HGO_ASSIGN_OR_RETURN(hi, Value(f, range.substr(dash + 1)));
      } else if (step > 1) {
        hi = f.max;  // "a/n": from a to the end, as cron reads it
      }
      if (hi < lo) {
        return Status::InvalidArgument(std::string(f.name) + ": range '" + range +
                                       "' runs backwards");
      }
    }
    for (int v = lo; v <= hi; v += step) bits.set(static_cast<size_t>(v % N));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<CronSchedule> CronSchedule::Parse(const std::string& text) {
  std::vector<std::string> fields;
  std::istringstream in(text);
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() != 5) {
    return Status::InvalidArgument("'" + text + "' has " + std::to_string(fields.size()) +
                                   " fields; a schedule has five: minute hour day month weekday");
  }
  CronSchedule s;
  s.text_ = text;
  bool any = false;
  HGO_RETURN_IF_ERROR(ParseField(Field{"minute", 0, 59, nullptr}, fields[0], s.minutes_, &any));
  HGO_RETURN_IF_ERROR(ParseField(Field{"hour", 0, 23, nullptr}, fields[1], s.hours_, &any));
  HGO_RETURN_IF_ERROR(
      ParseField(Field{"day of month", 1, 31, nullptr}, fields[2], s.days_, &s.any_day_));
  HGO_RETURN_IF_ERROR(ParseField(Field{"month", 1, 12, kMonthNames}, fields[3], s.months_, &any));
  // Weekday 7 is Sunday again: 7 % 7 = 0.
  HGO_RETURN_IF_ERROR(
      ParseField(Field{"day of week", 0, 7, kDayNames}, fields[4], s.weekdays_, &s.any_weekday_));
  return s;
}

bool CronSchedule::Matches(const CivilTime& t) const {
  if (!minutes_.test(t.minute) || !hours_.test(t.hour) || !months_.test(t.month)) return false;
  const bool day = days_.test(t.day), weekday = weekdays_.test(t.weekday);
  if (any_day_ && any_weekday_) return true;
  if (any_day_) return weekday;
  if (any_weekday_) return day;
  return day || weekday;
}

}  // namespace hgo
