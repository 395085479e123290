#include "cli/client.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/file_util.h"
#include "common/http_client.h"
#include "crd/config_file.h"

namespace hgo::cli {

namespace {

std::string Env(const GetEnv& getenv, const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

std::string ExpandHome(const std::string& path, const GetEnv& getenv) {
  if (path.rfind("~/", 0) == 0) return Env(getenv, "HOME") + path.substr(1);
  return path;
}

StatusOr<std::string> ReadToken(const std::string& path) {
  HGO_ASSIGN_OR_RETURN(std::string token, ReadFileLimited(path, 4096));
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
    token.pop_back();
  }
  if (token.empty()) return Status::InvalidArgument(path + ": the token file is empty");
  return token;
}

}  // namespace

StatusOr<Connection> ResolveConnection(const ConnectionFlags& flags, const GetEnv& getenv) {
  Connection c;
  std::string file_server, file_token_file, file_spool, file_ca_file;
  std::string config = !flags.config.empty() ? flags.config : Env(getenv, "HERONCTL_CONFIG");
  const bool named = !config.empty();
  if (!named && !Env(getenv, "HOME").empty()) {
    config = Env(getenv, "HOME") + "/.config/heronctl/config.yaml";
  }
  std::error_code ec;
  if (!config.empty() && (named || std::filesystem::exists(config, ec))) {
    auto text = ReadFileLimited(config, 1 << 20);
    if (!text.ok()) return Status::InvalidArgument("config file " + text.status().message());
    HGO_ASSIGN_OR_RETURN(crd::ConfigFile f, crd::ConfigFile::Parse(*text, config));
    const Json& root = f.root();
    if (!root.is_null()) {
      if (!root.is_object()) {
        return Status::InvalidArgument(config +
                                       ": expected a mapping (server, tokenFile, spool, caFile)");
      }
      for (const auto& [key, value] : root.as_object()) {
        const std::string where = config + ":" + std::to_string(f.LineOf(key)) + ": ";
        if (key != "server" && key != "tokenFile" && key != "spool" && key != "caFile") {
          return Status::InvalidArgument(where + "unknown key '" + key +
                                         "' (known: server, tokenFile, spool, caFile)");
        }
        if (value.is_array() || value.is_object()) {
          return Status::InvalidArgument(where + key + ": not a string");
        }
      }
      HGO_ASSIGN_OR_RETURN(file_server, f.String(root, "", "server", false));
      HGO_ASSIGN_OR_RETURN(file_token_file, f.String(root, "", "tokenFile", false));
      HGO_ASSIGN_OR_RETURN(file_spool, f.String(root, "", "spool", false));
      HGO_ASSIGN_OR_RETURN(file_ca_file, f.String(root, "", "caFile", false));
      if (!file_token_file.empty()) file_token_file = ExpandHome(file_token_file, getenv);
      if (!file_ca_file.empty()) file_ca_file = ExpandHome(file_ca_file, getenv);
      if (!file_spool.empty()) file_spool = ExpandHome(file_spool, getenv);
    }
    c.config_file = config;
  }
  auto first = [](std::initializer_list<std::string> values) {
    for (const auto& v : values) {
      if (!v.empty()) return v;
    }
    return std::string();
  };
  c.server = first({flags.server, Env(getenv, "HERONCTL_SERVER"), file_server, kDefaultServer});
  while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
  if (c.server.rfind("http://", 0) != 0 && c.server.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("server '" + c.server + "' must start with http:// or https://");
  }
  c.spool = first({flags.spool, Env(getenv, "HERONCTL_SPOOL"), file_spool});
  c.ca_file = first({flags.ca_file, Env(getenv, "HERONCTL_CA_FILE"), file_ca_file});
  c.verify_tls = !flags.insecure;
  if (!c.ca_file.empty() && c.server.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("a CA file (" + c.ca_file + ") is for an https:// server, not " +
                                   c.server);
  }
  const std::string token_file =
      first({flags.token_file, Env(getenv, "HERONCTL_TOKEN_FILE"),
             Env(getenv, "HERONCTL_TOKEN").empty() ? file_token_file : ""});
  if (!token_file.empty()) {
    HGO_ASSIGN_OR_RETURN(c.token, ReadToken(token_file));
  } else {
    c.token = Env(getenv, "HERONCTL_TOKEN");
  }
  return c;
}

StatusOr<Json> ApiClient::Get(const std::string& path) const { return Call("GET", path, ""); }

StatusOr<Json> ApiClient::Post(const std::string& path, const std::string& body) const {
  return Call("POST", path, body);
}

StatusOr<Json> ApiClient::Call(const std::string& method, const std::string& path,
                               const std::string& body) const {
  HttpFetchOptions options;
  options.body = body;
  options.content_type = "application/json";
  options.timeout = std::chrono::seconds(30);
  options.ca_file = c_.ca_file;
  options.verify_tls = c_.verify_tls;
  if (!c_.token.empty()) options.headers["Authorization"] = "Bearer " + c_.token;
  auto r = HttpFetch(method, c_.server + path, options);
  if (!r.ok()) {
    return Status(r.status().code(),
                  "cannot reach heron-controller at " + c_.server + ": " + r.status().message());
  }
  auto json = ParseJson(r->body.empty() ? "{}" : r->body);
  std::string message = json.ok() && json->Find("error") && json->Find("error")->is_string()
                            ? json->Find("error")->as_string()
                            : r->body.substr(0, 300);
  switch (r->status) {
    case 200:
    case 201:
    case 202:
      if (!json.ok()) return Status::Internal("the controller's answer is not JSON: " + message);
      return *json;
    case 400:
      return Status::InvalidArgument(message);
    case 401:
      return Status::Unauthenticated(
          message + (c_.token.empty() ? " (no token: use --token-file or HERONCTL_TOKEN_FILE)"
                                      : " (the token was refused)"));
    case 403:
      return Status::PermissionDenied(message);
    case 404:
      return Status::NotFound(message);
    case 409:
      return Status::FailedPrecondition(message);
    case 503:
      return Status::Unavailable(message + " (this controller is not the leader, or not ready)");
    default:
      return Status::Internal("HTTP " + std::to_string(r->status) + ": " + message);
  }
}

StatusOr<std::string> ApiClient::Resolve(const std::string& name, bool any_cluster) const {
  if (name.find('/') != std::string::npos) {
    int slashes = 0;
    for (char ch : name) slashes += ch == '/' ? 1 : 0;
    if (slashes != 3) {
      return Status::InvalidArgument("'" + name +
                                     "': a full name is CLUSTER/ROLE/ENVIRONMENT/NAME");
    }
    return name;
  }
  HGO_ASSIGN_OR_RETURN(Json list, Get("/api/v1/topologies"));
  std::vector<std::string> matches;
  if (const Json* ts = list.Find("topologies"); ts && ts->is_array()) {
    for (const auto& t : ts->as_array()) {
      const Json* n = t.Find("name");
      const Json* k = t.Find("key");
      if (n && k && n->is_string() && k->is_string() && n->as_string() == name) {
        matches.push_back(k->as_string());
      }
    }
  }
  if (matches.empty()) return Status::NotFound("no topology named '" + name + "'");
  auto placement_of = [](const std::string& key) { return key.substr(key.find('/')); };
  if (any_cluster && std::all_of(matches.begin(), matches.end(), [&](const std::string& m) {
        return placement_of(m) == placement_of(matches[0]);
      })) {
    return matches[0];
  }
  if (matches.size() > 1) {
    std::string all;
    for (const auto& m : matches) all += (all.empty() ? "" : ", ") + m;
    return Status::InvalidArgument("'" + name + "' is ambiguous: " + all +
                                   "; give CLUSTER/ROLE/ENVIRONMENT/NAME");
  }
  return matches[0];
}

}  // namespace hgo::cli
