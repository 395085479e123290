#include "controller/api/replies.h"

#include "common/redact.h"

namespace hgo::controller {

HttpReply JsonReply(int status, const Json& body) {
  HttpReply r;
  r.status = status;
  r.body = SerializePretty(body) + "\n";
  RedactInPlace(r.body);  // every API answer: a credential that slipped in never leaves
  r.headers["Content-Type"] = "application/json";
  return r;
}

HttpReply ErrorReply(const Status& s) {
  int code = 500;
  switch (s.code()) {
    case StatusCode::kNotFound:
      code = 404;
      break;
    case StatusCode::kInvalidArgument:
      code = 400;
      break;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kConflict:
      code = 409;
      break;
    case StatusCode::kUnavailable:
      code = 503;
      break;
    case StatusCode::kUnauthenticated:
      code = 401;
      break;
    case StatusCode::kPermissionDenied:
      code = 403;
      break;
    default:
      break;
  }
  Json j = Json::MakeObject();
  j["error"] = s.message();
  return JsonReply(code, j);
}

}  // namespace hgo::controller
