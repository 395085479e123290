// heronctl import: the specs of live topologies no spec names, written by the controller (which
// holds the cluster connections and credentials) and checked by it against what runs.
#include <filesystem>
#include <set>

#include "cli/heronctl.h"
#include "cli/verbs.h"
#include "common/file_util.h"

namespace hgo::cli {

namespace {

std::string Str(const Json& j, const char* key) {
  const Json* v = j.Find(key);
  return v && v->is_string() ? v->as_string() : "";
}

std::vector<Json> Items(const Json& j, const char* key) {
  const Json* v = j.Find(key);
  return v && v->is_array() ? v->as_array() : std::vector<Json>{};
}

}  // namespace

int RunImport(const VerbContext& ctx, const ImportOptions& o) {
  auto list = ctx.api.Get("/api/v1/unmanaged");
  if (!list.ok()) return Fail(ctx, "import", list.status());
  std::vector<Json> chosen;
  std::set<std::string> named(o.names.begin(), o.names.end());
  for (const auto& t : Items(*list, "topologies")) {
    if ((!o.cluster.empty() && Str(t, "cluster") != o.cluster) ||
        (!o.role.empty() && Str(t, "role") != o.role) ||
        (!o.environment.empty() && Str(t, "environment") != o.environment) ||
        (!named.empty() && !named.count(Str(t, "name")))) {
      continue;
    }
    named.erase(Str(t, "name"));
    chosen.push_back(t);
  }
  if (!named.empty()) {
    std::string missing;
    for (const auto& n : named) missing += (missing.empty() ? "" : ", ") + n;
    ctx.err << "heronctl import: no unmanaged topology named " << missing
            << " (heronctl get topologies lists the managed ones)\n";
    return kExitProblem;
  }
  if (chosen.empty()) {
    ctx.out << "no unmanaged topology: every live topology has a spec\n";
    return kExitOk;
  }
  std::error_code ec;
  std::filesystem::create_directories(o.out_dir, ec);
  if (ec) {
    ctx.err << "heronctl import: --out " << o.out_dir << ": " << ec.message() << "\n";
    return kExitProblem;
  }
  bool all_match = true;
  for (const auto& t : chosen) {
    const std::string key = Str(t, "key"), name = Str(t, "name");
    auto imported = ctx.api.Get("/api/v1/unmanaged/" + key);
    if (!imported.ok()) return Fail(ctx, "import", imported.status());
    const std::string path = o.out_dir + "/" + name + ".yaml";
    if (!o.overwrite && std::filesystem::exists(path)) {
      ctx.err << name << ": " << path << " exists; left as it is (--overwrite replaces it)\n";
      all_match = false;
      continue;
    }
    const std::string text = "# Imported by heronctl import from " + key + " (topology id " +
                             Str(t, "topologyId") + ", submitted by " + Str(t, "submissionUser") +
                             ").\n" + Str(*imported, "spec");
    if (Status s = WriteFileAtomic(path, text); !s.ok()) return Fail(ctx, "import", s);
    const auto differences = Items(*imported, "differences");
    const auto notes = Items(*imported, "notes");
    const Json* matches = imported->Find("matches");
    const bool match = matches && matches->is_bool() && matches->as_bool();
    all_match &= match;
    ctx.out << name << ": wrote " << path
            << (match ? " (committed as it is, it is adopted with no restart)"
                      : " (not adopted as it is: see below)")
            << "\n";
    for (const auto& d : differences) {
      ctx.out << "  differs: " << Str(d, "field") << ": live " << Str(d, "live") << ", spec "
              << Str(d, "desired") << "\n";
    }
    for (const auto& n : notes) {
      if (n.is_string()) ctx.out << "  note: " << n.as_string() << "\n";
    }
  }
  return all_match ? kExitOk : kExitProblem;
}

}  // namespace hgo::cli
