#include "cli/diff.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "common/redact.h"

namespace hgo::cli {

namespace {

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

struct Op {
  char kind;  // ' ', '-', '+'
  int a, b;   // line indexes in from and to (the one that applies)
};

// Longest common subsequence by dynamic programming: specs are a few hundred lines at most.
std::vector<Op> Script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<Op> ops;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      ops.push_back({' ', static_cast<int>(i++), static_cast<int>(j++)});
    } else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) {  // removals first
      ops.push_back({'+', static_cast<int>(i), static_cast<int>(j++)});
    } else {
      ops.push_back({'-', static_cast<int>(i++), static_cast<int>(j)});
    }
  }
  return ops;
}

}  // namespace

std::string UnifiedDiff(const std::string& from, const std::string& to,
                        const std::string& from_name, const std::string& to_name, bool color,
                        int context) {
  const auto a = Lines(from), b = Lines(to);
  const auto ops = Script(a, b);
  if (std::all_of(ops.begin(), ops.end(), [](const Op& o) { return o.kind == ' '; })) return "";
  const char* red = color ? "\033[31m" : "";
  const char* green = color ? "\033[32m" : "";
  const char* cyan = color ? "\033[36m" : "";
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::ostringstream out;
  out << bold << "--- " << from_name << reset << "\n" << bold << "+++ " << to_name << reset << "\n";
  size_t k = 0;
  while (k < ops.size()) {
    // The next change, and the hunk around it: changes closer than 2*context lines merge.
    while (k < ops.size() && ops[k].kind == ' ') ++k;
    if (k == ops.size()) break;
    size_t start = k >= static_cast<size_t>(context) ? k - context : 0;
    size_t end = k;
    while (end < ops.size()) {
      size_t next = end;
      while (next < ops.size() && ops[next].kind != ' ') ++next;
      size_t run = next;
      while (run < ops.size() && ops[run].kind == ' ') ++run;
      if (run == ops.size() || run - next > static_cast<size_t>(2 * context)) {
        end = std::min(ops.size(), next + context);
        break;
      }
      end = run;
    }
    int a_start = ops[start].a, b_start = ops[start].b, a_len = 0, b_len = 0;
    for (size_t x = start; x < end; ++x) {
      a_len += ops[x].kind != '+' ? 1 : 0;
      b_len += ops[x].kind != '-' ? 1 : 0;
    }
    auto range = [](int s, int len) {
      // diff -u: an empty range is shown at the line before it.
      return std::to_string(len == 0 ? s : s + 1) + (len == 1 ? "" : "," + std::to_string(len));
    };
    out << cyan << "@@ -" << range(a_start, a_len) << " +" << range(b_start, b_len) << " @@"
        << reset << "\n";
    for (size_t x = start; x < end; ++x) {
      const Op& o = ops[x];
      if (o.kind == ' ') {
        out << " " << a[o.a] << "\n";
      } else if (o.kind == '-') {
        out << red << "-" << a[o.a] << reset << "\n";
      } else {
        out << green << "+" << b[o.b] << reset << "\n";
      }
    }
    k = end;
  }
  // A changed credential shows as a changed line, never with its values.
  std::string text = out.str();
  RedactInPlace(text);
  return text;
}

}  // namespace hgo::cli
