#include "packager/package.h"

#include <filesystem>
#include <set>
#include <sstream>

#include "common/file_util.h"
#include "common/sha256.h"
#include "heron/messages.h"

namespace hgo::packager {
namespace {

namespace hp_api = heronmsg::hp_api;
constexpr size_t kMaxConfFileBytes = 16 << 20;

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Json FileJson(const std::string& data) {
  Json f = Json::MakeObject();
  f["sha256"] = Sha256Hex(data);
  f["size"] = static_cast<int64_t>(data.size());
  return f;
}

std::string Parallelism(const hp_api::Component& c) {
  for (const auto& kv : c.config().kvs()) {
    if (kv.key() == "topology.component.parallelism") return kv.value();
  }
  return "?";
}

}  // namespace

const std::vector<ConfRequirement>& RequiredConfFiles() {
  static const std::vector<ConfRequirement> files = {
      {"heron_internals.yaml", "heron.logging.directory"},
      {"override.yaml", ""},
      {"statemgr.yaml", "heron.class.state.manager"},
      {"metrics_sinks.yaml", ""},
  };
  return files;
}

std::optional<std::string> TopLevelValue(std::string_view yaml, std::string_view key) {
  size_t at = 0;
  while (at < yaml.size()) {
    size_t end = yaml.find('\n', at);
    if (end == std::string_view::npos) end = yaml.size();
    std::string_view line = yaml.substr(at, end - at);
    at = end + 1;
    for (std::string_view quote : {"", "\"", "'"}) {
      const size_t n = quote.size();
      if (line.size() < key.size() + 2 * n + 1 || line.substr(0, n) != quote ||
          line.substr(n, key.size()) != key || line.substr(n + key.size(), n) != quote ||
          line[2 * n + key.size()] != ':') {
        continue;
      }
      std::string_view value = line.substr(2 * n + key.size() + 1);
      if (size_t hash = value.find(" #"); hash != std::string_view::npos)
        value.remove_suffix(value.size() - hash);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() &&
             (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) {
        value.remove_suffix(1);
      }
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
          value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
  }
  return std::nullopt;
}

namespace {

const ArchiveEntry* FindFile(const PackageContents& p, const std::string& path) {
  for (const auto& f : p.files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

}  // namespace

std::string StateManagerRoot(const PackageContents& p) {
  std::string root;
  for (const char* file : {"heron-conf/statemgr.yaml", "heron-conf/override.yaml"}) {
    if (const ArchiveEntry* f = FindFile(p, file)) {
      if (auto v = TopLevelValue(f->data, "heron.statemgr.root.path")) root = *v;
    }
  }
  return root;
}

Status CheckDeployable(const PackageContents& p, const std::string& where) {
  if (p.binary_name.empty()) {
    return Status::FailedPrecondition(where +
                                      ": no topology binary (.jar, .tar, .tar.gz, .pex, .so, "
                                      ".dylib) at the package's top level");
  }
  for (const ConfRequirement& r : RequiredConfFiles()) {
    const std::string path = std::string("heron-conf/") + r.path;
    const ArchiveEntry* found = FindFile(p, path);
    if (found == nullptr) {
      return Status::FailedPrecondition(
          where + ": " + path +
          " is missing; Heron's executor reads it before it starts (build the package with "
          "--conf-dir naming the cluster's Heron conf directory)");
    }
    if (*r.key != '\0' && !TopLevelValue(found->data, r.key)) {
      return Status::FailedPrecondition(where + ": " + path + " has no '" + r.key +
                                        "', which Heron's executor reads");
    }
  }
  return Status::Ok();
}

StatusOr<std::string> BinaryType(const std::string& file_name) {
  if (EndsWith(file_name, ".jar")) return std::string("jar");
  if (EndsWith(file_name, ".tar") || EndsWith(file_name, ".tar.gz")) return std::string("tar");
  if (EndsWith(file_name, ".pex")) return std::string("pex");
  if (EndsWith(file_name, ".so")) return std::string("so");
  if (EndsWith(file_name, ".dylib")) return std::string("dylib");
  return Status::InvalidArgument("'" + file_name +
                                 "' is not a topology binary heron knows (.jar, .tar, .tar.gz, "
                                 ".pex, .so, .dylib)");
}

StatusOr<Package> BuildPackage(const PackageInputs& in) {
  HGO_ASSIGN_OR_RETURN(std::string type, BinaryType(in.binary_name));
  if (in.binary_name.find('/') != std::string::npos) {
    return Status::InvalidArgument("the binary's name must be a base name: " + in.binary_name);
  }
  HGO_ASSIGN_OR_RETURN(hp_api::Topology topology,
                       heronmsg::ParseHeronMessage<hp_api::Topology>(in.defn, "the .defn"));
  if (topology.name().empty()) return Status::InvalidArgument("the .defn names no topology");
  const std::string defn_name = topology.name() + ".defn";

  std::vector<ArchiveEntry> entries;
  entries.push_back({in.binary_name, in.binary, in.binary_executable});
  entries.push_back({defn_name, in.defn, false});
  for (const auto& [path, data] : in.conf_files) entries.push_back({"heron-conf/" + path, data});
  // heron-cli always writes override.yaml (its --config-property values) beside the cluster's
  // conf; without properties it is empty, which Heron's executor reads as no overrides.
  if (!in.conf_files.count("override.yaml")) entries.push_back({"heron-conf/override.yaml", ""});
  {
    PackageContents check;
    check.binary_name = in.binary_name;
    check.binary_type = type;
    check.files = entries;
    if (Status s = CheckDeployable(check, "the package"); !s.ok()) {
      return Status::InvalidArgument(s.message());
    }
  }

  Json manifest = Json::MakeObject();
  manifest["apiVersion"] = "heron-gitops/v1";
  manifest["kind"] = "TopologyPackage";
  manifest["topology"] = topology.name();
  manifest["binary"] = Json::MakeObject();
  manifest["binary"]["name"] = in.binary_name;
  manifest["binary"]["type"] = type;
  manifest["defn"] = Json::MakeObject();
  manifest["defn"]["name"] = defn_name;
  manifest["defn"]["source"] = in.defn_source;
  Json files = Json::MakeObject();
  for (const auto& e : entries) files[e.path] = FileJson(e.data);
  manifest["files"] = std::move(files);
  entries.push_back({kManifestName, SerializePretty(manifest) + "\n", false});

  HGO_ASSIGN_OR_RETURN(std::string bytes, WriteTarGz(std::move(entries)));
  std::string sha = Sha256Hex(bytes);
  return Package{std::move(bytes), std::move(sha), std::move(manifest)};
}

StatusOr<std::map<std::string, std::string>> ReadConfDir(const std::string& conf_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(conf_dir, ec)) {
    return Status::InvalidArgument(conf_dir + ": not a directory");
  }
  std::map<std::string, std::string> out;
  for (fs::recursive_directory_iterator it(conf_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory()) continue;
    if (!it->is_regular_file()) {
      return Status::InvalidArgument(it->path().string() + ": not a regular file");
    }
    HGO_ASSIGN_OR_RETURN(std::string data, ReadFileLimited(it->path().string(), kMaxConfFileBytes));
    out[fs::relative(it->path(), conf_dir).generic_string()] = std::move(data);
  }
  if (ec) return Status::InvalidArgument(conf_dir + ": " + ec.message());
  return out;
}

StatusOr<PackageContents> OpenPackage(std::string_view bytes, const std::string& where) {
  PackageContents p;
  HGO_ASSIGN_OR_RETURN(p.files, ReadArchive(bytes, where, kMaxPackageBytes));
  std::vector<const ArchiveEntry*> defns;
  const ArchiveEntry* manifest = nullptr;
  std::vector<std::string> binaries;
  for (const auto& f : p.files) {
    if (f.path.find('/') != std::string::npos) continue;
    if (EndsWith(f.path, ".defn")) defns.push_back(&f);
    if (f.path == kManifestName) manifest = &f;
    if (BinaryType(f.path).ok()) binaries.push_back(f.path);
  }
  if (defns.size() != 1) {
    return Status::InvalidArgument(where +
                                   ": a package holds exactly one <topology>.defn at its top "
                                   "level; found " +
                                   std::to_string(defns.size()));
  }
  p.defn_name = defns[0]->path;
  p.defn = defns[0]->data;
  HGO_ASSIGN_OR_RETURN(hp_api::Topology topology, heronmsg::ParseHeronMessage<hp_api::Topology>(
                                                      p.defn, where + ": " + p.defn_name));
  p.topology_name = topology.name();
  if (manifest != nullptr) {
    auto parsed = ParseJson(manifest->data);
    if (!parsed.ok() || !parsed->is_object()) {
      return Status::InvalidArgument(where + ": " + kManifestName + " is not a JSON object");
    }
    p.manifest = std::move(*parsed);
    const Json* files = p.manifest.Find("files");
    if (files == nullptr || !files->is_object()) {
      return Status::InvalidArgument(where + ": " + kManifestName + " lists no files");
    }
    std::set<std::string> listed;
    for (const auto& [path, info] : files->as_object()) {
      listed.insert(path);
      const ArchiveEntry* found = nullptr;
      for (const auto& f : p.files) {
        if (f.path == path) found = &f;
      }
      const Json* sha = info.Find("sha256");
      if (found == nullptr) {
        return Status::InvalidArgument(where + ": the manifest lists '" + path +
                                       "', which is not in the package");
      }
      if (sha == nullptr || !sha->is_string() || sha->as_string() != Sha256Hex(found->data)) {
        return Status::InvalidArgument(where + ": '" + path +
                                       "' does not match the sha256 in the manifest");
      }
    }
    for (const auto& f : p.files) {
      if (f.path != kManifestName && !listed.count(f.path)) {
        return Status::InvalidArgument(where + ": '" + f.path + "' is not in the manifest");
      }
    }
    // heronctl's manifest names the binary; it must be one of the package's files.
    const Json* binary = p.manifest.Find("binary");
    const Json* name = binary ? binary->Find("name") : nullptr;
    if (name != nullptr && name->is_string()) {
      if (!listed.count(name->as_string())) {
        return Status::InvalidArgument(where + ": the manifest's binary '" + name->as_string() +
                                       "' is not in the package");
      }
      binaries = {name->as_string()};
    }
  }
  // A package heron-cli built has no manifest: its binary is the only top-level file of a type
  // Heron knows. Two are ambiguous (which one would heron-cli have been given?).
  if (binaries.size() > 1) {
    std::string names;
    for (const auto& b : binaries) names += (names.empty() ? "" : ", ") + b;
    return Status::InvalidArgument(where + ": more than one topology binary (" + names +
                                   "); a package holds exactly one");
  }
  if (!binaries.empty()) {
    p.binary_name = binaries[0];
    HGO_ASSIGN_OR_RETURN(p.binary_type, BinaryType(p.binary_name));
  }
  return p;
}

Json PackageJson(const PackageContents& p, const std::string& sha256, size_t size) {
  Json j = Json::MakeObject();
  j["sha256"] = sha256;
  j["size"] = static_cast<int64_t>(size);
  j["topology"] = p.topology_name;
  j["defn"] = p.defn_name;
  j["binary"] = p.binary_name;
  j["binaryType"] = p.binary_type;
  if (!p.manifest.is_null()) j["manifest"] = p.manifest;
  Json files = Json::MakeArray();
  for (const auto& f : p.files) {
    Json fj = FileJson(f.data);
    fj["path"] = f.path;
    files.push_back(std::move(fj));
  }
  j["files"] = std::move(files);
  auto topology = heronmsg::ParseHeronMessage<hp_api::Topology>(p.defn, p.defn_name);
  if (!topology.ok()) return j;
  auto component = [](const auto& comp) {
    Json c = Json::MakeObject();
    c["id"] = comp.name();
    c["className"] = comp.class_name();
    c["parallelism"] = Parallelism(comp);
    return c;
  };
  Json spouts = Json::MakeArray(), bolts = Json::MakeArray(), streams = Json::MakeArray();
  for (const auto& s : topology->spouts()) spouts.push_back(component(s.comp()));
  for (const auto& b : topology->bolts()) {
    bolts.push_back(component(b.comp()));
    for (const auto& in : b.inputs()) {
      Json s = Json::MakeObject();
      s["from"] = in.stream().component_name();
      s["to"] = b.comp().name();
      s["streamId"] = in.stream().id();
      s["grouping"] = hp_api::Grouping_Name(in.gtype());
      streams.push_back(std::move(s));
    }
  }
  j["spouts"] = std::move(spouts);
  j["bolts"] = std::move(bolts);
  j["streams"] = std::move(streams);
  return j;
}

std::string DescribePackage(const PackageContents& p, const std::string& sha256, size_t size) {
  const Json j = PackageJson(p, sha256, size);
  std::ostringstream out;
  out << "Topology:  " << p.topology_name << "\n"
      << "SHA256:    " << sha256 << "\n"
      << "Size:      " << size << " bytes\n"
      << "Binary:    " << (p.binary_name.empty() ? "(none)" : p.binary_name) << "\n"
      << "Defn:      " << p.defn_name;
  if (const Json* d = p.manifest.Find("defn"); d != nullptr) {
    if (const Json* s = d->Find("source"); s != nullptr && s->is_string()) {
      out << " (from " << s->as_string() << ")";
    }
  }
  out << "\nManifest:  " << (p.manifest.is_null() ? "none (not built by heronctl)" : kManifestName)
      << "\n";
  auto list = [&](const char* title, const char* key) {
    const Json* items = j.Find(key);
    if (items == nullptr) return;
    out << title << ":\n";
    for (const auto& c : items->as_array()) {
      out << "  " << c.Find("id")->as_string() << "  x" << c.Find("parallelism")->as_string()
          << "  " << c.Find("className")->as_string() << "\n";
    }
  };
  list("Spouts", "spouts");
  list("Bolts", "bolts");
  if (const Json* streams = j.Find("streams"); streams != nullptr) {
    out << "Streams:\n";
    for (const auto& s : streams->as_array()) {
      out << "  " << s.Find("from")->as_string() << " -> " << s.Find("to")->as_string() << "  "
          << s.Find("grouping")->as_string() << " (stream " << s.Find("streamId")->as_string()
          << ")\n";
    }
  }
  out << "Files:\n";
  for (const auto& f : p.files) out << "  " << f.path << "  " << f.data.size() << "\n";
  return out.str();
}

}  // namespace hgo::packager
