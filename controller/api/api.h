// The controller's HTTP API (docs/operations.md, "HTTP API"): status of topologies, their
// events and history, the mutations heronctl uses, a dry-run plan, health and /metrics.
// Mutating endpoints need "Authorization: Bearer <token>"; without a configured token they are
// refused (read-only API).
#pragma once

#include <memory>

#include <string>

#include "common/http_server.h"
#include "controller/api/access.h"
#include "controller/controller.h"
#include "controller/metrics.h"

namespace hgo::controller {

struct ApiOptions {
  AccessList access;                // no token: mutations refused (controller/api/access.h)
  std::shared_ptr<AuditLog> audit;  // null: no audit log
  // Reads (GET /api/..., /metrics) need a token of any scope too; the probes (/healthz,
  // /readyz) and the web UI's own files stay open, the UI then asks for a token.
  bool reads_need_token = false;
};

HttpHandler MakeApiHandler(Controller& controller, Metrics& metrics, ApiOptions options);

// A topology's key as JSON fields: "key" (c/r/e/n) and each part.
Json KeyJson(const crd::TopologyKey& key);

// JSON forms shared with heronctl's tests.
Json StatusToJson(const TopologyStatus& s, bool full);
Json PlanToJson(const DryRun& d);
Json UnmanagedToJson(const UnmanagedTopology& u);
Json ImportedToJson(const Imported& i);  // the spec as YAML text, differences, notes

}  // namespace hgo::controller
