// heronctl's verbs for a placement's rollout across clusters (GET …/rollout, POST …:promote and
// …:halt on any of its clusters' keys).
#include <sstream>
#include <thread>

#include "cli/heronctl.h"
#include "cli/render.h"
#include "cli/verbs.h"

namespace hgo::cli {
namespace {

std::string Short(const std::string& hash) { return hash.substr(0, 8); }

// One cluster's word in the table: where it stands on the spec's revision.
std::string ClusterWord(const Json& c) {
  const std::string name = Str(c, "cluster"), rev = Str(c, "revision");
  std::string state;
  const Json* failed = c.Find("failed");
  const Json* reachable = c.Find("reachable");
  if (failed && failed->is_bool() && failed->as_bool()) {
    state = "failed";
  } else if (reachable && reachable->is_bool() && !reachable->as_bool()) {
    state = "unreachable";
  } else if (rev.empty()) {
    state = "no spec";
  } else if (Str(c, "stable") == rev) {
    state = "stable";
  } else if (Str(c, "applied") == rev) {
    state = "rolling";
  } else {
    state = Str(c, "applied").empty() ? "not created" : "runs " + Short(Str(c, "applied"));
  }
  return name + "=" + state;
}

std::string RenderWaves(const Json& r) {
  std::ostringstream out;
  out << "rollout of " << Str(r, "name") << " (" << Str(r, "role") << "/" << Str(r, "environment")
      << "), soak " << Int(r, "soakSeconds") << " s, on failure " << Str(r, "onFailure") << ": ";
  const Json* complete = r.Find("complete");
  const Json* halted = r.Find("halted");
  if (halted && halted->is_bool() && halted->as_bool()) {
    out << "halted at wave " << Int(r, "haltedWave") << ": " << Str(r, "haltReason") << "\n";
  } else if (complete && complete->is_bool() && complete->as_bool()) {
    out << "complete\n";
  } else {
    out << "at wave " << Int(r, "currentWave") << "\n";
  }
  for (const auto& w : Items(r, "waves")) {
    out << "  wave " << Int(w, "wave") << "  " << Str(w, "stage") << "  ";
    std::string clusters;
    for (const auto& c : Items(w, "clusters"))
      clusters += (clusters.empty() ? "" : " ") + ClusterWord(c);
    out << clusters;
    if (!Str(w, "detail").empty()) out << "  (" << Str(w, "detail") << ")";
    out << "\n";
  }
  return out.str();
}

}  // namespace

int RunRolloutWaves(const VerbContext& ctx, const std::string& key, std::chrono::seconds timeout) {
  const auto deadline = ctx.clock.Now() + timeout;
  std::string last;
  while (true) {
    auto r = ctx.api.Get(ApiClient::TopologyPath(key) + "/rollout");
    if (!r.ok()) return Fail(ctx, "rollout status", r.status());
    const std::string text = RenderWaves(*r);
    if (text != last) ctx.out << text << std::flush;
    last = text;
    const Json* halted = r->Find("halted");
    if (halted && halted->is_bool() && halted->as_bool()) return kExitProblem;
    const Json* complete = r->Find("complete");
    if (complete && complete->is_bool() && complete->as_bool()) return kExitOk;
    if (ctx.clock.Now() >= deadline) {
      ctx.err << "heronctl rollout status: timed out after " << timeout.count() << "s\n";
      return kExitProblem;
    }
    std::this_thread::sleep_for(ctx.poll);
  }
}

int RunRolloutSteer(const VerbContext& ctx, const std::string& name, bool promote) {
  const char* verb = promote ? "rollout promote" : "rollout halt";
  auto key = ctx.api.Resolve(name, /*any_cluster=*/true);
  if (!key.ok()) return Fail(ctx, verb, key.status());
  auto r = ctx.api.Post(ApiClient::TopologyPath(*key) + (promote ? ":promote" : ":halt"));
  if (!r.ok()) return Fail(ctx, verb, r.status());
  ctx.out << "rollout of " << *key
          << (promote ? " promoted: the current wave's soak is waived, a halt lifted\n"
                      : " halted: the waves after the current one hold until a promote\n");
  return kExitOk;
}

}  // namespace hgo::cli
