// UTF-8 checks and text positions, shared by every parser of untrusted input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hgo {

// Byte offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
// surrogates and code points above U+10FFFF are invalid), or nullopt when all of s is valid.
std::optional<size_t> FirstInvalidUtf8(std::string_view s);

// Length (2..4) of the valid multi-byte UTF-8 sequence starting at s[i], or 0 when the bytes
// there are not one. REQUIRES: i < s.size() and s[i] >= 0x80.
size_t Utf8SequenceLength(std::string_view s, size_t i);

// Appends code point cp (REQUIRES: cp <= 0x10FFFF and not a surrogate) as UTF-8.
void AppendUtf8(uint32_t cp, std::string& out);

// 1-based line and column (in bytes) of a byte offset in text.
struct TextPosition {
  int line = 1;
  int column = 1;
};
TextPosition PositionAt(std::string_view text, size_t offset);

// Levenshtein distance, for "did you mean" hints on unknown names.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace hgo
