// A small JSON value with a byte-stable writer and a bounded parser.
//
// Why our own: the canonical spec form, the Thermos executor config and every hash depend on the
// exact bytes written (sorted keys, fixed number formatting), so the writer's output is part of
// our contract and must not change with a library upgrade.
//
// Writer rules (Serialize): objects with keys in byte order (std::map); no whitespace; integers
// in decimal; doubles in the shortest form that reads back to the same value, always with a '.'
// or an exponent so they stay doubles; NaN and infinities are written as null; strings escape
// '"', '\\', and control characters (\b \f \n \r \t, others as \u00XX); other bytes as they are.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace hgo {

class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::map<std::string, Json>;
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

  Json() = default;
  Json(std::nullptr_t) {}                           // NOLINT
  Json(bool b) : v_(b) {}                           // NOLINT
  Json(int i) : v_(static_cast<int64_t>(i)) {}      // NOLINT
  Json(int64_t i) : v_(i) {}                        // NOLINT
  Json(double d) : v_(d) {}                         // NOLINT
  Json(const char* s) : v_(std::string(s)) {}       // NOLINT
  Json(std::string s) : v_(std::move(s)) {}         // NOLINT
  Json(std::string_view s) : v_(std::string(s)) {}  // NOLINT
  Json(Array a) : v_(std::move(a)) {}               // NOLINT
  Json(Object o) : v_(std::move(o)) {}              // NOLINT

  static Json MakeArray() { return Json(Array{}); }
  static Json MakeObject() { return Json(Object{}); }

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_double() const { return type() == Type::kDouble; }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // REQUIRES: the matching type (checked by assert in debug builds).
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const {
    return is_int() ? static_cast<double>(as_int()) : std::get<double>(v_);
  }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  const Object& as_object() const { return std::get<Object>(v_); }
  Object& as_object() { return std::get<Object>(v_); }

  // Object access; operator[] turns a null into an object first.
  Json& operator[](const std::string& key);
  // nullptr when this is not an object or has no such key.
  const Json* Find(std::string_view key) const;
  // Appends to an array; a null becomes an array first.
  void push_back(Json v);

  friend bool operator==(const Json& a, const Json& b) { return a.v_ == b.v_; }

 private:
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object> v_;
};

// Compact, canonical bytes (see the header comment).
std::string Serialize(const Json& value);
// Indented for people (two spaces); same key order and number format as Serialize.
std::string SerializePretty(const Json& value);
// Appends a JSON string literal (with quotes) for s to out.
void AppendJsonString(std::string_view s, std::string& out);
// The canonical text of a double, as Serialize writes it.
std::string FormatDouble(double d);

struct JsonParseOptions {
  int max_depth = 128;
  size_t max_bytes = 64 << 20;
};

// Strict RFC 8259 parsing: one value, nothing after it but whitespace. Duplicate object keys,
// invalid UTF-8 in strings, lone surrogates and depth over max_depth are errors. Integers that
// fit in int64 become kInt, other numbers kDouble. Errors say the byte offset.
StatusOr<Json> ParseJson(std::string_view text, const JsonParseOptions& options = {});

}  // namespace hgo
