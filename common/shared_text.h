// An immutable text shared by its copies and kept deflated, for texts that are copied often, read
// rarely and never changed: a record's revision specs are copied with the record on every pass
// and read only when the record is written or a revision rolled back to. Deflated, a spec takes
// about a third of its text (at 10,000 topologies the specs were the largest part of the
// records in memory).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace hgo {

class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string_view text);  // NOLINT: a text is a SharedText
  SharedText(const std::string& text) : SharedText(std::string_view(text)) {}  // NOLINT
  SharedText(const char* text) : SharedText(std::string_view(text)) {}         // NOLINT

  std::string str() const;  // the text, inflated
  bool empty() const { return !stored_; }
  size_t stored_bytes() const { return stored_ ? stored_->size() : 0; }
  // Whether the two share their storage (copies of one another).
  bool SharesWith(const SharedText& other) const { return stored_ == other.stored_; }

  // Equal texts deflate to equal bytes, so the stored forms are compared.
  friend bool operator==(const SharedText& a, const SharedText& b) {
    return a.stored_ == b.stored_ || (a.stored_ && b.stored_ && *a.stored_ == *b.stored_);
  }

 private:
  // A tag byte, then 'z': the text's length (4 bytes, little-endian) and its deflated bytes;
  // 'r': the text as is (when deflating failed).
  std::shared_ptr<const std::string> stored_;
};

}  // namespace hgo
