// clusters.yaml: where each cluster's Aurora scheduler and Heron state live (docs/operations.md).
//
//   clusters:
//     - name: devcluster
//       aurora: {url: "http://127.0.0.1:8081"}   # or {zookeeper: "zk:2181", path:
//       /aurora/scheduler} credentials: /etc/heron-controller/aurora.cred   # optional,
//       "user:password" heron: {zookeeper: "127.0.0.1:2181", root: /heron, version:
//       "0.20.5-incubating",
//               corePackage: "file:///var/heron/heron-core.tar.gz"}
#pragma once

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
  std::string credentials_file;  // optional
  // Update windows every topology on the cluster keeps besides its own (crd::UpdateWindow).
  std::vector<crd::UpdateWindow> windows;
};

// Errors name the file, line and field ("clusters.yaml:4: clusters[0].aurora: ...").
StatusOr<std::vector<ClusterSpec>> ParseClusters(const std::string& text, const std::string& file);
StatusOr<std::vector<ClusterSpec>> LoadClustersFile(const std::string& path);

}  // namespace hgo::controller
