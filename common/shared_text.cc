#include "common/shared_text.h"

#include <zlib.h>

#include <cstdint>

namespace hgo {

SharedText::SharedText(std::string_view text) {
  if (text.empty()) return;
  std::string out;
  uLongf deflated = compressBound(static_cast<uLong>(text.size()));
  out.resize(5 + deflated);
  const uint32_t n = static_cast<uint32_t>(text.size());
  if (text.size() <= UINT32_MAX &&
      compress2(reinterpret_cast<Bytef*>(out.data() + 5), &deflated,
                reinterpret_cast<const Bytef*>(text.data()), static_cast<uLong>(text.size()),
                Z_BEST_SPEED) == Z_OK) {
    out[0] = 'z';
    for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>((n >> (8 * i)) & 0xff);
    out.resize(5 + deflated);
    out.shrink_to_fit();
  } else {
    out = "r";
    out.append(text);
  }
  stored_ = std::make_shared<const std::string>(std::move(out));
}

std::string SharedText::str() const {
  if (!stored_) return {};
  const std::string& s = *stored_;
  if (s[0] == 'r') return s.substr(1);
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<uint8_t>(s[1 + i])) << (8 * i);
  std::string text(n, '\0');
  uLongf size = n;
  // Only this class writes the stored form, so inflating it cannot fail short of memory.
  if (uncompress(reinterpret_cast<Bytef*>(text.data()), &size,
                 reinterpret_cast<const Bytef*>(s.data() + 5),
                 static_cast<uLong>(s.size() - 5)) != Z_OK) {
    return {};
  }
  text.resize(size);
  return text;
}

}  // namespace hgo
