#include "cli/package_verbs.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <ostream>

#include "cli/heronctl.h"
#include "common/base64.h"
#include "common/file_util.h"
#include "common/json.h"
#include "common/sha256.h"
#include "crd/parser.h"
#include "heron/defn.h"
#include "heron/packing.h"
#include "packager/blob_store.h"
#include "packager/defn_maker.h"
#include "packager/package.h"

namespace hgo::cli {
namespace {

namespace fs = std::filesystem;

int Problem(std::ostream& err, const std::string& verb, const std::string& message) {
  err << "heronctl package " << verb << ": " << message << "\n";
  return kExitProblem;
}

std::string CurrentUser() {
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr) return pw->pw_name;
  return "unknown";
}

// The .defn from whichever source the flags name.
StatusOr<std::string> MakeDefn(const PackageBuildOptions& o, std::string* source) {
  if (!o.defn.empty()) {
    *source = "given";
    return ReadFileLimited(o.defn, 256 << 20);
  }
  if (!o.from_spec.empty()) {
    *source = "spec";
    crd::ParseResult parsed = crd::ParseTopologyFile(o.from_spec);
    if (!parsed.ok()) {
      std::string msg = "the spec has errors:";
      for (const auto& e : parsed.AllErrors()) msg += "\n  " + e.ToString();
      return Status::InvalidArgument(msg);
    }
    auto topologies = parsed.Topologies();
    if (!o.name.empty()) {
      std::erase_if(topologies, [&](const crd::Topology& t) { return t.metadata.name != o.name; });
    }
    if (topologies.size() != 1) {
      return Status::InvalidArgument(o.from_spec + ": holds " + std::to_string(topologies.size()) +
                                     " topologies" + (o.name.empty() ? "" : " named " + o.name) +
                                     "; pick one with --name");
    }
    // topology.stmgrs is the job's container count, as heron-cli's .defn says for its job.
    auto plan = packing::Pack(topologies[0], topologies[0].metadata.name);
    if (!plan.ok()) {
      return Status::InvalidArgument(o.from_spec + ": spec.resources: " + plan.status().message());
    }
    return heronmsg::DefnFromSpec(topologies[0], topologies[0].metadata.name,
                                  static_cast<int>(plan->containers.size()));
  }
  packager::MainClassRun run;
  run.heron_home = o.heron_home;
  run.java = o.java;
  run.binary = o.binary;
  run.main_class = o.main_class;
  run.eco_file = o.eco;
  run.args = o.args;
  run.cluster = o.cluster;
  run.role = o.role.empty() ? CurrentUser() : o.role;
  run.environment = o.environment.empty() ? "default" : o.environment;
  run.submit_user = CurrentUser();
  *source = o.eco.empty() ? "main-class" : "eco";
  if (!o.eco.empty() || !o.main_class.empty()) {
    auto type = packager::BinaryType(fs::path(o.binary).filename().string());
    if (type.ok() && *type != "jar") {
      return Status::InvalidArgument("only a jar's main class can be run here; for a " + *type +
                                     " topology pass its .defn with --defn");
    }
  }
  return packager::MakeDefnByRunningMainClass(run);
}

}  // namespace

int RunPackageBuild(const PackageBuildOptions& o, std::ostream& out, std::ostream& err) {
  const int sources =
      !o.defn.empty() + !o.main_class.empty() + !o.eco.empty() + !o.from_spec.empty();
  if (sources != 1) {
    err << "heronctl package build: give exactly one of --defn, --main-class, --eco, "
           "--from-spec\n";
    return kExitUsage;
  }
  if ((!o.main_class.empty() || !o.eco.empty()) && o.heron_home.empty()) {
    err << "heronctl package build: --main-class and --eco need --heron-home (a Heron install)\n";
    return kExitUsage;
  }
  packager::PackageInputs in;
  in.binary_name = fs::path(o.binary).filename().string();
  auto binary = ReadFileLimited(o.binary, packager::kMaxPackageBytes);
  if (!binary.ok()) return Problem(err, "build", binary.status().message());
  in.binary = std::move(*binary);
  struct stat st {};
  in.binary_executable = ::stat(o.binary.c_str(), &st) == 0 && (st.st_mode & S_IXUSR) != 0;
  auto defn = MakeDefn(o, &in.defn_source);
  if (!defn.ok()) return Problem(err, "build", defn.status().message());
  in.defn = std::move(*defn);
  if (!o.conf_dir.empty()) {
    auto conf = packager::ReadConfDir(o.conf_dir);
    if (!conf.ok()) return Problem(err, "build", conf.status().message());
    in.conf_files = std::move(*conf);
  }
  auto package = packager::BuildPackage(in);
  if (!package.ok()) return Problem(err, "build", package.status().message());
  if (Status s = WriteFileAtomic(o.out, package->bytes); !s.ok()) {
    return Problem(err, "build", s.message());
  }
  if (o.output == "json") {
    Json j = Json::MakeObject();
    j["file"] = o.out;
    j["sha256"] = package->sha256;
    j["size"] = static_cast<int64_t>(package->bytes.size());
    j["manifest"] = package->manifest;
    out << SerializePretty(j) << "\n";
  } else {
    out << "built " << o.out << " (" << package->bytes.size() << " bytes)\n"
        << "sha256 " << package->sha256 << "\n";
  }
  return kExitOk;
}

int RunPackagePush(const PackagePushOptions& o, std::ostream& out, std::ostream& err) {
  auto bytes = ReadFileLimited(o.file, packager::kMaxPackageBytes);
  if (!bytes.ok()) return Problem(err, "push", bytes.status().message());
  // Push only what would deploy: a package the controller can open.
  if (auto opened = packager::OpenPackage(*bytes, o.file); !opened.ok()) {
    return Problem(err, "push", opened.status().message());
  }
  packager::TransferOptions transfer;
  if (!o.auth_file.empty()) {
    auto cred = ReadFileLimited(o.auth_file, 4096);
    if (!cred.ok()) return Problem(err, "push", cred.status().message());
    while (!cred->empty() && (cred->back() == '\n' || cred->back() == '\r')) cred->pop_back();
    if (cred->find(':') == std::string::npos) {
      return Problem(err, "push", o.auth_file + ": must hold user:password");
    }
    transfer.headers["Authorization"] = "Basic " + Base64Encode(*cred);
  }
  const std::string sha = Sha256Hex(*bytes);
  auto uri = packager::PushPackage(*bytes, sha, o.to, transfer);
  if (!uri.ok()) {
    if (uri.status().code() == StatusCode::kInvalidArgument) {
      err << "heronctl package push: " << uri.status().message() << "\n";
      return kExitUsage;
    }
    return Problem(err, "push", uri.status().message());
  }
  if (o.output == "json") {
    Json j = Json::MakeObject();
    j["uri"] = *uri;
    j["sha256"] = sha;
    out << Serialize(j) << "\n";
  } else {
    out << "pushed " << o.file << "\n"
        << "Put this in the topology's spec:\n"
        << "  package:\n"
        << "    uri: " << *uri << "\n"
        << "    sha256: " << sha << "\n";
  }
  return kExitOk;
}

int RunPackageInspect(const std::string& file, const std::string& output, std::ostream& out,
                      std::ostream& err) {
  const bool uri = file.rfind("file://", 0) == 0 || file.rfind("http://", 0) == 0 ||
                   file.rfind("https://", 0) == 0;
  auto bytes =
      uri ? packager::FetchPackage(file) : ReadFileLimited(file, packager::kMaxPackageBytes);
  if (!bytes.ok()) return Problem(err, "inspect", bytes.status().message());
  auto contents = packager::OpenPackage(*bytes, file);
  if (!contents.ok()) return Problem(err, "inspect", contents.status().message());
  const std::string sha = Sha256Hex(*bytes);
  if (output == "json") {
    out << SerializePretty(packager::PackageJson(*contents, sha, bytes->size())) << "\n";
  } else {
    out << packager::DescribePackage(*contents, sha, bytes->size());
  }
  return kExitOk;
}

}  // namespace hgo::cli
