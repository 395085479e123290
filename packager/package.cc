#include "packager/package.h"

#include <filesystem>
#include <set>
#include <sstream>

#include "common/file_util.h"
#include "common/sha256.h"
#include "statestore/heron_protos.h"

namespace hgo::packager {
namespace {

namespace hp_api = statestore::hp_api;
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
                       statestore::ParseHeronMessage<hp_api::Topology>(in.defn, "the .defn"));
  if (topology.name().empty()) return Status::InvalidArgument("the .defn names no topology");
  const std::string defn_name = topology.name() + ".defn";

  std::vector<ArchiveEntry> entries;
  entries.push_back({in.binary_name, in.binary, in.binary_executable});
  entries.push_back({defn_name, in.defn, false});
  for (const auto& [path, data] : in.conf_files) entries.push_back({"heron-conf/" + path, data});

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
  for (const auto& f : p.files) {
    if (f.path.find('/') != std::string::npos) continue;
    if (EndsWith(f.path, ".defn")) defns.push_back(&f);
    if (f.path == kManifestName) manifest = &f;
    if (BinaryType(f.path).ok() && p.binary_name.empty()) p.binary_name = f.path;
  }
  if (defns.size() != 1) {
    return Status::InvalidArgument(where +
                                   ": a package holds exactly one <topology>.defn at its top "
                                   "level; found " +
                                   std::to_string(defns.size()));
  }
  p.defn_name = defns[0]->path;
  p.defn = defns[0]->data;
  HGO_ASSIGN_OR_RETURN(hp_api::Topology topology, statestore::ParseHeronMessage<hp_api::Topology>(
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
  if (!p.manifest.is_null()) j["manifest"] = p.manifest;
  Json files = Json::MakeArray();
  for (const auto& f : p.files) {
    Json fj = FileJson(f.data);
    fj["path"] = f.path;
    files.push_back(std::move(fj));
  }
  j["files"] = std::move(files);
  auto topology = statestore::ParseHeronMessage<hp_api::Topology>(p.defn, p.defn_name);
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
