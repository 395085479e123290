// What the web UI (and heronctl's watch) read beside the plain API (docs/operations.md, "HTTP
// API"):
// - the overview: every topology as one short row, filtered, sorted so that problems come first,
//   one page at a time, with the counts per phase; what a first screen needs at 10,000
//   topologies without sending 10,000 full statuses;
// - the watch, a long-poll on the controller's ChangeFeed: GET /api/v1/topologies (or one
//   topology's path) with watch=true&resourceVersion=N answers once something changed after N,
//   or with nothing after timeoutSeconds (default 30, at most 60).
#pragma once

#include <string>
#include <vector>

#include "common/http_server.h"
#include "common/json.h"
#include "controller/controller.h"

namespace hgo::controller {

struct OverviewQuery {
  std::string text;  // in the key or the message, case-insensitive
  std::string cluster, role, environment;
  std::vector<std::string> phases;  // any of them
  std::string label;                // "key=value"
  int64_t offset = 0;
  int64_t limit = 100;  // at most 1000
};

// From ?q=&cluster=&role=&environment=&phase=A,B&label=k=v&offset=&limit=; kInvalidArgument
// names the parameter that is not valid.
StatusOr<OverviewQuery> ParseOverviewQuery(const HttpRequest& req);

// Lower ranks come first: failures, then what is moving, then what is at rest.
int ProblemRank(const std::string& phase);

// The overview of statuses as of version (resourceVersion in the answer).
Json Overview(const std::vector<TopologyStatus>& statuses, const OverviewQuery& q, int64_t version);

// A row of the overview: one topology in short.
Json OverviewRow(const TopologyStatus& s);

// The long-poll answers, deferred replies (HttpReply::defer) that the feed's thread completes.
// For the list: the changed topologies in the list's form and the keys gone ("reset" and the
// whole list when resourceVersion is older than the feed remembers). For one key: its full
// status once it changed.
// A placement's rollout (GET /api/v1/topologies/{key}/rollout): per wave its stage, what it
// waits for, and each cluster's revision of the spec, applied and stable revisions.
Json RolloutJson(const RolloutView& view);

HttpReply WatchList(Controller& controller, const HttpRequest& req);
HttpReply WatchOne(Controller& controller, const crd::TopologyKey& key, const HttpRequest& req);

}  // namespace hgo::controller
