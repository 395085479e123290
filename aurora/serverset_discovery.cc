#include "aurora/serverset_discovery.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/json.h"

namespace hgo::aurora {

StatusOr<std::string> UrlFromServerSetMember(const std::string& json) {
  auto parsed = ParseJson(json, {16, 1 << 20});
  if (!parsed.ok())
    return Status::InvalidArgument("serverset member: " + parsed.status().message());
  auto endpoint = [](const Json* e) -> std::string {
    if (!e || !e->is_object()) return "";
    const Json* host = e->Find("host");
    const Json* port = e->Find("port");
    if (!host || !host->is_string() || !port || !port->is_int()) return "";
    return host->as_string() + ":" + std::to_string(port->as_int());
  };
  const Json* additional = parsed->Find("additionalEndpoints");
  if (additional) {
    if (std::string e = endpoint(additional->Find("https")); !e.empty()) return "https://" + e;
    if (std::string e = endpoint(additional->Find("http")); !e.empty()) return "http://" + e;
  }
  if (std::string e = endpoint(parsed->Find("serviceEndpoint")); !e.empty()) return "http://" + e;
  return Status::InvalidArgument("serverset member has no endpoint: " + json.substr(0, 200));
}

StatusOr<std::shared_ptr<ServerSetDiscovery>> ServerSetDiscovery::Start(statestore::ZkClient& zk,
                                                                        const std::string& path) {
  std::shared_ptr<ServerSetDiscovery> d(new ServerSetDiscovery(zk, path));
  d->self_ = d;
  std::weak_ptr<ServerSetDiscovery> weak = d;
  d->listener_ = zk.AddSessionListener([weak](statestore::SessionEvent e) {
    if (e != statestore::SessionEvent::kNewSession) return;
    if (auto self = weak.lock()) (void)self->Refresh();
  });
  HGO_RETURN_IF_ERROR(d->Refresh());
  if (d->Urls().empty()) return Status::Unavailable("no Aurora scheduler announced under " + path);
  return d;
}

ServerSetDiscovery::~ServerSetDiscovery() { zk_.RemoveSessionListener(listener_); }

std::vector<std::string> ServerSetDiscovery::Urls() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (url_.empty()) return {};
  return {url_};
}

Status ServerSetDiscovery::Refresh() {
  std::weak_ptr<ServerSetDiscovery> weak = self_;
  auto children = zk_.GetChildren(path_, [weak](statestore::WatchEvent e, const std::string&) {
    if (e == statestore::WatchEvent::kSessionLost) return;  // refreshed on the new session
    if (auto self = weak.lock()) (void)self->Refresh();
  });
  if (!children.ok()) return children.status();
  std::vector<std::string> members;
  for (const auto& c : *children) {
    if (c.rfind("member_", 0) == 0) members.push_back(c);
  }
  std::sort(members.begin(), members.end());
  std::string url;
  for (const auto& m : members) {
    auto node = zk_.Get(statestore::JoinZkPath(path_, m));
    if (!node.ok()) continue;  // gone between the listing and the read
    auto u = UrlFromServerSetMember(node->data);
    if (u.ok()) {
      url = *u;
      break;
    }
    spdlog::warn("aurora: ignoring serverset member {}: {}", m, u.status().ToString());
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (url != url_) spdlog::info("aurora: leading scheduler is now {}", url.empty() ? "-" : url);
  url_ = url;
  return Status::Ok();
}

}  // namespace hgo::aurora
