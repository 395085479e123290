// Base64 (RFC 4648, with padding) over OpenSSL: Heron's JVM-option encoding and aurora-local's
// durable records.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace hgo {

std::string Base64Encode(std::string_view bytes);
// kInvalidArgument for text that is not base64.
StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace hgo
