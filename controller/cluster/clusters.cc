#include "controller/cluster/clusters.h"

#include <set>

#include "common/file_util.h"
#include "crd/config_file.h"

namespace hgo::controller {

namespace {

StatusOr<ClusterSpec> ParseCluster(const crd::ConfigFile& f, const Json& n,
                                   const std::string& path) {
  HGO_RETURN_IF_ERROR(f.OnlyKeys(n, path,
                                 {"name", "aurora", "credentials", "roleCredentials", "heron",
                                  "owner", "tier", "javaHome", "jobLink", "windows"}));
  ClusterSpec c;
  HGO_ASSIGN_OR_RETURN(c.config.name, f.String(n, path, "name", true));
  HGO_ASSIGN_OR_RETURN(c.credentials_file, f.String(n, path, "credentials", false));
  if (const Json* roles = n.Find("roleCredentials"); roles && !roles->is_null()) {
    const std::string rp = path + ".roleCredentials";
    if (!roles->is_object() || roles->as_object().empty()) {
      return f.Error(rp, "must map each role to its credentials file (\"role: FILE\")");
    }
    for (const auto& [role, value] : roles->as_object()) {
      HGO_ASSIGN_OR_RETURN(std::string file, f.String(*roles, rp, role, true));
      c.role_credentials[role] = file;
    }
  }
  HGO_ASSIGN_OR_RETURN(std::string owner, f.String(n, path, "owner", false));
  if (!owner.empty()) c.config.owner = owner;
  HGO_ASSIGN_OR_RETURN(c.config.tier, f.String(n, path, "tier", false));
  HGO_ASSIGN_OR_RETURN(std::string java, f.String(n, path, "javaHome", false));
  if (!java.empty()) c.config.java_home = java;
  HGO_ASSIGN_OR_RETURN(c.config.job_link_template, f.String(n, path, "jobLink", false));

  const std::string ap = path + ".aurora";
  const Json* a = n.Find("aurora");
  if (!a) return f.Error(ap, "is required");
  HGO_RETURN_IF_ERROR(f.OnlyKeys(*a, ap, {"url", "zookeeper", "path", "caFile"}));
  HGO_ASSIGN_OR_RETURN(c.aurora_ca_file, f.String(*a, ap, "caFile", false));
  HGO_ASSIGN_OR_RETURN(c.aurora_url, f.String(*a, ap, "url", false));
  HGO_ASSIGN_OR_RETURN(c.aurora_zookeeper, f.String(*a, ap, "zookeeper", false));
  HGO_ASSIGN_OR_RETURN(std::string sspath, f.String(*a, ap, "path", false));
  if (!sspath.empty()) c.aurora_path = sspath;
  if (c.aurora_url.empty() == c.aurora_zookeeper.empty()) {
    return f.Error(ap, "needs exactly one of url or zookeeper");
  }
  if (!c.aurora_url.empty() && c.aurora_url.rfind("http://", 0) != 0 &&
      c.aurora_url.rfind("https://", 0) != 0) {
    return f.Error(ap + ".url", "must start with http:// or https://");
  }

  const std::string hp = path + ".heron";
  const Json* h = n.Find("heron");
  if (!h) return f.Error(hp, "is required");
  HGO_RETURN_IF_ERROR(f.OnlyKeys(*h, hp, {"zookeeper", "root", "version", "corePackage"}));
  HGO_ASSIGN_OR_RETURN(c.config.statemgr_connection, f.String(*h, hp, "zookeeper", true));
  HGO_ASSIGN_OR_RETURN(std::string root, f.String(*h, hp, "root", false));
  if (!root.empty()) {
    if (root[0] != '/') return f.Error(hp + ".root", "must be an absolute path");
    c.config.statemgr_root = root;
  }
  HGO_ASSIGN_OR_RETURN(std::string version, f.String(*h, hp, "version", false));
  if (!version.empty()) c.config.heron_version = version;
  HGO_ASSIGN_OR_RETURN(c.config.core_package_uri, f.String(*h, hp, "corePackage", false));
  if (const Json* w = n.Find("windows"); w && !w->is_null()) {
    if (!w->is_array()) return f.Error(path + ".windows", "must be a list of update windows");
    for (size_t i = 0; i < w->as_array().size(); ++i) {
      auto window = crd::WindowFromJson(w->as_array()[i]);
      const std::string wp = path + ".windows[" + std::to_string(i) + "]";
      if (!window.ok()) return f.Error(wp, window.status().message());
      c.windows.push_back(std::move(*window));
    }
  }
  if (c.config.job_link_template.empty() && !c.aurora_url.empty()) {
    c.config.job_link_template = c.aurora_url + "/scheduler/{role}/{env}/{name}";
  }
  return c;
}

}  // namespace

StatusOr<std::vector<ClusterSpec>> ParseClusters(const std::string& text, const std::string& file) {
  HGO_ASSIGN_OR_RETURN(crd::ConfigFile f, crd::ConfigFile::Parse(text, file));
  const Json& root = f.root();
  if (!root.is_object()) return Status::InvalidArgument(file + ": expected 'clusters:'");
  HGO_RETURN_IF_ERROR(f.OnlyKeys(root, "", {"clusters"}));
  const Json* list = root.Find("clusters");
  if (!list || !list->is_array() || list->as_array().empty()) {
    return f.Error("clusters", "must be a non-empty list");
  }
  std::vector<ClusterSpec> out;
  std::set<std::string> names;
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    const std::string path = "clusters[" + std::to_string(i) + "]";
    HGO_ASSIGN_OR_RETURN(ClusterSpec c, ParseCluster(f, list->as_array()[i], path));
    if (!names.insert(c.config.name).second) {
      return f.Error(path + ".name", "'" + c.config.name + "' appears twice");
    }
    out.push_back(std::move(c));
  }
  return out;
}

StatusOr<std::vector<ClusterSpec>> LoadClustersFile(const std::string& path) {
  HGO_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(path, 1 << 20));
  return ParseClusters(text, path);
}

}  // namespace hgo::controller
