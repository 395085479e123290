// Making a topology's .defn the way heron-cli does (its submit.py and execute.py; for ECO,
// org.apache.heron.eco.Eco): run the topology's main class on the JVM with Heron's libraries on the
// classpath and HERON_OPTIONS telling HeronSubmitter where to write <name>.defn. An ECO file is run
// through Heron's ECO main class.
//
// Only jar binaries are run this way; for tar and pex topologies pass the .defn (`--defn`).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace hgo::packager {

inline constexpr char kEcoMainClass[] = "org.apache.heron.eco.Eco";

struct MainClassRun {
  std::string heron_home;  // a Heron install; its lib/third_party/* goes on the classpath
  std::string java;        // "" = $JAVA_HOME/bin/java, else java on PATH
  std::string binary;      // the topology jar
  std::string main_class;  // ignored when eco_file is set
  std::string eco_file;    // run kEcoMainClass with --eco-config-file eco_file
  std::vector<std::string> args;
  std::string cluster, role, environment, submit_user;
  bool deactivated = false;
};

// HERON_OPTIONS: comma-separated key=value, spaces written as %%%%.
std::string EncodeHeronOptions(const std::map<std::string, std::string>& options);

// The argv that runs the main class (argv[0] is the java binary).
std::vector<std::string> MainClassCommand(const MainClassRun& run);

// Runs it with HERON_OPTIONS in a fresh temporary directory and returns the bytes of the one
// .defn it wrote. kFailedPrecondition with the program's last output when it fails or writes
// no .defn (or more than one).
StatusOr<std::string> MakeDefnByRunningMainClass(const MainClassRun& run);

}  // namespace hgo::packager
