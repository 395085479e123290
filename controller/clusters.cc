#include "controller/clusters.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "common/file_util.h"

namespace hgo::controller {

namespace {

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  Status Error(const YAML::Node& n, const std::string& path, const std::string& what) const {
    return Status::InvalidArgument(file_ + ":" + std::to_string(n.Mark().line + 1) + ": " + path +
                                   ": " + what);
  }
  // A string field; "" when absent.
  StatusOr<std::string> Str(const YAML::Node& parent, const std::string& path, const char* key,
                            bool required) const {
    YAML::Node v = parent[key];
    if (!v) {
      if (required) return Error(parent, path + "." + key, "is required");
      return std::string();
    }
    if (!v.IsScalar()) return Error(v, path + "." + key, "must be a string");
    return v.as<std::string>();
  }
  Status OnlyKeys(const YAML::Node& n, const std::string& path,
                  const std::set<std::string>& keys) const {
    if (!n.IsMap()) return Error(n, path, "must be a mapping");
    for (const auto& kv : n) {
      const std::string k = kv.first.as<std::string>();
      if (!keys.count(k)) return Error(kv.first, path + "." + k, "unknown field");
    }
    return Status::Ok();
  }

 private:
  std::string file_;
};

StatusOr<ClusterSpec> ParseCluster(const Reader& r, const YAML::Node& n, const std::string& path) {
  HGO_RETURN_IF_ERROR(r.OnlyKeys(
      n, path, {"name", "aurora", "credentials", "heron", "owner", "tier", "javaHome", "jobLink"}));
  ClusterSpec c;
  HGO_ASSIGN_OR_RETURN(c.config.name, r.Str(n, path, "name", true));
  HGO_ASSIGN_OR_RETURN(c.credentials_file, r.Str(n, path, "credentials", false));
  HGO_ASSIGN_OR_RETURN(std::string owner, r.Str(n, path, "owner", false));
  if (!owner.empty()) c.config.owner = owner;
  HGO_ASSIGN_OR_RETURN(c.config.tier, r.Str(n, path, "tier", false));
  HGO_ASSIGN_OR_RETURN(std::string java, r.Str(n, path, "javaHome", false));
  if (!java.empty()) c.config.java_home = java;
  HGO_ASSIGN_OR_RETURN(c.config.job_link_template, r.Str(n, path, "jobLink", false));

  YAML::Node a = n["aurora"];
  if (!a) return r.Error(n, path + ".aurora", "is required");
  HGO_RETURN_IF_ERROR(r.OnlyKeys(a, path + ".aurora", {"url", "zookeeper", "path"}));
  HGO_ASSIGN_OR_RETURN(c.aurora_url, r.Str(a, path + ".aurora", "url", false));
  HGO_ASSIGN_OR_RETURN(c.aurora_zookeeper, r.Str(a, path + ".aurora", "zookeeper", false));
  HGO_ASSIGN_OR_RETURN(std::string sspath, r.Str(a, path + ".aurora", "path", false));
  if (!sspath.empty()) c.aurora_path = sspath;
  if (c.aurora_url.empty() == c.aurora_zookeeper.empty()) {
    return r.Error(a, path + ".aurora", "needs exactly one of url or zookeeper");
  }
  if (!c.aurora_url.empty() && c.aurora_url.rfind("http://", 0) != 0 &&
      c.aurora_url.rfind("https://", 0) != 0) {
    return r.Error(a, path + ".aurora.url", "must start with http:// or https://");
  }

  YAML::Node h = n["heron"];
  if (!h) return r.Error(n, path + ".heron", "is required");
  HGO_RETURN_IF_ERROR(
      r.OnlyKeys(h, path + ".heron", {"zookeeper", "root", "version", "corePackage"}));
  HGO_ASSIGN_OR_RETURN(c.config.statemgr_connection, r.Str(h, path + ".heron", "zookeeper", true));
  HGO_ASSIGN_OR_RETURN(std::string root, r.Str(h, path + ".heron", "root", false));
  if (!root.empty()) {
    if (root[0] != '/') return r.Error(h, path + ".heron.root", "must be an absolute path");
    c.config.statemgr_root = root;
  }
  HGO_ASSIGN_OR_RETURN(std::string version, r.Str(h, path + ".heron", "version", false));
  if (!version.empty()) c.config.heron_version = version;
  HGO_ASSIGN_OR_RETURN(c.config.core_package_uri, r.Str(h, path + ".heron", "corePackage", false));
  if (c.config.job_link_template.empty() && !c.aurora_url.empty()) {
    c.config.job_link_template = c.aurora_url + "/scheduler/{role}/{env}/{name}";
  }
  return c;
}

}  // namespace

StatusOr<std::vector<ClusterSpec>> ParseClusters(const std::string& text, const std::string& file) {
  Reader r(file);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  try {
    if (!root || !root.IsMap()) return Status::InvalidArgument(file + ": expected 'clusters:'");
    HGO_RETURN_IF_ERROR(r.OnlyKeys(root, "", {"clusters"}));
    YAML::Node list = root["clusters"];
    if (!list || !list.IsSequence() || list.size() == 0) {
      return r.Error(root, "clusters", "must be a non-empty list");
    }
    std::vector<ClusterSpec> out;
    std::set<std::string> names;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string path = "clusters[" + std::to_string(i) + "]";
      HGO_ASSIGN_OR_RETURN(ClusterSpec c, ParseCluster(r, list[i], path));
      if (!names.insert(c.config.name).second) {
        return r.Error(list[i], path + ".name", "'" + c.config.name + "' appears twice");
      }
      out.push_back(std::move(c));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

StatusOr<std::vector<ClusterSpec>> LoadClustersFile(const std::string& path) {
  HGO_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(path, 1 << 20));
  return ParseClusters(text, path);
}

}  // namespace hgo::controller
