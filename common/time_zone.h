// Time zones from the system's tz database (TZif files under /usr/share/zoneinfo, Debian's
// tzdata), for update windows written in local time. UTC offsets only: what a wall clock reads
// at an instant. Instants past the file's last transition keep its last offset (Debian's files
// list transitions up to 2037).
// Thread-safety: a loaded TimeZone is immutable; Load may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace hgo {

class TimeZone {
 public:
  // "UTC", or an IANA name ("Europe/Berlin") read from dir. kInvalidArgument for a name that is
  // not one (no such file, "..", not TZif); loaded zones are cached by name.
  static StatusOr<std::shared_ptr<const TimeZone>> Load(const std::string& name,
                                                        const std::string& dir = kDefaultDir);
  static std::shared_ptr<const TimeZone> Utc();
  // Parses a TZif file's bytes (version 1, 2 or 3).
  static StatusOr<std::shared_ptr<const TimeZone>> FromTzif(const std::string& name,
                                                            const std::string& bytes);

  const std::string& name() const { return name_; }
  // Seconds east of UTC at the instant utc_seconds.
  int32_t OffsetAt(int64_t utc_seconds) const;

  static constexpr char kDefaultDir[] = "/usr/share/zoneinfo";

 private:
  std::string name_;
  std::vector<int64_t> transitions_;  // ascending, UTC seconds
  std::vector<int32_t> offsets_;      // offset from transitions_[i] on
  int32_t initial_ = 0;               // before the first transition
};

// A wall-clock reading: the civil fields of an instant in a zone.
struct CivilTime {
  int year = 1970, month = 1, day = 1;  // month 1-12
  int hour = 0, minute = 0, second = 0;
  int weekday = 4;  // 0 = Sunday
};
CivilTime ToCivil(int64_t utc_seconds, const TimeZone& zone);

}  // namespace hgo
