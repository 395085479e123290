#include "crd/yaml_reader.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

#include "common/utf8.h"

namespace hgo::crd {
namespace {

constexpr char kTagStr[] = "tag:yaml.org,2002:str";
constexpr char kTagInt[] = "tag:yaml.org,2002:int";
constexpr char kTagFloat[] = "tag:yaml.org,2002:float";
constexpr char kTagBool[] = "tag:yaml.org,2002:bool";
constexpr char kTagNull[] = "tag:yaml.org,2002:null";

bool IsPlain(const YAML::Node& n) { return n.Tag() == "?" || n.Tag().empty(); }

bool IsCoreNull(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> CoreBool(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

// YAML 1.2 core schema ints: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+.
enum class IntParse { kNotInt, kOk, kOverflow };
IntParse CoreInt(std::string_view s, int64_t& out) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    int base = s[1] == 'x' ? 16 : 8;
    auto r = std::from_chars(s.data() + 2, s.data() + s.size(), out, base);
    if (r.ptr != s.data() + s.size()) return IntParse::kNotInt;
    return r.ec == std::errc() ? IntParse::kOk : IntParse::kOverflow;
  }
  std::string_view digits = s;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit))
    return IntParse::kNotInt;
  std::string_view parse = s[0] == '+' ? s.substr(1) : s;
  auto r = std::from_chars(parse.data(), parse.data() + parse.size(), out);
  return r.ec == std::errc() ? IntParse::kOk : IntParse::kOverflow;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, by hand: std::regex recurses per
// character in libstdc++ and would overflow the stack on a hostile megabyte-long scalar.
bool LooksLikeCoreFloat(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

bool IsSpecialFloat(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    s.remove_prefix(1);
    return s == ".inf" || s == ".Inf" || s == ".INF";
  }
  return s == ".inf" || s == ".Inf" || s == ".INF" || s == ".nan" || s == ".NaN" || s == ".NAN";
}

// Counts a document's events and remembers where its first one was.
class StreamProbe final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {
    events_ = 0;
    only_null_ = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { Note(m, true); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { Note(m, false); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Note(m, false);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Note(m, false);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Note(m, false);
  }
  void OnMapEnd() override {}

  bool only_null() const { return only_null_ && events_ == 1; }
  const YAML::Mark& first_mark() const { return first_; }

 private:
  void Note(const YAML::Mark& m, bool is_null) {
    if (events_++ == 0) first_ = m;
    only_null_ = only_null_ && is_null;
  }
  int events_ = 0;
  bool only_null_ = true;
  YAML::Mark first_;
};

}  // namespace

std::optional<FieldError> ProbeYamlStream(std::string_view text, const std::string& file,
                                          int max_documents) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  StreamProbe probe;
  std::optional<YAML::Mark> previous_null;
  for (int documents = 0;; ++documents) {
    if (!parser.HandleNextDocument(probe)) return std::nullopt;
    if (documents >= max_documents) {
      return FieldError{
          file, SourceLocation{1, 1}, "",
          "file has more than " + std::to_string(max_documents) + " documents, over the limit"};
    }
    if (probe.only_null()) {
      const YAML::Mark& m = probe.first_mark();
      if (previous_null && previous_null->pos == m.pos) {
        return FieldError{file, SourceLocation{m.line + 1, m.column + 1}, "",
                          "YAML syntax error: the parser cannot read past this point"};
      }
      previous_null = m;
    } else {
      previous_null.reset();
    }
  }
}

SourceLocation LocationOf(const YAML::Node& node) {
  if (!node.IsDefined()) return {};
  YAML::Mark m = node.Mark();
  if (m.is_null()) return {};
  return SourceLocation{m.line + 1, m.column + 1};
}

std::string IndexPath(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string KeyPath(const std::string& path, std::string_view key) {
  bool simple = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  if (simple) return path.empty() ? std::string(key) : path + "." + std::string(key);
  std::string out = path;
  out += "[";
  AppendJsonString(key, out);
  out += "]";
  return out;
}

std::vector<FieldError> PrescanYamlText(std::string_view text, const std::string& file,
                                        int max_flow_depth) {
  std::vector<FieldError> errors;
  auto error_at = [&](size_t offset, std::string msg) {
    TextPosition p = PositionAt(text, offset);
    errors.push_back(FieldError{file, SourceLocation{p.line, p.column}, "", std::move(msg)});
  };
  if (auto bad = FirstInvalidUtf8(text)) {
    error_at(*bad, "invalid UTF-8 (the file must be UTF-8 text)");
    return errors;  // positions after this point would be meaningless
  }
  bool in_indent = true;
  bool in_comment = false;
  char quote = 0;
  int flow_depth = 0;
  bool reported_tab = false;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      in_indent = true;
      in_comment = false;  // quoted scalars may span lines: quote state carries over
      continue;
    }
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "0x%02x", c);
      error_at(i, std::string("control character ") + buf + " is not allowed in YAML");
      return errors;
    }
    if (in_indent) {
      if (c == '\t' && !reported_tab) {
        error_at(i, "tab character in indentation (YAML indentation must use spaces)");
        reported_tab = true;
      }
      if (c != ' ' && c != '\t') in_indent = false;
    }
    if (in_comment) continue;
    if (quote) {
      if (quote == '"' && c == '\\') {
        ++i;
      } else if (c == static_cast<unsigned char>(quote)) {
        quote = 0;
      }
      continue;
    }
    if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      in_comment = true;
    } else if (c == '"' || c == '\'') {
      // A quote starts a quoted scalar only at the start of a token.
      char prev = i == 0 ? ' ' : text[i - 1];
      if (prev == ' ' || prev == '\t' || prev == '\n' || prev == '[' || prev == '{' ||
          prev == ',' || prev == ':' || prev == '-') {
        quote = static_cast<char>(c);
      }
    } else if (c == '[' || c == '{') {
      if (++flow_depth > max_flow_depth) {
        error_at(i, "nesting deeper than " + std::to_string(max_flow_depth) + " levels");
        return errors;
      }
    } else if (c == ']' || c == '}') {
      if (flow_depth > 0) --flow_depth;
    }
  }
  return errors;
}

void ReadContext::Error(SourceLocation at, std::string path, std::string message) {
  errors_->push_back(FieldError{file_, at, std::move(path), std::move(message)});
}

void ReadContext::Record(const std::string& path, const YAML::Node& node) {
  if (locations_) (*locations_)[path] = LocationOf(node);
}

bool ReadContext::Visit(const YAML::Node& node, const std::string& path) {
  if (budget_exhausted_) return false;
  if (++visited_ > limits_.max_nodes) {
    budget_exhausted_ = true;
    Error(node, path,
          "document expands to more than " + std::to_string(limits_.max_nodes) +
              " YAML nodes (aliases count each time they are used); refusing to read further");
    return false;
  }
  return true;
}

std::string DescribeNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
      return "nothing";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar:
      break;
  }
  if (!IsPlain(node)) return "a string";
  const std::string& s = node.Scalar();
  int64_t i;
  if (CoreInt(s, i) != IntParse::kNotInt) return "a number";
  if (LooksLikeCoreFloat(s) || IsSpecialFloat(s)) return "a number";
  if (CoreBool(s)) return "a boolean";
  return "a string";
}

MapReader::MapReader(ReadContext& ctx, const YAML::Node& node, std::string path)
    : ctx_(ctx), node_(node), path_(std::move(path)) {
  if (!ctx_.Visit(node, path_)) return;
  if (!node.IsMap()) {
    ctx_.Error(node, path_, "must be a map, got " + DescribeNode(node));
    return;
  }
  ok_ = true;
  std::map<std::string, SourceLocation> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies, not references: it-> yields a temporary proxy (binding to its members is a
    // use-after-scope, found by the fuzzer). Nodes are cheap handles.
    const YAML::Node k = it->first;
    if (!k.IsScalar()) {
      ctx_.Error(k, path_, "keys must be strings, got " + DescribeNode(k));
      continue;
    }
    const std::string& key = k.Scalar();
    auto [pos, inserted] = seen.emplace(key, LocationOf(k));
    if (!inserted) {
      ctx_.Error(
          k, Child(key),
          "duplicate key '" + key + "' (first at line " + std::to_string(pos->second.line) + ")");
      continue;
    }
    entries_.emplace_back(key, YAML::Node(it->second));
    key_nodes_.push_back(k);
  }
}

std::string MapReader::Child(std::string_view key) const { return KeyPath(path_, key); }

void MapReader::CheckKnown(const std::vector<std::string_view>& known) {
  for (size_t i = 0; i < entries_.size(); ++i) {
    const std::string& key = entries_[i].first;
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string msg = "unknown field '" + key + "'";
    std::string_view best;
    size_t best_distance = 3;  // suggest only near misses
    for (auto candidate : known) {
      size_t d = EditDistance(key, candidate);
      std::string lower_key(key), lower_candidate(candidate);
      std::transform(lower_key.begin(), lower_key.end(), lower_key.begin(), ::tolower);
      std::transform(lower_candidate.begin(), lower_candidate.end(), lower_candidate.begin(),
                     ::tolower);
      if (lower_key == lower_candidate) d = 0;
      if (d < best_distance) {
        best_distance = d;
        best = candidate;
      }
    }
    if (!best.empty()) {
      msg += "; did you mean '" + std::string(best) + "'?";
    } else if (key == "<<") {
      msg = "YAML merge keys ('<<') are not supported";
    } else {
      msg += " (known fields: ";
      for (size_t k = 0; k < known.size(); ++k) msg += (k ? ", " : "") + std::string(known[k]);
      msg += ")";
    }
    ctx_.Error(key_nodes_[i], Child(key), msg);
  }
}

SourceLocation MapReader::KeyLocation(std::string_view key) const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].first == key) return LocationOf(key_nodes_[i]);
  }
  return location();
}

YAML::Node MapReader::Get(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return v;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool MapReader::Missing(std::string_view key, bool required) {
  YAML::Node v = Get(key);
  if (v.IsDefined() && !v.IsNull()) return false;
  if (required) {
    if (v.IsDefined()) {
      // yaml-cpp places an empty value at the next token; point at the key instead.
      ctx_.Error(KeyLocation(key), Child(key), "is required and must not be empty");
    } else {
      ctx_.Error(node_, Child(key), "is required");
    }
  }
  return true;
}

std::optional<std::string> MapReader::String(std::string_view key, bool required) {
  if (!ok_ || Missing(key, required)) return std::nullopt;
  YAML::Node v = Get(key);
  std::string p = Child(key);
  ctx_.Visit(v, p);
  ctx_.Record(p, v);
  if (!v.IsScalar()) {
    ctx_.Error(v, p, "must be a string, got " + DescribeNode(v));
    return std::nullopt;
  }
  if (v.Tag() != "?" && v.Tag() != "!" && v.Tag() != kTagStr && !v.Tag().empty()) {
    ctx_.Error(v, p, "must be a string, got a value tagged " + v.Tag());
    return std::nullopt;
  }
  return v.Scalar();
}

std::optional<std::string> MapReader::ScalarText(std::string_view key, bool required) {
  return String(key, required);
}

std::optional<int64_t> MapReader::Int(std::string_view key, bool required) {
  if (!ok_ || Missing(key, required)) return std::nullopt;
  YAML::Node v = Get(key);
  std::string p = Child(key);
  ctx_.Visit(v, p);
  ctx_.Record(p, v);
  if (!v.IsScalar() || !(IsPlain(v) || v.Tag() == kTagInt)) {
    std::string got = DescribeNode(v);
    if (v.IsScalar() && !IsPlain(v)) got = "a quoted string";
    ctx_.Error(v, p, "must be a whole number, got " + got);
    return std::nullopt;
  }
  int64_t out;
  switch (CoreInt(v.Scalar(), out)) {
    case IntParse::kOk:
      return out;
    case IntParse::kOverflow:
      ctx_.Error(v, p, "number " + v.Scalar() + " is out of range");
      return std::nullopt;
    case IntParse::kNotInt:
      break;
  }
  ctx_.Error(v, p, "must be a whole number, got '" + v.Scalar() + "'");
  return std::nullopt;
}

std::optional<bool> MapReader::Bool(std::string_view key, bool required) {
  if (!ok_ || Missing(key, required)) return std::nullopt;
  YAML::Node v = Get(key);
  std::string p = Child(key);
  ctx_.Visit(v, p);
  ctx_.Record(p, v);
  if (v.IsScalar() && (IsPlain(v) || v.Tag() == kTagBool)) {
    if (auto b = CoreBool(v.Scalar())) return b;
  }
  std::string got = v.IsScalar() ? "'" + v.Scalar() + "'" : DescribeNode(v);
  ctx_.Error(v, p, "must be true or false, got " + got);
  return std::nullopt;
}

std::optional<std::string> MapReader::Enum(std::string_view key,
                                           const std::vector<std::string_view>& allowed,
                                           bool required) {
  auto s = String(key, required);
  if (!s) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return s;
  std::string msg = "must be one of ";
  for (size_t i = 0; i < allowed.size(); ++i) msg += (i ? ", " : "") + std::string(allowed[i]);
  msg += ", got '" + *s + "'";
  for (auto a : allowed) {
    if (a.size() == s->size() && std::equal(a.begin(), a.end(), s->begin(), [](char x, char y) {
          return ::tolower(x) == ::tolower(y);
        })) {
      msg += "; did you mean '" + std::string(a) + "'?";
    }
  }
  ctx_.Error(Get(key), Child(key), msg);
  return std::nullopt;
}

std::optional<std::vector<std::string>> MapReader::StringList(std::string_view key, bool required) {
  if (!ok_ || Missing(key, required)) return std::nullopt;
  YAML::Node v = Get(key);
  std::string p = Child(key);
  ctx_.Record(p, v);
  if (!v.IsSequence()) {
    ctx_.Error(v, p, "must be a list of strings, got " + DescribeNode(v));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < v.size(); ++i) {
    YAML::Node e = v[i];
    std::string ep = IndexPath(p, i);
    if (!ctx_.Visit(e, ep)) return std::nullopt;
    ctx_.Record(ep, e);
    if (!e.IsScalar()) {
      ctx_.Error(e, ep, "must be a string, got " + DescribeNode(e));
      ok = false;
      continue;
    }
    out.push_back(e.Scalar());
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>> MapReader::StringMap(std::string_view key,
                                                                       bool required) {
  if (!ok_ || Missing(key, required)) return std::nullopt;
  YAML::Node v = Get(key);
  MapReader m(ctx_, v, Child(key));
  if (!m.ok()) return std::nullopt;
  ctx_.Record(m.path(), v);
  std::map<std::string, std::string> out;
  bool ok = true;
  for (const auto& [k, val] : m.entries()) {
    std::string p = m.Child(k);
    ctx_.Record(p, val);
    if (!ctx_.Visit(val, p)) return std::nullopt;
    if (!val.IsScalar()) {
      ctx_.Error(val, p, "must be a string, got " + DescribeNode(val));
      ok = false;
      continue;
    }
    out[k] = val.Scalar();
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<Json> MapReader::Value(std::string_view key, bool required) {
  if (!ok_ || Missing(key, required)) {
    if (ok_ && Has(key)) return Json();  // explicit null
    return std::nullopt;
  }
  return ToJson(ctx_, Get(key), Child(key));
}

std::optional<Json> ToJson(ReadContext& ctx, const YAML::Node& node, const std::string& path,
                           int depth) {
  if (!ctx.Visit(node, path)) return std::nullopt;
  ctx.Record(path, node);
  if (depth > ctx.limits().max_depth) {
    // Reported once: a cyclic alias (&a [*a]) would otherwise report every branch.
    if (ctx.NoteDepthExceeded()) {
      ctx.Error(node, path,
                "nested deeper than " + std::to_string(ctx.limits().max_depth) +
                    " levels (or a cyclic alias)");
    }
    return std::nullopt;
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Json();
    case YAML::NodeType::Sequence: {
      Json arr = Json::MakeArray();
      bool ok = true;
      for (size_t i = 0; i < node.size(); ++i) {
        auto child = ToJson(ctx, node[i], IndexPath(path, i), depth + 1);
        if (!child) {
          ok = false;
          if (ctx.budget_exhausted()) return std::nullopt;
          continue;
        }
        arr.push_back(std::move(*child));
      }
      if (!ok) return std::nullopt;
      return arr;
    }
    case YAML::NodeType::Map: {
      MapReader m(ctx, node, path);
      if (!m.ok()) return std::nullopt;
      Json obj = Json::MakeObject();
      bool ok = true;
      for (const auto& [k, v] : m.entries()) {
        auto child = ToJson(ctx, v, m.Child(k), depth + 1);
        if (!child) {
          ok = false;
          if (ctx.budget_exhausted()) return std::nullopt;
          continue;
        }
        obj[k] = std::move(*child);
      }
      if (!ok) return std::nullopt;
      return obj;
    }
    case YAML::NodeType::Scalar:
      break;
  }
  const std::string& s = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == kTagStr) return Json(s);
  const bool plain = IsPlain(node);
  if (!plain && tag != kTagInt && tag != kTagFloat && tag != kTagBool && tag != kTagNull) {
    ctx.Error(node, path, "unsupported YAML tag " + tag);
    return std::nullopt;
  }
  if ((plain || tag == kTagNull) && IsCoreNull(s)) return Json();
  if (plain || tag == kTagBool) {
    if (auto b = CoreBool(s)) return Json(*b);
  }
  if (plain || tag == kTagInt) {
    int64_t i;
    switch (CoreInt(s, i)) {
      case IntParse::kOk:
        return Json(i);
      case IntParse::kOverflow:
        ctx.Error(node, path, "number " + s + " is out of range (quote it to keep it as text)");
        return std::nullopt;
      case IntParse::kNotInt:
        break;
    }
  }
  if (plain || tag == kTagFloat) {
    if (IsSpecialFloat(s)) {
      ctx.Error(node, path, "'" + s + "' is not a finite number (quote it to keep it as text)");
      return std::nullopt;
    }
    if (LooksLikeCoreFloat(s)) {
      // from_chars takes neither a leading '+' nor a trailing '.'.
      std::string text = s[0] == '+' ? s.substr(1) : s;
      if (text.back() == '.') text += '0';
      double d;
      auto r = std::from_chars(text.data(), text.data() + text.size(), d);
      if (r.ec != std::errc() || r.ptr != text.data() + text.size() || !std::isfinite(d)) {
        ctx.Error(node, path, "number " + s + " is out of range");
        return std::nullopt;
      }
      return Json(d);
    }
  }
  if (!plain) {
    ctx.Error(node, path, "'" + s + "' does not match its tag " + tag);
    return std::nullopt;
  }
  return Json(s);
}

}  // namespace hgo::crd
