// The web UI (docs/ui.md), served by the controller's API listener: "/" (the overview) and
// "/topologies/CLUSTER/ROLE/ENV/NAME" (a topology's page, a URL that can be shared) give the
// one page, which draws itself from the API; "/ui/NAME" its script and style. The files are
// compiled into the binary (controller/api/ui/ via cmake/EmbedFiles.cmake); the page loads
// nothing from anywhere else, which its Content-Security-Policy enforces.
#pragma once

#include <optional>
#include <string>

#include "common/http_server.h"

namespace hgo::controller {

// The reply for a UI path, or nullopt when path is not one (an API path).
std::optional<HttpReply> ServeUi(const std::string& path);

}  // namespace hgo::controller
