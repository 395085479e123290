// SHA-256 over bytes (OpenSSL), as lower-case hex: spec hashes and package digests.
#pragma once

#include <string>
#include <string_view>

namespace hgo {

std::string Sha256Hex(std::string_view data);

// True for exactly 64 lower-case hex digits.
bool IsSha256Hex(std::string_view s);

}  // namespace hgo
