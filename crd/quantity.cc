#include "crd/quantity.h"

#include <algorithm>

#include <array>
#include <utility>

namespace hgo::crd {
namespace {

constexpr int64_t kMaxBytes = int64_t{1} << 62;

struct Decimal {
  int64_t whole = 0;
  int64_t frac = 0;     // the digits after the point, as an integer
  int frac_digits = 0;  // how many there were
};

// Parses "123" or "12.345" (no sign, no exponent). Returns false on anything else or overflow.
bool ParseDecimal(std::string_view s, Decimal& out) {
  if (s.empty()) return false;
  size_t i = 0;
  bool any = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (out.whole > (kMaxBytes / 10)) return false;
    out.whole = out.whole * 10 + (s[i] - '0');
    ++i;
    any = true;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    bool frac_any = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (out.frac_digits >= 18) return false;
      out.frac = out.frac * 10 + (s[i] - '0');
      ++out.frac_digits;
      ++i;
      frac_any = true;
    }
    if (!frac_any) return false;
  }
  return any && i == s.size();
}

int64_t Pow10(int n) {
  int64_t r = 1;
  while (n-- > 0) r *= 10;
  return r;
}

}  // namespace

StatusOr<int64_t> ParseByteQuantity(std::string_view text) {
  static const std::array<std::pair<std::string_view, int64_t>, 10> kSuffixes = {{
      {"Ki", int64_t{1} << 10},
      {"Mi", int64_t{1} << 20},
      {"Gi", int64_t{1} << 30},
      {"Ti", int64_t{1} << 40},
      {"Pi", int64_t{1} << 50},
      {"k", 1000},
      {"M", 1000 * 1000},
      {"G", 1000 * 1000 * 1000},
      {"T", int64_t{1000} * 1000 * 1000 * 1000},
      {"P", int64_t{1000} * 1000 * 1000 * 1000 * 1000},
  }};
  const auto bad = [&](std::string why) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not a byte quantity (" + why +
                                   "; use bytes or a unit: Ki, Mi, Gi, Ti, k, M, G, T, e.g. 4Gi)");
  };
  std::string_view number = text;
  int64_t unit = 1;
  for (const auto& [suffix, mult] : kSuffixes) {
    if (text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix) {
      number = text.substr(0, text.size() - suffix.size());
      unit = mult;
      break;
    }
  }
  Decimal d;
  if (!ParseDecimal(number, d)) {
    if (!text.empty() && (text.back() == 'B' || text.back() == 'b' || text.back() == 'K')) {
      return bad("unknown unit");
    }
    return bad("expected a number with an optional unit");
  }
  if (d.whole > kMaxBytes / unit) return bad("too large");
  int64_t bytes = d.whole * unit;
  if (d.frac_digits > 0) {
    // frac / 10^digits * unit must be whole; compute with 128-bit to avoid overflow.
    __int128 scaled = static_cast<__int128>(d.frac) * unit;
    __int128 denom = Pow10(d.frac_digits);
    if (scaled % denom != 0) return bad("not a whole number of bytes");
    bytes += static_cast<int64_t>(scaled / denom);
  }
  if (bytes > kMaxBytes) return bad("too large");
  return bytes;
}

StatusOr<int64_t> ParseCpuMillis(std::string_view text) {
  const auto bad = [&](std::string why) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not a CPU amount (" + why +
                                   "; use cores such as 2 or 0.5, or millicores such as 500m)");
  };
  constexpr int64_t kMaxMillis = 1000000000;
  Decimal d;
  if (!text.empty() && text.back() == 'm') {
    std::string_view number = text.substr(0, text.size() - 1);
    if (!ParseDecimal(number, d) || d.frac_digits > 0) return bad("expected whole millicores");
    if (d.whole > kMaxMillis) return bad("too large");
    return d.whole;
  }
  if (!ParseDecimal(text, d)) return bad("expected a decimal number");
  if (d.frac_digits > 3) return bad("more than three decimal places");
  if (d.whole > kMaxMillis / 1000) return bad("too large");
  return d.whole * 1000 + d.frac * Pow10(3 - d.frac_digits);
}

std::string FormatBytes(int64_t bytes) {
  static const std::array<std::pair<const char*, int64_t>, 5> kUnits = {{
      {"Pi", int64_t{1} << 50},
      {"Ti", int64_t{1} << 40},
      {"Gi", int64_t{1} << 30},
      {"Mi", int64_t{1} << 20},
      {"Ki", int64_t{1} << 10},
  }};
  if (bytes > 0) {
    for (const auto& [suffix, mult] : kUnits) {
      if (bytes % mult == 0) return std::to_string(bytes / mult) + suffix;
    }
  }
  return std::to_string(bytes);
}

std::string FormatCpuMillis(int64_t millis) {
  std::string out = std::to_string(millis / 1000);
  int64_t frac = millis % 1000;
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f = std::string(3 - f.size(), '0') + f;
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

StatusOr<int64_t> ParseEcoBytes(const std::string& text) {
  struct Unit {
    const char* suffix;
    int64_t mult;
  };
  for (Unit u : {Unit{"GB", int64_t{1} << 30}, Unit{"MB", int64_t{1} << 20}, Unit{"KB", 1024},
                 Unit{"B", 1}}) {
    std::string s(u.suffix);
    if (text.size() > s.size() && text.compare(text.size() - s.size(), s.size(), s) == 0) {
      std::string num = text.substr(0, text.size() - s.size());
      if (!num.empty() && std::all_of(num.begin(), num.end(), ::isdigit) && num.size() < 13) {
        return std::stoll(num) * u.mult;
      }
    }
  }
  return ParseByteQuantity(text);
}

}  // namespace hgo::crd
