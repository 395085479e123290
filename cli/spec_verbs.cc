// diff, apply and delete: verbs that start from spec files.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/diff.h"
#include "cli/heronctl.h"
#include "cli/render.h"
#include "cli/validate.h"
#include "cli/verbs.h"
#include "crd/canonical.h"
#include "crd/parser.h"

namespace hgo::cli {

namespace {

namespace fs = std::filesystem;

// Every topology in the paths, or the parse errors printed and nullopt.
std::optional<std::vector<crd::Topology>> LoadSpecs(const VerbContext& ctx, const std::string& verb,
                                                    const std::vector<std::string>& paths,
                                                    int* exit_code) {
  std::vector<crd::Topology> out;
  std::vector<crd::FieldError> errors;
  for (const auto& path : paths) {
    auto files = ExpandSpecPaths(path);
    if (!files.ok()) {
      ctx.err << "heronctl " << verb << ": " << files.status().message() << "\n";
      *exit_code = kExitUsage;
      return std::nullopt;
    }
    for (const auto& f : *files) {
      crd::ParseResult r = crd::ParseTopologyFile(f);
      for (const auto& e : r.AllErrors()) errors.push_back(e);
      for (const auto& t : r.Topologies()) out.push_back(t);
    }
  }
  for (const auto& e : crd::CheckUniqueKeys(out)) errors.push_back(e);
  if (!errors.empty()) {
    for (const auto& e : errors) ctx.err << e.ToString() << "\n";
    ctx.err << "heronctl " << verb << ": " << errors.size()
            << " error(s); nothing was changed (check with heronctl validate)\n";
    *exit_code = kExitProblem;
    return std::nullopt;
  }
  if (out.empty()) {
    ctx.err << "heronctl " << verb << ": no topologies in the files given\n";
    *exit_code = kExitProblem;
    return std::nullopt;
  }
  return out;
}

// The file a topology goes to in the spool: one per key, so a later apply replaces it and
// delete withdraws it.
std::string SpoolFileName(const crd::TopologyKey& k) {
  return k.cluster + "." + k.role + "." + k.environment + "." + k.name + ".yaml";
}

Status WriteAtomically(const std::string& dir, const std::string& name, const std::string& text) {
  // A hidden temporary name: the spool ignores dotfiles, and the rename makes it appear whole.
  const std::string tmp = dir + "/." + name + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::trunc | std::ios::binary);
    f << text;
    f.flush();
    if (!f) return Status::Unavailable("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, dir + "/" + name, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status::Unavailable("cannot move into " + dir + ": " + ec.message());
  }
  return Status::Ok();
}

void PrintPlan(const VerbContext& ctx, const Json& plan) {
  ctx.out << "plan for " << Str(plan, "key") << ": " << Str(plan, "phase") << ": "
          << Str(plan, "message") << "\n";
  int shown = 0;
  if (const Json* as = plan.Find("actions"); as && as->is_array()) {
    for (const auto& a : as->as_array()) {
      if (Str(a, "action") == "Remember") continue;
      ctx.out << "  - " << Str(a, "action") << ": " << Str(a, "reason") << "\n";
      ++shown;
    }
  }
  if (shown == 0) ctx.out << "  (no changes)\n";
  ctx.out << "  containers restarted: " << Int(plan, "instancesRestarted") << "\n";
}

bool PlanChanges(const Json& plan) {
  if (const Json* as = plan.Find("actions"); as && as->is_array()) {
    for (const auto& a : as->as_array()) {
      if (Str(a, "action") != "Remember") return true;
    }
  }
  return false;
}

}  // namespace

int RunDiff(const VerbContext& ctx, const std::vector<std::string>& paths) {
  int code = kExitOk;
  auto specs = LoadSpecs(ctx, "diff", paths, &code);
  if (!specs) return code;
  bool differs = false;
  for (const auto& spec : *specs) {
    const std::string key = spec.key().ToString();
    std::string live;
    auto s = ctx.api.Get(ApiClient::TopologyPath(key));
    if (s.ok()) {
      const Json* record = s->Find("record");
      const Json* applied = record ? record->Find("applied") : nullptr;
      const Json* live_spec = applied ? applied->Find("spec") : nullptr;
      if (live_spec) live = ToYaml(*live_spec);
    } else if (s.status().code() != StatusCode::kNotFound) {
      return Fail(ctx, "diff", s.status());
    }
    if (live.empty()) {
      // Not the controller's: a live topology submitted with heron-cli is compared as the
      // spec that describes it (what heronctl import writes).
      auto running = ctx.api.Get("/api/v1/unmanaged/" + key);
      if (running.ok()) {
        crd::ParseResult parsed = crd::ParseTopologies(Str(*running, "spec"), "live/" + key);
        if (parsed.ok() && parsed.Topologies().size() == 1) {
          live = ToYaml(crd::CanonicalJson(parsed.Topologies()[0]));
        }
      } else if (running.status().code() != StatusCode::kNotFound) {
        return Fail(ctx, "diff", running.status());
      }
    }
    const std::string desired = ToYaml(crd::CanonicalJson(spec));
    const std::string d = UnifiedDiff(live, desired, "live/" + key,
                                      "desired/" + key + " (" + spec.source_file + ")", ctx.tty);
    ctx.out << d;
    auto plan = ctx.api.Post("/api/v1/plan", crd::SpecText(spec));
    if (!plan.ok()) return Fail(ctx, "diff", plan.status());
    differs = differs || !d.empty() || PlanChanges(*plan);
    PrintPlan(ctx, *plan);
  }
  return differs ? kExitProblem : kExitOk;
}

int RunApply(const VerbContext& ctx, const std::vector<std::string>& paths, bool dry_run) {
  int code = kExitOk;
  auto specs = LoadSpecs(ctx, "apply", paths, &code);
  if (!specs) return code;
  if (dry_run) {
    for (const auto& spec : *specs) {
      auto plan = ctx.api.Post("/api/v1/plan", crd::SpecText(spec));
      if (!plan.ok()) return Fail(ctx, "apply", plan.status());
      PrintPlan(ctx, *plan);
    }
    ctx.out << "(dry run: nothing was applied)\n";
    return kExitOk;
  }
  const std::string& spool = ctx.api.connection().spool;
  std::error_code ec;
  if (spool.empty() || !fs::is_directory(spool, ec)) {
    ctx.err << "heronctl apply: "
            << (spool.empty() ? "no spool directory: give --spool, HERONCTL_SPOOL or spool: in "
                                "the config file (the directory heron-controller reads with "
                                "--source spool:DIR)"
                              : spool + " is not a directory")
            << "\n";
    return kExitUsage;
  }
  const auto started = fs::file_time_type::clock::now();
  for (const auto& spec : *specs) {
    const std::string name = SpoolFileName(spec.key());
    // Canonical JSON is YAML; the spool's copy is exactly what was validated here.
    Status s = WriteAtomically(spool, name, crd::SpecText(spec) + "\n");
    if (!s.ok()) return Fail(ctx, "apply", s);
  }
  // Done when the controller has taken each spec (its status shows the new spec hash), so that a
  // `rollout status` or `wait` right after judges the new spec; a spool rejection is shown.
  int code_out = kExitOk;
  for (const auto& spec : *specs) {
    const std::string key = spec.key().ToString(), hash = crd::SpecHash(spec);
    const std::string error_file = spool + "/failed/" + SpoolFileName(spec.key()) + ".error";
    const auto deadline = ctx.clock.Now() + ctx.accept_timeout;
    std::string outcome;
    while (outcome.empty()) {
      std::error_code ec;
      if (fs::exists(error_file, ec) && fs::last_write_time(error_file, ec) >= started) {
        std::ifstream in(error_file);
        std::stringstream why;
        why << in.rdbuf();
        ctx.err << "heronctl apply: the controller rejected " << key << ":\n" << why.str();
        outcome = "rejected";
        code_out = kExitProblem;
        break;
      }
      auto s = ctx.api.Get(ApiClient::TopologyPath(key));
      if (s.ok() && Str(*s, "desiredSpecHash") == hash) {
        ctx.out << "topology " << key << " applied (spec " << hash.substr(0, 12) << ")\n";
        outcome = "accepted";
      } else if (!s.ok() && s.status().code() != StatusCode::kNotFound) {
        return Fail(ctx, "apply", s.status());
      } else if (ctx.clock.Now() >= deadline) {
        ctx.err << "heronctl apply: " << key << " was written to " << spool
                << " but the controller has not taken it within " << ctx.accept_timeout.count()
                << "s (does it read --source spool:" << spool << "?)\n";
        outcome = "timeout";
        code_out = kExitProblem;
      } else {
        std::this_thread::sleep_for(ctx.poll);
      }
    }
  }
  return code_out;
}

int RunDelete(const VerbContext& ctx, const std::string& name) {
  auto key = ctx.api.Resolve(name);
  if (!key.ok()) return Fail(ctx, "delete", key.status());
  auto s = ctx.api.Get(ApiClient::TopologyPath(*key));
  if (!s.ok()) return Fail(ctx, "delete", s.status());
  const std::string source = Str(*s, "source");
  if (source.rfind("spool:", 0) != 0) {
    ctx.err << "heronctl delete: " << *key << " comes from "
            << (source.empty() ? "no source" : source)
            << ", not a spool: remove it there (git rm, or delete the file)\n";
    return kExitProblem;
  }
  const std::string& spool = ctx.api.connection().spool;
  std::error_code ec;
  if (spool.empty() || !fs::is_directory(spool, ec)) {
    ctx.err << "heronctl delete: no spool directory (--spool, HERONCTL_SPOOL or the config file)\n";
    return kExitUsage;
  }
  auto parsed = crd::TopologyKey::Parse(*key);
  if (!parsed.ok()) return Fail(ctx, "delete", parsed.status());
  const crd::TopologyKey& k = *parsed;
  // An empty file withdraws the spec the spool holds under that name.
  Status w = WriteAtomically(spool, SpoolFileName(k), "");
  if (!w.ok()) return Fail(ctx, "delete", w);
  ctx.out << "topology " << *key
          << " withdrawn from the spool (the controller deletes it when pruning is on)\n";
  return kExitOk;
}

}  // namespace hgo::cli
