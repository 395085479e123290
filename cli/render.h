// heronctl's output: aligned tables as kubectl prints them, human ages, YAML for -o yaml, and the
// renderings of the controller's answers (list, describe, history, events). Pure functions of
// the API's JSON and a "now", so golden tests pin them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/json.h"

namespace hgo::cli {

// kubectl's age format: 45s, 3m20s, 7m, 5h10m, 30h, 3d4h, 20d, 2y100d, 9y.
std::string HumanAge(int64_t ms);

// Columns left-aligned, separated by three spaces, no trailing spaces; the first row is the
// header.
std::string RenderTable(const std::vector<std::vector<std::string>>& rows);

// Block-style YAML of a JSON value (keys in the JSON's order; strings quoted when YAML would
// read them as something else).
std::string ToYaml(const Json& value);

// "a/b/c/name" -> the name when it is unique in `keys`, else the whole key.
std::string DisplayName(const std::string& key, const std::vector<std::string>& keys);

// `heronctl get topologies`: output is table, wide, json or yaml. list is the API's
// GET /api/v1/topologies answer, already filtered.
std::string RenderTopologies(const Json& list, const std::string& output, int64_t now_ms);
// GET /api/v1/clusters as a table (each cluster's breaker), json or yaml.
std::string RenderClusters(const Json& list, const std::string& output, int64_t now_ms);

// `heronctl describe topology`: status (the API's full GET answer) and its events.
std::string RenderDescribe(const Json& status, int64_t now_ms);

// `heronctl rollout history`: the /history answer and the status (to mark the current one).
std::string RenderHistory(const Json& history, const Json& status, int64_t now_ms);

// `heronctl events`: rows of (topology display name, event JSON), newest last.
std::string RenderEvents(const std::vector<std::pair<std::string, Json>>& events, int64_t now_ms);

// Helpers for the API's JSON: "" / 0 / false when absent or of another type.
std::string Str(const Json& j, const char* key);
int64_t Int(const Json& j, const char* key);
bool Bool(const Json& j, const char* key);
// The array under key, or an empty one when absent or not an array.
const Json::Array& Items(const Json& j, const char* key);

}  // namespace hgo::cli
