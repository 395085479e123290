// heronctl's verbs that talk to heron-controller. Each returns an exit code (cli/heronctl.h) and
// writes results to out, problems to err.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/client.h"
#include "common/clock.h"

namespace hgo::cli {

inline constexpr int kExitUnavailable = 3;  // the controller unreachable, refusing, or failing

struct VerbContext {
  const ApiClient& api;
  std::ostream& out;
  std::ostream& err;
  const Clock& clock;
  bool tty = false;  // colours and the progress bar
  std::chrono::milliseconds poll{500};
  std::chrono::seconds accept_timeout{30};  // apply: how long the controller may take to read it
};

// The exit code for a failed call, after printing "heronctl VERB: message".
int Fail(const VerbContext& ctx, const std::string& verb, const Status& s);

struct GetOptions {
  std::string output = "table";        // table, wide, json, yaml
  std::vector<std::string> selectors;  // key=value (labels), all must match
  bool watch = false;
  std::chrono::seconds watch_for{0};  // stop watching after this long (0: until interrupted)
};
int RunGet(const VerbContext& ctx, const GetOptions& o);
// Each cluster's breaker (GET /api/v1/clusters); o.output only.
int RunGetClusters(const VerbContext& ctx, const GetOptions& o);
int RunDescribe(const VerbContext& ctx, const std::string& name);
int RunEvents(const VerbContext& ctx, const std::string& name);  // "" = all topologies
int RunSuspend(const VerbContext& ctx, const std::string& name, bool suspend);
// Restarts containers in place (Aurora's restartShards, as `heron restart`); all when none given.
int RunRestart(const VerbContext& ctx, const std::string& name,
               const std::vector<int32_t>& containers);

// --for=phase=Running
int RunWait(const VerbContext& ctx, const std::string& name, const std::string& condition,
            std::chrono::seconds timeout);

int RunRolloutStatus(const VerbContext& ctx, const std::string& name, std::chrono::seconds timeout);
int RunRolloutHistory(const VerbContext& ctx, const std::string& name, const std::string& output);
int RunRolloutUndo(const VerbContext& ctx, const std::string& name, int64_t to_revision);
int RunRolloutRetry(const VerbContext& ctx, const std::string& name);
// A placement's rollout (cli/rollout_verbs.cc): follow its waves until every wave is done
// (exit 0) or it halts (exit 1); promote (waive the current wave's soak, lift a halt); halt.
int RunRolloutWaves(const VerbContext& ctx, const std::string& key, std::chrono::seconds timeout);
int RunRolloutSteer(const VerbContext& ctx, const std::string& name, bool promote);

// Specs from files: diff against the live state, apply into the spool (or a dry run through the
// controller's planner), delete from the spool.
int RunDiff(const VerbContext& ctx, const std::vector<std::string>& paths);
int RunApply(const VerbContext& ctx, const std::vector<std::string>& paths, bool dry_run);
int RunDelete(const VerbContext& ctx, const std::string& name);

// The specs of live topologies no spec names (submitted with heron-cli), one file per topology
// in out_dir; exit 1 when one would not be adopted as written (its differences are printed).
struct ImportOptions {
  std::string cluster, role, environment;  // filters; empty: any
  std::vector<std::string> names;          // empty: all
  std::string out_dir;
  bool overwrite = false;
};
int RunImport(const VerbContext& ctx, const ImportOptions& o);

// `heronctl completion bash|zsh`.
int RunCompletion(std::ostream& out, std::ostream& err, const std::string& shell);

}  // namespace hgo::cli
