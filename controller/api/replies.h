// The API's replies: JSON bodies, and errors as {"error": message} with the HTTP status that
// the Status code means (404 not found, 400 invalid, 409 conflict or precondition, 503
// unavailable, 401/403 for the token).
#pragma once

#include "common/http_server.h"
#include "common/json.h"
#include "common/status.h"

namespace hgo::controller {

HttpReply JsonReply(int status, const Json& body);
HttpReply ErrorReply(const Status& s);

}  // namespace hgo::controller
