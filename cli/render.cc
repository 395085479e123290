#include "cli/render.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

namespace hgo::cli {

std::string Str(const Json& j, const char* key) {
  const Json* v = j.Find(key);
  return v && v->is_string() ? v->as_string() : "";
}
int64_t Int(const Json& j, const char* key) {
  const Json* v = j.Find(key);
  return v && v->is_int() ? v->as_int() : 0;
}
bool Bool(const Json& j, const char* key) {
  const Json* v = j.Find(key);
  return v && v->is_bool() && v->as_bool();
}

const Json::Array& Items(const Json& j, const char* key) {
  static const Json::Array kEmpty;
  const Json* v = j.Find(key);
  return v && v->is_array() ? v->as_array() : kEmpty;
}

namespace {

const Json& Field(const Json& j, const char* key) {
  static const Json kNull;
  const Json* v = j.Find(key);
  return v ? *v : kNull;
}

std::string AgeSince(int64_t since_ms, int64_t now_ms) {
  return since_ms > 0 ? HumanAge(now_ms - since_ms) : "<none>";
}

std::string Short(const std::string& hash) { return hash.substr(0, 12); }

// A describe section's body: the text indented by two spaces, or "<none>".
void Indented(std::ostringstream& out, const std::string& text) {
  if (text.empty()) {
    out << "  <none>\n";
    return;
  }
  std::istringstream lines(text);
  for (std::string l; std::getline(lines, l);) out << "  " << l << "\n";
}

// How many instances run and how many the applied revision has ("2/3").
std::string Ready(const Json& t) {
  int running = 0, total = 0;
  for (const auto& i :
       Field(t, "instances").is_array() ? Field(t, "instances").as_array() : Json::Array{}) {
    ++total;
    running += Str(i, "state") == "RUNNING" ? 1 : 0;
  }
  return std::to_string(running) + "/" + std::to_string(total);
}

bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  static const char* kWords[] = {"true", "false", "yes",  "no",    "on",   "off",
                                 "null", "~",     "True", "False", "Yes",  "No",
                                 "On",   "Off",   "Null", "NULL",  "TRUE", "FALSE"};
  for (const char* w : kWords) {
    if (s == w) return true;
  }
  if (std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back()))) {
    return true;
  }
  if (std::string("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string::npos) return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  for (char c : s) {
    if (c == '\n' || c == '\t' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  // Would read as a number.
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}

std::string Scalar(const Json& v) {
  if (v.is_string()) {
    return NeedsQuotes(v.as_string()) ? Serialize(v) : v.as_string();  // JSON quoting is YAML
  }
  if (v.is_null()) return "null";
  return Serialize(v);
}

bool Empty(const Json& v) {
  return (v.is_array() && v.as_array().empty()) || (v.is_object() && v.as_object().empty());
}

void EmitYaml(const Json& v, int indent, std::ostringstream& out) {
  const std::string pad(indent, ' ');
  if (v.is_object()) {
    for (const auto& [k, child] : v.as_object()) {
      out << pad << Scalar(Json(k)) << ":";
      if ((child.is_object() || child.is_array()) && !Empty(child)) {
        out << "\n";
        EmitYaml(child, child.is_array() ? indent : indent + 2, out);
      } else {
        out << " " << (Empty(child) ? Serialize(child) : Scalar(child)) << "\n";
      }
    }
  } else if (v.is_array()) {
    for (const auto& item : v.as_array()) {
      if ((item.is_object() || item.is_array()) && !Empty(item)) {
        std::ostringstream inner;
        EmitYaml(item, indent + 2, inner);
        std::string s = inner.str();
        // "- " takes the place of the first line's indentation.
        out << pad << "- " << s.substr(indent + 2);
      } else {
        out << pad << "- " << (Empty(item) ? Serialize(item) : Scalar(item)) << "\n";
      }
    }
  } else {
    out << pad << Scalar(v) << "\n";
  }
}

}  // namespace

std::string HumanAge(int64_t ms) {
  int64_t s = std::max<int64_t>(0, ms / 1000);
  const int64_t m = s / 60, h = s / 3600, d = h / 24, y = d / 365;
  auto n = [](int64_t v) { return std::to_string(v); };
  if (s < 120) return n(s) + "s";
  if (m < 10) return s % 60 == 0 ? n(m) + "m" : n(m) + "m" + n(s % 60) + "s";
  if (m < 180) return n(m) + "m";
  if (h < 8) return m % 60 == 0 ? n(h) + "h" : n(h) + "h" + n(m % 60) + "m";
  if (h < 48) return n(h) + "h";
  if (h < 24 * 8) return h % 24 == 0 ? n(d) + "d" : n(d) + "d" + n(h % 24) + "h";
  if (d < 365 * 2) return n(d) + "d";
  if (y < 8) return d % 365 == 0 ? n(y) + "y" : n(y) + "y" + n(d % 365) + "d";
  return n(y) + "y";
}

std::string RenderTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    if (r.size() > width.size()) width.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::ostringstream out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
  return out.str();
}

std::string ToYaml(const Json& value) {
  std::ostringstream out;
  if ((value.is_object() || value.is_array()) && Empty(value)) return Serialize(value) + "\n";
  EmitYaml(value, 0, out);
  return out.str();
}

std::string DisplayName(const std::string& key, const std::vector<std::string>& keys) {
  const std::string name = key.substr(key.rfind('/') + 1);
  int same = 0;
  for (const auto& k : keys) same += k.substr(k.rfind('/') + 1) == name ? 1 : 0;
  return same == 1 ? name : key;
}

std::string RenderTopologies(const Json& list, const std::string& output, int64_t now_ms) {
  if (output == "json") return SerializePretty(list) + "\n";
  if (output == "yaml") return ToYaml(list);
  const bool wide = output == "wide";
  const Json& topologies = Field(list, "topologies");
  const Json::Array items = topologies.is_array() ? topologies.as_array() : Json::Array{};
  std::vector<std::string> keys;
  for (const auto& t : items) keys.push_back(Str(t, "key"));
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"NAME", "CLUSTER", "ROLE", "ENV", "PHASE", "READY", "REVISION", "AGE"});
  if (wide) {
    for (const char* c : {"SPEC", "SOURCE", "SOURCE-REVISION", "TOPOLOGY-ID", "MESSAGE"}) {
      rows[0].push_back(c);
    }
  }
  for (const auto& t : items) {
    const int64_t rev = Int(t, "revision");
    std::vector<std::string> row = {DisplayName(Str(t, "key"), keys),
                                    Str(t, "cluster"),
                                    Str(t, "role"),
                                    Str(t, "environment"),
                                    Str(t, "phase"),
                                    Ready(t),
                                    rev > 0 ? std::to_string(rev) : "<none>",
                                    AgeSince(Int(t, "phaseSinceMs"), now_ms)};
    if (wide) {
      row.push_back(Short(Str(t, "desiredSpecHash")));
      row.push_back(Str(t, "source"));
      row.push_back(Short(Str(t, "sourceRevision")));
      row.push_back(Str(t, "topologyId"));
      std::string msg = Str(t, "message");
      std::replace(msg.begin(), msg.end(), '\n', ' ');
      row.push_back(msg);
    }
    for (auto& cell : row) {
      if (cell.empty()) cell = "<none>";
    }
    rows.push_back(std::move(row));
  }
  std::string out = items.empty() ? "No topologies found.\n" : RenderTable(rows);
  const Json& errors = Field(list, "sourceErrors");
  if (errors.is_array() && !errors.as_array().empty()) {
    out += "\nSource errors:\n";
    for (const auto& e : errors.as_array()) {
      out += "  " + (e.is_string() ? e.as_string() : Serialize(e)) + "\n";
    }
  }
  return out;
}

std::string RenderClusters(const Json& list, const std::string& output, int64_t now_ms) {
  if (output == "json") return SerializePretty(list) + "\n";
  if (output == "yaml") return ToYaml(list);
  const Json& clusters = Field(list, "clusters");
  const Json::Array items = clusters.is_array() ? clusters.as_array() : Json::Array{};
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"NAME", "BREAKER", "FAILURES", "OPENS", "NEXT-PROBE", "LAST-REACHED"});
  // LEADER: the controller that leads the cluster (one for all, or each cluster's with --shards).
  if (output == "wide") rows[0].insert(rows[0].end(), {"LEADER", "LAST-ERROR"});
  for (const auto& c : items) {
    const Json& b = Field(c, "breaker");
    const int64_t retry_at = Int(b, "retryAtMs");
    std::vector<std::string> row = {Str(c, "name"),
                                    Str(b, "state"),
                                    std::to_string(std::max<int64_t>(0, Int(b, "failures"))),
                                    std::to_string(std::max<int64_t>(0, Int(b, "opens"))),
                                    Str(b, "state") == "open" && retry_at > now_ms
                                        ? "in " + HumanAge(retry_at - now_ms)
                                        : "<none>",
                                    AgeSince(Int(b, "lastReachedMs"), now_ms)};
    if (output == "wide") row.insert(row.end(), {Str(c, "leader"), Str(b, "lastError")});
    for (auto& cell : row) {
      if (cell.empty()) cell = "<none>";
    }
    rows.push_back(std::move(row));
  }
  return items.empty() ? "No clusters found.\n" : RenderTable(rows);
}

std::string RenderDescribe(const Json& s, int64_t now_ms) {
  std::ostringstream out;
  auto line = [&](const std::string& label, const std::string& value) {
    std::string padded = label + ":";
    padded.resize(std::max<size_t>(padded.size() + 1, 18), ' ');
    out << padded << (value.empty() ? "<none>" : value) << "\n";
  };
  line("Name", Str(s, "name"));
  line("Key", Str(s, "key"));
  std::string labels;
  for (const auto& [k, v] :
       Field(s, "labels").is_object() ? Field(s, "labels").as_object() : Json::Object{}) {
    labels += (labels.empty() ? "" : ",") + k + "=" + (v.is_string() ? v.as_string() : "");
  }
  line("Labels", labels);
  line("Phase", Str(s, "phase") + (Int(s, "phaseSinceMs") > 0
                                       ? " (for " + HumanAge(now_ms - Int(s, "phaseSinceMs")) + ")"
                                       : ""));
  line("Message", Str(s, "message"));
  line("Suspended", Bool(s, "suspended") ? "true" : "false");
  line("Source", Str(s, "source"));
  if (!Str(s, "sourceError").empty()) line("Source error", Str(s, "sourceError"));
  line("Desired spec", Short(Str(s, "desiredSpecHash")));
  const int64_t rev = Int(s, "revision");
  line("Revision",
       rev > 0
           ? std::to_string(rev) + " (spec " + Short(Str(s, "appliedSpecHash")) +
                 ", source revision " +
                 (Str(s, "sourceRevision").empty() ? "<none>" : Short(Str(s, "sourceRevision"))) +
                 ")"
           : "");
  line("Stable revision",
       Int(s, "stableRevision") > 0 ? std::to_string(Int(s, "stableRevision")) : "");
  if (Int(s, "pinnedRevision") > 0) {
    line("Pinned revision", std::to_string(Int(s, "pinnedRevision")) + " (until the spec changes)");
  }
  const Json& failed = Field(s, "failedSpecHashes");
  std::string failed_list;
  for (const auto& h : failed.is_array() ? failed.as_array() : Json::Array{}) {
    failed_list += (failed_list.empty() ? "" : ", ") + Short(h.is_string() ? h.as_string() : "");
  }
  line("Failed specs", failed_list);
  line("Last observed",
       Int(s, "observedAtMs") > 0 ? HumanAge(now_ms - Int(s, "observedAtMs")) + " ago" : "never");

  // The applied spec, summarised.
  const Json& spec = Field(Field(Field(Field(s, "record"), "applied"), "spec"), "spec");
  out << "Spec:\n";
  if (spec.is_object()) {
    const Json& topology = Field(spec, "topology");
    std::string components;
    for (const auto& [list, kind] : {std::pair{"spouts", "spout"}, std::pair{"bolts", "bolt"}}) {
      for (const auto& c : Items(topology, list)) {
        components += (components.empty() ? "" : ", ") + std::string(kind) + " " + Str(c, "id") +
                      " x" + std::to_string(Int(c, "parallelism"));
      }
    }
    const Json& packing = Field(spec, "packing");
    const Json& update = Field(spec, "update");
    out << "  Package:           " << Str(Field(spec, "package"), "uri") << "\n"
        << "  Topology:          " << Str(topology, "name")
        << " ("
        // ECO reads a file without type as a Storm topology.
        << (Str(topology, "type").empty() ? "storm" : Str(topology, "type"))
        << "): " << (components.empty() ? "<none>" : components) << "\n"
        << "  Packing:           " << Str(packing, "algorithm")
        << (Int(packing, "containers") > 0
                ? ", " + std::to_string(Int(packing, "containers")) + " containers"
                : "")
        << "\n"
        << "  Update:            " << Str(update, "strategy") << ", batch "
        << Int(update, "batchSize") << ", deadline " << Int(update, "progressDeadlineSeconds")
        << "s, rollback " << (Bool(update, "rollbackOnFailure") ? "on" : "off") << "\n"
        << "  State:             " << Str(spec, "state") << ", syncPolicy "
        << Str(spec, "syncPolicy") << "\n";
  } else {
    Indented(out, "");
  }

  const Json& heron = Field(s, "heron");
  out << "Heron:\n";
  if (heron.is_object()) {
    out << "  Topology ID:       "
        << (Str(heron, "topologyId").empty() ? "<none>" : Str(heron, "topologyId"))
        << "\n  State:             "
        << (Str(heron, "state").empty() ? "<none>" : Str(heron, "state"))
        << "\n  Packing plan:      " << (Bool(heron, "packingPlan") ? "present" : "missing")
        << "\n  Physical plan:     " << (Bool(heron, "physicalPlan") ? "present" : "missing")
        << "\n  Topology manager:  "
        << (Str(heron, "topologyManager").empty()
                ? "not registered"
                : "registered for " + Str(heron, "topologyManager"))
        << "\n";
    if (const Json& runtime = Field(heron, "runtimeConfig");
        runtime.is_object() && !runtime.as_object().empty()) {
      out << "  Runtime config:    ";
      bool first = true;
      for (const auto& [key, value] : runtime.as_object()) {
        out << (first ? "" : ", ") << key << "=" << (value.is_string() ? value.as_string() : "");
        first = false;
      }
      out << "\n";
    }
  } else {
    out << "  <no state in ZooKeeper>\n";
  }

  const Json& record = Field(s, "record");
  const Json& conditions = Field(record, "conditions");
  out << "Conditions:\n";
  std::string table;
  if (conditions.is_array() && !conditions.as_array().empty()) {
    std::vector<std::vector<std::string>> rows = {{"TYPE", "STATUS", "REASON", "AGE", "MESSAGE"}};
    for (const auto& c : conditions.as_array()) {
      rows.push_back({Str(c, "type"), Str(c, "status"), Str(c, "reason"),
                      AgeSince(Int(c, "lastTransitionMs"), now_ms), Str(c, "message")});
    }
    table = RenderTable(rows);
  }
  Indented(out, table);

  out << "Instances:\n";
  table.clear();
  const Json& instances = Field(s, "instances");
  if (instances.is_array() && !instances.as_array().empty()) {
    std::vector<std::vector<std::string>> rows = {
        {"ID", "STATE", "CURRENT", "TASK", "HOST", "PORTS", "FAILURES", "AGE"}};
    for (const auto& i : instances.as_array()) {
      std::string ports;
      for (const auto& [name, port] :
           Field(i, "ports").is_object() ? Field(i, "ports").as_object() : Json::Object{}) {
        ports += (ports.empty() ? "" : ",") + name + "=" + Serialize(port);
      }
      rows.push_back({std::to_string(Int(i, "id")), Str(i, "state"),
                      Bool(i, "current") ? "yes" : "no", Str(i, "taskId"),
                      Str(i, "host").empty() ? "<none>" : Str(i, "host"),
                      ports.empty() ? "<none>" : ports, std::to_string(Int(i, "failures")),
                      AgeSince(Int(i, "runningSinceMs"), now_ms)});
    }
    table = RenderTable(rows);
  }
  Indented(out, table);

  out << "Events:\n";
  const Json& events = Field(record, "events");
  if (events.is_array() && !events.as_array().empty()) {
    std::vector<std::pair<std::string, Json>> rows;
    for (const auto& e : events.as_array()) rows.emplace_back(Str(s, "name"), e);
    Indented(out, RenderEvents(rows, now_ms));
  } else {
    Indented(out, "");
  }
  return out.str();
}

std::string RenderHistory(const Json& history, const Json& status, int64_t now_ms) {
  const Json& items = Field(history, "history");
  if (!items.is_array() || items.as_array().empty()) return "No revisions yet.\n";
  std::vector<std::vector<std::string>> rows = {
      {"REVISION", "SPEC", "SOURCE-REVISION", "OUTCOME", "APPLIED", "MESSAGE"}};
  const int64_t current = Int(status, "revision");
  for (const auto& v : items.as_array()) {
    const int64_t n = Int(v, "number");
    std::string outcome = Str(v, "outcome");
    if (n == current) outcome += outcome.empty() ? "current" : " (current)";
    std::string source_rev = Str(v, "sourceRevision");
    rows.push_back(
        {std::to_string(n), Short(Str(v, "specHash")),
         source_rev.empty() ? "<none>" : Short(source_rev), outcome.empty() ? "<none>" : outcome,
         AgeSince(Int(v, "appliedAtMs"), now_ms) + (Int(v, "appliedAtMs") > 0 ? " ago" : ""),
         Str(v, "message")});
  }
  return RenderTable(rows);
}

std::string RenderEvents(const std::vector<std::pair<std::string, Json>>& events, int64_t now_ms) {
  if (events.empty()) return "No events found.\n";
  std::vector<std::pair<std::string, Json>> sorted = events;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return Int(a.second, "lastMs") < Int(b.second, "lastMs");
  });
  std::vector<std::vector<std::string>> rows = {
      {"LAST SEEN", "TYPE", "REASON", "OBJECT", "COUNT", "MESSAGE"}};
  for (const auto& [name, e] : sorted) {
    std::string msg = Str(e, "message");
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    rows.push_back({AgeSince(Int(e, "lastMs"), now_ms), Str(e, "type"), Str(e, "reason"),
                    "topology/" + name, std::to_string(Int(e, "count")), msg});
  }
  return RenderTable(rows);
}

}  // namespace hgo::cli
