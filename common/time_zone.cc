// TZif layout from RFC 8536: a 44-byte header (magic "TZif", version, 15 reserved bytes, six
// big-endian counts), then the data block; version 2+ files repeat header and data with 64-bit
// transition times, which are the ones read here when present.
#include "common/time_zone.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace hgo {
namespace {

int64_t BigEndian(const std::string& b, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

struct Counts {
  int64_t isut, isstd, leap, time, type, chars;
};

StatusOr<Counts> ReadHeader(const std::string& b, size_t at) {
  if (b.size() < at + 44 || b.compare(at, 4, "TZif") != 0) {
    return Status::InvalidArgument("not a TZif file");
  }
  Counts c{};
  int64_t* fields[] = {&c.isut, &c.isstd, &c.leap, &c.time, &c.type, &c.chars};
  for (int i = 0; i < 6; ++i) {
    *fields[i] = BigEndian(b, at + 20 + 4 * i, 4);
    if (*fields[i] < 0 || *fields[i] > 100000) return Status::InvalidArgument("bad TZif counts");
  }
  if (c.type < 1) return Status::InvalidArgument("TZif file without local time types");
  return c;
}

size_t DataSize(const Counts& c, int time_bytes) {
  return c.time * time_bytes + c.time + c.type * 6 + c.chars + c.leap * (time_bytes + 4) + c.isstd +
         c.isut;
}

// Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm, proleptic Gregorian).
void CivilFromDays(int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

}  // namespace

StatusOr<std::shared_ptr<const TimeZone>> TimeZone::FromTzif(const std::string& name,
                                                             const std::string& b) {
  HGO_ASSIGN_OR_RETURN(Counts c, ReadHeader(b, 0));
  size_t at = 44;
  int time_bytes = 4;
  if (b[4] >= '2') {
    at += DataSize(c, 4);
    HGO_ASSIGN_OR_RETURN(c, ReadHeader(b, at));
    at += 44;
    time_bytes = 8;
  }
  if (b.size() < at + DataSize(c, time_bytes)) return Status::InvalidArgument("truncated TZif");
  auto zone = std::make_shared<TimeZone>();
  zone->name_ = name;
  const size_t types_at = at + c.time * time_bytes + c.time;
  auto offset_of = [&](int64_t type) -> StatusOr<int32_t> {
    if (type < 0 || type >= c.type) return Status::InvalidArgument("bad TZif type index");
    return static_cast<int32_t>(BigEndian(b, types_at + 6 * type, 4));
  };
  HGO_ASSIGN_OR_RETURN(zone->initial_, offset_of(0));
  for (int64_t i = 0; i < c.time; ++i) {
    zone->transitions_.push_back(BigEndian(b, at + i * time_bytes, time_bytes));
    HGO_ASSIGN_OR_RETURN(int32_t off,
                         offset_of(static_cast<unsigned char>(b[at + c.time * time_bytes + i])));
    zone->offsets_.push_back(off);
  }
  for (size_t i = 1; i < zone->transitions_.size(); ++i) {
    if (zone->transitions_[i] < zone->transitions_[i - 1]) {
      return Status::InvalidArgument("TZif transitions out of order");
    }
  }
  return std::shared_ptr<const TimeZone>(std::move(zone));
}

std::shared_ptr<const TimeZone> TimeZone::Utc() {
  static const auto utc = [] {
    auto z = std::make_shared<TimeZone>();
    z->name_ = "UTC";
    return std::shared_ptr<const TimeZone>(std::move(z));
  }();
  return utc;
}

StatusOr<std::shared_ptr<const TimeZone>> TimeZone::Load(const std::string& name,
                                                         const std::string& dir) {
  if (name == "UTC" || name == "Etc/UTC") return Utc();
  bool plain = !name.empty() && name.front() != '/' && name.find("..") == std::string::npos;
  for (char ch : name) {
    plain &= std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' || ch == '_' || ch == '-' ||
             ch == '+';
  }
  if (!plain) return Status::InvalidArgument("'" + name + "' is not a time zone name");
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const TimeZone>> cache;
  const std::string path = dir + "/" + name;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(path); it != cache.end()) return it->second;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("unknown time zone '" + name + "' (no " + path + ")");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto zone = FromTzif(name, bytes.str());
  if (!zone.ok()) {
    return Status::InvalidArgument("time zone '" + name + "': " + zone.status().message());
  }
  std::lock_guard<std::mutex> lock(mu);
  cache[path] = *zone;
  return *zone;
}

int32_t TimeZone::OffsetAt(int64_t utc_seconds) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
  if (it == transitions_.begin()) return initial_;
  return offsets_[it - transitions_.begin() - 1];
}

CivilTime ToCivil(int64_t utc_seconds, const TimeZone& zone) {
  const int64_t local = utc_seconds + zone.OffsetAt(utc_seconds);
  int64_t days = local / 86400, rest = local % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  CivilTime t;
  CivilFromDays(days, t.year, t.month, t.day);
  t.hour = static_cast<int>(rest / 3600);
  t.minute = static_cast<int>(rest / 60 % 60);
  t.second = static_cast<int>(rest % 60);
  t.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  return t;
}

}  // namespace hgo
