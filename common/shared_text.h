// An immutable string shared by its copies, for texts that are copied often and never changed
// (a record's revision specs are copied with the record on every pass).
#pragma once

#include <memory>
#include <string>

namespace hgo {

class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string text)  // NOLINT: a text is a SharedText
      : text_(text.empty() ? nullptr : std::make_shared<const std::string>(std::move(text))) {}
  SharedText(const char* text) : SharedText(std::string(text)) {}  // NOLINT

  const std::string& str() const { return text_ ? *text_ : Empty(); }
  bool empty() const { return !text_; }

  friend bool operator==(const SharedText& a, const SharedText& b) {
    return a.text_ == b.text_ || a.str() == b.str();
  }

 private:
  static const std::string& Empty() {
    static const std::string empty;
    return empty;
  }
  std::shared_ptr<const std::string> text_;
};

}  // namespace hgo
