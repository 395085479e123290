#include "crd/config_file.h"

#include <yaml-cpp/yaml.h>

#include "crd/yaml_reader.h"

namespace hgo::crd {

namespace {

constexpr int kMaxFlowDepth = 32;

std::string Join(const std::string& path, const std::string& key) { return KeyPath(path, key); }

// The text of every scalar as written, by field path (ToJson's paths).
void ScalarTexts(const YAML::Node& node, const std::string& path, int depth,
                 std::map<std::string, std::string>& out) {
  if (depth > ReaderLimits{}.max_depth) return;
  if (node.IsScalar()) {
    out[path] = node.Scalar();
  } else if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      ScalarTexts(node[i], IndexPath(path, i), depth + 1, out);
    }
  } else if (node.IsMap()) {
    for (const auto& kv : node) {
      if (kv.first.IsScalar())
        ScalarTexts(kv.second, Join(path, kv.first.Scalar()), depth + 1, out);
    }
  }
}

}  // namespace

StatusOr<ConfigFile> ConfigFile::Parse(const std::string& text, const std::string& file) {
  ConfigFile out;
  out.file_ = file;
  auto first = [&](const std::vector<FieldError>& errors) {
    const FieldError& e = errors.front();
    return Status::InvalidArgument(file + ":" + std::to_string(e.location.line) + ": " +
                                   (e.path.empty() ? "" : e.path + ": ") + e.message);
  };
  std::vector<FieldError> errors = PrescanYamlText(text, file, kMaxFlowDepth);
  if (!errors.empty()) return first(errors);
  std::vector<YAML::Node> docs;
  try {
    if (auto stuck = ProbeYamlStream(text, file, 1)) return first({*stuck});
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (docs.size() > 1) return Status::InvalidArgument(file + ": expected one YAML document");
  if (docs.empty()) return out;
  ReadContext ctx(file, ReaderLimits{}, &errors, &out.locations_);
  auto value = ToJson(ctx, docs[0], "");
  if (!errors.empty()) return first(errors);
  if (!value) return Status::InvalidArgument(file + ": cannot be read");
  out.root_ = std::move(*value);
  try {
    ScalarTexts(docs[0], "", 0, out.scalars_);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return out;
}

int ConfigFile::LineOf(const std::string& path) const {
  // The field's own line, else the nearest written parent's ("a.b[2].c" -> "a.b[2]" -> "a.b").
  std::string at = path;
  while (true) {
    auto it = locations_.find(at);
    if (it != locations_.end()) return it->second.line;
    if (at.empty()) return 1;
    const size_t cut = at.find_last_of(".[");
    at = cut == std::string::npos ? "" : at.substr(0, cut);
  }
}

Status ConfigFile::Error(const std::string& path, const std::string& message) const {
  return Status::InvalidArgument(file_ + ":" + std::to_string(LineOf(path)) + ": " + path + ": " +
                                 message);
}

Status ConfigFile::OnlyKeys(const Json& map, const std::string& path,
                            const std::set<std::string>& known) const {
  if (!map.is_object()) return Error(path, "must be a mapping");
  for (const auto& [key, value] : map.as_object()) {
    if (known.count(key)) continue;
    std::string names;
    for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
    return Error(Join(path, key), "unknown field (known: " + names + ")");
  }
  return Status::Ok();
}

StatusOr<std::string> ConfigFile::String(const Json& map, const std::string& path,
                                         const std::string& key, bool required) const {
  const Json* v = map.is_object() ? map.Find(key) : nullptr;
  if (!v || v->is_null()) {
    if (required) return Error(Join(path, key), "is required");
    return std::string();
  }
  if (v->is_string()) return v->as_string();
  // A number or boolean is taken as written (a version "0.20" stays "0.20").
  if (v->is_number() || v->is_bool()) {
    auto text = scalars_.find(Join(path, key));
    if (text != scalars_.end()) return text->second;
  }
  return Error(Join(path, key), "must be a string");
}

}  // namespace hgo::crd
