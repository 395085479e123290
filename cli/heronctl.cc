#include "cli/heronctl.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/validate.h"
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
  err << "heronctl: no verb given\n";
  return kExitUsage;
}

}  // namespace hgo::cli
