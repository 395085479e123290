#include "cli/heronctl.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/client.h"
#include "cli/package_verbs.h"
#include "cli/validate.h"
#include "cli/verbs.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/json.h"
#include "common/version.h"

namespace hgo::cli {

int HeronctlMain(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                 std::ostream& err) {
  CLI::App app{"heronctl: status and control of Heron topologies managed by heron-controller",
               "heronctl"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every verb");

  auto* version = app.add_subcommand("version", "Print heronctl's version and git commit");
  std::string version_output = "text";
  version->add_option("-o,--output", version_output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));

  ValidateOptions validate;
  auto* validate_cmd = app.add_subcommand(
      "validate",
      "Check spec files offline, exactly as the controller will (exit 0 valid, 1 invalid, 2 "
      "usage)");
  validate_cmd
      ->add_option("-f,--filename", validate.paths,
                   "A spec file, a directory (searched for *.yaml and *.yml), or - for "
                   "standard input; repeatable")
      ->required();
  validate_cmd->add_option("-o,--output", validate.output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));

  // Packages: offline, like validate.
  auto* package = app.add_subcommand("package", "Build, push and inspect topology packages");
  package->require_subcommand(1);
  PackageBuildOptions build;
  auto* package_build = package->add_subcommand(
      "build",
      "Make a topology.tar.gz (binary, .defn, heron-conf/, manifest), byte-identical "
      "for identical inputs");
  package_build->add_option("--binary", build.binary, "the topology's .jar, .tar(.gz) or .pex")
      ->required();
  package_build->add_option("--defn", build.defn, "a ready .defn");
  package_build->add_option("--main-class", build.main_class,
                            "run this class (with --heron-home) to make the .defn");
  package_build->add_option("--eco", build.eco,
                            "an ECO file, run through Heron's ECO main class (with --heron-home)");
  package_build->add_option("--from-spec", build.from_spec,
                            "make the .defn from a spec file, without serialized objects (for "
                            "the e2e heron-executor stand-in only)");
  package_build->add_option("--name", build.name,
                            "with --from-spec: the topology, when the file holds several");
  package_build->add_option("--heron-home", build.heron_home, "a Heron install");
  package_build->add_option("--java", build.java, "the java to run (default $JAVA_HOME/bin/java)");
  package_build->add_option("--cluster", build.cluster, "passed to the main class");
  package_build->add_option("--role", build.role, "passed to the main class");
  package_build->add_option("--environment", build.environment, "passed to the main class");
  package_build->add_option("--conf-dir", build.conf_dir, "config files to ship as heron-conf/");
  package_build->add_option("--out", build.out, "where to write the package")
      ->capture_default_str();
  package_build->add_option("-o,--output", build.output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  package_build->add_option("args", build.args, "the main class's arguments (after --)");
  PackagePushOptions push;
  auto* package_push = package->add_subcommand(
      "push", "Store a package under its sha256 in a directory or an HTTP store (PUT)");
  package_push->add_option("file", push.file, "the package")->required();
  package_push->add_option("--to", push.to, "file:///DIR or http(s)://HOST/PATH")->required();
  package_push->add_option("--auth-file", push.auth_file,
                           "file holding user:password for the HTTP store");
  package_push->add_option("-o,--output", push.output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  std::string inspect_file, inspect_output = "text";
  auto* package_inspect = package->add_subcommand(
      "inspect", "Show a package's topology, components, streams, files and sha256");
  package_inspect->add_option("package", inspect_file, "a path, file:// or http(s):// URI")
      ->required();
  package_inspect->add_option("-o,--output", inspect_output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));

  // Where the controller is: flags anywhere on the line (they fall through from the verbs).
  app.fallthrough();
  ConnectionFlags conn;
  app.add_option("--server", conn.server,
                 "heron-controller's URL (default " + std::string(kDefaultServer) +
                     "; HERONCTL_SERVER; server: in the config file)");
  app.add_option("--token-file", conn.token_file,
                 "file holding the API's bearer token (HERONCTL_TOKEN_FILE; tokenFile:)");
  app.add_option("--spool", conn.spool,
                 "the controller's spool directory, for apply and delete (HERONCTL_SPOOL; spool:)");
  app.add_option("--ca-file", conn.ca_file,
                 "PEM file of the CAs that signed the controller's certificate, for an https:// "
                 "server (HERONCTL_CA_FILE; caFile:)");
  app.add_flag("--insecure-skip-tls-verify", conn.insecure,
               "do not check the controller's certificate (the connection is encrypted but the "
               "server unverified)");
  app.add_option("--config", conn.config,
                 "config file (HERONCTL_CONFIG; default ~/.config/heronctl/config.yaml)");

  const auto kOutputs = CLI::IsMember({"table", "wide", "json", "yaml"});
  GetOptions get;
  std::string get_what, watch_for = "0";
  auto* get_cmd = app.add_subcommand(
      "get", "List topologies (phase, readiness, revision, age) or clusters (their breakers)");
  get_cmd->add_option("resource", get_what, "topologies or clusters")
      ->required()
      ->check(CLI::IsMember({"topologies", "topology", "topo", "clusters", "cluster"}));
  get_cmd->add_option("-o,--output", get.output, "table (default), wide, json or yaml")
      ->check(kOutputs);
  get_cmd->add_option("-l,--selector", get.selectors, "only topologies with label key=value")
      ->allow_extra_args(false);
  get_cmd->add_flag("-w,--watch", get.watch, "after listing, print each change of a topology");
  get_cmd->add_option("--watch-for", watch_for, "stop watching after this long (5m; 0: never)");

  std::string describe_what, name;
  auto* describe_cmd = app.add_subcommand(
      "describe", "A topology in full: status, conditions, instances, Heron's state, events");
  describe_cmd->add_option("resource", describe_what, "topology")
      ->required()
      ->check(CLI::IsMember({"topology", "topologies", "topo"}));
  describe_cmd->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME")->required();

  std::vector<std::string> files;
  auto* diff_cmd = app.add_subcommand(
      "diff",
      "Live against desired for spec files, and what the controller would do (exit 1 "
      "when they differ)");
  diff_cmd->add_option("-f,--filename", files, "spec file or directory; repeatable")->required();

  bool dry_run = false;
  auto* apply_cmd =
      app.add_subcommand("apply", "Validate spec files and put them into the controller's spool");
  apply_cmd->add_option("-f,--filename", files, "spec file or directory; repeatable")->required();
  apply_cmd->add_flag("--dry-run", dry_run, "only show the plan the controller would carry out");

  auto* delete_cmd = app.add_subcommand("delete", "Withdraw a topology applied through the spool");
  delete_cmd->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME")->required();

  auto* rollout = app.add_subcommand("rollout", "Follow, list and undo rollouts");
  rollout->require_subcommand(1);
  std::string timeout = "10m", history_output = "table";
  int64_t to_revision = 0;
  auto* rollout_status = rollout->add_subcommand(
      "status", "Follow the rollout until it succeeds (exit 0) or fails or rolls back (exit 1)");
  rollout_status->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME")->required();
  rollout_status->add_option("--timeout", timeout, "give up after this long (default 10m)");
  auto* rollout_history = rollout->add_subcommand("history", "The revisions and their outcomes");
  rollout_history->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME")->required();
  rollout_history->add_option("-o,--output", history_output, "table, json or yaml")
      ->check(CLI::IsMember({"table", "json", "yaml"}));
  auto* rollout_undo =
      rollout->add_subcommand("undo", "Run an earlier revision (pinned until the spec changes)");
  rollout_undo->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME")->required();
  rollout_undo->add_option("--to-revision", to_revision,
                           "the revision (default: the last good one before the current)");
  auto* rollout_promote = rollout->add_subcommand(
      "promote", "A placement's rollout: skip the current wave's remaining soak, lift a halt");
  rollout_promote->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME")->required();
  auto* rollout_halt = rollout->add_subcommand(
      "halt", "A placement's rollout: hold the waves after the current one (until a promote)");
  rollout_halt->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME")->required();
  auto* rollout_retry =
      rollout->add_subcommand("retry", "Apply a revision that failed again, without a new spec");
  rollout_retry->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME")->required();

  std::vector<int32_t> restart_containers;
  auto* restart_cmd = app.add_subcommand(
      "restart", "Restart containers in place, as heron restart does (refused during an update)");
  restart_cmd->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME")->required();
  restart_cmd
      ->add_option("--container", restart_containers,
                   "a container to restart (0 runs the topology manager); repeatable; default all")
      ->check(CLI::Range(0, 9999));

  auto* events_cmd = app.add_subcommand("events", "Events of one topology, or of all");
  events_cmd->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME");
  auto* suspend_cmd =
      app.add_subcommand("suspend", "Stop all changes to a topology (observation goes on)");
  suspend_cmd->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME")->required();
  auto* resume_cmd = app.add_subcommand("resume", "Let the controller change a topology again");
  resume_cmd->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME")->required();

  std::string wait_for, wait_timeout = "30s";
  auto* wait_cmd = app.add_subcommand("wait", "Wait until a topology is in a phase");
  wait_cmd->add_option("name", name, "NAME or CLUSTER/ROLE/ENV/NAME")->required();
  wait_cmd->add_option("--for", wait_for, "phase=PHASE, e.g. phase=Running")->required();
  wait_cmd->add_option("--timeout", wait_timeout, "give up after this long (default 30s)");

  ImportOptions import;
  auto* import_cmd = app.add_subcommand(
      "import",
      "Write specs for live topologies that no spec names (submitted with heron-cli); "
      "committed as written they are adopted with no restart");
  import_cmd->add_option("name", import.names, "topology names (default: all)");
  import_cmd->add_option("--cluster", import.cluster, "only this cluster's");
  import_cmd->add_option("--role", import.role, "only this role's");
  import_cmd->add_option("--env", import.environment, "only this environment's");
  import_cmd->add_option("--out", import.out_dir, "directory for the spec files")->required();
  import_cmd->add_flag("--overwrite", import.overwrite, "replace files that exist");

  std::string shell;
  auto* completion = app.add_subcommand("completion", "Print a bash or zsh completion script");
  completion->add_option("shell", shell, "bash or zsh")->required();

  if (args.size() > 1 && !args[1].empty() && args[1][0] != '-') {
    std::string verbs;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      known = known || sub->get_name() == args[1];
      verbs += (verbs.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      err << "heronctl: unknown verb '" << args[1] << "' (verbs: " << verbs << ")\n"
          << "Run 'heronctl --help' for usage.\n";
      return kExitUsage;
    }
  }
  std::vector<std::string> argv_copy(args.rbegin(), args.rend());
  if (!argv_copy.empty()) argv_copy.pop_back();  // program name
  try {
    app.parse(argv_copy);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // A verb's --help arrives here too, as a "success" parse error naming that verb.
    if (e.get_exit_code() == 0) {
      for (auto* sub : app.get_subcommands()) {
        out << sub->help();
        return kExitOk;
      }
      out << app.help();
      return kExitOk;
    }
    err << "heronctl: " << e.what() << "\nRun 'heronctl --help' for usage.\n";
    return kExitUsage;
  }

  if (version->parsed()) {
    if (version_output == "json") {
      Json j = Json::MakeObject();
      j["version"] = kVersion;
      j["gitCommit"] = kGitCommit;
      out << Serialize(j) << "\n";
    } else {
      out << "heronctl " << kVersion << " (commit " << kGitCommit << ")\n";
    }
    return kExitOk;
  }
  if (validate_cmd->parsed()) return RunValidate(validate, in, out, err);
  if (completion->parsed()) return RunCompletion(out, err, shell);
  if (package_build->parsed()) return RunPackageBuild(build, out, err);
  if (package_push->parsed()) return RunPackagePush(push, out, err);
  if (package_inspect->parsed()) return RunPackageInspect(inspect_file, inspect_output, out, err);

  auto duration = [&](const std::string& flag, const std::string& v,
                      std::chrono::seconds* d) -> bool {
    if (v == "0") {
      *d = std::chrono::seconds(0);
      return true;
    }
    auto parsed = ParseDurationSeconds(v);
    if (!parsed.ok()) err << "heronctl: " << flag << ": " << parsed.status().message() << "\n";
    if (parsed.ok()) *d = *parsed;
    return parsed.ok();
  };
  auto connection = ResolveConnection(conn, [](const char* n) { return std::getenv(n); });
  if (!connection.ok()) {
    err << "heronctl: " << connection.status().message() << "\n";
    return kExitUsage;
  }
  ApiClient api(*connection);
  RealClock clock;
  const bool tty = &out == &std::cout && ::isatty(STDOUT_FILENO);
  VerbContext ctx{api, out, err, clock, tty};

  if (get_cmd->parsed()) {
    if (!duration("--watch-for", watch_for, &get.watch_for)) return kExitUsage;
    if (get_what == "clusters" || get_what == "cluster") return RunGetClusters(ctx, get);
    return RunGet(ctx, get);
  }
  if (describe_cmd->parsed()) return RunDescribe(ctx, name);
  if (diff_cmd->parsed()) return RunDiff(ctx, files);
  if (apply_cmd->parsed()) return RunApply(ctx, files, dry_run);
  if (delete_cmd->parsed()) return RunDelete(ctx, name);
  if (rollout_status->parsed()) {
    std::chrono::seconds d;
    if (!duration("--timeout", timeout, &d)) return kExitUsage;
    return RunRolloutStatus(ctx, name, d);
  }
  if (rollout_history->parsed()) return RunRolloutHistory(ctx, name, history_output);
  if (rollout_undo->parsed()) return RunRolloutUndo(ctx, name, to_revision);
  if (rollout_retry->parsed()) return RunRolloutRetry(ctx, name);
  if (rollout_promote->parsed()) return RunRolloutSteer(ctx, name, true);
  if (rollout_halt->parsed()) return RunRolloutSteer(ctx, name, false);
  if (restart_cmd->parsed()) return RunRestart(ctx, name, restart_containers);
  if (events_cmd->parsed()) return RunEvents(ctx, name);
  if (import_cmd->parsed()) return RunImport(ctx, import);
  if (suspend_cmd->parsed()) return RunSuspend(ctx, name, true);
  if (resume_cmd->parsed()) return RunSuspend(ctx, name, false);
  if (wait_cmd->parsed()) {
    std::chrono::seconds d;
    if (!duration("--timeout", wait_timeout, &d)) return kExitUsage;
    return RunWait(ctx, name, wait_for, d);
  }
  err << "heronctl: no verb given\n";
  return kExitUsage;
}

}  // namespace hgo::cli
