// A spec as block-style YAML, for files people read and commit (heronctl import): the spec
// format of SpecText (canonical form, resources as quantities) emitted by yaml-cpp.
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <string>

#include "crd/canonical.h"

namespace hgo::crd {

namespace {

// A string YAML reads back as the same string without quotes: a letter first, then letters,
// digits and _ . - / only, and none of YAML 1.1's words for booleans and null.
bool Plain(const std::string& s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) &&
        std::string("_.-/").find(ch) == std::string::npos) {
      return false;
    }
  }
  std::string lower;
  for (char ch : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const char* word : {"true", "false", "yes", "no", "on", "off", "y", "n", "null"}) {
    if (lower == word) return false;
  }
  return true;
}

void Emit(YAML::Emitter& out, const Json& j) {
  switch (j.type()) {
    case Json::Type::kNull:
      out << YAML::Null;
      break;
    case Json::Type::kBool:
      out << j.as_bool();
      break;
    case Json::Type::kInt:
      out << j.as_int();
      break;
    case Json::Type::kDouble:
      out << j.as_double();
      break;
    case Json::Type::kString:
      out << (Plain(j.as_string()) ? YAML::Auto : YAML::DoubleQuoted) << j.as_string();
      break;
    case Json::Type::kArray:
      out << YAML::BeginSeq;
      for (const auto& e : j.as_array()) Emit(out, e);
      out << YAML::EndSeq;
      break;
    case Json::Type::kObject:
      out << YAML::BeginMap;
      for (const auto& [k, v] : j.as_object()) {
        out << YAML::Key << k << YAML::Value;
        Emit(out, v);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

std::string SpecYaml(const Topology& t) {
  auto j = ParseJson(SpecText(t));
  if (!j.ok()) return SpecText(t);  // valid YAML too
  YAML::Emitter out;
  Emit(out, *j);
  return std::string(out.c_str()) + "\n";
}

}  // namespace hgo::crd
