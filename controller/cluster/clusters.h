// clusters.yaml: where each cluster's Aurora scheduler and Heron state live (docs/operations.md).
//
//   clusters:
//     - name: devcluster
//       # or {zookeeper: "zk:2181", path: /aurora/scheduler}; caFile for an https:// scheduler
//       aurora: {url: "https://aurora.example.com:8081", caFile: /etc/ssl/aurora-ca.crt}
//       credentials: /etc/heron-controller/aurora.cred     # optional, "user:password"
//       roleCredentials: {ads: /etc/heron-controller/ads.cred}  # optional, per role
//       heron: {zookeeper: "127.0.0.1:2181", root: /heron, version: "0.20.5-incubating",
//               corePackage: "file:///var/heron/heron-core.tar.gz"}
#pragma once

#include <map>
#include <string>
#include <vector>

#include "aurora/job_builder.h"
#include "common/status.h"
#include "crd/topology.h"

namespace hgo::controller {

struct ClusterSpec {
  aurora::ClusterConfig config;  // name, Heron's ZooKeeper (statemgr), version, core package
  std::string aurora_url;        // either this
  std::string aurora_zookeeper;  // or a serverset
  std::string aurora_path = "/aurora/scheduler";
  std::string aurora_ca_file;    // HTTPS: the CAs of the scheduler's certificate (optional)
  std::string credentials_file;  // optional: the cluster's identity ("user:password")
  // role -> credentials file: that role's jobs are changed under that identity
  // (aurora/role_routed_client.h); other roles use credentials_file.
  std::map<std::string, std::string> role_credentials;
  // Update windows every topology on the cluster keeps besides its own (crd::UpdateWindow).
  std::vector<crd::UpdateWindow> windows;
};

// Errors name the file, line and field ("clusters.yaml:4: clusters[0].aurora: ...").
StatusOr<std::vector<ClusterSpec>> ParseClusters(const std::string& text, const std::string& file);
StatusOr<std::vector<ClusterSpec>> LoadClustersFile(const std::string& path);

}  // namespace hgo::controller
