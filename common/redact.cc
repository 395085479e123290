#include "common/redact.h"

#include <array>
#include <cctype>

namespace hgo {
namespace {

constexpr std::array<std::string_view, 15> kWords = {
    "password",    "passwd",      "secret",     "token",      "credential",
    "apikey",      "api.key",     "api_key",    "api-key",    "private.key",
    "private_key", "private-key", "access.key", "access_key", "access-key"};
constexpr std::string_view kMask = "***";

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool StartsWithNoCase(std::string_view text, size_t at, std::string_view word) {
  if (text.size() - at < word.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    if (Lower(text[at + k]) != word[k]) return false;
  }
  return true;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

// RFC 3986 userinfo, without the characters prose puts after a URL: ' ( ).
bool IsUserinfoChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '%':
    case '!':
    case '$':
    case '&':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
    case ':':
      return true;
    default:
      return false;
  }
}

// RFC 7235's token68, the credentials after an authorization scheme.
bool IsToken68Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/' || c == '=';
}

bool IsMasked(std::string_view v) { return v == kMask; }

// `scheme://USERINFO@` at i (text[i..] is "://").
std::optional<CredentialMatch> UserinfoAt(std::string_view text, size_t i) {
  const size_t begin = i + 3;
  size_t end = begin;
  while (end < text.size() && IsUserinfoChar(text[end])) ++end;
  if (end == begin || end >= text.size() || text[end] != '@') return std::nullopt;
  if (IsMasked(text.substr(begin, end - begin))) return std::nullopt;
  return CredentialMatch{CredentialMatch::Kind::kUserinfo, begin, end, "", false};
}

// `Bearer X` / `Basic X` at i (as HTTP writes them: capitalized).
std::optional<CredentialMatch> AuthorizationAt(std::string_view text, size_t i) {
  if (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))) return std::nullopt;
  size_t begin;
  if (text.compare(i, 7, "Bearer ") == 0) {
    begin = i + 7;
  } else if (text.compare(i, 6, "Basic ") == 0) {
    begin = i + 6;
  } else {
    return std::nullopt;
  }
  size_t end = begin;
  while (end < text.size() && IsToken68Char(text[end])) ++end;
  if (end == begin || IsMasked(text.substr(begin, end - begin))) return std::nullopt;
  return CredentialMatch{CredentialMatch::Kind::kAuthorization, begin, end, "", false};
}

// Where the value after a separator starts and ends: quoted ("…", \"…\", '…') or bare. Sets
// *bare for a value without quotes.
std::optional<std::pair<size_t, size_t>> ValueAt(std::string_view text, size_t p, bool* bare) {
  *bare = false;
  if (p >= text.size()) return std::nullopt;
  size_t begin, end;
  if (text.compare(p, 2, "\\\"") == 0) {
    begin = p + 2;
    end = text.find("\\\"", begin);
  } else if (text[p] == '"' || text[p] == '\'') {
    const char quote = text[p];
    begin = p + 1;
    end = begin;
    while (end < text.size() && text[end] != quote) end += text[end] == '\\' ? 2 : 1;
  } else {
    *bare = true;
    begin = end = p;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) {
      const char c = text[end];
      if (c == ',' || c == ';' || c == '&' || c == '}' || c == ']' || c == ')' || c == '"' ||
          c == '\'' || c == '\\') {
        break;
      }
      ++end;
    }
  }
  if (end == std::string_view::npos || end > text.size()) end = text.size();
  if (end == begin) return std::nullopt;
  return std::make_pair(begin, end);
}

size_t SkipBlanks(std::string_view text, size_t p) {
  while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
  return p;
}

// After a name: its closing quote, blanks, `=` or `:`, blanks. npos when no separator follows.
size_t AfterSeparator(std::string_view text, size_t p) {
  if (text.compare(p, 2, "\\\"") == 0) {
    p += 2;
  } else if (p < text.size() && (text[p] == '"' || text[p] == '\'')) {
    ++p;
  }
  p = SkipBlanks(text, p);
  if (p >= text.size() || (text[p] != '=' && text[p] != ':')) return std::string_view::npos;
  if (text.compare(p, 3, "://") == 0) return std::string_view::npos;  // a URI, not a value
  return SkipBlanks(text, p + 1);
}

// ECO's property form after a name's value: `"name": "password", "value": X` (or YAML's
// `name: password` with `value: X` on the next line).
size_t AfterPropertyValueKey(std::string_view text, size_t p) {
  if (text.compare(p, 2, "\\\"") == 0) {
    p += 2;
  } else if (p < text.size() && (text[p] == '"' || text[p] == '\'')) {
    ++p;
  }
  const size_t limit = std::min(text.size(), p + 64);
  while (p < limit && (text[p] == ',' || std::isspace(static_cast<unsigned char>(text[p])))) ++p;
  if (text.compare(p, 2, "\\\"") == 0) {
    p += 2;
  } else if (p < text.size() && (text[p] == '"' || text[p] == '\'')) {
    ++p;
  }
  if (text.compare(p, 5, "value") != 0) return std::string_view::npos;
  return AfterSeparator(text, p + 5);
}

// A credential-named token starting at or around i; *next is where to look again.
std::optional<CredentialMatch> NamedValueAt(std::string_view text, size_t i, size_t* next) {
  *next = i + 1;
  bool word = false;
  for (std::string_view w : kWords) {
    if (StartsWithNoCase(text, i, w)) {
      word = true;
      break;
    }
  }
  if (!word) return std::nullopt;
  size_t start = i;
  while (start > 0 && IsNameChar(text[start - 1])) --start;
  size_t end = i;
  while (end < text.size() && IsNameChar(text[end])) ++end;
  *next = end;  // the rest of this name says nothing more
  std::string name(text.substr(start, end - start));
  while (!name.empty() && name.front() == '-') name.erase(0, 1);
  if (name.size() > 1 && name[0] == 'D') name.erase(0, 1);  // -Dkey=value
  size_t p = AfterSeparator(text, end);
  if (p == std::string_view::npos) p = AfterPropertyValueKey(text, end);
  if (p == std::string_view::npos) return std::nullopt;
  bool bare = false;
  auto value = ValueAt(text, p, &bare);
  if (!value) return std::nullopt;
  const std::string_view v = text.substr(value->first, value->second - value->first);
  if (IsMasked(v) || IsCredentialReference(v)) return std::nullopt;
  if (bare && (v == "true" || v == "false" || v == "null" || v[0] == '{' || v[0] == '[')) {
    return std::nullopt;
  }
  *next = value->second;
  return CredentialMatch{CredentialMatch::Kind::kNamedValue, value->first, value->second, name,
                         bare};
}

}  // namespace

bool LooksLikeCredentialName(std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    for (std::string_view w : kWords) {
      if (StartsWithNoCase(name, i, w)) return true;
    }
  }
  return false;
}

bool IsCredentialReference(std::string_view v) {
  return (v.rfind("file:", 0) == 0 || v.rfind("env:", 0) == 0) && v.size() > 5;
}

std::optional<CredentialMatch> FindCredential(std::string_view text, size_t from) {
  for (size_t i = from; i < text.size();) {
    const char c = text[i];
    if (c == ':' && text.compare(i, 3, "://") == 0) {
      if (auto m = UserinfoAt(text, i)) return m;
    } else if (c == 'B') {
      if (auto m = AuthorizationAt(text, i)) return m;
    }
    switch (Lower(c)) {
      case 'p':
      case 's':
      case 't':
      case 'c':
      case 'a': {
        size_t next;
        if (auto m = NamedValueAt(text, i, &next)) return m;
        i = next;
        continue;
      }
      default:
        break;
    }
    ++i;
  }
  return std::nullopt;
}

namespace {

// A bare value after a JSON key ("token": 5): masked as a string, so that the JSON stays valid.
bool AfterJsonKey(const std::string& text, size_t at) {
  size_t k = at;
  while (k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\t')) --k;
  if (k == 0 || text[k - 1] != ':') return false;
  --k;
  while (k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\t')) --k;
  return k > 0 && text[k - 1] == '"' && !(k >= 2 && text[k - 2] == '\\');
}

}  // namespace

bool RedactInPlace(std::string& text) {
  auto m = FindCredential(text);
  if (!m) return false;  // the common case: nothing copied
  // Built piece by piece, so that many credentials cost one pass, not one move of the rest each.
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  for (; m; m = FindCredential(text, m->end)) {
    out.append(text, copied, m->begin - copied);
    out += m->bare && AfterJsonKey(text, m->begin) ? std::string_view("\"***\"") : kMask;
    copied = m->end;
  }
  out.append(text, copied, std::string::npos);
  text = std::move(out);
  return true;
}

std::string Redact(std::string_view text) {
  std::string out(text);
  RedactInPlace(out);
  return out;
}

}  // namespace hgo
