// SHA-256 over bytes (OpenSSL), as lower-case hex: spec hashes and package digests; HMAC-SHA256
// for signed webhooks; a constant-time comparison for secrets.
#pragma once

#include <string>
#include <string_view>

namespace hgo {

std::string Sha256Hex(std::string_view data);

// HMAC-SHA256 of data under key (RFC 2104), lower-case hex: what GitHub's X-Hub-Signature-256
// carries after "sha256=".
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Equal, in a time that depends only on the length (a wrong guess reveals nothing by timing).
bool SameSecret(std::string_view a, std::string_view b);

// True for exactly 64 lower-case hex digits.
bool IsSha256Hex(std::string_view s);

}  // namespace hgo
