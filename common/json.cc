#include "common/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/utf8.h"

namespace hgo {

Json& Json::operator[](const std::string& key) {
  if (is_null()) v_ = Object{};
  return std::get<Object>(v_)[key];
}

const Json* Json::Find(std::string_view key) const {
  if (!is_object()) return nullptr;
  const auto& obj = as_object();
  auto it = obj.find(std::string(key));
  return it == obj.end() ? nullptr : &it->second;
}

void Json::push_back(Json v) {
  if (is_null()) v_ = Array{};
  std::get<Array>(v_).push_back(std::move(v));
}

void AppendJsonString(std::string_view s, std::string& out) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Invalid bytes become U+FFFD so the output is always valid JSON; parsers of untrusted
      // input reject invalid UTF-8 before it gets here, so canonical forms never hit this.
      size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s.substr(i, len));
        i += len;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

std::string FormatDouble(double d) {
  if (!std::isfinite(d)) return "null";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);  // shortest round-trip form
  std::string s(buf, end);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

namespace {

void Write(const Json& v, std::string& out, int indent, int depth) {
  auto newline = [&](int d) {
    if (indent <= 0) return;
    out.push_back('\n');
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (v.type()) {
    case Json::Type::kNull:
      out += "null";
      break;
    case Json::Type::kBool:
      out += v.as_bool() ? "true" : "false";
      break;
    case Json::Type::kInt:
      out += std::to_string(v.as_int());
      break;
    case Json::Type::kDouble:
      out += FormatDouble(v.as_double());
      break;
    case Json::Type::kString:
      AppendJsonString(v.as_string(), out);
      break;
    case Json::Type::kArray: {
      const auto& a = v.as_array();
      out.push_back('[');
      for (size_t i = 0; i < a.size(); ++i) {
        if (i) out.push_back(',');
        newline(depth + 1);
        Write(a[i], out, indent, depth + 1);
      }
      if (!a.empty()) newline(depth);
      out.push_back(']');
      break;
    }
    case Json::Type::kObject: {
      const auto& o = v.as_object();
      out.push_back('{');
      bool first = true;
      for (const auto& [k, child] : o) {
        if (!first) out.push_back(',');
        first = false;
        newline(depth + 1);
        AppendJsonString(k, out);
        out.push_back(':');
        if (indent > 0) out.push_back(' ');
        Write(child, out, indent, depth + 1);
      }
      if (!o.empty()) newline(depth);
      out.push_back('}');
      break;
    }
  }
}

class Parser {
 public:
  Parser(std::string_view text, const JsonParseOptions& options) : s_(text), opt_(options) {}

  StatusOr<Json> ParseDocument() {
    if (s_.size() > opt_.max_bytes) {
      return Status::ResourceExhausted("JSON document of " + std::to_string(s_.size()) +
                                       " bytes exceeds the limit of " +
                                       std::to_string(opt_.max_bytes));
    }
    Json v;
    HGO_RETURN_IF_ERROR(ParseValue(v, 0));
    SkipWs();
    if (pos_ != s_.size()) return Error("unexpected data after the JSON value");
    return v;
  }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("JSON at byte " + std::to_string(pos_) + ": " + what);
  }
  void SkipWs() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Consume(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) == lit) {
      pos_ += lit.size();
      return true;
    }
    return false;
  }

  Status ParseValue(Json& out, int depth) {
    if (depth > opt_.max_depth) {
      return Error("nesting deeper than " + std::to_string(opt_.max_depth));
    }
    SkipWs();
    if (pos_ >= s_.size()) return Error("unexpected end of input");
    char c = s_[pos_];
    if (c == '{') return ParseObject(out, depth);
    if (c == '[') return ParseArray(out, depth);
    if (c == '"') {
      std::string str;
      HGO_RETURN_IF_ERROR(ParseString(str));
      out = Json(std::move(str));
      return Status::Ok();
    }
    if (Consume("true")) {
      out = Json(true);
      return Status::Ok();
    }
    if (Consume("false")) {
      out = Json(false);
      return Status::Ok();
    }
    if (Consume("null")) {
      out = Json(nullptr);
      return Status::Ok();
    }
    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(out);
    return Error(std::string("unexpected character '") + c + "'");
  }

  Status ParseObject(Json& out, int depth) {
    ++pos_;  // '{'
    Json::Object obj;
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      out = Json(std::move(obj));
      return Status::Ok();
    }
    while (true) {
      SkipWs();
      if (pos_ >= s_.size() || s_[pos_] != '"') return Error("expected a string key");
      std::string key;
      HGO_RETURN_IF_ERROR(ParseString(key));
      SkipWs();
      if (pos_ >= s_.size() || s_[pos_] != ':') return Error("expected ':'");
      ++pos_;
      Json child;
      HGO_RETURN_IF_ERROR(ParseValue(child, depth + 1));
      if (!obj.emplace(key, std::move(child)).second) return Error("duplicate key \"" + key + "\"");
      SkipWs();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        out = Json(std::move(obj));
        return Status::Ok();
      }
      return Error("expected ',' or '}'");
    }
  }

  Status ParseArray(Json& out, int depth) {
    ++pos_;  // '['
    Json::Array arr;
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      out = Json(std::move(arr));
      return Status::Ok();
    }
    while (true) {
      Json child;
      HGO_RETURN_IF_ERROR(ParseValue(child, depth + 1));
      arr.push_back(std::move(child));
      SkipWs();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        out = Json(std::move(arr));
        return Status::Ok();
      }
      return Error("expected ',' or ']'");
    }
  }

  Status ParseHex4(uint32_t& cp) {
    if (pos_ + 4 > s_.size()) return Error("truncated \\u escape");
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      char h = s_[pos_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') {
        cp |= static_cast<uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        cp |= static_cast<uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        cp |= static_cast<uint32_t>(h - 'A' + 10);
      } else {
        return Error("bad hex digit in \\u escape");
      }
    }
    return Status::Ok();
  }

  Status ParseString(std::string& out) {
    ++pos_;  // opening quote
    size_t run_start = pos_;
    while (true) {
      if (pos_ >= s_.size()) return Error("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        out.append(s_.substr(run_start, pos_ - run_start));
        ++pos_;
        break;
      }
      if (c < 0x20) return Error("control character in string");
      if (c != '\\') {
        ++pos_;
        continue;
      }
      out.append(s_.substr(run_start, pos_ - run_start));
      ++pos_;
      if (pos_ >= s_.size()) return Error("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          HGO_RETURN_IF_ERROR(ParseHex4(cp));
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (!Consume("\\u")) return Error("lone high surrogate");
            HGO_RETURN_IF_ERROR(ParseHex4(low));
            if (low < 0xDC00 || low > 0xDFFF) return Error("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Error("lone low surrogate");
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Error(std::string("bad escape '\\") + e + "'");
      }
      run_start = pos_;
    }
    if (FirstInvalidUtf8(out).has_value()) return Error("invalid UTF-8 in string");
    return Status::Ok();
  }

  Status ParseNumber(Json& out) {
    size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size()) return Error("truncated number");
    if (s_[pos_] == '0') {
      ++pos_;
    } else if (s_[pos_] >= '1' && s_[pos_] <= '9') {
      while (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    } else {
      return Error("bad number");
    }
    bool is_int = true;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      is_int = false;
      ++pos_;
      if (pos_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[pos_]))) {
        return Error("digit expected after '.'");
      }
      while (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      is_int = false;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (pos_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[pos_]))) {
        return Error("digit expected in exponent");
      }
      while (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    const char* b = s_.data() + start;
    const char* e = s_.data() + pos_;
    if (is_int) {
      int64_t i;
      auto r = std::from_chars(b, e, i);
      if (r.ec == std::errc() && r.ptr == e) {
        out = Json(i);
        return Status::Ok();
      }
    }
    double d;
    auto r = std::from_chars(b, e, d);
    if (r.ec != std::errc() || r.ptr != e) return Error("number out of range");
    out = Json(d);
    return Status::Ok();
  }

  std::string_view s_;
  JsonParseOptions opt_;
  size_t pos_ = 0;
};

}  // namespace

std::string Serialize(const Json& value) {
  std::string out;
  Write(value, out, 0, 0);
  return out;
}

std::string SerializePretty(const Json& value) {
  std::string out;
  Write(value, out, 2, 0);
  return out;
}

StatusOr<Json> ParseJson(std::string_view text, const JsonParseOptions& options) {
  return Parser(text, options).ParseDocument();
}

}  // namespace hgo
